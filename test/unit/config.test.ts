import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildConfig } from '../../src/config/build-config.js';
import { KEYS } from '../../src/config/keys.js';
import { readConfText } from '../../src/config/read-conf-file.js';
import { formatProblem } from '../../src/errors.js';
import { configOf, HOME, MINIMAL, NO_FILES, parseConf, problemsOf } from '../helpers/config-fixture.js';

const fixture = (name: string) => path.join(__dirname, '..', 'fixtures', name);

function loadFixture(name: string) {
  const file = fixture(name);
  const read = readConfText(fs.readFileSync(file, 'utf8'), file);
  expect(read.problems).toEqual([]);
  const built = buildConfig(read.entries, { file: '/same/path.conf', env: { HOME }, home: HOME, readFile: NO_FILES });
  expect(built.problems).toEqual([]);
  const { sources: _sources, file: _file, ...rest } = built.config!;
  return rest;
}

describe('both eras of the bash tool', () => {
  it('a 2015 file and a 2017 file for the same host give the same Config', () => {
    expect(loadFixture('lwaftrctl-2015.conf')).toEqual(loadFixture('lwaftrctl-2017.conf'));
  });

  it('maps old names onto the typed Config', () => {
    const c = loadFixture('lwaftrctl-2015.conf');
    expect(c.snabbPath).toBe('/home/op/workspace/snabb_host');
    expect(c.snabbnfv.ports[0]).toMatchObject({
      socket: '/tmp/vh1a.sock',
      pci: '0000:02:00.0',
      core: 1,
    });
    expect(c.snabbnfv.ports[1].portConf).toBe(
      '/home/op/workspace/snabb_host/src/program/lwaftr/virt/ports/lwaftr1/b.cfg',
    );
    expect(c.vm.disk).toEqual({ path: '/home/op/vm/vm_lwaftr1.qcow2', format: undefined });
    expect(c.vm.memBackend).toEqual({ kind: 'hugetlbfs', path: '/dev/hugepages' });
    expect(c.vm.pin.wholeProcessCores).toEqual([0]);
    expect(c.ssh).toMatchObject({
      user: 'igalia',
      host: '10.21.21.2',
      port: 22,
      identityFile: '/home/op/.ssh/lwaftr_vm',
      hostKeyCheck: 'yes',
    });
    expect(c.lwaftr.command).toEqual({ kind: 'script', start: '~/run_lwaftr.sh', stop: undefined });
  });

  it('reads the 2017 keys QEMU_ARGS, KERNEL_PARAMS, VM_PORT, VM_FORMAT and warns on LWAFTR_DELAY', () => {
    const c = configOf(
      MINIMAL +
        `QEMU_ARGS="-device virtio-rng-pci -rtc 'base=utc'"\nKERNEL_PARAMS="isolcpus=1 nohz_full=1"\nVM_PORT=5001\nVM_IMAGE=/vm/disk.img\nVM_FORMAT=raw\nLWAFTR_DELAY=20\n`,
    );
    expect(c.vm.extraArgs).toEqual(['-device', 'virtio-rng-pci', '-rtc', 'base=utc']);
    expect(c.vm.kernelParams).toEqual(['isolcpus=1', 'nohz_full=1']);
    expect(c.vm.serialPort).toBe(5001);
    expect(c.vm.disk).toEqual({ path: '/vm/disk.img', format: 'raw' });
    expect(c.warnings.map(formatProblem)).toEqual([
      '/etc/lwaftrctl/test.conf:14: LWAFTR_DELAY: is ignored: lwaftrctl waits until the guest answers instead of sleeping',
    ]);
  });

  it('every key is documented in conf/lwaftrctl.conf.example with its default', () => {
    const example = fs.readFileSync(path.join(__dirname, '..', '..', 'conf', 'lwaftrctl.conf.example'), 'utf8');
    for (const key of KEYS) expect(example).toContain(`# ${key.name}=${key.default}    # ${key.doc}`);
  });
});

describe('expansion, quoting, comments', () => {
  it('expands ~, $KEY, ${KEY}, ${KEY:-default} from earlier keys, then the environment', () => {
    const c = configOf(
      MINIMAL.replace('SNABB_PATH=/opt/snabb', 'SNABB_PATH=~/snabb') +
        'NAME=${LAB_NAME:-lab}\nSTATE_DIR=$RUNDIR/${NAME}-x\n',
      { RUNDIR: '/run/test' },
    );
    expect(c.snabbPath).toBe('/home/op/snabb');
    expect(c.name).toBe('lab');
    expect(c.stateDir).toBe('/run/test/lab-x');
  });

  it('single quotes keep $ literal; comments after values are dropped; export is accepted', () => {
    const c = configOf(`${MINIMAL}export VM_USER='igalia'   # must be a sudoer\nQEMU_ARGS='-rtc $NOTEXPANDED'\n`);
    expect(c.ssh.user).toBe('igalia');
    expect(c.vm.extraArgs).toEqual(['-rtc', '$NOTEXPANDED']);
  });

  it('resolves relative host paths against the config file folder', () => {
    const c = configOf(MINIMAL.replace('SNABB_PATH=/opt/snabb', 'SNABB_PATH=../snabb'));
    expect(c.snabbPath).toBe('/etc/snabb');
  });

  it('a double-quoted value may span lines', () => {
    const c = configOf(`${MINIMAL}QEMU_ARGS="-device virtio-rng-pci\n  -rtc base=utc"\nVM_USER=after\n`);
    expect(c.vm.extraArgs).toEqual(['-device', 'virtio-rng-pci', '-rtc', 'base=utc']);
    expect(c.ssh.user).toBe('after');
  });

  it('leaves ~ of guest-side keys for the guest', () => {
    expect(configOf(`${MINIMAL}LWAFTR_START=~/bin/start.sh\n`).lwaftr.command).toEqual({
      kind: 'script',
      start: '~/bin/start.sh',
      stop: undefined,
    });
  });

  it('derives the guest snabb path from the 9p share', () => {
    const c = configOf(`${MINIMAL}SHARED_LOCATION=/opt\nLWAFTR_CONF=/mnt/host/lwaftr.conf\n`);
    expect(c.lwaftr.snabbGuestPath).toBe('/mnt/host/snabb/src');
    expect(c.lwaftr.command).toEqual({
      kind: 'builtin',
      conf: '/mnt/host/lwaftr.conf',
      name: 'lwaftr1',
      cpu: undefined,
    });
  });

  it('takes SSH_OPTS -i -p -l -o apart and honours them', () => {
    const c = configOf(
      MINIMAL +
        'SSH_OPTS="-i ~/.ssh/k -p 2222 -l admin -o UserKnownHostsFile=/etc/kh -o ConnectTimeout=3 -oStrictHostKeyChecking=no"\n',
    );
    expect(c.ssh).toMatchObject({
      identityFile: '/home/op/.ssh/k',
      port: 2222,
      user: 'admin',
      knownHosts: '/etc/kh',
      connectTimeoutMs: 3000,
      hostKeyCheck: 'accept-new',
    });
    expect(c.warnings[0]!.message).toContain('StrictHostKeyChecking=no is taken as accept-new');
  });
});

describe('validation: every problem at once, with line and key', () => {
  const cases: [string, string, string][] = [
    [
      'unknown key with a suggestion',
      'SNABNFV_CORE1=1',
      '9 SNABNFV_CORE1: unknown key; did you mean SNABBNFV_CORE1? (see conf/lwaftrctl.conf.example)',
    ],
    [
      'PCI without domain',
      'SNABBNFV_PCI1=02:00.0',
      '9 SNABBNFV_PCI1: "02:00.0" lacks the PCI domain; write 0000:02:00.0',
    ],
    [
      'bad PCI',
      'SNABBNFV_PCI2=eth0',
      '9 SNABBNFV_PCI2: "eth0" is not a PCI address DDDD:BB:DD.F (e.g. 0000:02:00.0) nor "soft"',
    ],
    [
      'bad MAC',
      'SNABBNFV_MAC1=52:54:00:00:00',
      '9 SNABBNFV_MAC1: "52:54:00:00:00" is not a MAC address like 52:54:00:00:00:01',
    ],
    [
      'multicast MAC',
      'MGMT_MAC=01:00:5e:00:00:01',
      '9 MGMT_MAC: "01:00:5e:00:00:01" is a multicast MAC; a NIC needs a unicast one (first byte even, e.g. 52:54:00:...)',
    ],
    ['bad core list', 'QEMU_CORE=0-', '9 QEMU_CORE: "0-" is not a core list like 0, 2-3 or 0,2'],
    ['backwards core range', 'QEMU_VCPU_CORES=3-1', '9 QEMU_VCPU_CORES: "3-1" runs backwards; write 1-3'],
    ['bad NUMA node', 'NUMA_NODE=first', '9 NUMA_NODE: "first" is not a whole number'],
    [
      "the management NIC with a data NIC's MAC",
      'MGMT_MAC=52:54:00:00:00:02',
      '9 MGMT_MAC: is the same MAC as SNABBNFV_MAC2 (52:54:00:00:00:02); each guest NIC needs its own',
    ],
    [
      'a double quote inside a kernel parameter',
      `KERNEL_PARAMS='a\\"b'`,
      '9 KERNEL_PARAMS: a double quote inside a kernel parameter cannot be written on the kernel command line',
    ],
    [
      'kernel parameters longer than the kernel takes',
      `KERNEL_PARAMS=${'x'.repeat(2000)}`,
      '9 KERNEL_PARAMS: is 2000 bytes; the kernel command line holds 2047 and lwaftrctl adds its own: keep it under 1947',
    ],
    ['bad size', 'MEM=2GB', '9 MEM: "2GB" is not a size like 1024M or 2G'],
    ['tiny size', 'MEM=16M', '9 MEM: "16M" is under 64M, too little for a guest'],
    ['bad port', 'VM_SSH_PORT=70000', '9 VM_SSH_PORT: 70000 is outside 1..65535'],
    [
      'socket path too long',
      `SNABBNFV_SOCK1=/tmp/${'s'.repeat(100)}.sock`,
      `9 SNABBNFV_SOCK1: "/tmp/${'s'.repeat(100)}.sock" is 110 bytes; a unix socket path must be at most 107: pick a shorter path`,
    ],
    [
      'same socket twice',
      'SNABBNFV_SOCK2=/tmp/vh1a.sock',
      '9 SNABBNFV_SOCK2: is the same socket as SNABBNFV_SOCK1 (/tmp/vh1a.sock); each port needs its own',
    ],
    [
      'same MAC twice',
      'SNABBNFV_MAC2=52:54:00:00:00:01',
      '9 SNABBNFV_MAC2: is the same MAC as SNABBNFV_MAC1 (52:54:00:00:00:01); each guest NIC needs its own',
    ],
    [
      'shell characters in a word',
      'NAME=lab;reboot',
      '9 NAME: "lab;reboot" must be a plain word (letters, digits, . _ -; no spaces or shell characters)',
    ],
    [
      'command substitution',
      'VM_USER=$(reboot)',
      '9 VM_USER: $(...) (command substitution) is not run: lwaftrctl never executes its config; write the value out',
    ],
    [
      'backticks',
      'VM_USER=`id -un`',
      '9 VM_USER: backticks (command substitution) are not run: lwaftrctl never executes its config; write the value out',
    ],
    [
      'undefined variable',
      'STATE_DIR=$NOPE/x',
      '9 STATE_DIR: $NOPE is not set earlier in the file nor in the environment',
    ],
    [
      'shell operator in QEMU_ARGS',
      'QEMU_ARGS=-smp 2; reboot',
      `9 QEMU_ARGS: unquoted ";" would mean something to a shell; lwaftrctl runs no shell here, so quote it (';') or leave it out`,
    ],
    [
      'QEMU option value with a comma where none belongs',
      'QEMU_CPU=max,+avx2 x',
      '9 QEMU_CPU: "max,+avx2 x" must be a QEMU option value (letters, digits, and . , = + - _)',
    ],
    [
      'host CPU under TCG',
      'QEMU_ACCEL=tcg',
      '9 QEMU_ACCEL: QEMU_CPU=host needs QEMU_ACCEL=kvm; under tcg set QEMU_CPU to a model such as max',
    ],
    [
      'unsupported ssh option',
      'SSH_OPTS="-A"',
      '9 SSH_OPTS: ssh option "-A" cannot be honoured: lwaftrctl forwards no agent to the guest',
    ],
    [
      'old and new name disagree',
      'VHU_SOCK1=/tmp/x.sock\nSNABBNFV_SOCK1=/tmp/y.sock',
      '10 SNABBNFV_SOCK1: is the old name of SNABBNFV_SOCK1, already set to a different value at line 9; keep one',
    ],
    [
      'not an assignment',
      'if [ -f x ]; then',
      '9 -: not a KEY=VALUE line: "if [ -f x ]; then" (lwaftrctl reads its config file, it never runs it as bash)',
    ],
    ['unclosed quote', 'QEMU_ARGS="-smp 2', '9 QEMU_ARGS: the double-quoted value is never closed'],
    [
      'user networking without a port',
      'MGMT_NET=user',
      '- VM_SSH_PORT: MGMT_NET=user forwards a host port on 127.0.0.1 to the guest SSH: set VM_SSH_PORT to a free port such as 10022',
    ],
    [
      'hugepages larger than memory',
      'GUEST_HUGEPAGES=1024',
      '9 GUEST_HUGEPAGES: 1024 hugepages of 2 MiB do not fit in MEM=1024M; lower it or raise MEM',
    ],
    ['timeout', 'TIMEOUT_SSH=soon', '9 TIMEOUT_SSH: "soon" is not a number of seconds like 30 or 0.5'],
  ];
  it.each(cases)('%s', (_name, line, expected) => {
    expect(problemsOf(`${MINIMAL + line}\n`)).toContain(expected);
  });

  it('missing required keys are each named', () => {
    expect(problemsOf('NAME=x\n')).toEqual(
      expect.arrayContaining([
        '- SNABB_PATH: is required: Snabb source tree on the host; the program run is $SNABB_PATH/src/snabb',
        '- SNABBNFV_PCI1: is required: port 1 NIC: PCI address DDDD:BB:DD.F, or soft for no NIC',
        '- SNABBNFV_CORE2: is required: port 2 core',
        '- BZ_IMAGE: the VM needs a kernel (BZ_IMAGE) or a disk image (VM_IMAGE/DISK): set one',
      ]),
    );
  });

  it('reports all problems of a file, not just the first', () => {
    expect(problemsOf(`${MINIMAL}MEM=x\nNAME=a b\nNAMEE=1\n`)).toHaveLength(3);
  });

  it('an unknown key close to no key is a warning, not a refusal', () => {
    const { config, problems } = parseConf(`${MINIMAL}FROBNICATE=1\n`);
    expect(problems).toEqual([]);
    expect(config!.warnings.map((w) => `${w.line} ${w.key}: ${w.message}`)).toEqual([
      '9 FROBNICATE: is not a key lwaftrctl knows, and no later value uses it as $FROBNICATE: ignored',
    ]);
  });

  it('a name used later as $NAME is a helper variable, as bash-era files had it', () => {
    const { config, problems } = parseConf(
      `WORKSPACE=/home/op/workspace\nSNABB_PATH=$WORKSPACE/snabb\n${MINIMAL.replace('SNABB_PATH=/opt/snabb\n', '')}`,
    );
    expect(problems).toEqual([]);
    expect(config!.snabbPath).toBe('/home/op/workspace/snabb');
    expect(config!.warnings).toEqual([]);
  });
});

describe('hostile values are carried literally or refused, never run', () => {
  it('a path with ; and rm stays one literal argument', () => {
    const c = configOf(`${MINIMAL}SNABBNFV_CONF1='/etc/a b;rm -rf ~.cfg'\n`);
    expect(c.snabbnfv.ports[0].portConf).toBe('/etc/a b;rm -rf ~.cfg');
  });

  it('a word list with an unquoted ; is refused, a quoted one is one literal word', () => {
    expect(problemsOf(`${MINIMAL}KERNEL_PARAMS='x; rm -rf /'\n`)[0]).toContain(
      'unquoted ";" would mean something to a shell',
    );
    expect(configOf(`${MINIMAL}KERNEL_PARAMS="x';' rm"\n`).vm.kernelParams).toEqual(['x;', 'rm']);
  });

  it('$(reboot) in single quotes is a literal string', () => {
    const c = configOf(`${MINIMAL}LWAFTR_START='$(reboot)'\n`);
    expect(c.lwaftr.command).toEqual({ kind: 'script', start: '$(reboot)', stop: undefined });
  });
});

describe('SSH_OPTS as bash-era configs wrote it', () => {
  const ssh = (opts: string, files: Record<string, string> = {}) => {
    const { config, problems } = parseConf(`${MINIMAL}SSH_OPTS="${opts}"\n`, {}, files);
    return {
      ssh: config?.ssh,
      sources: config?.sources,
      problems: problems.map((p) => `${p.line} ${p.key}: ${p.message}`),
    };
  };
  it('lets pass what changes nothing for a tool without a terminal: -q, -o LogLevel, -o BatchMode', () => {
    const r = ssh('-q -o LogLevel=ERROR -o BatchMode=yes -T');
    expect(r.problems).toEqual([]);
  });
  it('honours keepalives: -o ServerAliveInterval, ServerAliveCountMax', () => {
    expect(ssh('-o ServerAliveInterval=5 -o ServerAliveCountMax=3').ssh).toMatchObject({
      keepaliveIntervalMs: 5000,
      keepaliveCountMax: 3,
    });
  });
  it('reads the entries of an -F file that apply to the guest, first value winning', () => {
    const file = [
      'Host other.example',
      '  User nobody',
      '  ProxyCommand nc %h %p',
      'Host 10.21.21.*',
      '  User igalia',
      '  Port 2222',
      '  IdentityFile /home/op/.ssh/lwaftr',
      '  LogLevel QUIET',
      'Host *',
      '  User root',
      '  ServerAliveInterval 10',
    ].join('\n');
    const r = ssh('-F /home/op/.ssh/lwaftr.config', { '/home/op/.ssh/lwaftr.config': file });
    expect(r.problems).toEqual([]);
    expect(r.ssh).toMatchObject({
      user: 'igalia',
      port: 2222,
      identityFile: '/home/op/.ssh/lwaftr',
      keepaliveIntervalMs: 10000,
    });
  });
  it('refuses, saying why, what ssh2 cannot do, also inside an -F file', () => {
    expect(ssh('-J jump').problems).toEqual([
      '9 SSH_OPTS: ssh option "-J" cannot be honoured: lwaftrctl connects to the guest directly, without a jump host',
    ]);
    const r = ssh('-F /c', { '/c': 'Host *\n  ProxyJump bastion\n' });
    expect(r.problems).toEqual([
      '9 SSH_OPTS: ssh option "in -F: ProxyJump" cannot be honoured: lwaftrctl connects to the guest directly, without a jump host',
    ]);
    expect(ssh('-F /missing').problems).toEqual(['9 SSH_OPTS: -F /missing: cannot read it (ENOENT)']);
  });
  it('a key given by SSH_OPTS -i is SSH_OPTS, with its line, when a later check finds it wanting', () => {
    expect(ssh('-i /keys/k').sources!.VM_SSH_KEY).toEqual({ line: 9, writtenAs: 'SSH_OPTS' });
  });
});

describe('QEMU_ARGS against what lwaftrctl owns', () => {
  it.each<[string, string]>([
    ['-daemonize', '-daemonize (lwaftrctl supervises QEMU itself and keeps its log in STATE_DIR)'],
    ['-pidfile /tmp/q.pid', "-pidfile /tmp/q.pid (lwaftrctl keeps QEMU's pid file in STATE_DIR)"],
    ['-name other', '-name other (lwaftrctl names QEMU after NAME to find its threads: set NAME)'],
    ['-m 4G', '-m 4G (set MEM)'],
    ['-serial stdio', '-serial stdio (the console goes to STATE_DIR/console.log; set VM_PORT for a telnet serial)'],
    ['-monitor stdio', "-monitor stdio (QEMU's standard input and output are not a terminal here)"],
    [
      '-netdev user,id=mgmt',
      "-netdev user,id=mgmt (the NICs net0, net1 and mgmt are lwaftrctl's: set MGMT_NET and SNABBNFV_*)",
    ],
    [
      '-device e1000,addr=0x8',
      "-device e1000,addr=0x8 (PCI slots 0x08-0x0a hold lwaftrctl's NICs: pick another addr=)",
    ],
  ])('%s is refused, naming what to set instead', (args, why) => {
    expect(problemsOf(`${MINIMAL}QEMU_ARGS="${args}"\n`)).toEqual([`9 QEMU_ARGS: lwaftrctl sets these itself: ${why}`]);
  });

  it('keeps the rest, and takes -smp N as VM_CPUS with a warning (the 2017 example)', () => {
    const { config, problems } = parseConf(`${MINIMAL}QEMU_ARGS="-smp 2 -rtc base=utc -device e1000,addr=0xb"\n`);
    expect(problems).toEqual([]);
    expect(config!.vm.cpus).toBe(2);
    expect(config!.vm.extraArgs).toEqual(['-rtc', 'base=utc', '-device', 'e1000,addr=0xb']);
    expect(config!.warnings.map((w) => `${w.line} ${w.key}: ${w.message}`)).toEqual([
      '9 QEMU_ARGS: -smp 2 is taken as VM_CPUS=2: set VM_CPUS=2 and drop -smp',
    ]);
  });

  it('-smp against a VM_CPUS that says otherwise is refused', () => {
    expect(problemsOf(`${MINIMAL}VM_CPUS=1\nQEMU_ARGS="-smp 2"\n`)).toEqual([
      '10 QEMU_ARGS: has -smp 2 but VM_CPUS is 1: keep VM_CPUS and drop -smp',
    ]);
  });
});
