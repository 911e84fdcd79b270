// QEMU's version, and KVM: /dev/kvm, then (optionally) a short boot that proves KVM runs a guest.
import type { Config } from '../config/types.js';
import { parseVersion } from './host-facts.js';
import { ev, fail, ok, skip, spec } from './result.js';
import type { CheckResult, Evidence, HostView, RunResult } from './types.js';

export interface QemuFacts {
  /** [major, minor, patch], when `qemu --version` answered. */
  version?: number[];
  evidence: Evidence[];
  problem?: string;
}

export const QEMU_PROBE_TIMEOUT_MS = 2000;

export async function readQemuFacts(config: Config, view: HostView): Promise<QemuFacts> {
  const qemu = view.which(config.vm.qemu);
  const command = `${config.vm.qemu} --version`;
  if (!qemu) return { evidence: [ev(command, 'not run: QEMU is not installed')], problem: 'QEMU is not installed' };
  const r = await view.run([qemu, '--version'], { timeoutMs: QEMU_PROBE_TIMEOUT_MS });
  const firstLine = r.stdout.split('\n')[0] ?? '';
  const version = r.code === 0 ? parseVersion(firstLine) : undefined;
  if (version) return { version, evidence: [ev(command, firstLine)] };
  return {
    evidence: [ev(command, describeRun(r))],
    problem: `${command} did not tell its version (${describeRun(r)})`,
  };
}

export function checkQemuVersion(config: Config, facts: QemuFacts): CheckResult {
  const s = spec(config, 'qemu-version', 'vm', 'QEMU version', 'QEMU');
  if (facts.version) return ok(s, `QEMU ${facts.version.join('.')}`, facts.evidence);
  if (facts.problem === 'QEMU is not installed')
    return skip(s, 'QEMU is not installed (see program-qemu)', facts.evidence);
  return fail(
    s,
    `${facts.problem}: is ${config.vm.qemu} a QEMU system emulator?`,
    facts.evidence,
    'apt-get install --reinstall qemu-system-x86, or set QEMU to a working qemu-system-x86_64',
  );
}

export function describeRun(r: RunResult): string {
  if (r.startError) return r.startError;
  if (r.timedOut) return `no answer within ${r.ms} ms`;
  const lastErr = r.stderr.trim().split('\n').filter(Boolean).pop();
  const how = r.code !== null ? `exit ${r.code}` : `killed by ${r.signal ?? 'a signal'}`;
  return lastErr ? `${how}: ${lastErr}` : how;
}

const NO_KVM_FIX = 'run without KVM: QEMU_ACCEL=tcg and QEMU_CPU=max (slower, software emulation)';

/** /dev/kvm exists and this user may open it: needed, but it does not prove KVM runs a guest. */
export function checkKvmDevice(config: Config, view: HostView): CheckResult[] {
  if (config.vm.accel !== 'kvm') return [];
  const s = spec(config, 'kvm-device', 'vm', '/dev/kvm', 'QEMU_ACCEL');
  const info = view.stat('/dev/kvm');
  const evidence = [ev('/dev/kvm', info ? `${info.kind}, mode ${info.mode.toString(8)}` : 'missing')];
  if (info?.kind !== 'char')
    return [
      fail(
        s,
        'there is no /dev/kvm: virtualization is off in the firmware, the kvm_intel/kvm_amd module is not loaded, ' +
          'or this is a VM without nested virtualization',
        evidence,
        `modprobe kvm_intel (or kvm_amd); or ${NO_KVM_FIX}`,
      ),
    ];
  if (!view.access('/dev/kvm', 'rw'))
    return [
      fail(
        s,
        '/dev/kvm exists but this user cannot open it',
        evidence,
        'add the user to the kvm group (usermod -aG kvm USER), or run as root',
      ),
    ];
  return [ok(s, '/dev/kvm is there and usable by this user (the KVM probe proves it runs a guest)', evidence)];
}

/**
 * The probe boots the configured kernel (BZ_IMAGE) with the configured machine and CPU model and
 * waits for its first console line; without a kernel, SeaBIOS with no boot device, which reboots
 * at once and -no-reboot turns into an exit. A /dev/kvm that opens but cannot run a guest (nested
 * virtualization gone wrong) hangs there, and a CPU model KVM cannot provide aborts at once.
 */
export function kvmProbeArgv(config: Config, qemu: string, accel: 'kvm' | 'tcg' = 'kvm'): string[] {
  const vm = config.vm;
  const argv = [
    qemu,
    '-machine',
    `${vm.machine},accel=${accel}`,
    '-cpu',
    vm.cpu,
    '-m',
    '128',
    '-nodefaults',
    '-display',
    'none',
    '-no-reboot',
    '-serial',
    'stdio',
  ];
  if (vm.kernel) argv.push('-kernel', vm.kernel, '-append', 'console=ttyS0 earlyprintk=serial,ttyS0,115200 panic=-1');
  else argv.push('-boot', 'reboot-timeout=0');
  return argv;
}

/** Kernel's first console line; what the probe waits for when it boots BZ_IMAGE. */
export const KERNEL_FIRST_LINE = 'Linux version';

export async function checkKvmProbe(config: Config, view: HostView, enabled: boolean): Promise<CheckResult[]> {
  if (config.vm.accel !== 'kvm') return [];
  const s = spec(config, 'kvm-probe', 'vm', 'KVM runs a guest', 'QEMU_ACCEL');
  if (!enabled)
    return [skip(s, 'not run (--no-kvm-probe, or a start, which does not wait for it): lwaftrctl doctor runs it')];
  const qemu = view.which(config.vm.qemu);
  if (!qemu || view.stat('/dev/kvm')?.kind !== 'char')
    return [skip(s, 'not run: QEMU or /dev/kvm is missing (see above)')];
  const argv = kvmProbeArgv(config, qemu);
  const boot = config.vm.kernel ? 'booted BZ_IMAGE to its first console line' : 'ran SeaBIOS to its end';
  const r = await view.run(argv, {
    timeoutMs: QEMU_PROBE_TIMEOUT_MS,
    until: config.vm.kernel ? KERNEL_FIRST_LINE : undefined,
  });
  const evidence = [ev(argv.join(' '), r.matched ? `"${KERNEL_FIRST_LINE}" after ${r.ms} ms` : describeRun(r))];
  // A deadline's SIGTERM makes QEMU exit 0 too: the deadline is looked at first.
  if (r.matched || (!r.timedOut && !config.vm.kernel && r.code === 0))
    return [ok(s, `QEMU under KVM ${boot} in ${r.ms} ms`, evidence)];
  if (r.timedOut)
    return [
      fail(
        s,
        `QEMU under KVM has not ${boot} in ${QEMU_PROBE_TIMEOUT_MS / 1000} s: /dev/kvm opens, but KVM hangs on this ` +
          'guest or runs it slower than software emulation (as in a VM without working nested virtualization)',
        evidence,
        NO_KVM_FIX,
      ),
    ];
  if (r.code === 0) return [fail(s, 'the guest reset under KVM before its first console line', evidence, NO_KVM_FIX)];
  return [
    fail(
      s,
      `QEMU under KVM failed at once (${describeRun(r)})`,
      evidence,
      "try another CPU model (QEMU_CPU=host needs the host's own CPU; some models set registers KVM refuses), " +
        `or ${NO_KVM_FIX}`,
    ),
  ];
}
