/** Wire codec for STUN (RFC 8489), TURN (RFC 8656) and ChannelData (RFC 8656 §12.4). */
export * from './constants.js';
export * from './errors.js';
export * from './message.js';
export * from './integrity.js';
export * from './attributes.js';
export * from './channel-data.js';
export * from './stream-framer.js';
