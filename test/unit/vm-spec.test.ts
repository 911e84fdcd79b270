// The resolved VM spec: the rules that used to be applied in several places, once.
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { qemuArgv } from '../../src/components/vm/qemu-argv.js';
import { resolvePinning, resolveVmSpec } from '../../src/components/vm/spec.js';
import { eventFanOut, type LifecycleEvent } from '../../src/run/events.js';
import { humanRenderer } from '../../src/run/render-human.js';
import { configOf, MINIMAL } from '../helpers/config-fixture.js';

describe('pinning is resolved once', () => {
  it.each<[string, string, unknown]>([
    ['nothing pinned', '', { vcpus: [], emulator: undefined }],
    ['QEMU_CORE pins every thread', 'QEMU_CORE=3', { vcpus: [{ vcpu: 0, cores: [3] }], emulator: [3] }],
    [
      'QEMU_VCPU_CORES overrides QEMU_CORE for the vCPUs',
      'QEMU_CORE=3\nQEMU_VCPU_CORES=1',
      { vcpus: [{ vcpu: 0, cores: [1] }], emulator: [3] },
    ],
    [
      'QEMU_EMULATOR_CORES overrides it for the others',
      'QEMU_CORE=3\nQEMU_EMULATOR_CORES=0',
      { vcpus: [{ vcpu: 0, cores: [3] }], emulator: [0] },
    ],
    [
      'one core per vCPU when given as many cores as vCPUs',
      'VM_CPUS=2\nQEMU_VCPU_CORES=2-3',
      {
        vcpus: [
          { vcpu: 0, cores: [2] },
          { vcpu: 1, cores: [3] },
        ],
        emulator: undefined,
      },
    ],
    [
      'otherwise every vCPU may use every core of the set',
      'VM_CPUS=2\nQEMU_VCPU_CORES=2-4',
      {
        vcpus: [
          { vcpu: 0, cores: [2, 3, 4] },
          { vcpu: 1, cores: [2, 3, 4] },
        ],
        emulator: undefined,
      },
    ],
  ])('%s', (_, lines, expected) => expect(resolvePinning(configOf(`${MINIMAL}${lines}\n`))).toEqual(expected));
});

describe('the spec', () => {
  const spec = resolveVmSpec(
    configOf(`${MINIMAL}QEMU_ACCEL=tcg\nQEMU_CPU=max\nMGMT_NET=user\nVM_SSH_PORT=10022\nVM_PORT=5001\n`),
  );
  it('puts the data NICs where Snabb looks for them, with their sockets, ids and MACs', () => {
    expect(spec.dataNics).toEqual([
      {
        index: 1,
        chardev: 'char1',
        netdev: 'net0',
        socket: '/tmp/vh1a.sock',
        slot: 8,
        guestPci: '0000:00:08.0',
        mac: '52:54:00:00:00:01',
        vectors: 0,
      },
      {
        index: 2,
        chardev: 'char2',
        netdev: 'net1',
        socket: '/tmp/vh1b.sock',
        slot: 9,
        guestPci: '0000:00:09.0',
        mac: '52:54:00:00:00:02',
        vectors: 0,
      },
    ]);
  });
  it('has the management NIC, and with VM_PORT the 2017 serials: telnet ttyS0, the console on ttyS1', () => {
    expect(spec.mgmtNic).toEqual({ kind: 'user', hostPort: 10022, slot: 10, mac: '52:54:00:00:00:03' });
    expect(spec.serials).toEqual([
      { kind: 'telnet', port: 5001 },
      { kind: 'file', path: '/run/lwaftrctl/lwaftr1/console.log' },
    ]);
    expect(spec.kernel).toEqual({
      path: '/vm/bzImage',
      initrd: undefined,
      cmdline: ['console=ttyS1', 'hugepages=256'],
    });
  });
  it('without VM_PORT: the console log alone, on ttyS0', () => {
    const plain = resolveVmSpec(configOf(MINIMAL));
    expect(plain.serials).toEqual([{ kind: 'file', path: '/run/lwaftrctl/lwaftr1/console.log' }]);
    expect(plain.kernel!.cmdline[0]).toBe('console=ttyS0');
  });
  it('KERNEL_PARAMS keeps the quoted spaces the operator wrote', () => {
    const argv = qemuArgv(resolveVmSpec(configOf(`${MINIMAL}KERNEL_PARAMS='quiet fw.name="a b" "x y"'\n`)));
    expect(argv[argv.indexOf('-append') + 1]).toBe(
      'console=ttyS0 ip=10.21.21.2 hugepages=256 quiet fw.name="a b" "x y"',
    );
  });
  it('keeps MSI-X vectors on the vhost-user NICs under KVM', () => {
    expect(resolveVmSpec(configOf(MINIMAL)).dataNics.map((n) => n.vectors)).toEqual([undefined, undefined]);
  });
});

describe('the tap management NIC', () => {
  it.each<[string, string, string]>([
    ['the address alone, as the bash tool wrote it', 'VM_IP=10.21.21.2', 'ip=10.21.21.2'],
    ['with a prefix: the kernel form with its netmask', 'VM_IP=10.21.21.2/24', 'ip=10.21.21.2:::255.255.255.0:::off'],
    ['a /30', 'VM_IP=192.168.7.6/30', 'ip=192.168.7.6:::255.255.255.252:::off'],
  ])('ip= on the kernel line: %s', (_, line, expected) => {
    expect(resolveVmSpec(configOf(`${MINIMAL}${line}\n`)).kernel!.cmdline).toContain(expected);
  });
  it('vhost=on only with MGMT_VHOST=yes', () => {
    const netdev = (lines: string) => {
      const argv = qemuArgv(resolveVmSpec(configOf(`${MINIMAL}${lines}`)));
      return argv.find((a) => a.startsWith('type=tap'));
    };
    expect(netdev('IFACE=tap7\n')).toBe('type=tap,id=mgmt,ifname=tap7,script=no,downscript=no');
    expect(netdev('IFACE=tap7\nMGMT_VHOST=yes\n')).toBe(
      'type=tap,id=mgmt,ifname=tap7,script=no,downscript=no,vhost=on',
    );
  });
});

describe('events rendered for people', () => {
  const render = (events: LifecycleEvent[], opts = {}) => {
    const out = new PassThrough();
    const err = new PassThrough();
    const sink = eventFanOut([humanRenderer(opts, out as never, err as never)]);
    for (const e of events) sink.emit(e);
    return { out: out.read()?.toString() ?? '', err: err.read()?.toString() ?? '' };
  };
  it('says what each component did, with its facts', () => {
    const r = render([
      { type: 'component', component: 'snabbnfv', phase: 'starting', facts: {} },
      {
        type: 'component',
        component: 'snabbnfv',
        phase: 'started',
        facts: { port: 1, pid: 12, core: '0', screen: 'lab-snabbnfv-1' },
      },
      { type: 'component', component: 'vm', phase: 'already-running', facts: { pid: 99 } },
      { type: 'component', component: 'lwaftr', phase: 'already-stopped', facts: { reason: 'the VM is not running' } },
    ]);
    expect(r.out).toBe(
      'snabbnfv port 1: started (pid 12, core 0, screen lab-snabbnfv-1)\nvm: already running (pid 99)\nlwaftr: already stopped: the VM is not running\n',
    );
  });
  it('puts warnings and problems on stderr, even when quiet', () => {
    const r = render(
      [
        { type: 'warning', component: 'vm', message: 'left alone' },
        { type: 'problem', severity: 'warning', file: '/c', line: 3, key: 'LWAFTR_DELAY', message: 'is ignored' },
        { type: 'component', component: 'vm', phase: 'started', facts: {} },
      ],
      { quiet: true },
    );
    expect(r).toEqual({
      out: '',
      err: 'lwaftrctl: warning: vm: left alone\nlwaftrctl: warning: /c:3: LWAFTR_DELAY: is ignored\n',
    });
  });
  it('shows each command only with --verbose', () => {
    const step: LifecycleEvent = { type: 'step-begin', component: 'vm', step: 'mkdir', shell: ['mkdir -p /x'] };
    expect(render([step]).out).toBe('');
    expect(render([step], { verbose: true }).out).toBe('+ mkdir -p /x\n');
  });
});
