/*
 * The RTP probe echo in native code: what ../core.ts (RtpReflectorCore) does with each probe of
 * the page's RTP stream, and what the short path (../short-path.ts) does around it, in one call per
 * packet: the page's SRTP packet checked and decrypted (its direction's rollover counter kept, as
 * srtp.c keeps it), its header and padding read (RFC 3550 §5.1), the probe frame read
 * (src/protocol/rtp-probe.ts), the echo frame written (the probe's fields, the reflector's own
 * downstream number, the recent records, the probe's Opus frame), given the reflector's RTP header
 * and protected in the other direction. The probe core's state (the numbering, the probes seen,
 * the recent ring, the receipts not yet taken, the totals) lives here, so the JavaScript
 * reflector core and this one never split a test between them.
 *
 * Why: in JavaScript the probe's own work (two calls into the SRTP addon, the probe read and the
 * echo written with a DataView, a receipt object, a recent list) ran at 100 packets a second,
 * mostly unoptimized, for about a fifth of the plane's main thread while a test streamed; here it
 * is one call with no allocation but the echo's Buffer. It is also the piece a probe path behind
 * the relay's own sockets would run.
 *
 * Functions (a bad argument throws; no call reads or writes outside a buffer):
 *   echoCore(recentRecords 0-64, frameBytes 0-1000, originMs) -> handle: originMs is CLOCK_MONOTONIC in ms where performance.now() reads 0
 *   echoAttach(handle, inDirection, outDirection, ssrc, payloadType): the SRTP directions of the
 *       leg (srtp.c `direction`; kept alive while the core lives) and the reflector's SSRC and
 *       payload type, for echoPacket.
 *   echoPacket(handle, packet, recvMs, sendMs, seq, timestamp, protect, info: Float64Array(12))
 *       -> Buffer | null: the page's SRTP packet. With `protect` an echo comes back as the
 *       reflector's SRTP packet numbered seq at timestamp; without, as its frame alone (the leg
 *       then sends it another way). `sendMs` NaN: the clock is read just before the echo is
 *       written (performance.now()'s clock, never before recvMs); a number: that time (tests).
 *   echoFrame(handle, payload, recvMs, sendMs, info) -> Buffer | null: a payload already
 *       decrypted (werift's RTP path); an echo comes back as its frame.
 *   info: [outcome, seq, timestamp, headerBytes, payloadBytes, downSeq, reason, echoBytes, sendMs,
 *       echoSeq, echoTimestamp, 0]
 *       outcome 0 refused (reason: a REFUSED_ code, or -5 more padding than payload), 1 padding
 *       only (no payload), 2 not a probe (reason 1 too-short, 2 bad-magic, 3 bad-version,
 *       4 unexpected-kind, 5 bad-size), 3 after the final, 4 echoed (downSeq; reason a REFUSED_
 *       code when the echo could not be protected, else 0). seq, timestamp, headerBytes and
 *       payloadBytes are the page's packet's (echoPacket, outcomes 1-4).
 *   echoFailed(handle, downSeq) -> boolean: the receipt of that echo, not taken yet, says -1.
 *   echoTake(handle, out: Float64Array) -> n: up to out.length / 4 receipts, oldest first, as
 *       [upSeq, reflectorRecvMs, downSeq, reflectorSendMs]; call again until it answers 0.
 *   echoCounts(handle, out: Float64Array(5)): [upReceived, upDuplicates, downSent, notProbes, afterFinal].
 *   echoFinal(handle): later probes are no longer echoed (counted after the final).
 * The relay's fast path (../../../turn/transport/native/fast-peer.h: the relay's UDP socket calls
 * echo_answer with each packet of the page's stream before any JavaScript):
 *   echoFastPeer() -> the fast path's peer functions, for the relay's fastAttach (with the handle).
 *   echoNumbering(handle, seq, timestamp, timestampStep): from here on the core numbers every
 *       echo itself (echoPacket's seq and timestamp are then not read; info[9], info[10] say the
 *       number an echo took), and the fast path may take packets (never before: it has no number).
 *   echoNextNumber(handle, out: Float64Array(2)) -> [seq, timestamp] for an echo JavaScript sends
 *       another way (werift's path); the core numbers on past it.
 *   echoTakenRecords(handle, out: Float64Array) -> n: up to out.length / 12 packets the fast path
 *       took, oldest first, as [recvMs, outcome (-1: out of memory), seq, timestamp, headerBytes,
 *       payloadBytes, downSeq, reason, echoBytes (0: none sent), echoSeq, echoTimestamp, sendMs].
 */
#define NAPI_VERSION 8
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "srtp.h"
#include "../../../turn/transport/native/fast-peer.h"

/* src/protocol/rtp-probe.ts */
#define PROBE_MAGIC 0x4352
#define PROBE_VERSION 1
#define KIND_PROBE 1
#define KIND_ECHO 2
#define PROBE_HEADER_BYTES 18
#define ECHO_HEADER_BYTES 41
#define RECENT_RECORD_BYTES 12
#define RECENT_MAX 8
#define FRAME_BYTES_MAX 1000
#define RECENT_RECORDS_MAX 64

#define OUTCOME_REFUSED 0
#define OUTCOME_PADDING 1
#define OUTCOME_NOT_PROBE 2
#define OUTCOME_AFTER_FINAL 3
#define OUTCOME_ECHO 4
#define REFUSED_PADDING -5
#define INFO_SLOTS 12
/* What the fast path took, kept for JavaScript: at most this many packets (a few seconds of a stream) between two readings. */
#define TAKEN_MAX 512
#define TAKEN_SLOTS 12
#define FAILED_MEMORY -1
#define FAILED_CRYPTO -2

typedef struct {
  double up_seq, recv_ms, down_seq, send_ms;
} receipt_t;

typedef struct {
  uint32_t probe_seq;
  double recv_ms;
} recent_t;

typedef struct {
  napi_ref in_ref, out_ref;
  rtp_direction *in, *out;
  uint32_t ssrc;
  uint8_t pt;
  uint32_t recent_records, frame_bytes;
  recent_t recent[RECENT_RECORDS_MAX];
  uint32_t recent_count, recent_next;
  double down_seq, up_received, up_duplicates, not_probes, after_final;
  bool finished;
  /* The probe numbers seen: open addressing, each slot the number + 1 (0: empty), at most half full. */
  uint64_t *seen;
  size_t seen_cap, seen_len;
  receipt_t *pending;
  size_t pending_len, pending_cap, pending_head;
  /* The decrypted packet, and the echo being written (its RTP header first). */
  uint8_t *scratch;
  size_t scratch_cap;
  uint8_t echo[RTP_HEADER_BYTES + FRAME_BYTES_MAX + TAG_BYTES];
  /* performance.now() = CLOCK_MONOTONIC in ms less this (the process's one origin, monotonic-origin.ts). */
  double origin_ms;
  /* The last echo's send time: no echo is stamped before it (-INFINITY before the first). */
  double last_send_ms;
  /*
   * The relay's fast path (echoNumbering, echo_answer): the RTP sequence number and timestamp of
   * the next echo it seals, the timestamp's step, and what it took, not yet handed to JavaScript
   * (echoTakenRecords).
   */
  bool numbered;
  uint32_t next_seq, next_ts, ts_step;
  fast_records taken;
} echo_t;

static const napi_type_tag ECHO_TAG = {0x63616c6c70726f62ULL, 0x652d6563686f0003ULL};

static napi_value fail(napi_env env, const char *msg) {
  napi_throw_error(env, "ERR_ECHO_NATIVE", msg);
  return NULL;
}

static double mono_ms(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

static uint16_t be16(const uint8_t *p) {
  return (uint16_t)((p[0] << 8) | p[1]);
}
static uint32_t be32(const uint8_t *p) {
  return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}
static double bef64(const uint8_t *p) {
  uint64_t u = ((uint64_t)be32(p) << 32) | be32(p + 4);
  double d;
  memcpy(&d, &u, sizeof d);
  return d;
}
static void put16(uint8_t *p, uint32_t v) {
  p[0] = (uint8_t)(v >> 8);
  p[1] = (uint8_t)v;
}
static void put32(uint8_t *p, uint32_t v) {
  p[0] = (uint8_t)(v >> 24);
  p[1] = (uint8_t)(v >> 16);
  p[2] = (uint8_t)(v >> 8);
  p[3] = (uint8_t)v;
}
static void putf64(uint8_t *p, double d) {
  uint64_t u;
  memcpy(&u, &d, sizeof u);
  put32(p, (uint32_t)(u >> 32));
  put32(p + 4, (uint32_t)u);
}
/* A count kept as a double (as JavaScript keeps it), on the wire as its low 32 bits (`>>> 0`). */
static uint32_t low32(double v) {
  return (uint32_t)(uint64_t)fmod(v, 4294967296.0);
}

/* Adds `seq` to the probes seen: 1 when it was seen before, 0 when new, -1 out of memory. */
static int seen_add(echo_t *e, uint32_t seq) {
  if ((e->seen_len + 1) * 2 > e->seen_cap) {
    size_t cap = e->seen_cap == 0 ? 1024 : e->seen_cap * 2;
    uint64_t *slots = calloc(cap, sizeof *slots);
    if (slots == NULL) return -1;
    for (size_t i = 0; i < e->seen_cap; i++) {
      uint64_t k = e->seen[i];
      if (k == 0) continue;
      size_t j = (size_t)((k * 0x9e3779b97f4a7c15ULL) >> 20) & (cap - 1);
      while (slots[j] != 0) j = (j + 1) & (cap - 1);
      slots[j] = k;
    }
    free(e->seen);
    e->seen = slots;
    e->seen_cap = cap;
  }
  uint64_t k = (uint64_t)seq + 1;
  size_t j = (size_t)((k * 0x9e3779b97f4a7c15ULL) >> 20) & (e->seen_cap - 1);
  while (e->seen[j] != 0) {
    if (e->seen[j] == k) return 1;
    j = (j + 1) & (e->seen_cap - 1);
  }
  e->seen[j] = k;
  e->seen_len++;
  return 0;
}

static int pending_push(echo_t *e, receipt_t r) {
  if (e->pending_head > 0 && e->pending_head == e->pending_len) e->pending_head = e->pending_len = 0;
  if (e->pending_len == e->pending_cap) {
    if (e->pending_head > 0) {
      memmove(e->pending, e->pending + e->pending_head, (e->pending_len - e->pending_head) * sizeof *e->pending);
      e->pending_len -= e->pending_head;
      e->pending_head = 0;
    }
    if (e->pending_len == e->pending_cap) {
      size_t cap = e->pending_cap == 0 ? 64 : e->pending_cap * 2;
      receipt_t *p = realloc(e->pending, cap * sizeof *p);
      if (p == NULL) return 0;
      e->pending = p;
      e->pending_cap = cap;
    }
  }
  e->pending[e->pending_len++] = r;
  return 1;
}

/*
 * One decrypted payload of the page's stream (RtpReflectorCore.onFrame): the outcome, and for an
 * echo its frame at e->echo + RTP_HEADER_BYTES, its length in *frame_len and its number in info.
 */
static int frame(echo_t *e, const uint8_t *p, size_t len, double recv_ms, double send_ms, double *info, size_t *frame_len) {
  int reason = 0;
  if (len < PROBE_HEADER_BYTES) reason = 1;
  else if (be16(p) != PROBE_MAGIC) reason = 2;
  else if (p[2] != PROBE_VERSION) reason = 3;
  else if (p[3] != KIND_PROBE) reason = 4;
  else if (PROBE_HEADER_BYTES + (size_t)be16(p + 16) > len) reason = 5;
  if (reason != 0) {
    e->not_probes++;
    info[6] = reason;
    return OUTCOME_NOT_PROBE;
  }
  if (e->finished) {
    e->after_final++;
    return OUTCOME_AFTER_FINAL;
  }
  uint32_t probe_seq = be32(p + 4);
  double client_send_ms = bef64(p + 8);
  size_t opus_len = be16(p + 16);
  e->up_received++;
  int dup = seen_add(e, probe_seq);
  if (dup < 0) return -1;
  if (dup) e->up_duplicates++;
  double down_seq = e->down_seq++;
  /* The Opus frame goes back whole; recent records fill what room the frame-size bound leaves. */
  long room_bytes = (long)FRAME_BYTES_MAX - ECHO_HEADER_BYTES - 2 - (long)opus_len;
  long room = room_bytes >= 0 ? room_bytes / RECENT_RECORD_BYTES : -((-room_bytes + RECENT_RECORD_BYTES - 1) / RECENT_RECORD_BYTES);
  size_t opus = room >= 0 ? opus_len : 0;
  long n = room < (long)e->recent_count ? room : (long)e->recent_count;
  if (n < 0) n = 0;
  if (n > RECENT_MAX) n = RECENT_MAX;
  if (isnan(send_ms)) {
    /*
     * The clock of performance.now(), read here with the origin JavaScript measured to
     * microseconds (echoCore): never before the probe's arrival, which JavaScript may have read.
     */
    send_ms = mono_ms() - e->origin_ms;
    if (send_ms < recv_ms) send_ms = recv_ms;
  }
  /*
   * Echoes are sent in the order they are numbered, some stamped here and some by JavaScript
   * (werift's path, or a packet the fast path left): a residual difference of the two readings
   * never puts an echo's send time before the one numbered before it.
   */
  if (send_ms < e->last_send_ms) send_ms = e->last_send_ms;
  e->last_send_ms = send_ms;
  size_t size = ECHO_HEADER_BYTES + (size_t)n * RECENT_RECORD_BYTES + 2 + opus;
  if (size < e->frame_bytes) size = e->frame_bytes;
  uint8_t *out = e->echo + RTP_HEADER_BYTES;
  memset(out, 0, size);
  put16(out, PROBE_MAGIC);
  out[2] = PROBE_VERSION;
  out[3] = KIND_ECHO;
  put32(out + 4, probe_seq);
  putf64(out + 8, client_send_ms);
  put32(out + 16, low32(down_seq));
  putf64(out + 20, recv_ms);
  putf64(out + 28, send_ms);
  put32(out + 36, low32(e->up_received));
  out[40] = (uint8_t)n;
  size_t o = ECHO_HEADER_BYTES;
  for (long i = 0; i < n; i++) {
    const recent_t *r = &e->recent[(e->recent_next + e->recent_records - 1 - (uint32_t)i) % e->recent_records];
    put32(out + o, r->probe_seq);
    putf64(out + o + 4, r->recv_ms);
    o += RECENT_RECORD_BYTES;
  }
  put16(out + o, (uint32_t)opus);
  memcpy(out + o + 2, p + PROBE_HEADER_BYTES, opus);
  if (!pending_push(e, (receipt_t){.up_seq = probe_seq, .recv_ms = recv_ms, .down_seq = down_seq, .send_ms = send_ms})) return -1;
  if (e->recent_records > 0) {
    e->recent[e->recent_next] = (recent_t){.probe_seq = probe_seq, .recv_ms = recv_ms};
    e->recent_next = (e->recent_next + 1) % e->recent_records;
    if (e->recent_count < e->recent_records) e->recent_count++;
  }
  info[5] = down_seq;
  info[8] = send_ms;
  *frame_len = size;
  return OUTCOME_ECHO;
}

static void finalize_echo(napi_env env, void *data, void *hint) {
  (void)hint;
  echo_t *e = data;
  if (e->in_ref != NULL) napi_delete_reference(env, e->in_ref);
  if (e->out_ref != NULL) napi_delete_reference(env, e->out_ref);
  free(e->seen);
  free(e->pending);
  free(e->scratch);
  fast_records_free(&e->taken);
  free(e);
}

static echo_t *echo_of(napi_env env, napi_value v) {
  bool tagged = false;
  void *p = NULL;
  if (napi_check_object_type_tag(env, v, &ECHO_TAG, &tagged) != napi_ok || !tagged || napi_get_value_external(env, v, &p) != napi_ok) return NULL;
  return p;
}

static int u32_of(napi_env env, napi_value v, uint32_t *out) {
  return napi_get_value_uint32(env, v, out) == napi_ok;
}
static int f64_of(napi_env env, napi_value v, double *out) {
  return napi_get_value_double(env, v, out) == napi_ok;
}
/* A typed array of `want`'s data and length. */
static int typed_of(napi_env env, napi_value v, napi_typedarray_type want, void **data, size_t *len) {
  bool typed = false;
  napi_typedarray_type type;
  return napi_is_typedarray(env, v, &typed) == napi_ok && typed && napi_get_typedarray_info(env, v, &type, len, data, NULL, NULL) == napi_ok &&
         type == want;
}
static int f64s_of(napi_env env, napi_value v, double **data, size_t *len) {
  return typed_of(env, v, napi_float64_array, (void **)data, len);
}
static int u8s_of(napi_env env, napi_value v, uint8_t **data, size_t *len) {
  return typed_of(env, v, napi_uint8_array, (void **)data, len);
}

/* A call's `want` arguments, the first an echo core: the core, or NULL (too few, or not a core). */
static echo_t *echo_args(napi_env env, napi_callback_info info, size_t want, napi_value *argv) {
  size_t argc = want;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  return argc == want ? echo_of(env, argv[0]) : NULL;
}

/* A call (handle, out: a Float64Array of at least `min`): the core and `out`, or NULL. */
static echo_t *echo_out_args(napi_env env, napi_callback_info info, size_t min, double **out, size_t *len) {
  napi_value argv[2];
  echo_t *e = echo_args(env, info, 2, argv);
  return e != NULL && f64s_of(env, argv[1], out, len) && *len >= min ? e : NULL;
}

static napi_value buffer_of(napi_env env, const uint8_t *data, size_t len) {
  void *copy;
  napi_value out;
  if (napi_create_buffer_copy(env, len, data, &copy, &out) != napi_ok) return fail(env, "could not make the echo's Buffer");
  return out;
}

static napi_value null_value(napi_env env) {
  napi_value v;
  napi_get_null(env, &v);
  return v;
}

static napi_value echo_core(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  uint32_t recent, frame_bytes;
  double origin;
  if (argc != 3 || !u32_of(env, argv[0], &recent) || !u32_of(env, argv[1], &frame_bytes) || !f64_of(env, argv[2], &origin) || !isfinite(origin) ||
      recent > RECENT_RECORDS_MAX || frame_bytes > FRAME_BYTES_MAX)
    return fail(env, "echoCore(recentRecords 0-64, frameBytes 0-1000, originMs)");
  echo_t *e = calloc(1, sizeof *e);
  if (e == NULL) return fail(env, "out of memory");
  e->recent_records = recent;
  e->frame_bytes = frame_bytes;
  e->origin_ms = origin;
  e->last_send_ms = -INFINITY;
  napi_value handle;
  if (napi_create_external(env, e, finalize_echo, NULL, &handle) != napi_ok) {
    free(e);
    return fail(env, "could not make the echo core's handle");
  }
  /* From here the handle's finalizer owns e. */
  if (napi_type_tag_object(env, handle, &ECHO_TAG) != napi_ok) return fail(env, "could not tag the echo core's handle");
  return handle;
}

static napi_value echo_attach(napi_env env, napi_callback_info info) {
  napi_value argv[5];
  echo_t *e = echo_args(env, info, 5, argv);
  rtp_direction *in = e != NULL ? direction_arg(env, argv[1]) : NULL;
  rtp_direction *out = e != NULL ? direction_arg(env, argv[2]) : NULL;
  uint32_t ssrc, pt;
  if (e == NULL || in == NULL || out == NULL || !u32_of(env, argv[3], &ssrc) || !u32_of(env, argv[4], &pt) || pt > 127)
    return fail(env, "echoAttach(handle, inDirection, outDirection, ssrc, payloadType 0-127)");
  if (e->in_ref != NULL) return fail(env, "echoAttach: attached already");
  if (napi_create_reference(env, argv[1], 1, &e->in_ref) != napi_ok) {
    e->in_ref = NULL;
    return fail(env, "echoAttach: could not keep the directions");
  }
  if (napi_create_reference(env, argv[2], 1, &e->out_ref) != napi_ok) {
    napi_delete_reference(env, e->in_ref);
    e->in_ref = e->out_ref = NULL;
    return fail(env, "echoAttach: could not keep the directions");
  }
  e->in = in;
  e->out = out;
  e->ssrc = ssrc;
  e->pt = (uint8_t)pt;
  return NULL;
}

/*
 * The page's SRTP packet, taken whole (echoPacket, and the relay's fast path): its outcome and
 * fields in `info`, and for a sealed echo (or, without `protect`, an echo's frame) where it is in
 * *out and its length in *out_len (else *out NULL). 0, or FAILED_MEMORY or FAILED_CRYPTO.
 */
static int take_packet(echo_t *e, const uint8_t *packet, size_t len, double recv_ms, double send_ms, uint32_t seq, uint32_t ts, bool protect,
                       double *info, const uint8_t **out, size_t *out_len) {
  memset(info, 0, INFO_SLOTS * sizeof *info);
  *out = NULL;
  *out_len = 0;
  if (len > e->scratch_cap) {
    uint8_t *s = realloc(e->scratch, len);
    if (s == NULL) return FAILED_MEMORY;
    e->scratch = s;
    e->scratch_cap = len;
  }
  int32_t n = rtp_unprotect(e->in, packet, len, e->scratch);
  if (n == REFUSED_CRYPTO) return FAILED_CRYPTO;
  if (n < 0) {
    info[0] = OUTCOME_REFUSED;
    info[6] = n;
    return 0;
  }
  const uint8_t *plain = e->scratch;
  long header = rtp_header_length(plain, (size_t)n);
  /* Padding (RFC 3550 §5.1 P bit): its last byte counts the padding bytes, itself included. */
  long end = (plain[0] & 0x20) != 0 ? (long)n - plain[n - 1] : (long)n;
  if (end < header) {
    info[0] = OUTCOME_REFUSED;
    info[6] = REFUSED_PADDING;
    return 0;
  }
  info[1] = be16(plain + 2);
  info[2] = be32(plain + 4);
  info[3] = (double)header;
  info[4] = (double)(end - header);
  if (end == header) {
    info[0] = OUTCOME_PADDING;
    return 0;
  }
  size_t frame_len = 0;
  int outcome = frame(e, plain + header, (size_t)(end - header), recv_ms, send_ms, info, &frame_len);
  if (outcome < 0) return FAILED_MEMORY;
  info[0] = outcome;
  if (outcome != OUTCOME_ECHO) return 0;
  if (!protect) {
    info[7] = (double)frame_len;
    *out = e->echo + RTP_HEADER_BYTES;
    *out_len = frame_len;
    return 0;
  }
  uint8_t *h = e->echo;
  h[0] = 0x80;
  h[1] = e->pt & 0x7f;
  put16(h + 2, seq & 0xffff);
  put32(h + 4, ts);
  put32(h + 8, e->ssrc);
  int32_t sealed = rtp_protect(e->out, h, RTP_HEADER_BYTES, h + RTP_HEADER_BYTES, frame_len, h);
  if (sealed == REFUSED_CRYPTO) return FAILED_CRYPTO;
  if (sealed < 0) {
    info[6] = sealed;
    return 0;
  }
  info[7] = sealed;
  *out = h;
  *out_len = (size_t)sealed;
  return 0;
}

/* The next echo's RTP number [seq, timestamp] into info[9], info[10], and the core's numbering on past it. */
static void number_on(echo_t *e, double *info) {
  info[9] = e->next_seq;
  info[10] = e->next_ts;
  e->next_seq = (e->next_seq + 1) & 0xffff;
  e->next_ts += e->ts_step;
}

/*
 * take_packet, numbered: while the core numbers the echoes (echoNumbering), an echo is sealed
 * with the core's next number and the numbering goes on past it; so does an echo handed back
 * unsealed (JavaScript sends it another way, with that number). An echo our SRTP would not seal
 * keeps its number for the next. info[9] and info[10] are the number an echo took.
 */
static int take_numbered(echo_t *e, const uint8_t *packet, size_t len, double recv_ms, double send_ms, uint32_t seq, uint32_t ts, bool protect,
                         double *info, const uint8_t **out, size_t *out_len) {
  if (e->numbered) {
    seq = e->next_seq;
    ts = e->next_ts;
  }
  int r = take_packet(e, packet, len, recv_ms, send_ms, seq, ts, protect, info, out, out_len);
  if (r != 0 || info[0] != OUTCOME_ECHO || *out == NULL) return r;
  if (e->numbered) number_on(e, info);
  else {
    info[9] = seq;
    info[10] = ts;
  }
  return 0;
}

static napi_value echo_packet(napi_env env, napi_callback_info info) {
  napi_value argv[8];
  echo_t *e = echo_args(env, info, 8, argv);
  uint8_t *packet;
  size_t len, info_len;
  double recv_ms, send_ms, *out_info;
  uint32_t seq, ts;
  bool protect;
  if (e == NULL || !u8s_of(env, argv[1], &packet, &len) || !f64_of(env, argv[2], &recv_ms) || !f64_of(env, argv[3], &send_ms) ||
      !u32_of(env, argv[4], &seq) || !u32_of(env, argv[5], &ts) || napi_get_value_bool(env, argv[6], &protect) != napi_ok ||
      !f64s_of(env, argv[7], &out_info, &info_len) || info_len < INFO_SLOTS)
    return fail(env, "echoPacket(handle, packet, recvMs, sendMs, seq, timestamp, protect, info: Float64Array(12))");
  if (e->in == NULL) return fail(env, "echoPacket: no SRTP attached");
  const uint8_t *out;
  size_t out_len;
  int r = take_numbered(e, packet, len, recv_ms, send_ms, seq, ts, protect, out_info, &out, &out_len);
  if (r == FAILED_MEMORY) return fail(env, "out of memory");
  if (r == FAILED_CRYPTO) return fail(env, "OpenSSL's AES-CTR failed");
  return out == NULL ? null_value(env) : buffer_of(env, out, out_len);
}

static napi_value echo_frame(napi_env env, napi_callback_info info) {
  napi_value argv[5];
  echo_t *e = echo_args(env, info, 5, argv);
  uint8_t *payload;
  size_t len, info_len;
  double recv_ms, send_ms, *out_info;
  if (e == NULL || !u8s_of(env, argv[1], &payload, &len) || !f64_of(env, argv[2], &recv_ms) || !f64_of(env, argv[3], &send_ms) ||
      !f64s_of(env, argv[4], &out_info, &info_len) || info_len < INFO_SLOTS)
    return fail(env, "echoFrame(handle, payload, recvMs, sendMs, info: Float64Array(12))");
  memset(out_info, 0, INFO_SLOTS * sizeof *out_info);
  size_t frame_len = 0;
  int outcome = frame(e, payload, len, recv_ms, send_ms, out_info, &frame_len);
  if (outcome < 0) return fail(env, "out of memory");
  out_info[0] = outcome;
  if (outcome != OUTCOME_ECHO) return null_value(env);
  out_info[7] = (double)frame_len;
  return buffer_of(env, e->echo + RTP_HEADER_BYTES, frame_len);
}

static napi_value echo_failed(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  echo_t *e = echo_args(env, info, 2, argv);
  double down_seq;
  if (e == NULL || !f64_of(env, argv[1], &down_seq)) return fail(env, "echoFailed(handle, downSeq)");
  bool found = false;
  for (size_t i = e->pending_head; i < e->pending_len && !found; i++) {
    if (e->pending[i].down_seq == down_seq) {
      e->pending[i].down_seq = -1;
      found = true;
    }
  }
  napi_value out;
  napi_get_boolean(env, found, &out);
  return out;
}

static napi_value echo_take(napi_env env, napi_callback_info info) {
  double *out;
  size_t len;
  echo_t *e = echo_out_args(env, info, 4, &out, &len);
  if (e == NULL) return fail(env, "echoTake(handle, out: a Float64Array of at least 4)");
  size_t n = 0;
  while (e->pending_head < e->pending_len && (n + 1) * 4 <= len) {
    const receipt_t *r = &e->pending[e->pending_head++];
    out[4 * n] = r->up_seq;
    out[4 * n + 1] = r->recv_ms;
    out[4 * n + 2] = r->down_seq;
    out[4 * n + 3] = r->send_ms;
    n++;
  }
  if (e->pending_head == e->pending_len) e->pending_head = e->pending_len = 0;
  napi_value result;
  napi_create_uint32(env, (uint32_t)n, &result);
  return result;
}

static napi_value echo_counts(napi_env env, napi_callback_info info) {
  double *out;
  size_t len;
  echo_t *e = echo_out_args(env, info, 5, &out, &len);
  if (e == NULL) return fail(env, "echoCounts(handle, out: a Float64Array of at least 5)");
  out[0] = e->up_received;
  out[1] = e->up_duplicates;
  out[2] = e->down_seq;
  out[3] = e->not_probes;
  out[4] = e->after_final;
  return NULL;
}

static napi_value echo_final(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  echo_t *e = echo_args(env, info, 1, argv);
  if (e == NULL) return fail(env, "echoFinal(handle)");
  e->finished = true;
  return NULL;
}

/*
 * The relay's fast path (../../../turn/transport/native/fast-peer.h): the page's SRTP packet,
 * taken whole as echoPacket takes it, the echo sealed with the core's own numbering. Left to
 * JavaScript when the core is not numbering (echoNumbering), its records are full, `out` is too
 * small for any echo, or our SRTP refuses the packet (JavaScript counts and says why, as before).
 */
static int echo_answer(void *peer, const uint8_t *in, size_t len, double recv_mono_ms, uint8_t *out, size_t cap) {
  echo_t *e = peer;
  /* On this core's clock, as the send time it reads below: the echo's hold is exactly the time between. */
  double recv_ms = recv_mono_ms - e->origin_ms;
  if (!e->numbered || e->in == NULL || fast_records_full(&e->taken) || cap < sizeof e->echo) return FAST_LEFT;
  double info[INFO_SLOTS];
  const uint8_t *echo;
  size_t echo_len;
  int r = take_numbered(e, in, len, recv_ms, NAN, 0, 0, true, info, &echo, &echo_len);
  if (r == FAILED_CRYPTO || (r == 0 && info[0] == OUTCOME_REFUSED)) return FAST_LEFT;
  /* [recvMs, outcome, seq, timestamp, headerBytes, payloadBytes, downSeq, reason, echoBytes, echoSeq, echoTimestamp, sendMs] */
  double *rec = fast_records_push(&e->taken);
  rec[0] = recv_ms;
  rec[1] = r == FAILED_MEMORY ? -1 : info[0];
  memcpy(rec + 2, info + 1, 6 * sizeof *rec);
  rec[9] = info[9];
  rec[10] = info[10];
  rec[11] = info[8];
  if (echo == NULL) return FAST_TAKEN;
  memcpy(out, echo, echo_len);
  rec[8] = (double)echo_len;
  return (int)echo_len;
}

static void *echo_peer_of(napi_env env, napi_value v) {
  return echo_of(env, v);
}

static const fast_peer ECHO_FAST_PEER = {.abi = FAST_PEER_ABI, .answer = echo_answer, .peer_of = echo_peer_of};

/* echoFastPeer() -> the fast path's peer functions, for the relay's fastAttach. */
static napi_value echo_fast_peer(napi_env env, napi_callback_info info) {
  (void)info;
  napi_value out;
  if (napi_create_external(env, (void *)&ECHO_FAST_PEER, NULL, NULL, &out) != napi_ok || napi_type_tag_object(env, out, &FAST_PEER_TAG) != napi_ok)
    return fail(env, "could not make the fast path's peer");
  return out;
}

/* echoNumbering(handle, seq, timestamp, timestampStep): from here on the core numbers the echoes, from seq and timestamp (and the fast path may take packets). */
static napi_value echo_numbering(napi_env env, napi_callback_info info) {
  napi_value argv[4];
  echo_t *e = echo_args(env, info, 4, argv);
  uint32_t seq, ts, step;
  if (e == NULL || !u32_of(env, argv[1], &seq) || !u32_of(env, argv[2], &ts) || !u32_of(env, argv[3], &step) || seq > 0xffff)
    return fail(env, "echoNumbering(handle, seq 0-65535, timestamp, timestampStep)");
  if (e->in == NULL) return fail(env, "echoNumbering: no SRTP attached");
  if (e->taken.slots == NULL && fast_records_init(&e->taken, TAKEN_MAX, TAKEN_SLOTS) != 0) return fail(env, "out of memory");
  e->next_seq = seq;
  e->next_ts = ts;
  e->ts_step = step;
  e->numbered = true;
  return NULL;
}

/* echoNextNumber(handle, out: Float64Array(2)): [seq, timestamp] of the next echo, which JavaScript sends another way; the core numbers on past it. */
static napi_value echo_next_number(napi_env env, napi_callback_info info) {
  double *out;
  size_t len;
  echo_t *e = echo_out_args(env, info, 2, &out, &len);
  if (e == NULL || !e->numbered) return fail(env, "echoNextNumber(handle, out: a Float64Array of at least 2), once the core numbers (echoNumbering)");
  double n[INFO_SLOTS];
  number_on(e, n);
  out[0] = n[9];
  out[1] = n[10];
  return NULL;
}

/* echoTakenRecords(handle, out: Float64Array) -> n: up to out.length / 12 records of what the fast path took, oldest first. */
static napi_value echo_taken_records(napi_env env, napi_callback_info info) {
  double *out;
  size_t len;
  echo_t *e = echo_out_args(env, info, TAKEN_SLOTS, &out, &len);
  if (e == NULL) return fail(env, "echoTakenRecords(handle, out: a Float64Array of at least 12)");
  size_t n = e->taken.slots == NULL ? 0 : fast_records_take(&e->taken, out, len);
  napi_value result;
  napi_create_uint32(env, (uint32_t)n, &result);
  return result;
}

napi_value echo_exports(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
      {"echoCore", NULL, echo_core, NULL, NULL, NULL, napi_default, NULL},
      {"echoAttach", NULL, echo_attach, NULL, NULL, NULL, napi_default, NULL},
      {"echoPacket", NULL, echo_packet, NULL, NULL, NULL, napi_default, NULL},
      {"echoFrame", NULL, echo_frame, NULL, NULL, NULL, napi_default, NULL},
      {"echoFailed", NULL, echo_failed, NULL, NULL, NULL, napi_default, NULL},
      {"echoTake", NULL, echo_take, NULL, NULL, NULL, napi_default, NULL},
      {"echoCounts", NULL, echo_counts, NULL, NULL, NULL, napi_default, NULL},
      {"echoFinal", NULL, echo_final, NULL, NULL, NULL, napi_default, NULL},
      {"echoFastPeer", NULL, echo_fast_peer, NULL, NULL, NULL, napi_default, NULL},
      {"echoNumbering", NULL, echo_numbering, NULL, NULL, NULL, napi_default, NULL},
      {"echoNextNumber", NULL, echo_next_number, NULL, NULL, NULL, napi_default, NULL},
      {"echoTakenRecords", NULL, echo_taken_records, NULL, NULL, NULL, napi_default, NULL},
  };
  if (napi_define_properties(env, exports, sizeof props / sizeof props[0], props) != napi_ok) return fail(env, "could not add the echo's functions");
  return exports;
}
