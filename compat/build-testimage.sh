#!/usr/bin/env bash
# Builds, without network, an OCI image layout holding local stand-ins for the images Podman v4.3's
# system tests pull (test/system/helpers.bash, test/system/build-testimage):
#   testimage:20220615   the tests' $IMAGE. The real one is Alpine 3.16 + busybox-extras with
#                        /home/podman/{testimage-id,pause} added; here the userland is Debian's
#                        busybox-static with every applet linked where busybox puts it, plus
#                        /bin/busybox-extras (the same binary: busybox accepts that name), and
#                        scripts for /bin/printenv and /usr/sbin/adduser (applets of Alpine's busybox
#                        that Debian's lacks; see below).
#                        testimage-id holds the tag and has mtime 1600000000 (the `run --tz` test reads
#                        it); WORKDIR /home/podman, the real image's CMD and its two labels.
#   testimage:00000004   $PODMAN_NONLOCAL_IMAGE_FQN: only needs to run `true`; plain busybox, as upstream.
#   testimage:multiimage an older testimage for 120-load's multi-image archive (a different image ID).
# Each is one layer; the tar is reproducible (sorted names, numeric root owner, fixed mtimes, gzip -n).
#
#   compat/build-testimage.sh OUT_DIR      -> OUT_DIR is an OCI layout (tags as org.opencontainers.image.ref.name)
set -euo pipefail

out=${1:?usage: build-testimage.sh OUT_DIR}
busybox=/bin/busybox
for tool in "$busybox" tar gzip sha256sum jq; do
  command -v "$tool" >/dev/null || { echo "build-testimage: $tool not found (packages busybox-static, tar, gzip, coreutils, jq)" >&2; exit 1; }
done
"$busybox" --list-full >/dev/null 2>&1 || { echo "build-testimage: $busybox is not a busybox with --list-full (install busybox-static)" >&2; exit 1; }

tag=20220615
# upstream's build time is not known to the tests (they match a pattern); a fixed one keeps the ID stable
created_t=1655251200                     # 2022-06-15T00:00:00Z
created_z=$(date -u -d "@$created_t" +%Y-%m-%dT%H:%M:%SZ)
testimage_id_mtime=1600000000           # fixed by upstream's recipe
path_env="PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

work=$(mktemp -d "${TMPDIR:-/tmp}/tspod-testimage.XXXXXX")
trap 'rm -rf "$work"' EXIT
rm -rf "$out"
mkdir -p "$out/blobs/sha256"
printf '{"imageLayoutVersion":"1.0.0"}' > "$out/oci-layout"
manifests='[]'

# blob FILE -> prints "sha256:HEX SIZE" and stores FILE in the layout
blob() {
  local hex size
  hex=$(sha256sum "$1" | cut -d' ' -f1)
  size=$(stat -c %s "$1")
  cp "$1" "$out/blobs/sha256/$hex"
  echo "sha256:$hex $size"
}

# busybox_root DIR: the userland both images share
busybox_root() {
  local root=$1 p
  mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,usr/local/bin,etc,dev,proc,sys,run,mnt,opt,srv,var/tmp,home,root,tmp}
  chmod 0700 "$root/root"
  chmod 1777 "$root/tmp" "$root/var/tmp"
  cp "$busybox" "$root/bin/busybox"
  chmod 0755 "$root/bin/busybox"
  while read -r p; do
    # every applet where busybox puts it (not linuxrc, an init for initramfs images)
    case $p in bin/busybox | linuxrc) ;; *) ln -sfn /bin/busybox "$root/$p" ;; esac
  done < <("$busybox" --list-full)
  # users and groups as in Alpine's base image (tests use --user with names such as daemon and nobody)
  cat > "$root/etc/passwd" <<'EOF'
root:x:0:0:root:/root:/bin/ash
bin:x:1:1:bin:/bin:/sbin/nologin
daemon:x:2:2:daemon:/sbin:/sbin/nologin
adm:x:3:4:adm:/var/adm:/sbin/nologin
lp:x:4:7:lp:/var/spool/lpd:/sbin/nologin
sync:x:5:0:sync:/sbin:/bin/sync
shutdown:x:6:0:shutdown:/sbin:/sbin/shutdown
halt:x:7:0:halt:/sbin:/sbin/halt
mail:x:8:12:mail:/var/mail:/sbin/nologin
news:x:9:13:news:/usr/lib/news:/sbin/nologin
uucp:x:10:14:uucp:/var/spool/uucppublic:/sbin/nologin
operator:x:11:0:operator:/root:/sbin/nologin
man:x:13:15:man:/usr/man:/sbin/nologin
postmaster:x:14:12:postmaster:/var/mail:/sbin/nologin
cron:x:16:16:cron:/var/spool/cron:/sbin/nologin
ftp:x:21:21::/var/lib/ftp:/sbin/nologin
sshd:x:22:22:sshd:/dev/null:/sbin/nologin
at:x:25:25:at:/var/spool/cron/atjobs:/sbin/nologin
squid:x:31:31:Squid:/var/cache/squid:/sbin/nologin
xfs:x:33:33:X Font Server:/etc/X11/fs:/sbin/nologin
games:x:35:35:games:/usr/games:/sbin/nologin
cyrus:x:85:12::/usr/cyrus:/sbin/nologin
vpopmail:x:89:89::/var/vpopmail:/sbin/nologin
ntp:x:123:123:NTP:/var/empty:/sbin/nologin
smmsp:x:209:209:smmsp:/var/spool/mqueue:/sbin/nologin
guest:x:405:100:guest:/dev/null:/sbin/nologin
nobody:x:65534:65534:nobody:/:/sbin/nologin
EOF
  cat > "$root/etc/group" <<'EOF'
root:x:0:root
bin:x:1:root,bin,daemon
daemon:x:2:root,bin,daemon
sys:x:3:root,bin,adm
adm:x:4:root,adm,daemon
tty:x:5:
disk:x:6:root,adm
lp:x:7:lp
mem:x:8:
kmem:x:9:
wheel:x:10:root
floppy:x:11:root
mail:x:12:mail
news:x:13:news
uucp:x:14:uucp
man:x:15:man
cron:x:16:cron
console:x:17:
audio:x:18:
cdrom:x:19:
dialout:x:20:root
ftp:x:21:
sshd:x:22:
input:x:23:
at:x:25:at
tape:x:26:root
video:x:27:root
netdev:x:28:
readproc:x:30:
squid:x:31:squid
xfs:x:33:xfs
kvm:x:34:kvm
games:x:35:
shadow:x:42:
cdrw:x:80:
www-data:x:82:
usb:x:85:
vpopmail:x:89:
users:x:100:games
ntp:x:123:
nofiles:x:200:
smmsp:x:209:smmsp
locate:x:245:
abuild:x:300:
utmp:x:406:
ping:x:999:
nogroup:x:65533:
nobody:x:65534:
EOF
  ln -s ../proc/mounts "$root/etc/mtab"   # as in Alpine (030-run's "no /etc/mtab" test removes it)
  cat > "$root/etc/os-release" <<'EOF'
NAME="tspod test image (busybox)"
ID=busybox
PRETTY_NAME="Stand-in for quay.io/libpod/testimage, built from Debian's busybox-static"
EOF
}

# layer ROOT -> prints "sha256:DIGEST SIZE sha256:DIFFID"; mtimes of ROOT must be set already
layer() {
  local root=$1 tarfile="$work/layer.tar"
  (cd "$root" && tar --sort=name --numeric-owner --owner=0 --group=0 --format=gnu -cf "$tarfile" -- *)
  local diff
  diff=$(sha256sum "$tarfile" | cut -d' ' -f1)
  gzip -n -9 -c "$tarfile" > "$tarfile.gz"
  echo "$(blob "$tarfile.gz") sha256:$diff"
  rm -f "$tarfile" "$tarfile.gz"
}

# image REF CONFIG_JSON LAYER_LINE: writes config and manifest, adds REF to index.json
image() {
  local ref=$1 config=$2 layer_digest layer_size diff_id cfg_digest cfg_size
  read -r layer_digest layer_size diff_id <<<"$3"
  jq -c --arg diff "$diff_id" '.rootfs = {type: "layers", diff_ids: [$diff]}' <<<"$config" > "$work/config.json"
  read -r cfg_digest cfg_size < <(blob "$work/config.json")
  jq -nc --arg cd "$cfg_digest" --argjson cs "$cfg_size" --arg ld "$layer_digest" --argjson ls "$layer_size" '{
    schemaVersion: 2, mediaType: "application/vnd.oci.image.manifest.v1+json",
    config: {mediaType: "application/vnd.oci.image.config.v1+json", digest: $cd, size: $cs},
    layers: [{mediaType: "application/vnd.oci.image.layer.v1.tar+gzip", digest: $ld, size: $ls}]}' > "$work/manifest.json"
  local m_digest m_size
  read -r m_digest m_size < <(blob "$work/manifest.json")
  manifests=$(jq -c --arg d "$m_digest" --argjson s "$m_size" --arg ref "$ref" \
    '. + [{mediaType: "application/vnd.oci.image.manifest.v1+json", digest: $d, size: $s,
           platform: {architecture: "amd64", os: "linux"},
           annotations: {"org.opencontainers.image.ref.name": $ref}}]' <<<"$manifests")
}

set_mtimes() { find "$1" -exec touch -h -d "@$2" {} +; }

# --- testimage:20220615 (and :multiimage, same files, an older build) ---
busybox_root "$work/busybox"
root="$work/testimage"
cp -a "$work/busybox" "$root"
ln -sfn /bin/busybox "$root/bin/busybox-extras"
# printenv as GNU/Alpine's: the environment exactly as exec'd (read from /proc, because a shell
# script's own environment already has SHLVL, PWD and a default PATH added by the shell).
cat > "$root/bin/printenv" <<'EOF'
#!/bin/sh
# stand-in for printenv (Debian's busybox has no such applet): prints the environment this
# process was started with, or the values of the named variables (exit 1 if one is unset)
env=$(/bin/busybox tr '\0' '\n' < /proc/$$/environ)
if [ $# -eq 0 ]; then
  [ -z "$env" ] || printf '%s\n' "$env"
  exit 0
fi
rc=0
for name in "$@"; do
  line=$(printf '%s\n' "$env" | /bin/busybox grep -m1 "^$name=") || { rc=1; continue; }
  printf '%s\n' "${line#*=}"
done
exit $rc
EOF
chmod 0755 "$root/bin/printenv"
# adduser as Alpine's busybox has it (Debian's busybox-static lacks it): the options 030-run uses
cat > "$root/usr/sbin/adduser" <<'EOF'
#!/bin/sh
# stand-in for busybox adduser: adduser [-D] [-H] [-u UID] [-G GROUP] [-g GECOS] [-s SHELL] [-h HOME] NAME
uid= group= gecos= shell=/bin/sh home= nohome=
while getopts "DHSu:G:g:s:h:k:" o; do
  case $o in
    u) uid=$OPTARG ;; G) group=$OPTARG ;; g) gecos=$OPTARG ;; s) shell=$OPTARG ;; h) home=$OPTARG ;;
    H) nohome=1 ;; D|S|k) ;; *) echo "usage: adduser [-DH] [-u UID] [-G GROUP] [-g GECOS] [-s SHELL] [-h HOME] NAME" >&2; exit 1 ;;
  esac
done
shift $((OPTIND - 1))
name=${1:?adduser: a user name is needed}
if /bin/busybox grep -q "^$name:" /etc/passwd; then echo "adduser: user '$name' in use" >&2; exit 1; fi
[ -n "$uid" ] || uid=$(/bin/busybox awk -F: 'BEGIN {u = 1000} $3 >= u && $3 < 60000 {u = $3 + 1} END {print u}' /etc/passwd)
if [ -n "$group" ]; then
  gid=$(/bin/busybox awk -F: -v g="$group" '$1 == g {print $3}' /etc/group)
  [ -n "$gid" ] || { echo "adduser: unknown group $group" >&2; exit 1; }
else
  gid=$uid
  echo "$name:x:$gid:" >> /etc/group
fi
home=${home:-/home/$name}
echo "$name:x:$uid:$gid:$gecos:$home:$shell" >> /etc/passwd
if [ -z "$nohome" ]; then /bin/busybox mkdir -p "$home" && /bin/busybox chown "$uid:$gid" "$home"; fi
EOF
chmod 0755 "$root/usr/sbin/adduser"
mkdir -p "$root/home/podman"
echo "$tag" > "$root/home/podman/testimage-id"
cat > "$root/home/podman/pause" <<'EOF'
#!/bin/sh
#
# pause script for the pod tests' --infra-command
#
echo Confirmed: testimage pause invoked as $0
while :; do
    sleep 0.1
done
EOF
cat > "$root/home/podman/healthcheck" <<'EOF'
#!/bin/sh
# healthy until /uh-oh exists
if test -e /uh-oh; then
    echo "Uh-oh on stdout!"
    echo "Uh-oh on stderr!" >&2
    exit 1
fi
echo "Life is Good on stdout"
echo "Life is Good on stderr" >&2
EOF
chmod 0755 "$root/home/podman/pause" "$root/home/podman/healthcheck"
set_mtimes "$root" "$created_t"
touch -d "@$testimage_id_mtime" "$root/home/podman/testimage-id"
testimage_layer=$(layer "$root")

testimage_config() {   # CREATED_Z
  jq -nc --arg created "$1" --arg path "$path_env" '{
    created: $created, architecture: "amd64", os: "linux",
    config: {Env: [$path], Cmd: ["/bin/echo", "This container is intended for podman CI testing"],
             WorkingDir: "/home/podman",
             Labels: {created_by: "test/system/build-testimage", created_at: $created}},
    history: [{created: $created, created_by: "/bin/sh -c #(nop) busybox userland (tspod compat stand-in)"},
              {created: $created, created_by: "/bin/sh -c #(nop) WORKDIR /home/podman", empty_layer: true},
              {created: $created, created_by: "/bin/sh -c #(nop) CMD [\"/bin/echo\", \"This container is intended for podman CI testing\"]", empty_layer: true}]}'
}
image "$tag" "$(testimage_config "$created_z")" "$testimage_layer"
image multiimage "$(testimage_config 2021-06-10T00:00:00Z)" "$testimage_layer"

# --- testimage:00000004: plain busybox ---
root="$work/busybox"
set_mtimes "$root" "$created_t"
image 00000004 "$(jq -nc --arg created "$created_z" --arg path "$path_env" '{
  created: $created, architecture: "amd64", os: "linux", config: {Env: [$path], Cmd: ["sh"]},
  history: [{created: $created, created_by: "/bin/sh -c #(nop) busybox (tspod compat stand-in)"}]}')" "$(layer "$root")"

jq -n --argjson m "$manifests" '{schemaVersion: 2, manifests: $m}' > "$out/index.json"
echo "build-testimage: $out: $(jq -r '[.manifests[].annotations["org.opencontainers.image.ref.name"]] | join(", ")' "$out/index.json")"
