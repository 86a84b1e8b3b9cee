/** The Sans-IO TURN core: state machine, policies and action types. */
export * from './types.js';
export { TurnCore, type IndicationDelivery } from './turn-core.js';
export { ChannelBinding, Allocation, Permission } from './allocation.js';
export { randomPortAllocator } from './port-allocator.js';
