// The dry-run script's helpers, part 1: messages, waits with deadlines, the instance lock.
// Shell text (POSIX sh), the same in every script: `\\` and `\${` below are \ and ${ in the script.
export const SCRIPT_LIB_CORE = `
me=\${0##*/}
# What to say if the script fails half-way (set once it has begun to change things).
failed_hint=''
say() { printf '%s: %s\\n' "$me" "$*"; }
warn() { printf '%s: warning: %s\\n' "$me" "$*" >&2; }
error() { printf '%s: %s\\n' "$me" "$*" >&2; }
# fail CODE MESSAGE [FIX] [LOG]: says what went wrong, the last lines of LOG and how to fix it; exits with CODE.
fail() {
  error "$2"
  if [ -n "\${4:-}" ] && [ -s "$4" ]; then
    printf -- '--- last 20 lines of %s ---\\n' "$4" >&2
    tail -n 20 "$4" >&2
  fi
  if [ -n "\${3:-}" ]; then printf 'fix: %s\\n' "$3" >&2; fi
  exit "$1"
}
# need PROGRAM...: each is installed (on PATH, or an executable path).
need() {
  for p do command -v "$p" >/dev/null || fail 1 "$p is not installed or not on PATH"; done
}

# clock: centiseconds since boot, in $now. centis SECONDS: seconds (decimals allowed) in centiseconds, in $cs.
clock() { read -r up _ </proc/uptime; now=\${up%.*}\${up#*.}; }
centis() {
  case $1 in
    *.*) f=\${1#*.}00; cs=$((\${1%.*} * 100 + 1\${f%"\${f#??}"} - 100)) ;;
    *) cs=$(($1 * 100)) ;;
  esac
}
# try_for SECONDS CHECK [ARG...]: runs CHECK every 0.1s until it succeeds, or returns 1 once SECONDS have
# passed. CHECK sets $status to what it saw, $detail to a log worth showing, $hint to a fix; a CHECK
# that finds waiting pointless (the process died) fails the script at once.
try_for() {
  centis "$1"; shift; clock; end=$((now + cs)); status='' detail='' hint=''
  until "$@"; do
    clock; [ "$now" -lt "$end" ] || return 1
    sleep 0.1
  done
}
# wait_for SECONDS WHAT CHECK [ARG...]: try_for, and at the deadline fails with exit 124 as lwaftrctl does.
wait_for() {
  secs=$1 what=$2; shift 2
  try_for "$secs" "$@" ||
    fail 124 "timed out after \${secs}s waiting for $what\${status:+ (last seen: $status)}" "$hint" "$detail"
}

# take_lock FILE: one lwaftrctl (or script) at a time per instance, with lwaftrctl's own lock: FILE
# names its holder (pid and start time), so a lock whose holder is gone is taken over, never guessed.
take_lock() {
  lock=$1
  printf '{"pid":%s,"startTime":"%s"}\\n' $$ "$(start_time $$)" >"$lock.$$"
  tries=0
  until ln "$lock.$$" "$lock" 2>/dev/null; do
    tries=$((tries + 1))
    if [ $tries -gt 5 ]; then
      rm -f "$lock.$$"
      fail 1 "cannot take the lock $lock" "check that its folder can be written"
    fi
    holder=$(sed -n 's/.*"pid":\\([0-9]*\\).*/\\1/p' "$lock" 2>/dev/null || true)
    if [ -n "$holder" ] && [ "$(start_time "$holder")" = "$(sed -n 's/.*"startTime":"\\([0-9]*\\)".*/\\1/p' "$lock")" ]
    then
      rm -f "$lock.$$"
      fail 75 "another lwaftrctl (pid $holder) is working on this instance" "wait for it to finish and try again"
    fi
    rm -f "$lock"
  done
  rm -f "$lock.$$"
  trap 'rc=$?; release_lock; if [ "$rc" != 0 ] && [ -n "$failed_hint" ]; then error "$failed_hint"; fi' EXIT
  trap 'exit 130' INT TERM
}
release_lock() {
  if [ "$(sed -n 's/.*"pid":\\([0-9]*\\).*/\\1/p' "$lock" 2>/dev/null)" = $$ ]; then rm -f "$lock" "$lock".stopped-*; fi
}
# tolerate WARNING FUNCTION: runs FUNCTION (in a subshell: what it sets is lost), stopping at its first
# failure; then warns and goes on.
tolerate() {
  set +e; (set -e; "$2"); rc=$?; set -e
  [ "$rc" = 0 ] || warn "$1"
}
`;
