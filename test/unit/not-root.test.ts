// Run as an ordinary user: what needs root says so in one line, with the command to run instead
// (exit 4, a JSON document under --json); what does not need root still works.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { CLI } from '../helpers/run-cli.js';
import { expectDocument } from '../helpers/schemas.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lwaftrctl-user-'));
fs.chmodSync(dir, 0o755);
const conf = path.join(dir, 'u.conf');
const base = `SNABB_PATH=${dir}/snabb\nSNABBNFV_PCI1=soft\nSNABBNFV_CONF1=a.cfg\nSNABBNFV_CORE1=0\nSNABBNFV_PCI2=soft\nSNABBNFV_CONF2=b.cfg\nSNABBNFV_CORE2=0\nBZ_IMAGE=bz\nQEMU_ACCEL=tcg\nQEMU_CPU=max\n`;
fs.writeFileSync(conf, `${base}NAME=notroot\n`);
fs.chmodSync(conf, 0o644);
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** The CLI as user nobody (setpriv from util-linux). */
const asNobody = (...args: string[]) =>
  execa('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', 'node', CLI, ...args], {
    reject: false,
    stdin: 'ignore',
  });

describe('as an ordinary user', () => {
  it('a stop that needs /run/lwaftrctl: one line, what needs root and how to run it, exit 4', async () => {
    const r = await asNobody('-f', conf, 'vm', 'stop');
    expect(r.exitCode).toBe(4);
    expect(r.stderr).toBe(
      `lwaftrctl: permission denied (mkdir /run/lwaftrctl/notroot): lwaftrctl needs root for this\nfix: run it as root: sudo lwaftrctl -f ${conf} vm stop`,
    );
  });

  it('the same under --json: one document, exit 4', async () => {
    const r = await asNobody('-f', conf, '--json', 'vm', 'stop');
    expect(r.exitCode).toBe(4);
    const doc = expectDocument(r.stdout);
    expect(doc).toMatchObject({ ok: false, exitCode: 4, command: 'stop' });
  });

  it('status needs no root: exit 3', async () => {
    expect((await asNobody('-f', conf, 'status')).exitCode).toBe(3);
  });
});
