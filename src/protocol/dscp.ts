/**
 * The DSCP values (RFC 2474 §3: the upper six bits of the IPv4 TOS byte and of the IPv6 traffic
 * class) that Teams marks its media with where QoS is configured, as Microsoft's "Implement
 * Quality of Service in Microsoft Teams" lists them: audio EF (46, RFC 3246), video AF41 (34) and
 * screen sharing AF21 (18, RFC 2597); 0 is the default class, no mark. A browser asked for
 * `networkPriority: 'high'` on an audio sender (W3C WebRTC Priority Control) marks it EF.
 */
export const DSCP = { ef: 46, af41: 34, af21: 18, none: 0 } as const;

/** The DSCP the page asks for its RTP probe stream and the relay puts on its echoes: the mark of Teams audio. */
export const PROBE_DSCP: number = DSCP.ef;
