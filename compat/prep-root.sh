#!/usr/bin/env bash
# Root half of the Podman system-test harness (see compat/README.md):
#   - installs bats, buildah and ncat (Debian) with --no-install-recommends;
#   - fetches Debian's source package of the installed Podman (`apt-get source libpod`) into a cache
#     directory every user can read. The deb-src line lives in a private sources list that only this
#     command sees: the machine's apt configuration and package lists are left as they were.
# Then run compat/run-podman-systests.sh as the unprivileged user.
#
#   compat/prep-root.sh [CACHE_DIR]      (default $TSPOD_COMPAT_CACHE or /var/cache/tspod-compat)
# Prints the directory of the bats files on its last line.
set -euo pipefail

if [ "$(id -u)" -ne 0 ]; then
  echo "compat/prep-root.sh must run as root (it installs bats and runs apt-get source): su -c '$0'" >&2
  exit 1
fi

cache=${1:-${TSPOD_COMPAT_CACHE:-/var/cache/tspod-compat}}
export DEBIAN_FRONTEND=noninteractive

# buildah: 040-ps and 055-rm make containers in Podman's storage with it (podman's own tests of
# "external" containers); ncat: 500-networking talks to published ports with the host's nc
if ! command -v bats >/dev/null || ! command -v buildah >/dev/null || ! command -v nc >/dev/null; then
  echo "== installing bats, buildah, ncat"
  apt-get install -y -qq --no-install-recommends bats buildah ncat >/dev/null
fi
for tool in dpkg-source; do
  command -v "$tool" >/dev/null || apt-get install -y -qq --no-install-recommends dpkg-dev >/dev/null
done

# The source version that matches the installed podman, so the tests are the ones written for it.
version=$(dpkg-query -W -f='${source:Version}' podman 2>/dev/null) || {
  echo "podman is not installed: run scripts/setup.sh first" >&2
  exit 1
}
upstream=${version#*:}
upstream=${upstream%-*}
dest="$cache/libpod-$version"
if [ -f "$dest/.complete" ]; then
  echo "== Podman $version sources already in $dest"
else
  echo "== apt-get source libpod=$version into $dest"
  rm -rf "$dest"
  mkdir -p "$dest/apt/lists/partial"
  suite=$(. /etc/os-release && echo "$VERSION_CODENAME")
  # The mirrors the machine's own deb lines use (comments stripped), else deb.debian.org.
  apt_lines=$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources 2>/dev/null \
    | sed 's/#.*//' || true)
  mirror=$(grep -oE 'https?://[^ ]*/debian/?( |$)' <<<"$apt_lines" | head -n1 | tr -d ' ' || true)
  security=$(grep -oE 'https?://[^ ]*/debian-security/?( |$)' <<<"$apt_lines" | head -n1 | tr -d ' ' || true)
  key=/usr/share/keyrings/debian-archive-keyring.gpg
  {
    echo "deb-src [signed-by=$key] ${mirror:-http://deb.debian.org/debian} $suite main"
    echo "deb-src [signed-by=$key] ${mirror:-http://deb.debian.org/debian} $suite-updates main"
    [ -z "$security" ] || echo "deb-src [signed-by=$key] $security $suite-security main"
  } > "$dest/apt/sources.list"
  apt_opts=(-o "Dir::Etc::SourceList=$dest/apt/sources.list" -o Dir::Etc::SourceParts=/dev/null
            -o "Dir::State::Lists=$dest/apt/lists" -o APT::Sandbox::User=root)
  apt-get "${apt_opts[@]}" update -qq
  mkdir -p "$dest/src"
  (cd "$dest/src" && apt-get "${apt_opts[@]}" source -qq "libpod=$version" >/dev/null)
  rm -rf "$dest/apt"
  tests=$(ls -d "$dest"/src/libpod-*/test/system 2>/dev/null | head -n1)
  if [ -z "$tests" ] || [ ! -f "$tests/helpers.bash" ]; then
    echo "apt-get source libpod=$version gave no test/system/helpers.bash under $dest/src" >&2
    exit 1
  fi
  chmod -R a+rX "$cache"
  touch "$dest/.complete"
fi
tests=$(ls -d "$dest"/src/libpod-*/test/system | head -n1)
echo "== bats files of Podman $upstream:"
echo "$tests"
