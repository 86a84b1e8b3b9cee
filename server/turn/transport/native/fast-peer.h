/*
 * A peer in this process that answers a relayed datagram in C: the relay's fast path.
 *
 * The relay's client-facing UDP socket (udp.c) reads each datagram on Node's event loop. For a
 * ChannelData message (RFC 8656 §12.4) whose source, channel number and RTP stream (RFC 3550
 * §5.1: the SSRC and payload type) match an entry `fastAttach` made, it calls the peer's `answer`
 * with the channel's data, before any JavaScript: the peer answers at once (the answer goes back
 * to the source in a ChannelData message of the same channel), takes the datagram without an
 * answer, or leaves it to JavaScript. What JavaScript would have counted (the relay's counters and
 * witness, the peer's own) is kept in records that JavaScript drains in batches.
 *
 * Another addon (the reflector's RTP probe core, server/reflector/rtp/native/echo.c) hands its
 * `fast_peer` to this one as a Node-API external tagged FAST_PEER_TAG, and its peer state as an
 * external the relay keeps a reference to while the entry lives.
 */
#ifndef CALLPROBE_FAST_PEER_H
#define CALLPROBE_FAST_PEER_H

#include <node_api.h>
#include <stddef.h>
#include <stdint.h>

/* Bumped whenever the struct or the meaning of `answer`'s results changes. */
#define FAST_PEER_ABI 1

/* What `answer` did with a datagram. */
#define FAST_LEFT -1 /* not taken: JavaScript takes it, as if there were no fast path */
#define FAST_TAKEN 0 /* taken, no answer */
/* > 0: taken, and the answer's length in bytes, written to `out` */

typedef struct {
  uint32_t abi;
  /*
   * `peer`: the state the entry was attached with. `in`, `len`: the channel's data (the RTP
   * packet). `recv_ms`: when it was read, on the clock of performance.now() in this thread.
   * `out`, `cap`: where the answer goes. Never reads or writes outside the buffers.
   */
  int (*answer)(void *peer, const uint8_t *in, size_t len, double recv_ms, uint8_t *out, size_t cap);
  /* The peer's state behind a Node-API value (the external the peer's addon made), or NULL when `v` is not one. */
  void *(*peer_of)(napi_env env, napi_value v);
} fast_peer;

static const napi_type_tag FAST_PEER_TAG = {0x63616c6c70726f62ULL, 0x652d666173740004ULL};

#endif
