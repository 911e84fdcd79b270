// The full QEMU command line for the VM, from config alone.
import { formatCoreList } from '../config/parse-values.js';
import type { Config } from '../config/types.js';
import { instancePaths } from './instance-paths.js';

/** QEMU option values are comma-separated: a comma inside a path is written twice. */
export function escapeOptionValue(value: string): string {
  return value.replace(/,/g, ',,');
}

export function qemuChardevId(index: 1 | 2): string {
  return `char${index}`;
}

export function qemuArgs(config: Config): string[] {
  const vm = config.vm;
  const paths = instancePaths(config);
  const e = escapeOptionValue;
  const mem = `${vm.memMiB}M`;
  const args = [
    '-name',
    `${config.name},debug-threads=on`,
    '-machine',
    `${vm.machine},accel=${vm.accel}`,
    '-cpu',
    vm.cpu,
    '-smp',
    String(vm.cpus),
    '-m',
    mem,
  ];
  if (vm.memBackend.kind === 'hugetlbfs')
    args.push('-object', `memory-backend-file,id=mem,size=${mem},mem-path=${e(vm.memBackend.path)},share=on`);
  else args.push('-object', `memory-backend-memfd,id=mem,size=${mem},share=on`);
  args.push('-numa', 'node,memdev=mem');

  for (const port of config.snabbnfv.ports) {
    const chardev = qemuChardevId(port.index);
    const netdev = `net${port.index - 1}`;
    // Under TCG, QEMU 7.2 segfaults when the guest starts a vhost-user NIC that has MSI-X vectors.
    const vectors = vm.accel === 'tcg' ? ',vectors=0' : '';
    args.push(
      '-chardev',
      `socket,id=${chardev},path=${e(port.socket)},server=on,wait=off`,
      '-netdev',
      `type=vhost-user,id=${netdev},chardev=${chardev}`,
      '-device',
      `virtio-net-pci,netdev=${netdev},addr=${port.qemuAddr},mac=${port.mac}${vectors}`,
    );
  }

  if (vm.mgmt.kind === 'tap')
    args.push(
      '-netdev',
      `type=tap,id=mgmt,ifname=${vm.mgmt.iface},script=${vm.mgmt.script ? e(vm.mgmt.script) : 'no'},downscript=no`,
    );
  else args.push('-netdev', `user,id=mgmt,restrict=on,hostfwd=tcp:127.0.0.1:${vm.mgmt.sshPort}-:22`);
  args.push('-device', `virtio-net-pci,netdev=mgmt,addr=0xa,mac=${vm.mgmt.mac}`);

  if (vm.share)
    args.push(
      '-fsdev',
      `local,security_model=passthrough,id=fsdev0,path=${e(vm.share)}`,
      '-device',
      'virtio-9p-pci,id=fs0,fsdev=fsdev0,mount_tag=share',
    );

  if (vm.kernel) {
    args.push('-kernel', vm.kernel);
    if (vm.initrd) args.push('-initrd', vm.initrd);
    args.push('-append', kernelCommandLine(config));
  }
  if (vm.disk)
    args.push('-drive', `if=virtio,file=${e(vm.disk.path)}${vm.disk.format ? `,format=${vm.disk.format}` : ''}`);

  // VNC listens on loopback only: reach it through an SSH tunnel.
  if (vm.vncDisplay !== undefined) args.push('-vnc', `127.0.0.1:${vm.vncDisplay}`);
  else args.push('-display', 'none');
  // QEMU takes everything after `file:` as the path, unparsed: no comma escaping there.
  args.push('-serial', `file:${paths.consoleLog}`);
  if (vm.serialPort !== undefined) args.push('-serial', `telnet:127.0.0.1:${vm.serialPort},server=on,wait=off`);
  args.push(
    '-pidfile',
    paths.qemuPidFile,
    '-qmp',
    `unix:${e(paths.qmpSocket)},server=on,wait=off`,
    // Paused until lwaftrctl has pinned the vCPU threads.
    '-S',
    ...vm.extraArgs,
  );
  return args;
}

export function kernelCommandLine(config: Config): string {
  const vm = config.vm;
  const words = ['console=ttyS0'];
  if (vm.disk) words.push('root=/dev/vda', 'rw');
  if (vm.mgmt.kind === 'tap') words.push(`ip=${config.ssh.host}`);
  words.push(`hugepages=${vm.guestHugepages}`, ...vm.kernelParams);
  return words.join(' ');
}

/** [numactl -m NODE] [taskset -c CORES] qemu …: threads inherit the launch affinity. */
export function qemuArgv(config: Config): string[] {
  const vm = config.vm;
  const prefix = config.numaNode === undefined ? [] : ['numactl', '-m', String(config.numaNode)];
  const launchCores = vm.pin.emulatorCores ?? vm.pin.wholeProcessCores;
  if (launchCores) prefix.push('taskset', '-c', formatCoreList(launchCores));
  return [...prefix, vm.qemu, ...qemuArgs(config)];
}
