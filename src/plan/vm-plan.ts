// vm: QEMU with two vhost-user NICs served to the snabbnfv backends.
import { formatCoreList } from '../config/parse-values.js';
import type { Config } from '../config/types.js';
import { instancePaths } from './instance-paths.js';
import { qemuArgv, qemuChardevId } from './qemu-args.js';
import type { ComponentPlan, ProcessRef, Step } from './steps.js';

export function qemuProcess(config: Config): ProcessRef {
  const paths = instancePaths(config);
  return {
    pidFile: paths.qemuPidFile,
    record: paths.qemuRecord,
    cmdlineHas: ['-name', `${config.name},debug-threads=on`, '-pidfile', paths.qemuPidFile],
    label: 'QEMU',
  };
}

export function vmStartPlan(config: Config): ComponentPlan {
  const paths = instancePaths(config);
  const process = qemuProcess(config);
  const vcpuCores = config.vm.pin.vcpuCores ?? config.vm.pin.wholeProcessCores;
  const steps: Step[] = [
    { kind: 'mkdir', path: paths.stateDir },
    {
      kind: 'spawn',
      argv: qemuArgv(config),
      cwd: config.vm.cwd,
      log: paths.qemuLog,
      process,
      note: 'starts paused (-S); QEMU answers QMP once both backends have connected',
    },
    {
      kind: 'wait',
      for: { kind: 'qmp-ready', socket: paths.qmpSocket, process },
      timeoutMs: config.timeouts.vmStartMs,
    },
    {
      kind: 'wait',
      for: {
        kind: 'chardevs-connected',
        socket: paths.qmpSocket,
        chardevs: config.snabbnfv.ports.map((p) => qemuChardevId(p.index)),
      },
      timeoutMs: config.timeouts.vmStartMs,
    },
  ];
  if (vcpuCores)
    steps.push({
      kind: 'pin-vcpus',
      socket: paths.qmpSocket,
      process,
      cores: vcpuCores,
      note: `vCPU threads to cores ${formatCoreList(vcpuCores)}`,
    });
  steps.push(
    { kind: 'qmp', socket: paths.qmpSocket, execute: 'cont' },
    {
      kind: 'wait',
      for: { kind: 'qmp-status', socket: paths.qmpSocket, status: 'running' },
      timeoutMs: config.timeouts.vmStartMs,
    },
    {
      kind: 'wait',
      for: { kind: 'ssh-banner', host: config.ssh.host, port: config.ssh.port, consoleLog: paths.consoleLog },
      timeoutMs: config.timeouts.sshMs,
    },
  );
  return { component: 'vm', action: 'start', steps };
}

/** ACPI powerdown, then QMP quit, then TERM, then KILL, each with its deadline. */
export function vmStopPlan(config: Config, force = false): ComponentPlan {
  const paths = instancePaths(config);
  const process = qemuProcess(config);
  const t = config.timeouts;
  const graceful = [
    { step: { kind: 'qmp', socket: paths.qmpSocket, execute: 'system_powerdown' } as Step, timeoutMs: t.powerdownMs },
    { step: { kind: 'qmp', socket: paths.qmpSocket, execute: 'quit' } as Step, timeoutMs: t.quitMs },
    { step: { kind: 'signal', processes: [process], signal: 'TERM' } as Step, timeoutMs: t.termMs },
  ];
  const steps: Step[] = [
    {
      kind: 'escalate',
      until: { kind: 'processes-gone', processes: [process] },
      stages: [
        ...(force ? [] : graceful),
        { step: { kind: 'signal', processes: [process], signal: 'KILL' }, timeoutMs: t.termMs },
      ],
    },
  ];
  return { component: 'vm', action: 'stop', steps };
}
