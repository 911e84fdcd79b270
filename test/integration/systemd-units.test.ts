// The systemd units in test/fixtures/systemd (what `lwaftrctl export systemd <dir>` must
// write) pass `systemd-analyze verify` for instance lwaftr1. PID 1 here is not systemd: the
// units are checked, not run. verify wants every ExecStart program to exist, so a copy points
// them at this checkout's Snabb stand-in and CLI.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO, requireLab } from '../helpers/lab.js';

const FIXTURES = path.join(REPO, 'test', 'fixtures', 'systemd');
const UNITS = [
  'lwaftr@lwaftr1.target',
  'lwaftr-snabbnfv@lwaftr1-1.service',
  'lwaftr-snabbnfv@lwaftr1-2.service',
  'lwaftr-vm@lwaftr1.service',
  'lwaftr-vm-libvirt@lwaftr1.service',
  'lwaftr-guest@lwaftr1.service',
];
let dir = '';

/** The fixtures with the programs they start pointed at this checkout. */
function copyFixtures(to: string): void {
  fs.cpSync(FIXTURES, to, { recursive: true });
  for (const f of fs.readdirSync(to).filter((f) => f.endsWith('.service'))) {
    const p = path.join(to, f);
    fs.writeFileSync(
      p,
      fs
        .readFileSync(p, 'utf8')
        .replaceAll('/opt/snabb/src', path.join(REPO, 'lab', 'snabb', 'src'))
        .replaceAll('/usr/local/bin/lwaftrctl', path.join(REPO, 'dist', 'cli.js')),
    );
  }
}

/** verify prints problems (bad values, unknown keys) and still exits 0: both must be clean. */
async function verify(unitDir: string, units: string[]) {
  // --recursive-errors=no: lwaftr-vm-libvirt@ requires libvirtd.service, which only
  // libvirt-daemon-system installs (not installed here: it upgrades systemd).
  const r = await execa(
    'systemd-analyze',
    ['verify', '--recursive-errors=no', ...units.map((u) => path.join(unitDir, u))],
    { reject: false, stdin: 'ignore' },
  );
  return { code: r.exitCode, output: `${r.stdout}${r.stderr}`.trim() };
}

beforeAll(() => {
  requireLab();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lwaftrctl-units-'));
  copyFixtures(dir);
});

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('the systemd units of the chain', () => {
  it('pass systemd-analyze verify, instance drop-ins included, with nothing to say', async () => {
    expect(await verify(dir, UNITS)).toEqual({ code: 0, output: '' });
  });

  it('reports a bad CPU affinity in an instance drop-in (the check can fail)', async () => {
    const bad = fs.mkdtempSync(path.join(os.tmpdir(), 'lwaftrctl-units-bad-'));
    try {
      copyFixtures(bad);
      const dropIn = path.join(bad, 'lwaftr-snabbnfv@lwaftr1-1.service.d', 'instance.conf');
      fs.writeFileSync(dropIn, fs.readFileSync(dropIn, 'utf8').replace(/^CPUAffinity=.*$/m, 'CPUAffinity=abc'));
      const r = await verify(bad, ['lwaftr-snabbnfv@lwaftr1-1.service']);
      expect(r.output).toContain("Failed to parse CPU affinity 'abc'");
    } finally {
      fs.rmSync(bad, { recursive: true, force: true });
    }
  });

  it('reports an ExecStart program that does not exist', async () => {
    const r = await execa('systemd-analyze', ['verify', path.join(FIXTURES, 'lwaftr-snabbnfv@lwaftr1-1.service')], {
      reject: false,
    });
    expect(r.exitCode).not.toBe(0);
    expect(r.stderr).toContain('Command /opt/snabb/src/snabb is not executable');
  });
});
