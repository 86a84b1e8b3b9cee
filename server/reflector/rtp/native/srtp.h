/*
 * What the addon's two parts share: one direction of SRTP (srtp.c: its keys' contexts and the
 * rollover counters of its streams) and the probe echo that runs through two of them (echo.c).
 */
#ifndef CALLPROBE_NATIVE_SRTP_H
#define CALLPROBE_NATIVE_SRTP_H

#include <node_api.h>
#include <openssl/evp.h>
#include <openssl/sha.h>
#include <stdint.h>
#include <stddef.h>

#define KEY_BYTES 16
#define AUTH_KEY_BYTES 20
#define IV_BYTES 16
#define TAG_BYTES 10
#define SALT_BYTES 14
#define RTP_HEADER_BYTES 12
#define MAX_SSRCS 16

/* Why a packet was refused (the codes protectRtp and unprotectRtp answer), and OpenSSL failing. */
#define REFUSED_SHORT -1
#define REFUSED_AUTH -2
#define REFUSED_BEFORE -3
#define REFUSED_STREAMS -4
#define REFUSED_CRYPTO -9

typedef struct {
  EVP_CIPHER_CTX *aes;
  SHA_CTX inner; /* SHA-1 after the key XOR ipad (RFC 2104) */
  SHA_CTX outer; /* SHA-1 after the key XOR opad */
} srtp_ctx;

typedef struct {
  uint32_t ssrc;
  uint16_t last_seq; /* s_l: the highest sequence number taken */
  int64_t roc;
} roc_state;

typedef struct {
  srtp_ctx c;
  uint8_t salt[SALT_BYTES];
  int streams;
  roc_state s[MAX_SSRCS];
} rtp_direction;

/* The direction a handle of `direction()` is, or NULL when it is none. */
rtp_direction *direction_arg(napi_env env, napi_value v);

/* The RTP header's length (fixed part, CSRCs, extension: RFC 3550 §5.1, §5.3.1), or -1 when p[0, end) is shorter. */
long rtp_header_length(const uint8_t *p, size_t end);

/*
 * The RTP packet header[0, header_len) + payload[0, payload_len) protected into out (header_len +
 * payload_len + TAG_BYTES bytes; the payload may already be in place at out + header_len): its
 * length, or a REFUSED_ code.
 */
int32_t rtp_protect(rtp_direction *d, const uint8_t *header, size_t header_len, const uint8_t *payload, size_t payload_len, uint8_t *out);

/* The SRTP packet[0, len) checked and decrypted into out (len - TAG_BYTES bytes; out may be packet): its length, or a REFUSED_ code. */
int32_t rtp_unprotect(rtp_direction *d, const uint8_t *packet, size_t len, uint8_t *out);

/* Adds the probe echo's functions (echo.c) to the addon's exports. */
napi_value echo_exports(napi_env env, napi_value exports);

#endif
