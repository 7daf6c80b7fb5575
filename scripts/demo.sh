#!/usr/bin/env bash
# The main job, as an unprivileged user: start a registry on loopback, make a
# busybox base image from Debian's busybox-static (there is no internet), and
# go through tspod's image workflow rootless: import, push, remove, pull,
# list, push to another repository, save/load round trip with podman.
set -euo pipefail
cd "$(dirname "$0")/.."
T="$(pwd)/bin/tspod"
work=$(mktemp -d /tmp/tspod-demo-XXXXXX)
export XDG_DATA_HOME="$work/data" XDG_CONFIG_HOME="$work/config" XDG_RUNTIME_DIR="$work/run"
mkdir -p "$XDG_RUNTIME_DIR" "$XDG_CONFIG_HOME/containers" && chmod 700 "$XDG_RUNTIME_DIR"
port=$(( 20000 + RANDOM % 20000 ))
cat > "$work/registry.yml" <<YML
version: 0.1
storage: { filesystem: { rootdirectory: $work/registry } }
http: { addr: 127.0.0.1:$port }
YML
docker-registry serve "$work/registry.yml" >"$work/registry.log" 2>&1 &
regpid=$!
cleanup() { "$T" system reset --force >/dev/null 2>&1 || true; kill "$regpid" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
printf 'unqualified-search-registries = ["docker.io"]\n[[registry]]\nlocation = "127.0.0.1:%s"\ninsecure = true\n' "$port" > "$XDG_CONFIG_HOME/containers/registries.conf"
for _ in $(seq 50); do curl -fs "http://127.0.0.1:$port/v2/" >/dev/null 2>&1 && break; sleep 0.1; done

# a busybox root filesystem
root="$work/rootfs"; mkdir -p "$root"/{bin,etc,tmp,root,proc,sys,dev}
cp /bin/busybox "$root/bin/"
for c in sh ls cat echo true false sleep id env wget httpd nc mkdir rm hostname ps; do ln -s busybox "$root/bin/$c"; done
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n' > "$root/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' > "$root/etc/group"
chmod 1777 "$root/tmp"
tar -C "$root" -cf "$work/rootfs.tar" .

step() { printf '\n$ tspod %s\n' "$*"; "$T" "$@"; }
step info --format '{{.Host.Security.Rootless}} {{.Host.OCIRuntime.Name}} {{.Store.GraphDriverName}}'
step import "$work/rootfs.tar" "127.0.0.1:$port/demo/busybox:latest" --change 'CMD ["/bin/sh"]'
step push "127.0.0.1:$port/demo/busybox:latest"
step rmi "127.0.0.1:$port/demo/busybox:latest"
step pull "127.0.0.1:$port/demo/busybox:latest"
step images
step tag "127.0.0.1:$port/demo/busybox:latest" "127.0.0.1:$port/other/busybox:v1"
step push "127.0.0.1:$port/other/busybox:v1"
step images --format '{{.Repository}}:{{.Tag}} {{.ID}} {{.Size}}'
if "$T" save --help >/dev/null 2>&1; then
  step save -o "$work/bb.tar" "127.0.0.1:$port/demo/busybox:latest"
  step rmi -a -f
  step load -i "$work/bb.tar"
  step images
fi
if "$T" run --help >/dev/null 2>&1; then
  step run --rm "127.0.0.1:$port/demo/busybox:latest" sh -c 'echo hello from a rootless container; id'
fi
step system df
printf '\nmain job: OK\n'
