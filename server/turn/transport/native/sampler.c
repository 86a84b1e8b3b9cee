/*
 * The data plane's event-loop sampler, in the relay's UDP addon (./udp.c) because each tick also
 * reads the longest wait of a datagram the addon's sockets read (the receive area they share:
 * ./udp-addon.h).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <node_api.h>
#include <stdlib.h>
#include <time.h>
#include <uv.h>

#include "udp-addon.h"

static const napi_type_tag SAMPLER_TAG = {0x63616c6c70726f62ULL, 0x652d73616d700002ULL};

/*
 * The event loop's sampler, in C: how late a libuv timer fires (the loop was busy that long), as
 * ../../../loop-delay.ts `startLoopSampler` measures it with a JavaScript timer, without a
 * JavaScript call per tick. At 100 ticks a second while a test is open, the JavaScript timer's own
 * machinery (a timer object, the timer lists, the call) cost more than what each tick notes.
 *
 * Each tick notes, in a ring of records [when (ms, on performance.now()'s clock), how late (ms)]:
 * first, when `withWaits`, the longest wait of a datagram the addon's sockets read since the last
 * tick (a late stretch that ended when that datagram's handler ran), then its own lateness: the
 * time since it was armed less the period it was armed with (never below 0). It hands its records
 * to JavaScript in batches: it calls `onBatch` every `batchTicks` ticks while busy, at each tick
 * while idle, and whenever the ring is half full; `onBatch` takes the records (samplerTake) and
 * answers whether the process is busy, which sets the next period. JavaScript may take the
 * records between batches (before it reads a reading). A full ring drops its oldest record.
 *
 * While busy, a tick is also taken in any turn of the loop that woke for something else (a
 * libuv check handle, run after each poll) once half a period has passed since the last, and the
 * timer is then armed again from it; the timer itself is armed half a period past the tick's due
 * time, as a backstop, so that a page's stream (a datagram every 10 ms) takes nearly every tick
 * and the timer wakes the loop only when nothing else did for a period and a half. Each wake of
 * Node's loop costs its poll pair, its timers and its immediates' callback scope: with the timer
 * armed at the due time itself, about half its wakes beat the stream's datagram to it (the two
 * have the same period) and were a turn for nothing but the tick.
 *
 * A tick's lateness is counted from its due time, a period after the last tick, as the time the
 * loop was held past it (late_ms_at):
 * - 0 when the tick comes early;
 * - 0 when the loop was waiting in its poll at the due time (a libuv prepare handle notes when
 *   each poll began, and libuv's idle-time count how long it waited), for a timer due then would
 *   have run at once; a wake held up by a starved CPU shows in the datagram's own wait, above.
 *   Unless the backstop's time had come too: then from the backstop's time, its own wake late;
 * - else, the loop busy at the due time (before its poll, or in a callback of the poll that ran
 *   past it), the whole time since the due time.
 */
#define SAMPLER_RECORDS 256

typedef struct {
  uv_timer_t timer;
  uv_check_t check;
  uv_prepare_t prepare;
  /* Handles libuv still holds after samplerStop: the memory goes when none is left. */
  int open_handles;
  napi_env env;
  area_t *area;
  napi_ref on_batch;
  napi_async_context ctx;
  int with_waits;
  int busy;
  int stopped;
  /* The period the last tick armed (its next tick's due time: armed_at_ns + armed_ms), and the backstop's extra wait past it. */
  uint64_t busy_ms, idle_ms, armed_ms, slack_ms;
  uint32_t batch_ticks, ticks;
  int64_t armed_at_ns;
  /* When the loop's current (or last) poll began, and libuv's count of the time spent waiting in polls then. */
  uv_loop_t *loop;
  int64_t poll_from_ns;
  uint64_t idle_from_ns;
  /* performance.now() = CLOCK_MONOTONIC in ms less this. */
  double origin_ms;
  uint32_t head, count;
  double rec[SAMPLER_RECORDS][2];
} sampler_t;

static int64_t mono_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return ns_of(&t);
}

static void sampler_note(sampler_t *s, double at_ms, double late_ms) {
  uint32_t slot = (s->head + s->count) % SAMPLER_RECORDS;
  if (s->count == SAMPLER_RECORDS) s->head = (s->head + 1) % SAMPLER_RECORDS; /* the oldest dropped */
  else s->count++;
  s->rec[slot][0] = at_ms;
  s->rec[slot][1] = late_ms;
}

static void sampler_arm(sampler_t *s);

/* A tick at `now`, `late_ms` late: the timer's, or one taken in a turn of the loop that woke anyway (on_sampler_check). */
static void sampler_tick(sampler_t *s, int64_t now, double late_ms) {
  area_t *a = s->area;
  if (s->with_waits && a->waits > 0) {
    sampler_note(s, (double)a->worst_at_ns / 1e6 - s->origin_ms, (double)a->worst_wait_ns / 1e6);
    a->waits = 0;
    a->worst_wait_ns = 0;
  }
  sampler_note(s, (double)now / 1e6 - s->origin_ms, late_ms > 0 ? late_ms : 0);
  s->ticks++;
  if (!s->busy || s->ticks >= s->batch_ticks || s->count >= SAMPLER_RECORDS / 2) {
    s->ticks = 0;
    napi_env env = s->env;
    napi_handle_scope scope;
    napi_open_handle_scope(env, &scope);
    napi_value global, fn, result;
    napi_get_global(env, &global);
    napi_get_reference_value(env, s->on_batch, &fn);
    if (napi_make_callback(env, s->ctx, global, fn, 0, NULL, &result) == napi_ok) {
      bool busy = false;
      if (napi_get_value_bool(env, result, &busy) == napi_ok) s->busy = busy;
    } else {
      bool pending = false;
      napi_is_exception_pending(env, &pending);
      if (pending) {
        napi_value err;
        napi_get_and_clear_last_exception(env, &err);
        napi_fatal_exception(env, err);
      }
    }
    napi_close_handle_scope(env, scope);
    if (s->stopped) return; /* onBatch stopped it */
  }
  sampler_arm(s);
}

/*
 * How late a tick at `now` is (above): from the due time, a period after the last tick, unless
 * the loop was waiting in its poll then; then from the backstop's time when that had come too.
 */
static double late_ms_at(const sampler_t *s, int64_t now) {
  int64_t due = s->armed_at_ns + (int64_t)s->armed_ms * 1000000;
  if (now <= due) return 0;
  /* When the last poll ended: it began at poll_from_ns and waited this long (its wait, not its callbacks). */
  int64_t woke = s->poll_from_ns + (int64_t)(uv_metrics_idle_time(s->loop) - s->idle_from_ns);
  if (s->poll_from_ns > due || woke < due) return (double)(now - due) / 1e6; /* busy at the due time: the whole stretch */
  int64_t backstop = due + (int64_t)s->slack_ms * 1000000;
  return now > backstop && woke >= backstop ? (double)(now - backstop) / 1e6 : 0;
}

static void on_sampler_tick(uv_timer_t *t) {
  sampler_t *s = t->data;
  if (s->stopped) return;
  int64_t now = mono_ns();
  sampler_tick(s, now, late_ms_at(s, now));
}

/* Before each poll of the loop: when it began. */
static void on_sampler_prepare(uv_prepare_t *p) {
  sampler_t *s = p->data;
  s->poll_from_ns = mono_ns();
  s->idle_from_ns = uv_metrics_idle_time(s->loop);
}

/* After each poll of the loop: the tick, when busy and half a period has passed since the last. */
static void on_sampler_check(uv_check_t *c) {
  sampler_t *s = c->data;
  if (s->stopped || !s->busy) return;
  int64_t now = mono_ns();
  if (now - s->armed_at_ns < (int64_t)s->armed_ms * 500000) return;
  sampler_tick(s, now, late_ms_at(s, now));
}

static void sampler_arm(sampler_t *s) {
  s->armed_ms = s->busy ? s->busy_ms : s->idle_ms;
  /* The backstop half a period past the due time while busy (the check handle takes the ticks then); idle, the timer is the only tick. */
  s->slack_ms = s->busy ? s->armed_ms / 2 : 0;
  s->armed_at_ns = mono_ns();
  uv_timer_start(&s->timer, on_sampler_tick, s->armed_ms + s->slack_ms, 0);
}

/* A call's `want` arguments, the first a sampler of this addon: the sampler, or NULL with a TypeError thrown. */
static sampler_t *sampler_args(napi_env env, napi_callback_info info, size_t want, napi_value *argv, const char *usage) {
  return tagged_args(env, info, want, argv, &SAMPLER_TAG, "not a sampler of this addon", usage);
}

/*
 * samplerStart(busyPeriodMs, idlePeriodMs, batchTicks, busy, withWaits, originMs, onBatch) -> handle
 * Ticks every busyPeriodMs while busy, idlePeriodMs otherwise (each 1-60000); originMs is
 * CLOCK_MONOTONIC in ms where performance.now() reads 0 (the records' clock: an origin taken here
 * from a performance.now() read before the call would be off by any wait between the two). The
 * timer keeps no process alive.
 */
napi_value SamplerStart(napi_env env, napi_callback_info info) {
  size_t argc = 7;
  napi_value argv[7];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  uint32_t busy_ms, idle_ms, batch;
  bool busy, with_waits;
  double origin_ms;
  napi_valuetype fn_type = napi_undefined;
  if (argc >= 7) napi_typeof(env, argv[6], &fn_type);
  if (argc < 7 || napi_get_value_uint32(env, argv[0], &busy_ms) != napi_ok || napi_get_value_uint32(env, argv[1], &idle_ms) != napi_ok ||
      napi_get_value_uint32(env, argv[2], &batch) != napi_ok || napi_get_value_bool(env, argv[3], &busy) != napi_ok ||
      napi_get_value_bool(env, argv[4], &with_waits) != napi_ok || napi_get_value_double(env, argv[5], &origin_ms) != napi_ok ||
      fn_type != napi_function || busy_ms < 1 || busy_ms > 60000 || idle_ms < 1 || idle_ms > 60000 || batch < 1)
    return throw_type(env, "samplerStart(busyPeriodMs 1-60000, idlePeriodMs 1-60000, batchTicks >= 1, busy, withWaits, originMs, onBatch)");
  sampler_t *s = calloc(1, sizeof *s);
  if (s == NULL) return throw_errno(env, ENOMEM, "samplerStart");
  napi_get_instance_data(env, (void **)&s->area);
  s->env = env;
  s->busy_ms = busy_ms;
  s->idle_ms = idle_ms;
  s->batch_ticks = batch;
  s->busy = busy;
  s->with_waits = with_waits;
  s->origin_ms = origin_ms;
  napi_create_reference(env, argv[6], 1, &s->on_batch);
  napi_value name;
  napi_create_string_utf8(env, "callprobe:loop-sampler", NAPI_AUTO_LENGTH, &name);
  napi_async_init(env, NULL, name, &s->ctx);
  uv_loop_t *loop;
  napi_get_uv_event_loop(env, &loop);
  uv_timer_init(loop, &s->timer);
  s->timer.data = s;
  uv_unref((uv_handle_t *)&s->timer);
  uv_check_init(loop, &s->check);
  s->check.data = s;
  uv_unref((uv_handle_t *)&s->check);
  uv_check_start(&s->check, on_sampler_check);
  s->loop = loop;
  /* libuv counts the time its polls wait only with this (Node sets it for its own readings of the loop: asked again, nothing changes). */
  uv_loop_configure(loop, UV_METRICS_IDLE_TIME);
  s->poll_from_ns = mono_ns();
  s->idle_from_ns = uv_metrics_idle_time(loop);
  uv_prepare_init(loop, &s->prepare);
  s->prepare.data = s;
  uv_unref((uv_handle_t *)&s->prepare);
  uv_prepare_start(&s->prepare, on_sampler_prepare);
  s->open_handles = 3;
  sampler_arm(s);
  return tagged_external(env, s, &SAMPLER_TAG);
}

/* samplerTake(handle, out: a Float64Array of 2 * 256) -> n: the records noted since the last take, oldest first, as [at, late] pairs. */
napi_value SamplerTake(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  sampler_t *s = sampler_args(env, info, 2, argv, "samplerTake(handle, out)");
  if (s == NULL) return NULL;
  size_t length = 0;
  double *out = float64_arg(env, argv[1], 2 * SAMPLER_RECORDS, &length, "samplerTake(handle, a Float64Array of at least 512)");
  if (out == NULL) return NULL;
  uint32_t n = s->count;
  for (uint32_t i = 0; i < n; i++) {
    uint32_t slot = (s->head + i) % SAMPLER_RECORDS;
    out[2 * i] = s->rec[slot][0];
    out[2 * i + 1] = s->rec[slot][1];
  }
  s->head = 0;
  s->count = 0;
  napi_value result;
  napi_create_uint32(env, n, &result);
  return result;
}

static void on_sampler_closed(uv_handle_t *h) {
  sampler_t *s = h->data;
  if (--s->open_handles == 0) free(s);
}

/* samplerStop(handle): no tick after this; its memory goes once libuv lets go of its timer, its check and its prepare handles. */
napi_value SamplerStop(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  sampler_t *s = sampler_args(env, info, 1, argv, "samplerStop(handle)");
  if (s == NULL) return NULL;
  if (s->stopped) return NULL;
  s->stopped = 1;
  napi_delete_reference(env, s->on_batch);
  napi_async_destroy(env, s->ctx);
  uv_timer_stop(&s->timer);
  uv_check_stop(&s->check);
  uv_prepare_stop(&s->prepare);
  uv_close((uv_handle_t *)&s->timer, on_sampler_closed);
  uv_close((uv_handle_t *)&s->check, on_sampler_closed);
  uv_close((uv_handle_t *)&s->prepare, on_sampler_closed);
  return NULL;
}
