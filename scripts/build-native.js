#!/usr/bin/env node
/**
 * Builds our small Node-API addons with the system's C compiler and the headers that come
 * with Node (Debian's nodejs package puts them in /usr/include/node): the relay's UDP sockets
 * (server/turn/transport/native/udp.c -> dist/native/callprobe-udp.node) and the RTP leg's SRTP
 * cryptography (server/reflector/rtp/native/srtp.c, and the probe echo that runs through it, echo.c -> dist/native/callprobe-srtp.node), which
 * calls the OpenSSL Node links in and exports (its headers are Node's own, in include/node/openssl;
 * a Node built against the system's OpenSSL needs Debian's libssl-dev for them); and the capacity
 * bench's load client (bench/load/native/load-client.c, with srtp.c built in ->
 * dist/native/callprobe-load-client.node), which `serve` never loads. Part of `npm run
 * build`; an addon newer than its sources and this script is left as it is. A C file or two each, Linux
 * only: a compiler call is all it takes (no node-gyp, no download).
 *
 * The addons are `serve`'s native data path, an accelerator: where one cannot be built (no C
 * compiler, no headers, not Linux) this warns, leaves no stale addon behind, and the build goes
 * on; `serve --data-path auto` then runs the portable path (server/data-path.ts). With
 * CALLPROBE_REQUIRE_ALL or CI set (as .ci/run sets it: test/kit/requires.ts reads them alike) it
 * fails instead, so CI always builds and tests the native path.
 *
 * Once both are built, a second build of both, with AddressSanitizer and UndefinedBehaviorSanitizer,
 * goes to dist/native-sanitized/ (never loaded by callprobe itself): the native fuzz runs on it in
 * a process of its own (test/server/native-fuzz.test.ts, bench/fuzz/native-main.ts). It needs gcc's
 * sanitizer runtimes (Debian's gcc brings them, libasan and libubsan); without them it is skipped
 * with a line saying so, and that test skips (fails in CI).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const rtpNative = join(root, 'server', 'reflector', 'rtp', 'native');
const udpNative = join(root, 'server', 'turn', 'transport', 'native');
// The relay's fast path: the ABI both addons build against (a peer's C function the relay calls).
const fastPeer = join(udpNative, 'fast-peer.h');
const addons = [
  {
    sources: [join(udpNative, 'udp.c'), join(udpNative, 'sampler.c')],
    headers: [join(udpNative, 'udp-addon.h'), fastPeer],
    out: join(root, 'dist', 'native', 'callprobe-udp.node'),
  },
  {
    sources: [join(rtpNative, 'srtp.c'), join(rtpNative, 'echo.c')],
    headers: [join(rtpNative, 'srtp.h'), fastPeer],
    out: join(root, 'dist', 'native', 'callprobe-srtp.node'),
    openssl: true,
  },
  {
    // The capacity bench's load client (bench/load/native/load-client.c), with the RTP leg's SRTP built in (none of srtp.c's exports).
    sources: [join(root, 'bench', 'load', 'native', 'load-client.c'), join(rtpNative, 'srtp.c')],
    headers: [join(rtpNative, 'srtp.h')],
    out: join(root, 'dist', 'native', 'callprobe-load-client.node'),
    openssl: true,
    flags: ['-DCALLPROBE_SRTP_NO_MODULE', '-Wno-unused-function'],
  },
];
const headers = join(dirname(dirname(process.execPath)), 'include', 'node');

const set = (v) => v !== undefined && v !== '' && v !== '0' && v.toLowerCase() !== 'false';
const requireAll = set(process.env.CALLPROBE_REQUIRE_ALL) || set(process.env.CI);

const SHIPPED = ['-O2'];
const SANITIZED = ['-O1', '-g', '-fsanitize=address,undefined', '-fno-sanitize-recover=undefined', '-fno-omit-frame-pointer'];

/**
 * Why `addon` cannot be built here into dist/`dir`/ with `flags`, or null once it is built (or was
 * already, newer than what it is made of).
 */
function build({ sources, headers: own = [], out: shipped, openssl, flags: extraFlags = [] }, cc, script, dir = 'native', flags = SHIPPED) {
  const out = join(dirname(dirname(shipped)), dir, basename(shipped));
  if (existsSync(out) && [...sources, ...own].every((f) => statSync(out).mtimeMs >= statSync(f).mtimeMs) && statSync(out).mtimeMs >= script) return null;
  // An addon older than its sources is not this version's: gone, whether or not a new one is made.
  rmSync(out, { force: true });
  if (!existsSync(join(headers, 'node_api.h')))
    return `Node's headers are not in ${headers} (Debian's nodejs package and NodeSource's ship them in /usr/include/node; a Node from a tarball or nvm has them in its include/node)`;
  if (openssl && !existsSync(join(headers, 'openssl', 'evp.h')) && !existsSync('/usr/include/openssl/evp.h'))
    return `OpenSSL's headers are in neither ${join(headers, 'openssl')} nor /usr/include/openssl: install Debian's libssl-dev (apt-get install libssl-dev)`;
  mkdirSync(dirname(out), { recursive: true });
  const args = [...flags, ...extraFlags, '-Wall', '-Wextra', '-Werror', '-shared', '-fPIC', '-fvisibility=hidden', `-I${headers}`, '-o', out, ...sources];
  const r = spawnSync(cc, args, { stdio: ['ignore', 'inherit', flags === SHIPPED ? 'inherit' : 'pipe'] });
  if (r.error) return `the C compiler \`${cc}\` did not start (${r.error.message}): install Debian's gcc (apt-get install gcc)`;
  if (r.status !== 0) {
    rmSync(out, { force: true });
    return `${cc} could not build ${sources.join(' and ')} (exit ${r.status})`;
  }
  return null;
}

const cc = process.env.CC || 'cc';
const script = statSync(fileURLToPath(import.meta.url)).mtimeMs;
const missing = [];
for (const addon of addons) {
  const why = build(addon, cc, script);
  if (why === null) continue;
  if (requireAll) {
    process.stderr.write(`build-native: ${why}; CALLPROBE_REQUIRE_ALL or CI is set, so the native data path must build\n`);
    process.exit(1);
  }
  missing.push(`${addon.out}: ${why}`);
}
if (missing.length > 0) {
  process.stderr.write(
    `build-native: warning: our native addons are not built, and the build goes on without them:\n${missing.map((m) => `  ${m}\n`).join('')}` +
      'build-native: `callprobe serve` runs on the portable data path (Node alone; about three times the CPU per test) until they are built: ' +
      'with a C compiler and the headers above, run npm run build again.\n',
  );
}
// The sanitized build for the native fuzz, once the shipped one stands: optional wherever gcc lacks the sanitizer runtimes.
if (missing.length === 0) {
  const why = addons.map((a) => build(a, cc, script, 'native-sanitized', SANITIZED)).find((w) => w !== null);
  if (why !== undefined)
    process.stderr.write(
      `build-native: the addons could not be built with -fsanitize=address,undefined (${why}): the sanitized build for the native fuzz is skipped\n`,
    );
}
