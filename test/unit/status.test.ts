// Status classification as data: what each component's state is for what was seen. The lab
// proves the same end to end (test/integration).
import { describe, expect, it } from 'vitest';
import { judgeLwaftr } from '../../src/components/lwaftr/status.js';
import { judgeSnabbnfv } from '../../src/components/snabbnfv/status.js';
import { statusExitCode } from '../../src/components/status-all.js';
import type { State, Verdict } from '../../src/components/status-types.js';
import { comparePinning } from '../../src/components/vm/pinning.js';
import { judgeVm } from '../../src/components/vm/status.js';

const F = '/etc/l.conf';
const brief = (v: Verdict) => [v.state, v.reason, v.fix, v.deadWithPidFile];

describe('snabbnfv', () => {
  type P = { port: 1 | 2; state: 'running' | 'dead' | 'foreign' | 'stopped'; backendConnected: boolean | null };
  const port = (port: 1 | 2, state: P['state'], backendConnected: boolean | null = null): P => ({
    port,
    state,
    backendConnected,
  });
  it.each<[string, P[], unknown[]]>([
    ['both up, VM down', [port(1, 'running'), port(2, 'running')], ['running', null, null, false]],
    ['both up and connected', [port(1, 'running', true), port(2, 'running', true)], ['running', null, null, false]],
    [
      'one not connected',
      [port(1, 'running', true), port(2, 'running', false)],
      ['degraded', 'port 2 is not connected to QEMU', `lwaftrctl -f ${F} snabbnfv restart`, false],
    ],
    [
      'both not connected: plural',
      [port(1, 'running', false), port(2, 'running', false)],
      ['degraded', 'ports 1 and 2 are not connected to QEMU', `lwaftrctl -f ${F} snabbnfv restart`, false],
    ],
    [
      'one died',
      [port(1, 'dead'), port(2, 'running')],
      ['broken', 'port 1 died; its pid file is left', `lwaftrctl -f ${F} snabbnfv start`, true],
    ],
    ['both stopped', [port(1, 'stopped'), port(2, 'stopped')], ['stopped', null, null, false]],
    ['a foreign pid file counts as stopped', [port(1, 'foreign'), port(2, 'stopped')], ['stopped', null, null, false]],
    [
      'one of two running',
      [port(1, 'running'), port(2, 'stopped')],
      ['degraded', 'port 2 is not running', `lwaftrctl -f ${F} snabbnfv restart`, false],
    ],
  ])('%s', (_, ports, expected) => expect(brief(judgeSnabbnfv(ports, F))).toEqual(expected));
});

describe('vm', () => {
  const up = { qemu: 'running' as const, qmpStatus: 'running', guestReachable: true, pinningOk: true };
  it.each<[string, Parameters<typeof judgeVm>[0], unknown[]]>([
    ['QEMU not started', { qemu: 'stopped' }, ['stopped', null, null, false]],
    [
      'QEMU died, the backends up: vm start',
      { qemu: 'dead', pid: 42, backendsUp: true },
      ['broken', 'QEMU (pid 42) died; its pid file is left', `lwaftrctl -f ${F} vm start`, true],
    ],
    [
      'QEMU died with its backends: vm start would be refused, so all start',
      { qemu: 'dead', pid: 42, backendsUp: false },
      ['broken', 'QEMU (pid 42) died; its pid file is left', `lwaftrctl -f ${F} all start`, true],
    ],
    ['all well', { ...up, backends: { char1: true, char2: true } }, ['running', null, null, false]],
    ['paused', { ...up, qmpStatus: 'paused' }, ['degraded', 'the VM is paused', `lwaftrctl -f ${F} vm restart`, false]],
    [
      'QMP silent',
      { ...up, qmpStatus: null },
      ['degraded', 'QMP does not answer', `lwaftrctl -f ${F} vm restart`, false],
    ],
    [
      'a backend gone',
      { ...up, backends: { char1: true, char2: false } },
      ['degraded', 'backend char2 disconnected', `lwaftrctl -f ${F} snabbnfv restart`, false],
    ],
    [
      'no SSH and wrong cores',
      { ...up, guestReachable: false, pinningOk: false },
      [
        'degraded',
        "the guest's SSH does not answer; threads are not on the cores wanted",
        `lwaftrctl -f ${F} vm restart`,
        false,
      ],
    ],
  ])('%s', (_, facts, expected) => expect(brief(judgeVm(facts, F))).toEqual(expected));
});

describe('lwaftr', () => {
  it.each<[string, State, Parameters<typeof judgeLwaftr>[1], unknown[]]>([
    ['VM down', 'stopped', undefined, ['stopped', 'the VM is not running', null, false]],
    [
      'guest unreachable',
      'degraded',
      { ok: false, error: new Error('timed out') },
      ['unknown', 'cannot reach the guest: timed out', `lwaftrctl -f ${F} vm restart`, false],
    ],
    [
      'running',
      'running',
      { ok: true, lwaftr: { state: 'running', pid: 7, logBytes: 10, ready: true } },
      ['running', null, null, false],
    ],
    [
      'died',
      'running',
      { ok: true, lwaftr: { state: 'dead', pid: 7 } },
      ['degraded', 'the guest lwAFTR (pid 7) died; its pid file is left', `lwaftrctl -f ${F} lwaftr restart`, true],
    ],
    ['never started', 'running', { ok: true, lwaftr: { state: 'stopped' } }, ['stopped', null, null, false]],
  ])('%s', (_, vm, answer, expected) => expect(brief(judgeLwaftr(vm, answer, F))).toEqual(expected));
});

describe('pinning against the spec', () => {
  const spec = {
    vcpus: [
      { vcpu: 0, cores: [2] },
      { vcpu: 1, cores: [3] },
    ],
    emulator: [0, 1],
  };
  const threads = [
    { vcpu: 0, threadId: 11 },
    { vcpu: 1, threadId: 12 },
  ];
  it('each vCPU on its own core, the rest on the emulator cores: ok', () => {
    const live = new Map([
      [10, '0-1'],
      [11, '2'],
      [12, '3'],
      [13, '0,1'],
    ]);
    const p = comparePinning(spec, threads, live);
    expect(p.ok).toBe(true);
    expect(p.vcpus.map((v) => [v.vcpu, v.threadId, v.wanted, v.actual])).toEqual([
      [0, 11, '2', '2'],
      [1, 12, '3', '3'],
    ]);
    expect(p.emulator).toEqual({ wanted: '0-1', actual: '0-1 0,1', ok: true });
  });
  it('vCPUs swapped: not ok, and says which', () => {
    const p = comparePinning(
      spec,
      threads,
      new Map([
        [10, '0-1'],
        [11, '3'],
        [12, '2'],
      ]),
    );
    expect(p.ok).toBe(false);
    expect(p.vcpus.map((v) => v.ok)).toEqual([false, false]);
  });
  it('an I/O thread on a vCPU core: not ok', () => {
    const p = comparePinning(
      spec,
      threads,
      new Map([
        [10, '0-1'],
        [11, '2'],
        [12, '3'],
        [14, '2'],
      ]),
    );
    expect(p.emulator.ok).toBe(false);
    expect(p.ok).toBe(false);
  });
  it('nothing wanted: anything is ok', () => {
    expect(
      comparePinning(
        { vcpus: [] },
        threads,
        new Map([
          [11, '0-1'],
          [12, '1'],
        ]),
      ).ok,
    ).toBe(true);
  });
});

describe('exit codes (LSB)', () => {
  const v = (state: State, deadWithPidFile = false): Verdict => ({ state, reason: null, fix: null, deadWithPidFile });
  it.each<[string, Verdict[], number]>([
    ['all running', [v('running'), v('running')], 0],
    ['something dead with its pid file', [v('running'), v('broken', true)], 1],
    ['something stopped', [v('running'), v('stopped')], 3],
    ['degraded', [v('degraded')], 3],
    ['unknown', [v('running'), v('unknown')], 4],
    ['dead wins over unknown', [v('unknown'), v('degraded', true)], 1],
  ])('%s → %i', (_, verdicts, code) => expect(statusExitCode(verdicts)).toBe(code));
});
