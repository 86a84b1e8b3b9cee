/*
 * The cost bench's probe-echo floor in C: the work the server must do for each probe, as
 * ./probe-echo.ts does it in Node, in a blocking loop. Per datagram: the ChannelData header
 * (RFC 8656 §12.4); the SRTP tag checked (HMAC-SHA1-80, RFC 3711 §4.2) and the payload decrypted
 * (AES-CM, RFC 3711 §4.1.1), with OpenSSL contexts made once; the probe frame read; the echo
 * frame written as the reflector writes it (src/protocol/rtp-probe.ts: its fields, the last
 * four probes' records, the Opus frame, zeros up to 160 bytes); a 12-byte RTP header; the echo
 * encrypted and tagged; one send. Built by the bench with Debian's cc and libcrypto (libssl-dev)
 * into dist/ (ignored); never part of the product.
 *   c-probe-echo <port> <session keys>   (127.0.0.1 only; keys: ./probe-stream.ts sessionKeysArg)
 * Built with -DIN_NODE it is a Node-API addon instead: the same echo, or a bare one, run on Node's
 * own event loop with no JavaScript per datagram (the end of this file; ./c-echo-in-node.ts).
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define TAG_BYTES 10
#define RTP_HEADER_BYTES 12
#define FRAME_BYTES 160
#define RECENT 4
#define ECHO_HEADER_BYTES 41
#define ECHO_SSRC 0x0badcafeu
#define ECHO_PT 111

/* One direction's SRTP session keys and its OpenSSL contexts, made once. */
struct dir {
  uint8_t key[16], salt[14], auth[20];
  EVP_CIPHER_CTX *aes;
  EVP_MAC_CTX *mac;
  uint32_t roc;
  int have_seq;
  uint16_t last_seq;
};

static int hex(const char *s, uint8_t *out, size_t n) {
  for (size_t i = 0; i < n; i++) {
    unsigned v;
    if (sscanf(s + 2 * i, "%2x", &v) != 1) return -1;
    out[i] = (uint8_t)v;
  }
  return s[2 * n] == ':' || s[2 * n] == '\0' ? 0 : -1;
}

static int dir_init(struct dir *d, const char **s) {
  if (hex(*s, d->key, 16)) return -1;
  *s += 33;
  if (hex(*s, d->salt, 14)) return -1;
  *s += 29;
  if (hex(*s, d->auth, 20)) return -1;
  *s += 41;
  d->aes = EVP_CIPHER_CTX_new();
  if (!d->aes || EVP_EncryptInit_ex(d->aes, EVP_aes_128_ecb(), NULL, d->key, NULL) != 1) return -1;
  EVP_CIPHER_CTX_set_padding(d->aes, 0);
  EVP_MAC *hmac = EVP_MAC_fetch(NULL, "HMAC", NULL);
  d->mac = hmac ? EVP_MAC_CTX_new(hmac) : NULL;
  EVP_MAC_free(hmac);
  OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, "SHA1", 0), OSSL_PARAM_construct_end()};
  if (!d->mac || EVP_MAC_init(d->mac, d->auth, 20, params) != 1) return -1;
  d->roc = 0;
  d->have_seq = 0;
  return 0;
}

/* The packet's index (RFC 3711 §3.3.1): the ROC guessed from the last sequence number seen. */
static uint32_t guess_roc(struct dir *d, uint16_t seq) {
  if (!d->have_seq) return d->roc;
  if (d->last_seq < 32768) return (int)seq - (int)d->last_seq > 32768 ? d->roc - 1 : d->roc;
  return (int)d->last_seq - 32768 > (int)seq ? d->roc + 1 : d->roc;
}

static void advance(struct dir *d, uint16_t seq, uint32_t roc) {
  if (!d->have_seq || roc > d->roc || (roc == d->roc && seq > d->last_seq)) {
    d->roc = roc;
    d->last_seq = seq;
    d->have_seq = 1;
  }
}

/* XOR the AES-CM keystream for (ssrc, index) into buf[0..n). */
static int keystream_xor(struct dir *d, uint32_t ssrc, uint64_t index, uint8_t *buf, size_t n) {
  uint8_t iv[16] = {0}, block[16], ks[16];
  memcpy(iv, d->salt, 14);
  for (int i = 0; i < 4; i++) iv[4 + i] ^= (uint8_t)(ssrc >> (24 - 8 * i));
  for (int i = 0; i < 6; i++) iv[8 + i] ^= (uint8_t)(index >> (40 - 8 * i));
  for (size_t off = 0, ctr = 0; off < n; off += 16, ctr++) {
    memcpy(block, iv, 16);
    block[14] = (uint8_t)(ctr >> 8);
    block[15] = (uint8_t)ctr;
    int len = 0;
    if (EVP_EncryptUpdate(d->aes, ks, &len, block, 16) != 1 || len != 16) return -1;
    for (size_t i = 0; i < 16 && off + i < n; i++) buf[off + i] ^= ks[i];
  }
  return 0;
}

/* HMAC-SHA1 over the packet and the ROC (RFC 3711 §4.2), first TAG_BYTES into tag. */
static int auth_tag(struct dir *d, const uint8_t *p, size_t n, uint32_t roc, uint8_t *tag) {
  uint8_t r[4] = {(uint8_t)(roc >> 24), (uint8_t)(roc >> 16), (uint8_t)(roc >> 8), (uint8_t)roc}, full[20];
  size_t len = 0;
  if (EVP_MAC_init(d->mac, NULL, 0, NULL) != 1 || EVP_MAC_update(d->mac, p, n) != 1 || EVP_MAC_update(d->mac, r, 4) != 1 ||
      EVP_MAC_final(d->mac, full, &len, sizeof full) != 1)
    return -1;
  memcpy(tag, full, TAG_BYTES);
  return 0;
}

static double now_ms(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

static void put16(uint8_t *p, uint16_t v) {
  p[0] = (uint8_t)(v >> 8);
  p[1] = (uint8_t)v;
}
static void put32(uint8_t *p, uint32_t v) {
  put16(p, (uint16_t)(v >> 16));
  put16(p + 2, (uint16_t)v);
}
static void put64f(uint8_t *p, double v) {
  uint64_t u;
  memcpy(&u, &v, 8);
  put32(p, (uint32_t)(u >> 32));
  put32(p + 4, (uint32_t)u);
}
static uint16_t get16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }
static uint32_t get32(const uint8_t *p) { return (uint32_t)get16(p) << 16 | get16(p + 2); }

/* One probe stream's state: its SRTP both ways, the recent records, the counters. */
struct echo {
  struct dir up, down;
  uint32_t recent_seq[RECENT], up_received, down_seq, timestamp;
  double recent_ms[RECENT];
  int recent_count, recent_next;
};

static int echo_init(struct echo *st, const char *keys) {
  memset(st, 0, sizeof *st);
  return dir_init(&st->up, &keys) || dir_init(&st->down, &keys) ? -1 : 0;
}

/*
 * One datagram `in` of `n` bytes, received at `recv_ms`: its echo written into `out`, whose length
 * is returned, or 0 when it gets none (not a probe, a bad tag, not ChannelData).
 */
static size_t probe_echo(struct echo *st, uint8_t *in, size_t n, double recv_ms, uint8_t *out) {
  uint8_t tag[TAG_BYTES];
  /* ChannelData: channel number, length, the SRTP packet. */
  if (n < 4 + RTP_HEADER_BYTES + TAG_BYTES || (in[0] & 0xc0) != 0x40) return 0;
  size_t len = get16(in + 2);
  if (len + 4 > n || len < RTP_HEADER_BYTES + TAG_BYTES) return 0;
  uint8_t *p = in + 4;
  size_t hdr = RTP_HEADER_BYTES + 4u * (p[0] & 0x0f);
  if (p[0] & 0x10) hdr += 4 + 4u * get16(p + hdr + 2);
  size_t end = len - TAG_BYTES;
  if (hdr > end) return 0;
  uint16_t seq = get16(p + 2);
  uint32_t ssrc = get32(p + 8), roc = guess_roc(&st->up, seq);
  if (auth_tag(&st->up, p, end, roc, tag) || CRYPTO_memcmp(tag, p + end, TAG_BYTES) != 0) return 0;
  advance(&st->up, seq, roc);
  uint8_t *frame = p + hdr;
  size_t frame_len = end - hdr;
  if (keystream_xor(&st->up, ssrc, (uint64_t)roc << 16 | seq, frame, frame_len)) return 0;
  /* The probe frame: magic "CR", version 1, kind 1, probeSeq, sendMs, the Opus frame. */
  if (frame_len < 18 || get16(frame) != 0x4352 || frame[2] != 1 || frame[3] != 1) return 0;
  size_t opus = get16(frame + 16);
  if (18 + opus > frame_len) return 0;
  st->up_received++;
  /* The echo frame, as src/protocol/rtp-probe.ts encodeRtpEcho writes it. */
  uint8_t *e = out + 4 + RTP_HEADER_BYTES;
  size_t elen = ECHO_HEADER_BYTES + (size_t)st->recent_count * 12 + 2 + opus;
  if (elen < FRAME_BYTES) elen = FRAME_BYTES;
  memset(e, 0, elen);
  put16(e, 0x4352);
  e[2] = 1;
  e[3] = 2;
  memcpy(e + 4, frame + 4, 4); /* upSeq */
  memcpy(e + 8, frame + 8, 8); /* clientSendMs */
  put32(e + 16, st->down_seq);
  put64f(e + 20, recv_ms);
  put64f(e + 28, now_ms());
  put32(e + 36, st->up_received);
  e[40] = (uint8_t)st->recent_count;
  size_t o = ECHO_HEADER_BYTES;
  for (int i = 0; i < st->recent_count; i++, o += 12) {
    int slot = (st->recent_next - 1 - i + RECENT) % RECENT;
    put32(e + o, st->recent_seq[slot]);
    put64f(e + o + 4, st->recent_ms[slot]);
  }
  put16(e + o, (uint16_t)opus);
  memcpy(e + o + 2, frame + 18, opus);
  st->recent_seq[st->recent_next] = get32(frame + 4);
  st->recent_ms[st->recent_next] = recv_ms;
  st->recent_next = (st->recent_next + 1) % RECENT;
  if (st->recent_count < RECENT) st->recent_count++;
  /* Its RTP header, its SRTP, its ChannelData header. */
  uint8_t *h = out + 4;
  uint16_t dseq = (uint16_t)st->down_seq;
  h[0] = 0x80;
  h[1] = ECHO_PT;
  put16(h + 2, dseq);
  put32(h + 4, st->timestamp);
  put32(h + 8, ECHO_SSRC);
  uint32_t droc = guess_roc(&st->down, dseq);
  advance(&st->down, dseq, droc);
  if (keystream_xor(&st->down, ECHO_SSRC, (uint64_t)droc << 16 | dseq, e, elen)) return 0;
  if (auth_tag(&st->down, h, RTP_HEADER_BYTES + elen, droc, h + RTP_HEADER_BYTES + elen)) return 0;
  size_t slen = RTP_HEADER_BYTES + elen + TAG_BYTES;
  memcpy(out, in, 2);
  put16(out + 2, (uint16_t)slen);
  st->down_seq++;
  st->timestamp += 480;
  return 4 + slen;
}

/* A UDP socket on 127.0.0.1:port (0: any free port), its port written back; -1 on failure. */
static int bind_loopback(int *port) {
  int fd = socket(AF_INET, SOCK_DGRAM, 0);
  struct sockaddr_in a;
  memset(&a, 0, sizeof a);
  a.sin_family = AF_INET;
  a.sin_port = htons((uint16_t)*port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t alen = sizeof a;
  if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof a) < 0 || getsockname(fd, (struct sockaddr *)&a, &alen) < 0) {
    if (fd >= 0) close(fd);
    return -1;
  }
  *port = ntohs(a.sin_port);
  return fd;
}

#ifndef IN_NODE
int main(int argc, char **argv) {
  static struct echo st;
  if (argc != 3 || echo_init(&st, argv[2])) {
    fprintf(stderr, "usage: c-probe-echo <port> <session keys>\n");
    return 64;
  }
  int port = atoi(argv[1]);
  int fd = bind_loopback(&port);
  if (fd < 0) {
    perror("bind");
    return 1;
  }
  printf("READY {\"pid\":%d,\"port\":%d}\n", (int)getpid(), port);
  fflush(stdout);
  uint8_t in[2048], out[2048];
  for (;;) {
    struct sockaddr_in from;
    socklen_t flen = sizeof from;
    ssize_t n = recvfrom(fd, in, sizeof in, 0, (struct sockaddr *)&from, &flen);
    if (n < 0) continue;
    size_t m = probe_echo(&st, in, (size_t)n, now_ms(), out);
    if (m > 0) sendto(fd, out, m, 0, (struct sockaddr *)&from, flen);
  }
}
#else
/*
 * Built with -DIN_NODE as a Node-API addon (./c-echo-in-node.ts loads it): the same echo on Node's
 * own event loop, as a probe path behind the relay's sockets would run (a uv_poll_t on the
 * socket, as server/turn/transport/native/udp.c reads its own), and no JavaScript per datagram.
 *   start(port, keys)   keys "": a bare echo (each datagram sent straight back); returns the port
 */
#include <errno.h>
#include <node_api.h>
#include <uv.h>

static struct {
  int fd, bare;
  uv_poll_t poll;
  struct echo st;
} node_echo;

static void on_readable(uv_poll_t *poll, int status, int events) {
  (void)poll;
  (void)events;
  if (status < 0) return;
  uint8_t in[2048], out[2048];
  for (;;) {
    struct sockaddr_in from;
    socklen_t flen = sizeof from;
    ssize_t n = recvfrom(node_echo.fd, in, sizeof in, MSG_DONTWAIT, (struct sockaddr *)&from, &flen);
    if (n < 0) return; /* EAGAIN: every datagram read; anything else is no datagram either */
    if (node_echo.bare) {
      sendto(node_echo.fd, in, (size_t)n, 0, (struct sockaddr *)&from, flen);
      continue;
    }
    size_t m = probe_echo(&node_echo.st, in, (size_t)n, now_ms(), out);
    if (m > 0) sendto(node_echo.fd, out, m, 0, (struct sockaddr *)&from, flen);
  }
}

static napi_value start(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2], result;
  int32_t port = 0;
  char keys[512];
  size_t keys_len = 0;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc != 2 || napi_get_value_int32(env, argv[0], &port) != napi_ok ||
      napi_get_value_string_utf8(env, argv[1], keys, sizeof keys, &keys_len) != napi_ok) {
    napi_throw_type_error(env, NULL, "start(port: number, keys: string)");
    return NULL;
  }
  node_echo.bare = keys_len == 0;
  if (!node_echo.bare && echo_init(&node_echo.st, keys)) {
    napi_throw_error(env, NULL, "the session keys do not parse");
    return NULL;
  }
  int bound = port;
  node_echo.fd = bind_loopback(&bound);
  if (node_echo.fd < 0) {
    napi_throw_error(env, NULL, strerror(errno));
    return NULL;
  }
  uv_loop_t *loop;
  napi_get_uv_event_loop(env, &loop);
  uv_poll_init(loop, &node_echo.poll, node_echo.fd);
  uv_poll_start(&node_echo.poll, UV_READABLE, on_readable);
  napi_create_int32(env, bound, &result);
  return result;
}

NAPI_MODULE_INIT() {
  napi_value fn;
  napi_create_function(env, "start", NAPI_AUTO_LENGTH, start, NULL, &fn);
  napi_set_named_property(env, exports, "start", fn);
  return exports;
}
#endif
