// snabbnfv: one detached screen session per VM port, each running
// [numactl -m NODE] taskset -c CORE <snabb> snabbnfv traffic [-b] PCI PORTCONF SOCKET.
import path from 'node:path';
import type { Config, NfvPort } from '../../config/types.js';
import type { ProcessRef } from '../../io/process-identity.js';
import { instancePaths } from '../../plan/instance-paths.js';
import type { ComponentPlan, Step } from '../../plan/steps.js';

/** Writes the pid of the shell, which then execs the command: the pid file names the program itself. */
export const WRITE_PID_THEN_EXEC = 'echo $$ > "$0" && exec "$@"';
/** Screen flushes its log every 10 s by default; readiness checks read the log. */
export const SCREENRC = 'logfile flush 0\n';
/**
 * snabbnfv prints "snabbnfv traffic starting" before it even reads its port file; the first
 * load report (every second by default) proves the engine runs with the port file loaded.
 */
export const SNABBNFV_RUNNING_LINE = 'load: time:';

export function snabbProgram(config: Config): string {
  return path.join(config.snabbPath, 'src', 'snabb');
}

export function snabbnfvArgv(config: Config, port: NfvPort): string[] {
  const prefix = config.numaNode === undefined ? [] : ['numactl', '-m', String(config.numaNode)];
  const busy = config.snabbnfv.busyWait ? ['-b'] : [];
  return [
    ...prefix,
    'taskset',
    '-c',
    String(port.core),
    snabbProgram(config),
    'snabbnfv',
    'traffic',
    ...busy,
    port.pci,
    port.portConf,
    port.socket,
  ];
}

export function snabbnfvProcess(config: Config, port: NfvPort): ProcessRef {
  const p = instancePaths(config).snabbnfv[port.index];
  return {
    pidFile: p.pidFile,
    record: p.record,
    cmdlineHas: ['snabbnfv', 'traffic', port.socket],
    label: `snabbnfv port ${port.index}`,
  };
}

/** What snabbnfv prints first, before it reads its port file. */
export const SNABBNFV_START_LINE = 'snabbnfv traffic starting';

export interface SnabbnfvStartOptions {
  /** The ones to start (all by default; a real run leaves out those already running). */
  ports?: readonly NfvPort[];
  /** QEMU already serves the sockets: QEMU seeing each backend connect is the proof (about a
   * second sooner than the first load report). */
  vmRunning?: boolean;
  /** The VM start follows: each backend's first line is enough here, as QEMU is launched while the
   * backends come up and its start proves them (both connected, each watched for dying). */
  vmStartsNext?: boolean;
}

export function snabbnfvStartPlan(
  config: Config,
  { ports = config.snabbnfv.ports, vmRunning = false, vmStartsNext = false }: SnabbnfvStartOptions = {},
): ComponentPlan {
  const paths = instancePaths(config);
  const steps: Step[] = [
    { kind: 'mkdir', path: paths.stateDir },
    { kind: 'write-file', path: paths.screenrc, content: SCREENRC, note: 'screen writes its log at once' },
  ];
  // Under libvirt, QEMU's monitor is libvirt's: the backend's own first load report is the proof.
  const qemuServes = vmRunning && config.vm.engine === 'qemu';
  // Both start at once, then both are awaited: each takes a second to show its engine runs.
  for (const port of ports) {
    const p = paths.snabbnfv[port.index];
    steps.push(
      { kind: 'rotate-log', path: p.log },
      {
        kind: 'run',
        cwd: path.join(config.snabbPath, 'src'),
        argv: [
          'screen',
          '-c',
          paths.screenrc,
          '-L',
          '-Logfile',
          p.log,
          '-dmS',
          p.session,
          'sh',
          '-c',
          WRITE_PID_THEN_EXEC,
          p.pidFile,
          ...snabbnfvArgv(config, port),
        ],
        note: `port ${port.index}: ${port.pci} <-> ${port.socket}`,
      },
    );
  }
  for (const port of ports) {
    const process = snabbnfvProcess(config, port);
    const log = paths.snabbnfv[port.index].log;
    steps.push({
      kind: 'wait',
      for: qemuServes
        ? {
            kind: 'backend-connected',
            process,
            log,
            text: SNABBNFV_START_LINE,
            socket: paths.qmpSocket,
            chardev: paths.snabbnfv[port.index].chardev,
          }
        : { kind: 'log-line', file: log, text: vmStartsNext ? SNABBNFV_START_LINE : SNABBNFV_RUNNING_LINE, process },
      timeoutMs: config.timeouts.snabbnfvStartMs,
    });
  }
  return { component: 'snabbnfv', action: 'start', steps };
}

/** Stops only this instance's processes, all ports at once; the sockets stay, QEMU owns them. */
export function snabbnfvStopPlan(config: Config, ports: readonly NfvPort[] = config.snabbnfv.ports): ComponentPlan {
  const paths = instancePaths(config);
  const processes = ports.map((port) => snabbnfvProcess(config, port));
  const steps: Step[] = [
    {
      kind: 'escalate',
      until: { kind: 'processes-gone', processes },
      stages: [
        { step: { kind: 'signal', processes, signal: 'TERM' }, timeoutMs: config.timeouts.termMs },
        { step: { kind: 'signal', processes, signal: 'KILL' }, timeoutMs: config.timeouts.termMs },
      ],
    },
    ...ports.map(
      (port, i): Step => ({ kind: 'screen-quit', session: paths.snabbnfv[port.index].session, process: processes[i]! }),
    ),
  ];
  return { component: 'snabbnfv', action: 'stop', steps };
}
