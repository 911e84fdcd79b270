// lwaftr: the guest packet loop, started detached over SSH and stopped by its recorded pid.
// Remote commands are argv; the only shell text is the constant scripts below, which take
// every value as a positional parameter.
import path from 'node:path';
import type { Config } from '../config/types.js';
import { instancePaths } from './instance-paths.js';
import type { ComponentPlan, SshTarget, Step } from './steps.js';

/**
 * $1 folder, $2 pid file, $3 log, then the command. Starts it in its own session, detached from
 * the SSH channel, and records "pid starttime" (field 22 of /proc/PID/stat, read past the comm).
 */
export const GUEST_LAUNCH =
  'dir=$1 pidfile=$2 log=$3; shift 3; mkdir -p "$dir" && cd || exit 1; setsid "$@" >"$log" 2>&1 </dev/null & pid=$!; ' +
  'start=$(sed "s/.*) //" /proc/$pid/stat | cut -d" " -f20); echo "$pid $start" >"$pidfile"; echo "$pid $start"';

/** Offset of the device status register in the legacy virtio-pci BAR0; writing 0 resets the device. */
export const VIRTIO_STATUS_OFFSET = 18;

/**
 * $1 pid file, $2 signal (or - for none), then the PCI addresses of the NICs to reset first.
 * Acts only if the recorded pid still has the recorded start time (a reused pid is never hit);
 * a pid file whose process is gone is removed. One SSH round trip for check, reset and signal.
 */
export const GUEST_STOP_RECORDED =
  'pidfile=$1 sig=$2; shift 2; nics=$*; test -r "$pidfile" || { echo stopped; exit 0; }; read pid start <"$pidfile"; ' +
  'set -- $(sed "s/.*) //" /proc/$pid/stat 2>/dev/null); ' +
  'if [ $# -lt 20 ] || [ "$1" = Z ] || [ "${20}" != "$start" ]; then rm -f "$pidfile"; echo gone; exit 0; fi; ' +
  `for d in $nics; do dd if=/dev/zero of=/sys/bus/pci/devices/$d/resource0 bs=1 seek=${VIRTIO_STATUS_OFFSET} count=1 conv=notrunc 2>/dev/null || { echo "cannot reset $d" >&2; exit 1; }; done; ` +
  'if [ "$sig" = - ]; then echo "running $pid"; else kill -"$sig" "$pid" && echo "signalled $pid"; fi';

export function sshTarget(config: Config): SshTarget {
  const { connectTimeoutMs: _, ...target } = config.ssh;
  return target;
}

export function lwaftrCommand(config: Config): string[] {
  const command = config.lwaftr.command;
  if (command.kind === 'script') return [command.start];
  const [v4, v6] = config.snabbnfv.ports;
  const snabb = path.posix.join(config.lwaftr.snabbGuestPath!, 'snabb');
  const cpu = command.cpu === undefined ? [] : ['--cpu', String(command.cpu)];
  return [
    snabb,
    'lwaftr',
    'run',
    '--virtio',
    '--conf',
    command.conf,
    '--v4',
    v4.guestPci,
    '--v6',
    v6.guestPci,
    '--name',
    command.name,
    ...cpu,
    '-v',
  ];
}

export function lwaftrStartPlan(config: Config): ComponentPlan {
  const ssh = sshTarget(config);
  const g = instancePaths(config).guest;
  const steps: Step[] = [
    {
      kind: 'remote',
      ssh,
      argv: ['sh', '-c', GUEST_LAUNCH, 'launch', g.dir, g.pidFile, g.log, ...lwaftrCommand(config)],
    },
    {
      kind: 'wait',
      for: { kind: 'guest-process-started', ssh, pidFile: g.pidFile, log: g.log },
      timeoutMs: config.timeouts.lwaftrStartMs,
    },
  ];
  return { component: 'lwaftr', action: 'start', steps };
}

export function lwaftrStopPlan(config: Config): ComponentPlan {
  const ssh = sshTarget(config);
  const g = instancePaths(config).guest;
  // Snabb's driver never resets the NICs it drove: the backend would go on writing into freed guest memory.
  const nics = config.lwaftr.resetVirtio ? config.snabbnfv.ports.map((p) => p.guestPci) : [];
  const stop = (sig: 'TERM' | 'KILL' | '-', resets: string[]): Step => ({
    kind: 'remote',
    ssh,
    argv: ['sh', '-c', GUEST_STOP_RECORDED, 'stop', g.pidFile, sig, ...resets],
    note: resets.length
      ? `reset the virtio NICs ${resets.join(' ')}${sig === '-' ? '' : `, then ${sig}`}, only if the recorded lwAFTR still runs`
      : undefined,
  });
  const steps: Step[] = [];
  const command = config.lwaftr.command;
  if (command.kind === 'script' && command.stop)
    steps.push(stop('-', nics), { kind: 'remote', ssh, argv: [command.stop] });
  const resetFirst = command.kind === 'script' && command.stop ? [] : nics;
  steps.push({
    kind: 'escalate',
    until: { kind: 'guest-process-gone', ssh, pidFile: g.pidFile },
    stages: [
      { step: stop('TERM', resetFirst), timeoutMs: config.timeouts.termMs },
      { step: stop('KILL', []), timeoutMs: config.timeouts.termMs },
    ],
  });
  return { component: 'lwaftr', action: 'stop', steps };
}

/**
 * $1 pid file, $2 log. Prints "running PID LOGBYTES", "dead PID" (files left, process gone
 * or its pid reused) or "stopped" (no pid file); then the log's last line, so that status
 * needs one round trip.
 */
export const GUEST_PROCESS_STATE =
  'test -r "$1" || { echo stopped; exit 0; }; read pid start <"$1"; stat=$(sed "s/.*) //" /proc/$pid/stat 2>/dev/null); ' +
  'set -- "$1" "$2" $stat; if [ -n "$stat" ] && [ "$3" != Z ] && [ "${22}" = "$start" ]; then echo "running $pid $(wc -c <"$2" 2>/dev/null || echo 0)"; else echo "dead $pid"; fi; ' +
  'tail -n 1 "$2" 2>/dev/null';

export function guestProcessStateArgv(pidFile: string, log: string): string[] {
  return ['sh', '-c', GUEST_PROCESS_STATE, 'state', pidFile, log];
}

/** Like the state check, and removes the pid file once the process is proven gone. */
export function guestProcessGoneArgv(pidFile: string): string[] {
  return ['sh', '-c', GUEST_STOP_RECORDED, 'gone', pidFile, '-'];
}
