#!/usr/bin/env bash
# Diagnostic only (run-podman-systests.sh --engines tspod-diag; never recorded, never checked):
# tspod with `ps --external` stripped. Every test's set-up calls `ps --all --external`, which tspod
# lacks, so without this every test fails before it starts; with it, the run shows what fails next.
tspod=$(dirname "$(readlink -f "$0")")/../bin/tspod
if [ "${1:-}" = ps ] || { [ "${1:-}" = container ] && [[ ${2:-} =~ ^(ps|ls|list)$ ]]; }; then
  args=()
  for a in "$@"; do [ "$a" = --external ] || args+=("$a"); done
  exec "$tspod" "${args[@]}"
fi
exec "$tspod" "$@"
