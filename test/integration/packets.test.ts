// Packets through the whole chain on the lab: scripts/lab-traffic.sh sends known streams from
// one host backend through the guest lwAFTR stand-in (DPDK's virtio driver in the guest) to the
// other backend, both ways, and checks them frame for frame; the guest publishes its counts where
// Snabb v2017.11 does, and a stop gives the NICs back and leaves nothing behind.

import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../helpers/eventually.js';
import { expectAllStopLeavesNothing, labInstance, REPO, requireLab } from '../helpers/lab.js';

const inst = labInstance('pkpackets', 10110);
const PCIS = ['0000:00:08.0', '0000:00:09.0'];

/** The counts lab-traffic.sh prints for one direction, by the start of their label. */
function counts(stdout: string, direction: 'ipv4' | 'ipv6') {
  const block = stdout.split(/\n(?=ipv[46]: )/).find((b) => b.startsWith(`${direction}: `));
  if (!block) throw new Error(`no ${direction} block in:\n${stdout}`);
  const frames = Number(/^ipv[46]: (\d+) frames/.exec(block)![1]);
  const count = (label: string) => Number(new RegExp(`^  ${label}.*?\\s(\\d+)$`, 'm').exec(block)?.[1]);
  return {
    frames,
    backendSent: count('backend \\d sent into the guest'),
    guestReceived: count('guest lwAFTR received'),
    guestSent: count('guest lwAFTR sent'),
    backendReceived: count('backend \\d took from the guest'),
    recorded: count('recorded by backend'),
    cameBack: count('came back to backend'),
    identical: /recording identical to the capture sent\s+yes$/m.test(block),
  };
}

beforeAll(async () => {
  requireLab();
  const r = await inst.cli('all', 'start');
  expect(r.code, r.stderr).toBe(0);
}, 120_000);

afterAll(() => inst.cleanup(), 120_000);

describe('packets through the whole chain', () => {
  let traffic = { exitCode: -1, stdout: '' };

  it('lab-traffic.sh: every frame of both streams comes through unchanged, counted on all four sides', async () => {
    const r = await execa(path.join(REPO, 'scripts', 'lab-traffic.sh'), [inst.conf], {
      reject: false,
      stdin: 'ignore',
      timeout: 150_000,
    });
    traffic = { exitCode: r.exitCode ?? -1, stdout: r.stdout };
    expect(r.exitCode, `${r.stdout}\n${r.stderr}`).toBe(0);
    for (const direction of ['ipv4', 'ipv6'] as const) {
      const c = counts(r.stdout, direction);
      expect(c.frames).toBeGreaterThan(0);
      expect(c).toEqual({
        frames: c.frames,
        backendSent: c.frames,
        guestReceived: c.frames,
        guestSent: c.frames,
        backendReceived: c.frames,
        recorded: c.frames,
        cameBack: 0,
        identical: true,
      });
    }
    expect(r.stdout).toContain('PASS: every frame came through');
  }, 160_000);

  it('the guest lwAFTR published those counts as Snabb v2017.11 does: 8-byte counters under /var/run/snabb/<pid>, found by name', async () => {
    expect(traffic.exitCode).toBe(0);
    const v4 = counts(traffic.stdout, 'ipv4').frames;
    const v6 = counts(traffic.stdout, 'ipv6').frames;
    const pid = (await inst.status()).lwaftr!.pid as number;
    const dir = `/var/run/snabb/${pid}/apps/lwaftr`;
    const r = await inst.guest(
      `readlink /var/run/snabb/by-name/${inst.name} && stat -c %s ${dir}/in-ipv4-packets.counter && ` +
        `od -An -tu8 -v ${dir}/in-ipv4-packets.counter ${dir}/out-ipv6-packets.counter ${dir}/in-ipv6-packets.counter ${dir}/out-ipv4-packets.counter ${dir}/drop-all-ipv4-iface-packets.counter ` +
        `'/var/run/snabb/${pid}/links/inetNic.tx -> reassemblerv4.input/txpackets.counter'`,
    );
    expect(r.code, r.stderr).toBe(0);
    const [link, size, ...values] = r.stdout.split(/\s+/).filter(Boolean);
    expect(link).toBe(`/var/run/snabb/${pid}`);
    expect(size).toBe('8');
    expect(values.map(Number)).toEqual([v4, v4, v6, v6, 0, v4]);
  });

  it("status shows those counters, their rates from the second look on, and each backend's load report", async () => {
    const v4 = counts(traffic.stdout, 'ipv4').frames;
    const v6 = counts(traffic.stdout, 'ipv6').frames;
    const first = await inst.status();
    const second = await inst.status();
    for (const s of [first, second])
      expect(s.lwaftr!.counters).toMatchObject({
        // What comes in as IPv4 leaves encapsulated as IPv6, and the other way round.
        'in-ipv4-packets': v4,
        'out-ipv6-packets': v4,
        'in-ipv6-packets': v6,
        'out-ipv4-packets': v6,
        'drop-all-ipv4-iface-packets': 0,
      });
    // The traffic is over: nothing moves between the two looks.
    expect(second.lwaftr!.rates).toMatchObject({ 'in-ipv4-packets': 0, 'out-ipv6-packets': 0 });
    expect(second.lwaftr!.countersAt as number).toBeGreaterThan(first.lwaftr!.countersAt as number);
    for (const port of second.snabbnfv!.ports as { load: unknown }[])
      expect(port.load).toMatchObject({ fps: expect.any(Number) });
    // Each backend's link counters (published once a second): port 1 sent the IPv4 stream into the
    // VM and got the IPv6 one out of it, port 2 the other way round.
    const backendTraffic = async () =>
      ((await inst.status()).snabbnfv!.ports as { traffic: Record<string, number> | null }[]).map((p) => p.traffic);
    const expected = [
      { toVmPackets: v4, fromVmPackets: v6 },
      { toVmPackets: v6, fromVmPackets: v4 },
    ];
    const moved = async () =>
      (await backendTraffic()).map((t) => t && { toVmPackets: t.toVmPackets, fromVmPackets: t.fromVmPackets });
    let seen = await moved();
    await eventually(
      "the backends' link counters",
      async () => {
        seen = await moved();
        return JSON.stringify(seen) === JSON.stringify(expected);
      },
      { ms: 5000, seen: () => JSON.stringify(seen) },
    );
    const text = await inst.cli('status');
    expect(text.stdout).toContain(
      `packets: in IPv4 ${v4} (0/s), out IPv4 ${v6} (0/s), in IPv6 ${v6} (0/s), out IPv6 ${v4} (0/s)`,
    );
  });

  it('lwaftr stop gives both NICs back (no driver) and removes the counters and the name', async () => {
    const pid = (await inst.status()).lwaftr!.pid as number;
    expect((await inst.cli('lwaftr', 'stop')).code).toBe(0);
    const r = await inst.guest(
      `for d in ${PCIS.join(' ')}; do readlink /sys/bus/pci/devices/$d/driver || echo none; done; ` +
        `ls -d /var/run/snabb/${pid} /var/run/snabb/by-name/${inst.name} 2>&1 | grep -c 'No such file'; ` +
        `grep -l 'dpdk-testpm[d]' /proc/[0-9]*/cmdline | wc -l`,
    );
    expect(r.stdout.split('\n')).toEqual(['none', 'none', '2', '0']);
  }, 60_000);

  it('all stop leaves nothing behind on the host', async () => {
    await expectAllStopLeavesNothing(inst);
  }, 60_000);
});
