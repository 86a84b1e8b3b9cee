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
#include <stdlib.h>
#include <string.h>

/* Bumped whenever the struct or the meaning of `answer`'s results changes. */
#define FAST_PEER_ABI 2

/* What `answer` did with a datagram. */
#define FAST_LEFT -1 /* not taken: JavaScript takes it, as if there were no fast path */
#define FAST_TAKEN 0 /* taken, no answer */
/* > 0: taken, and the answer's length in bytes, written to `out` */

typedef struct {
  uint32_t abi;
  /*
   * `peer`: the state the entry was attached with. `in`, `len`: the channel's data (the RTP
   * packet). `recv_mono_ms`: when it was read, CLOCK_MONOTONIC in ms: each addon puts it on the
   * clock of performance.now() with its own origin, so a time the peer reads later on that clock
   * is measured against the same origin (a hold never mixes the two addons' origins, which may
   * differ by however long a thread was held up between JavaScript's reading and C's).
   * `out`, `cap`: where the answer goes. Never reads or writes outside the buffers.
   */
  int (*answer)(void *peer, const uint8_t *in, size_t len, double recv_mono_ms, uint8_t *out, size_t cap);
  /* The peer's state behind a Node-API value (the external the peer's addon made), or NULL when `v` is not one. */
  void *(*peer_of)(napi_env env, napi_value v);
} fast_peer;

static const napi_type_tag FAST_PEER_TAG = {0x63616c6c70726f62ULL, 0x652d666173740004ULL};

/*
 * What a fast path took, kept for JavaScript: at most `cap` records of `width` numbers each,
 * oldest first, read out in batches into a Float64Array (both addons keep theirs so).
 */
typedef struct {
  double *slots;
  size_t head, len, cap, width;
} fast_records;

/* Makes room for `cap` records of `width` numbers: 0, or -1 out of memory. */
static inline int fast_records_init(fast_records *r, size_t cap, size_t width) {
  r->slots = malloc(cap * width * sizeof *r->slots);
  r->head = r->len = 0;
  r->cap = cap;
  r->width = width;
  return r->slots == NULL ? -1 : 0;
}

static inline void fast_records_free(fast_records *r) {
  free(r->slots);
  r->slots = NULL;
}

/* Whether every record is taken up (nothing more can be kept until JavaScript reads some). */
static inline int fast_records_full(const fast_records *r) {
  return r->len - r->head >= r->cap;
}

/* The next record's numbers, zeroed (the caller has checked fast_records_full). */
static inline double *fast_records_push(fast_records *r) {
  if (r->head > 0 && r->head == r->len) r->head = r->len = 0;
  if (r->len == r->cap) {
    memmove(r->slots, r->slots + r->head * r->width, (r->len - r->head) * r->width * sizeof *r->slots);
    r->len -= r->head;
    r->head = 0;
  }
  double *rec = r->slots + r->len++ * r->width;
  memset(rec, 0, r->width * sizeof *rec);
  return rec;
}

/* Copies the oldest records that fit in `out` (`out_len` numbers) there, and lets them go: how many. */
static inline size_t fast_records_take(fast_records *r, double *out, size_t out_len) {
  size_t n = 0;
  while (r->head < r->len && (n + 1) * r->width <= out_len) {
    memcpy(out + n * r->width, r->slots + r->head * r->width, r->width * sizeof *out);
    r->head++;
    n++;
  }
  if (r->head == r->len) r->head = r->len = 0;
  return n;
}

#endif
