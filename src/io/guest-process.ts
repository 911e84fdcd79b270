// A program this tool starts detached in the guest, its pid and start time recorded there, so
// that it is later signalled only if it is still that process. Remote commands are argv; the only
// shell text is the constant scripts below, which take every value as a positional parameter.
import { OperationError } from '../errors.js';
import { quoteArgv } from '../shell/quote.js';
import type { RemoteResult } from './guest-ssh.js';

/**
 * $1 folder, $2 pid file, $3 log, then the command. Starts it in its own session, detached from
 * the SSH channel, and records "pid starttime" (field 22 of /proc/PID/stat, read past the comm).
 * Run through sudo, it gives the folder to the SSH user (SUDO_UID): status, which runs without
 * sudo, keeps its counter sample there.
 */
export const GUEST_LAUNCH =
  'dir=$1 pidfile=$2 log=$3; shift 3; mkdir -p "$dir" && cd || exit 1; ' +
  '[ -z "$SUDO_UID" ] || chown "$SUDO_UID:$SUDO_GID" "$dir" || exit 1; ' +
  'setsid "$@" >"$log" 2>&1 </dev/null & pid=$!; ' +
  'start=$(sed "s/.*) //" /proc/$pid/stat | cut -d" " -f20); echo "$pid $start" >"$pidfile"; echo "$pid $start"';

/** Offset of the device status register in the legacy virtio-pci BAR0; writing 0 resets the device. */
export const VIRTIO_STATUS_OFFSET = 18;

/**
 * $1 pid file, $2 signal (or - for none), then the PCI addresses of the NICs to reset first.
 * Acts only if the recorded pid still has the recorded start time (a reused pid is never hit);
 * a pid file whose process is gone is removed. One SSH round trip for check, reset and signal.
 */
export const GUEST_STOP_RECORDED =
  'pidfile=$1 sig=$2; shift 2; nics=$*; test -r "$pidfile" || { echo stopped; exit 0; }; ' +
  'read pid start <"$pidfile"; set -- $(sed "s/.*) //" /proc/$pid/stat 2>/dev/null); ' +
  'if [ $# -lt 20 ] || [ "$1" = Z ] || [ "${20}" != "$start" ]; then rm -f "$pidfile"; echo gone; exit 0; fi; ' +
  'for d in $nics; do ' +
  `dd if=/dev/zero of=/sys/bus/pci/devices/$d/resource0 bs=1 seek=${VIRTIO_STATUS_OFFSET} count=1 conv=notrunc ` +
  '2>/dev/null || { echo "cannot reset $d" >&2; exit 1; }; done; ' +
  'if [ "$sig" = - ]; then echo "running $pid"; ' +
  'else kill -"$sig" "$pid" && echo "guest lwAFTR (pid $pid): sent $sig"; fi';

/**
 * The PCI addresses of NICs to reset: each that no kernel driver owns (a userspace driver had it,
 * maybe one that crashed) gets its status register set to 0, so that the backend stops writing
 * into memory its dead driver left. A NIC the guest kernel drives is left alone.
 */
export const GUEST_RESET_UNOWNED =
  'for d in "$@"; do [ -e /sys/bus/pci/devices/$d/driver ] && continue; ' +
  `dd if=/dev/zero of=/sys/bus/pci/devices/$d/resource0 bs=1 seek=${VIRTIO_STATUS_OFFSET} count=1 conv=notrunc ` +
  '2>/dev/null || { echo "cannot reset $d" >&2; exit 1; }; done';

export function guestResetUnownedArgv(nics: readonly string[]): string[] {
  return ['sh', '-c', GUEST_RESET_UNOWNED, 'reset', ...nics];
}

/**
 * A shell function, process_state PIDFILE LOG [READY]: prints "running PID LOGBYTES READY",
 * "dead PID" (files left, process gone or its pid reused) or "stopped" (no pid file); then the
 * log's last line, always as one line (empty when the log is), so that status needs one round
 * trip and more can follow. Leaves $pid set when there was a pid file.
 */
export const PROCESS_STATE_FUNCTION =
  'process_state() { pid=; test -r "$1" || { echo stopped; return 0; }; read pid start <"$1"; ' +
  'ready=${3:+${3%%PID*}$pid${3#*PID}}; ' +
  'stat=$(sed "s/.*) //" /proc/$pid/stat 2>/dev/null); set -- "$1" "$2" $stat; ' +
  'if [ -n "$stat" ] && [ "$3" != Z ] && [ "${22}" = "$start" ]; ' +
  'then ok=1; [ -z "$ready" ] || [ -e "$ready" ] || ok=0; ' +
  'echo "running $pid $(wc -c <"$2" 2>/dev/null || echo 0) $ok"; ' +
  'else echo "dead $pid"; fi; printf "%s\\n" "$(tail -n 1 "$2" 2>/dev/null)"; }';

/** $1 pid file, $2 log, $3 the ready path (PID for the pid), if any: process_state of them. */
export const GUEST_PROCESS_STATE = `${PROCESS_STATE_FUNCTION}; process_state "$@"`;

/**
 * What needs root in the guest (the NIC resets, starting and signalling the lwAFTR, removing its
 * pid file): run through `sudo -n` when VM_USER is not root, as the bash tool's sudoer users were.
 * -n: a sudo that would ask for a password fails at once instead of hanging.
 */
export function asRoot(user: string, argv: string[]): string[] {
  return user === 'root' ? argv : ['sudo', '-n', ...argv];
}

/** A guest command's failure, said plainly when it is sudo's. */
export function guestFailure(user: string, argv: string[], r: RemoteResult): OperationError {
  const said = (r.stderr || r.stdout).trim();
  if (argv[0] === 'sudo' && /password is required|a terminal is required/.test(said))
    return new OperationError(
      `${user} may not run lwaftrctl's guest commands as root without a password (sudo -n: ${said})`,
      `in the guest, let it: echo '${user} ALL=(root) NOPASSWD: ALL' > /etc/sudoers.d/lwaftrctl; or set VM_USER=root`,
    );
  if (argv[0] === 'sudo' && r.code === 127)
    return new OperationError(
      `the guest has no sudo, and ${user} is not root`,
      'install sudo in the guest, or set VM_USER=root',
    );
  return new OperationError(
    `in the guest, ${quoteArgv(argv).slice(0, 200)} failed (exit ${r.code})`,
    undefined,
    said || undefined,
  );
}

export function guestLaunchArgv(dir: string, pidFile: string, log: string, command: string[]): string[] {
  return ['sh', '-c', GUEST_LAUNCH, 'launch', dir, pidFile, log, ...command];
}

/** Resets `nics`, then sends `signal` ('-': none), only if the recorded process still runs. */
export function guestStopArgv(pidFile: string, signal: 'TERM' | 'KILL' | '-', nics: readonly string[]): string[] {
  return ['sh', '-c', GUEST_STOP_RECORDED, 'stop', pidFile, signal, ...nics];
}

/** `ready`: a path that shows the process is up (PID in it stands for its pid), when its first line does not. */
export function guestProcessStateArgv(pidFile: string, log: string, ready?: string): string[] {
  return ['sh', '-c', GUEST_PROCESS_STATE, 'state', pidFile, log, ...(ready ? [ready] : [])];
}

/** Like the state check, and removes the pid file once the process is proven gone. */
export function guestProcessGoneArgv(pidFile: string): string[] {
  return ['sh', '-c', GUEST_STOP_RECORDED, 'gone', pidFile, '-'];
}

export type GuestProcessState = (
  | { state: 'running'; pid: number; logBytes: number; ready: boolean }
  | { state: 'dead'; pid: number }
  | { state: 'stopped' }
) & { lastLine?: string };

/** Reads what GUEST_PROCESS_STATE printed. */
export function parseGuestProcessState(r: RemoteResult, what: string): GuestProcessState {
  const [first, lastLine] = r.stdout.split('\n');
  const [state, pid, logBytes, ready] = first!.trim().split(' ');
  const last = lastLine?.trim() || undefined;
  if (state === 'running')
    return { state, pid: Number(pid), logBytes: Number(logBytes), ready: ready !== '0', lastLine: last };
  if (state === 'dead') return { state, pid: Number(pid), lastLine: last };
  if (state === 'stopped') return { state };
  throw new OperationError(`cannot tell whether ${what} runs in the guest: ${(r.stderr || r.stdout).trim()}`);
}
