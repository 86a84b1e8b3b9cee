/** The targets' profile by name: the stored label in English, worded from its id in another language (an Azure region keeps its own name). */
import { describe, expect, it } from 'vitest';
import { EN, loadMessages } from '../../../src/analysis/present/catalogue.js';
import { profileName } from '../../../src/analysis/present/it-words.js';
import { probePathLine } from '../../../src/analysis/present/probe-path.js';
import { resolveProfile } from '../../../src/analysis/grade/targets.js';

describe('profileName and probePathLine', () => {
  it('keep the stored English words, and word the profile and the path from their codes in another language', async () => {
    const edge = resolveProfile({ id: 'client-to-edge' });
    const hawaii = resolveProfile({ id: 'azure-region', azureRegion: 'Hawaii US' });
    expect(profileName(edge, EN)).toBe('client to relay edge');
    expect(profileName(hawaii, EN)).toBe(hawaii.label);
    const de = await loadMessages('de');
    const ja = await loadMessages('ja');
    expect(profileName(edge, de)).toBe('vom Client zum Relay am Netzwerkrand');
    // Hawaii US is tested against West US (the Azure table's one row against another region).
    expect(profileName(hawaii, de)).toBe('Azure West US von Ihrem Standort (Hawaii US)');
    expect(profileName({ ...hawaii, from: 'edge' }, ja)).toBe('お使いのネットワークのエッジ (Hawaii US) から Azure West US まで');
    const dc = { probe: { path: 'datachannel' as const, reason: 'this browser has no RTCRtpScriptTransform' } };
    expect(probePathLine(dc)).toBe('Measured on a data channel, not on an audio stream: this browser has no RTCRtpScriptTransform.');
    expect(probePathLine(dc, de)).toBe('Gemessen auf einem Datenkanal, nicht auf einem Audiostrom.');
    expect(probePathLine({ probe: { path: 'rtp', reason: '' } }, ja)).toMatch(/^通話が音声を送るのと同じ音声ストリーム \(RTP\) で測定しました。/);
  });
});
