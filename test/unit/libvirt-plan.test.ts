// VM_ENGINE=libvirt as a plan: the virsh steps a vm start and stop take, in order, with their
// deadlines, and how the dry run shows them; the deadline of a step that could wait for ever.
import { describe, expect, it } from 'vitest';
import { vmStartPlan, vmStopPlan } from '../../src/components/vm/plan.js';
import { exitCodeFor, TimeoutError } from '../../src/errors.js';
import { renderStep } from '../../src/plan/render-shell.js';
import type { Step } from '../../src/plan/steps.js';
import { runWithDeadline } from '../../src/run/run-deadline.js';
import { configOf, MINIMAL } from '../helpers/config-fixture.js';

const LIBVIRT = `${MINIMAL}VM_ENGINE=libvirt\nNAME=lv1\nSTATE_DIR=/run/lwaftrctl/lv1\nSNABBNFV_SOCK1=/run/lwaftrctl/lv1/a.sock\nSNABBNFV_SOCK2=/run/lwaftrctl/lv1/b.sock\nQEMU_VCPU_CORES=3\nQEMU_EMULATOR_CORES=0\n`;
const V = ['virsh', '-c', 'qemu:///system'];

/** Each step as one short line: its kind and what it runs or waits for. */
function outline(steps: Step[]): string[] {
  return steps.map((s) => {
    if (s.kind === 'run') return `run ${s.argv.join(' ')}${s.timeoutMs ? ` (within ${s.timeoutMs} ms)` : ''}`;
    if (s.kind === 'wait') return `wait ${s.for.kind}`;
    if (s.kind === 'escalate')
      return `escalate ${s.stages.map((st) => (st.step.kind === 'run' ? st.step.argv.slice(3).join(' ') : st.step.kind)).join(' | ')} until ${s.until.kind}`;
    return s.kind;
  });
}

describe('the libvirt engine as a plan', () => {
  it('start: the folder QEMU binds in, the domain defined, started paused with a deadline, checked, resumed, SSH', () => {
    expect(outline(vmStartPlan(configOf(LIBVIRT)).steps)).toEqual([
      'mkdir',
      'run chgrp libvirt-qemu /run/lwaftrctl/lv1',
      'run chmod 0770 /run/lwaftrctl/lv1',
      'write-file',
      `run ${V.join(' ')} define /run/lwaftrctl/lv1/domain.xml`,
      `run ${V.join(' ')} start --paused lv1 (within 60000 ms)`,
      'wait domain-chardevs-connected',
      'wait domain-pinned',
      `run ${V.join(' ')} resume lv1`,
      'wait domain-state',
      'wait ssh-banner',
    ]);
  });

  it('start: sockets outside the state folder are the operator’s, and nothing pinned means no pinning check', () => {
    const plan = vmStartPlan(configOf(`${MINIMAL}VM_ENGINE=libvirt\nNAME=lv1\n`));
    expect(outline(plan.steps).filter((l) => /chgrp|chmod|domain-pinned/.test(l))).toEqual([]);
  });

  it('stop: ACPI, then destroy, each with its deadline, then undefine; --force destroys at once', () => {
    const config = configOf(LIBVIRT);
    expect(outline(vmStopPlan(config).steps)).toEqual([
      'escalate shutdown --mode acpi lv1 | destroy lv1 until domain-state',
      `run ${V.join(' ')} undefine lv1`,
    ]);
    const stages = (vmStopPlan(config).steps[0] as Extract<Step, { kind: 'escalate' }>).stages;
    expect(stages.map((s) => s.timeoutMs)).toEqual([30_000, 5_000]);
    expect(outline(vmStopPlan(config, true).steps)[0]).toBe('escalate destroy lv1 until domain-state');
  });

  it('the dry run: the deadline as coreutils timeout, the waits as comments', () => {
    const [, , , , , start, chardevs, pinned] = vmStartPlan(configOf(LIBVIRT)).steps;
    expect(renderStep(start!)).toEqual([
      '# returns once QEMU has both vhost-user backends connected (without one it would wait for ever)',
      'timeout 60s virsh -c qemu:///system start --paused lv1',
    ]);
    expect(renderStep(chardevs!)).toEqual([
      '# wait up to 60s for vhost-user backends connected on charua-vhu1, charua-vhu2 ' +
        `(virsh qemu-monitor-command lv1 '{"execute":"query-chardev"}')`,
    ]);
    expect(renderStep(pinned!).at(-1)).toContain('vCPU 0: 3; others: 0 (as virsh vcpupin and emulatorpin say)');
  });
});

describe('a step with a deadline', () => {
  it('is ended when the deadline passes, as a timeout (exit 124)', async () => {
    const began = Date.now();
    const err = await runWithDeadline(['sleep', '5'], 200).catch((e: Error) => e);
    expect(err).toBeInstanceOf(TimeoutError);
    expect(exitCodeFor(err)).toBe(124);
    expect((err as Error).message).toBe('sleep 5 did not finish within 0.2s');
    expect(Date.now() - began).toBeLessThan(2000);
  });

  it('returns what the program printed when it finishes in time, and fails on its exit code', async () => {
    expect(await runWithDeadline(['echo', 'done'], 5000)).toBe('done');
    await expect(runWithDeadline(['false'], 5000)).rejects.toThrow('false failed (exit 1)');
  });
});
