import { afterAll, describe, expect, it } from 'vitest';
import {
  checkKvmDevice,
  checkKvmProbe,
  checkQemuVersion,
  kvmProbeArgv,
  readQemuFacts,
} from '../../../src/doctor/checks-qemu.js';
import { runWithDeadline } from '../../../src/doctor/host-view.js';
import { conf, fixtureView, QEMU_7_2, removeFixtureCopies, scriptedRun } from './fixture-host.js';

afterAll(removeFixtureCopies);

describe('QEMU version', () => {
  it('reads it from qemu --version', async () => {
    const config = conf();
    const facts = await readQemuFacts(config, fixtureView('programs', { run: scriptedRun(QEMU_7_2) }).view);
    expect(facts.version).toEqual([7, 2, 22]);
    expect(checkQemuVersion(config, facts)).toMatchObject({ state: 'ok', message: 'QEMU 7.2.22' });
  });

  it('fails on a QEMU that does not answer, and skips when there is none', async () => {
    const config = conf();
    const broken = scriptedRun({
      'qemu-system-x86_64 --version': { code: 127, stderr: 'error while loading shared libraries\n' },
    });
    const r = checkQemuVersion(config, await readQemuFacts(config, fixtureView('programs', { run: broken }).view));
    expect(r.state).toBe('fail');
    expect(r.message).toContain('exit 127: error while loading shared libraries');
    const none = checkQemuVersion(config, await readQemuFacts(config, fixtureView('nonroot').view));
    expect(none.state).toBe('skip');
  });
});

describe('/dev/kvm', () => {
  it('is usable when it is a character device this user can open', () => {
    expect(checkKvmDevice(conf(), fixtureView('kvm').view)).toMatchObject([{ id: 'kvm-device', state: 'ok' }]);
  });

  it('fails without it, and says how to run without KVM', () => {
    const [r] = checkKvmDevice(conf(), fixtureView('programs').view);
    expect(r).toMatchObject({ id: 'kvm-device', state: 'fail', key: 'QEMU_ACCEL' });
    expect(r!.fix).toContain('QEMU_ACCEL=tcg and QEMU_CPU=max');
  });

  it('is not checked under TCG', () => {
    expect(checkKvmDevice(conf('QEMU_ACCEL=tcg\nQEMU_CPU=max'), fixtureView('programs').view)).toEqual([]);
  });
});

describe('KVM probe', () => {
  const probeLine =
    'qemu-system-x86_64 -machine pc,accel=kvm -cpu host -m 128 -nodefaults -display none -no-reboot -serial stdio ' +
    '-kernel /vm/bzImage -append console=ttyS0 earlyprintk=serial,ttyS0,115200 panic=-1';

  it.each([
    [
      'boots to the first console line',
      { matched: true, code: null, signal: 'SIGKILL', ms: 180 },
      'ok',
      'booted BZ_IMAGE to its first console line in 180 ms',
    ],
    ['hangs', { timedOut: true, code: 0, ms: 2004 }, 'fail', 'KVM hangs on this guest'],
    [
      'aborts',
      { code: null, signal: 'SIGABRT', stderr: 'qemu-system-x86_64: error: failed to set MSR 0x10a to 0x69\n' },
      'fail',
      'failed at once (killed by SIGABRT: qemu-system-x86_64: error: failed to set MSR 0x10a to 0x69)',
    ],
    ['resets', { code: 0 }, 'fail', 'reset under KVM before its first console line'],
  ])('QEMU %s', async (_name, answer, state, text) => {
    const run = scriptedRun({ [probeLine]: answer });
    const [r] = await checkKvmProbe(conf(), fixtureView('kvm', { run }).view, true);
    expect(run.calls).toContain(probeLine);
    expect(r!.state).toBe(state);
    expect(r!.message).toContain(text);
  });

  it('is skipped unless asked for, being slow', async () => {
    const run = scriptedRun({});
    const [r] = await checkKvmProbe(conf(), fixtureView('kvm', { run }).view, false);
    expect(r!.state).toBe('skip');
    expect(run.calls).toEqual([]);
  });

  it('without a kernel runs SeaBIOS with no boot device, which -no-reboot turns into exit 0', async () => {
    const config = conf('BZ_IMAGE=\nVM_IMAGE=/vm/disk.qcow2');
    const line =
      'qemu-system-x86_64 -machine pc,accel=kvm -cpu host -m 128 -nodefaults -display none -no-reboot -serial stdio ' +
      '-boot reboot-timeout=0';
    const [r] = await checkKvmProbe(
      config,
      fixtureView('kvm', { run: scriptedRun({ [line]: { code: 0, ms: 90 } }) }).view,
      true,
    );
    expect(r).toMatchObject({ state: 'ok', message: 'QEMU under KVM ran SeaBIOS to its end in 90 ms' });
  });

  it('the SeaBIOS probe ends on its own in real QEMU (under TCG here, which has no working KVM)', async () => {
    const config = conf('BZ_IMAGE=\nVM_IMAGE=/vm/disk.qcow2\nQEMU_ACCEL=tcg\nQEMU_CPU=max');
    const r = await runWithDeadline(kvmProbeArgv(config, 'qemu-system-x86_64', 'tcg'), { timeoutMs: 2000 });
    expect(r).toMatchObject({ code: 0, timedOut: false });
  });
});
