import { describe, expect, it } from 'vitest';
import { devicesLines, echoLine, microphoneLine } from '../../../src/analysis/present/devices.js';
import type { Devices, EchoCheck } from '../../../src/analysis/schema/devices-schema.js';
import { loadMessages } from '../../../src/analysis/present/catalogue.js';

const asked = { width: 1280, height: 720, frameRate: 30 };

describe('devicesLines', () => {
  it('says a silent microphone in plain words with the next step', () => {
    const line = microphoneLine({ state: 'silent', seconds: 5, loudestRmsDbfs: null, peakDbfs: null, clippedPct: 0 });
    expect(line).toMatch(/^Your microphone sent no sound\./);
    expect(line).toContain('muted');
    expect(line).toContain('another input');
  });

  it('says each device, in order, and that an unattended check asked no one', () => {
    const d: Devices = {
      unattended: true,
      microphone: { state: 'ok', seconds: 5, loudestRmsDbfs: -7, peakDbfs: 0, clippedPct: 10 },
      speaker: { state: 'played', chosenOutput: false, heard: 'not-asked' },
      camera: { state: 'ok', asked, delivered: { width: 640, height: 480, frameRate: 20 }, frameRateSource: 'counted' },
    };
    expect(devicesLines(d)).toEqual([
      'Checked with the browser’s stand-in devices, with no one at the page.',
      'Your microphone works: it sent sound at a good level.',
      'The test tone played; no one answered whether it was heard.',
      'Your camera works: it sent 640×480 at 20 frames per second (asked for 1280×720 at 30 frames per second).',
    ]);
  });

  it('leaves out what was not checked, and says a camera that delivered what was asked without the comparison', () => {
    const d: Devices = {
      unattended: false,
      microphone: null,
      speaker: { state: 'played', chosenOutput: true, heard: 'no' },
      camera: { state: 'ok', asked, delivered: { ...asked, frameRate: 29.7 }, frameRateSource: 'counted' },
    };
    expect(devicesLines(d)).toEqual([
      'You did not hear the test tone. Check the volume and the system’s output device, or choose another speaker, then play it again.',
      'Your camera works: it sent 1280×720 at 30 frames per second.',
    ]);
  });

  it('says a camera held by another app', () => {
    const d: Devices = { unattended: false, microphone: null, speaker: null, camera: { state: 'in-use', asked, delivered: null, frameRateSource: null } };
    expect(devicesLines(d)).toEqual(['Your camera is held by another app. Close that app, then check again.']);
  });

  it('says each device in the reader’s language, with its numbers', async () => {
    const d: Devices = {
      unattended: false,
      microphone: { state: 'silent', seconds: 5, loudestRmsDbfs: null, peakDbfs: null, clippedPct: 0 },
      speaker: { state: 'played', chosenOutput: false, heard: 'yes' },
      camera: { state: 'ok', asked, delivered: { width: 640, height: 480, frameRate: 20 }, frameRateSource: 'counted' },
    };
    expect(devicesLines(d, await loadMessages('de'))).toEqual([
      'Ihr Mikrofon hat keinen Ton gesendet. Prüfen Sie, ob es in den Toneinstellungen des Systems oder per Schalter am Headset stummgeschaltet ist, oder wählen Sie einen anderen Eingang, und prüfen Sie dann erneut.',
      'Sie haben den Testton gehört: Ihr Lautsprecher funktioniert.',
      'Ihre Kamera funktioniert: Sie hat 640×480 mit 20 Bildern pro Sekunde geliefert (angefragt: 1280×720 mit 30 Bildern pro Sekunde).',
    ]);
    expect(devicesLines(d, await loadMessages('ja'))[0]).toMatch(/^マイクから音声が届きませんでした。/);
  });
});

describe('echoLine', () => {
  const echo = (over: Partial<EchoCheck>): EchoCheck => ({
    state: 'ok',
    seconds: 5,
    framesSent: 500,
    framesBack: 500,
    lostPct: 0,
    latePct: 0,
    lateMs: 200,
    cuts: [],
    ...over,
  });

  it('says how many cuts, short when each is 200 ms or less, and how much they cut in all', () => {
    const two = [
      { atMs: 1200, ms: 40, why: 'lost' as const },
      { atMs: 3100, ms: 200, why: 'late' as const },
    ];
    expect(echoLine(echo({ state: 'cut', cuts: two }))).toBe(
      'Your voice came back through the test server with 2 short cuts (240 ms of it in all: audio lost or late on the way).',
    );
    expect(echoLine(echo({ state: 'cut', cuts: [{ atMs: 0, ms: 210, why: 'lost' }] }))).toMatch(/with 1 cut \(210 ms of it in all/);
  });

  it('says the cuts in the reader’s language, with its numbers', async () => {
    const one = [{ atMs: 1200, ms: 40, why: 'lost' as const }];
    // German prints the unit after a no-break space.
    expect(echoLine(echo({ state: 'cut', cuts: one }), await loadMessages('de'))).toBe(
      'Ihre Stimme kam über den Testserver mit 1 kurzen Aussetzer zurück (40\u00a0ms insgesamt: Ton unterwegs verloren oder verspätet).',
    );
    expect(echoLine(echo({}), await loadMessages('ja'))).toMatch(/^あなたの声は欠けることなく/);
  });

  it('says a whole echo, none back, and a test that could not run apart, in the devices lines after the camera', () => {
    const d: Devices = { unattended: false, microphone: null, speaker: null, camera: null, echo: echo({}) };
    expect(devicesLines(d)).toEqual(['Your voice came back through the test server whole: this is how others would hear you.']);
    expect(echoLine(echo({ state: 'no-audio-back', framesBack: 0 }))).toMatch(/none of it came back/);
    expect(echoLine(echo({ state: 'failed', framesSent: 0, seconds: 0 }))).toMatch(/could not run/);
    expect(devicesLines({ ...d, echo: null })).toEqual([]);
  });
});
