#!/usr/bin/env bash
# Run tspod's tests, after scripts/setup.sh:
#   sudo ./scripts/test.sh
# As root: the unit tests run as root (a few need chown/mknod/su to exercise
# ownership and user namespaces for real), then every end-to-end test runs as
# the unprivileged user setup.sh prepared, against the real bin/tspod.
# As an unprivileged user: everything runs as that user (unit tests that need
# root then fail, loudly).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "$(id -u)" -eq 0 ]; then
  user=$(cat /tmp/tspod-test-user 2>/dev/null || echo tspodtest)
  tree=$(cat /tmp/tspod-test-tree 2>/dev/null || pwd)
  [ -d "$tree/node_modules" ] && [ -f "$tree/oclif.manifest.json" ] || { echo "run scripts/setup.sh first" >&2; exit 1; }
  status=0
  echo "== unit tests (as root, in $tree, which $user can read)"
  (cd "$tree" && npx tap test/unit "$@") || status=$?
  chown -R "$user:" "$tree"
  echo "== end-to-end tests (as $user)"
  su "$user" -c "cd '$tree' && CI='${CI:-}' npx tap test/e2e $*" || status=$?
  exit $status
fi
npm test -- "$@"
