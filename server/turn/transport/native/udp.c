/*
 * The relay's client-facing UDP sockets (TURN over UDP, RFC 8656 §3: 3478-3481), in a small
 * Node-API addon. Why not Node's dgram: at a test's 100 probes a second, each way, dgram's own
 * work per datagram (a send request object, its callback, the sender's address made into an
 * object) cost more than the relay's: a bare dgram echo spends more than twice the CPU a datagram
 * of the same echo on this socket (the floors on docs/benchmarks/load-cost.md).
 *
 * What it does, and no more:
 * - opens a non-blocking UDP socket (IPv4, or IPv6 only), with large socket buffers;
 * - on Node's own event loop (a uv_poll_t on the descriptor; no thread of its own), reads every
 *   waiting datagram with recvmmsg(2) and calls the JavaScript handler once per datagram with
 *   the bytes, the sender's address as text, its port and its traffic class (IP_RECVTOS,
 *   IPV6_RECVTCLASS: the byte whose upper six bits are the DSCP the sender's network left on it);
 * - sends synchronously with sendto(2) (send(2) when connected): a datagram the kernel cannot
 *   take at once (its send buffer full) is not queued, the call answers its errno, and the
 *   caller counts it as dropped: a relay's queue is the socket buffer, never memory without end;
 *   a datagram given a traffic class goes with sendmsg(2) and that class in its ancillary data
 *   (IP_TOS, IPV6_TCLASS), that datagram alone: the socket's own class stays 0, so one test's
 *   marks never reach another's datagrams or the relay's TURN answers;
 * - connects to one peer (a relayed address's one peer), disconnects, and closes;
 * - notes how long each datagram waited between the kernel's receiving it (SO_TIMESTAMPNS, the
 *   wall clock) and its handler's call (the event loop was busy, or not yet awake, that long), and
 *   keeps the longest wait since it was last asked (`takeDatagramWaits`, at each tick of the data
 *   plane's event-loop sampler): its lateness read from the packets themselves;
 * - runs the event-loop sampler itself (`samplerStart`, ./sampler.c): a libuv timer that notes how late
 *   it fires, and the datagrams' longest wait, without a JavaScript call per tick;
 * - the fast path (fast-peer.h; `fastAttach`, `fastTake`, `fastDetach`): ChannelData of one
 *   client's RTP stream on one channel goes to a peer's C function first (the reflector's probe
 *   core), which answers it at once; each datagram taken is kept as a record JavaScript drains.
 * Errors answer `code` as Node's do ("EADDRINUSE"), thrown where a call cannot go on.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <math.h>
#include <netinet/in.h>
#include <node_api.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <uv.h>

#include "fast-peer.h"
#include "udp-addon.h"

/*
 * The fast path (fast-peer.h): entries per socket (a listener's tests at once: past them a test's
 * stream takes JavaScript's path), records each keeps between two readings (2.5 s of a probe
 * stream; JavaScript reads them every 100 ms), and a record's numbers.
 */
#define FAST_MAX 256
#define FAST_RECORDS 256
#define FAST_SLOTS 11
#define RTP_HEADER 12

/* The receive time the kernel put on message `i` (wall clock, ns), or -1 when it has none. */
static int64_t received_ns(area_t *a, int i) {
  struct msghdr *h = &a->msgs[i].msg_hdr;
  for (struct cmsghdr *c = CMSG_FIRSTHDR(h); c != NULL; c = CMSG_NXTHDR(h, c)) {
    if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPNS && c->cmsg_len >= CMSG_LEN(sizeof(struct timespec))) {
      struct timespec t;
      memcpy(&t, CMSG_DATA(c), sizeof t);
      return ns_of(&t);
    }
  }
  return -1;
}

/*
 * The traffic class the datagram in message `i` arrived with (the IPv4 TOS byte, the IPv6 traffic
 * class: its DSCP in the upper six bits, RFC 2474 §3), or -1 when the kernel gave none.
 */
static int received_tos(area_t *a, int i) {
  struct msghdr *h = &a->msgs[i].msg_hdr;
  for (struct cmsghdr *c = CMSG_FIRSTHDR(h); c != NULL; c = CMSG_NXTHDR(h, c)) {
    /* IPv4: one byte (ip_cmsg_recv_tos). */
    if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_TOS && c->cmsg_len >= CMSG_LEN(1)) return *(const uint8_t *)CMSG_DATA(c);
    /* IPv6: an int (ip6_datagram_recv_specific_ctl). */
    if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_TCLASS && c->cmsg_len >= CMSG_LEN(sizeof(int))) {
      int tclass;
      memcpy(&tclass, CMSG_DATA(c), sizeof tclass);
      return tclass & 0xff;
    }
  }
  return -1;
}

/*
 * Sends `len` bytes of `data` on `fd` to `to` (NULL: the connected peer), with traffic class
 * `tos` on this datagram alone (sendmsg(2) with IP_TOS or IPV6_TCLASS as ancillary data), or
 * with the socket's own (0) when `tos` is -1. As send(2) answers.
 */
static ssize_t send_classed(int fd, int family, const void *data, size_t len, const struct sockaddr *to, socklen_t to_len, int tos) {
  if (tos < 0) return to == NULL ? send(fd, data, len, 0) : sendto(fd, data, len, 0, to, to_len);
  struct iovec iov = {.iov_base = (void *)data, .iov_len = len};
  union {
    struct cmsghdr align;
    char bytes[CMSG_SPACE(sizeof(int))];
  } ctrl;
  memset(&ctrl, 0, sizeof ctrl);
  struct msghdr h;
  memset(&h, 0, sizeof h);
  h.msg_name = (void *)to;
  h.msg_namelen = to == NULL ? 0 : to_len;
  h.msg_iov = &iov;
  h.msg_iovlen = 1;
  h.msg_control = ctrl.bytes;
  h.msg_controllen = sizeof ctrl.bytes;
  struct cmsghdr *c = CMSG_FIRSTHDR(&h);
  c->cmsg_level = family == AF_INET ? IPPROTO_IP : IPPROTO_IPV6;
  c->cmsg_type = family == AF_INET ? IP_TOS : IPV6_TCLASS;
  c->cmsg_len = CMSG_LEN(sizeof(int));
  memcpy(CMSG_DATA(c), &tos, sizeof tos);
  return sendmsg(fd, &h, 0);
}

/* Notes message `i`'s wait, its handler about to be called now. */
static void note_wait(area_t *a, int i) {
  int64_t at = received_ns(a, i);
  if (at < 0) return;
  struct timespec wall;
  clock_gettime(CLOCK_REALTIME, &wall);
  int64_t wait = ns_of(&wall) - at;
  if (wait < 0) wait = 0; /* the wall clock stepped back between the two readings */
  if (a->waits == 0 || wait > a->worst_wait_ns) {
    /* When it ran, on the clock JavaScript's performance.now() counts: read for the longest only. */
    struct timespec mono;
    clock_gettime(CLOCK_MONOTONIC, &mono);
    a->worst_wait_ns = wait;
    a->worst_at_ns = ns_of(&mono);
  }
  a->waits++;
}

/*
 * One entry of the fast path: ChannelData on `channel` from `src` carrying RTP of `ssrc` with
 * payload type `pt` goes to `fn->answer` first, and its answers leave with traffic class
 * `answer_tos` (-1: the socket's own). Past `burst` datagrams at `per_ms` a millisecond, or with
 * its records full, datagrams go to JavaScript (whose quotas then apply).
 */
typedef struct {
  bool used;
  struct sockaddr_storage src;
  uint16_t channel;
  uint32_t ssrc;
  uint8_t pt;
  int answer_tos;
  const fast_peer *fn;
  void *peer;
  napi_ref peer_ref;
  double tokens, burst, per_ms, last_ms;
  /*
   * Per datagram taken: [recvMs, dataBytes, answerBytes (0: none), sendErrno (0: sent),
   * upSeq, upTimestamp, upPadding, answerSsrc, answerSeq, answerTimestamp, tos (its traffic
   * class as it arrived; -1: none read)].
   */
  fast_records records;
} fast_t;

typedef struct {
  area_t *area;
  int fd;
  int family;
  int closing;
  uv_poll_t poll;
  napi_env env;
  napi_ref on_message;
  napi_ref on_error;
  napi_async_context ctx;
  /* The fast path's entries (made at the first fastAttach: most sockets, the relayed addresses, never have one), and the slots in use, densely. */
  fast_t *fast;
  uint16_t live[FAST_MAX];
  int fast_used;
  /* performance.now() = CLOCK_MONOTONIC in ms less this (set by fastAttach: the process's one origin, monotonic-origin.ts). */
  double origin_ms;
} udp_t;

napi_value throw_errno(napi_env env, int err, const char *what) {
  char msg[160];
  snprintf(msg, sizeof msg, "%s: %s", what, strerror(err));
  napi_value code, message, error;
  const char *name = strerrorname_np(err);
  if (name == NULL) name = "EIO";
  napi_create_string_utf8(env, name, NAPI_AUTO_LENGTH, &code);
  napi_create_string_utf8(env, msg, NAPI_AUTO_LENGTH, &message);
  napi_create_error(env, code, message, &error);
  napi_throw(env, error);
  return NULL;
}

napi_value throw_type(napi_env env, const char *msg) {
  napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", msg);
  return NULL;
}

/* `ip` (text) and `port` into `sa` for the socket's family; 0, or -1 when `ip` is not an address of it. */
static int to_sockaddr(int family, const char *ip, uint32_t port, struct sockaddr_storage *sa, socklen_t *len) {
  memset(sa, 0, sizeof *sa);
  if (family == AF_INET) {
    struct sockaddr_in *a = (struct sockaddr_in *)sa;
    a->sin_family = AF_INET;
    a->sin_port = htons((uint16_t)port);
    if (inet_pton(AF_INET, ip, &a->sin_addr) != 1) return -1;
    *len = sizeof *a;
    return 0;
  }
  struct sockaddr_in6 *a = (struct sockaddr_in6 *)sa;
  a->sin6_family = AF_INET6;
  a->sin6_port = htons((uint16_t)port);
  if (inet_pton(AF_INET6, ip, &a->sin6_addr) != 1) return -1;
  *len = sizeof *a;
  return 0;
}

/* Each handle is tagged with what it is (Node-API type tags): a sampler's handle (./sampler.c) is never taken for a socket's. */
static const napi_type_tag UDP_TAG = {0x63616c6c70726f62ULL, 0x652d756470000001ULL};

/* A handle made by this addon, tagged `tag`; null, with a TypeError thrown, for anything else. */
void *external_of(napi_env env, napi_value v, const napi_type_tag *tag, const char *what) {
  bool tagged = false;
  void *p = NULL;
  if (napi_check_object_type_tag(env, v, tag, &tagged) != napi_ok || !tagged || napi_get_value_external(env, v, &p) != napi_ok || p == NULL) {
    throw_type(env, what);
    return NULL;
  }
  return p;
}

/* A new handle of this addon, tagged `tag`. */
napi_value tagged_external(napi_env env, void *p, const napi_type_tag *tag) {
  napi_value handle;
  napi_create_external(env, p, NULL, NULL, &handle);
  napi_type_tag_object(env, handle, tag);
  return handle;
}

static int string_arg(napi_env env, napi_value v, char *out, size_t size) {
  size_t n = 0;
  return napi_get_value_string_utf8(env, v, out, size, &n) == napi_ok ? 0 : -1;
}

void *tagged_args(napi_env env, napi_callback_info info, size_t want, napi_value *argv, const napi_type_tag *tag, const char *what, const char *usage) {
  size_t argc = want;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < want) {
    throw_type(env, usage);
    return NULL;
  }
  return external_of(env, argv[0], tag, what);
}

double *float64_arg(napi_env env, napi_value v, size_t min, size_t *length, const char *usage) {
  bool typed = false;
  napi_typedarray_type type;
  void *data = NULL;
  if (napi_is_typedarray(env, v, &typed) != napi_ok || !typed || napi_get_typedarray_info(env, v, &type, length, &data, NULL, NULL) != napi_ok ||
      type != napi_float64_array || *length < min) {
    throw_type(env, usage);
    return NULL;
  }
  return data;
}

/* A call's `want` arguments, the first a socket of this addon: the socket, or NULL with a JavaScript error thrown (`usage` when too few). */
static udp_t *handle_args(napi_env env, napi_callback_info info, size_t want, napi_value *argv, const char *usage) {
  return tagged_args(env, info, want, argv, &UDP_TAG, "not a socket of this addon", usage);
}

/* An address (text) and a port 1-65535 of `u`'s family into `sa`: 0, or -1 with a JavaScript error thrown (`usage` when they are not an address and a port). */
static int address_args(napi_env env, udp_t *u, napi_value ipv, napi_value portv, struct sockaddr_storage *sa, socklen_t *len, const char *usage) {
  char ip[64];
  uint32_t port;
  if (string_arg(env, ipv, ip, sizeof ip) || napi_get_value_uint32(env, portv, &port) != napi_ok || port == 0 || port > 65535) {
    throw_type(env, usage);
    return -1;
  }
  if (to_sockaddr(u->family, ip, port, sa, len)) {
    throw_errno(env, EINVAL, "not an address of the socket's family");
    return -1;
  }
  return 0;
}

/* open(family 4|6, address, port, bufferBytes) -> [handle, boundPort] */
static napi_value Open(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < 4) return throw_type(env, "open(family, address, port, bufferBytes)");
  uint32_t fam, port, bytes;
  char ip[64];
  if (napi_get_value_uint32(env, argv[0], &fam) != napi_ok || (fam != 4 && fam != 6) || string_arg(env, argv[1], ip, sizeof ip) ||
      napi_get_value_uint32(env, argv[2], &port) != napi_ok || port > 65535 || napi_get_value_uint32(env, argv[3], &bytes) != napi_ok)
    return throw_type(env, "open(family 4|6, address, port 0-65535, bufferBytes)");
  int family = fam == 4 ? AF_INET : AF_INET6;
  struct sockaddr_storage sa;
  socklen_t len;
  if (to_sockaddr(family, ip, port, &sa, &len)) return throw_errno(env, EINVAL, "not an address of the socket's family");
  int fd = socket(family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return throw_errno(env, errno, "socket");
  int one = 1, size = (int)bytes;
  if (family == AF_INET6) setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
  /* Each datagram's receive time, for its wait (note_wait); without it no wait is noted. */
  setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &one, sizeof one);
  /* Each datagram's traffic class (received_tos); without it none is read (-1). */
  if (family == AF_INET) setsockopt(fd, IPPROTO_IP, IP_RECVTOS, &one, sizeof one);
  else setsockopt(fd, IPPROTO_IPV6, IPV6_RECVTCLASS, &one, sizeof one);
  if (size > 0) {
    /* The kernel caps them at rmem_max and wmem_max; a smaller buffer is not an error. */
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
    setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof size);
  }
  if (bind(fd, (struct sockaddr *)&sa, len)) {
    int e = errno;
    close(fd);
    return throw_errno(env, e, "bind");
  }
  struct sockaddr_storage got;
  socklen_t got_len = sizeof got;
  getsockname(fd, (struct sockaddr *)&got, &got_len);
  uint32_t bound = ntohs(family == AF_INET ? ((struct sockaddr_in *)&got)->sin_port : ((struct sockaddr_in6 *)&got)->sin6_port);
  udp_t *u = calloc(1, sizeof *u);
  if (u == NULL) {
    close(fd);
    return throw_errno(env, ENOMEM, "open");
  }
  napi_get_instance_data(env, (void **)&u->area);
  u->fd = fd;
  u->family = family;
  u->env = env;
  napi_value out, p;
  napi_value handle = tagged_external(env, u, &UDP_TAG);
  napi_create_uint32(env, bound, &p);
  napi_create_array_with_length(env, 2, &out);
  napi_set_element(env, out, 0, handle);
  napi_set_element(env, out, 1, p);
  return out;
}

/* Calls a handler as Node calls an event's; what it throws goes to the process's uncaught-exception handling, as a dgram handler's would. */
static void call(napi_env env, udp_t *u, napi_value recv, napi_value fn, size_t argc, const napi_value *argv) {
  napi_value result;
  if (napi_make_callback(env, u->ctx, recv, fn, argc, argv, &result) == napi_ok) return;
  bool pending = false;
  napi_is_exception_pending(env, &pending);
  if (!pending) return;
  napi_value err;
  napi_get_and_clear_last_exception(env, &err);
  napi_fatal_exception(env, err);
}


static double mono_ms_now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

static uint16_t rd16(const uint8_t *p) {
  return (uint16_t)((p[0] << 8) | p[1]);
}
static uint32_t rd32(const uint8_t *p) {
  return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

/* Whether `a` and `b` are the same address and port. */
static bool same_source(const struct sockaddr_storage *a, const struct sockaddr_storage *b) {
  if (a->ss_family != b->ss_family) return false;
  if (a->ss_family == AF_INET) {
    const struct sockaddr_in *x = (const struct sockaddr_in *)a, *y = (const struct sockaddr_in *)b;
    return x->sin_port == y->sin_port && x->sin_addr.s_addr == y->sin_addr.s_addr;
  }
  const struct sockaddr_in6 *x = (const struct sockaddr_in6 *)a, *y = (const struct sockaddr_in6 *)b;
  return x->sin6_port == y->sin6_port && memcmp(&x->sin6_addr, &y->sin6_addr, sizeof x->sin6_addr) == 0;
}

/*
 * Datagram `i` of the area, offered to the fast path: true when a fast peer took it (answered,
 * and the answer sent, or taken without one), false when JavaScript is to have it.
 */
static bool try_fast(udp_t *u, area_t *a, int i) {
  const uint8_t *m = a->bufs[i];
  size_t n = a->msgs[i].msg_len;
  /* ChannelData (RFC 8656 §12.4: channel numbers 0x4000-0x4FFF, the first two bits 01) holding an RTP packet (RFC 3550 §5.1, version 2). */
  if (n < CHANNEL_DATA_HEADER + RTP_HEADER || (m[0] & 0xc0) != 0x40) return false;
  size_t data_len = rd16(m + 2);
  const uint8_t *d = m + CHANNEL_DATA_HEADER;
  if (data_len < RTP_HEADER || CHANNEL_DATA_HEADER + data_len > n || (d[0] & 0xc0) != 0x80) return false;
  uint16_t channel = rd16(m);
  uint32_t ssrc = rd32(d + 8);
  uint8_t pt = d[1] & 0x7f;
  fast_t *f = NULL;
  for (int k = 0; k < u->fast_used && f == NULL; k++) {
    fast_t *c = &u->fast[u->live[k]];
    if (c->channel == channel && c->ssrc == ssrc && c->pt == pt && same_source(&c->src, &a->from[i])) f = c;
  }
  if (f == NULL || fast_records_full(&f->records)) return false;
  double mono = mono_ms_now();
  double now = mono - u->origin_ms;
  f->tokens += (now - f->last_ms) * f->per_ms;
  if (f->tokens > f->burst) f->tokens = f->burst;
  f->last_ms = now;
  if (f->tokens < 1) return false;
  uint8_t *out = a->answer + CHANNEL_DATA_HEADER;
  int r = f->fn->answer(f->peer, d, data_len, mono, out, sizeof a->answer - CHANNEL_DATA_HEADER);
  if (r == FAST_LEFT) return false;
  f->tokens -= 1;
  double *rec = fast_records_push(&f->records);
  rec[0] = now;
  rec[1] = (double)data_len;
  rec[4] = rd16(d + 2);
  rec[5] = rd32(d + 4);
  rec[6] = (d[0] & 0x20) != 0;
  rec[10] = received_tos(a, i);
  if (r > 0) {
    /* The answer in a ChannelData message of the same channel (over UDP, no padding: RFC 8656 §12.5). */
    a->answer[0] = (uint8_t)(channel >> 8);
    a->answer[1] = (uint8_t)channel;
    a->answer[2] = (uint8_t)((unsigned)r >> 8);
    a->answer[3] = (uint8_t)r;
    socklen_t len = f->src.ss_family == AF_INET ? sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6);
    ssize_t sent = send_classed(u->fd, u->family, a->answer, CHANNEL_DATA_HEADER + (size_t)r, (struct sockaddr *)&f->src, len, f->answer_tos);
    rec[2] = r;
    rec[3] = sent < 0 ? errno : 0;
    if ((size_t)r >= RTP_HEADER) {
      rec[7] = rd32(out + 8);
      rec[8] = rd16(out + 2);
      rec[9] = rd32(out + 4);
    }
  }
  return true;
}

/*
 * What a turn of on_readable needs of JavaScript, fetched at its first call: a turn whose datagrams
 * the fast path takes all (a test's stream, 100 a second) opens no handle scope and reads no
 * reference.
 */
typedef struct {
  bool open;
  napi_handle_scope scope;
  napi_value global, on_message, on_error;
} js_handles;

static void js_enter(udp_t *u, js_handles *j) {
  if (j->open) return;
  j->open = true;
  napi_open_handle_scope(u->env, &j->scope);
  napi_get_global(u->env, &j->global);
  napi_get_reference_value(u->env, u->on_message, &j->on_message);
  napi_get_reference_value(u->env, u->on_error, &j->on_error);
}

/* Calls onError with `name`, an errno's name as Node's errors carry it ("EIO" when there is none). */
static void say_error(udp_t *u, js_handles *j, const char *name) {
  js_enter(u, j);
  napi_value code;
  napi_create_string_utf8(u->env, name == NULL ? "EIO" : name, NAPI_AUTO_LENGTH, &code);
  call(u->env, u, j->global, j->on_error, 1, &code);
}

static void on_readable(uv_poll_t *poll, int status, int events) {
  (void)events;
  udp_t *u = poll->data;
  if (u->closing) return;
  napi_env env = u->env;
  js_handles js = {0};
  if (status < 0) {
    /*
     * libuv stops a poll handle on POLLERR. A connected UDP socket has one pending after an ICMP
     * error (the peer's port closed: ECONNREFUSED): read it (which clears it), say it, and read on.
     */
    int err = 0;
    socklen_t len = sizeof err;
    say_error(u, &js, getsockopt(u->fd, SOL_SOCKET, SO_ERROR, &err, &len) == 0 && err != 0 ? strerrorname_np(err) : uv_err_name(status));
    /* Read on only when an error was pending (and is now cleared): else it would wake again at once. */
    if (!u->closing && err != 0) uv_poll_start(&u->poll, UV_READABLE, on_readable);
    if (js.open) napi_close_handle_scope(env, js.scope);
    return;
  }
  area_t *a = u->area;
  for (int round = 0; round < 4 && !u->closing; round++) {
    for (int i = 0; i < BATCH; i++) {
      a->iov[i].iov_base = a->bufs[i];
      a->iov[i].iov_len = MAX_DATAGRAM;
      memset(&a->msgs[i].msg_hdr, 0, sizeof a->msgs[i].msg_hdr);
      a->msgs[i].msg_hdr.msg_iov = &a->iov[i];
      a->msgs[i].msg_hdr.msg_iovlen = 1;
      a->msgs[i].msg_hdr.msg_name = &a->from[i];
      a->msgs[i].msg_hdr.msg_namelen = sizeof a->from[i];
      a->msgs[i].msg_hdr.msg_control = a->ctrl[i].bytes;
      a->msgs[i].msg_hdr.msg_controllen = sizeof a->ctrl[i].bytes;
    }
    int n = recvmmsg(u->fd, a->msgs, BATCH, MSG_DONTWAIT, NULL);
    if (n < 0) {
      if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) break;
      /* An ICMP error on a connected socket (ECONNREFUSED) and the like: said, and reading goes on. */
      say_error(u, &js, strerrorname_np(errno));
      continue;
    }
    for (int i = 0; i < n && !u->closing; i++) {
      if (u->fast_used > 0 && try_fast(u, a, i)) {
        note_wait(a, i);
        continue;
      }
      js_enter(u, &js);
      napi_handle_scope inner;
      napi_open_handle_scope(env, &inner);
      napi_value args[4];
      void *copy;
      char text[INET6_ADDRSTRLEN];
      uint16_t port;
      if (u->family == AF_INET) {
        struct sockaddr_in *sa = (struct sockaddr_in *)&a->from[i];
        inet_ntop(AF_INET, &sa->sin_addr, text, sizeof text);
        port = ntohs(sa->sin_port);
      } else {
        struct sockaddr_in6 *sa = (struct sockaddr_in6 *)&a->from[i];
        inet_ntop(AF_INET6, &sa->sin6_addr, text, sizeof text);
        port = ntohs(sa->sin6_port);
      }
      napi_create_buffer_copy(env, a->msgs[i].msg_len, a->bufs[i], &copy, &args[0]);
      napi_create_string_latin1(env, text, NAPI_AUTO_LENGTH, &args[1]);
      napi_create_uint32(env, port, &args[2]);
      napi_create_int32(env, received_tos(a, i), &args[3]);
      note_wait(a, i);
      call(env, u, js.global, js.on_message, 4, args);
      napi_close_handle_scope(env, inner);
    }
    if (n < BATCH) break;
  }
  if (js.open) napi_close_handle_scope(env, js.scope);
}

/* start(handle, onMessage(buf, address, port, tos: the traffic class, -1 when none was read), onError(code)) */
static napi_value Start(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  udp_t *u = handle_args(env, info, 3, argv, "start(handle, onMessage, onError)");
  if (u == NULL) return NULL;
  if (u->on_message != NULL || u->closing) return throw_errno(env, EINVAL, "start: started already, or closed");
  napi_create_reference(env, argv[1], 1, &u->on_message);
  napi_create_reference(env, argv[2], 1, &u->on_error);
  napi_value name;
  napi_create_string_utf8(env, "callprobe:udp", NAPI_AUTO_LENGTH, &name);
  napi_async_init(env, NULL, name, &u->ctx);
  uv_loop_t *loop;
  napi_get_uv_event_loop(env, &loop);
  uv_poll_init(loop, &u->poll, u->fd);
  u->poll.data = u;
  uv_poll_start(&u->poll, UV_READABLE, on_readable);
  return NULL;
}

/* connect(handle, ip, port): from then on it sends without an address and hears only that peer. */
static napi_value Connect(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  udp_t *u = handle_args(env, info, 3, argv, "connect(handle, ip, port)");
  struct sockaddr_storage sa;
  socklen_t len;
  if (u == NULL || address_args(env, u, argv[1], argv[2], &sa, &len, "connect(handle, ip, port 1-65535)")) return NULL;
  if (connect(u->fd, (struct sockaddr *)&sa, len)) return throw_errno(env, errno, "connect");
  return NULL;
}

/* disconnect(handle): sends with an address again and hears every sender (a socket bound to a port asked for by number keeps it). */
static napi_value Disconnect(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  udp_t *u = handle_args(env, info, 1, argv, "disconnect(handle)");
  if (u == NULL) return NULL;
  struct sockaddr unspec;
  memset(&unspec, 0, sizeof unspec);
  unspec.sa_family = AF_UNSPEC;
  if (connect(u->fd, &unspec, sizeof unspec)) return throw_errno(env, errno, "disconnect");
  return NULL;
}

/*
 * send(handle, buf, offset, length, ip | null, port, tos) -> 0, or the negative errno of a
 * datagram not sent (the send buffer full: EAGAIN; no route; a connected peer gone:
 * ECONNREFUSED). `tos` -1: the socket's own traffic class; 0-255: this datagram's (send_classed).
 */
static napi_value Send(napi_env env, napi_callback_info info) {
  napi_value argv[7];
  udp_t *u = handle_args(env, info, 7, argv, "send(handle, buf, offset, length, ip, port, tos)");
  if (u == NULL) return NULL;
  uint8_t *data;
  size_t size;
  uint32_t offset, length;
  int32_t tos;
  if (napi_get_buffer_info(env, argv[1], (void **)&data, &size) != napi_ok || napi_get_value_uint32(env, argv[2], &offset) != napi_ok ||
      napi_get_value_uint32(env, argv[3], &length) != napi_ok || (size_t)offset + length > size)
    return throw_type(env, "send: a Buffer, and an offset and length inside it");
  if (napi_get_value_int32(env, argv[6], &tos) != napi_ok || tos < -1 || tos > 255) return throw_type(env, "send: a traffic class 0-255, or -1 for the socket's own");
  napi_valuetype t;
  napi_typeof(env, argv[4], &t);
  ssize_t r;
  if (t == napi_null) {
    r = send_classed(u->fd, u->family, data + offset, length, NULL, 0, tos);
  } else {
    struct sockaddr_storage sa;
    socklen_t len;
    if (address_args(env, u, argv[4], argv[5], &sa, &len, "send: an address and a port 1-65535, or null for a connected socket")) return NULL;
    r = send_classed(u->fd, u->family, data + offset, length, (struct sockaddr *)&sa, len, tos);
  }
  napi_value out;
  napi_create_int32(env, r < 0 ? -errno : 0, &out);
  return out;
}


/* Lets go of fast entry `f` (its peer's reference and its records). */
static void fast_free(napi_env env, udp_t *u, fast_t *f) {
  if (!f->used) return;
  if (f->peer_ref != NULL) napi_delete_reference(env, f->peer_ref);
  fast_records_free(&f->records);
  memset(f, 0, sizeof *f);
  uint16_t slot = (uint16_t)(f - u->fast);
  for (int k = 0; k < u->fast_used; k++) {
    if (u->live[k] != slot) continue;
    u->live[k] = u->live[--u->fast_used];
    break;
  }
}

/*
 * fastAttach(handle, ip, port, channel, ssrc, payloadType, peerFunctions, peer, perSecond, burst,
 * originMs, answerTos) -> entry: ChannelData on `channel` from ip:port carrying RTP of `ssrc` and
 * `payloadType` goes to the peer's C function first (fast-peer.h), and its answers leave with
 * traffic class `answerTos` (-1: the socket's own); `peer` is kept alive until fastDetach or close.
 */
static napi_value FastAttach(napi_env env, napi_callback_info info) {
  napi_value argv[12];
  const char *usage =
      "fastAttach(handle, ip, port, channel 0x4000-0x4fff, ssrc, payloadType 0-127, peerFunctions, peer, perSecond > 0, burst >= 1, originMs, answerTos -1-255)";
  udp_t *u = handle_args(env, info, 12, argv, usage);
  struct sockaddr_storage sa;
  socklen_t len;
  if (u == NULL || address_args(env, u, argv[1], argv[2], &sa, &len, usage)) return NULL;
  uint32_t channel, ssrc, pt;
  int32_t answer_tos;
  double per_s, burst, origin;
  bool tagged = false;
  const fast_peer *fn = NULL;
  if (napi_get_value_uint32(env, argv[3], &channel) != napi_ok || channel < 0x4000 || channel > 0x4fff ||
      napi_get_value_uint32(env, argv[4], &ssrc) != napi_ok || napi_get_value_uint32(env, argv[5], &pt) != napi_ok || pt > 127 ||
      napi_get_value_double(env, argv[8], &per_s) != napi_ok || !(per_s > 0) || napi_get_value_double(env, argv[9], &burst) != napi_ok ||
      !(burst >= 1) || napi_get_value_double(env, argv[10], &origin) != napi_ok || !isfinite(origin) ||
      napi_get_value_int32(env, argv[11], &answer_tos) != napi_ok || answer_tos < -1 || answer_tos > 255 ||
      napi_check_object_type_tag(env, argv[6], &FAST_PEER_TAG, &tagged) != napi_ok || !tagged ||
      napi_get_value_external(env, argv[6], (void **)&fn) != napi_ok || fn == NULL)
    return throw_type(env, usage);
  if (fn->abi != FAST_PEER_ABI) return throw_type(env, "fastAttach: the peer was built against another fast-path ABI (npm run build)");
  void *peer = fn->peer_of(env, argv[7]);
  if (peer == NULL) return throw_type(env, "fastAttach: `peer` is not the peer its functions take");
  if (u->closing) return throw_errno(env, EBADF, "fastAttach: closed");
  if (u->fast == NULL && (u->fast = calloc(FAST_MAX, sizeof *u->fast)) == NULL) return throw_errno(env, ENOMEM, "fastAttach");
  int k = 0;
  while (k < FAST_MAX && u->fast[k].used) k++;
  if (k == FAST_MAX) return throw_errno(env, ENOSPC, "fastAttach: every entry of this socket is in use");
  fast_t *f = &u->fast[k];
  memset(f, 0, sizeof *f);
  if (fast_records_init(&f->records, FAST_RECORDS, FAST_SLOTS) != 0) {
    fast_records_free(&f->records);
    return throw_errno(env, ENOMEM, "fastAttach");
  }
  if (napi_create_reference(env, argv[7], 1, &f->peer_ref) != napi_ok) {
    fast_records_free(&f->records);
    return throw_errno(env, ENOMEM, "fastAttach: could not keep the peer");
  }
  memcpy(&f->src, &sa, len);
  f->channel = (uint16_t)channel;
  f->ssrc = ssrc;
  f->pt = (uint8_t)pt;
  f->answer_tos = answer_tos;
  f->fn = fn;
  f->peer = peer;
  u->origin_ms = origin;
  f->per_ms = per_s / 1000;
  f->burst = burst;
  f->tokens = burst;
  f->last_ms = mono_ms_now() - origin;
  f->used = true;
  u->live[u->fast_used++] = (uint16_t)k;
  napi_value out;
  napi_create_uint32(env, (uint32_t)k, &out);
  return out;
}

/* The fast entry argument `v` of socket `u`, or NULL (thrown). */
static fast_t *fast_arg(napi_env env, udp_t *u, napi_value v, const char *usage) {
  uint32_t k;
  if (napi_get_value_uint32(env, v, &k) != napi_ok || k >= FAST_MAX || u->fast == NULL || !u->fast[k].used) {
    throw_type(env, usage);
    return NULL;
  }
  return &u->fast[k];
}

/* fastTake(handle, entry, out: Float64Array) -> n: up to out.length / 11 records of what the entry took, oldest first. */
static napi_value FastTake(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  const char *usage = "fastTake(handle, entry, out: a Float64Array of at least 11)";
  udp_t *u = handle_args(env, info, 3, argv, usage);
  if (u == NULL) return NULL;
  fast_t *f = fast_arg(env, u, argv[1], usage);
  if (f == NULL) return NULL;
  size_t length = 0;
  double *out = float64_arg(env, argv[2], FAST_SLOTS, &length, usage);
  if (out == NULL) return NULL;
  size_t n = fast_records_take(&f->records, out, length);
  napi_value result;
  napi_create_uint32(env, (uint32_t)n, &result);
  return result;
}

/* fastDetach(handle, entry): its datagrams go to JavaScript again; records not taken are let go. */
static napi_value FastDetach(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  const char *usage = "fastDetach(handle, entry)";
  udp_t *u = handle_args(env, info, 2, argv, usage);
  if (u == NULL) return NULL;
  fast_t *f = fast_arg(env, u, argv[1], usage);
  if (f != NULL) fast_free(env, u, f);
  return NULL;
}

static void on_closed(uv_handle_t *h) {
  udp_t *u = h->data;
  close(u->fd);
  free(u);
}

/* close(handle): stops reading and closes the descriptor (at once; its memory once libuv lets go of it). */
static napi_value Close(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  udp_t *u = handle_args(env, info, 1, argv, "close(handle)");
  if (u == NULL || u->closing) return NULL;
  u->closing = 1;
  while (u->fast_used > 0) fast_free(env, u, &u->fast[u->live[0]]);
  free(u->fast);
  u->fast = NULL;
  if (u->on_message != NULL) {
    napi_delete_reference(env, u->on_message);
    napi_delete_reference(env, u->on_error);
    napi_async_destroy(env, u->ctx);
    uv_poll_stop(&u->poll);
    uv_close((uv_handle_t *)&u->poll, on_closed);
  } else {
    close(u->fd);
    free(u);
  }
  return NULL;
}

/*
 * takeDatagramWaits(out: a Float64Array of 3 or more): writes [datagrams, longest wait in ms,
 * when that datagram's handler was called: CLOCK_MONOTONIC in ms] for the datagrams read since
 * the last call ([0, 0, 0] when none), and starts the count again. The time is absolute, not an
 * age: an age read here and turned into a time by JavaScript's clock afterwards would be late by
 * however long this thread waited in between.
 */
static napi_value TakeDatagramWaits(napi_env env, napi_callback_info info) {
  const char *usage = "takeDatagramWaits(a Float64Array of at least 3)";
  size_t argc = 1;
  napi_value argv[1];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < 1) return throw_type(env, usage);
  size_t length = 0;
  double *out = float64_arg(env, argv[0], 3, &length, usage);
  if (out == NULL) return NULL;
  area_t *a = NULL;
  napi_get_instance_data(env, (void **)&a);
  if (a->waits == 0) {
    out[0] = out[1] = out[2] = 0;
    return NULL;
  }
  out[0] = a->waits;
  out[1] = (double)a->worst_wait_ns / 1e6;
  out[2] = (double)a->worst_at_ns / 1e6;
  a->waits = 0;
  a->worst_wait_ns = 0;
  return NULL;
}

static void free_area(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  free(data);
}

NAPI_MODULE_INIT() {
  area_t *area = calloc(1, sizeof *area);
  if (area == NULL || napi_set_instance_data(env, area, free_area, NULL) != napi_ok) {
    free(area);
    napi_throw_error(env, "ENOMEM", "no memory for the UDP receive area");
    return NULL;
  }
  napi_property_descriptor props[] = {
      {"open", NULL, Open, NULL, NULL, NULL, napi_default, NULL},
      {"start", NULL, Start, NULL, NULL, NULL, napi_default, NULL},
      {"connect", NULL, Connect, NULL, NULL, NULL, napi_default, NULL},
      {"disconnect", NULL, Disconnect, NULL, NULL, NULL, napi_default, NULL},
      {"send", NULL, Send, NULL, NULL, NULL, napi_default, NULL},
      {"close", NULL, Close, NULL, NULL, NULL, napi_default, NULL},
      {"takeDatagramWaits", NULL, TakeDatagramWaits, NULL, NULL, NULL, napi_default, NULL},
      {"samplerStart", NULL, SamplerStart, NULL, NULL, NULL, napi_default, NULL},
      {"samplerTake", NULL, SamplerTake, NULL, NULL, NULL, napi_default, NULL},
      {"samplerStop", NULL, SamplerStop, NULL, NULL, NULL, napi_default, NULL},
      {"fastAttach", NULL, FastAttach, NULL, NULL, NULL, napi_default, NULL},
      {"fastTake", NULL, FastTake, NULL, NULL, NULL, napi_default, NULL},
      {"fastDetach", NULL, FastDetach, NULL, NULL, NULL, napi_default, NULL},
  };
  napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
  return exports;
}
