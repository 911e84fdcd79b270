// The dry-run script's helpers, part 2: processes proven this instance's before anything is
// signalled (pid file, recorded start time, command line), spawned, and cleaned up after.
// Shell text (POSIX sh): `\\` and `\${` below are \ and ${ in the script.
export const SCRIPT_LIB_PROCESSES = `
# start_time PID: field 22 of /proc/PID/stat (clock ticks since boot), read past the command name.
start_time() { sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f20; }
# identify PIDFILE RECORD LABEL WORD...: what each proc_NAME function below calls. Sets $state to running,
# dead, foreign or stopped (and $pid, $why), proving a process this instance's as lwaftrctl does: the pid
# in its pid file (else in its record), alive and not a zombie, started when its record says, and its
# command line holding every WORD.
identify() {
  P_PIDFILE=$1 P_RECORD=$2 P_LABEL=$3 pid='' why='' rec_pid='' rec_start=''
  shift 3
  if [ -r "$P_PIDFILE" ]; then read -r pid _ <"$P_PIDFILE" || true; fi
  case $pid in *[!0-9]*) pid= ;; esac
  if [ -r "$P_RECORD" ]; then
    rec_pid=$(sed -n 's/.*"pid":\\([0-9][0-9]*\\).*/\\1/p' "$P_RECORD")
    rec_start=$(sed -n 's/.*"startTime":"\\([0-9][0-9]*\\)".*/\\1/p' "$P_RECORD")
    if [ -z "$rec_start" ]; then rec_pid=; fi
  fi
  pid=\${pid:-$rec_pid}
  if [ -z "$pid" ]; then state=stopped; return 0; fi
  stat=$(sed 's/.*) //' "/proc/$pid/stat" 2>/dev/null || true)
  case \${stat%% *} in '' | Z | X) state=dead; return 0 ;; esac
  pstart=$(printf '%s\\n' "$stat" | cut -d' ' -f20)
  if [ -n "$rec_pid" ] && { [ "$rec_pid" != "$pid" ] || [ "$rec_start" != "$pstart" ]; }; then
    state=foreign why="pid $pid started at another time than the one lwaftrctl recorded: it is another process now"
    return 0
  fi
  # A process in the middle of execve shows an empty command line for a moment: read again.
  tries=0
  while cmdline=$(tr '\\0' '\\n' <"/proc/$pid/cmdline" 2>/dev/null) && [ -z "$cmdline" ] && [ $tries -lt 20 ]; do
    tries=$((tries + 1)); sleep 0.01
  done
  missing=
  for w do
    case "$NL$cmdline$NL" in *"$NL$w$NL"*) ;; *) missing="$missing $w" ;; esac
  done
  if [ -n "$missing" ]; then
    state=foreign why="pid $pid is not $P_LABEL (its command line lacks$missing)"
    return 0
  fi
  state=running
}
NL='
'
# is_ours NAME: NAME's process runs and is proven this instance's.
is_ours() { "proc_$1"; [ "$state" = running ]; }
# gone NAME...: none of them runs as this instance's any more.
gone() {
  for p do
    if is_ours "$p"; then status="$P_LABEL still running"; return 1; fi
  done
}
# signal_ours SIGNAL NAME...: SIGNAL to each process proven this instance's; never to one it cannot prove.
signal_ours() {
  sig=$1; shift
  for p do
    "proc_$p"
    case $state in
      running) say "$P_LABEL: SIG$sig to pid $pid"; kill -s "$sig" "$pid" 2>/dev/null || true ;;
      foreign) warn "not signalling $P_LABEL: $why" ;;
    esac
  done
}
# forget_stale NAME...: the pid file and record of each process proven not running (or not ours) go.
forget_stale() {
  for p do
    "proc_$p"
    if [ "$state" = foreign ]; then warn "$P_LABEL: $why; its stale pid file is removed"; fi
    if [ "$state" != running ]; then rm -f "$P_PIDFILE" "$P_RECORD"; fi
  done
}
# refuse_running NAME...: this script starts from nothing; stops if one of them runs already.
refuse_running() {
  for p do
    if is_ours "$p"; then
      fail 1 "$P_LABEL of this instance is running already (pid $pid): this script starts from nothing" \\
        "stop it first: $stop_command"
    fi
  done
}
# need_running WHY FIX NAME...: stops unless each one runs as this instance's.
need_running() {
  why_needed=$1 fix=$2; shift 2
  for p do
    is_ours "$p" || fail 1 "$P_LABEL is not running: $why_needed" "$fix"
  done
}
# write_record NAME: its identity record, {"pid":N,"startTime":"T"}, as lwaftrctl writes it.
write_record() {
  "proc_$1"
  printf '{"pid":%s,"startTime":"%s"}\\n' "$pid" "$pstart" >"$P_RECORD"
}

# run_in DIR ARGV...: runs ARGV in DIR to its end; fails if it fails.
run_in() {
  dir=$1; shift
  (cd "$dir" && exec "$@") || { rc=$?; error "$* failed (exit $rc)"; return 1; }
}

# spawn NAME LOG DIR ARGV...: starts ARGV in DIR in its own session, output appended to LOG, its pid in
# NAME's pid file; once it has exec'd (its command line proves it), its identity record.
spawn() {
  name=$1 log=$2 dir=$3; shift 3
  "proc_$name"
  (cd "$dir" && exec setsid "$@" >>"$log" 2>&1 </dev/null) &
  echo $! >"$P_PIDFILE"
  try_for 5 exec_done "$name" || true
  is_ours "$name" || fail 1 "$P_LABEL exited at once: $1 \${2:-} \${3:-} …" "" "$log"
  write_record "$name"
  say "$P_LABEL: started (pid $pid)"
}
exec_done() { "proc_$1"; [ "$state" != foreign ]; }

# printed NAME LOG TEXT: NAME's process runs and LOG holds TEXT. Its identity record is written the first
# time it is seen alive (its pid file comes from the screen wrapper), as lwaftrctl does.
printed() {
  "proc_$1"
  detail=$2
  case $state in
    stopped) status='no pid yet'; return 1 ;;
    dead | foreign) fail 1 "$P_LABEL exited right after it started" "" "$2" ;;
  esac
  if [ ! -e "$P_RECORD" ]; then write_record "$1"; fi
  if grep -qF -e "$3" "$2" 2>/dev/null; then return 0; fi
  status='running, no start line yet'
  return 1
}

# screen_quit SESSION NAME: closes the screen session left around NAME's program, only if lwaftrctl
# started it (its command line holds NAME's pid file).
screen_quit() {
  "proc_$2"
  { screen -ls || true; } | while read -r id _; do
    if [ "\${id#*.}" != "$1" ]; then continue; fi
    if tr '\\0' '\\n' <"/proc/\${id%%.*}/cmdline" 2>/dev/null | grep -qxF -e "$P_PIDFILE"; then
      screen -S "$id" -X quit || true
    else
      warn "leaving screen session $id: lwaftrctl did not start it"
    fi
  done
}
# listening SOCKET: a process listens on the unix socket SOCKET (/proc/net/unix, flag __SO_ACCEPTCON).
listening() {
  while read -r _ _ _ flags _ _ _ path; do
    if [ "$flags" = 00010000 ] && [ "$path" = "$1" ]; then return 0; fi
  done </proc/net/unix
  return 1
}
# clean_after NAME SOCKET...: once NAME's process is proven gone, its pid file, its record, and the sockets
# nobody listens on any more (a process killed hard leaves them behind).
clean_after() {
  p=$1; shift
  if is_ours "$p"; then return 0; fi
  forget_stale "$p"
  clean_sockets "$@"
}
# clean_sockets SOCKET...: removes those nobody listens on any more.
clean_sockets() {
  for s do
    if [ -S "$s" ] && ! listening "$s"; then rm -f "$s"; fi
  done
}
`;
