/*
 * What the relay's UDP addon's two files share (./udp.c: the sockets and the fast path;
 * ./sampler.c: the event loop's sampler): the environment's receive area, which both read, and
 * the Node-API helpers. Internal to the addon (built with -fvisibility=hidden): not an ABI.
 */
#ifndef CALLPROBE_NATIVE_UDP_ADDON_H
#define CALLPROBE_NATIVE_UDP_ADDON_H

#include <node_api.h>
#include <stdint.h>
#include <sys/socket.h>
#include <time.h>

#define BATCH 16
#define MAX_DATAGRAM 65536
#define CHANNEL_DATA_HEADER 4

/*
 * One receive area for every socket of a Node environment (its main thread, or a worker's): its
 * sockets are all read on that environment's one event-loop thread, one at a time, and each
 * datagram is copied into its own Buffer before the next read, so a relay of a thousand relayed
 * addresses holds one area, not a thousand.
 */
typedef struct {
  struct mmsghdr msgs[BATCH];
  struct iovec iov[BATCH];
  struct sockaddr_storage from[BATCH];
  /* Each datagram's ancillary data: its receive time (SCM_TIMESTAMPNS). */
  union {
    struct cmsghdr align;
    char bytes[CMSG_SPACE(sizeof(struct timespec))];
  } ctrl[BATCH];
  uint8_t bufs[BATCH][MAX_DATAGRAM];
  /* A fast peer's answer, behind its ChannelData header. */
  uint8_t answer[CHANNEL_DATA_HEADER + 4096];
  /*
   * The waits since `takeDatagramWaits` last read them, over every socket of this environment: how many
   * datagrams carried a receive time, the longest wait, and when (CLOCK_MONOTONIC) the handler of
   * that datagram was called.
   */
  uint32_t waits;
  int64_t worst_wait_ns;
  int64_t worst_at_ns;
} area_t;

static inline int64_t ns_of(const struct timespec *t) {
  return (int64_t)t->tv_sec * 1000000000LL + t->tv_nsec;
}

/* Throws a Node-style error (`code` the errno's name, "EADDRINUSE"); answers NULL. */
napi_value throw_errno(napi_env env, int err, const char *what);
/* Throws a TypeError with `msg` (an argument that is not what the call takes); answers NULL. */
napi_value throw_type(napi_env env, const char *msg);
/* A handle made by this addon, tagged `tag`; null, with a TypeError thrown, for anything else. */
void *external_of(napi_env env, napi_value v, const napi_type_tag *tag, const char *what);
/* A new handle of this addon, tagged `tag`. */
napi_value tagged_external(napi_env env, void *p, const napi_type_tag *tag);
/* A call's `want` arguments, the first a handle of this addon tagged `tag`: the handle, or NULL with a TypeError thrown (`usage` when too few, `what` when it is not one). */
void *tagged_args(napi_env env, napi_callback_info info, size_t want, napi_value *argv, const napi_type_tag *tag, const char *what, const char *usage);
/* `v` as a Float64Array of at least `min` numbers: its data and length, or NULL with a TypeError thrown (`usage`). */
double *float64_arg(napi_env env, napi_value v, size_t min, size_t *length, const char *usage);

/* The event loop's sampler (./sampler.c): samplerStart, samplerTake, samplerStop. */
napi_value SamplerStart(napi_env env, napi_callback_info info);
napi_value SamplerTake(napi_env env, napi_callback_info info);
napi_value SamplerStop(napi_env env, napi_callback_info info);

#endif
