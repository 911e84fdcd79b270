// vm status: QEMU's identity, what QMP says (run state, backends connected, vCPU threads), the
// guest's SSH, and the live pinning against the spec.

import { connectedChardevsOf } from '../../io/qmp-client.js';
import type { RunContext } from '../../run/run-context.js';
import type { LiveProbe } from '../live-probe.js';
import { STOPPED, type Verdict, type VmStatus } from '../status-types.js';
import { libvirtVmStatus } from './libvirt-status.js';
import { resolveVmSpec } from './spec.js';
import { backendsDown } from './start-guards.js';
import { runningVmFacts, type VmFacts, vmFieldsOf } from './status-fields.js';

export async function vmStatus(ctx: RunContext, probe: LiveProbe): Promise<VmStatus> {
  if (ctx.config.vm.engine === 'libvirt') {
    const seen = await libvirtVmStatus(ctx, probe);
    return { ...(seen.verdict ?? judgeVm(seen.facts, ctx.config.file)), ...seen.fields };
  }
  const spec = resolveVmSpec(ctx.config);
  const id = probe.qemu;
  const base = {
    ...vmFieldsOf(ctx, id, 'qemu', {
      qmpSocket: spec.control.qmpSocket,
      logs: { qemu: spec.control.log, console: spec.control.consoleLog },
    }),
    note: id.state === 'foreign' ? id.reason : null,
  };
  if (id.state !== 'running') {
    const backendsUp = backendsDown(ctx.config).length === 0;
    return { ...judgeVm({ qemu: id.state, pid: base.pid, backendsUp }, ctx.config.file), ...base };
  }
  const qmp = await probe.qmp;
  const backends = qmp
    ? Object.fromEntries(
        connectedChardevsOf(
          qmp.chardevs,
          spec.dataNics.map((n) => n.chardev),
        ),
      )
    : null;
  const { shown, facts } = await runningVmFacts(ctx, probe, id.pid, {
    qmpStatus: qmp?.status ?? null,
    backends,
    threads: qmp?.vcpuThreads,
  });
  return { ...judgeVm(facts, ctx.config.file), ...base, ...shown };
}

/** Pure: the VM's state from what was seen. */
export function judgeVm(f: VmFacts, file: string): Verdict {
  if (f.qemu === 'dead')
    return {
      state: 'broken',
      deadWithPidFile: true,
      reason: `QEMU (pid ${f.pid}) died; its pid file is left`,
      fix: `lwaftrctl -f ${file} ${f.backendsUp ? 'vm' : 'all'} start`,
    };
  if (f.qemu !== 'running') return STOPPED;
  const down = Object.entries(f.backends ?? {})
    .filter(([, up]) => !up)
    .map(([chardev]) => chardev);
  const problems = [
    !f.qmpStatus ? 'QMP does not answer' : f.qmpStatus !== 'running' ? `the VM is ${f.qmpStatus}` : undefined,
    down.length ? `backend ${down.join(', ')} disconnected` : undefined,
    f.guestReachable ? undefined : "the guest's SSH does not answer",
    f.pinningOk === false ? 'threads are not on the cores wanted' : undefined,
  ].filter(Boolean);
  if (problems.length === 0) return { state: 'running', reason: null, fix: null, deadWithPidFile: false };
  const fix = down.length ? `lwaftrctl -f ${file} snabbnfv restart` : `lwaftrctl -f ${file} vm restart`;
  return { state: 'degraded', reason: problems.join('; '), fix, deadWithPidFile: false };
}
