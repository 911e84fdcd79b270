// The words of `export` and `backend`, and export's output: the domain XML as VM_ENGINE=libvirt
// would define it, on stdout or in the --json document.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseArgs } from '../../src/cli/parse-args.js';
import { UsageError } from '../../src/errors.js';
import { runCli } from '../helpers/run-cli.js';
import { expectDocument } from '../helpers/schemas.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lwaftrctl-export-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
const conf = path.join(dir, 'lwaftrctl.conf');
fs.writeFileSync(
  conf,
  `NAME=lv1\nSNABB_PATH=${dir}/snabb\nSNABBNFV_PCI1=soft\nSNABBNFV_CONF1=a.cfg\nSNABBNFV_CORE1=0\nSNABBNFV_PCI2=soft\nSNABBNFV_CONF2=b.cfg\nSNABBNFV_CORE2=0\nBZ_IMAGE=bzImage\nQEMU_ACCEL=tcg\nQEMU_CPU=max\nSTATE_DIR=${dir}/state\n`,
);

function parsed(args: string[]): unknown {
  try {
    return parseArgs(args, '9.9.9');
  } catch (err) {
    if (err instanceof UsageError) return `usage: ${err.message}`;
    throw err;
  }
}

describe('the words', () => {
  it.each<[string[], unknown]>([
    [['export', 'libvirt'], { kind: 'export', engine: 'libvirt', dir: undefined, options: {} }],
    [
      ['-f', 'x.conf', 'export', 'systemd', '/etc/systemd/system', '--lwaftrctl', '/usr/local/bin/lwaftrctl'],
      {
        kind: 'export',
        engine: 'systemd',
        dir: '/etc/systemd/system',
        options: { file: 'x.conf', lwaftrctl: '/usr/local/bin/lwaftrctl' },
      },
    ],
    [['export', 'systemd'], 'usage: export systemd needs the folder to write the units into, e.g. /etc/systemd/system'],
    [
      ['export', 'libvirt', '/tmp'],
      'usage: export libvirt prints the domain XML on stdout and takes no folder ("/tmp")',
    ],
    [['export', 'libvrt'], 'usage: unknown engine "libvrt" (did you mean libvirt?); engines: libvirt, systemd'],
    [['backend', '2'], { kind: 'backend', port: 2, options: {} }],
    [['backend', '3'], 'usage: unknown port "3"; ports: 1, 2'],
  ])('%j', (args, expected) => expect(parsed(args)).toEqual(expected));
});

describe('export libvirt', () => {
  it('prints the domain XML, touching nothing', async () => {
    const r = await runCli(['-f', conf, 'export', 'libvirt']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^<domain type='qemu' xmlns:qemu='http:\/\/libvirt.org\/schemas\/domain\/qemu\/1.0'>\n/);
    expect(r.stdout).toContain('<name>lv1</name>');
    expect(fs.existsSync(`${dir}/state`)).toBe(false);
  });

  it('--json: the same XML in the document', async () => {
    const text = (await runCli(['-f', conf, 'export', 'libvirt'])).stdout;
    const r = await runCli(['-f', conf, '--json', 'export', 'libvirt']);
    expect(expectDocument(r.stdout)).toMatchObject({
      command: 'export',
      engine: 'libvirt',
      xml: `${text}\n`,
      files: [],
    });
  });
});
