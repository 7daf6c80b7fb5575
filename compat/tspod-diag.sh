#!/usr/bin/env bash
# Diagnostic only (run-podman-systests.sh --engines tspod-diag; never recorded, never checked):
# tspod with `ps --external` stripped. Every test's set-up calls `ps --all --external`, which tspod
# lacks, so without this every test fails before it starts; with it, the run shows what fails next.
# With TSPOD_DIAG_LOG set (the harness sets it per test), each call is logged with its start time:
# bats shows a test's output only when it ends, so for a killed test this is the record of what hung.
tspod=$(dirname "$(readlink -f "$0")")/../bin/tspod
[ -z "${TSPOD_DIAG_LOG:-}" ] || printf '%s %s\n' "$(date +%T)" "$*" >> "$TSPOD_DIAG_LOG"
if [ "${1:-}" = ps ] || { [ "${1:-}" = container ] && [[ ${2:-} =~ ^(ps|ls|list)$ ]]; }; then
  args=()
  for a in "$@"; do [ "$a" = --external ] || args+=("$a"); done
  exec "$tspod" "${args[@]}"
fi
exec "$tspod" "$@"
