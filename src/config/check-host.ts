// Checks a Config against the host it will run on: files that must exist, cores and
// NUMA nodes that must be online. Facts are passed in so that the check stays pure.
import path from 'node:path';
import type { ConfigProblem } from '../errors.js';
import { formatCoreList } from '../util/core-list.js';
import type { Config } from './types.js';

export interface HostFacts {
  onlineCpus: number[];
  numaNodes: number[];
  isFile(p: string): boolean;
  isDir(p: string): boolean;
  /** Full path of a program found on PATH (or given as a path), if any. */
  findProgram(name: string): string | undefined;
}

export function checkHost(config: Config, facts: HostFacts): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const at = (key: string, message: string) => {
    const source = config.sources[key];
    problems.push({ file: config.file, line: source?.line, key: source?.writtenAs ?? key, message });
  };
  const file = (key: string, p: string | undefined, what: string) => {
    if (p !== undefined && !facts.isFile(p)) at(key, `${what} ${p} does not exist`);
  };
  const dir = (key: string, p: string | undefined, what: string) => {
    if (p !== undefined && !facts.isDir(p)) at(key, `${what} ${p} is not a folder`);
  };
  const cores = (key: string, list: number[] | undefined) => {
    const offline = (list ?? []).filter((c) => !facts.onlineCpus.includes(c));
    if (offline.length)
      at(key, `core ${offline.join(',')} is not online here (online: ${formatCoreList(facts.onlineCpus)})`);
  };

  file('SNABB_PATH', path.join(config.snabbPath, 'src', 'snabb'), 'the snabb program');
  for (const port of config.snabbnfv.ports) {
    file(`SNABBNFV_CONF${port.index}`, port.portConf, 'port file');
    cores(`SNABBNFV_CORE${port.index}`, [port.core]);
    if (port.pci !== 'soft' && !facts.isDir(`/sys/bus/pci/devices/${port.pci}`))
      at(
        `SNABBNFV_PCI${port.index}`,
        `no PCI device ${port.pci} on this host (lspci -D lists them; soft runs snabbnfv with no NIC)`,
      );
    // lwaftrctl creates its state folder itself; any other socket folder must exist.
    if (!port.socket.startsWith(`${config.stateDir}/`))
      dir(`SNABBNFV_SOCK${port.index}`, path.dirname(port.socket), 'the socket folder');
  }
  if (config.numaNode !== undefined && !facts.numaNodes.includes(config.numaNode))
    at('NUMA_NODE', `NUMA node ${config.numaNode} does not exist here (nodes: ${formatCoreList(facts.numaNodes)})`);

  const vm = config.vm;
  if (!facts.findProgram(vm.qemu))
    at('QEMU', `${vm.qemu} is not installed (apt-get install qemu-system-x86) or not on PATH`);
  file('BZ_IMAGE', vm.kernel, 'kernel');
  file('INITRD', vm.initrd, 'initramfs');
  file('VM_IMAGE', vm.disk?.path, 'disk image');
  dir('VM_DIR', vm.cwd, 'VM_DIR');
  dir('SHARED_LOCATION', vm.share, 'the shared folder');
  if (vm.memBackend.kind === 'hugetlbfs') dir('HUGEPAGES_FS', vm.memBackend.path, 'hugetlbfs mount');
  if (vm.mgmt.kind === 'tap') file('NETSCRIPT', vm.mgmt.script, 'tap script');
  cores('QEMU_CORE', vm.pin.wholeProcessCores);
  cores('QEMU_VCPU_CORES', vm.pin.vcpuCores);
  cores('QEMU_EMULATOR_CORES', vm.pin.emulatorCores);
  file('VM_SSH_KEY', config.ssh.identityFile, 'SSH key');
  if (config.ssh.hostKeyCheck === 'yes')
    file('VM_KNOWN_HOSTS', config.ssh.knownHosts, 'known-hosts file (VM_HOST_KEY_CHECK=yes needs it)');
  return problems;
}
