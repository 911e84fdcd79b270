// doctor: every check of this config against this host (and the running guest), with what each
// read and the command that fixes it. Exit 0 when nothing fails, 1 when something does.
import { qemuProcess } from '../components/vm/plan.js';
import { createHostView, formatDoctorTable, runDoctor, runGuestChecks } from '../doctor/index.js';
import type { CheckResult } from '../doctor/types.js';
import { EXIT } from '../errors.js';
import { GuestSsh, sshTargetOf } from '../io/guest-ssh.js';
import { identify } from '../io/process-identity.js';
import type { Component } from '../plan/component-names.js';
import { type GlobalOptions, loadForCommand, printConfigWarnings } from './global-options.js';

export interface DoctorOptions extends GlobalOptions {
  /** Prove KVM works by booting QEMU (when QEMU_ACCEL=kvm); on unless --no-kvm-probe. */
  kvmProbe?: boolean;
}

export async function doctorCommand(component: Component, opts: DoctorOptions): Promise<number> {
  const config = loadForCommand(opts);
  printConfigWarnings(config, opts);
  const vmRunning = identify(qemuProcess(config)).state === 'running';
  const ssh = vmRunning
    ? new GuestSsh(sshTargetOf(config.ssh), Math.min(config.timeouts.sshConnectMs, 3000))
    : undefined;
  let checks: CheckResult[];
  try {
    const [host, guest] = await Promise.all([
      runDoctor(config, createHostView({}), { vmRunning, kvmProbe: opts.kvmProbe !== false }),
      runGuestChecks(config, ssh ? (argv) => ssh.exec(argv) : undefined),
    ]);
    checks = [...host, ...guest].filter(
      (c) => component === 'all' || c.component === 'host' || c.component === component,
    );
  } finally {
    ssh?.close();
  }
  const failed = checks.some((c) => c.state === 'fail');
  if (opts.json)
    process.stdout.write(
      `${JSON.stringify({ instance: config.name, config: config.file, ok: !failed, checks }, null, 2)}\n`,
    );
  else if (!opts.quiet || failed)
    process.stdout.write(formatDoctorTable(opts.quiet ? checks.filter((c) => c.state === 'fail') : checks));
  return failed ? EXIT.failed : EXIT.ok;
}
