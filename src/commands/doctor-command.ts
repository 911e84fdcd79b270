// doctor: every check of this config against this host (and the running guest), with what each
// read and the command that fixes it. Exit 0 when nothing fails, 1 when something does.
import { qemuProcess } from '../components/vm/plan.js';
import { createHostView, formatDoctorTable, runDoctor, runGuestChecks } from '../doctor/index.js';
import type { CheckResult } from '../doctor/types.js';
import { EXIT } from '../errors.js';
import { GuestSsh, sshTargetOf } from '../io/guest-ssh.js';
import { identify } from '../io/process-identity.js';
import type { Component } from '../plan/component-names.js';
import type { CommandContext } from './command-context.js';
import { type GlobalOptions, humanStream, loadForCommand, printConfigWarnings } from './global-options.js';

export interface DoctorOptions extends GlobalOptions {
  /** Prove KVM works by booting QEMU (when QEMU_ACCEL=kvm); on unless --no-kvm-probe. */
  kvmProbe?: boolean;
}

const ORDER = ['host', 'snabbnfv', 'vm', 'lwaftr'];

export async function doctorCommand(component: Component, cx: CommandContext<DoctorOptions>): Promise<number> {
  const { options, report } = cx;
  report.expect('doctor', { component, checks: [] });
  const config = loadForCommand(options);
  report.forConfig(config);
  printConfigWarnings(config, options);
  const checks = (await allChecks(config, options)).filter(
    (c) => component === 'all' || c.component === 'host' || c.component === component,
  );
  report.set({ checks });
  const failed = checks.some((c) => c.state === 'fail');
  if (!options.json && (!options.quiet || failed))
    humanStream(options).write(formatDoctorTable(options.quiet ? checks.filter((c) => c.state === 'fail') : checks));
  return failed ? EXIT.failed : EXIT.ok;
}

/** The host's checks and, when the VM runs, the guest's, in component order. */
async function allChecks(config: Parameters<typeof runDoctor>[0], options: DoctorOptions): Promise<CheckResult[]> {
  const vmRunning = identify(qemuProcess(config)).state === 'running';
  const timeout = Math.min(config.timeouts.sshConnectMs, 3000);
  const ssh = vmRunning ? new GuestSsh(sshTargetOf(config.ssh), timeout) : undefined;
  try {
    const [host, guest] = await Promise.all([
      runDoctor(config, createHostView({}), { vmRunning, kvmProbe: options.kvmProbe !== false }),
      runGuestChecks(config, ssh ? (argv) => ssh.exec(argv) : undefined),
    ]);
    return [...host, ...guest].sort((a, b) => ORDER.indexOf(a.component) - ORDER.indexOf(b.component));
  } finally {
    ssh?.close();
  }
}
