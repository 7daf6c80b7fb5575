#!/usr/bin/env bash
# Run tspod's tests (unit + end-to-end) as the unprivileged user prepared by
# scripts/setup.sh. As root it switches to that user; as that user it runs directly.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "$(id -u)" -eq 0 ]; then
  user=$(cat /tmp/tspod-test-user 2>/dev/null || echo tspodtest)
  tree=$(cat /tmp/tspod-test-tree 2>/dev/null || pwd)
  exec su "$user" -c "cd '$tree' && CI='${CI:-}' bash scripts/test.sh $*"
fi
npm test -- "$@"
