#!/bin/bash
# Send known packet streams through the whole lab chain and check them, packet
# for packet: the host backend of one port (the snabbnfv stand-in) sends a
# capture into the guest, the guest lwAFTR stand-in forwards it from one NIC to
# the other, and the other port's backend records what comes out.
#
#   port 1 backend --> guest IPv4 NIC --> lwAFTR stand-in --> guest IPv6 NIC --> port 2 backend
#   (then the other way, with the IPv6 stream)
#
# Counted on all four sides: frames the sending backend put into the guest, the
# guest lwAFTR's in- and out- counters (read from its Snabb counter files over
# SSH), and frames the receiving backend took from the guest; then the recorded
# capture is compared with the one sent. Exits 0 only when every frame came
# through unchanged, in order, in both directions.
#
# Needs the instance of <conf> up (`lwaftrctl -f <conf> all start`) with the lab
# stand-ins on both sides: it drives the backends through their lab-only
# request file (see lab_traffic_poll in scripts/lab/snabb). The streams are
# <repo>/lab/traffic/v4.pcap and v6.pcap (scripts/build-lab-traffic.sh).
#
# Usage: scripts/lab-traffic.sh [--v4 FILE] [--v6 FILE] [--repeat N] [--timeout S] <conf>
#   --v4, --v6   other captures to send (Ethernet, frames of at most 1514 bytes)
#   --repeat N   send each capture N times in a row (a longer run, for the rate)
#   --timeout S  for each direction (default 60)
set -euo pipefail

SELF=$(realpath "${BASH_SOURCE[0]}")
readonly REPO=${SELF%/scripts/*}
readonly CLI=$REPO/dist/cli.js
readonly PCAP=$REPO/scripts/lab/pcap.mjs
# Frames still on the way move within this; the guest starts them within 2 s.
readonly STALL_MS=8000

die() { echo "lab-traffic: error: $*" >&2; exit 1; }
say() { echo "lab-traffic: $*"; }

# The run folders of backends sent an attach and not yet a detach they answered: finish
# detaches them whatever ends the run (an error, a timeout, Ctrl-C).
declare -A ATTACHED=()

usage() {
  echo "usage: $0 [--v4 FILE] [--v6 FILE] [--repeat N] [--timeout S] <conf>" >&2
  exit 2
}

now_ms() { date +%s%3N; }

# --- the instance, as lwaftrctl sees it ----------------------------------------

# Sets SOCK1 SOCK2 PID1 PID2 (the snabbnfv processes), SSH_* LW_NAME V4_PCI
# V6_PCI from lwaftrctl itself: its status of the backends and its dry run of
# the lwAFTR start, so that the config is read exactly as lwaftrctl reads it.
read_instance() {
  local status plan vars
  status=$(node "$CLI" -f "$CONF" --json status snabbnfv) ||
    die "the backends of $CONF are not running (lwaftrctl status exited $?): run lwaftrctl -f $CONF all start"
  plan=$(node "$CLI" -f "$CONF" --json --dry-run lwaftr start) || die "lwaftrctl -f $CONF --dry-run lwaftr start failed"
  vars=$(node -e '
    const [status, plan] = process.argv.slice(1).map((t) => JSON.parse(t));
    const q = (v) => "\x27" + String(v ?? "").replace(/\x27/g, "\x27\\\x27\x27") + "\x27";
    const step = plan.plans[0].steps.find((s) => s.kind === "remote" && s.argv.includes("--v4")) ?? { argv: [], ssh: {} };
    const argv = step.argv, ssh = step.ssh, [p1, p2] = status.snabbnfv.ports;
    const opt = (name) => { const i = argv.indexOf(name); return i < 0 ? "" : argv[i + 1]; };
    const out = { SOCK1: p1.socket, SOCK2: p2.socket, PID1: p1.pid, PID2: p2.pid,
      SSH_HOST: ssh.host, SSH_PORT: ssh.port, SSH_USER: ssh.user, SSH_KEY: ssh.identityFile, SSH_KNOWN: ssh.knownHosts,
      LW_NAME: opt("--name"), V4_PCI: opt("--v4"), V6_PCI: opt("--v6") };
    console.log(Object.entries(out).map(([k, v]) => `${k}=${q(v)}`).join("\n"));
  ' "$status" "$plan") || die "cannot read lwaftrctl's status and plan of $CONF (see above)"
  eval "$vars"
  [ -n "$PID1" ] && [ -n "$PID2" ] || die "the backends of $CONF are not both running: run lwaftrctl -f $CONF all start"
  [ -n "$LW_NAME" ] || die "the lwAFTR of $CONF is not the built-in 'snabb lwaftr run' (LWAFTR_CONF): its counters cannot be found"
}

# --- the backends (snabbnfv stand-ins) -----------------------------------------

# The run folder of the stand-in with pid <pid>: its command FIFO is on fd 3.
backend_run_dir() { # <pid>
  local fifo
  fifo=$(readlink "/proc/$1/fd/3" 2>/dev/null) && [ -p "$fifo" ] ||
    die "snabbnfv process $1 is not the lab's stand-in (no command FIFO on fd 3): lab-traffic drives only the stand-in"
  dirname "$fifo"
}

# Sets RX and TX: the counts of the vhost-user port (port 0) in the stand-in's
# last answer to testpmd's "show port stats" (it asks every second).
backend_counters() { # <run dir>
  local line
  line=$(awk '$2 == 0 { print $3, $5 }' "$1/stats" 2>/dev/null) || line=
  read -r RX TX <<<"$line"
  [[ $RX =~ ^[0-9]+$ && $TX =~ ^[0-9]+$ ]] ||
    die "no counts of port 0 in $1/stats (the backend's answers to testpmd's show port stats): see the backend's screen log"
}

# Until the <rx|tx> count of a backend has reached <n>, or the deadline, or
# it has not moved for STALL_MS (the frames that were coming have come).
backend_wait() { # <run dir> <rx|tx> <n>
  local c last=-1 moved
  moved=$(now_ms)
  while :; do
    backend_counters "$1"
    if [ "$2" = rx ]; then c=$RX; else c=$TX; fi
    [ "$c" -lt "$3" ] || break
    [ "$c" = "$last" ] || { last=$c; moved=$(now_ms); }
    [ "$(now_ms)" -lt "$DEADLINE" ] && [ $(($(now_ms) - moved)) -lt "$STALL_MS" ] || break
    sleep 0.1
  done
}

# Writes one request line, whole (.new, then mv: the stand-in never reads half of one), once
# the stand-in has taken the one before: it deletes the file after reading it, and would
# delete a request written in between unread. A request not taken within 5 s is replaced.
write_request() { # <run dir> <request...>
  local dir=$1 i
  shift
  for ((i = 0; i < 50; i++)); do
    [ -e "$dir/lab-traffic.req" ] || break
    sleep 0.1
  done
  rm -f "$dir/lab-traffic.ports"
  echo "$*" >"$dir/lab-traffic.req.new" && mv -f "$dir/lab-traffic.req.new" "$dir/lab-traffic.req"
}

# Until testpmd reports <ports> ports (its answer to the last request), for up to 10 s.
ports_reach() { # <run dir> <ports>
  local i
  for ((i = 0; i < 100; i++)); do
    [ "$(cat "$1/lab-traffic.ports" 2>/dev/null)" != "$2" ] || return 0
    sleep 0.1
  done
  return 1
}

# Writes a request and waits until testpmd reports <ports> ports.
backend_request() { # <run dir> <ports expected> <request...>
  local dir=$1 want=$2
  shift 2
  [ "$1" != attach ] || ATTACHED[$dir]=1
  write_request "$dir" "$@"
  ports_reach "$dir" "$want" || die "the backend in $dir did not answer '$*' within 10 s (see its screen log)"
  [ "$1" != detach ] || unset "ATTACHED[$dir]"
}

# --- the guest lwAFTR's counters ----------------------------------------------

# Runs <argv> in the guest. ssh hands the remote shell one string: each word
# is quoted here, once, with POSIX single quotes.
guest() { # <argv...>
  local cmd='' w q="'\\''"
  for w in "$@"; do cmd="$cmd '${w//\'/$q}'"; done
  ssh -o BatchMode=yes -o StrictHostKeyChecking=yes -o UserKnownHostsFile="$SSH_KNOWN" -o ConnectTimeout=5 \
    -i "$SSH_KEY" -p "$SSH_PORT" "$SSH_USER@$SSH_HOST" "$cmd"
}

# Sets G: "in-ipv4 out-ipv6 in-ipv6 out-ipv4" packets from the lwAFTR's counter
# files (8-byte integers, the layout of Snabb v2017.11: see scripts/lab/snabb).
# With <counter> <target> <seconds>, first waits in the guest until that
# counter reaches the target (it publishes every second) or the time is up:
# one SSH round trip either way.
guest_counters() { # [<counter> <target> <seconds>]
  local dir="/var/run/snabb/by-name/$LW_NAME/apps/lwaftr" out
  # shellcheck disable=SC2016 # expanded in the guest
  out=$(guest sh -c 'cd "$1" || exit 1; i=0; while [ -n "$2" ] && [ $(od -An -tu8 "$2.counter") -lt "$3" ] && [ $i -lt $(($4 * 5)) ]; do sleep 0.2; i=$((i + 1)); done; od -An -tu8 -v in-ipv4-packets.counter out-ipv6-packets.counter in-ipv6-packets.counter out-ipv4-packets.counter' \
    counters "$dir" "${1:-}" "${2:-0}" "${3:-0}") ||
    die "cannot read the guest lwAFTR's counters in $dir (is it running, under the name $LW_NAME?)"
  G=$(xargs <<<"$out") # od's columns, on one line
  [[ $G =~ ^[0-9]+\ [0-9]+\ [0-9]+\ [0-9]+$ ]] || die "the guest lwAFTR's counters in $dir are not four numbers: '$G'"
}

# --- captures -----------------------------------------------------------------

frames() { node "$PCAP" frames "$1"; }      # one line per frame: its bytes in hex
frame_count() { node "$PCAP" count "$1"; }
capture_rate() { node "$PCAP" rate "$1"; }  # frames/s, first to last timestamp

empty_capture() { printf '\xd4\xc3\xb2\xa1\x02\x00\x04\x00\0\0\0\0\0\0\0\0\xff\xff\0\0\x01\0\0\0'; }

# <file> repeated <n> times, as one capture.
repeat_capture() { # <file> <n> <out>
  local i
  head -c 24 "$1" >"$3"
  for ((i = 0; i < $2; i++)); do tail -c +25 "$1" >>"$3"; done
}

# On any exit: no backend is left sending or recording, no file left. Waits for each
# detach to be answered, so that the next run finds the backends as they were.
finish() {
  local dir
  for dir in "${!ATTACHED[@]}"; do
    [ -d "$dir" ] || continue # the backend has ended, and its pcap port with it
    write_request "$dir" detach && ports_reach "$dir" 1 ||
      echo "lab-traffic: warning: the backend in $dir did not answer detach within 10 s: it may still be recording (see its screen log)" >&2
  done
  rm -rf "$WORK"
}

# One of the guest's counts in G.
g_count() { # in-ipv4 | out-ipv6 | in-ipv6 | out-ipv4
  local a b c d
  read -r a b c d <<<"$G"
  case $1 in in-ipv4) echo "$a" ;; out-ipv6) echo "$b" ;; in-ipv6) echo "$c" ;; out-ipv4) echo "$d" ;; esac
}

# --- one direction ------------------------------------------------------------

# Sends <capture> from backend <from> to backend <to> and prints the counts; sets
# FAILED=1 unless every frame came through unchanged. It is not run in a condition
# (as in `direction || ...`): that would turn set -e off in it and all it calls.
# The guest's counters before are in G (in-ipv4 out-ipv6 in-ipv6 out-ipv4);
# they are left there as they are after.
direction() { # <label> <capture> <from run dir> <to run dir> <in family> <out family> <in pci> <out pci> <from port> <to port>
  local label=$1 cap=$2 from=$3 to=$4 fin=$5 fout=$6 pin=$7 pout=$8 nfrom=$9 nto=${10}
  local n out=$WORK/$label.out.pcap back=$WORK/$label.back.pcap
  n=$(frame_count "$cap") || die "cannot count the frames of $cap (see above)"
  [ "$n" -gt 0 ] || die "$cap holds no frames"
  local b_tx0 b_rx0 g_in0 g_out0 b_tx1 b_rx1 g_in1 g_out1 t0 took
  # The chain is idle: the last answers hold the counts as they are now.
  backend_counters "$from"
  b_tx0=$TX
  backend_counters "$to"
  b_rx0=$RX
  g_in0=$(g_count "in-$fin") g_out0=$(g_count "out-$fout")

  t0=$(now_ms)
  DEADLINE=$((t0 + TIMEOUT * 1000))
  backend_request "$to" 2 attach "$WORK/empty.pcap" "$out"
  backend_request "$from" 2 attach "$cap" "$back"
  backend_wait "$to" rx $((b_rx0 + n))
  took=$(($(now_ms) - t0))
  backend_wait "$from" tx $((b_tx0 + n))
  guest_counters "out-$fout-packets" $((g_out0 + n)) $(((DEADLINE - $(now_ms)) / 1000 + 1))
  g_in1=$(g_count "in-$fin") g_out1=$(g_count "out-$fout")
  backend_request "$from" 1 detach
  backend_request "$to" 1 detach
  backend_counters "$from"
  b_tx1=$TX
  backend_counters "$to"
  b_rx1=$RX

  local got returned same=no first_diff='' sent=$WORK/$label.sent.txt recorded=$WORK/$label.recorded.txt
  got=$(frame_count "$out") || die "cannot count the frames recorded in $out (see above)"
  returned=$(frame_count "$back") || die "cannot count the frames recorded in $back (see above)"
  frames "$cap" >"$sent" || die "cannot read the frames of $cap (see above)"
  frames "$out" >"$recorded" || die "cannot read the frames recorded in $out (see above)"
  if cmp -s "$sent" "$recorded"; then same=yes
  else first_diff=$(diff "$sent" "$recorded" | sed -n '1s/^\([0-9]*\).*/\1/p')
  fi
  # A short stream arrives in one burst (the guest's ring holds 256 frames): no rate from it.
  local rate="- (a short stream; --repeat for a rate)"
  if [ "$n" -ge 1000 ]; then
    rate=$(capture_rate "$out") || die "cannot read the timestamps of $out (see above)"
    rate="$rate frames/s"
  fi

  printf '%s: %d frames, port %d -> port %d, in %d.%03d s\n' "$label" "$n" "$nfrom" "$nto" $((took / 1000)) $((took % 1000))
  printf '  %-44s %d\n' "backend $nfrom sent into the guest" $((b_tx1 - b_tx0)) \
    "guest lwAFTR received on $pin (in-$fin-packets)" $((g_in1 - g_in0)) \
    "guest lwAFTR sent on $pout (out-$fout-packets)" $((g_out1 - g_out0)) \
    "backend $nto took from the guest" $((b_rx1 - b_rx0)) \
    "recorded by backend $nto" "$got" \
    "came back to backend $nfrom" "$returned"
  printf '  %-44s %s\n' "recording identical to the capture sent" "$same${first_diff:+ (first difference at frame $first_diff)}" \
    "rate, first to last frame recorded" "$rate"
  if ! { [ $((b_tx1 - b_tx0)) -eq "$n" ] && [ $((g_in1 - g_in0)) -eq "$n" ] && [ $((g_out1 - g_out0)) -eq "$n" ] &&
    [ $((b_rx1 - b_rx0)) -eq "$n" ] && [ "$got" -eq "$n" ] && [ "$returned" -eq 0 ] && [ "$same" = yes ]; }; then
    FAILED=1
  fi
}

main() {
  local v4=$REPO/lab/traffic/v4.pcap v6=$REPO/lab/traffic/v6.pcap repeat=1
  TIMEOUT=60
  while [ $# -gt 0 ]; do
    case $1 in
      --v4) [ $# -ge 2 ] || usage; v4=$2; shift 2 ;;
      --v6) [ $# -ge 2 ] || usage; v6=$2; shift 2 ;;
      --repeat) [ $# -ge 2 ] && [[ $2 =~ ^[1-9][0-9]*$ ]] || usage; repeat=$2; shift 2 ;;
      --timeout) [ $# -ge 2 ] && [[ $2 =~ ^[1-9][0-9]*$ ]] || usage; TIMEOUT=$2; shift 2 ;;
      -*) usage ;;
      *) break ;;
    esac
  done
  [ $# -eq 1 ] || usage
  CONF=$1
  [ "$(id -u)" -eq 0 ] || die "run as root (it writes into the backends' run folders)"
  [ -f "$CLI" ] || die "missing $CLI: run ./scripts/setup.sh"
  local f
  for f in "$v4" "$v6"; do
    [ -r "$f" ] || die "cannot read $f (scripts/build-lab-traffic.sh <labdir> builds the lab's streams)"
  done

  read_instance
  local run1 run2
  run1=$(backend_run_dir "$PID1")
  run2=$(backend_run_dir "$PID2")
  WORK=$(mktemp -d "${TMPDIR:-/tmp}/lab-traffic.XXXXXX")
  trap finish EXIT
  # Signals end the run through exit, so that finish runs for them too.
  trap 'exit 130' INT
  trap 'exit 143' TERM
  empty_capture >"$WORK/empty.pcap"
  repeat_capture "$v4" "$repeat" "$WORK/v4.pcap"
  repeat_capture "$v6" "$repeat" "$WORK/v6.pcap"

  say "instance of $CONF: backends $SOCK1 and $SOCK2, guest lwAFTR '$LW_NAME' on $V4_PCI (IPv4) and $V6_PCI (IPv6)"
  FAILED=0
  guest_counters
  direction ipv4 "$WORK/v4.pcap" "$run1" "$run2" ipv4 ipv6 "$V4_PCI" "$V6_PCI" 1 2
  direction ipv6 "$WORK/v6.pcap" "$run2" "$run1" ipv6 ipv4 "$V6_PCI" "$V4_PCI" 2 1
  if [ "$FAILED" -eq 0 ]; then say "PASS: every frame came through, unchanged and in order, both ways"
  else say "FAIL: frames were lost or changed (see the counts above)"
  fi
  return "$FAILED"
}

main "$@"
