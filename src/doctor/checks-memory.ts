// Guest memory: a hugetlbfs mount with enough free pages of the right size on the right node, or memfd.
import type { Config } from '../config/types.js';
import { atLeast, parseMeminfo, parseMounts, parseVersion } from './host-facts.js';
import { ev, fail, ok, skip, spec } from './result.js';
import type { CheckResult, DoctorOptions, Evidence, HostView } from './types.js';

/** hugetlbfs `pagesize=` option: 2M, 1G, 2048k → kB. */
export function pageSizeKb(option: string): number | undefined {
  const m = /^(\d+)([KkMmGg])?$/.exec(option);
  if (!m) return undefined;
  const unit = (m[2] ?? 'k').toLowerCase();
  return Number(m[1]) * (unit === 'g' ? 1024 * 1024 : unit === 'm' ? 1024 : 1);
}

export function checkMemory(config: Config, view: HostView, options: DoctorOptions): CheckResult[] {
  const backend = config.vm.memBackend;
  if (backend.kind === 'memfd') return [checkMemfd(config, view)];
  const mountSpec = spec(config, 'hugepages-mount', 'vm', 'hugetlbfs mount', 'HUGEPAGES_FS');
  const mounts = view.read('/proc/mounts');
  if (mounts === undefined)
    return [fail(mountSpec, 'cannot read /proc/mounts', [ev('/proc/mounts', 'unreadable')], 'mount /proc')];
  const mount = parseMounts(mounts)
    .filter((m) => m.mountPoint === backend.path)
    .pop();
  const mountEvidence = [
    ev(
      '/proc/mounts',
      mount
        ? `${mount.device} ${mount.mountPoint} ${mount.fsType} ${mount.options.join(',')}`
        : `no mount at ${backend.path}`,
    ),
  ];
  if (mount?.fsType !== 'hugetlbfs')
    return [
      fail(
        mountSpec,
        `${backend.path} is not a hugetlbfs mount${mount ? ` (it is ${mount.fsType})` : ''}: QEMU would put guest ` +
          'memory in ordinary files there, without hugepages',
        mountEvidence,
        `mkdir -p ${backend.path} && mount -t hugetlbfs nodev ${backend.path} (or MEM_BACKEND=memfd)`,
      ),
    ];
  const results = [ok(mountSpec, `${backend.path} is a hugetlbfs mount`, mountEvidence)];

  const sizeSpec = spec(config, 'hugepages-size', 'vm', 'hugepage size', 'MEM');
  const option = mount.options.find((o) => o.startsWith('pagesize='))?.slice('pagesize='.length);
  const meminfo = parseMeminfo(view.read('/proc/meminfo') ?? '');
  const sizeKb = option !== undefined ? pageSizeKb(option) : meminfo.Hugepagesize;
  const sizeEvidence =
    option !== undefined
      ? ev('/proc/mounts pagesize=', option)
      : ev('/proc/meminfo Hugepagesize (kB)', meminfo.Hugepagesize);
  if (!sizeKb)
    return [
      ...results,
      fail(sizeSpec, 'cannot tell the hugepage size', [sizeEvidence], 'check /proc/meminfo and the mount options'),
    ];
  const memKb = config.vm.memMiB * 1024;
  if (memKb % sizeKb !== 0)
    return [
      ...results,
      fail(
        sizeSpec,
        `MEM=${config.vm.memMiB}M is not a whole number of ${sizeKb} kB pages: QEMU refuses it`,
        [sizeEvidence],
        `set MEM to a multiple of ${sizeKb / 1024}M`,
      ),
    ];
  results.push(
    ok(sizeSpec, `${sizeKb} kB pages; MEM=${config.vm.memMiB}M takes ${memKb / sizeKb} of them`, [sizeEvidence]),
  );
  results.push(checkFreePages(config, view, sizeKb, memKb / sizeKb, options));
  return results;
}

function checkFreePages(
  config: Config,
  view: HostView,
  sizeKb: number,
  need: number,
  options: DoctorOptions,
): CheckResult {
  const node = config.numaNode;
  const s = spec(config, 'hugepages-free', 'vm', 'free hugepages', node === undefined ? 'MEM' : 'NUMA_NODE');
  const pool = `hugepages-${sizeKb}kB`;
  const nodeDir = node === undefined ? undefined : `/sys/devices/system/node/node${node}/hugepages/${pool}`;
  const dir = nodeDir && view.stat(nodeDir)?.kind === 'dir' ? nodeDir : `/sys/kernel/mm/hugepages/${pool}`;
  const free = Number(view.read(`${dir}/free_hugepages`));
  const reserved = Number(view.read(`${dir}/resv_hugepages`) ?? 0);
  const total = Number(view.read(`${dir}/nr_hugepages`));
  const evidence: Evidence[] = [
    ev(`${dir}/free_hugepages`, view.read(`${dir}/free_hugepages`)),
    ev(`${dir}/nr_hugepages`, total),
  ];
  if (dir !== nodeDir && nodeDir) evidence.push(ev(nodeDir, 'missing: counted the whole host'));
  if (!Number.isFinite(free))
    return fail(
      s,
      `the kernel has no pool of ${sizeKb} kB hugepages`,
      evidence,
      `use the default hugepage size, or boot with hugepagesz=${sizeKb / 1024}M`,
    );
  if (options.vmRunning) return skip(s, `not checked: the VM runs and holds its pages (${free} free now)`, evidence);
  const available = free - (Number.isFinite(reserved) ? reserved : 0);
  const where = dir === nodeDir ? `on NUMA node ${node}` : 'on this host';
  if (available >= need) return ok(s, `${available} free ${where}; the guest needs ${need}`, evidence);
  return fail(
    s,
    `only ${available} hugepages of ${sizeKb} kB are free ${where}, the guest needs ${need}: QEMU would exit at once ` +
      '("unable to map backing store for guest RAM")',
    evidence,
    `echo ${total + need - available} > ${dir}/nr_hugepages`,
  );
}

/** memfd needs Linux 3.17; every kernel that runs this tool has it, but say where it was read. */
function checkMemfd(config: Config, view: HostView): CheckResult {
  const s = spec(config, 'memfd', 'vm', 'memfd guest memory', 'MEM_BACKEND');
  const release = view.read('/proc/sys/kernel/osrelease')?.trim();
  const evidence = [ev('/proc/sys/kernel/osrelease', release)];
  const version = release ? parseVersion(release) : undefined;
  if (version && !atLeast(version, '3.17'))
    return fail(
      s,
      `Linux ${release} has no memfd (3.17 or newer has)`,
      evidence,
      'MEM_BACKEND=hugetlbfs with a hugetlbfs mount',
    );
  return ok(
    s,
    `Linux ${release ?? '(unknown release)'} shares guest memory through memfd (no hugepages needed)`,
    evidence,
  );
}
