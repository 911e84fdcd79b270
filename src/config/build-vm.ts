// The vm section: QEMU, memory, boot, the management NIC, pinning, extra arguments.
import path from 'node:path';
import { joinKernelParams, KERNEL_CMDLINE_MAX } from '../shell/kernel-cmdline.js';
import { splitWords } from '../shell/split-words.js';
import { sshPortOf } from './build-ssh.js';
import {
  hostPathIn,
  parseChoice,
  parseCoreList,
  parseInteger,
  parseIpv4,
  parseMac,
  parseMemSize,
  parsePort,
  parseProgram,
  parseQemuOption,
  parseWord,
  parseYesNo,
  ValueError,
} from './parse-values.js';
import { readQemuArgs } from './qemu-extra-args.js';
import type { Settings } from './settings.js';
import type { MemBackend, MgmtNet, VmConfig } from './types.js';

export function buildVm(s: Settings): VmConfig {
  const hostPath = hostPathIn(path.dirname(s.ctx.file));
  const accel = s.value('QEMU_ACCEL', (v) => parseChoice(v, ['kvm', 'tcg'] as const));
  const cpu = s.value('QEMU_CPU', parseQemuOption);
  if (accel === 'tcg' && cpu === 'host')
    s.problem(
      s.isSet('QEMU_CPU') ? 'QEMU_CPU' : 'QEMU_ACCEL',
      'QEMU_CPU=host needs QEMU_ACCEL=kvm; under tcg set QEMU_CPU to a model such as max',
    );
  const memMiB = s.value('MEM', parseMemSize);
  const extra = s.optional('QEMU_ARGS', (v) => readQemuArgs(splitWords(v, s.ctx.home))) ?? { args: [] };
  const kernel = s.optional('BZ_IMAGE', hostPath);
  const diskPath = s.optional('VM_IMAGE', hostPath);
  const noBoot = !s.isSet('BZ_IMAGE') && !s.isSet('VM_IMAGE') && !s.refused('BZ_IMAGE') && !s.refused('VM_IMAGE');
  if (noBoot) s.problem('BZ_IMAGE', 'the VM needs a kernel (BZ_IMAGE) or a disk image (VM_IMAGE/DISK): set one');
  const guestHugepages = s.value('GUEST_HUGEPAGES', (v) => parseInteger(v, 0, 1 << 20));
  if (kernel && guestHugepages * 2 >= memMiB)
    s.problem(
      'GUEST_HUGEPAGES',
      `${guestHugepages} hugepages of 2 MiB do not fit in MEM=${memMiB}M; lower it or raise MEM`,
    );
  const engine = s.value('VM_ENGINE', (v) => parseChoice(v, ['qemu', 'libvirt'] as const));
  // libvirt never probes an image's format (a qcow2 read as raw would boot garbage): it must be said.
  if (engine === 'libvirt' && diskPath && !s.isSet('VM_FORMAT'))
    s.problem('VM_FORMAT', 'VM_ENGINE=libvirt needs the disk image format: set VM_FORMAT=qcow2 (or raw)');
  return {
    engine,
    qemu: s.value('QEMU', parseProgram),
    accel,
    cpu,
    machine: s.value('QEMU_MACHINE', parseQemuOption),
    cpus: vcpusOf(s, extra.cpus),
    memMiB,
    memBackend: memBackendOf(s, hostPath),
    kernel,
    initrd: s.optional('INITRD', hostPath),
    kernelParams: s.optional('KERNEL_PARAMS', parseKernelParams) ?? [],
    guestHugepages,
    disk: diskPath ? { path: diskPath, format: s.optional('VM_FORMAT', parseWord) } : undefined,
    cwd: s.optional('VM_DIR', hostPath),
    mgmt: mgmtOf(s, hostPath),
    share: s.optional('SHARED_LOCATION', hostPath),
    vncDisplay: s.optional('VNC_DISPLAY', (v) => parseInteger(v, 0, 59635)),
    serialPort: s.optional('VM_PORT', parsePort),
    extraArgs: extra.args,
    pin: {
      wholeProcessCores: s.optional('QEMU_CORE', parseCoreList),
      vcpuCores: s.optional('QEMU_VCPU_CORES', parseCoreList),
      emulatorCores: s.optional('QEMU_EMULATOR_CORES', parseCoreList),
    },
  };
}

/** VM_CPUS, or QEMU_ARGS' -smp N when VM_CPUS is not set (said as a warning). */
function vcpusOf(s: Settings, fromArgs: number | undefined): number {
  const cpus = s.value('VM_CPUS', (v) => parseInteger(v, 1, 1024));
  if (fromArgs === undefined || fromArgs === cpus) return cpus;
  if (s.isSet('VM_CPUS')) {
    s.problem('QEMU_ARGS', `has -smp ${fromArgs} but VM_CPUS is ${cpus}: keep VM_CPUS and drop -smp`);
    return cpus;
  }
  s.warn('QEMU_ARGS', `-smp ${fromArgs} is taken as VM_CPUS=${fromArgs}: set VM_CPUS=${fromArgs} and drop -smp`);
  return fromArgs;
}

/** Words for the kernel's command line: no double quote inside one (the kernel has no escape), and short enough. */
function parseKernelParams(v: string): string[] {
  const words = splitWords(v);
  if (words.some((w) => w.includes('"')))
    throw new ValueError('a double quote inside a kernel parameter cannot be written on the kernel command line');
  const length = joinKernelParams(words).length;
  // lwaftrctl adds console=, ip= and hugepages= (under 100 bytes) to the kernel's 2047.
  if (length > KERNEL_CMDLINE_MAX - 100)
    throw new ValueError(
      `is ${length} bytes; the kernel command line holds ${KERNEL_CMDLINE_MAX} and lwaftrctl adds its own: ` +
        `keep it under ${KERNEL_CMDLINE_MAX - 100}`,
    );
  return words;
}

function memBackendOf(s: Settings, hostPath: (v: string) => string): MemBackend {
  const kind = s.value('MEM_BACKEND', (v) => parseChoice(v, ['hugetlbfs', 'memfd'] as const));
  return kind === 'memfd' ? { kind } : { kind, path: s.value('HUGEPAGES_FS', hostPath) };
}

function mgmtOf(s: Settings, hostPath: (v: string) => string): MgmtNet {
  const mac = s.value('MGMT_MAC', parseMac);
  if (s.value('MGMT_NET', (v) => parseChoice(v, ['tap', 'user'] as const)) === 'user') {
    const sshPort = sshPortOf(s);
    if (sshPort.fromDefault && !s.refused('VM_SSH_PORT'))
      s.problem(
        'VM_SSH_PORT',
        'MGMT_NET=user forwards a host port on 127.0.0.1 to the guest SSH: set VM_SSH_PORT to a free port such as ' +
          '10022',
      );
    return { kind: 'user', sshPort: sshPort.port, mac };
  }
  const prefix = s.optional('VM_IP', parseIpv4)?.split('/')[1];
  return {
    kind: 'tap',
    iface: s.value('IFACE', parseWord),
    script: s.optional('NETSCRIPT', hostPath),
    mac,
    vhost: s.value('MGMT_VHOST', parseYesNo),
    guestPrefix: prefix === undefined ? undefined : Number(prefix),
  };
}
