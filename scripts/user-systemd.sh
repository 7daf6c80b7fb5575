#!/usr/bin/env bash
# Give USER a running systemd user manager (`systemctl --user` works for them),
# as root. On a machine booted with systemd this is `loginctl enable-linger`.
# In a container without systemd as pid 1 (CI, this project's sandboxes) it
# starts `systemd --user` by hand, the way user@.service would: in a cgroup
# subtree delegated to the user, with XDG_RUNTIME_DIR=/run/user/UID, inside a
# private mount namespace where /run/systemd/system exists (systemd refuses to
# run as a user instance on a machine "not booted with systemd").
#   sudo scripts/user-systemd.sh tspodtest
# Exits 0 once `systemctl --user` answers as USER; 1 with the reason otherwise.
set -euo pipefail
user=${1:?usage: user-systemd.sh USER}
uid=$(id -u "$user")
gid=$(id -g "$user")
home=$(getent passwd "$user" | cut -d: -f6)
rt=/run/user/$uid
log=/var/log/tspod-user-systemd-$uid.log

as_user() { setpriv --reuid="$uid" --regid="$gid" --init-groups env -i HOME="$home" USER="$user" LOGNAME="$user" XDG_RUNTIME_DIR="$rt" PATH=/usr/local/bin:/usr/bin:/bin "$@"; }
answers() { as_user systemctl --user show-environment >/dev/null 2>&1; }

mkdir -p "$rt"
chown "$uid:$gid" "$rt"
chmod 0700 "$rt"
if answers; then echo "systemd user manager of $user: already running"; exit 0; fi

if [ -d /run/systemd/system ] && command -v loginctl >/dev/null && loginctl enable-linger "$user" 2>/dev/null; then
  for _ in $(seq 50); do answers && { echo "systemd user manager of $user: started (linger)"; exit 0; }; sleep 0.2; done
fi

# delegate user@UID.service's cgroup in every hierarchy systemd uses
slices=()
if [ -f /sys/fs/cgroup/cgroup.controllers ]; then
  slices+=(/sys/fs/cgroup)
else
  [ -d /sys/fs/cgroup/systemd ] && slices+=(/sys/fs/cgroup/systemd)
  [ -f /sys/fs/cgroup/unified/cgroup.controllers ] && slices+=(/sys/fs/cgroup/unified)
fi
if [ ${#slices[@]} -eq 0 ]; then echo "no cgroup hierarchy for systemd under /sys/fs/cgroup" >&2; exit 1; fi
procs=()
for h in "${slices[@]}"; do
  d=$h/user.slice/user-$uid.slice/user@$uid.service
  mkdir -p "$d"
  chown -R "$uid:$gid" "$d"
  procs+=("$d/cgroup.procs")
done

# the manager: its own session, cgroup and mount namespace; it outlives this script
script='for p in '"${procs[*]}"'; do echo $$ > "$p"; done
mkdir -p /run/systemd && mount -t tmpfs -o mode=0755 tmpfs /run/systemd && mkdir /run/systemd/system
exec setpriv --reuid='"$uid"' --regid='"$gid"' --init-groups env -i HOME='"$home"' USER='"$user"' LOGNAME='"$user"' XDG_RUNTIME_DIR='"$rt"' PATH=/usr/local/bin:/usr/bin:/bin /lib/systemd/systemd --user'
setsid unshare --mount --propagation private sh -c "$script" </dev/null >"$log" 2>&1 &
for _ in $(seq 100); do
  if answers; then echo "systemd user manager of $user: started (pid $!, log $log)"; exit 0; fi
  sleep 0.1
done
echo "the systemd user manager of $user did not come up; its log ($log):" >&2
cat "$log" >&2 || true
exit 1
