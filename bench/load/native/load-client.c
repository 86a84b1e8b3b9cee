/*
 * The capacity bench's load client, its per-packet part in C (a Node-API addon, bench only): many
 * tests' probe streams in one process at less CPU than the server spends carrying them, so that a
 * capacity run measures the server, not its client.
 *
 * Each test is set up in JavaScript exactly as the page sets up its RTP leg (../fast-client.ts:
 * config, signalling, TURN through the relay, ICE and DTLS-SRTP, all werift's). Once it is
 * connected, its stream is handed here:
 * - `add` takes a copy of the descriptor of werift's own TURN socket (dup(2): the same socket, so
 *   the same 5-tuple the relay knows the allocation by), the relay's address, the TURN channel to
 *   the reflector (RFC 8656 §12), the SSRC and payload type werift negotiated, and both SRTP
 *   directions (the native ones of server/reflector/rtp/native/srtp.c, keyed from werift's DTLS
 *   session). JavaScript stops Node's own reading of that socket first; from then on this reads it.
 * - One libuv timer paces every test on a common grid (`phases` of them spread over the 10 ms
 *   interval, as ../fast-client.ts explains): each probe frame (src/protocol/rtp-probe.ts's layout)
 *   gets its RTP header, is protected (RFC 3711) and framed as ChannelData, and goes with one
 *   sendto(2). A probe due up to `catchUp` intervals ago is sent late and counted as such (its
 *   round trip left out); one due longer ago is skipped and counted as missed, never as loss.
 * - At every fifth of its probes' ticks, a test's socket is read first with recvmmsg(2), no poll
 *   per socket (a wake-up per echo cost more than the echo): the reflector's echoes on the test's
 *   channel are unprotected and read here, each at the time the kernel received it
 *   (SO_TIMESTAMPNS), so the round trip (from the echo's copy of the send time, on one monotonic
 *   clock) does not wait for the read; every other datagram (STUN, the TURN refreshes, DTLS, RTCP)
 *   goes to the test's JavaScript handler, which hands it to werift as if werift had read it.
 *   After the measured span nothing is sent and every socket is still read each interval.
 * Nothing here allocates per packet. Errors: a bad call throws; a datagram that cannot be sent
 * is counted (the first errno kept); an echo that cannot be read is counted (the first reason kept).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <node_api.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <uv.h>

#include "../../../server/reflector/rtp/native/srtp.h"

#define PROBE_MAGIC 0x4352 /* "CR" */
#define PROBE_VERSION 1
#define KIND_PROBE 1
#define KIND_ECHO 2
#define PROBE_HEADER 18
#define ECHO_HEADER 41
#define CD_HEADER 4
#define MAX_FRAME 1000
#define MAX_DATAGRAM 2048
#define BATCH 16
#define TS_PER_PROBE 480 /* 10 ms at Opus's 48 kHz RTP clock (RFC 7587 §4.1) */
/* A test's socket is read at every this many of its probes (each echo keeps the time it arrived: reading later adds nothing to its round trip). */
#define READ_EVERY 5

static const uint8_t OPUS[3] = {0xfc, 0xff, 0xfe}; /* an Opus 10 ms CELT frame's TOC and filler (RFC 6716 §3.1) */
static const napi_type_tag CLIENT_TAG = {0x63616c6c70726f62ULL, 0x652d6c6f61640001ULL};

/* Why an echo was not counted (the first one is kept). */
static const char *const BAD_REASONS[] = {"", "a short ChannelData message", "its SRTP did not open", "a short RTP header", "not an echo frame",
                                          "an echo of a probe not sent, or seen twice"};

typedef struct client client_t;

typedef struct {
  client_t *c;
  int fd;
  bool detached;
  struct sockaddr_storage to;
  socklen_t to_len;
  uint16_t channel;
  uint32_t ssrc;
  uint8_t pt;
  uint16_t first_seq;
  rtp_direction *up, *down;
  napi_ref up_ref, down_ref, on_other;
  double start_ms;
  uint32_t next;
  int64_t first_counted;
  uint32_t sent, sent_late, echoes, missed, warm, bad, send_failed;
  int first_bad, first_send_errno;
  uint8_t *seen, *late;
  uint32_t bits;
  double *rtt;
  size_t rtt_len, rtt_cap;
} session_t;

struct client {
  napi_env env;
  napi_async_context ctx;
  uv_timer_t timer;
  bool timer_on, closed;
  session_t **s;
  size_t n, cap;
  double interval_ms, origin_ms, due_ms;
  int phases, catch_up, frame_bytes;
  size_t added;
  bool span_set, span_over;
  double span_from, span_to;
  double *late;
  size_t late_len, late_cap;
  double *stalls; /* pairs: where in the span (ms), how late (ms) */
  size_t stalls_len, stalls_cap;
  uint8_t frame[MAX_FRAME], packet[CD_HEADER + RTP_HEADER_BYTES + MAX_FRAME + TAG_BYTES + 16];
  uint8_t plain[MAX_DATAGRAM];
  struct mmsghdr msgs[BATCH];
  struct iovec iov[BATCH];
  struct sockaddr_storage from[BATCH];
  uint8_t bufs[BATCH][MAX_DATAGRAM];
  union {
    struct cmsghdr align;
    uint8_t bytes[CMSG_SPACE(sizeof(struct timespec))];
  } ctrl[BATCH];
};

static double mono_ms(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

static void put_u16(uint8_t *p, uint16_t v) {
  p[0] = v >> 8;
  p[1] = v & 0xff;
}
static void put_u32(uint8_t *p, uint32_t v) {
  p[0] = v >> 24;
  p[1] = (v >> 16) & 0xff;
  p[2] = (v >> 8) & 0xff;
  p[3] = v & 0xff;
}
static void put_f64(uint8_t *p, double d) {
  uint64_t v;
  memcpy(&v, &d, 8);
  for (int i = 7; i >= 0; i--, v >>= 8) p[i] = v & 0xff;
}
static uint16_t get_u16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }
static uint32_t get_u32(const uint8_t *p) { return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]; }
static double get_f64(const uint8_t *p) {
  uint64_t v = 0;
  for (int i = 0; i < 8; i++) v = v << 8 | p[i];
  double d;
  memcpy(&d, &v, 8);
  return d;
}

static int grow(void **p, size_t *cap, size_t need, size_t item) {
  if (need <= *cap) return 0;
  size_t cap2 = *cap < 64 ? 64 : *cap;
  while (cap2 < need) cap2 *= 2;
  void *q = realloc(*p, cap2 * item);
  if (q == NULL) return -1;
  *p = q;
  *cap = cap2;
  return 0;
}

/* Room in the two bitmaps for probe `seq`: 0, or -1 out of memory. */
static int bits_for(session_t *s, uint32_t seq) {
  if (seq < s->bits) return 0;
  uint32_t bits = s->bits < 4096 ? 4096 : s->bits;
  while (bits <= seq) bits *= 2;
  uint8_t *seen = realloc(s->seen, bits / 8), *late;
  if (seen == NULL) return -1;
  s->seen = seen;
  late = realloc(s->late, bits / 8);
  if (late == NULL) return -1;
  s->late = late;
  memset(s->seen + s->bits / 8, 0, (bits - s->bits) / 8);
  memset(s->late + s->bits / 8, 0, (bits - s->bits) / 8);
  s->bits = bits;
  return 0;
}
static bool bit(const uint8_t *b, uint32_t i) { return (b[i >> 3] >> (i & 7)) & 1; }
static void set_bit(uint8_t *b, uint32_t i) { b[i >> 3] |= (uint8_t)(1 << (i & 7)); }

/* Sends probe `seq` of `s`; `counted` when due in the measured span, `late` when sent over one interval after it was due. */
static void send_probe(client_t *c, session_t *s, uint32_t seq, bool counted, bool late) {
  s->next = seq + 1;
  if (bits_for(s, seq)) {
    s->send_failed++;
    if (s->first_send_errno == 0) s->first_send_errno = ENOMEM;
    return;
  }
  uint8_t header[RTP_HEADER_BYTES];
  header[0] = 0x80;
  header[1] = s->pt & 0x7f;
  put_u16(header + 2, (uint16_t)(s->first_seq + seq));
  put_u32(header + 4, seq * TS_PER_PROBE);
  put_u32(header + 8, s->ssrc);
  uint8_t *f = c->frame;
  memset(f, 0, (size_t)c->frame_bytes);
  put_u16(f, PROBE_MAGIC);
  f[2] = PROBE_VERSION;
  f[3] = KIND_PROBE;
  put_u32(f + 4, seq);
  put_f64(f + 8, mono_ms());
  put_u16(f + 16, sizeof OPUS);
  memcpy(f + PROBE_HEADER, OPUS, sizeof OPUS);
  int32_t len = rtp_protect(s->up, header, RTP_HEADER_BYTES, f, (size_t)c->frame_bytes, c->packet + CD_HEADER);
  if (len < 0) {
    s->send_failed++;
    if (s->first_send_errno == 0) s->first_send_errno = -1000 + len;
    return;
  }
  put_u16(c->packet, s->channel);
  put_u16(c->packet + 2, (uint16_t)len);
  if (sendto(s->fd, c->packet, CD_HEADER + (size_t)len, MSG_DONTWAIT, (struct sockaddr *)&s->to, s->to_len) < 0) {
    s->send_failed++;
    if (s->first_send_errno == 0) s->first_send_errno = errno;
    return;
  }
  if (!counted) return;
  if (s->first_counted < 0) s->first_counted = seq;
  s->sent++;
  if (late) {
    s->sent_late++;
    set_bit(s->late, seq);
  }
}

static void bad_echo(session_t *s, int reason) {
  s->bad++;
  if (s->first_bad == 0) s->first_bad = reason;
}

/* One echo of the reflector's, taken off the socket at `now`. */
static void take_echo(client_t *c, session_t *s, const uint8_t *d, size_t n, double now) {
  size_t len = get_u16(d + 2);
  if (len + CD_HEADER > n) return bad_echo(s, 1);
  int32_t plain = rtp_unprotect(s->down, d + CD_HEADER, len, c->plain);
  if (plain < 0) return bad_echo(s, 2);
  long hl = rtp_header_length(c->plain, (size_t)plain);
  if (hl < 0) return bad_echo(s, 3);
  const uint8_t *e = c->plain + hl;
  size_t elen = (size_t)plain - (size_t)hl;
  if (elen < ECHO_HEADER + 2 || get_u16(e) != PROBE_MAGIC || e[2] != PROBE_VERSION || e[3] != KIND_ECHO) return bad_echo(s, 4);
  uint32_t up = get_u32(e + 4);
  if (up >= s->next || up >= s->bits || bit(s->seen, up)) return bad_echo(s, 5);
  /* An echo of a probe sent before the measured span says the leg is live; it is not measured. */
  if (s->first_counted < 0 || up < (uint64_t)s->first_counted) {
    s->warm++;
    return;
  }
  set_bit(s->seen, up);
  s->echoes++;
  /* A probe the loop held back left in a burst with the others it held: its round trip is the client's. */
  if (bit(s->late, up)) return;
  if (grow((void **)&s->rtt, &s->rtt_cap, s->rtt_len + 1, sizeof *s->rtt)) return;
  s->rtt[s->rtt_len++] = now - get_f64(e + 8);
}

static bool is_echo_of(const session_t *s, const uint8_t *d, size_t n) {
  if (n < CD_HEADER + RTP_HEADER_BYTES || (d[0] & 0xc0) != 0x40 || get_u16(d) != s->channel) return false;
  uint8_t first = d[CD_HEADER], second = d[CD_HEADER + 1];
  /* RTP, not RTCP (RFC 7983 §7; RFC 5761 §4). */
  return first >= 128 && first <= 191 && (second < 192 || second > 223);
}

/* Hands a datagram that is not an echo to the test's JavaScript (werift's). */
static void hand_on(client_t *c, session_t *s, const uint8_t *d, size_t n) {
  napi_env env = c->env;
  napi_handle_scope scope;
  napi_open_handle_scope(env, &scope);
  napi_value fn, global, buf, result;
  void *copy;
  napi_get_reference_value(env, s->on_other, &fn);
  napi_get_global(env, &global);
  napi_create_buffer_copy(env, n, d, &copy, &buf);
  if (napi_make_callback(env, c->ctx, global, fn, 1, &buf, &result) != napi_ok) {
    bool pending = false;
    napi_is_exception_pending(env, &pending);
    if (pending) {
      napi_value err;
      napi_get_and_clear_last_exception(env, &err);
      napi_fatal_exception(env, err);
    }
  }
  napi_close_handle_scope(env, scope);
}

/* When datagram `i` reached the socket (SO_TIMESTAMPNS, the wall clock), on the monotonic clock (`wall_to_mono` apart); `fallback` without one. */
static double arrived_ms(client_t *c, int i, double wall_to_mono, double fallback) {
  for (struct cmsghdr *h = CMSG_FIRSTHDR(&c->msgs[i].msg_hdr); h != NULL; h = CMSG_NXTHDR(&c->msgs[i].msg_hdr, h)) {
    if (h->cmsg_level != SOL_SOCKET || h->cmsg_type != SCM_TIMESTAMPNS) continue;
    struct timespec t;
    memcpy(&t, CMSG_DATA(h), sizeof t);
    return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6 + wall_to_mono;
  }
  return fallback;
}

/*
 * Reads everything waiting on `s`'s socket: echoes counted at the time the kernel received them
 * (so reading them at the next probe's tick adds nothing to their round trip), the rest handed to
 * werift. No poll per socket: a wake-up per echo cost the client more than the echo itself.
 */
static void drain(client_t *c, session_t *s, double wall_to_mono) {
  for (int round = 0; round < 4 && !s->detached; round++) {
    for (int i = 0; i < BATCH; i++) {
      c->iov[i].iov_base = c->bufs[i];
      c->iov[i].iov_len = MAX_DATAGRAM;
      memset(&c->msgs[i].msg_hdr, 0, sizeof c->msgs[i].msg_hdr);
      c->msgs[i].msg_hdr.msg_iov = &c->iov[i];
      c->msgs[i].msg_hdr.msg_iovlen = 1;
      c->msgs[i].msg_hdr.msg_name = &c->from[i];
      c->msgs[i].msg_hdr.msg_namelen = sizeof c->from[i];
      c->msgs[i].msg_hdr.msg_control = c->ctrl[i].bytes;
      c->msgs[i].msg_hdr.msg_controllen = sizeof c->ctrl[i].bytes;
    }
    int n = recvmmsg(s->fd, c->msgs, BATCH, MSG_DONTWAIT, NULL);
    if (n <= 0) break;
    double now = mono_ms();
    for (int i = 0; i < n && !s->detached; i++) {
      const uint8_t *d = c->bufs[i];
      size_t len = c->msgs[i].msg_len;
      if (is_echo_of(s, d, len)) take_echo(c, s, d, len, arrived_ms(c, i, wall_to_mono, now));
      else hand_on(c, s, d, len);
    }
    if (n < BATCH) break;
  }
}

static double wall_ms(void) {
  struct timespec t;
  clock_gettime(CLOCK_REALTIME, &t);
  return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

static void arm(client_t *c, double due);

static void on_tick(uv_timer_t *t) {
  client_t *c = t->data;
  c->timer_on = false;
  double now = mono_ms();
  double wall_to_mono = now - wall_ms();
  /* After the measured span nothing is sent; every socket is still read each interval (werift's ICE and TURN go on until the legs close). */
  if (c->span_over) {
    for (size_t i = 0; i < c->n; i++)
      if (!c->s[i]->detached) drain(c, c->s[i], wall_to_mono);
    arm(c, now + c->interval_ms);
    return;
  }
  double end = c->span_set ? c->span_to : 1e300;
  if (c->span_set && c->due_ms >= c->span_from) {
    double late = now - c->due_ms > 0 ? now - c->due_ms : 0;
    if (grow((void **)&c->late, &c->late_cap, c->late_len + 1, sizeof *c->late) == 0) c->late[c->late_len++] = late;
    if (late > c->interval_ms && grow((void **)&c->stalls, &c->stalls_cap, c->stalls_len + 2, sizeof *c->stalls) == 0) {
      c->stalls[c->stalls_len++] = c->due_ms - c->span_from;
      c->stalls[c->stalls_len++] = late;
    }
  }
  double next_due = end;
  for (size_t i = 0; i < c->n; i++) {
    session_t *s = c->s[i];
    if (s->detached) continue;
    double due = s->start_ms + s->next * c->interval_ms;
    if (due <= now && due < end && s->next % READ_EVERY == 0) drain(c, s, wall_to_mono);
    for (; due <= now && due < end && !s->detached; due = s->start_ms + s->next * c->interval_ms) {
      bool counted = c->span_set && due >= c->span_from;
      if (now - due <= c->interval_ms * c->catch_up) send_probe(c, s, s->next, counted, now - due > c->interval_ms);
      else {
        if (counted) s->missed++;
        s->next++;
      }
    }
    if (due < next_due) next_due = due;
  }
  if (c->span_set && now >= c->span_to) {
    c->span_over = true;
    arm(c, now + c->interval_ms);
    return;
  }
  if (next_due < 1e300) arm(c, next_due);
}

static void arm(client_t *c, double due) {
  if (c->closed) return;
  c->due_ms = due;
  /* The loop's clock is the one its last turn began at: brought up to now, the timer is not early. */
  uv_update_time(c->timer.loop);
  double wait = due - mono_ms();
  uint64_t ms = wait <= 0 ? 0 : (uint64_t)(wait + 0.999);
  uv_timer_start(&c->timer, on_tick, ms, 0);
  c->timer_on = true;
}

/* ---- JavaScript's side ---- */

static napi_value fail(napi_env env, const char *msg) {
  napi_throw_error(env, "ERR_LOAD_CLIENT", msg);
  return NULL;
}

static client_t *client_arg(napi_env env, napi_value v) {
  bool tagged = false;
  void *p = NULL;
  if (napi_check_object_type_tag(env, v, &CLIENT_TAG, &tagged) != napi_ok || !tagged || napi_get_value_external(env, v, &p) != napi_ok) return NULL;
  return p;
}

static session_t *session_arg(napi_env env, client_t *c, napi_value v) {
  uint32_t i;
  if (c == NULL || napi_get_value_uint32(env, v, &i) != napi_ok || i >= c->n) return NULL;
  return c->s[i];
}

/* The call's `n` arguments into `argv`, and its client (the first): NULL when there are fewer or the first is no client. */
static client_t *client_call(napi_env env, napi_callback_info info, size_t n, napi_value *argv) {
  size_t argc = n;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  return argc == n ? client_arg(env, argv[0]) : NULL;
}

static napi_value num(napi_env env, double d) {
  napi_value v;
  napi_create_double(env, d, &v);
  return v;
}

static void set_num(napi_env env, napi_value o, const char *k, double d) { napi_set_named_property(env, o, k, num(env, d)); }

static napi_value float_array(napi_env env, const double *d, size_t n) {
  void *data;
  napi_value ab, arr;
  napi_create_arraybuffer(env, n * sizeof(double), &data, &ab);
  if (n > 0) memcpy(data, d, n * sizeof(double));
  napi_create_typedarray(env, napi_float64_array, n, ab, 0, &arr);
  return arr;
}

/* create(phases, catchUp, intervalMs, frameBytes) -> client */
static napi_value Create(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  uint32_t phases, catch_up, frame;
  double interval;
  if (argc < 4 || napi_get_value_uint32(env, argv[0], &phases) != napi_ok || phases < 1 || napi_get_value_uint32(env, argv[1], &catch_up) != napi_ok ||
      napi_get_value_double(env, argv[2], &interval) != napi_ok || !(interval > 0) || napi_get_value_uint32(env, argv[3], &frame) != napi_ok ||
      frame < PROBE_HEADER + sizeof OPUS || frame > MAX_FRAME)
    return fail(env, "create(phases >= 1, catchUp, intervalMs > 0, frameBytes 21-1000)");
  client_t *c = calloc(1, sizeof *c);
  if (c == NULL) return fail(env, "create: out of memory");
  c->env = env;
  c->phases = (int)phases;
  c->catch_up = (int)catch_up;
  c->interval_ms = interval;
  c->frame_bytes = (int)frame;
  c->origin_ms = mono_ms();
  uv_loop_t *loop;
  napi_get_uv_event_loop(env, &loop);
  uv_timer_init(loop, &c->timer);
  c->timer.data = c;
  napi_value name, handle;
  napi_create_string_utf8(env, "callprobe:load-client", NAPI_AUTO_LENGTH, &name);
  napi_async_init(env, NULL, name, &c->ctx);
  napi_create_external(env, c, NULL, NULL, &handle);
  napi_type_tag_object(env, handle, &CLIENT_TAG);
  return handle;
}

/*
 * add(client, fd, relayIp, relayPort, channel, ssrc, payloadType, up, down, onOther(buf)) -> index:
 * paced from its first grid point after now, on the next phase.
 */
static napi_value Add(napi_env env, napi_callback_info info) {
  napi_value argv[10];
  client_t *c = client_call(env, info, 10, argv);
  int32_t fd;
  uint32_t port, channel, ssrc, pt;
  char ip[64];
  size_t iplen;
  napi_valuetype fn_type;
  rtp_direction *up = c == NULL ? NULL : direction_arg(env, argv[7]), *down = c == NULL ? NULL : direction_arg(env, argv[8]);
  if (c == NULL || c->closed || napi_get_value_int32(env, argv[1], &fd) != napi_ok || fd < 0 ||
      napi_get_value_string_utf8(env, argv[2], ip, sizeof ip, &iplen) != napi_ok || napi_get_value_uint32(env, argv[3], &port) != napi_ok ||
      port < 1 || port > 65535 || napi_get_value_uint32(env, argv[4], &channel) != napi_ok || channel < 0x4000 || channel > 0x4fff ||
      napi_get_value_uint32(env, argv[5], &ssrc) != napi_ok || napi_get_value_uint32(env, argv[6], &pt) != napi_ok || pt > 127 || up == NULL ||
      down == NULL || napi_typeof(env, argv[9], &fn_type) != napi_ok || fn_type != napi_function)
    return fail(env, "add(client, fd, relayIp, relayPort, channel 0x4000-0x4fff, ssrc, payloadType 0-127, up, down, onOther)");
  session_t *s = calloc(1, sizeof *s);
  if (s == NULL || grow((void **)&c->s, &c->cap, c->n + 1, sizeof *c->s)) {
    free(s);
    return fail(env, "add: out of memory");
  }
  if (inet_pton(AF_INET, ip, &((struct sockaddr_in *)&s->to)->sin_addr) == 1) {
    struct sockaddr_in *a = (struct sockaddr_in *)&s->to;
    a->sin_family = AF_INET;
    a->sin_port = htons((uint16_t)port);
    s->to_len = sizeof *a;
  } else if (inet_pton(AF_INET6, ip, &((struct sockaddr_in6 *)&s->to)->sin6_addr) == 1) {
    struct sockaddr_in6 *a = (struct sockaddr_in6 *)&s->to;
    a->sin6_family = AF_INET6;
    a->sin6_port = htons((uint16_t)port);
    s->to_len = sizeof *a;
  } else {
    free(s);
    return fail(env, "add: relayIp is no IP address");
  }
  s->fd = dup(fd);
  if (s->fd < 0) {
    free(s);
    return fail(env, "add: dup(fd) failed");
  }
  s->c = c;
  s->channel = (uint16_t)channel;
  s->ssrc = ssrc;
  s->pt = (uint8_t)pt;
  s->up = up;
  s->down = down;
  s->first_counted = -1;
  uint8_t r[2];
  s->first_seq = getentropy(r, 2) == 0 ? (uint16_t)((r[0] << 8 | r[1]) & 0x7fff) : 0;
  napi_create_reference(env, argv[7], 1, &s->up_ref);
  napi_create_reference(env, argv[8], 1, &s->down_ref);
  napi_create_reference(env, argv[9], 1, &s->on_other);
  double phase = (double)(c->added++ % (size_t)c->phases) * c->interval_ms / c->phases;
  double now = mono_ms();
  double k = (now - c->origin_ms) / c->interval_ms;
  double grid = (double)(long long)k;
  if (grid < k) grid += 1;
  s->start_ms = c->origin_ms + grid * c->interval_ms + phase;
  if (bits_for(s, 0)) return fail(env, "add: out of memory");
  int one = 1;
  setsockopt(s->fd, SOL_SOCKET, SO_TIMESTAMPNS, &one, sizeof one);
  uint32_t index = (uint32_t)c->n;
  c->s[c->n++] = s;
  if (!c->timer_on || s->start_ms < c->due_ms) arm(c, s->start_ms);
  napi_value v;
  napi_create_uint32(env, index, &v);
  return v;
}

/* Reads and paces one session no more (its counts stay readable). */
static void detach(napi_env env, session_t *s) {
  if (s->detached) return;
  s->detached = true;
  close(s->fd);
  s->fd = -1;
  napi_delete_reference(env, s->on_other);
  napi_delete_reference(env, s->up_ref);
  napi_delete_reference(env, s->down_ref);
}

/* remove(client, index): that test is paced and read no more. */
static napi_value Remove(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  client_t *c = client_call(env, info, 2, argv);
  session_t *s = c == NULL ? NULL : session_arg(env, c, argv[1]);
  if (s == NULL) return fail(env, "remove(client, index)");
  detach(env, s);
  return NULL;
}

/* measure(client, spanMs): counts what is due from now for spanMs; nothing is sent after it. */
static napi_value Measure(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  client_t *c = client_call(env, info, 2, argv);
  double span;
  if (c == NULL || napi_get_value_double(env, argv[1], &span) != napi_ok || !(span > 0)) return fail(env, "measure(client, spanMs > 0)");
  c->span_from = mono_ms();
  c->span_to = c->span_from + span;
  c->span_set = true;
  c->span_over = false;
  c->late_len = c->stalls_len = 0;
  if (!c->timer_on) arm(c, c->span_from);
  return NULL;
}

/* over(client) -> whether the measured span is over */
static napi_value Over(napi_env env, napi_callback_info info) {
  napi_value argv[1], b;
  client_t *c = client_call(env, info, 1, argv);
  if (c == NULL) return fail(env, "over(client)");
  napi_get_boolean(env, c->span_over, &b);
  return b;
}

/* span(client) -> { lateMs: Float64Array, stalls: Float64Array (at, late pairs) } */
static napi_value Span(napi_env env, napi_callback_info info) {
  napi_value argv[1], o;
  client_t *c = client_call(env, info, 1, argv);
  if (c == NULL) return fail(env, "span(client)");
  napi_create_object(env, &o);
  napi_set_named_property(env, o, "lateMs", float_array(env, c->late, c->late_len));
  napi_set_named_property(env, o, "stalls", float_array(env, c->stalls, c->stalls_len));
  return o;
}

/* counts(client, index) -> the session's counts and its round trips (Float64Array, ms) */
static napi_value Counts(napi_env env, napi_callback_info info) {
  napi_value argv[2], o, v;
  client_t *c = client_call(env, info, 2, argv);
  session_t *s = c == NULL ? NULL : session_arg(env, c, argv[1]);
  if (s == NULL) return fail(env, "counts(client, index)");
  napi_create_object(env, &o);
  set_num(env, o, "sent", s->sent);
  set_num(env, o, "sentLate", s->sent_late);
  set_num(env, o, "echoes", s->echoes);
  set_num(env, o, "missedTicks", s->missed);
  set_num(env, o, "warmEchoes", s->warm);
  set_num(env, o, "badEchoes", s->bad);
  set_num(env, o, "sendFailed", s->send_failed);
  set_num(env, o, "firstSendErrno", s->first_send_errno);
  if (s->first_bad > 0) napi_create_string_utf8(env, BAD_REASONS[s->first_bad], NAPI_AUTO_LENGTH, &v);
  else napi_get_null(env, &v);
  napi_set_named_property(env, o, "firstBadEcho", v);
  napi_set_named_property(env, o, "rttMs", float_array(env, s->rtt, s->rtt_len));
  return o;
}

/* close(client): every session detached, the timer stopped. */
static napi_value Close(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  client_t *c = client_call(env, info, 1, argv);
  if (c == NULL) return fail(env, "close(client)");
  if (c->closed) return NULL;
  c->closed = true;
  for (size_t i = 0; i < c->n; i++) detach(env, c->s[i]);
  uv_timer_stop(&c->timer);
  c->timer_on = false;
  return NULL;
}

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
      {"create", NULL, Create, NULL, NULL, NULL, napi_default, NULL}, {"add", NULL, Add, NULL, NULL, NULL, napi_default, NULL},
      {"remove", NULL, Remove, NULL, NULL, NULL, napi_default, NULL}, {"measure", NULL, Measure, NULL, NULL, NULL, napi_default, NULL},
      {"span", NULL, Span, NULL, NULL, NULL, napi_default, NULL},     {"over", NULL, Over, NULL, NULL, NULL, napi_default, NULL},     {"counts", NULL, Counts, NULL, NULL, NULL, napi_default, NULL},
      {"close", NULL, Close, NULL, NULL, NULL, napi_default, NULL},
  };
  napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
