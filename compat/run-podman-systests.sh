#!/usr/bin/env bash
# Runs Podman's own system tests (the bats files of the installed Podman's Debian source package,
# fetched by compat/prep-root.sh) against tspod and/or podman, as the unprivileged user, with a
# local stand-in for the test image served from a loopback docker-registry. Prints per file the
# ok / not ok / skip counts of each engine. See compat/README.md.
#
#   compat/run-podman-systests.sh [options] [FILE...]      FILE: 030-run or 030-run.bats (default: the targets)
#     --engines tspod,podman   which engines to run (default both); tspod-diag: tspod behind
#                              compat/tspod-diag.sh, to see what fails after the set-up (never recorded)
#     --check COUNTS           fail (exit 1) when a file passes fewer tspod tests than COUNTS records
#     --record COUNTS          write the counts of this run to COUNTS (for engines not run, keep the old ones)
#     --filter REGEX           only the tests whose names match (bats -f), e.g. to reproduce one failure
#     --timeout SECONDS        limit per test (default 240); a hung test is killed and counted not ok
#     --jobs N                 run N files at a time, each group in a store of its own (default 1)
#     --retry N                run a failing test up to N more times; it counts ok if a retry passes,
#                              and the summary lists it as flaky (CI: a slow machine is not a regression)
#     --budget SECONDS         start no test after SECONDS; those not run count as not ok and the
#                              run fails (a bound for CI)
#     --out DIR                where logs and results go (default: a new /tmp/tspod-compat-results.*)
#     --tests DIR              the test/system directory (default: newest under /var/cache/tspod-compat)
#     --results DIR            run nothing: summarize (and --check/--record) an earlier run's --out DIR
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
tree=$(dirname "$here")
targets=(001-basic 010-images 020-tag 030-run 040-ps 045-start 050-stop 055-rm 065-cp 120-load 130-kill
         160-volumes 500-networking 600-completion)
engines=tspod,podman
check= record= filter= out= reuse= tests=${TSPOD_COMPAT_TESTS:-}
test_timeout=240 jobs=1 budget= retries=0
files=()
while [ $# -gt 0 ]; do
  case $1 in
    --engines) engines=$2; shift 2 ;;
    --check) check=$2; shift 2 ;;
    --record) record=$2; shift 2 ;;
    --filter) filter=$2; shift 2 ;;
    --timeout) test_timeout=$2; shift 2 ;;
    --jobs) jobs=$2; shift 2 ;;
    --budget) budget=$2; shift 2 ;;
    --retry) retries=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --tests) tests=$2; shift 2 ;;
    --results) reuse=$2; shift 2 ;;
    -h|--help) sed -n '2,/^set -e/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    -*) echo "run-podman-systests: unknown option $1 (see --help)" >&2; exit 2 ;;
    *) files+=("${1%.bats}"); shift ;;
  esac
done
[ ${#files[@]} -gt 0 ] || files=("${targets[@]}")

die() { echo "run-podman-systests: $*" >&2; exit 1; }

if [ -n "$reuse" ]; then
  [ -f "$reuse/results.tsv" ] || die "no $reuse/results.tsv"
  out=$reuse
  mapfile -t engine_list < <(cut -f1 "$reuse/results.tsv" | awk '!seen[$0]++')
  [ ${#files[@]} -gt 0 ] && [ "${files[*]}" != "${targets[*]}" ] || mapfile -t files < <(cut -f2 "$reuse/results.tsv" | awk '!seen[$0]++')
fi

[ "$(id -u)" -ne 0 ] || die "run me as the unprivileged test user (Podman's tests then run rootless, as tspod's users do): su tspodtest -c '$0 ...'"
for tool in bats buildah nc docker-registry skopeo jq timeout tar gzip; do
  [ -n "$reuse" ] || command -v "$tool" >/dev/null || die "$tool not found: run compat/prep-root.sh (bats, buildah, nc) and scripts/setup.sh (the rest) as root"
done
if [ -z "$tests" ]; then
  tests=$(ls -d /var/cache/tspod-compat/libpod-*/src/libpod-*/test/system 2>/dev/null | sort -V | tail -n1 || true)
fi
[ -n "$tests" ] && [ -f "$tests/helpers.bash" ] || die "Podman's test/system not found (${tests:-none}): run compat/prep-root.sh as root first"
for f in "${files[@]}"; do [ -f "$tests/$f.bats" ] || die "no $tests/$f.bats"; done

declare -A bin=([tspod]="$tree/bin/tspod" [podman]=$(command -v podman || true) [tspod-diag]="$here/tspod-diag.sh")
[ -n "$reuse" ] || IFS=, read -ra engine_list <<<"$engines"
for e in "${engine_list[@]}"; do
  case $e in tspod|podman|tspod-diag) ;; *) die "unknown engine $e (tspod, podman, tspod-diag)" ;; esac
  [ -n "$reuse" ] || { [ -n "${bin[$e]}" ] && [ -x "${bin[$e]}" ]; } || die "$e not found"
done
[ -n "$reuse" ] || [[ " ${engine_list[*]} " != *" tspod"* ]] || [ -f "$tree/dist/userns-commands.txt" ] \
  || die "tspod is not built in $tree: npm install && npm run build"

out=${out:-$(mktemp -d /tmp/tspod-compat-results.XXXXXX)}
mkdir -p "$out"
# runtime dirs, registry data, the tests' TMPDIR: short paths (conmon's attach sockets live below)
scratch=$(mktemp -d /tmp/tspc.XXXXXX)
registry_pid=
cleanup() {
  [ -z "$registry_pid" ] || kill "$registry_pid" 2>/dev/null || true
  rm -rf "$scratch" 2>/dev/null || echo "run-podman-systests: could not remove all of $scratch (a mount left behind?)" >&2
}
trap cleanup EXIT
trap 'exit 130' INT TERM
started=$(date +%s)

if [ -z "$reuse" ]; then
# --- the test image stand-in, served from a loopback registry ---
echo "== building the test image stand-in"
"$here/build-testimage.sh" "$scratch/layout"
port=
for _ in $(seq 50); do
  p=$(( 20000 + RANDOM % 20000 ))
  if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then port=$p; break; fi
done
[ -n "$port" ] || die "no free port found for the registry"
# named localhost: 010-images sorts image names and expects the test image's registry between
# "a.b" and "zzz...", as quay.io is (127.0.0.1 sorts before "a"); it listens on 127.0.0.1. Its table
# test also needs the image name no longer than 30 characters (quay.io/libpod/testimage is 24):
# with a port, "libpod" is too long, so the repository is ci/testimage (PODMAN_TEST_IMAGE_USER).
registry=localhost:$port
image_user=ci
mkdir -p "$scratch/registry"
cat > "$scratch/registry/config.yml" <<EOF
version: 0.1
log: {level: warn, accesslog: {disabled: true}}
storage: {filesystem: {rootdirectory: $scratch/registry/data}, delete: {enabled: true}}
http: {addr: "127.0.0.1:$port", secret: "tspod-compat-$RANDOM$RANDOM"}
EOF
docker-registry serve "$scratch/registry/config.yml" >"$scratch/registry/log" 2>&1 &
registry_pid=$!
for _ in $(seq 100); do
  (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
  kill -0 "$registry_pid" 2>/dev/null || die "docker-registry exited: $(cat "$scratch/registry/log")"
  sleep 0.1
done
(exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null || die "docker-registry does not listen on $registry"
for ref in 20220615 00000004 multiimage; do
  skopeo copy --quiet --dest-tls-verify=false "oci:$scratch/layout:$ref" "docker://$registry/$image_user/testimage:$ref" \
    || die "skopeo could not push testimage:$ref to $registry"
done
echo "== serving $registry/$image_user/testimage:{20220615,00000004,multiimage}"
fi

# --- one engine's fresh environment: its own XDG dirs, the registry marked insecure ---
engine_env() {   # ENGINE [DIR_NAME] -> fills the array env_vars
  local e=$1 d="$scratch/${2:-$1}"
  mkdir -p "$d/config/containers" "$d/data" "$d/run" "$d/tmp"
  chmod 0700 "$d/run"
  echo '{}' > "$d/auth.json"   # podman refuses a REGISTRY_AUTH_FILE that does not exist
  cat > "$d/config/containers/registries.conf" <<EOF
unqualified-search-registries = ["$registry"]

[[registry]]
location = "$registry"
insecure = true
EOF
  if [ "$e" = podman ]; then
    # Podman's defaults fail here (crun refuses the hybrid cgroup layout; no storage.conf means vfs):
    # the same stack tspod uses, as the benchmark does (bench/lib/engines.mjs).
    cat > "$d/config/containers/storage.conf" <<EOF
[storage]
driver = "overlay"
graphroot = "$d/data/containers/storage"
runroot = "$d/run/containers"

[storage.options.overlay]
mount_program = "/usr/bin/fuse-overlayfs"
EOF
    cat > "$d/config/containers/containers.conf" <<EOF
[containers]
netns = "slirp4netns"

[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
EOF
  fi
  env_vars=(HOME="$HOME" USER="$(id -un)" LOGNAME="$(id -un)" LANG=C.UTF-8 TERM=dumb
    PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
    XDG_CONFIG_HOME="$d/config" XDG_DATA_HOME="$d/data" XDG_RUNTIME_DIR="$d/run" TMPDIR="$d/tmp"
    CONTAINERS_REGISTRIES_CONF="$d/config/containers/registries.conf" REGISTRY_AUTH_FILE="$d/auth.json"
    PODMAN="${bin[$e]}" PODMAN_TEST_IMAGE_REGISTRY="$registry" PODMAN_TEST_IMAGE_USER="$image_user" PODMAN_TIMEOUT=$(( test_timeout >= 240 ? 120 : test_timeout / 2 )))
}

engine_reset() {   # ENGINE [DIR_NAME]: remove what the run left, end its pause process
  local e=$1 d="$scratch/${2:-$1}" pidfile pids=()
  # read first: podman's system reset removes its pause.pid but leaves the process (catatonit) running
  for pidfile in "$d/run/libpod/tmp/pause.pid" "$d/run/tspod/pause/pause.pid"; do
    pids+=("$(cat "$pidfile" 2>/dev/null || true)")
  done
  timeout -k 10 120 env -i "${env_vars[@]}" "${bin[$e]}" rm -af -t 0 >/dev/null 2>&1 || true
  timeout -k 10 120 env -i "${env_vars[@]}" "${bin[$e]}" system reset --force >/dev/null 2>&1 \
    || echo "run-podman-systests: $e system reset --force failed" >&2
  # what is left may belong to subordinate ids: remove it inside the engine's user namespace
  timeout -k 10 120 env -i "${env_vars[@]}" "${bin[$e]}" unshare rm -rf "$d/data" "$d/tmp" >/dev/null 2>&1 || true
  local pid
  for pid in "${pids[@]}"; do
    if [[ $pid =~ ^[0-9]+$ ]] && [ "$(stat -c %u "/proc/$pid" 2>/dev/null)" = "$(id -u)" ]; then kill -9 "$pid" 2>/dev/null || true; fi
  done
  # processes a killed test left behind (e.g. a build step's helpers): any of ours still running
  # with this engine's directories in its environment
  for pid in $(pgrep -u "$(id -u)" 2>/dev/null); do
    grep -qzF "XDG_RUNTIME_DIR=$d/run" "/proc/$pid/environ" 2>/dev/null || continue
    [ "$pid" = "$$" ] || [ "$pid" = "$BASHPID" ] || { echo "run-podman-systests: ending a leftover of $e: $(tr '\0' ' ' < "/proc/$pid/cmdline" | cut -c1-120)" >&2; kill -9 "$pid" 2>/dev/null || true; }
  done
}

verify_podman() {
  local got
  got=$(env -i "${env_vars[@]}" podman info --format json 2>/dev/null | jq -r '[.host.ociRuntime.name, .store.graphDriverName,
      (.store.graphOptions["overlay.mount_program"].Executable // "none"), .host.cgroupManager, .host.security.rootless] | join(" ")')
  [ "$got" = "runc overlay /usr/bin/fuse-overlayfs cgroupfs true" ] \
    || die "podman is not on the stack asked for (runc overlay /usr/bin/fuse-overlayfs cgroupfs rootless): $got"
}

# names of the tests in a file, in order (Podman 4.3's names are plain double-quoted strings)
test_names() { sed -n 's/^[[:space:]]*@test "\(.*\)" {[[:space:]]*$/\1/p' "$1"; }
ere_escape() { sed 's/[][\.*^$+?(){}|/]/\\&/g' <<<"$1"; }

# run_file ENGINE FILE RESULTS: each test of FILE on its own, under timeout; one line per test to RESULTS
run_file() {
  local e=$1 f=$2 res=$3 n=0 ok=0 bad=0 skip=0 name log t0 rc secs status
  mkdir -p "$out/$e/$f"
  while IFS= read -r name; do
    [ -z "$filter" ] || [[ $name =~ $filter ]] || continue
    n=$((n + 1))
    log="$out/$e/$f/$(printf %03d $n).tap"
    if [ -n "$budget" ] && [ "$(date +%s)" -ge $((started + budget)) ]; then
      echo "# tspod-compat: not run, the run's budget of ${budget}s was used up" > "$log"
      printf '%s\t%s\t%s\t%s\t%s\n' "$e" "$f" not-run 0 "$name" >> "$res"
      bad=$((bad + 1))
      continue
    fi
    t0=$(date +%s)
    try=0
    while :; do
    # timeout signals the whole process group, so a child that keeps the test's stdout open dies too;
    # stdin is /dev/null, not the list of names this loop reads (a `run -i` would eat it)
    set +e
    timeout -k 15 "$test_timeout" env -i "${env_vars[@]}" TSPOD_DIAG_LOG="$log.calls" bats --tap -f "^$(ere_escape "$name")\$" "$tests/$f.bats" >"$log" 2>&1 </dev/null
    rc=$?
    set -e
    secs=$(( $(date +%s) - t0 ))
    if [ $rc -eq 124 ] || [ $rc -eq 137 ]; then
      status=timeout
      echo "# tspod-compat: killed after ${test_timeout}s: $name" >> "$log"
      [ ! -f "$log.calls" ] || sed 's/^/# tspod-compat: called at /' "$log.calls" | tail -n 5 >> "$log"
    elif grep -qE '^ok 1 .*# skip' "$log"; then status=skip
    elif grep -qE '^ok 1 ' "$log"; then status=ok
    else status=not-ok
    fi
    case $status in ok|skip) break ;; esac
    [ "$try" -lt "$retries" ] || break
    try=$((try + 1))
    mv "$log" "$log.failed-$try"
    echo "   $e $f: retrying (failed, $status): $name" >&2
    done
    [ "$try" -eq 0 ] || [ "$status" != ok ] || printf '%s\t%s\t%s\n' "$e" "$f" "$name" >> "$out/flaky.tsv"
    case $status in ok) ok=$((ok + 1)) ;; skip) skip=$((skip + 1)) ;; *) bad=$((bad + 1)) ;; esac
    printf '%s\t%s\t%s\t%s\t%s\n' "$e" "$f" "$status" "$secs" "$name" >> "$res"
  done < <(test_names "$tests/$f.bats")
  printf '   %-8s %-16s ok %3d   not ok %3d   skip %3d\n' "$e" "$f" "$ok" "$bad" "$skip"
}

results="$out/results.tsv"   # engine file status seconds name
if [ -z "$reuse" ]; then
  : > "$results"; rm -f "$out/flaky.tsv"
  # files into $jobs groups of about equal test counts; each group runs in a store of its own
  declare -a group
  declare -A load
  for f in "${files[@]}"; do
    best=0
    for ((w = 1; w < jobs; w++)); do [ "${load[$w]:-0}" -lt "${load[$best]:-0}" ] && best=$w; done
    group[$best]+="$f "
    load[$best]=$(( ${load[$best]:-0} + $(test_names "$tests/$f.bats" | wc -l) ))
  done
  for e in "${engine_list[@]}"; do
    engine_env "$e"
    [ "$e" != podman ] || verify_podman
    echo "== $e: ${bin[$e]} ($(env -i "${env_vars[@]}" "${bin[$e]}" --version 2>&1 | head -n1)), $jobs at a time"
    engine_reset "$e"   # the checks above may have started a pause process in this directory
    pids=()
    for ((w = 0; w < jobs; w++)); do
      [ -n "${group[$w]:-}" ] || continue
      (
        engine_env "$e" "$e.$w"
        for f in ${group[$w]}; do run_file "$e" "$f" "$out/results.$e.$w.tsv"; done
        engine_reset "$e" "$e.$w"
      ) &
      pids+=($!)
    done
    for p in "${pids[@]}"; do wait "$p" || die "a $e worker failed"; done
    # in the order of the files asked for
    for f in "${files[@]}"; do cat "$out"/results."$e".*.tsv 2>/dev/null | awk -F'\t' -v f="$f" '$2==f'; done >> "$results"
    rm -f "$out"/results."$e".*.tsv
  done
fi
elapsed=$(( $(date +%s) - started ))

# the gist of each failure (the failing line of the test, errors, expected/actual), per engine
for e in "${engine_list[@]}"; do
  for f in "${files[@]}"; do
    for log in "$out/$e/$f"/*.tap; do
      [ -f "$log" ] || continue
      grep -qE '^ok 1 ' "$log" && continue
      echo "== $f: $(sed -n 's/^not ok 1 //p' "$log" | head -n1) [$(basename "$log")]"
      grep -E '^# +in test file .*line [0-9]+\)|^# (Error|Warning|WARN)|^# time=.*level=(error|warning)|^# #\| +(FAIL|expected|actual)|^# tspod-compat:|TIMED OUT' "$log" \
        | grep -v 'pod rm\|unrecognized command `[^ ]* pod`' | sed -E 's/^# +in test file .*line ([0-9]+)\)/  at line \1/; s/^# /  /' | head -n 12
    done
  done > "$out/failures-$e.txt"
done

# --- summary ---
count() { awk -F'\t' -v e="$1" -v f="$2" -v s="$3" '$1==e && $2==f && (s=="" || $3==s || (s=="not-ok" && ($3=="timeout" || $3=="not-run"))) {n++} END {print n+0}' "$results"; }
echo
printf '%-16s' file; for e in "${engine_list[@]}"; do printf '  %-22s' "$e ok/not ok/skip"; done; echo
declare -A total
for f in "${files[@]}"; do
  printf '%-16s' "$f"
  for e in "${engine_list[@]}"; do
    o=$(count "$e" "$f" ok) b=$(count "$e" "$f" not-ok) s=$(count "$e" "$f" skip)
    total[$e.ok]=$(( ${total[$e.ok]:-0} + o )); total[$e.bad]=$(( ${total[$e.bad]:-0} + b )); total[$e.skip]=$(( ${total[$e.skip]:-0} + s ))
    printf '  %-22s' "$o/$b/$s"
  done
  echo
done
printf '%-16s' total; for e in "${engine_list[@]}"; do printf '  %-22s' "${total[$e.ok]}/${total[$e.bad]}/${total[$e.skip]}"; done; echo
if [[ " ${engine_list[*]} " == *" podman "* ]]; then
  for e in "${engine_list[@]}"; do
    [ "$e" != podman ] || continue
    echo
    echo "podman passes, $e does not:"
    awk -F'\t' -v e="$e" '$1=="podman" && $3=="ok" {p[$2"\t"$5]=1} $1==e && $3!="ok" {t[$2"\t"$5]=$3}
      END {for (k in p) if (k in t) print "  " k " (" t[k] ")"}' "$results" | sort
  done
fi
if [ -s "$out/flaky.tsv" ]; then
  echo; echo "flaky (failed, then passed on a retry; the failed run's log is NNN.tap.failed-N):"; sed 's/^/  /' "$out/flaky.tsv"
fi
if grep -q $'\tnot-run\t' "$results"; then
  echo; echo "NOT RUN: the budget of ${budget}s was used up before $(grep -c $'\tnot-run\t' "$results") tests"
fi
if grep -q $'\ttimeout\t' "$results"; then
  echo; echo "killed after ${test_timeout}s:"; awk -F'\t' '$3=="timeout" {print "  " $1 " " $2 "\t" $5}' "$results"
fi
echo
echo "logs: $out/<engine>/<file>/NNN.tap; per test: $results; failures: $out/failures-<engine>.txt; took ${elapsed}s"

# --- recorded counts ---
# COUNTS lines: FILE TSPOD_OK PODMAN_OK TESTS  ('-' when not measured)
recorded() {   # FILE COLUMN -> value or empty
  [ -f "$1" ] && awk -v f="$2" -v c="$3" '$1==f {print $c}' "$1" || true
}
status=0
! grep -q $'\tnot-run\t' "$results" || status=1
if [ -n "$check" ]; then
  [ -f "$check" ] || die "no counts file $check"
  [[ " ${engine_list[*]} " == *" tspod "* ]] || die "--check compares tspod's counts: run with --engines tspod"
  [ -z "$filter" ] || die "--check needs whole files, not --filter"
  echo "== check against $check"
  for f in "${files[@]}"; do
    want=$(recorded "$check" "$f" 2)
    got=$(count tspod "$f" ok)
    if [ -z "$want" ] || [ "$want" = - ]; then echo "   $f: no recorded count (tspod passes $got): record it with --record"; status=1
    elif [ "$got" -lt "$want" ]; then echo "   $f: tspod passes $got, fewer than the recorded $want: REGRESSION"; status=1
    elif [ "$got" -gt "$want" ]; then echo "   $f: tspod passes $got, more than the recorded $want: record the new count (--record $check)"
    else echo "   $f: $got as recorded"
    fi
  done
  [ $status -eq 0 ] && echo "== compatibility check passed" || echo "== compatibility check FAILED"
fi
if [ -n "$record" ]; then
  [ -z "$filter" ] || die "--record needs whole files, not --filter"
  tmp=$(mktemp)
  {
    echo "# Podman $(basename "$(dirname "$(dirname "$tests")")" | sed 's/^libpod-//') system tests passed per file, by compat/run-podman-systests.sh"
    echo "# (as the unprivileged user, the test image stand-in from a loopback registry; podman on runc,"
    echo "# fuse-overlayfs, slirp4netns). --check fails when tspod passes fewer than TSPOD_OK."
    echo "# FILE TSPOD_OK PODMAN_OK TESTS"
    for f in "${targets[@]}" $(printf '%s\n' "${files[@]}" | grep -vxF -f <(printf '%s\n' "${targets[@]}") || true); do
      tcol=$(recorded "$record" "$f" 2) pcol=$(recorded "$record" "$f" 3)
      ran=$(awk -F'\t' -v f="$f" '$2==f' "$results" | wc -l)
      [[ " ${engine_list[*]} " != *" tspod "* ]] || [ "$ran" -eq 0 ] || tcol=$(count tspod "$f" ok)
      [[ " ${engine_list[*]} " != *" podman "* ]] || [ "$ran" -eq 0 ] || pcol=$(count podman "$f" ok)
      printf '%-16s %4s %4s %4s\n' "$f" "${tcol:--}" "${pcol:--}" "$(test_names "$tests/$f.bats" | wc -l)"
    done
  } > "$tmp"
  mv "$tmp" "$record"
  echo "== recorded in $record"
fi
exit $status
