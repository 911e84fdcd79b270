// Cores: online, on the NUMA node, isolated for busy processes, not shared between busy processes
// (and not hyperthread siblings of each other).

import { resolvePinning } from '../components/vm/spec.js';
import type { Config } from '../config/types.js';
import { formatCoreList } from '../util/core-list.js';
import { parseCpuList } from './host-facts.js';
import { ev, fail, keyName, ok, skip, spec, warn, worst } from './result.js';
import type { CheckResult, CheckState, HostView } from './types.js';

/** One kind of process and the cores it runs on. */
export interface CoreRole {
  name: string;
  key: string;
  cores: number[];
  /** Spins at 100 % on its cores: snabbnfv with -b, and vCPUs (the guest lwAFTR polls). */
  busy: boolean;
  kind: 'snabbnfv' | 'vcpu' | 'emulator';
}

export function coreRoles(config: Config): CoreRole[] {
  const busy = config.snabbnfv.busyWait;
  const roles: CoreRole[] = config.snabbnfv.ports.map((p) => ({
    name: `snabbnfv port ${p.index}${busy ? ' (busy-waiting)' : ''}`,
    key: `SNABBNFV_CORE${p.index}`,
    cores: [p.core],
    busy,
    kind: 'snabbnfv',
  }));
  const pin = config.vm.pin;
  const { vcpu, emulator } = pinnedCores(config);
  if (vcpu)
    roles.push({
      name: 'QEMU vCPUs',
      key: pin.vcpuCores ? 'QEMU_VCPU_CORES' : 'QEMU_CORE',
      cores: vcpu,
      busy: true,
      kind: 'vcpu',
    });
  if (emulator)
    roles.push({
      name: "QEMU's other threads",
      key: pin.emulatorCores ? 'QEMU_EMULATOR_CORES' : 'QEMU_CORE',
      cores: emulator,
      busy: false,
      kind: 'emulator',
    });
  return roles;
}

const CPU = '/sys/devices/system/cpu';

export function checkCores(config: Config, view: HostView): CheckResult[] {
  const roles = coreRoles(config);
  return [
    checkOnline(config, view, roles),
    ...checkNumaCores(config, view, roles),
    checkPinned(config),
    checkIsolated(config, view, roles),
    checkOverlap(config, roles),
    checkSiblings(config, view, roles),
  ];
}

function checkOnline(config: Config, view: HostView, roles: CoreRole[]): CheckResult {
  const s = spec(config, 'cores-online', 'host', 'cores online');
  const text = view.read(`${CPU}/online`);
  const online = parseCpuList(text);
  const evidence = [ev(`${CPU}/online`, text)];
  if (!online) return fail(s, `cannot read ${CPU}/online`, evidence, 'mount sysfs at /sys');
  // QEMU_CORE alone stands for both QEMU roles: each key and core once.
  const offline = [
    ...new Set(
      roles.flatMap((r) =>
        r.cores.filter((c) => !online.includes(c)).map((c) => `${keyName(config, r.key)}: core ${c}`),
      ),
    ),
  ];
  if (offline.length === 0) return ok(s, `every configured core is online (online: ${text!.trim()})`, evidence);
  return fail(
    s,
    `not online here: ${offline.join(', ')} (online: ${text!.trim()})`,
    evidence,
    `pick cores from ${text!.trim()}, or bring one online: echo 1 > ${CPU}/cpuN/online`,
  );
}

function checkNumaCores(config: Config, view: HostView, roles: CoreRole[]): CheckResult[] {
  const node = config.numaNode;
  if (node === undefined) return [];
  const s = spec(config, 'cores-numa', 'host', `cores on NUMA node ${node}`, 'NUMA_NODE');
  const file = `/sys/devices/system/node/node${node}/cpulist`;
  const text = view.read(file);
  const nodeCores = parseCpuList(text);
  const evidence = [ev(file, text ?? 'missing')];
  if (!nodeCores) {
    const nodes =
      view
        .list('/sys/devices/system/node')
        ?.filter((n) => /^node\d+$/.test(n))
        .join(', ') ?? 'none';
    return [
      fail(
        s,
        `NUMA node ${node} does not exist here (nodes: ${nodes})`,
        evidence,
        'set NUMA_NODE to one of them, or unset it',
      ),
    ];
  }
  const away = roles.flatMap((r) => r.cores.filter((c) => !nodeCores.includes(c)).map((c) => `${r.name} on core ${c}`));
  if (away.length === 0) return [ok(s, `every configured core is on node ${node} (${text!.trim()})`, evidence)];
  return [
    warn(
      s,
      `memory is bound to node ${node} (numactl -m ${node}), but ${away.join(', ')} runs on another node: ` +
        'every memory access crosses nodes',
      evidence,
      `pick cores from node ${node} (${text!.trim()}), or change NUMA_NODE`,
    ),
  ];
}

function checkPinned(config: Config): CheckResult {
  const pin = config.vm.pin;
  const s = spec(config, 'cores-qemu-pinned', 'vm', 'QEMU pinned', 'QEMU_VCPU_CORES');
  const evidence = [
    ev(
      'config',
      `QEMU_CORE=${pin.wholeProcessCores ?? ''} QEMU_VCPU_CORES=${pin.vcpuCores ?? ''} ` +
        `QEMU_EMULATOR_CORES=${pin.emulatorCores ?? ''}`,
    ),
  ];
  const { vcpu, emulator: other } = pinnedCores(config);
  if (vcpu)
    return ok(
      s,
      `vCPUs on ${coresText(vcpu)}, QEMU's other threads on ${other ? coresText(other) : 'any core'}`,
      evidence,
    );
  return warn(
    s,
    "QEMU's vCPUs are not pinned: they may run on any core, snabbnfv's included",
    evidence,
    'set QEMU_VCPU_CORES and QEMU_EMULATOR_CORES (or QEMU_CORE for the whole process) to cores snabbnfv does not use',
  );
}

function checkIsolated(config: Config, view: HostView, roles: CoreRole[]): CheckResult {
  const s = spec(config, 'cores-isolated', 'host', 'busy cores isolated');
  const busy = [...new Set(roles.filter((r) => r.busy).flatMap((r) => r.cores))].sort((a, b) => a - b);
  if (busy.length === 0) return skip(s, 'nothing busy-waits on a pinned core (SNABBNFV_BUSYWAIT=no, vCPUs not pinned)');
  const isolatedText = view.read(`${CPU}/isolated`);
  const nohzText = view.read(`${CPU}/nohz_full`);
  const quiet = new Set([...(parseCpuList(isolatedText) ?? []), ...(parseCpuList(nohzText) ?? [])]);
  const evidence = [ev(`${CPU}/isolated`, isolatedText ?? 'missing'), ev(`${CPU}/nohz_full`, nohzText ?? 'missing')];
  const shared = busy.filter((c) => !quiet.has(c));
  if (shared.length === 0) return ok(s, `the busy cores ${formatCoreList(busy)} are isolated`, evidence);
  const list = formatCoreList(shared);
  const cores = shared.length > 1 ? `cores ${list} run` : `core ${list} runs`;
  return warn(
    s,
    `${cores} busy-waiting snabbnfv or vCPUs but ${shared.length > 1 ? 'are' : 'is'} not isolated: ` +
      'other tasks get scheduled there ' +
      'and cause packet drops',
    evidence,
    `add isolcpus=${list} nohz_full=${list} rcu_nocbs=${list} to the host kernel command line, and reboot`,
  );
}

/** Which pairs of roles may share a core, and how bad it is when they do. */
function overlapState(a: CoreRole, b: CoreRole): CheckState {
  if (a.kind === 'emulator' && b.kind === 'emulator') return 'ok';
  if (a.kind === 'snabbnfv' && b.kind === 'snabbnfv') return a.busy && b.busy ? 'fail' : 'ok';
  const kinds = new Set([a.kind, b.kind]);
  if (kinds.has('snabbnfv') && kinds.has('vcpu')) return a.busy && b.busy ? 'fail' : 'warn';
  // vCPU with QEMU's other threads, or a snabbnfv with them: they steal time from each other.
  return a.busy || b.busy ? 'warn' : 'ok';
}

/** `a`, `a and b`, `a, b and c`. */
const listText = (items: string[]) =>
  items.length < 2 ? items.join('') : `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`;

/** `core 3`, `cores 3,5`. */
const coresText = (cores: number[]) => `${cores.length === 1 ? 'core' : 'cores'} ${formatCoreList(cores)}`;

function checkOverlap(config: Config, roles: CoreRole[]): CheckResult {
  const s = spec(config, 'cores-overlap', 'host', 'busy processes on their own cores');
  const found: { state: CheckState; text: string }[] = [];
  for (const core of [...new Set(roles.flatMap((r) => r.cores))].sort((a, b) => a - b)) {
    const here = roles.filter((r) => r.cores.includes(core));
    const state = worst(here.flatMap((a, i) => here.slice(i + 1).map((b) => overlapState(a, b))));
    if (state !== 'ok') found.push({ state, text: `core ${core} runs ${listText(here.map((r) => r.name))}` });
  }
  const evidence = roles.map((r) => ev(`${keyName(config, r.key)}`, formatCoreList(r.cores)));
  if (found.length === 0) return ok(s, 'no busy process shares its core', evidence);
  const message =
    `${found.map((f) => f.text).join('; ')}: ` +
    'a busy-waiting process takes its whole core, so the others get only a share';
  const fix =
    'give each busy-waiting process its own core (SNABBNFV_CORE1/2, QEMU_VCPU_CORES, QEMU_EMULATOR_CORES), ' +
    'or SNABBNFV_BUSYWAIT=no on a small host';
  return worst(found.map((f) => f.state)) === 'fail'
    ? fail(s, message, evidence, fix)
    : warn(s, message, evidence, fix);
}

function checkSiblings(config: Config, view: HostView, roles: CoreRole[]): CheckResult {
  const s = spec(config, 'cores-siblings', 'host', 'busy cores not hyperthread siblings');
  const busy = [...new Set(roles.filter((r) => r.busy).flatMap((r) => r.cores))].sort((a, b) => a - b);
  if (busy.length < 2) return skip(s, 'fewer than two busy-waiting cores');
  const evidence = busy.map((c) => {
    const file = `${CPU}/cpu${c}/topology/thread_siblings_list`;
    return ev(file, view.read(file) ?? 'missing');
  });
  const pairs: string[] = [];
  busy.forEach((c, i) => {
    const siblings = parseCpuList(evidence[i]!.value) ?? [];
    for (const d of busy) if (d > c && siblings.includes(d)) pairs.push(`${c} and ${d}`);
  });
  if (pairs.length === 0)
    return ok(s, `the busy cores ${formatCoreList(busy)} are on different physical cores`, evidence);
  return warn(
    s,
    `cores ${pairs.join(', ')} are hyperthreads of one physical core: two busy-waiting processes there ` +
      "halve each other's speed",
    evidence,
    'pick busy cores on different physical cores (see thread_siblings_list)',
  );
}

/** The cores of all vCPU threads and of QEMU's other threads, as the VM spec resolves them. */
function pinnedCores(config: Config): { vcpu?: number[]; emulator?: number[] } {
  const { vcpus, emulator } = resolvePinning(config);
  const vcpu = vcpus.length ? [...new Set(vcpus.flatMap((v) => v.cores))].sort((a, b) => a - b) : undefined;
  return { vcpu, emulator };
}
