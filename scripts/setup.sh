#!/usr/bin/env bash
# Set up a fresh Debian 12 machine for tspod and run the main job (a rootless
# pull/images/push round trip against a loopback registry), as root:
#   sudo ./scripts/setup.sh
# Installs the Debian packages and npm dependencies, builds tspod, prepares an
# unprivileged user ("tspodtest", or TSPOD_TEST_USER) with /etc/subuid and
# /etc/subgid ranges, makes /dev/fuse and /dev/net/tun usable, and copies the
# built tree to that user's home (~/tspod), where it runs `npm test`, and gives
# the user a running systemd user manager (scripts/user-systemd.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
here=$(pwd)

if [ "$(id -u)" -ne 0 ]; then
  echo "setup.sh must run as root (it installs packages and configures subuids): sudo $0" >&2
  exit 1
fi

export DEBIAN_FRONTEND=noninteractive
echo "== Debian packages"
apt-get update -qq
apt-get install -y -qq --no-install-recommends \
  runc conmon fuse-overlayfs fuse3 slirp4netns uidmap catatonit util-linux procps iproute2 \
  docker-registry busybox-static skopeo podman podman-compose golang-github-containers-common \
  apache2-utils openssl ca-certificates jq hyperfine git attr \
  bash-completion zsh fish groff-base mandoc man-db systemd netavark aardvark-dns iptables nftables tmux sudo >/dev/null

# Real clients of tspod's Docker-compatible API (tests only): the docker CLI from docker.io, whose
# daemon must never start. policy-rc.d refuses service starts during the install; the units are masked
# so nothing (socket activation included) starts dockerd or containerd later.
echo "== Docker API clients (docker CLI without its daemon, docker-compose, python3-docker)"
systemctl mask docker.service docker.socket containerd.service >/dev/null 2>&1 || true
had_policy=0; [ -e /usr/sbin/policy-rc.d ] && had_policy=1
if [ "$had_policy" = 0 ]; then printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d; chmod 755 /usr/sbin/policy-rc.d; fi
apt-get install -y -qq --no-install-recommends docker.io docker-compose python3-docker >/dev/null
if [ "$had_policy" = 0 ]; then rm -f /usr/sbin/policy-rc.d; fi
if pgrep -x dockerd >/dev/null; then echo "dockerd is running: it must not (tspod's API tests talk to tspod)" >&2; exit 1; fi

if ! command -v node >/dev/null || ! node -e 'const [a, b] = process.versions.node.split(".").map(Number); process.exit(a > 20 || (a === 20 && b >= 16) ? 0 : 1)'; then
  apt-get install -y -qq --no-install-recommends nodejs npm >/dev/null
fi

echo "== npm dependencies and build"
# npm install, not npm ci: node-unix-socket lists prebuilt binaries for other platforms as optional
# dependencies that this registry does not carry, so npm ci calls the lock file out of sync.
# npm install honours the lock file and tolerates the missing optional ones.
npm install --no-fund --no-audit --loglevel=error
npm run build --silent

user=${TSPOD_TEST_USER:-tspodtest}
echo "== unprivileged user: $user"
id "$user" >/dev/null 2>&1 || useradd -m -s /bin/bash "$user"
grep -q "^$user:" /etc/subuid || usermod --add-subuids 100000-165535 "$user"
grep -q "^$user:" /etc/subgid || usermod --add-subgids 100000-165535 "$user"
# Stock systems ship these 0666; some (this CI machine) have them 0600.
chmod 0666 /dev/fuse /dev/net/tun
ls -l /usr/bin/newuidmap /usr/bin/newgidmap | grep -q '^-rwsr' || chmod u+s /usr/bin/newuidmap /usr/bin/newgidmap

# The user may not be able to read the checkout (e.g. under /root): give them their own copy.
home=$(getent passwd "$user" | cut -d: -f6)
dest="$home/tspod"
if [ "$here" != "$dest" ]; then
  rm -rf "$dest"
  mkdir -p "$dest"
  tar -C "$here" --exclude=./.git -cf - . | tar -C "$dest" -xf -
  chown -R "$user:" "$dest"
fi
echo "$dest" > /tmp/tspod-test-tree
echo "$user" > /tmp/tspod-test-user

echo "== systemd user manager for $user (units from tspod generate systemd / tspod quadlet)"
# tspod's Quadlet generator, as an installation puts it: systemd runs it on every daemon-reload
mkdir -p /etc/systemd/user-generators
printf '#!/bin/sh\nexec %s quadlet --user "$@"\n' "$dest/bin/tspod" > /etc/systemd/user-generators/tspod
chmod 0755 /etc/systemd/user-generators/tspod
# test/e2e/101-systemd-user.test.ts needs it, and fails saying why when it could not start
bash scripts/user-systemd.sh "$user" || echo "WARNING: no systemd user manager for $user" >&2

echo "== main job: rootless pull, images, push against a loopback registry (as $user)"
su "$user" -c "cd '$dest' && bash scripts/demo.sh"
