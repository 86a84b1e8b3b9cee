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

#define KEY_BYTES 16
#define AUTH_KEY_BYTES 20
#define IV_BYTES 16
#define TAG_BYTES 10
#define SHA1_BLOCK 64

typedef struct {
  EVP_CIPHER_CTX *aes;
  SHA_CTX inner; /* SHA-1 after the key XOR ipad (RFC 2104) */
  SHA_CTX outer; /* SHA-1 after the key XOR opad */
} srtp_ctx;

#define CHECK(call)                                        \
  do {                                                     \
    if ((call) != napi_ok) {                               \
      napi_throw_error(env, NULL, "srtp: " #call " failed"); \
      return NULL;                                         \
    }                                                      \
  } while (0)

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
  c->aes = EVP_CIPHER_CTX_new();
  if (c->aes == NULL || EVP_EncryptInit_ex(c->aes, EVP_aes_128_ctr(), NULL, key, NULL) != 1) {
    EVP_CIPHER_CTX_free(c->aes);
    free(c);
    return fail(env, "OpenSSL could not make an AES-128-CTR context");
  }
  uint8_t pad[SHA1_BLOCK];
  memset(pad, 0x36, sizeof pad);
  for (size_t i = 0; i < AUTH_KEY_BYTES; i++) pad[i] ^= auth[i];
  SHA1_Init(&c->inner);
  SHA1_Update(&c->inner, pad, sizeof pad);
  memset(pad, 0x5c, sizeof pad);
  for (size_t i = 0; i < AUTH_KEY_BYTES; i++) pad[i] ^= auth[i];
  SHA1_Init(&c->outer);
  SHA1_Update(&c->outer, pad, sizeof pad);
  OPENSSL_cleanse(pad, sizeof pad);
  napi_value handle;
  if (napi_create_external(env, c, finalize, NULL, &handle) != napi_ok) {
    finalize(env, c, NULL);
    return fail(env, "could not make the context's handle");
  }
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

/* out[0, len) = in[0, len) XOR the AES-CM keystream from counter block iv (RFC 3711 §4.1.1: the
 * block number in the IV's low 16 bits, which CTR mode's big-endian increment is for any packet
 * under 2^20 bytes). */
static int keystream_xor(srtp_ctx *c, const uint8_t iv[IV_BYTES], const uint8_t *in, uint8_t *out, size_t len) {
  if (len == 0) return 1;
  int outl = 0;
  if (EVP_EncryptInit_ex(c->aes, NULL, NULL, NULL, iv) != 1) return 0;
  return EVP_EncryptUpdate(c->aes, out, &outl, in, (int)len) == 1 && (size_t)outl == len;
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
  if (napi_get_value_external(env, argv[0], &p) != napi_ok || p == NULL) return 0;
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

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
      {"context", NULL, context, NULL, NULL, NULL, napi_default, NULL},
      {"seal", NULL, seal, NULL, NULL, NULL, napi_default, NULL},
      {"open", NULL, open_, NULL, NULL, NULL, napi_default, NULL},
  };
  CHECK(napi_define_properties(env, exports, sizeof props / sizeof props[0], props));
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
