// vm status under libvirt (VM_ENGINE=libvirt): the domain's state from libvirt, QEMU (libvirt's
// pid file) from /proc, its backends and vCPU threads through virsh, the guest's SSH: the same
// facts as for lwaftrctl's own QEMU, judged the same way (vm/status.ts), in the same shape.
import fs from 'node:fs';
import type { RunContext } from '../../run/run-context.js';
import type { LiveProbe } from '../live-probe.js';
import { STOPPED, type Verdict } from '../status-types.js';
import { findDomain } from './libvirt-controller.js';
import { libvirtQemuLog } from './libvirt-plan.js';
import { libvirtChardev } from './libvirt-xml.js';
import { resolveVmSpec } from './spec.js';
import { runningVmFacts, type VmFacts, type VmFields, vmFieldsOf } from './status-fields.js';
import { connectedChardevs, LIBVIRT_URI, vcpuThreads } from './virsh.js';

/** What was seen; `verdict` when it is decided here (libvirt unreachable, a domain not ours), else `facts` to judge. */
export type LibvirtSeen =
  | { verdict: Verdict; facts?: undefined; fields: VmFields }
  | {
      verdict?: undefined;
      facts: VmFacts;
      fields: VmFields;
    };

export async function libvirtVmStatus(ctx: RunContext, probe: LiveProbe): Promise<LibvirtSeen> {
  const spec = resolveVmSpec(ctx.config);
  const name = ctx.config.name;
  const id = probe.qemu;
  const base = vmFieldsOf(ctx, id, 'libvirt', {
    qmpSocket: monitorSocket(name),
    logs: { qemu: libvirtQemuLog(ctx.config), console: spec.control.consoleLog },
  });
  let found: Awaited<ReturnType<typeof findDomain>>;
  try {
    found = await findDomain(ctx);
  } catch (err) {
    const fix = 'start libvirtd: systemctl start libvirtd (the lab: scripts/lab/libvirtd.sh start)';
    return { verdict: { state: 'unknown', reason: (err as Error).message, fix, deadWithPidFile: false }, fields: base };
  }
  if (!found) return { facts: { qemu: 'stopped' }, fields: base };
  const fields = { ...base, domain: { name, uri: LIBVIRT_URI, ...found.state } };
  if (!found.ours)
    return {
      verdict: STOPPED,
      fields: { ...fields, pid: null, uptimeSeconds: null, note: `domain ${name}: ${found.why}` },
    };
  if (found.state.state === 'shut off' || id.state !== 'running')
    return { facts: { qemu: id.state === 'running' ? 'stopped' : id.state, pid: base.pid }, fields };
  const [seen, threads] = await Promise.all([
    connectedChardevs(name, spec.dataNics.map(libvirtChardev)),
    vcpuThreads(name),
  ]);
  // Keyed by lwaftrctl's chardev ids, as under the qemu engine (snabbnfv's status reads them so).
  const backends = seen
    ? Object.fromEntries(spec.dataNics.map((n) => [n.chardev, seen.get(libvirtChardev(n))!]))
    : null;
  const { shown, facts } = await runningVmFacts(ctx, probe, id.pid, {
    qmpStatus: found.state.state,
    backends,
    threads,
  });
  return { facts, fields: { ...fields, ...shown } };
}

/** libvirt's monitor socket of the running domain (its status XML names it); where it will be otherwise. */
function monitorSocket(name: string): string {
  try {
    const xml = fs.readFileSync(`/run/libvirt/qemu/${name}.xml`, 'utf8');
    const path = /<monitor path=['"]([^'"]+)['"]/.exec(xml)?.[1];
    if (path) return path;
  } catch {
    // Not running.
  }
  return `/var/lib/libvirt/qemu/domain-*-${name}/monitor.sock`;
}
