// lwaftr: the guest packet loop, started detached over SSH and stopped by its recorded pid,
// after the virtio NICs it drove are reset.
import path from 'node:path';
import type { Config } from '../../config/types.js';
import { asRoot, guestLaunchArgv, guestResetUnownedArgv, guestStopArgv } from '../../io/guest-process.js';
import { sshTargetOf } from '../../io/guest-ssh.js';
import { instancePaths } from '../../plan/instance-paths.js';
import type { ComponentPlan, Step } from '../../plan/steps.js';
import { resolveVmSpec } from '../vm/spec.js';
import { LWAFTR_COUNTERS, SNABB_SHM } from './counters.js';

/** The guest PCI addresses of the data NICs: the lwAFTR's --v4 and --v6 devices. */
export function dataNicsInGuest(config: Config): [string, string] {
  const [v4, v6] = resolveVmSpec(config).dataNics;
  return [v4.guestPci, v6.guestPci];
}

/** For the built-in `snabb lwaftr run`, its counter folder; an operator's script has no such sign. */
function readyPath(config: Config): string | undefined {
  if (config.lwaftr.command.kind !== 'builtin') return undefined;
  return path.posix.join(SNABB_SHM, 'PID', LWAFTR_COUNTERS);
}

export function lwaftrCommand(config: Config): string[] {
  const command = config.lwaftr.command;
  if (command.kind === 'script') return [command.start];
  const [v4, v6] = dataNicsInGuest(config);
  const snabb = path.posix.join(config.lwaftr.snabbGuestPath!, 'snabb');
  const cpu = command.cpu === undefined ? [] : ['--cpu', String(command.cpu)];
  const devices = ['--v4', v4, '--v6', v6];
  return [snabb, 'lwaftr', 'run', '--virtio', '--conf', command.conf, ...devices, '--name', command.name, ...cpu, '-v'];
}

export function lwaftrStartPlan(config: Config): ComponentPlan {
  const ssh = sshTargetOf(config.ssh);
  const g = instancePaths(config).guest;
  const steps: Step[] = [];
  // The previous lwAFTR is gone (a start finds none running): crashed or not, its NICs are reset first.
  if (config.lwaftr.resetVirtio)
    steps.push({
      kind: 'remote',
      ssh,
      argv: asRoot(ssh.user, guestResetUnownedArgv(dataNicsInGuest(config))),
      note: 'reset the virtio NICs no guest kernel driver owns: a previous lwAFTR may have left them running',
    });
  steps.push(
    { kind: 'remote', ssh, argv: asRoot(ssh.user, guestLaunchArgv(g.dir, g.pidFile, g.log, lwaftrCommand(config))) },
    {
      kind: 'wait',
      // Snabb's lwAFTR is configured once its counters exist; its first line comes before that.
      for: { kind: 'guest-process-started', ssh, pidFile: g.pidFile, log: g.log, ready: readyPath(config) },
      timeoutMs: config.timeouts.lwaftrStartMs,
    },
  );
  return { component: 'lwaftr', action: 'start', steps };
}

export function lwaftrStopPlan(config: Config): ComponentPlan {
  const ssh = sshTargetOf(config.ssh);
  const g = instancePaths(config).guest;
  // Snabb's driver never resets the NICs it drove: the backend would go on writing into freed guest memory.
  const nics = config.lwaftr.resetVirtio ? dataNicsInGuest(config) : [];
  const stop = (sig: 'TERM' | 'KILL' | '-', resets: string[]): Step => ({
    kind: 'remote',
    ssh,
    argv: asRoot(ssh.user, guestStopArgv(g.pidFile, sig, resets)),
    note: resets.length
      ? `reset the virtio NICs ${resets.join(' ')}${sig === '-' ? '' : `, then ${sig}`}, only if the recorded lwAFTR ` +
        `still runs`
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
