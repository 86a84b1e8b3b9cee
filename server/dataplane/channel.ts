/**
 * Both ends of the data plane's channel over Node's IPC (`child_process.fork`): the HTTP
 * process sends commands and receives events, the data plane the other way round. Every message
 * received is checked against its schema (server/common/data-plane.ts, compiled once here); one
 * that does not match is handed to `onBad` with the first problem found (the end logs and counts
 * it) and never to the receiver.
 */
import { KindGuard, type TSchema, type TUnion } from '@sinclair/typebox';
import { TypeCompiler, type TypeCheck } from '@sinclair/typebox/compiler';
import { PlaneCommandSchema, PlaneEventSchema, type PlaneCommand, type PlaneEvent } from '../common/data-plane.js';

/** A union of messages told apart by `type`: its check, and each member's by its type. */
interface Checker {
  check: TypeCheck<TSchema>;
  byType: Map<string, TypeCheck<TSchema>>;
}

function checker(union: TUnion): Checker {
  const byType = new Map<string, TypeCheck<TSchema>>();
  for (const member of union.anyOf) {
    const t = KindGuard.IsObject(member) ? member.properties['type'] : undefined;
    if (t !== undefined && KindGuard.IsLiteral(t) && typeof t.const === 'string') byType.set(t.const, TypeCompiler.Compile(member));
  }
  return { check: TypeCompiler.Compile(union), byType };
}

const commandCheck = checker(PlaneCommandSchema);
const eventCheck = checker(PlaneEventSchema);

/** What either end speaks through: a ChildProcess made by fork, or `process` in the child. */
export interface IpcCarrier {
  send?(message: unknown, callback?: (err: Error | null) => void): boolean;
  on(event: 'message', listener: (message: unknown) => void): unknown;
  off(event: 'message', listener: (message: unknown) => void): unknown;
  readonly connected?: boolean;
}

/** The first problem of `value`, in words, read against the message of its `type` ("signal: /data: Expected union value"). */
function problemOf(c: Checker, value: unknown): string {
  const type = typeof value === 'object' && value !== null ? (value as { type?: unknown }).type : undefined;
  const member = typeof type === 'string' ? c.byType.get(type) : undefined;
  if (member === undefined) return `unknown message type ${JSON.stringify(type) ?? 'missing'}`;
  const e = member.Errors(value).First();
  return e === undefined ? `${type}: does not match the channel` : `${type}: ${e.path || '/'}: ${e.message}`;
}

export interface ChannelEnd<Out> {
  /** Sends one message; false when the carrier is gone (the other end exited). */
  send(message: Out): boolean;
  /** Stops listening. */
  detach(): void;
}

function end<In, Out>(carrier: IpcCarrier, c: Checker, receive: (message: In) => void, onBad: (problem: string) => void): ChannelEnd<Out> {
  const listener = (message: unknown): void => {
    if (!c.check.Check(message)) {
      onBad(problemOf(c, message));
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
