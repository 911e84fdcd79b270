// The lab for integration tests: a config per test instance derived from conf/lab.conf,
// the CLI run for real, SSH into the guest, and cleanup that never leaves anything behind.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa, execaSync } from 'execa';
import { expect } from 'vitest';
import { runCli } from './run-cli.js';
import { testName, testPort } from './run-tag.js';

export const REPO = path.join(__dirname, '..', '..');
export const LAB = path.join(REPO, 'lab');

/** What ./scripts/setup.sh builds; the lab tests need all of it. */
export function labIsBuilt(): boolean {
  return ['guest/vmlinuz', 'guest/initramfs.cpio.gz', 'keys/id_ed25519', 'keys/known_hosts', 'snabb/src/snabb'].every(
    (f) => fs.existsSync(path.join(LAB, f)),
  );
}

export function requireLab(): void {
  if (!labIsBuilt()) throw new Error(`the lab is not built (${LAB}): run ./scripts/setup.sh first`);
}

export interface LabInstance {
  name: string;
  conf: string;
  stateDir: string;
  sshPort: number;
  cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }>;
  status(): Promise<Record<string, { state: string; [k: string]: unknown }>>;
  guest(command: string): Promise<{ code: number; stdout: string; stderr: string }>;
  /** Stops everything of this instance, whatever state it is in. */
  cleanup(): Promise<void>;
}

/**
 * conf/lab.conf (or another lab config in conf/) with another NAME and SSH port (both made this
 * run's own: run-tag.ts), paths made absolute; `extra` lines appended.
 */
export function labInstance(baseName: string, basePort: number, extra = '', base = 'lab.conf'): LabInstance {
  const name = testName(baseName);
  const sshPort = testPort(basePort);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `lwaftrctl-${name}-`));
  const conf = path.join(dir, 'lab.conf');
  const text = fs
    .readFileSync(path.join(REPO, 'conf', base), 'utf8')
    .replace(/^NAME=[\w.-]+$/m, `NAME=${name}`)
    .replace(/^VM_SSH_PORT=\d+$/m, `VM_SSH_PORT=${sshPort}`)
    .replace(/=\.\.\//g, `=${REPO}/`);
  fs.writeFileSync(conf, text + extra);
  const stateDir = `/run/lwaftrctl/${name}`;
  const inst: LabInstance = {
    name,
    conf,
    stateDir,
    sshPort,
    cli: (...args) => runCli(['-f', conf, ...args]),
    status: async () => JSON.parse((await runCli(['-f', conf, '--json', 'status'])).stdout),
    guest: async (command) => {
      // A connection the loaded TCG guest drops before the key exchange (ssh's exit 255, nothing
      // run) is tried again, twice at most; any other outcome is the command's.
      for (let attempt = 1; ; attempt++) {
        const r = await execa('ssh', labSshArgv({ port: sshPort, target: 'root@127.0.0.1', command }), {
          reject: false,
          stdin: 'ignore',
          timeout: 30_000,
        });
        const dropped = r.exitCode === 255 && /kex_exchange_identification|Connection (reset|closed)/.test(r.stderr);
        if (!dropped || attempt === 3) return { code: r.exitCode ?? -1, stdout: r.stdout, stderr: r.stderr };
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    },
    cleanup: async () => {
      await runCli(['-f', conf, '--force', 'all', 'stop']);
      killLeftovers(stateDir);
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
  return inst;
}

/** ssh's options for the lab guest as root: its key, the lab's known_hosts (unless another), no prompt. */
export function labSshArgv(o: { port?: number; target: string; command: string; knownHosts?: string }): string[] {
  return [
    '-o',
    'BatchMode=yes',
    '-o',
    'StrictHostKeyChecking=yes',
    '-o',
    `UserKnownHostsFile=${o.knownHosts ?? `${LAB}/keys/known_hosts`}`,
    '-o',
    'ConnectTimeout=5',
    '-i',
    `${LAB}/keys/id_ed25519`,
    ...(o.port ? ['-p', String(o.port)] : []),
    o.target,
    o.command,
  ];
}

/**
 * What every process and screen session of an instance has in its command line: a path inside its
 * state folder (a socket, pid file, screenrc). With the '/', /run/lwaftrctl/lva3f never matches
 * another run's /run/lwaftrctl/lva3f0/... (names are a base plus a run tag; bases prefix others).
 */
function insideStateDir(stateDir: string): string {
  return `${stateDir.replace(/\/+$/, '')}/`;
}

/** Last resort after a failed test: anything still running from this state folder, by pid. */
export function killLeftovers(stateDir: string): void {
  const inside = insideStateDir(stateDir);
  for (const s of screenSessions().filter((s) => s.cmdline.includes(inside)))
    execaSync('screen', ['-S', `${s.pid}.${s.name}`, '-X', 'quit'], { reject: false });
  for (const pid of processesMentioning(inside)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
  // Sessions whose SCREEN had to be killed leave dead sockets; -wipe removes only dead ones.
  execaSync('screen', ['-wipe'], { reject: false });
  fs.rmSync(stateDir, { recursive: true, force: true });
}

/** What an instance may not leave behind once stopped: processes, screen sessions, sockets, pid files, lock. */
export function leftovers(stateDir: string) {
  const files = fs.existsSync(stateDir) ? fs.readdirSync(stateDir) : [];
  const inside = insideStateDir(stateDir);
  return {
    processes: processesMentioning(inside),
    screens: screenSessions()
      .filter((s) => s.cmdline.includes(inside))
      .map((s) => s.name),
    // instance.json is the instance's record for lwaftrctl list, kept like its logs.
    runtimeFiles: files.filter((f) => (/\.(sock|pid|json)$/.test(f) && f !== 'instance.json') || f.startsWith('lock')),
  };
}
export const NOTHING = { processes: [], screens: [], runtimeFiles: [] };

/** `all stop` succeeds and the instance leaves nothing behind. */
export async function expectAllStopLeavesNothing(inst: LabInstance): Promise<void> {
  const r = await inst.cli('all', 'stop');
  expect(r.code, r.stderr).toBe(0);
  expect(leftovers(inst.stateDir)).toEqual(NOTHING);
}

/** Pids whose command line mentions text (our own process excluded). */
export function processesMentioning(text: string): number[] {
  return fs
    .readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d) && Number(d) !== process.pid)
    .filter((d) => {
      try {
        return fs.readFileSync(`/proc/${d}/cmdline`, 'utf8').includes(text);
      } catch {
        return false;
      }
    })
    .map(Number);
}

export function screenSessions(): { pid: number; name: string; cmdline: string }[] {
  const out = execaSync('screen', ['-ls'], { reject: false }).stdout;
  return [...out.matchAll(/^\s+(\d+)\.(\S+)\s/gm)].map((m) => {
    let cmdline = '';
    try {
      cmdline = fs.readFileSync(`/proc/${m[1]}/cmdline`, 'utf8');
    } catch {
      // Gone meanwhile.
    }
    return { pid: Number(m[1]), name: m[2]!, cmdline };
  });
}

/** Link state as the guest's virtio-net device reports it (config status, bit 0), bound to a driver or not. */
export async function guestLinkUp(inst: LabInstance, pci: string): Promise<boolean> {
  // Legacy virtio-pci without MSI-X: the device config (mac[6], status[2]) starts at 20; status is at 26.
  const r = await inst.guest(
    `dd if=/sys/bus/pci/devices/${pci}/resource0 bs=1 skip=26 count=1 2>/dev/null | od -An -tu1`,
  );
  return (Number(r.stdout.trim()) & 1) === 1;
}
