// The dry-run script's helpers, part 3: QEMU over QMP (socat), the guest's SSH banner, and the
// guest lwAFTR over ssh. Shell text (POSIX sh): `\\` and `\${` below are \ and ${ in the script.
import { LWAFTRCTL_NS } from '../components/vm/libvirt-xml.js';

export const SCRIPT_LIB_TALK = `
# What socat runs against QEMU's QMP socket: after the greeting, qmp_capabilities and $QMP_COMMAND; the
# answer to the command ({"return": ...} or {"error": ...}; events skipped) goes to fd 3.
QMP_TALK=$(cat <<'EOF'
read -r greeting || exit 1
printf '%s\\n' '{"execute":"qmp_capabilities"}' "$QMP_COMMAND"
answers=0
while read -r line; do
  case $line in
    '{"return"'* | '{"error"'*)
      answers=$((answers + 1))
      if [ $answers = 2 ]; then printf '%s\\n' "$line" >&3; exit 0; fi ;;
  esac
done
exit 1
EOF
)
# qmp SOCKET EXECUTE [ARGUMENTS]: prints QEMU's answer to one QMP command; nothing if QEMU does not
# answer within 2s. (socat parses its address: SOCKET may not hold a comma.)
qmp() {
  QMP_COMMAND="{\\"execute\\":\\"$2\\"\${3:+,\\"arguments\\":$3}}" QMP_TALK=$QMP_TALK \\
    socat -T2 "UNIX-CONNECT:$1" 'SYSTEM:eval \\"$QMP_TALK\\"' 3>&1 2>/dev/null | tr -d '\\r'
}
# qmp_run SOCKET EXECUTE [ARGUMENTS]: one QMP command that must succeed.
qmp_run() {
  say "QMP $2"
  answer=$(qmp "$@")
  case $answer in
    '{"return"'*) return 0 ;;
    '') error "QMP $2: QEMU does not answer on $1" ;;
    *) error "QMP $2 failed: $answer" ;;
  esac
  return 1
}
# qmp_ready SOCKET NAME: QEMU (process NAME) answers on QMP; fails at once if QEMU has exited.
qmp_ready() {
  is_ours "$2" || fail 1 'QEMU exited during start-up' "" "$QEMU_LOG"
  hint="check the snabbnfv logs ($SNABBNFV_LOG) and $QEMU_LOG" status='QMP not answering yet'
  case $(qmp "$1" query-status) in '{"return"'*) return 0 ;; esac
  return 1
}
# qmp_status SOCKET STATUS: QMP query-status says STATUS.
qmp_status() {
  answer=$(qmp "$1" query-status)
  status=$(printf '%s\\n' "$answer" | sed -n 's/.*"status": *"\\([^"]*\\)".*/\\1/p')
  [ "$status" = "$2" ]
}
# connected SOCKET CHARDEV...: QEMU sees a vhost-user backend connected on each CHARDEV (QMP query-chardev:
# a server socket reads "disconnected:..." until its client connects).
connected() {
  hint="check the snabbnfv logs ($SNABBNFV_LOG) and $QEMU_LOG"
  devs=$(qmp "$1" query-chardev | tr '}' '\\n')
  shift
  chardevs_connected "$@"
}
# domain_connected DOMAIN CHARDEV...: the same, asking the QEMU of a libvirt domain through virsh.
domain_connected() {
  hint="check the snabbnfv logs ($SNABBNFV_LOG)"
  devs=$(virsh -q qemu-monitor-command "$1" '{"execute":"query-chardev"}' 2>/dev/null | tr '}' '\\n')
  shift
  chardevs_connected "$@"
}
# chardevs_connected CHARDEV...: $devs (QMP query-chardev, one device a line) shows each CHARDEV connected.
chardevs_connected() {
  status='QMP not answering yet'
  if [ -z "$devs" ]; then return 1; fi
  waiting=
  for c do
    if ! printf '%s\\n' "$devs" | grep -E "\\"label\\": ?\\"$c\\"" | grep -qvE '"filename": ?"disconnected:'; then
      waiting="$waiting $c"
    fi
  done
  status="\${waiting# } not connected"
  [ -z "$waiting" ]
}
# domain_state DOMAIN STATE: virsh says the libvirt domain is STATE (running, shut off).
domain_state() {
  status=$(virsh -q domstate "$1" 2>/dev/null) || status='libvirtd does not answer'
  [ "$status" = "$2" ]
}
# domain_of DOMAIN STATEDIR: dstate is absent (libvirt has no such domain), ours (its lwaftrctl metadata
# names STATEDIR, as lwaftrctl's own check does) or foreign (why says whose).
domain_of() {
  if ! virsh -q domstate "$1" >/dev/null 2>&1; then dstate=absent; return 0; fi
  owner=$(virsh metadata "$1" --uri '${LWAFTRCTL_NS}' 2>/dev/null | sed -n 's/.*stateDir="\\([^"]*\\)".*/\\1/p')
  if [ "$owner" = "$2" ]; then dstate=ours; return 0; fi
  dstate=foreign why="\${owner:+it belongs to the lwaftrctl instance in $owner}"
  why=\${why:-lwaftrctl did not define it}
}
# domain_pinned DOMAIN PIDFILE VCPU=CORES... [emulator=CORES]: libvirt has put each vCPU thread of the
# domain's QEMU (query-cpus-fast through virsh) and its main thread on CORES (as /proc lists them).
domain_pinned() {
  status='QEMU does not answer through virsh yet'
  cpus=$(virsh -q qemu-monitor-command "$1" '{"execute":"query-cpus-fast"}' 2>/dev/null |
    sed 's/"props": *{[^}]*}//g' | tr '}' '\\n')
  pid=$(cat "$2" 2>/dev/null) # libvirt writes it without a newline, which read would call a failure
  [ -n "$cpus" ] && [ -n "$pid" ] || return 1
  shift 2
  off=
  for want do
    what=\${want%%=*}
    if [ "$what" = emulator ]; then tid=$pid label=emulator; else
      label="vCPU $what"
      tid=$(printf '%s\\n' "$cpus" | grep -E "\\"cpu-index\\": *$what([^0-9]|\\$)" |
        sed -n 's/.*"thread-id": *\\([0-9][0-9]*\\).*/\\1/p')
    fi
    [ "$(sed -n 's/^Cpus_allowed_list:[[:space:]]*//p' "/proc/$tid/status" 2>/dev/null)" = "\${want#*=}" ] ||
      off="$off, $label"
  done
  status="\${off#, } not on the wanted cores"
  [ -z "$off" ]
}
# pin_vcpu SOCKET NAME VCPU CORES: the thread QEMU reports for cpu-index VCPU (QMP query-cpus-fast) to CORES.
pin_vcpu() {
  is_ours "$2" || { error 'QEMU is not running: cannot pin its vCPU threads'; return 1; }
  tid=$(qmp "$1" query-cpus-fast | sed 's/"props": *{[^}]*}//g' | tr '}' '\\n' |
    grep -E "\\"cpu-index\\": *$3([^0-9]|\\$)" | sed -n 's/.*"thread-id": *\\([0-9][0-9]*\\).*/\\1/p')
  if [ -z "$tid" ]; then error "QEMU reports no vCPU $3 (query-cpus-fast): cannot pin it"; return 1; fi
  say "vCPU $3 (thread $tid) to cores $4"
  taskset -pc "$4" "$tid" >/dev/null
}
# ssh_banner HOST PORT CONSOLE: the guest's sshd sends its banner. (QEMU's user networking accepts TCP at
# once, before the guest listens: only the banner proves sshd is up.)
ssh_banner() {
  status='no SSH banner yet' detail=$3 hint="check the guest console ($3); raise TIMEOUT_SSH if the guest is just slow"
  [ "$(socat -T1 -u "TCP:$1:$2,connect-timeout=1,readbytes=4" - 2>/dev/null)" = SSH- ]
}

# q WORD: WORD single-quoted for the guest's shell.
q() { printf "'%s'" "$(printf '%s\\n' "$1" | sed "s/'/'\\"'\\"'/g")"; }
# in_guest COMMAND...: runs COMMAND (quoted for the guest's shell) in the guest; fails if it fails.
in_guest() {
  guest "$@" || { rc=$?; error "in the guest, $(printf '%.200s' "$*") failed (exit $rc)"; return 1; }
}
# guest_started PIDFILE LOG [READY]: the process in the guest's PIDFILE runs (its recorded start time), has
# written to LOG and, when given, READY exists (PID in it: the process's pid); fails at once if it has exited.
guest_started() {
  out=$(guest "$GUEST_STATE" state "$(q "$1")" "$(q "$2")" \${3:+"$(q "$3")"}) ||
    fail 1 "cannot tell whether the guest lwAFTR runs: ssh failed (exit $?)"
  set -f; set -- "$1" "$2" $out; set +f
  case $3 in
    running)
      if [ "\${5:-0}" -eq 0 ]; then status="guest pid $4 running, no output yet"; return 1; fi
      if [ "\${6:-1}" = 0 ]; then status="guest pid $4 running, not ready yet"; return 1; fi
      return 0 ;;
    dead | stopped)
      guest tail -n 20 "$(q "$2")" >&2 || true
      fail 1 "the guest process exited right after it started ($3)" ;;
  esac
  fail 1 "cannot tell whether the guest lwAFTR runs: $out"
}
# guest_gone PIDFILE: the process in the guest's PIDFILE has exited (then its pid file is removed).
guest_gone() {
  out=$(guest "$GUEST_STOP" gone "$(q "$1")" -) ||
    fail 1 "cannot tell whether the guest lwAFTR has exited: ssh failed (exit $?)"
  case $out in
    running*) status="guest pid \${out#running } still running"; return 1 ;;
  esac
}
# backend_connected NAME LOG TEXT SOCKET CHARDEV: a backend started while QEMU runs is alive, past its
# start line, and QEMU sees it connected.
backend_connected() {
  printed "$1" "$2" "$3" || return 1
  connected "$4" "$5" && return 0
  status='running, QEMU does not see it connected yet'
  return 1
}
`;
