#!/usr/bin/env bash
# Run a command inside a fresh network namespace that has only loopback (127.0.0.1, ::1).
#
# Chromium binds WebRTC sockets to every interface it finds; inside this namespace the only
# one is loopback, so tests can never send to an address outside 127.0.0.0/8 and ::1.
# The namespace is removed when the command ends. Without root (or without `ip netns`),
# the command runs in the current namespace and a warning says so, unless
# CALLPROBE_REQUIRE_ALL=1 (CI): then it fails, since its browsers could reach the network.
set -euo pipefail

if [[ $# -eq 0 ]]; then
  echo "usage: $0 command [args...]" >&2
  exit 64
fi

if [[ "${CALLPROBE_IN_NETNS:-}" == "1" ]]; then
  exec "$@"
fi

if [[ $(id -u) -ne 0 ]] || ! command -v ip >/dev/null 2>&1 || ! ip netns list >/dev/null 2>&1; then
  if [[ "${CALLPROBE_REQUIRE_ALL:-}" == "1" ]]; then
    echo "netns-run: no root or no 'ip netns', and CALLPROBE_REQUIRE_ALL=1: refusing to run outside a namespace of loopback only" >&2
    exit 1
  fi
  echo "netns-run: no root or no 'ip netns'; running in the current network namespace" >&2
  exec "$@"
fi

ns="callprobe-$$-${RANDOM}"
cleanup() { ip netns delete "$ns" 2>/dev/null || true; }
trap cleanup EXIT INT TERM
ip netns add "$ns"
ip -n "$ns" link set lo up
# Let the command inherit our user and environment; only the network changes.
set +e
ip netns exec "$ns" env CALLPROBE_IN_NETNS=1 "$@"
rc=$?
set -e
exit "$rc"
