// Raw entries → one typed Config. Pure: the environment, home folder and file name are passed in.
// Every problem is collected (with line and key) instead of stopping at the first.
import path from 'node:path';
import type { ConfigProblem } from '../errors.js';
import { SplitError, splitWords } from '../shell/split-words.js';
import { ExpansionError, expandValue } from './expand.js';
import { allKeyNames, findKey } from './keys.js';
import {
  parseChoice,
  parseCoreList,
  parseInteger,
  parseIpv4,
  parseMac,
  parseMemSize,
  parsePci,
  parsePort,
  parseSeconds,
  parseWord,
  parseYesNo,
  ValueError,
} from './parse-values.js';
import type { RawEntry } from './read-conf-file.js';
import { parseSshOpts, type SshOpts } from './ssh-opts.js';
import type { Config, LwaftrCommand, MemBackend, MgmtNet, NfvPort, PortIndex, Timeouts, VmConfig } from './types.js';

export interface BuildContext {
  file: string;
  env: Record<string, string | undefined>;
  home: string;
}

/** Longest unix socket path the kernel accepts (sun_path is 108 bytes with the NUL). */
export const MAX_SOCKET_PATH = 107;
/** File name of QEMU's QMP socket in STATE_DIR (src/plan/instance-paths.ts puts it there). */
export const QMP_SOCKET_NAME = 'qmp.sock';
/** Where the guest image mounts the 9p share, as the bash tool's guests did. */
export const GUEST_SHARE_MOUNT = '/mnt/host';
/** QEMU slots of the two vhost-user NICs; Snabb's guest driver finds them at 0000:00:08.0 and 0000:00:09.0. */
const NIC_SLOTS: Record<PortIndex, number> = { 1: 0x8, 2: 0x9 };

interface Setting {
  value: string;
  line: number;
  writtenAs: string;
  /** Set, but its value could not be expanded (already a problem): not also "required". */
  refused?: boolean;
}

export function buildConfig(entries: RawEntry[], ctx: BuildContext): { config?: Config; problems: ConfigProblem[] } {
  const problems: ConfigProblem[] = [];
  const settings = collectSettings(entries, ctx, problems);
  const warnings: string[] = [];
  const confDir = path.dirname(ctx.file);
  /** SSH_OPTS parsed once (see sshOpts): each parse of a bad one would report its problem again. */
  let parsedSshOpts: SshOpts | undefined;

  const problem = (key: string, message: string) => {
    problems.push({ file: ctx.file, line: settings.get(key)?.line, key: settings.get(key)?.writtenAs ?? key, message });
  };
  const raw = (key: string): string | undefined => {
    const v = settings.get(key)?.value;
    return v === undefined || v === '' ? undefined : v;
  };
  const refused = (key: string) => settings.get(key)?.refused === true;
  /** Parses a key's value (or its default), recording a problem instead of throwing. */
  function get<T>(key: string, parse: (v: string) => T, fallback?: string): T | undefined {
    const v = raw(key) ?? fallback;
    if (v === undefined) return undefined;
    try {
      return parse(v);
    } catch (e) {
      if (e instanceof ValueError || e instanceof SplitError) problem(key, e.message);
      else throw e;
      return undefined;
    }
  }
  function required<T>(key: string, parse: (v: string) => T): T | undefined {
    if (raw(key) === undefined) {
      if (!refused(key)) problem(key, `is required: ${findKey(key)!.doc.replace(/ \(required\)$/, '')}`);
      return undefined;
    }
    return get(key, parse);
  }
  const hostPath = (v: string) => {
    if (v.includes('\n')) throw new ValueError('a path cannot contain a line break');
    return path.resolve(confDir, v);
  };

  const name = get('NAME', parseWord, 'lwaftr1') ?? 'lwaftr1';
  const stateDir = get('STATE_DIR', hostPath, `/run/lwaftrctl/${name}`) ?? `/run/lwaftrctl/${name}`;
  const qmpSocket = path.join(stateDir, QMP_SOCKET_NAME);
  if (Buffer.byteLength(qmpSocket) > MAX_SOCKET_PATH) {
    const why = `the QMP socket ${qmpSocket} would be ${Buffer.byteLength(qmpSocket)} bytes; a unix socket path must be at most ${MAX_SOCKET_PATH}`;
    if (raw('STATE_DIR') !== undefined) problem('STATE_DIR', `${why}: pick a shorter STATE_DIR`);
    else
      problem(
        raw('NAME') !== undefined ? 'NAME' : 'STATE_DIR',
        `${why}: pick a shorter NAME, or set a short STATE_DIR`,
      );
  }
  const snabbPath = required('SNABB_PATH', hostPath);
  const numaNode = get('NUMA_NODE', (v) => parseInteger(v, 0, 1023));

  const socketPath = (v: string) => {
    const p = hostPath(v);
    if (p.includes('%s'))
      throw new ValueError(`"${v}" has %s; write the socket path out in full (QEMU needs the same path)`);
    if (Buffer.byteLength(p) > MAX_SOCKET_PATH)
      throw new ValueError(
        `"${p}" is ${Buffer.byteLength(p)} bytes; a unix socket path must be at most ${MAX_SOCKET_PATH}: pick a shorter path`,
      );
    return p;
  };
  const ports = ([1, 2] as const).map((index): Partial<NfvPort> => {
    const slot = NIC_SLOTS[index];
    return {
      index,
      pci: required(`SNABBNFV_PCI${index}`, parsePci),
      portConf: required(`SNABBNFV_CONF${index}`, hostPath),
      core: required(`SNABBNFV_CORE${index}`, (v) => parseInteger(v, 0, 4095)),
      mac: get(`SNABBNFV_MAC${index}`, parseMac, `52:54:00:00:00:0${index}`),
      socket: get(`SNABBNFV_SOCK${index}`, socketPath, index === 1 ? '/tmp/vh1a.sock' : '/tmp/vh1b.sock'),
      qemuAddr: `0x${slot.toString(16)}`,
      guestPci: `0000:00:${slot.toString(16).padStart(2, '0')}.0`,
    };
  });
  if (ports[0]!.socket && ports[0]!.socket === ports[1]!.socket)
    problem('SNABBNFV_SOCK2', `is the same socket as SNABBNFV_SOCK1 (${ports[0]!.socket}); each port needs its own`);
  if (ports[0]!.mac && ports[0]!.mac === ports[1]!.mac)
    problem('SNABBNFV_MAC2', `is the same MAC as SNABBNFV_MAC1 (${ports[0]!.mac}); each guest NIC needs its own`);
  if (ports[0]!.pci && ports[0]!.pci !== 'soft' && ports[0]!.pci === ports[1]!.pci)
    problem('SNABBNFV_PCI2', `is the same NIC as SNABBNFV_PCI1; each port drives its own NIC (or soft)`);
  const busyWait = get('SNABBNFV_BUSYWAIT', parseYesNo, 'yes') ?? true;

  const vm = buildVm();
  const ssh = buildSsh();
  const lwaftr = buildLwaftr();
  const timeouts = buildTimeouts();
  if (raw('LWAFTR_DELAY') !== undefined)
    warnings.push(
      `${ctx.file}:${settings.get('LWAFTR_DELAY')!.line}: LWAFTR_DELAY is ignored: lwaftrctl waits until the guest answers instead of sleeping`,
    );

  if (problems.length > 0 || !snabbPath || !vm || !ssh || !lwaftr) return { problems };
  return {
    problems,
    config: {
      file: ctx.file,
      name,
      stateDir,
      snabbPath,
      numaNode,
      snabbnfv: { busyWait, ports: ports as [NfvPort, NfvPort] },
      vm,
      ssh,
      lwaftr,
      timeouts,
      warnings,
      sources: Object.fromEntries([...settings].map(([k, s]) => [k, { line: s.line, writtenAs: s.writtenAs }])),
    },
  };

  function buildVm(): VmConfig | undefined {
    const accel = get('QEMU_ACCEL', (v) => parseChoice(v, ['kvm', 'tcg'] as const), 'kvm') ?? 'kvm';
    const cpu = get('QEMU_CPU', parseQemuOption, 'host') ?? 'host';
    if (accel === 'tcg' && cpu === 'host')
      problem(
        raw('QEMU_CPU') ? 'QEMU_CPU' : 'QEMU_ACCEL',
        'QEMU_CPU=host needs QEMU_ACCEL=kvm; under tcg set QEMU_CPU to a model such as max',
      );
    const memMiB = get('MEM', parseMemSize, '1024M') ?? 1024;
    const backendKind = get('MEM_BACKEND', (v) => parseChoice(v, ['hugetlbfs', 'memfd'] as const), 'hugetlbfs');
    const memBackend: MemBackend =
      backendKind === 'memfd'
        ? { kind: 'memfd' }
        : { kind: 'hugetlbfs', path: get('HUGEPAGES_FS', hostPath, '/dev/hugepages') ?? '/dev/hugepages' };
    const kernel = get('BZ_IMAGE', hostPath);
    const diskPath = get('VM_IMAGE', hostPath);
    if (
      !kernel &&
      !diskPath &&
      raw('BZ_IMAGE') === undefined &&
      raw('VM_IMAGE') === undefined &&
      !refused('BZ_IMAGE') &&
      !refused('VM_IMAGE')
    )
      problem('BZ_IMAGE', 'the VM needs a kernel (BZ_IMAGE) or a disk image (VM_IMAGE/DISK): set one');
    const guestHugepages = get('GUEST_HUGEPAGES', (v) => parseInteger(v, 0, 1 << 20), '256') ?? 256;
    if (kernel && guestHugepages * 2 >= memMiB)
      problem(
        'GUEST_HUGEPAGES',
        `${guestHugepages} hugepages of 2 MiB do not fit in MEM=${memMiB}M; lower it or raise MEM`,
      );
    const mgmtKind = get('MGMT_NET', (v) => parseChoice(v, ['tap', 'user'] as const), 'tap');
    const mgmtMac = get('MGMT_MAC', parseMac, '52:54:00:00:00:03') ?? '52:54:00:00:00:03';
    let mgmt: MgmtNet;
    if (mgmtKind === 'user') {
      if (raw('VM_SSH_PORT') === undefined && !refused('VM_SSH_PORT') && !sshOpts().port)
        problem(
          'VM_SSH_PORT',
          'MGMT_NET=user forwards a host port on 127.0.0.1 to the guest SSH: set VM_SSH_PORT to a free port such as 10022',
        );
      mgmt = { kind: 'user', sshPort: sshPort() ?? 22, mac: mgmtMac };
    } else {
      mgmt = {
        kind: 'tap',
        iface: get('IFACE', parseWord, 'mgmt0') ?? 'mgmt0',
        script: get('NETSCRIPT', hostPath),
        mac: mgmtMac,
      };
    }
    const pin = {
      wholeProcessCores: get('QEMU_CORE', parseCoreList),
      vcpuCores: get('QEMU_VCPU_CORES', parseCoreList),
      emulatorCores: get('QEMU_EMULATOR_CORES', parseCoreList),
    };
    const kernelParams = get('KERNEL_PARAMS', (v) => splitWords(v)) ?? [];
    const extraArgs = get('QEMU_ARGS', (v) => splitWords(v, ctx.home)) ?? [];
    const format = get('VM_FORMAT', parseWord);
    return {
      qemu: get('QEMU', parseProgram, 'qemu-system-x86_64') ?? 'qemu-system-x86_64',
      accel,
      cpu,
      machine: get('QEMU_MACHINE', parseQemuOption, 'pc') ?? 'pc',
      cpus: get('VM_CPUS', (v) => parseInteger(v, 1, 1024), '1') ?? 1,
      memMiB,
      memBackend,
      kernel,
      initrd: get('INITRD', hostPath),
      kernelParams,
      guestHugepages,
      disk: diskPath ? { path: diskPath, format } : undefined,
      cwd: get('VM_DIR', hostPath),
      mgmt,
      share: get('SHARED_LOCATION', hostPath),
      vncDisplay: get('VNC_DISPLAY', (v) => parseInteger(v, 0, 59635)),
      serialPort: get('VM_PORT', parsePort),
      extraArgs,
      pin,
    };
  }

  function sshOpts(): SshOpts {
    parsedSshOpts ??= get('SSH_OPTS', (v) => parseSshOpts(v, ctx.home)) ?? {};
    return parsedSshOpts;
  }
  /** A key set in the file wins over the same setting in SSH_OPTS, which wins over the default. */
  function fromKeyOrSshOpts<T>(
    key: string,
    fromOpts: string | undefined,
    parse: (v: string) => T,
    fallback?: string,
  ): T | undefined {
    if (raw(key) !== undefined || fromOpts === undefined) return get(key, parse, fallback);
    return get('SSH_OPTS', () => parse(fromOpts));
  }
  function sshPort(): number | undefined {
    return fromKeyOrSshOpts('VM_SSH_PORT', sshOpts().port, parsePort, '22');
  }

  function buildSsh() {
    const opts = sshOpts();
    const user = fromKeyOrSshOpts('VM_USER', opts.user, parseWord, 'root');
    const identityFile = fromKeyOrSshOpts('VM_SSH_KEY', opts.identityFile, hostPath);
    const knownHosts = fromKeyOrSshOpts(
      'VM_KNOWN_HOSTS',
      opts.userKnownHostsFile,
      hostPath,
      path.join(stateDir, 'known_hosts'),
    );
    const hostKeyCheck = fromKeyOrSshOpts(
      'VM_HOST_KEY_CHECK',
      opts.strictHostKeyChecking,
      strictToPolicy,
      'accept-new',
    );
    const checkText = raw('VM_HOST_KEY_CHECK') ?? opts.strictHostKeyChecking;
    if (checkText && ['no', 'off'].includes(checkText.toLowerCase()))
      warnings.push(
        `${ctx.file}: StrictHostKeyChecking=${checkText} is taken as accept-new: lwaftrctl records a new guest key but never connects to a changed one`,
      );
    const connectTimeoutMs = fromKeyOrSshOpts('TIMEOUT_SSH_CONNECT', opts.connectTimeout, parseSeconds, '10');
    const host = get('MGMT_NET', (v) => v === 'user', 'tap')
      ? '127.0.0.1'
      : get('VM_IP', (v) => parseIpv4(v).split('/')[0]!, '10.21.21.2');
    const port = sshPort();
    if (!user || !knownHosts || !hostKeyCheck || !connectTimeoutMs || !host || !port) return undefined;
    return { host, port, user, identityFile, knownHosts, hostKeyCheck, connectTimeoutMs };
  }

  function buildLwaftr() {
    const guestPath = (v: string) => {
      if (/[\n\0]/.test(v)) throw new ValueError('a guest path cannot contain a line break');
      return v;
    };
    const share = raw('SHARED_LOCATION') !== undefined ? get('SHARED_LOCATION', hostPath) : undefined;
    let snabbGuestPath = get('SNABB_GUEST_PATH', guestPath);
    if (!snabbGuestPath && share && snabbPath && (snabbPath === share || snabbPath.startsWith(`${share}/`)))
      snabbGuestPath = path.posix.join(GUEST_SHARE_MOUNT, path.relative(share, snabbPath), 'src');
    const lwaftrConf = get('LWAFTR_CONF', guestPath);
    let command: LwaftrCommand | undefined;
    if (lwaftrConf) {
      if (!snabbGuestPath)
        problem(
          'LWAFTR_CONF',
          'the built-in lwAFTR command needs snabb in the guest: set SNABB_GUEST_PATH, or SHARED_LOCATION to a folder holding SNABB_PATH',
        );
      const lwName = get('LWAFTR_NAME', parseWord, name);
      const cpu = get('LWAFTR_CPU', (v) => parseInteger(v, 0, 4095));
      command = lwName ? { kind: 'builtin', conf: lwaftrConf, name: lwName, cpu } : undefined;
    } else {
      const start = get('LWAFTR_START', guestPath, '~/run_lwaftr.sh');
      command = start ? { kind: 'script', start, stop: get('LWAFTR_STOP', guestPath) } : undefined;
    }
    const resetVirtio = get('LWAFTR_RESET_VIRTIO', parseYesNo, 'yes') ?? true;
    if (!command) return undefined;
    return { command, snabbGuestPath, resetVirtio, guestStateDir: `/tmp/lwaftrctl-${name}` };
  }

  function buildTimeouts(): Timeouts {
    const t = (key: string) => get(key, parseSeconds, findKey(key)!.default)!;
    return {
      snabbnfvStartMs: t('TIMEOUT_SNABBNFV_START'),
      vmStartMs: t('TIMEOUT_VM_START'),
      sshMs: t('TIMEOUT_SSH'),
      sshConnectMs: t('TIMEOUT_SSH_CONNECT'),
      lwaftrStartMs: t('TIMEOUT_LWAFTR_START'),
      powerdownMs: t('TIMEOUT_POWERDOWN'),
      quitMs: t('TIMEOUT_QUIT'),
      termMs: t('TIMEOUT_TERM'),
      lockMs: t('TIMEOUT_LOCK'),
    };
  }
}

/** Expands each entry against earlier ones, maps old names onto new ones, and flags unknown keys. */
function collectSettings(entries: RawEntry[], ctx: BuildContext, problems: ConfigProblem[]): Map<string, Setting> {
  const written = new Map<string, string>();
  const settings = new Map<string, Setting>();
  const lookup = (n: string) => written.get(n) ?? settings.get(findKey(n)?.name ?? '')?.value ?? ctx.env[n];
  for (const entry of entries) {
    const spec = findKey(entry.key);
    if (!spec) {
      const guess = closestKey(entry.key);
      problems.push({
        file: ctx.file,
        line: entry.line,
        key: entry.key,
        message: `unknown key${guess ? `; did you mean ${guess}?` : ''} (see conf/lwaftrctl.conf.example)`,
      });
      continue;
    }
    let value: string;
    try {
      value = expandValue(entry.value, entry.quoting, lookup, ctx.home, spec.guest === true);
    } catch (e) {
      if (!(e instanceof ExpansionError)) throw e;
      problems.push({ file: ctx.file, line: entry.line, key: entry.key, message: e.message });
      settings.set(spec.name, { value: '', line: entry.line, writtenAs: entry.key, refused: true });
      continue;
    }
    const earlier = settings.get(spec.name);
    if (earlier && earlier.writtenAs !== entry.key && earlier.value !== value)
      problems.push({
        file: ctx.file,
        line: entry.line,
        key: entry.key,
        message: `is the old name of ${spec.name}, already set to a different value at line ${earlier.line}; keep one`,
      });
    written.set(entry.key, value);
    settings.set(spec.name, { value, line: entry.line, writtenAs: entry.key });
  }
  return settings;
}

function parseQemuOption(v: string): string {
  if (/^[A-Za-z0-9_.,=+-]+$/.test(v)) return v;
  throw new ValueError(`"${v}" must be a QEMU option value (letters, digits, and . , = + - _)`);
}

function parseProgram(v: string): string {
  if (/^[A-Za-z0-9_./+-]+$/.test(v)) return v;
  throw new ValueError(`"${v}" must be a program name or path without spaces or shell characters`);
}

function closestKey(key: string): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of allKeyNames()) {
    const d = editDistance(key.toUpperCase(), candidate);
    if (d < bestDistance) {
      bestDistance = d;
      best = candidate;
    }
  }
  return bestDistance <= Math.max(2, Math.floor(key.length / 4)) ? best : undefined;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diag = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const up = row[j]!;
      row[j] = Math.min(up + 1, row[j - 1]! + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = up;
    }
  }
  return row[b.length]!;
}

function strictToPolicy(value: string): 'yes' | 'accept-new' {
  const v = value.toLowerCase();
  if (v === 'yes' || v === 'ask') return 'yes';
  if (v === 'accept-new' || v === 'no' || v === 'off') return 'accept-new';
  throw new ValueError(`StrictHostKeyChecking=${value} is not yes, accept-new or no`);
}
