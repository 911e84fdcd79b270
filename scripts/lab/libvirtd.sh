#!/usr/bin/env bash
# A libvirtd for the lab and the tests, on a machine whose PID 1 is not systemd.
#
# Usage: scripts/lab/libvirtd.sh start|stop|status
#
# start   uses the libvirtd that answers on qemu:///system if there is one; otherwise starts
#         virtlogd (libvirtd hands QEMU's output to it) and libvirtd, waits until libvirtd
#         answers, and records each one it started (pid and start time).
# stop    stops only the daemons this script started, proven by pid and start time, never by
#         name; refuses while libvirt still runs a domain (QEMU would be left unmanaged).
# status  says for each daemon whether it runs and whether this script started it.
#         Exit 0 when libvirtd answers, 3 when it does not (LSB).
#
# Run scripts/setup.sh first: it installs libvirt and creates the user QEMU runs as.
set -euo pipefail

readonly URI=qemu:///system
# Ownership records; the daemons keep their default pid files, whose locks keep a second
# libvirtd (or virtlogd) from starting over the first one's sockets.
readonly OWN_DIR=${LWAFTRCTL_LIBVIRTD_STATE:-/run/lwaftrctl-lab}
readonly START_TIMEOUT=${LWAFTRCTL_LIBVIRTD_TIMEOUT:-60}
readonly STOP_TIMEOUT=10

say() { printf 'libvirtd.sh: %s\n' "$*"; }
die() { printf 'libvirtd.sh: error: %s\n' "$*" >&2; exit 1; }

# The daemon name, its default pid file and the socket it serves.
pidfile_of() { printf '/run/%s.pid' "$1"; }
socket_of() {
  case $1 in
    libvirtd) echo /run/libvirt/libvirt-sock ;;
    virtlogd) echo /run/libvirt/virtlogd-sock ;;
  esac
}

start_time() { # <pid>: field 22 of /proc/<pid>/stat (after the ")" that ends the command name)
  local stat
  stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
  stat=${stat##*) }
  set -- $stat
  echo "${20}"
}

# Whether <pid> runs <name>; a zombie does not count (this machine's PID 1 reaps slowly).
is_alive() { # <pid> <name>
  local stat
  stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
  stat=${stat##*) }
  [ "$(cat "/proc/$1/comm" 2>/dev/null)" = "$2" ] && [ "${stat%% *}" != Z ]
}

# The pid of a running <daemon> from its own pid file, or nothing.
running_pid() {
  local pid
  pid=$(cat "$(pidfile_of "$1")" 2>/dev/null) || return 0
  [ -n "$pid" ] && is_alive "$pid" "$1" && echo "$pid"
  return 0
}

# Whether <daemon> runs, by its own pid file: a command wait_for can poll.
has_pid() { [ -n "$(running_pid "$1")" ]; }

# The pid of <daemon> if this script started it and it still runs, or nothing.
own_pid() {
  local rec pid start
  rec=$(cat "$OWN_DIR/$1.owner" 2>/dev/null) || return 0
  pid=${rec% *} start=${rec#* }
  [ "$(start_time "$pid" 2>/dev/null)" = "$start" ] && is_alive "$pid" "$1" && echo "$pid"
  return 0
}

answers() { virsh -c "$URI" -q list --all >/dev/null 2>&1; }

wait_for() { # <what> <seconds> <command...>: poll until the command succeeds
  local what=$1 secs=$2; shift 2
  local deadline=$((SECONDS + secs))
  until "$@"; do
    [ $SECONDS -lt $deadline ] || die "$what did not happen within ${secs}s (log: /var/log/libvirt/libvirtd.log)"
    sleep 0.1
  done
}

# What libvirtd needs at run time that a reboot takes away (setup.sh does the persistent part).
prepare_runtime() {
  command -v libvirtd >/dev/null && command -v virtlogd >/dev/null && command -v virsh >/dev/null ||
    die "libvirt is not installed: run scripts/setup.sh"
  getent passwd libvirt-qemu >/dev/null || die "user libvirt-qemu is missing: run scripts/setup.sh"
  install -d -m 0755 /var/log/libvirt /var/log/libvirt/qemu /run/libvirt
  # Without udev, /dev/kvm stays root-only. libvirt probes QEMU as root (KVM "enabled") but
  # checks /dev/kvm as libvirt-qemu (not usable), calls its cached capabilities outdated and
  # probes QEMU again (~4 s) on every lookup: a define took 56 s. udev's rule on a normal
  # host gives /dev/kvm to group kvm, which libvirt-qemu is in; do the same.
  if [ -c /dev/kvm ] && [ "$(stat -c %G:%a /dev/kvm)" != kvm:660 ]; then
    chgrp kvm /dev/kvm && chmod 0660 /dev/kvm
  fi
}

start_daemon() { # <daemon> [env...]: start it detached, record it as ours
  local d=$1; shift
  # libvirtd --daemon would log to /dev/null: send its warnings and errors to a file.
  env "$@" "$d" --daemon 9>&- || die "$d --daemon failed (see /var/log/libvirt/$d.log)"
  wait_for "$d writing $(pidfile_of "$d")" 10 has_pid "$d"
  local pid; pid=$(running_pid "$d")
  mkdir -p "$OWN_DIR"
  echo "$pid $(start_time "$pid")" >"$OWN_DIR/$d.owner"
  say "$d started (pid $pid)"
}

cmd_start() {
  prepare_runtime
  if answers; then
    say "libvirtd already answers on $URI (pid $(running_pid libvirtd)$([ -n "$(own_pid libvirtd)" ] && echo ', started by this script')); using it"
    return
  fi
  if [ -z "$(running_pid virtlogd)" ]; then
    start_daemon virtlogd
    wait_for "virtlogd listening on $(socket_of virtlogd)" 10 test -S "$(socket_of virtlogd)"
  fi
  [ -z "$(running_pid libvirtd)" ] || die "libvirtd pid $(running_pid libvirtd) runs but does not answer on $URI: see /var/log/libvirt/libvirtd.log"
  start_daemon libvirtd LIBVIRT_LOG_OUTPUTS="3:file:/var/log/libvirt/libvirtd.log"
  # The first start probes QEMU's capabilities (about 12 s here); later starts read the cache.
  wait_for "libvirtd answering on $URI" "$START_TIMEOUT" answers
  say "libvirtd answers on $URI"
}

stop_daemon() { # <daemon>
  local d=$1 pid
  pid=$(own_pid "$d")
  if [ -z "$pid" ]; then
    rm -f "$OWN_DIR/$d.owner"
    [ -n "$(running_pid "$d")" ] && say "$d (pid $(running_pid "$d")) was not started by this script: left running"
    return 0
  fi
  kill -TERM "$pid"
  local deadline=$((SECONDS + STOP_TIMEOUT))
  while [ "$(own_pid "$d")" = "$pid" ] && [ $SECONDS -lt $deadline ]; do sleep 0.1; done
  if [ "$(own_pid "$d")" = "$pid" ]; then
    say "$d (pid $pid) ignored TERM for ${STOP_TIMEOUT}s: KILL"
    kill -KILL "$pid"
  fi
  rm -f "$OWN_DIR/$d.owner"
  say "$d stopped (pid $pid)"
}

cmd_stop() {
  if [ -n "$(own_pid libvirtd)" ] && answers; then
    local active
    active=$(virsh -c "$URI" list --name | sed '/^$/d' | paste -sd ' ')
    [ -z "$active" ] || die "libvirt still runs domain(s) $active: stop them first (virsh -c $URI shutdown NAME, or destroy NAME)"
  fi
  stop_daemon libvirtd
  stop_daemon virtlogd
}

cmd_status() {
  local d pid
  for d in libvirtd virtlogd; do
    pid=$(running_pid "$d")
    if [ -z "$pid" ]; then say "$d: not running"
    elif [ -n "$(own_pid "$d")" ]; then say "$d: running, pid $pid, started by this script"
    else say "$d: running, pid $pid, not started by this script"
    fi
  done
  if answers; then say "libvirtd answers on $URI"; else say "nothing answers on $URI"; exit 3; fi
}

[ "$(id -u)" -eq 0 ] || die "run as root: libvirt's system instance and QEMU's user need it"
mkdir -p "$OWN_DIR"
# One start or stop at a time: two starts at once would both launch a daemon. The daemons
# must not inherit this descriptor, or they would hold the lock for good.
exec 9>"$OWN_DIR/lock"
flock -w 90 9 || die "another libvirtd.sh holds $OWN_DIR/lock for over 90 s"
case ${1:-} in
  start) cmd_start ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
