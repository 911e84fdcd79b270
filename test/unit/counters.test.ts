// Data-plane health as data: Snabb's counter samples, rates between two, snabbnfv's load report;
// and the guest script that reads the counters, run by sh over a counter tree laid out as Snabb's.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { GUEST_LWAFTR_STATUS, parseSample, ratesBetween } from '../../src/components/lwaftr/counters.js';
import { readBackendTraffic, readCounter } from '../../src/components/snabbnfv/link-counters.js';
import { parseLoadReport } from '../../src/components/snabbnfv/status.js';

describe('counter samples', () => {
  it('reads a sample: names without .counter, values in their order', () => {
    expect(parseSample('counters 120.50 in-ipv4-packets.counter out-ipv6-packets.counter', ' 10 7 ')).toEqual({
      at: 120.5,
      values: { 'in-ipv4-packets': 10, 'out-ipv6-packets': 7 },
    });
  });
  it.each([
    ['no header', undefined, undefined],
    ['another line', 'running 12 0', '1'],
    ['fewer values than names', 'counters 1 a.counter b.counter', '1'],
  ])('is none when it is not one: %s', (_, header, values) => {
    expect(parseSample(header, values)).toBeUndefined();
  });
  it('gives rates per second since the previous sample, none from a counter that went back', () => {
    const before = { at: 100, values: { a: 10, b: 50 } };
    const now = { at: 104, values: { a: 30, b: 5, c: 1 } };
    expect(ratesBetween(before, now)).toEqual({ a: 5 });
    expect(ratesBetween(undefined, now)).toBeNull();
    expect(ratesBetween(now, now)).toBeNull();
  });
});

describe("snabbnfv's load report", () => {
  it.each<[string, unknown]>([
    [
      'load: time: 1.00s  fps: 1234      fpGbps: 0.012 fpb: 3   bpp: 60   sleep: 100 us',
      { fps: 1234, fpGbps: 0.012, fpb: 3, bpp: 60, sleepUs: 100 },
    ],
    [
      'load: time: 1.00s  fps: 0         fpGbps: 0.000 fpb: 0   bpp: -    sleep: 100us',
      { fps: 0, fpGbps: 0, fpb: 0, bpp: null, sleepUs: 100 },
    ],
    ['Loading ports/a.cfg', null],
  ])('%s', (line, expected) => expect(parseLoadReport(line)).toEqual(expected));
});

describe('the guest status script, by sh', () => {
  // /var/run/snabb is the guest's: the script is pointed at a tree of its own for the test.
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'snabb-shm-'));
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));
  const script = GUEST_LWAFTR_STATUS.replaceAll('/var/run/snabb', root);
  const u64 = (n: number) => {
    const b = Buffer.alloc(8);
    b.writeBigUInt64LE(BigInt(n));
    return b;
  };

  it('prints the state, the last line, the counters now and the previous sample, then keeps this one', () => {
    const me = process.pid;
    const start = fs.readFileSync(`/proc/${me}/stat`, 'utf8').split(') ')[1]!.split(' ')[19];
    const dir = path.join(root, String(me), 'apps', 'lwaftr');
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'in-ipv4-packets.counter'), u64(42));
    fs.writeFileSync(path.join(dir, 'out-ipv4-packets.counter'), u64(2 ** 40));
    fs.writeFileSync(path.join(root, 'pid'), `${me} ${start}\n`);
    fs.writeFileSync(path.join(root, 'log'), 'first\nTime (s),decap (MPPS)\n');
    const run = () =>
      execFileSync('sh', ['-c', script, 'status', `${root}/pid`, `${root}/log`, `${root}/sample`])
        .toString()
        .split('\n');
    const first = run();
    expect(first[0]).toMatch(new RegExp(`^running ${me} \\d+ 1$`));
    expect(first[1]).toBe('Time (s),decap (MPPS)');
    expect(parseSample(first[2], first[3])!.values).toEqual({ 'in-ipv4-packets': 42, 'out-ipv4-packets': 2 ** 40 });
    expect([first[4], first[5]]).toEqual(['', '']);
    const second = run();
    expect(parseSample(second[4], second[5])).toEqual(parseSample(first[2], first[3]));
    // A log whose last line is still being written (no newline yet), or an empty one, is one line.
    for (const log of ['first\nhalf a li', '']) {
      fs.writeFileSync(path.join(root, 'log'), log);
      const lines = run();
      expect(lines[1]).toBe(log.split('\n').at(-1));
      expect(parseSample(lines[2], lines[3])!.values['in-ipv4-packets']).toBe(42);
    }
  });
});

describe("a backend's link counters (Snabb's links/<spec>/<name>.counter)", () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'lwaftrctl-shm-'));
  const put = (spec: string, name: string, value: number, size = 8) => {
    fs.mkdirSync(path.join(root, '42', 'links', spec), { recursive: true });
    const b = Buffer.alloc(size);
    if (size === 8) b.writeBigUInt64LE(BigInt(value));
    fs.writeFileSync(path.join(root, '42', 'links', spec, `${name}.counter`), b);
  };
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

  it('sums what went into and out of every VM port, and ignores other links', () => {
    // As snabbnfv names them: two ports of one port file, and a link between two other apps.
    put('Switch.A -> A_Virtio.rx', 'rxpackets', 10);
    put('Switch.A -> A_Virtio.rx', 'rxbytes', 1000);
    put('A_Virtio.tx -> Switch.A', 'txpackets', 7);
    put('A_Virtio.tx -> Switch.A', 'txbytes', 700);
    put('B_VlanUntag.output -> B_Virtio.rx', 'rxpackets', 2 ** 40);
    put('B_Virtio.tx -> B_VlanTag.input', 'txpackets', 1);
    put('B_VlanTag.output -> Switch.B', 'txpackets', 99);
    expect(readBackendTraffic(root, 42)).toEqual({
      toVmPackets: 10 + 2 ** 40,
      toVmBytes: 1000,
      fromVmPackets: 8,
      fromVmBytes: 700,
    });
  });

  it('none for a process that publishes no links, and no value from a file that is not 8 bytes', () => {
    expect(readBackendTraffic(root, 43)).toBeNull();
    put('C_Virtio.tx -> Switch.C', 'txpackets', 0, 4);
    expect(readCounter(path.join(root, '42', 'links', 'C_Virtio.tx -> Switch.C', 'txpackets.counter'))).toBeUndefined();
  });
});
