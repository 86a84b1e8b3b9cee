/**
 * Which probe path is graded once the test is connected: the RTP stream when the plan
 * allowed it and its leg connected in time, else the data channel, with the reason in words
 * for the report. The waiting for the leg is the conductor's (run-session.ts); the decision
 * is here. (The relay path the report grades, getStats' or the chosen rung's, is
 * relay-choice.ts's chosenPath and completePath.)
 */
import type { ProbeFallback, ProbePath, RtpAttempt } from '../../analysis/schema/report-schema.js';
import type { GradedStream, StreamPlan, TestPlan } from './test-plan.js';

/**
 * What became of the RTP leg: connected, not within its grace, failed (the error), or never
 * opened (why); with `attempts` when it was opened more than once (the reflector asked for it
 * again: its first leg carried none of the page's audio), each in order.
 */
export type RtpLegOutcome = (
  | { leg: 'connected' }
  /** `relayRefusals`: what the test server's relay refused the leg meanwhile (icecandidateerror entries), none when empty. */
  | { leg: 'timed-out'; relayRefusals: readonly string[] }
  /**
   * `by`: whose fact the failure is: the test server's relay refused its allocations ('relay'),
   * this browser could not set it up ('browser'), or the server or the path ('server-or-path':
   * the server refused the offer, ICE or DTLS failed).
   */
  | { leg: 'failed'; error: string; by: 'relay' | 'browser' | 'server-or-path' }
  | { leg: 'absent'; because: 'no-audio-track' | 'no-rtp-leg' }
) & { attempts?: readonly RtpAttempt[] };

export interface PathChoice {
  probe: ProbePath;
  /** The RTP stream is graded (its leg connected as planned). */
  rtp: boolean;
  /** The data-channel stream to send when graded, or beside RTP the pacer's ticks (nothing sent: this device's timing). */
  dataChannel: StreamPlan;
  /** The graded stream's rate, pacing and probe size, for the report's meta and the provisional answers. */
  graded: GradedStream;
}

export function choosePath(plan: TestPlan, outcome: RtpLegOutcome): PathChoice {
  const chosen = chooseStream(plan, outcome);
  const attempts = outcome.attempts;
  return attempts === undefined || attempts.length < 2 ? chosen : { ...chosen, probe: { ...chosen.probe, attempts: [...attempts] } };
}

function chooseStream(plan: TestPlan, outcome: RtpLegOutcome): PathChoice {
  const rtp = plan.rtp;
  if (!rtp.planned) return dataChannel(plan, rtp.whyNot);
  switch (outcome.leg) {
    case 'absent':
      return dataChannel(
        plan,
        outcome.because === 'no-audio-track' ? 'no audio track (audio: none): the RTP probes ride an audio track' : 'this client cannot open an RTP probe leg',
      );
    case 'timed-out':
      return outcome.relayRefusals.length > 0
        ? dataChannel(
            plan,
            // One refusal per interface the leg gathered on: each said once.
            `the test server's relay refused the RTP leg (${[...new Set(outcome.relayRefusals)].join('; ')}), so it did not connect within ${rtp.connectGraceMs} ms`,
            'relay-refused',
          )
        : dataChannel(plan, `the RTP leg did not connect within ${rtp.connectGraceMs} ms`, 'not-connected');
    case 'failed':
      // A leg this browser could not set up is the browser's fact, as an absent one: no fallback code.
      if (outcome.by === 'browser') return dataChannel(plan, `the RTP leg failed: ${outcome.error}`);
      return dataChannel(plan, `the RTP leg failed: ${outcome.error}`, outcome.by === 'relay' ? 'relay-refused' : 'failed');
    case 'connected':
      return {
        probe: { path: 'rtp', reason: 'probes ride the audio track as RTP over SRTP, like a call' },
        rtp: true,
        dataChannel: rtp.crossCheck,
        graded: rtp.graded,
      };
  }
}

/** The data channel graded, with why; `fallback` only when an RTP path was planned and its leg did not make it. */
function dataChannel(plan: TestPlan, reason: string, fallback?: ProbeFallback): PathChoice {
  const probe: ProbePath = fallback === undefined ? { path: 'datachannel', reason } : { path: 'datachannel', reason, fallback };
  return { probe, rtp: false, dataChannel: plan.dataChannel, graded: plan.dataChannel };
}
