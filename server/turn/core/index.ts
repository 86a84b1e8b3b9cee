/** The Sans-IO TURN core: state machine, policies and action types. */
export * from './types.js';
export type * from './reasons.js';
export { TurnCore } from './turn-core.js';
export { randomPortAllocator } from './port-allocator.js';
