// `lwaftrctl export systemd <dir>` for a lab instance: the units pass `systemd-analyze verify`
// with nothing to say (verify exits 0 on bad values and unknown keys, so its output must be
// empty too). PID 1 here is not systemd, so the units are verified, not run; what the backend
// unit runs is run: its ExecStart, with its drop-in's Environment=, starts a backend that
// lwaftrctl's status and stop see as their own (the pid file systemd's PIDFile= reads).

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { labInstance, leftovers, NOTHING, requireLab } from '../helpers/lab.js';
import { CLI, runCli } from '../helpers/run-cli.js';
import { expectDocument } from '../helpers/schemas.js';

const inst = labInstance('lvsd', 10156);
let dir = '';
const units = () => [
  `lwaftr@${inst.name}.target`,
  `lwaftr-snabbnfv@${inst.name}-1.service`,
  `lwaftr-snabbnfv@${inst.name}-2.service`,
  `lwaftr-vm@${inst.name}.service`,
  `lwaftr-guest@${inst.name}.service`,
];

/** verify prints problems (bad values, unknown keys) and still exits 0: both must be clean. */
async function verify(unitDir: string, names: string[]) {
  // --recursive-errors=no: with VM_ENGINE=libvirt the VM unit requires libvirtd.service, which
  // only libvirt-daemon-system installs (not here: it would upgrade systemd).
  const r = await execa(
    'systemd-analyze',
    ['verify', '--recursive-errors=no', ...names.map((u) => path.join(unitDir, u))],
    { reject: false, stdin: 'ignore' },
  );
  return { code: r.exitCode, output: `${r.stdout}${r.stderr}`.trim() };
}

/** The value of `key=` in a unit file (the last one, as systemd takes it). */
function setting(file: string, key: string): string {
  const values = [...fs.readFileSync(file, 'utf8').matchAll(new RegExp(`^${key}=(.*)$`, 'gm'))].map((m) => m[1]!);
  expect(values.length, `${key}= in ${file}`).toBeGreaterThan(0);
  return values.at(-1)!;
}

/**
 * A test double for systemd, which is not PID 1 here: the backend unit's ExecStart with ${VAR}
 * taken from its drop-in's Environment= (the only expansion these lines use), run as argv.
 */
async function runBackendUnit(port: 1 | 2) {
  const dropIn = path.join(dir, `lwaftr-snabbnfv@${inst.name}-${port}.service.d`, 'lwaftrctl.conf');
  const env = Object.fromEntries(
    [...setting(dropIn, 'Environment').matchAll(/"([A-Z_]+)=([^"]*)"/g)].map((m) => [m[1]!, m[2]!]),
  );
  const line = setting(path.join(dir, 'lwaftr-snabbnfv@.service'), 'ExecStart');
  const argv = line.split(' ').map((w) => w.replace(/^\$\{(\w+)\}$/, (_, v: string) => env[v]!));
  const r = await execa(argv[0]!, argv.slice(1), { reject: false, stdin: 'ignore' });
  return { code: r.exitCode, stderr: r.stderr, argv, pidFile: setting(dropIn, 'PIDFile') };
}

beforeAll(async () => {
  requireLab();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lwaftrctl-units-'));
  const r = await runCli(['-f', inst.conf, '--json', 'export', 'systemd', dir]);
  expect(r.code, r.stderr).toBe(0);
  expect(expectDocument(r.stdout)).toMatchObject({ engine: 'systemd', dir, xml: null });
});

afterAll(async () => {
  await inst.cleanup();
  fs.rmSync(dir, { recursive: true, force: true });
}, 60_000);

describe('lwaftrctl export systemd', () => {
  it('writes the templates and this instance’s drop-ins', () => {
    const files = fs.readdirSync(dir, { recursive: true, withFileTypes: true }).filter((f) => f.isFile());
    expect(files.map((f) => path.relative(dir, path.join(f.parentPath, f.name))).sort()).toEqual(
      [
        'lwaftr-guest@.service',
        'lwaftr-snabbnfv@.service',
        'lwaftr-vm@.service',
        'lwaftr@.target',
        `lwaftr-guest@${inst.name}.service.d/lwaftrctl.conf`,
        `lwaftr-snabbnfv@${inst.name}-1.service.d/lwaftrctl.conf`,
        `lwaftr-snabbnfv@${inst.name}-2.service.d/lwaftrctl.conf`,
        `lwaftr-vm@${inst.name}.service.d/lwaftrctl.conf`,
      ].sort(),
    );
    const backend = path.join(dir, `lwaftr-snabbnfv@${inst.name}-1.service.d`, 'lwaftrctl.conf');
    // conf/lab.conf: SNABBNFV_CORE1=0, no NUMA_NODE.
    expect(setting(backend, 'CPUAffinity')).toBe('0');
    expect(fs.readFileSync(backend, 'utf8')).not.toContain('NUMAPolicy');
    expect(setting(path.join(dir, 'lwaftr-snabbnfv@.service'), 'Restart')).toBe('on-failure');
  });

  it('pass systemd-analyze verify, drop-ins included, with nothing to say', async () => {
    expect(await verify(dir, units())).toEqual({ code: 0, output: '' });
  });

  it('with NUMA_NODE and VM_ENGINE=libvirt: NUMAPolicy=bind, and the VM after libvirtd', async () => {
    const other = labInstance('lvsd', 10156, 'NUMA_NODE=0\nVM_ENGINE=libvirt\n');
    const to = fs.mkdtempSync(path.join(os.tmpdir(), 'lwaftrctl-units-libvirt-'));
    try {
      expect((await runCli(['-f', other.conf, 'export', 'systemd', to])).code).toBe(0);
      const backend = path.join(to, `lwaftr-snabbnfv@${other.name}-2.service.d`, 'lwaftrctl.conf');
      expect([setting(backend, 'NUMAPolicy'), setting(backend, 'NUMAMask')]).toEqual(['bind', '0']);
      const vm = path.join(to, `lwaftr-vm@${other.name}.service.d`, 'lwaftrctl.conf');
      expect([setting(vm, 'Requires'), setting(vm, 'After')]).toEqual(['libvirtd.service', 'libvirtd.service']);
      expect(await verify(to, units())).toEqual({ code: 0, output: '' });
    } finally {
      fs.rmSync(to, { recursive: true, force: true });
      await other.cleanup();
    }
  });

  it('a bad value in a drop-in is reported (the check can fail)', async () => {
    const bad = fs.mkdtempSync(path.join(os.tmpdir(), 'lwaftrctl-units-bad-'));
    try {
      fs.cpSync(dir, bad, { recursive: true });
      const dropIn = path.join(bad, `lwaftr-snabbnfv@${inst.name}-1.service.d`, 'lwaftrctl.conf');
      fs.writeFileSync(dropIn, fs.readFileSync(dropIn, 'utf8').replace(/^CPUAffinity=.*$/m, 'CPUAffinity=abc'));
      const r = await verify(bad, [`lwaftr-snabbnfv@${inst.name}-1.service`]);
      expect(r.output).toContain("Failed to parse CPU affinity 'abc'");
    } finally {
      fs.rmSync(bad, { recursive: true, force: true });
    }
  });
});

describe('the backend unit’s ExecStart (lwaftrctl backend <port>)', () => {
  it('starts each backend detached, with the pid file that PIDFile= names, and returns', async () => {
    for (const port of [1, 2] as const) {
      const r = await runBackendUnit(port);
      expect(r.code, r.stderr).toBe(0);
      expect(r.argv).toEqual([CLI, '-f', inst.conf, 'backend', String(port)]);
      const pid = Number(fs.readFileSync(r.pidFile, 'utf8'));
      expect(fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')).toContain('traffic');
    }
  });

  it('lwaftrctl status sees both as its own, without screen', async () => {
    const s = await inst.status();
    const ports = (s.snabbnfv as unknown as { ports: { state: string; screen: string | null }[] }).ports;
    expect([s.snabbnfv.state, ...ports.map((p) => `${p.state} ${p.screen}`)]).toEqual([
      'running',
      'running null',
      'running null',
    ]);
  });

  it('is idempotent: a second start finds it running', async () => {
    const r = await runCli(['-f', inst.conf, '--json', 'backend', '1']);
    expect(r.code).toBe(0);
    expect(expectDocument(r.stdout).results).toEqual([expect.objectContaining({ result: 'already-running' })]);
  });

  it('snabbnfv stop ends them as its own, leaving nothing', async () => {
    expect((await inst.cli('snabbnfv', 'stop')).code).toBe(0);
    expect(leftovers(inst.stateDir)).toEqual(NOTHING);
  });
});
