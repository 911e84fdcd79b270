// The operator's management NIC on the lab (conf/lab-tap.conf): a tap device that QEMU creates
// and NETSCRIPT gives its host-side address, the guest at VM_IP, configured from ip= on its
// kernel command line. lwaftrctl, the backends, QEMU and SSH to the guest all run inside a
// network namespace of this test's own (ip netns exec), so no packet reaches the host's
// network; the namespace is deleted at the end, also when a test fails.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { killLeftovers, labSshArgv, leftovers, NOTHING, REPO, requireLab } from '../helpers/lab.js';
import { CLI } from '../helpers/run-cli.js';
import { testName } from '../helpers/run-tag.js';

const NAME = testName('httap');
const NS = `lwt-${NAME}`;
const STATE_DIR = `/run/lwaftrctl/${NAME}`;
const LAB_TAP = fs.readFileSync(path.join(REPO, 'conf', 'lab-tap.conf'), 'utf8');
const setting = (key: string) => new RegExp(`^${key}=(.+)$`, 'm').exec(LAB_TAP)![1]!;
const VM_IP = setting('VM_IP');
const IFACE = setting('IFACE');
const MGMT_MAC = setting('MGMT_MAC');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), `lwaftrctl-${NAME}-`));
const conf = path.join(dir, 'lab-tap.conf');

/** argv inside the namespace, with a deadline: a command that hangs fails its test, not the suite. */
async function inNamespace(argv: string[], timeoutMs = 30_000) {
  const r = await execa('ip', ['netns', 'exec', NS, ...argv], { reject: false, stdin: 'ignore', timeout: timeoutMs });
  return { code: r.exitCode ?? -1, stdout: r.stdout, stderr: r.stderr, timedOut: r.timedOut };
}
const cli = (...args: string[]) => inNamespace(['node', CLI, '-f', conf, ...args], 120_000);
const guest = (command: string) => inNamespace(['ssh', ...labSshArgv({ target: `root@${VM_IP}`, command })]);

function namespaceExists(): boolean {
  return fs.existsSync(`/run/netns/${NS}`);
}

/** Processes in our namespace are all this test's: whatever a failed run left there goes. */
async function deleteNamespace(): Promise<void> {
  if (!namespaceExists()) return;
  const pids = (await execa('ip', ['netns', 'pids', NS], { reject: false })).stdout
    .split('\n')
    .filter(Boolean)
    .map(Number);
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
  await execa('ip', ['netns', 'del', NS]);
}

beforeAll(async () => {
  requireLab();
  fs.writeFileSync(conf, LAB_TAP.replace(/^NAME=lab-tap$/m, `NAME=${NAME}`).replace(/=\.\.\//g, `=${REPO}/`));
  await execa('ip', ['netns', 'add', NS]);
});

afterAll(async () => {
  if (namespaceExists()) await cli('--force', 'all', 'stop');
  killLeftovers(STATE_DIR);
  await deleteNamespace();
  fs.rmSync(dir, { recursive: true, force: true });
}, 120_000);

describe('a tap management NIC, in a network namespace', () => {
  it('all start brings up the three, the guest SSH at VM_IP', async () => {
    const r = await cli('all', 'start');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`on ${VM_IP}:22`);
  }, 120_000);

  it('NETSCRIPT gave the host side of the tap its address, inside the namespace only', async () => {
    expect((await inNamespace(['ip', '-o', '-4', 'addr', 'show', 'dev', IFACE])).stdout).toContain(
      'inet 10.21.21.1/24',
    );
    expect((await execa('ip', ['link', 'show', 'dev', IFACE], { reject: false })).exitCode).not.toBe(0);
  });

  it('the guest put VM_IP from ip= on its kernel command line on the NIC with MGMT_MAC, and only there', async () => {
    const r = await guest(
      'cat /proc/cmdline; for n in /sys/class/net/eth*; do echo "$(cat $n/address) $(ip -o -4 addr show dev ${n##*/} | awk \'{print $4}\')"; done',
    );
    expect(r.code, r.stderr).toBe(0);
    const [cmdline, ...nics] = r.stdout.split('\n');
    expect(cmdline!.split(' ')).toContain(`ip=${VM_IP}`);
    const addressOf = Object.fromEntries(nics.map((l) => l.trim().split(/\s+/) as [string, string?]));
    expect(addressOf[MGMT_MAC]).toMatch(new RegExp(`^${VM_IP.replace(/\./g, '\\.')}/\\d+$`));
    expect([addressOf['52:54:00:00:00:01'], addressOf['52:54:00:00:00:02']]).toEqual([undefined, undefined]);
  });

  it('status --json says running, the guest reachable at VM_IP', async () => {
    const r = await cli('--json', 'status');
    expect(r.code, r.stderr).toBe(0);
    const s = JSON.parse(r.stdout);
    expect([s.snabbnfv.state, s.vm.state, s.lwaftr.state]).toEqual(['running', 'running', 'running']);
    expect(s.vm.ssh).toBe(`${VM_IP}:22`);
    expect(s.vm.guestReachable).toBe(true);
  }, 30_000);

  it('all stop ends it within seconds and leaves nothing behind, the tap included', async () => {
    const r = await inNamespace(['node', CLI, '-f', conf, 'all', 'stop'], 20_000);
    expect(r.timedOut, `all stop did not exit within 20 s: ${r.stdout} ${r.stderr}`).toBe(false);
    expect(r.code, r.stderr).toBe(0);
    expect(leftovers(STATE_DIR)).toEqual(NOTHING);
    expect((await inNamespace(['ip', '-o', 'link'])).stdout).not.toContain(IFACE);
    expect((await execa('ip', ['netns', 'pids', NS])).stdout).toBe('');
  }, 30_000);
});
