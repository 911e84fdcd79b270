// The NICs snabbnfv drives: present, on the right NUMA node, not a host interface in use, and the IOMMU mode.
import path from 'node:path';
import type { Config, NfvPort } from '../config/types.js';
import { parseCpuList } from './host-facts.js';
import { ev, fail, ok, spec, warn } from './result.js';
import type { CheckResult, Evidence, HostView } from './types.js';

const PCI = '/sys/bus/pci/devices';

export async function checkNics(config: Config, view: HostView): Promise<CheckResult[]> {
  const real = config.snabbnfv.ports.filter((p) => p.pci !== 'soft');
  const perPort = await Promise.all(real.map((port) => checkNic(config, view, port)));
  return real.length ? [...perPort.flat(), checkIommu(config, view)] : [];
}

async function checkNic(config: Config, view: HostView, port: NfvPort): Promise<CheckResult[]> {
  const n = port.index;
  const key = `SNABBNFV_PCI${n}`;
  const dir = `${PCI}/${port.pci}`;
  const present = spec(config, `nic-present-${n}`, 'snabbnfv', `port ${n} NIC ${port.pci}`, key);
  if (view.stat(dir)?.kind !== 'dir')
    return [
      fail(
        present,
        `there is no PCI device ${port.pci} on this host`,
        [ev(dir, 'missing')],
        `find the NIC with lspci -D (Ethernet controllers) and set ${key} to it, or ${key}=soft to run without a NIC`,
      ),
    ];
  const pciClass = view.read(`${dir}/class`)?.trim();
  const classEvidence = [ev(`${dir}/class`, pciClass)];
  const results = [
    pciClass?.startsWith('0x02')
      ? ok(present, `${port.pci} is a network controller`, classEvidence)
      : warn(
          present,
          `${port.pci} is not a network controller (PCI class ${pciClass})`,
          classEvidence,
          `check ${key} with lspci -D -s ${port.pci}`,
        ),
  ];
  results.push(checkNicNuma(config, view, port), await checkNicInUse(config, view, port));
  return results;
}

/** The node whose cpulist holds core; undefined without NUMA information. */
function nodeOfCore(view: HostView, core: number): number | undefined {
  const nodes = view.list('/sys/devices/system/node')?.filter((e) => /^node\d+$/.test(e)) ?? [];
  const hit = nodes.find((e) => parseCpuList(view.read(`/sys/devices/system/node/${e}/cpulist`))?.includes(core));
  return hit === undefined ? undefined : Number(hit.slice(4));
}

function checkNicNuma(config: Config, view: HostView, port: NfvPort): CheckResult {
  const n = port.index;
  const s = spec(
    config,
    `nic-numa-${n}`,
    'snabbnfv',
    `port ${n} NIC NUMA node`,
    config.numaNode === undefined ? `SNABBNFV_CORE${n}` : 'NUMA_NODE',
  );
  const file = `${PCI}/${port.pci}/numa_node`;
  const nicNode = Number(view.read(file));
  const evidence: Evidence[] = [ev(file, view.read(file))];
  if (!Number.isFinite(nicNode) || nicNode < 0)
    return ok(s, 'the host reports no NUMA node for the NIC (one node)', evidence);
  const coreNode = nodeOfCore(view, port.core);
  evidence.push(
    ev(
      `/sys/devices/system/node/node*/cpulist (core ${port.core})`,
      coreNode === undefined ? 'no node' : `node${coreNode}`,
    ),
  );
  const mismatch: string[] = [];
  if (config.numaNode !== undefined && config.numaNode !== nicNode) mismatch.push(`NUMA_NODE is ${config.numaNode}`);
  if (coreNode !== undefined && coreNode !== nicNode)
    mismatch.push(`its snabbnfv core ${port.core} is on node ${coreNode}`);
  if (mismatch.length === 0) return ok(s, `the NIC, its core and memory are on node ${nicNode}`, evidence);
  return warn(
    s,
    `the NIC ${port.pci} is on NUMA node ${nicNode}, but ${mismatch.join(' and ')}: every packet crosses nodes`,
    evidence,
    `set NUMA_NODE=${nicNode} and SNABBNFV_CORE${n} to a core in /sys/devices/system/node/node${nicNode}/cpulist`,
  );
}

/** A NIC whose netdev carries addresses is one the host uses: snabbnfv would take it away. */
async function checkNicInUse(config: Config, view: HostView, port: NfvPort): Promise<CheckResult> {
  const n = port.index;
  const s = spec(config, `nic-in-use-${n}`, 'snabbnfv', `port ${n} NIC free for Snabb`, `SNABBNFV_PCI${n}`);
  const link = view.readLink(`${PCI}/${port.pci}/driver`);
  const driver = link ? path.basename(link) : undefined;
  const netDir = `${PCI}/${port.pci}/net`;
  const ifaces = view.list(netDir) ?? [];
  const evidence: Evidence[] = [
    ev(`${PCI}/${port.pci}/driver`, driver ?? 'none'),
    ev(netDir, ifaces.join(' ') || 'none'),
  ];
  const bound = driver
    ? `bound to the kernel driver ${driver}, which snabbnfv unbinds when it starts`
    : 'no kernel driver is bound';
  if (ifaces.length === 0) return ok(s, `${bound}; no host network interface on it`, evidence);
  const inet6 = view.read('/proc/net/if_inet6') ?? '';
  const used: string[] = [];
  for (const iface of ifaces) {
    // Link-local IPv6 addresses come with every interface that is up: not a sign of use.
    const v6 = inet6
      .split('\n')
      .map((l) => l.trim().split(/\s+/))
      .filter((f) => f[5] === iface && !f[0]!.startsWith('fe80'))
      .map((f) => f[0]!.replace(/(.{4})(?!$)/g, '$1:').replace(/(^|:)0+(?=[0-9a-f])/g, '$1'));
    const v4 = await view.ipv4Addresses(iface);
    evidence.push(ev(`ip -j -4 addr show dev ${iface}`, v4 === undefined ? 'unknown' : v4.join(' ') || 'none'));
    evidence.push(ev(`/proc/net/if_inet6 (${iface})`, v6.join(' ') || 'none'));
    const addresses = [...(v4 ?? []), ...v6];
    if (addresses.length) used.push(`${iface} has ${addresses.join(', ')}`);
  }
  if (used.length === 0) return ok(s, `${bound}; its interface ${ifaces.join(', ')} carries no addresses`, evidence);
  return fail(
    s,
    `the host uses this NIC (${used.join('; ')}): snabbnfv would take it away from the host`,
    evidence,
    `pick another NIC for SNABBNFV_PCI${n}, or free this one: ` +
      `ip addr flush dev ${ifaces[0]} && ip link set ${ifaces[0]} down`,
  );
}

function checkIommu(config: Config, view: HostView): CheckResult {
  const s = spec(config, 'iommu', 'host', 'IOMMU mode');
  const groups = view.list('/sys/kernel/iommu_groups') ?? [];
  const cmdline = view.read('/proc/cmdline')?.trim() ?? '';
  const words = cmdline.split(/\s+/).filter((w) => /^(iommu|intel_iommu|amd_iommu)=/.test(w));
  const evidence = [
    ev('/sys/kernel/iommu_groups', `${groups.length} groups`),
    ev('/proc/cmdline', words.join(' ') || '(no iommu options)'),
  ];
  if (groups.length === 0) return ok(s, 'the IOMMU is off', evidence);
  if (words.some((w) => w === 'iommu=pt' || /^(intel|amd)_iommu=off$/.test(w)))
    return ok(s, 'the IOMMU passes DMA through (iommu=pt) or is off', evidence);
  return warn(
    s,
    `the IOMMU translates DMA (${groups.length} group${groups.length === 1 ? '' : 's'}, no iommu=pt): ` +
      "Snabb's NIC drivers hand the NIC " +
      'physical addresses, which the IOMMU then blocks',
    evidence,
    'add iommu=pt (or intel_iommu=off) to the host kernel command line, and reboot',
  );
}
