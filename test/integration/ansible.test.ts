// deploy/ansible against this machine: two lab instances as two inventory hosts reached with
// ansible_connection=local (deploy/ansible/inventory/lab.yml, its hosts renamed and its ports
// moved to this run's: run-tag.ts), each with its own NAME, SSH port, state folder and npm
// prefix. The role installs lwaftrctl from the tarball `npm pack` makes, writes each config from
// inventory variables, runs the doctor and starts the chain; changed comes from lwaftrctl's JSON.
// The plays use the snabbnfv component, so that no two lab VMs run at once (the whole chain is
// lwaftrctl's own tests' business; the role runs `all` the same way, with another word).

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { killLeftovers, LAB, REPO, requireLab } from '../helpers/lab.js';
import { CLI } from '../helpers/run-cli.js';
import { testName, testPort } from '../helpers/run-tag.js';

const ANSIBLE = path.join(REPO, 'deploy', 'ansible');
const A = testName('lva');
const B = testName('lvb');
const HOSTS = [A, B];
const hostDir = (h: string) => `/var/tmp/lwaftrctl-lab/${h}`;
const conf = (h: string) => `${hostDir(h)}/etc/${h}.conf`;
const stateDir = (h: string) => `/run/lwaftrctl/${h}`;
let tmp = '';
let tarball = '';
let inventory = '';

interface Recap {
  ok: number;
  changed: number;
  failed: number;
}

/** The lab inventory with this run's host names and SSH ports. */
function writeInventory(file: string): void {
  const text = fs.readFileSync(path.join(ANSIBLE, 'inventory', 'lab.yml'), 'utf8');
  let renamed = text;
  for (const [fixed, port, name] of [
    ['lva', 10152, A],
    ['lvb', 10153, B],
  ] as const) {
    const host = new RegExp(`^(\\s+)${fixed}:\\n(\\s+)lab_ssh_port: \\d+$`, 'm');
    expect(renamed).toMatch(host);
    renamed = renamed.replace(host, `$1${name}:\n$2lab_ssh_port: ${testPort(port)}`);
  }
  fs.writeFileSync(file, renamed);
}

async function play(playbook: string, ...extra: string[]) {
  const r = await execa(
    'ansible-playbook',
    ['-i', inventory, playbook, '-e', `lab_dir=${LAB}`, '-e', `lwaftrctl_tarball=${tarball}`, ...extra],
    { cwd: ANSIBLE, reject: false, stdin: 'ignore', env: { ANSIBLE_NOCOLOR: '1' } },
  );
  const recap: Record<string, Recap> = {};
  for (const m of r.stdout.matchAll(/^(\S+)\s+: ok=(\d+)\s+changed=(\d+)\s+unreachable=\d+\s+failed=(\d+)/gm))
    recap[m[1]!] = { ok: Number(m[2]), changed: Number(m[3]), failed: Number(m[4]) };
  return { code: r.exitCode, stdout: r.stdout, recap };
}

/** Status of a host's instance, from the lwaftrctl the role installed there. */
async function status(h: string, component = 'all') {
  const bin = `${hostDir(h)}/prefix/bin/lwaftrctl`;
  const r = await execa(bin, ['-f', conf(h), '--json', 'status', component], { reject: false, stdin: 'ignore' });
  return JSON.parse(r.stdout);
}

/** The time span of the last `<what>` run in a host's own log (run-begin to run-end). */
function lastRun(h: string, action: string): { begin: number; end: number } {
  const lines = fs
    .readFileSync(path.join(stateDir(h), 'lwaftrctl.log'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { msg: string; action?: string; time: number });
  const begin = lines.map((l) => l.msg === 'run-begin' && l.action === action).lastIndexOf(true);
  const end = lines.findIndex((l, i) => i > begin && l.msg === 'run-end');
  expect(begin >= 0 && end > begin, `${h}: a ${action} run in its log`).toBe(true);
  return { begin: lines[begin]!.time, end: lines[end]!.time };
}

const snabbnfvOnly = ['-e', 'lwaftrctl_component=snabbnfv'];

beforeAll(async () => {
  requireLab();
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lwaftrctl-ansible-'));
  inventory = path.join(tmp, 'inventory.yml');
  writeInventory(inventory);
  // dist/ is built by the test run already: pack it as it is.
  const p = await execa('npm', ['pack', '--ignore-scripts', '--pack-destination', tmp], { cwd: REPO, stdin: 'ignore' });
  tarball = path.join(tmp, p.stdout.trim().split('\n').at(-1)!);
}, 60_000);

afterAll(async () => {
  for (const h of HOSTS) {
    if (fs.existsSync(conf(h))) await execa('node', [CLI, '-f', conf(h), '--force', 'all', 'stop'], { reject: false });
    killLeftovers(stateDir(h));
    fs.rmSync(hostDir(h), { recursive: true, force: true });
  }
  // The inventory's common parent, when no one else keeps anything there.
  const parent = path.dirname(hostDir(A));
  if (fs.existsSync(parent) && fs.readdirSync(parent).length === 0) fs.rmdirSync(parent);
  fs.rmSync(tmp, { recursive: true, force: true });
}, 120_000);

describe('the lwaftrctl role on two local inventory hosts', () => {
  it('installs from the tarball, writes each config, passes the doctor, starts each instance (changed)', async () => {
    const r = await play('site.yml', ...snabbnfvOnly);
    expect(r.code, r.stdout).toBe(0);
    for (const [h, port] of [
      [A, 10152],
      [B, 10153],
    ] as const) {
      expect(r.recap[h]).toMatchObject({ failed: 0 });
      const text = fs.readFileSync(conf(h), 'utf8');
      expect(text).toMatch(new RegExp(`^NAME=${h}$`, 'm'));
      expect(text).toMatch(new RegExp(`^VM_SSH_PORT=${testPort(port)}$`, 'm'));
      expect(text).toContain("QEMU_ARGS='-device virtio-rng-pci'");
      expect((await status(h)).snabbnfv.state).toBe('running');
    }
    expect(r.stdout).toMatch(/TASK \[lwaftrctl : The host passes the doctor's checks\] \*+\nok: \[\S+\]\nok: \[\S+\]/);
    expect(r.stdout).toMatch(
      /TASK \[lwaftrctl : The chain is running \(snabbnfv start\)\] \*+\nchanged: \[\S+\]\nchanged: \[\S+\]/,
    );
  }, 120_000);

  it('changes nothing when run again (already-running, already installed)', async () => {
    const r = await play('site.yml', ...snabbnfvOnly);
    expect(r.code, r.stdout).toBe(0);
    expect(r.recap).toEqual({
      [A]: expect.objectContaining({ changed: 0, failed: 0 }),
      [B]: expect.objectContaining({ changed: 0, failed: 0 }),
    });
  }, 90_000);

  it('restarts one host after the other, one of them running at every moment', async () => {
    const pids = async (h: string) => (await status(h, 'snabbnfv')).snabbnfv.ports.map((p: { pid: number }) => p.pid);
    const before = { [A]: await pids(A), [B]: await pids(B) };
    const rollout = play('rolling-restart.yml', ...snabbnfvOnly);
    // Both hosts' status, sampled for as long as the rollout runs.
    const samples: Record<string, string>[] = [];
    let done = false;
    rollout.finally(() => {
      done = true;
    });
    while (!done) {
      const states = await Promise.all(
        HOSTS.map(async (h) => {
          const r = await execa('node', [CLI, '-f', conf(h), '--json', 'status', 'snabbnfv'], { reject: false });
          return [h, JSON.parse(r.stdout).snabbnfv.state as string] as const;
        }),
      );
      samples.push(Object.fromEntries(states));
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const r = await rollout;
    expect(r.code, r.stdout).toBe(0);
    // The hosts' own logs: the second restart began after the first had ended.
    const [a, b] = [lastRun(A, 'restart'), lastRun(B, 'restart')];
    expect(a.end).toBeLessThan(b.begin);
    expect(samples.length).toBeGreaterThan(5);
    expect(samples.filter((s) => s[A] !== 'running' && s[B] !== 'running')).toEqual([]);
    for (const h of HOSTS) {
      const after = await pids(h);
      expect(after).toHaveLength(2);
      for (const pid of after) expect(before[h]).not.toContain(pid);
    }
    console.log(
      `rolling restart: ${samples.length} samples of both; restarts ${a.end - a.begin} ms and ${b.end - b.begin} ms, ` +
        `${b.begin - a.end} ms apart; not running: ${A} in ${samples.filter((s) => s[A] !== 'running').length}, ` +
        `${B} in ${samples.filter((s) => s[B] !== 'running').length}`,
    );
  }, 120_000);

  it('stops each instance (changed), then has nothing to stop', async () => {
    const first = await play('stop.yml');
    expect(first.code, first.stdout).toBe(0);
    expect([first.recap[A]?.changed, first.recap[B]?.changed]).toEqual([1, 1]);
    const again = await play('stop.yml');
    expect([again.recap[A]?.changed, again.recap[B]?.changed]).toEqual([0, 0]);
  }, 60_000);
});
