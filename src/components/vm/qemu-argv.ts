// The VM spec written out as QEMU's command line. Nothing is decided here: the spec has decided.
import type { ProcessRef } from '../../io/process-identity.js';
import { joinKernelParams } from '../../shell/kernel-cmdline.js';
import { formatCoreList } from '../../util/core-list.js';
import type { DataNic, MgmtNic, Serial, VmSpec } from './spec.js';

/** QEMU option values are comma-separated: a comma inside a path is written twice. */
export function escapeOptionValue(value: string): string {
  return value.replace(/,/g, ',,');
}

const e = escapeOptionValue;

/** [numactl -m NODE] [taskset -c CORES] qemu …: threads inherit the launch affinity. */
export function qemuArgv(spec: VmSpec): string[] {
  const prefix = spec.numaNode === undefined ? [] : ['numactl', '-m', String(spec.numaNode)];
  if (spec.pinning.emulator) prefix.push('taskset', '-c', formatCoreList(spec.pinning.emulator));
  return [...prefix, spec.program, ...qemuArgs(spec)];
}

/** How lwaftrctl proves a pid is this instance's QEMU: its -name and -pidfile. */
export function qemuProcessRef(spec: VmSpec, record: string): ProcessRef {
  return {
    pidFile: spec.control.pidFile,
    record,
    cmdlineHas: ['-name', nameOption(spec), '-pidfile', spec.control.pidFile],
    label: 'QEMU',
  };
}

function nameOption(spec: VmSpec): string {
  return `${spec.name},debug-threads=on`;
}

/** QEMU_ARGS first, then lwaftrctl's own options, as the 2017 tool placed them: its options win. */
export function qemuArgs(spec: VmSpec): string[] {
  const mem = `${spec.memory.mib}M`;
  const backend = spec.memory.backend;
  return [
    ...spec.extraArgs,
    ...['-name', nameOption(spec), '-machine', `${spec.machine},accel=${spec.accel}`, '-cpu', spec.cpu],
    ...['-smp', String(spec.vcpus), '-m', mem],
    '-object',
    backend.kind === 'hugetlbfs'
      ? `memory-backend-file,id=mem,size=${mem},mem-path=${e(backend.path)},share=on,prealloc=on`
      : `memory-backend-memfd,id=mem,size=${mem},share=on`,
    ...['-numa', 'node,memdev=mem'],
    ...spec.dataNics.flatMap(dataNicArgs),
    ...mgmtNicArgs(spec.mgmtNic),
    ...(spec.share
      ? [
          ...['-fsdev', `local,security_model=passthrough,id=fsdev0,path=${e(spec.share.path)}`],
          ...['-device', `virtio-9p-pci,id=fs0,fsdev=fsdev0,mount_tag=${spec.share.tag}`],
        ]
      : []),
    ...bootArgs(spec),
    // VNC listens on loopback only: reach it through an SSH tunnel.
    ...(spec.vncDisplay === undefined ? ['-display', 'none'] : ['-vnc', `127.0.0.1:${spec.vncDisplay}`]),
    ...spec.serials.flatMap(serialArgs),
    ...['-pidfile', spec.control.pidFile, '-qmp', `unix:${e(spec.control.qmpSocket)},server=on,wait=off`],
    // Paused until lwaftrctl has pinned the vCPU threads.
    '-S',
  ];
}

function dataNicArgs(nic: DataNic): string[] {
  const vectors = nic.vectors === undefined ? '' : `,vectors=${nic.vectors}`;
  return [
    ...['-chardev', `socket,id=${nic.chardev},path=${e(nic.socket)},server=on,wait=off`],
    ...['-netdev', `type=vhost-user,id=${nic.netdev},chardev=${nic.chardev}`],
    ...['-device', `virtio-net-pci,netdev=${nic.netdev},addr=0x${nic.slot.toString(16)},mac=${nic.mac}${vectors}`],
  ];
}

export function mgmtNicArgs(nic: MgmtNic): string[] {
  const script = nic.kind === 'tap' && nic.script ? e(nic.script) : 'no';
  const netdev =
    nic.kind === 'tap'
      ? `type=tap,id=mgmt,ifname=${nic.iface},script=${script},downscript=no${nic.vhost ? ',vhost=on' : ''}`
      : `user,id=mgmt,restrict=on,hostfwd=tcp:127.0.0.1:${nic.hostPort}-:22`;
  return ['-netdev', netdev, '-device', `virtio-net-pci,netdev=mgmt,addr=0x${nic.slot.toString(16)},mac=${nic.mac}`];
}

function bootArgs(spec: VmSpec): string[] {
  const args: string[] = [];
  if (spec.kernel) {
    args.push('-kernel', spec.kernel.path);
    if (spec.kernel.initrd) args.push('-initrd', spec.kernel.initrd);
    args.push('-append', joinKernelParams(spec.kernel.cmdline));
  }
  if (spec.disk)
    args.push('-drive', `if=virtio,file=${e(spec.disk.path)}${spec.disk.format ? `,format=${spec.disk.format}` : ''}`);
  return args;
}

function serialArgs(serial: Serial): string[] {
  // QEMU takes everything after `file:` as the path, unparsed: no comma escaping there.
  if (serial.kind === 'file') return ['-serial', `file:${serial.path}`];
  return ['-serial', `telnet:127.0.0.1:${serial.port},server=on,wait=off`];
}
