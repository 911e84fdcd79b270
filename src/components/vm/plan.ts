// vm: QEMU with two vhost-user NICs served to the snabbnfv backends, started paused, pinned,
// then let run; stopped by ACPI, then QMP quit, then signals.
import type { Config } from '../../config/types.js';
import type { ProcessRef } from '../../io/process-identity.js';
import { instancePaths } from '../../plan/instance-paths.js';
import type { ComponentPlan, Step, VcpuPin, Watched } from '../../plan/steps.js';
import { formatCoreList } from '../../util/core-list.js';
import { snabbnfvProcess } from '../snabbnfv/plan.js';
import { libvirtQemuProcess, libvirtStartPlan, libvirtStopPlan } from './libvirt-plan.js';
import { qemuArgv, qemuProcessRef } from './qemu-argv.js';
import { resolveVmSpec } from './spec.js';

export function qemuProcess(config: Config): ProcessRef {
  if (config.vm.engine === 'libvirt') return libvirtQemuProcess(config);
  return qemuProcessRef(resolveVmSpec(config), instancePaths(config).qemuRecord);
}

export function vmStartPlan(config: Config): ComponentPlan {
  if (config.vm.engine === 'libvirt') return libvirtStartPlan(config);
  const spec = resolveVmSpec(config);
  const { qmpSocket, log } = spec.control;
  const process = qemuProcess(config);
  const timeoutMs = config.timeouts.vmStartMs;
  // QEMU waits for its backends: one that dies meanwhile fails the start at once, not at the deadline.
  const paths = instancePaths(config);
  const backends: Watched[] = config.snabbnfv.ports.map((p) => ({
    process: snabbnfvProcess(config, p),
    log: paths.snabbnfv[p.index].log,
  }));
  const steps: Step[] = [
    { kind: 'mkdir', path: config.stateDir },
    // The previous boot's console and QEMU log are kept as .1: after a crash, a restart keeps the evidence.
    { kind: 'rotate-log', path: spec.control.consoleLog },
    { kind: 'rotate-log', path: log },
    {
      kind: 'spawn',
      argv: qemuArgv(spec),
      cwd: spec.cwd,
      log,
      process,
      note: 'starts paused (-S); QEMU answers QMP once both backends have connected',
    },
    { kind: 'wait', for: { kind: 'qmp-ready', socket: qmpSocket, process }, timeoutMs, watch: backends },
    {
      kind: 'wait',
      for: { kind: 'chardevs-connected', socket: qmpSocket, chardevs: spec.dataNics.map((n) => n.chardev) },
      timeoutMs,
      watch: backends,
    },
  ];
  const pins = spec.pinning.vcpus;
  if (pins.length) steps.push({ kind: 'pin-vcpus', socket: qmpSocket, process, pins, note: describePins(pins) });
  steps.push(
    { kind: 'qmp', socket: qmpSocket, execute: 'cont' },
    { kind: 'wait', for: { kind: 'qmp-status', socket: qmpSocket, status: 'running' }, timeoutMs },
    {
      kind: 'wait',
      for: { kind: 'ssh-banner', host: config.ssh.host, port: config.ssh.port, consoleLog: spec.control.consoleLog },
      timeoutMs: config.timeouts.sshMs,
      watch: [{ process, log }],
    },
  );
  return { component: 'vm', action: 'start', steps };
}

function describePins(pins: VcpuPin[]): string {
  const sets = new Set(pins.map((p) => formatCoreList(p.cores)));
  if (sets.size === 1) return `vCPU threads to cores ${[...sets][0]}`;
  return `vCPU threads: ${pins.map((p) => `vCPU ${p.vcpu} to core ${formatCoreList(p.cores)}`).join(', ')}`;
}

/** ACPI powerdown, then QMP quit, then TERM, then KILL, each with its deadline. */
export function vmStopPlan(config: Config, force = false): ComponentPlan {
  if (config.vm.engine === 'libvirt') return libvirtStopPlan(config, force);
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
