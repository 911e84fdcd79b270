// One look at a libvirt domain (VM_ENGINE=libvirt), for the waits of its plans: its state, its
// vhost-user backends and its threads' pinning, as libvirt and QEMU (through virsh) report them.
import { comparePinning, readThreadAffinities } from '../components/vm/pinning.js';
import { connectedChardevs, domainState, vcpuThreads } from '../components/vm/virsh.js';
import { OperationError } from '../errors.js';
import { readPidFile } from '../io/process-identity.js';
import type { WaitFor } from '../plan/steps.js';
import type { Check } from '../util/wait-until.js';

export type DomainWait = Extract<WaitFor, { kind: 'domain-state' | 'domain-chardevs-connected' | 'domain-pinned' }>;

export async function checkDomain(w: DomainWait): Promise<Check> {
  switch (w.kind) {
    case 'domain-state': {
      const s = await domainState(w.domain);
      const state = s?.state ?? 'shut off';
      if (state === w.state) return { ready: true };
      // Waiting for it to run: a domain that shut off (start failed, guest powered off) will not.
      if (w.state === 'running' && state === 'shut off')
        throw new OperationError(`libvirt domain ${w.domain} shut off (${s?.reason ?? 'undefined'})`);
      return { ready: false, status: s ? `${s.state} (${s.reason})` : 'no such domain' };
    }
    case 'domain-chardevs-connected': {
      const seen = await connectedChardevs(w.domain, w.chardevs);
      if (!seen) return { ready: false, status: 'QEMU does not answer through virsh yet' };
      const waiting = w.chardevs.filter((c) => !seen.get(c));
      return waiting.length === 0 ? { ready: true } : { ready: false, status: `${waiting.join(', ')} not connected` };
    }
    case 'domain-pinned': {
      const pid = readPidFile(w.pidFile);
      if (pid === undefined) throw new OperationError(`QEMU of domain ${w.domain} is not running (${w.pidFile})`);
      const threads = await vcpuThreads(w.domain);
      if (!threads) return { ready: false, status: 'QEMU does not answer through virsh yet' };
      const p = comparePinning({ vcpus: w.vcpus, emulator: w.emulator }, threads, readThreadAffinities(pid));
      if (p.ok) return { ready: true };
      const off = [
        ...p.vcpus.filter((v) => !v.ok).map((v) => `vCPU ${v.vcpu}`),
        ...(p.emulator.ok ? [] : ['emulator']),
      ];
      return { ready: false, status: `${off.join(', ')} not on the wanted cores` };
    }
  }
}

export function describeDomainWait(w: DomainWait): string {
  switch (w.kind) {
    case 'domain-state':
      return `libvirt domain ${w.domain} to be ${w.state}`;
    case 'domain-chardevs-connected':
      return `the vhost-user backends of domain ${w.domain} to connect (${w.chardevs.join(', ')})`;
    case 'domain-pinned':
      return `the threads of domain ${w.domain} to be pinned`;
  }
}
