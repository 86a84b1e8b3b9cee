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

int main(int argc, char **argv) {
  struct dir up, down;
  const char *s = argc == 3 ? argv[2] : "";
  if (argc != 3 || dir_init(&up, &s) || dir_init(&down, &s)) {
    fprintf(stderr, "usage: c-probe-echo <port> <session keys>\n");
    return 64;
  }
  int fd = socket(AF_INET, SOCK_DGRAM, 0);
  struct sockaddr_in a;
  memset(&a, 0, sizeof a);
  a.sin_family = AF_INET;
  a.sin_port = htons((uint16_t)atoi(argv[1]));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof a) < 0) {
    perror("bind");
    return 1;
  }
  socklen_t alen = sizeof a;
  getsockname(fd, (struct sockaddr *)&a, &alen);
  printf("READY {\"pid\":%d,\"port\":%d}\n", (int)getpid(), ntohs(a.sin_port));
  fflush(stdout);

  uint8_t in[2048], out[2048], tag[TAG_BYTES];
  uint32_t recent_seq[RECENT] = {0}, up_received = 0, down_seq = 0, timestamp = 0;
  double recent_ms[RECENT] = {0};
  int recent_count = 0, recent_next = 0;
  for (;;) {
    struct sockaddr_in from;
    socklen_t flen = sizeof from;
    ssize_t n = recvfrom(fd, in, sizeof in, 0, (struct sockaddr *)&from, &flen);
    if (n < 0) continue;
    double recv_ms = now_ms();
    /* ChannelData: channel number, length, the SRTP packet. */
    if (n < 4 + RTP_HEADER_BYTES + TAG_BYTES || (in[0] & 0xc0) != 0x40) continue;
    size_t len = get16(in + 2);
    if (len + 4 > (size_t)n || len < RTP_HEADER_BYTES + TAG_BYTES) continue;
    uint8_t *p = in + 4;
    size_t hdr = RTP_HEADER_BYTES + 4u * (p[0] & 0x0f);
    if (p[0] & 0x10) hdr += 4 + 4u * get16(p + hdr + 2);
    size_t end = len - TAG_BYTES;
    if (hdr > end) continue;
    uint16_t seq = get16(p + 2);
    uint32_t ssrc = get32(p + 8), roc = guess_roc(&up, seq);
    if (auth_tag(&up, p, end, roc, tag) || CRYPTO_memcmp(tag, p + end, TAG_BYTES) != 0) continue;
    advance(&up, seq, roc);
    uint8_t *frame = p + hdr;
    size_t frame_len = end - hdr;
    if (keystream_xor(&up, ssrc, (uint64_t)roc << 16 | seq, frame, frame_len)) continue;
    /* The probe frame: magic "CR", version 1, kind 1, probeSeq, sendMs, the Opus frame. */
    if (frame_len < 18 || get16(frame) != 0x4352 || frame[2] != 1 || frame[3] != 1) continue;
    size_t opus = get16(frame + 16);
    if (18 + opus > frame_len) continue;
    up_received++;
    /* The echo frame, as src/protocol/rtp-probe.ts encodeRtpEcho writes it. */
    uint8_t *e = out + 4 + RTP_HEADER_BYTES;
    size_t elen = ECHO_HEADER_BYTES + (size_t)recent_count * 12 + 2 + opus;
    if (elen < FRAME_BYTES) elen = FRAME_BYTES;
    memset(e, 0, elen);
    put16(e, 0x4352);
    e[2] = 1;
    e[3] = 2;
    memcpy(e + 4, frame + 4, 4);  /* upSeq */
    memcpy(e + 8, frame + 8, 8);  /* clientSendMs */
    put32(e + 16, down_seq);
    put64f(e + 20, recv_ms);
    put64f(e + 28, now_ms());
    put32(e + 36, up_received);
    e[40] = (uint8_t)recent_count;
    size_t o = ECHO_HEADER_BYTES;
    for (int i = 0; i < recent_count; i++, o += 12) {
      int slot = (recent_next - 1 - i + RECENT) % RECENT;
      put32(e + o, recent_seq[slot]);
      put64f(e + o + 4, recent_ms[slot]);
    }
    put16(e + o, (uint16_t)opus);
    memcpy(e + o + 2, frame + 18, opus);
    recent_seq[recent_next] = get32(frame + 4);
    recent_ms[recent_next] = recv_ms;
    recent_next = (recent_next + 1) % RECENT;
    if (recent_count < RECENT) recent_count++;
    /* Its RTP header, its SRTP, its ChannelData header. */
    uint8_t *h = out + 4;
    uint16_t dseq = (uint16_t)down_seq;
    h[0] = 0x80;
    h[1] = ECHO_PT;
    put16(h + 2, dseq);
    put32(h + 4, timestamp);
    put32(h + 8, ECHO_SSRC);
    uint32_t droc = guess_roc(&down, dseq);
    advance(&down, dseq, droc);
    if (keystream_xor(&down, ECHO_SSRC, (uint64_t)droc << 16 | dseq, e, elen)) continue;
    if (auth_tag(&down, h, RTP_HEADER_BYTES + elen, droc, h + RTP_HEADER_BYTES + elen)) continue;
    size_t slen = RTP_HEADER_BYTES + elen + TAG_BYTES;
    memcpy(out, in, 2);
    put16(out + 2, (uint16_t)slen);
    down_seq++;
    timestamp += 480;
    sendto(fd, out, 4 + slen, 0, (struct sockaddr *)&from, flen);
  }
}
