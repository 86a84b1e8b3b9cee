/**
 * Both ends of the data plane's channel over Node's IPC (`child_process.fork`): the HTTP
 * process sends commands and receives events, the data plane the other way round. Every message
 * received is checked against its schema (src/protocol/data-plane.ts, compiled once here); one
 * that does not match is handed to `onBad` with the first problem found (the end logs and counts
 * it) and never to the receiver.
 */
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { PlaneCommandSchema, PlaneEventSchema, type PlaneCommand, type PlaneEvent } from '../../src/protocol/data-plane.js';

const commandCheck = TypeCompiler.Compile(PlaneCommandSchema);
const eventCheck = TypeCompiler.Compile(PlaneEventSchema);

/** What either end speaks through: a ChildProcess made by fork, or `process` in the child. */
export interface IpcCarrier {
  send?(message: unknown, callback?: (err: Error | null) => void): boolean;
  on(event: 'message', listener: (message: unknown) => void): unknown;
  off(event: 'message', listener: (message: unknown) => void): unknown;
  readonly connected?: boolean;
}

/** The first problem of `value` under `check`, in words ("/data/sdp: Expected string"). */
function problemOf(check: typeof commandCheck | typeof eventCheck, value: unknown): string {
  const e = check.Errors(value).First();
  return e === undefined ? 'does not match the channel' : `${e.path || '/'}: ${e.message}`;
}

export interface ChannelEnd<Out> {
  /** Sends one message; false when the carrier is gone (the other end exited). */
  send(message: Out): boolean;
  /** Stops listening. */
  detach(): void;
}

function end<In, Out>(
  carrier: IpcCarrier,
  check: typeof commandCheck | typeof eventCheck,
  receive: (message: In) => void,
  onBad: (problem: string) => void,
): ChannelEnd<Out> {
  const listener = (message: unknown): void => {
    if (!check.Check(message)) {
      onBad(problemOf(check, message));
      return;
    }
    receive(message as In);
  };
  carrier.on('message', listener);
  return {
    send(message) {
      if (carrier.send === undefined || carrier.connected === false) return false;
      // A carrier that closed between the check and the write reports it here, not as an exception.
      return carrier.send(message, () => undefined);
    },
    detach: () => void carrier.off('message', listener),
  };
}

/** The HTTP process's end: commands out, events in. */
export function hostEnd(carrier: IpcCarrier, receive: (event: PlaneEvent) => void, onBad: (problem: string) => void): ChannelEnd<PlaneCommand> {
  return end<PlaneEvent, PlaneCommand>(carrier, eventCheck, receive, onBad);
}

/** The data plane's end: events out, commands in. */
export function planeEnd(carrier: IpcCarrier, receive: (command: PlaneCommand) => void, onBad: (problem: string) => void): ChannelEnd<PlaneEvent> {
  return end<PlaneCommand, PlaneEvent>(carrier, commandCheck, receive, onBad);
}
