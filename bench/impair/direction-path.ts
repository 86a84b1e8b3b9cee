/**
 * One direction of one flow, Sans-IO: probe classifier + impairment core + truth recorder.
 * The socket layer (proxy.ts) or the virtual-clock simulator (simulate.ts) feeds it
 * datagrams and timer ticks, executes the releases it returns, and reports each send back.
 */
import { ProbeClassifier } from './classify.js';
import { Impairer, impairerStreams, type ImpairAction, type ReleaseAction } from './impairer.js';
import type { Seed } from './prng.js';
import { DirectionRecorder, type JitterOracle } from './recorder.js';
import type { DirectionSettings } from './scenario.js';
import type { DirectionTruth } from './truth-types.js';

export class DirectionPath {
  private readonly classifier: ProbeClassifier;
  private readonly impairer: Impairer;
  private readonly recorder: DirectionRecorder;
  private nextId = 0;

  /**
   * streamPrefix names this direction's PRNG streams (e.g. "L0/F0/up": listener 0, flow 0),
   * so directions and flows never share draws. originMs: the flow's first datagram.
   */
  constructor(settings: DirectionSettings, seed: Seed, streamPrefix: string, originMs: number) {
    this.classifier = new ProbeClassifier(settings.probe);
    this.impairer = new Impairer(settings, impairerStreams(seed, streamPrefix), originMs);
    this.recorder = new DirectionRecorder(this.classifier);
  }

  /** A datagram arrived; returns its id and what to do with it (and with packets it freed from a hold). */
  onDatagram(sizeBytes: number, arrivalMs: number): { id: number; actions: ImpairAction[] } {
    const id = this.nextId++;
    const probe = this.classifier.classify(sizeBytes);
    this.recorder.arrival({ id, sizeBytes, arrivalMs }, probe);
    const actions = this.impairer.onPacket({ id, sizeBytes, arrivalMs, probe });
    for (const a of actions) this.recorder.action(a);
    if (this.impairer.impairing && this.classifier.observeImpaired(sizeBytes)) this.recorder.classifyWaiting();
    return { id, actions };
  }

  /** Time passed: releases of packets whose hold expired. */
  onTimer(nowMs: number): ImpairAction[] {
    const actions = this.impairer.onTimer(nowMs);
    for (const a of actions) this.recorder.action(a);
    return actions;
  }

  nextTimerMs(): number | null {
    return this.impairer.nextTimerMs();
  }

  sent(release: ReleaseAction, actualMs: number): void {
    this.recorder.sent(release, actualMs);
  }

  sendFailed(release: ReleaseAction): void {
    this.recorder.sendFailed(release);
  }

  timingErrors(): readonly number[] {
    return this.recorder.timingErrors();
  }

  /** unsentOriginals: ids of originals the socket layer scheduled but never sent. */
  finish(unsentOriginals: readonly number[], jitter: JitterOracle | null): DirectionTruth {
    return this.recorder.finish([...unsentOriginals, ...this.impairer.heldPacketIds()], jitter);
  }
}
