// The live affinity of QEMU's threads against the spec: each vCPU thread (found by the thread id
// QMP reports, as at start) against its own cores, every other thread against the emulator cores.
import { listThreads, threadAffinity } from '../../io/proc.js';
import { formatCoreList, readCoreList, sameCores } from '../../util/core-list.js';
import type { PinningStatus, ThreadPinning } from '../status-types.js';
import type { VmPinning } from './spec.js';

/** The affinity of each thread of a process, as the kernel lists it. */
export function readThreadAffinities(pid: number): Map<number, string> {
  // threadAffinity tolerates a thread that ends while it is being read.
  return new Map(listThreads(pid).map((tid) => [tid, threadAffinity(pid, tid) ?? '?']));
}

/** Pure: compares affinities (thread id → cpu list) with the spec. */
export function comparePinning(
  wanted: VmPinning,
  vcpuThreads: { vcpu: number; threadId: number }[],
  affinities: Map<number, string>,
): PinningStatus {
  const vcpuTids = new Set(vcpuThreads.map((t) => t.threadId));
  const vcpus = vcpuThreads.map((t) => {
    const cores = wanted.vcpus.find((p) => p.vcpu === t.vcpu)?.cores;
    return { vcpu: t.vcpu, threadId: t.threadId, ...judge(cores, [affinities.get(t.threadId) ?? '?']) };
  });
  const others = [...affinities].filter(([tid]) => !vcpuTids.has(tid)).map(([, affinity]) => affinity);
  const emulator = judge(wanted.emulator, others);
  return { ok: emulator.ok && vcpus.every((v) => v.ok), vcpus, emulator };
}

function judge(cores: number[] | undefined, affinities: string[]): ThreadPinning {
  const distinct = [...new Set(affinities)];
  return {
    wanted: cores ? formatCoreList(cores) : 'any',
    actual: distinct.join(' '),
    ok: !cores || distinct.every((a) => sameCores(readCoreList(a) ?? [], cores)),
  };
}
