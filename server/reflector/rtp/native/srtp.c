/*
 * The per-packet cryptography of the RTP leg's SRTP (AES_CM_128_HMAC_SHA1_80, RFC 3711), as a
 * small Node-API addon: an AES-CM keystream XORed in (RFC 3711 §4.1.1) and an HMAC-SHA1 tag
 * truncated to 80 bits (§4.2), each in one call per packet, from contexts made once per session
 * key. Everything else about SRTP (the key derivation, the rollover counter, the indexes, the
 * packets' layout) stays in ../srtp.ts, which calls this.
 *
 * Why native: in JavaScript the keystream's XOR and SHA-1 ran byte by byte, mostly unoptimized at
 * 100 packets a second, and each packet also made a buffer for its keystream; here each is one
 * call into OpenSSL (AES-NI, SHA extensions), with no allocation. The OpenSSL is Node's own: the
 * addon takes its symbols from the process that loads it (Node links OpenSSL in and exports it),
 * so it adds no library to install.
 *
 * Functions (every buffer a Uint8Array, bounds checked here: a bad call throws, never reads or
 * writes outside a buffer):
 *   context(encKey: 16 bytes, authKey: 20 bytes) -> handle
 *   seal(handle, buf, encFrom, encTo, tagAt, roc, iv: 16 bytes)
 *       buf[encFrom, encTo) XOR the keystream from counter block iv, in place; then the tag of
 *       buf[0, tagAt) followed by roc (a 32-bit big-endian word; none when roc is -1) into
 *       buf[tagAt, tagAt + 10).
 *   open(handle, src, dst, encFrom, encTo, tagAt, roc, iv: 16 bytes) -> boolean
 *       false when src[tagAt, tagAt + 10) is not the tag of src[0, tagAt) (and roc); else
 *       dst[0, encFrom) = src[0, encFrom) and dst[encFrom, encTo) = src[encFrom, encTo) XOR the
 *       keystream, and true. The tag is compared in constant time. dst is src, or shares no
 *       byte with it.
 *
 * And one direction's whole RTP packet (RFC 3711 §3.1-3.3), the SRTP of the probe stream, so that
 * a packet costs one call and no JavaScript around it (the JavaScript of ../srtp.ts, which does the
 * same for SRTCP and in the `js` making, cost as much as the cryptography itself):
 *   direction(encKey: 16 bytes, authKey: 20 bytes, salt: 14 bytes) -> handle
 *   protectRtp(handle, header, payload) -> Buffer | negative code
 *       the header (RFC 3550 §5.1, its whole length) and the payload encrypted, the tag appended;
 *   unprotectRtp(handle, packet) -> Buffer | negative code
 *       the RTP packet, its payload decrypted, once its tag is checked.
 *   (The probe echo, echo.c, runs a whole probe through two directions in one call.)
 *   Each keeps the rollover counter of every SSRC it has taken (RFC 3711 §3.3.1 and Appendix A:
 *   the same rules as ../srtp.ts guessRoc and advanceRoc), at most MAX_SSRCS of them: a packet of
 *   one more is refused. The codes: -1 shorter than its header (and tag), -2 the tag does not match,
 *   -3 its index falls before the stream began, -4 one SSRC too many.
 */
#define OPENSSL_SUPPRESS_DEPRECATED 1 /* SHA1_Init and co.: a SHA_CTX is a plain struct, copied per tag with no allocation */
#define NAPI_VERSION 8
#include <node_api.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/sha.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "srtp.h"

#define SHA1_BLOCK 64


#define CHECK(call)                                        \
  do {                                                     \
    if ((call) != napi_ok) {                               \
      napi_throw_error(env, NULL, "srtp: " #call " failed"); \
      return NULL;                                         \
    }                                                      \
  } while (0)

/* Each handle is tagged with what it is (Node-API type tags): a context is never read as a direction, nor the echo core's handle (echo.c) as either. */
static const napi_type_tag CONTEXT_TAG = {0x63616c6c70726f62ULL, 0x652d737274700001ULL};
static const napi_type_tag DIRECTION_TAG = {0x63616c6c70726f62ULL, 0x652d737274700002ULL};

/* What a handle tagged `tag` holds, or NULL for anything else. */
static void *tagged_of(napi_env env, napi_value v, const napi_type_tag *tag) {
  bool tagged = false;
  void *p = NULL;
  if (napi_check_object_type_tag(env, v, tag, &tagged) != napi_ok || !tagged || napi_get_value_external(env, v, &p) != napi_ok) return NULL;
  return p;
}

static napi_value fail(napi_env env, const char *msg) {
  napi_throw_error(env, "ERR_SRTP_NATIVE", msg);
  return NULL;
}

/* The bytes and length of a Uint8Array (a Buffer is one). */
static int bytes_of(napi_env env, napi_value v, uint8_t **data, size_t *len) {
  bool is_ta = false;
  if (napi_is_typedarray(env, v, &is_ta) != napi_ok || !is_ta) return 0;
  napi_typedarray_type type;
  void *p = NULL;
  if (napi_get_typedarray_info(env, v, &type, len, &p, NULL, NULL) != napi_ok || type != napi_uint8_array) return 0;
  *data = p;
  return 1;
}

static int int_of(napi_env env, napi_value v, int64_t *out) {
  return napi_get_value_int64(env, v, out) == napi_ok;
}

static void finalize(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  srtp_ctx *c = data;
  EVP_CIPHER_CTX_free(c->aes);
  OPENSSL_cleanse(c, sizeof *c);
  free(c);
}

/* SHA-1 after the authentication key XOR the pad byte `fill` (RFC 2104: 0x36 inner, 0x5c outer). */
static void pad_state(SHA_CTX *h, const uint8_t *auth, uint8_t fill) {
  uint8_t pad[SHA1_BLOCK];
  memset(pad, fill, sizeof pad);
  for (size_t i = 0; i < AUTH_KEY_BYTES; i++) pad[i] ^= auth[i];
  SHA1_Init(h);
  SHA1_Update(h, pad, sizeof pad);
  OPENSSL_cleanse(pad, sizeof pad);
}

/* The key's AES context and HMAC pad states into c; 0 when OpenSSL could not make them. */
static int init_ctx(srtp_ctx *c, const uint8_t *key, const uint8_t *auth) {
  c->aes = EVP_CIPHER_CTX_new();
  if (c->aes == NULL || EVP_EncryptInit_ex(c->aes, EVP_aes_128_ecb(), NULL, key, NULL) != 1 || EVP_CIPHER_CTX_set_padding(c->aes, 0) != 1) {
    EVP_CIPHER_CTX_free(c->aes);
    c->aes = NULL;
    return 0;
  }
  pad_state(&c->inner, auth, 0x36);
  pad_state(&c->outer, auth, 0x5c);
  return 1;
}

static napi_value context(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  uint8_t *key, *auth;
  size_t key_len, auth_len;
  if (argc != 2 || !bytes_of(env, argv[0], &key, &key_len) || !bytes_of(env, argv[1], &auth, &auth_len) || key_len != KEY_BYTES ||
      auth_len != AUTH_KEY_BYTES)
    return fail(env, "context(encKey, authKey) takes a 16-byte key and a 20-byte authentication key");
  srtp_ctx *c = calloc(1, sizeof *c);
  if (c == NULL) return fail(env, "out of memory");
  if (!init_ctx(c, key, auth)) {
    free(c);
    return fail(env, "OpenSSL could not make an AES-128 context");
  }
  napi_value handle;
  if (napi_create_external(env, c, finalize, NULL, &handle) != napi_ok) {
    finalize(env, c, NULL);
    return fail(env, "could not make the context's handle");
  }
  if (napi_type_tag_object(env, handle, &CONTEXT_TAG) != napi_ok) return fail(env, "could not tag the context's handle");
  return handle;
}

/* The first TAG_BYTES of HMAC-SHA1(data[0, len) || roc) into tag. */
static void tag_of(const srtp_ctx *c, const uint8_t *data, size_t len, int64_t roc, uint8_t tag[TAG_BYTES]) {
  uint8_t digest[SHA_DIGEST_LENGTH];
  SHA_CTX h = c->inner;
  SHA1_Update(&h, data, len);
  if (roc >= 0) {
    uint8_t word[4] = {(uint8_t)(roc >> 24), (uint8_t)(roc >> 16), (uint8_t)(roc >> 8), (uint8_t)roc};
    SHA1_Update(&h, word, sizeof word);
  }
  SHA1_Final(digest, &h);
  h = c->outer;
  SHA1_Update(&h, digest, sizeof digest);
  SHA1_Final(digest, &h);
  memcpy(tag, digest, TAG_BYTES);
}

/* Counter blocks the keystream is made of at a time (1 KiB of keystream, on the stack). */
#define KEYSTREAM_BLOCKS 64

/*
 * out[0, len) = in[0, len) XOR the AES-CM keystream from counter block iv (RFC 3711 §4.1.1):
 * AES of iv, iv + 1, iv + 2, ... (the 128-bit counter incremented big-endian, as CTR mode does;
 * SRTP's block number is the IV's low 16 bits). The counter blocks are encrypted with the key's
 * one ECB context: no cipher state is set up per packet (a CTR context takes its IV through
 * EVP_EncryptInit_ex, OpenSSL's provider lookup and parameter calls, on every packet). `in` and
 * `out` may be the same buffer.
 */
static int keystream_xor(srtp_ctx *c, const uint8_t iv[IV_BYTES], const uint8_t *in, uint8_t *out, size_t len) {
  uint8_t counter[IV_BYTES], blocks[KEYSTREAM_BLOCKS * IV_BYTES], stream[KEYSTREAM_BLOCKS * IV_BYTES];
  memcpy(counter, iv, IV_BYTES);
  for (size_t done = 0; done < len;) {
    size_t n = (len - done + IV_BYTES - 1) / IV_BYTES;
    if (n > KEYSTREAM_BLOCKS) n = KEYSTREAM_BLOCKS;
    for (size_t b = 0; b < n; b++) {
      memcpy(blocks + b * IV_BYTES, counter, IV_BYTES);
      for (int k = IV_BYTES - 1; k >= 0 && ++counter[k] == 0; k--) {
      }
    }
    int outl = 0;
    if (EVP_EncryptUpdate(c->aes, stream, &outl, blocks, (int)(n * IV_BYTES)) != 1 || (size_t)outl != n * IV_BYTES) return 0;
    size_t take = len - done < n * IV_BYTES ? len - done : n * IV_BYTES;
    for (size_t i = 0; i < take; i++) out[done + i] = in[done + i] ^ stream[i];
    done += take;
  }
  return 1;
}

typedef struct {
  srtp_ctx *c;
  int64_t enc_from, enc_to, tag_at, roc;
  uint8_t *iv;
} call_args;

/* argv: the handle, the buffers, then from argv[after]: encFrom, encTo, tagAt, roc, iv. */
static int read_args(napi_env env, napi_value *argv, size_t after, call_args *a) {
  void *p = NULL;
  uint8_t *iv;
  size_t iv_len;
  if ((p = tagged_of(env, argv[0], &CONTEXT_TAG)) == NULL) return 0;
  a->c = p;
  if (!int_of(env, argv[after], &a->enc_from) || !int_of(env, argv[after + 1], &a->enc_to) || !int_of(env, argv[after + 2], &a->tag_at) ||
      !int_of(env, argv[after + 3], &a->roc) || !bytes_of(env, argv[after + 4], &iv, &iv_len) || iv_len != IV_BYTES)
    return 0;
  a->iv = iv;
  return a->enc_from >= 0 && a->enc_from <= a->enc_to && a->enc_to <= a->tag_at && a->roc >= -1 && a->roc <= 0xffffffffLL;
}

static napi_value seal(napi_env env, napi_callback_info info) {
  size_t argc = 7;
  napi_value argv[7];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  call_args a;
  uint8_t *buf;
  size_t len;
  if (argc != 7 || !bytes_of(env, argv[1], &buf, &len) || !read_args(env, argv, 2, &a) || (size_t)a.tag_at + TAG_BYTES > len)
    return fail(env, "seal(handle, buf, encFrom, encTo, tagAt, roc, iv): bad arguments or ranges outside buf");
  if (!keystream_xor(a.c, a.iv, buf + a.enc_from, buf + a.enc_from, (size_t)(a.enc_to - a.enc_from)))
    return fail(env, "OpenSSL's AES-CTR failed");
  tag_of(a.c, buf, (size_t)a.tag_at, a.roc, buf + a.tag_at);
  return NULL;
}

static napi_value open_(napi_env env, napi_callback_info info) {
  size_t argc = 8;
  napi_value argv[8];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  call_args a;
  uint8_t *src, *dst;
  size_t src_len, dst_len;
  if (argc != 8 || !bytes_of(env, argv[1], &src, &src_len) || !bytes_of(env, argv[2], &dst, &dst_len) || !read_args(env, argv, 3, &a) ||
      (size_t)a.tag_at + TAG_BYTES > src_len || (size_t)a.enc_to > dst_len)
    return fail(env, "open(handle, src, dst, encFrom, encTo, tagAt, roc, iv): bad arguments or ranges outside src or dst");
  if (dst != src && dst < src + src_len && src < dst + dst_len) return fail(env, "open: dst overlaps src without being it");
  uint8_t expected[TAG_BYTES];
  tag_of(a.c, src, (size_t)a.tag_at, a.roc, expected);
  bool ok = CRYPTO_memcmp(expected, src + a.tag_at, TAG_BYTES) == 0;
  if (ok) {
    if (dst != src) memmove(dst, src, (size_t)a.enc_from);
    if (!keystream_xor(a.c, a.iv, src + a.enc_from, dst + a.enc_from, (size_t)(a.enc_to - a.enc_from)))
      return fail(env, "OpenSSL's AES-CTR failed");
  }
  napi_value result;
  CHECK(napi_get_boolean(env, ok, &result));
  return result;
}


static void finalize_direction(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  rtp_direction *d = data;
  EVP_CIPHER_CTX_free(d->c.aes);
  OPENSSL_cleanse(d, sizeof *d); /* the keys' states and the salt */
  free(d);
}

static napi_value direction(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  uint8_t *key, *auth, *salt;
  size_t key_len, auth_len, salt_len;
  if (argc != 3 || !bytes_of(env, argv[0], &key, &key_len) || !bytes_of(env, argv[1], &auth, &auth_len) || !bytes_of(env, argv[2], &salt, &salt_len) ||
      key_len != KEY_BYTES || auth_len != AUTH_KEY_BYTES || salt_len != SALT_BYTES)
    return fail(env, "direction(encKey, authKey, salt) takes a 16-byte key, a 20-byte authentication key and a 14-byte salt");
  rtp_direction *d = calloc(1, sizeof *d);
  if (d == NULL) return fail(env, "out of memory");
  if (!init_ctx(&d->c, key, auth)) {
    free(d);
    return fail(env, "OpenSSL could not make an AES-128 context");
  }
  memcpy(d->salt, salt, SALT_BYTES);
  napi_value handle;
  if (napi_create_external(env, d, finalize_direction, NULL, &handle) != napi_ok) {
    finalize_direction(env, d, NULL);
    return fail(env, "could not make the direction's handle");
  }
  if (napi_type_tag_object(env, handle, &DIRECTION_TAG) != napi_ok) return fail(env, "could not tag the direction's handle");
  return handle;
}

/* RFC 3711 §4.1.1: the salt shifted left 16 bits, XOR the SSRC shifted left 64, XOR the 48-bit index shifted left 16. */
static void counter_block(const uint8_t salt[SALT_BYTES], uint32_t ssrc, uint64_t index, uint8_t iv[IV_BYTES]) {
  memset(iv, 0, IV_BYTES);
  memcpy(iv, salt, SALT_BYTES);
  for (int i = 0; i < 4; i++) iv[4 + i] ^= (uint8_t)(ssrc >> (24 - 8 * i));
  for (int i = 0; i < 6; i++) iv[8 + i] ^= (uint8_t)(index >> (40 - 8 * i));
}

static roc_state *stream_of(rtp_direction *d, uint32_t ssrc) {
  for (int i = 0; i < d->streams; i++)
    if (d->s[i].ssrc == ssrc) return &d->s[i];
  return NULL;
}

/* RFC 3711 Appendix A: the ROC that puts seq's index nearest the highest taken. */
static int64_t guess_roc(uint16_t seq, const roc_state *s) {
  if (s->last_seq < 0x8000) return (int)seq - (int)s->last_seq > 0x8000 ? s->roc - 1 : s->roc;
  return (int)s->last_seq - 0x8000 > (int)seq ? s->roc + 1 : s->roc;
}

/* s_l and the ROC move forward only (RFC 3711 §3.3.1). */
static void advance_roc(uint16_t seq, int64_t roc, roc_state *s) {
  if (roc > s->roc) {
    s->roc = roc;
    s->last_seq = seq;
  } else if (roc == s->roc && seq > s->last_seq) {
    s->last_seq = seq;
  }
}

/* The RTP header's length (fixed part, CSRCs, extension: RFC 3550 §5.1, §5.3.1), or -1 when p[0, end) is shorter. */
long rtp_header_length(const uint8_t *p, size_t end) {
  if (end < RTP_HEADER_BYTES) return -1;
  size_t len = RTP_HEADER_BYTES + 4 * (size_t)(p[0] & 0x0f);
  if (p[0] & 0x10) {
    if (end < len + 4) return -1;
    len += 4 + 4 * (((size_t)p[len + 2] << 8) | p[len + 3]);
  }
  return len <= end ? (long)len : -1;
}

/* The sequence number and SSRC of the RTP header at h (at least RTP_HEADER_BYTES long). */
static void ids_of(const uint8_t *h, uint16_t *seq, uint32_t *ssrc) {
  *seq = (uint16_t)((h[2] << 8) | h[3]);
  *ssrc = ((uint32_t)h[8] << 24) | ((uint32_t)h[9] << 16) | ((uint32_t)h[10] << 8) | h[11];
}

/* The packet at (seq, roc) of ssrc taken: its stream's s_l and ROC moved forward, or a stream begun
 * at it when s is NULL; 0 when that would be one stream more than MAX_SSRCS. */
static int take(rtp_direction *d, roc_state *s, uint32_t ssrc, uint16_t seq, int64_t roc) {
  if (s != NULL) {
    advance_roc(seq, roc, s);
    return 1;
  }
  if (d->streams == MAX_SSRCS) return 0;
  d->s[d->streams++] = (roc_state){.ssrc = ssrc, .last_seq = seq, .roc = 0};
  return 1;
}

/* The direction a handle is, or NULL when it is none. */
rtp_direction *direction_arg(napi_env env, napi_value v) {
  return tagged_of(env, v, &DIRECTION_TAG);
}

/* The keystream of (ssrc, roc, seq) XORed from in into out (len bytes). */
static int rtp_keystream_xor(rtp_direction *d, uint32_t ssrc, int64_t roc, uint16_t seq, const uint8_t *in, uint8_t *out, size_t len) {
  uint8_t iv[IV_BYTES];
  counter_block(d->salt, ssrc, ((uint64_t)roc << 16) | seq, iv);
  return keystream_xor(&d->c, iv, in, out, len);
}

static napi_value code(napi_env env, int32_t c) {
  napi_value v;
  CHECK(napi_create_int32(env, c, &v));
  return v;
}

int32_t rtp_protect(rtp_direction *d, const uint8_t *header, size_t header_len, const uint8_t *payload, size_t payload_len, uint8_t *out) {
  if (header_len < RTP_HEADER_BYTES) return REFUSED_SHORT;
  uint16_t seq;
  uint32_t ssrc;
  ids_of(header, &seq, &ssrc);
  roc_state *s = stream_of(d, ssrc);
  int64_t roc = s == NULL ? 0 : guess_roc(seq, s);
  if (roc < 0) return REFUSED_BEFORE;
  if (!take(d, s, ssrc, seq, roc)) return REFUSED_STREAMS;
  size_t end = header_len + payload_len;
  if (out != header) memmove(out, header, header_len);
  if (!rtp_keystream_xor(d, ssrc, roc, seq, payload, out + header_len, payload_len)) return REFUSED_CRYPTO;
  tag_of(&d->c, out, end, roc & 0xffffffffLL, out + end);
  return (int32_t)(end + TAG_BYTES);
}

int32_t rtp_unprotect(rtp_direction *d, const uint8_t *packet, size_t len, uint8_t *out) {
  if (len < TAG_BYTES) return REFUSED_SHORT;
  size_t end = len - TAG_BYTES;
  long header_len = rtp_header_length(packet, end);
  if (header_len < 0) return REFUSED_SHORT;
  uint16_t seq;
  uint32_t ssrc;
  ids_of(packet, &seq, &ssrc);
  roc_state *s = stream_of(d, ssrc);
  int64_t roc = s == NULL ? 0 : guess_roc(seq, s);
  if (roc < 0) return REFUSED_BEFORE;
  uint8_t expected[TAG_BYTES];
  tag_of(&d->c, packet, end, roc & 0xffffffffLL, expected);
  if (CRYPTO_memcmp(expected, packet + end, TAG_BYTES) != 0) return REFUSED_AUTH;
  if (!take(d, s, ssrc, seq, roc)) return REFUSED_STREAMS;
  if (out != packet) memmove(out, packet, (size_t)header_len);
  if (!rtp_keystream_xor(d, ssrc, roc, seq, packet + header_len, out + header_len, end - (size_t)header_len)) return REFUSED_CRYPTO;
  return (int32_t)end;
}

static napi_value protect_rtp(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  uint8_t *header, *payload;
  size_t header_len, payload_len;
  rtp_direction *d = argc == 3 ? direction_arg(env, argv[0]) : NULL;
  if (d == NULL || !bytes_of(env, argv[1], &header, &header_len) || !bytes_of(env, argv[2], &payload, &payload_len))
    return fail(env, "protectRtp(handle, header, payload): bad arguments");
  if (header_len < RTP_HEADER_BYTES) return code(env, REFUSED_SHORT);
  uint8_t *out;
  napi_value result;
  CHECK(napi_create_buffer(env, header_len + payload_len + TAG_BYTES, (void **)&out, &result));
  int32_t n = rtp_protect(d, header, header_len, payload, payload_len, out);
  if (n == REFUSED_CRYPTO) return fail(env, "OpenSSL's AES-CTR failed");
  return n < 0 ? code(env, n) : result;
}

static napi_value unprotect_rtp(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  uint8_t *packet;
  size_t len;
  rtp_direction *d = argc == 2 ? direction_arg(env, argv[0]) : NULL;
  if (d == NULL || !bytes_of(env, argv[1], &packet, &len)) return fail(env, "unprotectRtp(handle, packet): bad arguments");
  if (len < TAG_BYTES || rtp_header_length(packet, len - TAG_BYTES) < 0) return code(env, REFUSED_SHORT);
  uint8_t *out;
  napi_value result;
  CHECK(napi_create_buffer(env, len - TAG_BYTES, (void **)&out, &result));
  int32_t n = rtp_unprotect(d, packet, len, out);
  if (n == REFUSED_CRYPTO) return fail(env, "OpenSSL's AES-CTR failed");
  return n < 0 ? code(env, n) : result;
}

/* The bench's load client (bench/load/native/load-client.c) builds these functions into its own addon, without this one's exports. */
#ifndef CALLPROBE_SRTP_NO_MODULE
static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
      {"context", NULL, context, NULL, NULL, NULL, napi_default, NULL},
      {"seal", NULL, seal, NULL, NULL, NULL, napi_default, NULL},
      {"open", NULL, open_, NULL, NULL, NULL, napi_default, NULL},
      {"direction", NULL, direction, NULL, NULL, NULL, napi_default, NULL},
      {"protectRtp", NULL, protect_rtp, NULL, NULL, NULL, napi_default, NULL},
      {"unprotectRtp", NULL, unprotect_rtp, NULL, NULL, NULL, napi_default, NULL},
  };
  CHECK(napi_define_properties(env, exports, sizeof props / sizeof props[0], props));
  return echo_exports(env, exports);
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
#endif
