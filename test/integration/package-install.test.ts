// The package as users get it: npm pack, then npm install -g of the tarball into a prefix of its
// own; man finds the page there, and the installed command runs (its completion too).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO } from '../helpers/lab.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lwaftrctl-package-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
const prefix = path.join(dir, 'prefix');

describe('npm pack, npm install -g --prefix', () => {
  it('installs the man page where man looks (PREFIX/share/man/man1) and the command on PATH', async () => {
    // npm pack runs the build (prepare), which writes the page.
    const pack = await execa('npm', ['pack', '--silent', '--pack-destination', dir], { cwd: REPO });
    const tarball = path.join(dir, pack.stdout.trim().split('\n').at(-1)!);
    await execa(
      'npm',
      ['install', '-g', '--prefix', prefix, '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error', tarball],
      { cwd: dir },
    );
    expect(fs.existsSync(path.join(prefix, 'share', 'man', 'man1', 'lwaftrctl.1'))).toBe(true);
    const man = await execa('man', ['-M', path.join(prefix, 'share', 'man'), 'lwaftrctl'], {
      env: { MANPAGER: 'cat', MANWIDTH: '100' },
    });
    expect(man.stdout).toMatch(/^LWAFTRCTL\(1\) +User Commands/);
    expect(man.stdout).toContain('wait [options] <component> <state>');
    const bin = path.join(prefix, 'bin', 'lwaftrctl');
    const { version } = JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8'));
    expect((await execa(bin, ['--version'])).stdout).toBe(version);
    const complete = await execa('bash', ['-c', `source <(${bin} completion bash); complete -p lwaftrctl`]);
    expect(complete.stdout).toBe('complete -F _lwaftrctl lwaftrctl');
  }, 180_000);
});
