import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { lwaftrCommand, lwaftrStartPlan, lwaftrStopPlan } from '../../src/components/lwaftr/plan.js';
import { actionPlan, actionSequence } from '../../src/components/sequence.js';
import { snabbnfvArgv, snabbnfvStartPlan, WRITE_PID_THEN_EXEC } from '../../src/components/snabbnfv/plan.js';
import { vmStartPlan, vmStopPlan } from '../../src/components/vm/plan.js';
import { escapeOptionValue, qemuArgv } from '../../src/components/vm/qemu-argv.js';
import { kernelCommandLine, resolveVmSpec } from '../../src/components/vm/spec.js';
import { guestFailure } from '../../src/io/guest-process.js';
import { instancePaths, screenSessionName } from '../../src/plan/instance-paths.js';
import type { Step } from '../../src/plan/steps.js';
import { configOf, MINIMAL } from '../helpers/config-fixture.js';

const lab = configOf(`NAME=lab
STATE_DIR=/run/lwaftrctl/lab
SNABB_PATH=/opt/lab/snabb
SHARED_LOCATION=/opt/lab
SNABBNFV_PCI1=soft
SNABBNFV_CONF1=/opt/ports/a.cfg
SNABBNFV_CORE1=0
SNABBNFV_SOCK1=$STATE_DIR/vh1a.sock
SNABBNFV_PCI2=soft
SNABBNFV_CONF2=/opt/ports/b.cfg
SNABBNFV_CORE2=1
SNABBNFV_SOCK2=$STATE_DIR/vh1b.sock
SNABBNFV_BUSYWAIT=no
QEMU_ACCEL=tcg
QEMU_CPU=max
MEM=512M
MEM_BACKEND=memfd
BZ_IMAGE=/opt/lab/guest/vmlinuz
INITRD=/opt/lab/guest/initramfs.cpio.gz
GUEST_HUGEPAGES=64
QEMU_VCPU_CORES=1
QEMU_EMULATOR_CORES=0
QEMU_ARGS=-device virtio-rng-pci
MGMT_NET=user
VM_SSH_PORT=10022
VM_SSH_KEY=/opt/lab/keys/id_ed25519
VM_KNOWN_HOSTS=/opt/lab/keys/known_hosts
VM_HOST_KEY_CHECK=yes
LWAFTR_CONF=/mnt/host/snabb/lwaftr.conf
LWAFTR_CPU=0
`);

const operator = configOf(
  MINIMAL +
    'NUMA_NODE=1\nQEMU_CORE=3\nIFACE=mgmt0\nNETSCRIPT=/etc/lwaftr/net.sh\nSHARED_LOCATION=/home/op/share,x\nVNC_DISPLAY=22\nVM_PORT=5001\n',
);

describe('snabbnfv plan', () => {
  it.each([
    [
      'lab: no -b, no numactl',
      lab,
      1,
      [
        'taskset',
        '-c',
        '0',
        '/opt/lab/snabb/src/snabb',
        'snabbnfv',
        'traffic',
        'soft',
        '/opt/ports/a.cfg',
        '/run/lwaftrctl/lab/vh1a.sock',
      ],
    ],
    [
      'operator: numactl, -b',
      operator,
      2,
      [
        'numactl',
        '-m',
        '1',
        'taskset',
        '-c',
        '2',
        '/opt/snabb/src/snabb',
        'snabbnfv',
        'traffic',
        '-b',
        '0000:02:00.1',
        '/etc/lwaftr/b.cfg',
        '/tmp/vh1b.sock',
      ],
    ],
  ] as const)('%s', (_name, config, index, argv) => {
    expect(snabbnfvArgv(config, config.snabbnfv.ports[index - 1]!)).toEqual(argv);
  });

  it('runs each port in a detached, logging screen session that records the program pid', () => {
    const plan = snabbnfvStartPlan(lab);
    expect(plan.steps.map((s) => s.kind)).toEqual([
      'mkdir',
      'write-file',
      'rotate-log',
      'run',
      'rotate-log',
      'run',
      'wait',
      'wait',
    ]);
    expect(plan.steps[6]).toMatchObject({
      kind: 'wait',
      for: { kind: 'log-line', text: 'load: time:', file: '/run/lwaftrctl/lab/snabbnfv-1.log' },
      timeoutMs: 10_000,
    });
    expect(plan.steps[1]).toMatchObject({
      kind: 'write-file',
      path: '/run/lwaftrctl/lab/screenrc',
      content: 'logfile flush 0\n',
    });
    expect(plan.steps[3]).toEqual({
      kind: 'run',
      cwd: '/opt/lab/snabb/src',
      argv: [
        'screen',
        '-c',
        '/run/lwaftrctl/lab/screenrc',
        '-L',
        '-Logfile',
        '/run/lwaftrctl/lab/snabbnfv-1.log',
        '-dmS',
        'lab-snabbnfv-1',
        'sh',
        '-c',
        WRITE_PID_THEN_EXEC,
        '/run/lwaftrctl/lab/snabbnfv-1.pid',
        ...snabbnfvArgv(lab, lab.snabbnfv.ports[0]),
      ],
      note: 'port 1: soft <-> /run/lwaftrctl/lab/vh1a.sock',
    });
  });

  it('with QEMU already running, a backend is ready once QEMU sees it connected', () => {
    const waits = snabbnfvStartPlan(lab, { vmRunning: true }).steps.filter((s) => s.kind === 'wait');
    expect(waits.map((w) => w.kind === 'wait' && w.for)).toMatchObject([
      {
        kind: 'backend-connected',
        chardev: 'char1',
        text: 'snabbnfv traffic starting',
        socket: '/run/lwaftrctl/lab/qmp.sock',
      },
      { kind: 'backend-connected', chardev: 'char2' },
    ]);
  });

  it('with the VM started right after (all start), its first line will do: the VM start proves the rest', () => {
    const waitsOf = (plans: ReturnType<typeof actionPlan>) =>
      plans[0]!.steps.flatMap((s) => (s.kind === 'wait' && s.for.kind === 'log-line' ? [s.for.text] : []));
    expect(waitsOf(actionPlan(lab, 'all', 'start'))).toEqual([
      'snabbnfv traffic starting',
      'snabbnfv traffic starting',
    ]);
    expect(waitsOf(actionPlan(lab, 'snabbnfv', 'start'))).toEqual(['load: time:', 'load: time:']);
    // What the VM start waits for first watches both backends: one that dies fails it at once.
    const vmStart = actionPlan(lab, 'all', 'start')[1]!;
    const firstWait = vmStart.steps.find((s) => s.kind === 'wait');
    expect(firstWait?.kind === 'wait' && firstWait.watch?.map((w) => w.process.label)).toEqual([
      'snabbnfv port 1',
      'snabbnfv port 2',
    ]);
  });

  it('keeps snabbnfv-1/snabbnfv-2 for the default instance, prefixes the others', () => {
    expect(screenSessionName('lwaftr1', 1)).toBe('snabbnfv-1');
    expect(screenSessionName('lab', 2)).toBe('lab-snabbnfv-2');
  });
});

describe('QEMU argv', () => {
  it('lab: QEMU_ARGS first, then TCG, memfd, vectors=0, user networking, 9p, kernel, QMP, paused', () => {
    expect(qemuArgv(resolveVmSpec(lab))).toEqual([
      'taskset',
      '-c',
      '0',
      'qemu-system-x86_64',
      '-device',
      'virtio-rng-pci',
      '-name',
      'lab,debug-threads=on',
      '-machine',
      'pc,accel=tcg',
      '-cpu',
      'max',
      '-smp',
      '1',
      '-m',
      '512M',
      '-object',
      'memory-backend-memfd,id=mem,size=512M,share=on',
      '-numa',
      'node,memdev=mem',
      '-chardev',
      'socket,id=char1,path=/run/lwaftrctl/lab/vh1a.sock,server=on,wait=off',
      '-netdev',
      'type=vhost-user,id=net0,chardev=char1',
      '-device',
      'virtio-net-pci,netdev=net0,addr=0x8,mac=52:54:00:00:00:01,vectors=0',
      '-chardev',
      'socket,id=char2,path=/run/lwaftrctl/lab/vh1b.sock,server=on,wait=off',
      '-netdev',
      'type=vhost-user,id=net1,chardev=char2',
      '-device',
      'virtio-net-pci,netdev=net1,addr=0x9,mac=52:54:00:00:00:02,vectors=0',
      '-netdev',
      'user,id=mgmt,restrict=on,hostfwd=tcp:127.0.0.1:10022-:22',
      '-device',
      'virtio-net-pci,netdev=mgmt,addr=0xa,mac=52:54:00:00:00:03',
      '-fsdev',
      'local,security_model=passthrough,id=fsdev0,path=/opt/lab',
      '-device',
      'virtio-9p-pci,id=fs0,fsdev=fsdev0,mount_tag=share',
      '-kernel',
      '/opt/lab/guest/vmlinuz',
      '-initrd',
      '/opt/lab/guest/initramfs.cpio.gz',
      '-append',
      'console=ttyS0 hugepages=64',
      '-display',
      'none',
      '-serial',
      'file:/run/lwaftrctl/lab/console.log',
      '-pidfile',
      '/run/lwaftrctl/lab/qemu.pid',
      '-qmp',
      'unix:/run/lwaftrctl/lab/qmp.sock,server=on,wait=off',
      '-S',
    ]);
  });

  it('operator: KVM, hugetlbfs, tap with script, numactl + taskset, VNC on loopback, telnet serial, commas escaped', () => {
    const argv = qemuArgv(resolveVmSpec(operator));
    expect(argv.slice(0, 6)).toEqual(['numactl', '-m', '1', 'taskset', '-c', '3']);
    expect(argv).toContain('memory-backend-file,id=mem,size=1024M,mem-path=/dev/hugepages,share=on,prealloc=on');
    expect(argv).toContain('virtio-net-pci,netdev=net0,addr=0x8,mac=52:54:00:00:00:01');
    expect(argv).toContain('type=tap,id=mgmt,ifname=mgmt0,script=/etc/lwaftr/net.sh,downscript=no');
    expect(argv).toContain('local,security_model=passthrough,id=fsdev0,path=/home/op/share,,x');
    expect(argv).toContain('127.0.0.1:22');
    expect(argv).toContain('telnet:127.0.0.1:5001,server=on,wait=off');
    expect(argv).toContain('pc,accel=kvm');
    expect(kernelCommandLine(operator).join(' ')).toBe('console=ttyS1 ip=10.21.21.2 hugepages=256');
  });

  it('escapes commas in option values', () => {
    expect(escapeOptionValue('/a,b,,c')).toBe('/a,,b,,,,c');
  });
});

describe('vm plan', () => {
  it("keeps the last boot's logs, waits for QMP, both backends, pins, continues, then waits for SSH", () => {
    const steps = vmStartPlan(lab).steps;
    expect(steps.map((s) => (s.kind === 'wait' ? `wait:${s.for.kind}` : s.kind))).toEqual([
      'mkdir',
      'rotate-log',
      'rotate-log',
      'spawn',
      'wait:qmp-ready',
      'wait:chardevs-connected',
      'pin-vcpus',
      'qmp',
      'wait:qmp-status',
      'wait:ssh-banner',
    ]);
    expect(steps.slice(1, 3).map((s) => s.kind === 'rotate-log' && path.basename(s.path))).toEqual([
      'console.log',
      'qemu.log',
    ]);
    expect(steps[6]).toMatchObject({ kind: 'pin-vcpus', pins: [{ vcpu: 0, cores: [1] }] });
    expect(steps[9]).toMatchObject({ for: { host: '127.0.0.1', port: 10022 }, timeoutMs: 120_000 });
  });

  it('stops gracefully then by force, each with its deadline; --force goes straight to KILL', () => {
    const stages = (force: boolean) => {
      const step = vmStopPlan(lab, force).steps[0]!;
      if (step.kind !== 'escalate') throw new Error('not an escalation');
      return step.stages.map((s) => [
        s.step.kind === 'qmp' ? s.step.execute : s.step.kind === 'signal' ? s.step.signal : s.step.kind,
        s.timeoutMs,
      ]);
    };
    expect(stages(false)).toEqual([
      ['system_powerdown', 30_000],
      ['quit', 5000],
      ['TERM', 5000],
      ['KILL', 5000],
    ]);
    expect(stages(true)).toEqual([['KILL', 5000]]);
  });
});

describe('lwaftr plan', () => {
  it('builds the built-in snabb lwaftr run --virtio command with guest PCI addresses from the QEMU slots', () => {
    expect(lwaftrCommand(lab)).toEqual([
      '/mnt/host/snabb/src/snabb',
      'lwaftr',
      'run',
      '--virtio',
      '--conf',
      '/mnt/host/snabb/lwaftr.conf',
      '--v4',
      '0000:00:08.0',
      '--v6',
      '0000:00:09.0',
      '--name',
      'lab',
      '--cpu',
      '0',
      '-v',
    ]);
    expect(lwaftrCommand(operator)).toEqual(['~/run_lwaftr.sh']);
  });

  it('resets the NICs no kernel owns, starts detached with a recorded pid, resets both before stopping it', () => {
    const [reset, start] = lwaftrStartPlan(lab).steps as [Step, Step];
    expect(reset.kind === 'remote' && reset.argv.slice(3)).toEqual(['reset', '0000:00:08.0', '0000:00:09.0']);
    expect(lwaftrStartPlan(configOf(`${MINIMAL}LWAFTR_RESET_VIRTIO=no\n`)).steps[0]!.kind).toBe('remote');
    expect(lwaftrStartPlan(configOf(`${MINIMAL}LWAFTR_RESET_VIRTIO=no\n`)).steps).toHaveLength(2);
    expect(start.kind === 'remote' && start.argv.slice(4, 7)).toEqual([
      '/tmp/lwaftrctl-lab',
      '/tmp/lwaftrctl-lab/lwaftr.pid',
      '/tmp/lwaftrctl-lab/lwaftr.log',
    ]);
    const stopArgv = (config: typeof lab) => {
      const [escalation] = lwaftrStopPlan(config).steps;
      if (escalation?.kind !== 'escalate') throw new Error('not an escalation');
      return escalation.stages.map((s) => (s.step.kind === 'remote' ? s.step.argv.slice(3) : []));
    };
    expect(stopArgv(lab)).toEqual([
      ['stop', '/tmp/lwaftrctl-lab/lwaftr.pid', 'TERM', '0000:00:08.0', '0000:00:09.0'],
      ['stop', '/tmp/lwaftrctl-lab/lwaftr.pid', 'KILL'],
    ]);
    expect(stopArgv(configOf(`${MINIMAL}LWAFTR_RESET_VIRTIO=no\n`))[0]).toEqual([
      'stop',
      '/tmp/lwaftrctl-lwaftr1/lwaftr.pid',
      'TERM',
    ]);
    // An operator's stop script runs after the reset and before any signal.
    const scripted = lwaftrStopPlan(configOf(`${MINIMAL}LWAFTR_STOP=~/stop-lwaftr.sh\n`)).steps;
    expect(scripted.map((s) => (s.kind === 'remote' ? s.argv.slice(-3).join(' ') : s.kind))).toEqual([
      '- 0000:00:08.0 0000:00:09.0',
      '~/stop-lwaftr.sh',
      'escalate',
    ]);
  });
});

describe('actions', () => {
  it.each([
    ['all', 'start', 'snabbnfv:start vm:start lwaftr:start'],
    ['all', 'stop', 'lwaftr:stop vm:stop snabbnfv:stop'],
    ['all', 'restart', 'lwaftr:stop vm:stop snabbnfv:stop snabbnfv:start vm:start lwaftr:start'],
    ['vm', 'stop', 'lwaftr:stop vm:stop'],
    // The guest lwAFTR goes with the VM, and comes back with it only if it was running.
    ['vm', 'restart', 'lwaftr:stop vm:stop vm:start lwaftr:start(ifStopped)'],
    ['snabbnfv', 'restart', 'snabbnfv:stop snabbnfv:start'],
    ['lwaftr', 'restart', 'lwaftr:stop lwaftr:start'],
  ] as const)('%s %s', (component, action, expected) => {
    expect(
      actionSequence(component, action)
        .map((s) => `${s.component}:${s.action}${s.ifStopped ? '(ifStopped)' : ''}`)
        .join(' '),
    ).toBe(expected);
    expect(actionPlan(lab, component, action)).toHaveLength(expected.split(' ').length);
  });
});

describe('two instances never share a file, session, socket or port', () => {
  it('different NAMEs give disjoint paths and names', () => {
    const second = configOf(`${MINIMAL}NAME=lwaftr2\nSNABBNFV_SOCK1=/tmp/vh2a.sock\nSNABBNFV_SOCK2=/tmp/vh2b.sock\n`);
    const first = configOf(MINIMAL);
    const everything = (c: typeof first) => {
      const p = instancePaths(c);
      return [
        p.stateDir,
        p.qmpSocket,
        p.lock,
        p.guest.dir,
        // The chardev id is a name inside each QEMU, not a host resource.
        ...[1, 2].flatMap((i) => {
          const { chardev: _, ...host } = p.snabbnfv[i as 1 | 2];
          return Object.values(host);
        }),
        ...c.snabbnfv.ports.map((x) => x.socket),
      ];
    };
    const a = new Set(everything(first));
    for (const x of everything(second)) expect(a.has(x)).toBe(false);
  });
});

describe('a VM_USER that is not root', () => {
  const igalia = configOf(`${MINIMAL}VM_USER=igalia\n`);
  it('runs what needs root in the guest through sudo -n: the NIC reset, the launch, the stop', () => {
    const remote = [...lwaftrStartPlan(igalia).steps, ...lwaftrStopPlan(igalia).steps].flatMap((s) =>
      s.kind === 'remote'
        ? [s.argv]
        : s.kind === 'escalate'
          ? s.stages.flatMap((st) => (st.step.kind === 'remote' ? [st.step.argv] : []))
          : [],
    );
    expect(remote.map((argv) => argv.slice(0, 4).join(' '))).toEqual([
      'sudo -n sh -c',
      'sudo -n sh -c',
      'sudo -n sh -c',
      'sudo -n sh -c',
    ]);
    expect(lwaftrStartPlan(configOf(MINIMAL)).steps.every((s) => s.kind !== 'remote' || s.argv[0] === 'sh')).toBe(true);
  });

  it('says plainly when sudo wants a password, and how to allow it', () => {
    const argv = ['sudo', '-n', 'sh', '-c', 'x'];
    const err = guestFailure('igalia', argv, { code: 1, stdout: '', stderr: 'sudo: a password is required\n' });
    expect([err.message, err.hint]).toEqual([
      "igalia may not run lwaftrctl's guest commands as root without a password (sudo -n: sudo: a password is required)",
      "in the guest, let it: echo 'igalia ALL=(root) NOPASSWD: ALL' > /etc/sudoers.d/lwaftrctl; or set VM_USER=root",
    ]);
    expect(guestFailure('igalia', argv, { code: 127, stdout: '', stderr: 'sh: sudo: not found' }).message).toBe(
      'the guest has no sudo, and igalia is not root',
    );
  });
});
