// The man page: made at build time from the parser's definitions, rendered by man-db.
import fs from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { programModel } from '../../src/cli/command-model.js';
import { manPage } from '../../src/cli/man-page.js';
import { commandDefinitions } from '../../src/cli/parse-args.js';
import { REPO } from '../helpers/lab.js';

const { version } = JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8'));
const BUILT = path.join(REPO, 'dist', 'man', 'lwaftrctl.1');

describe('man page', () => {
  it('the build wrote it from the same definitions (package.json "man" names it)', () => {
    expect(fs.readFileSync(BUILT, 'utf8')).toBe(manPage(commandDefinitions(version), version));
    expect(JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8')).man).toEqual([
      './dist/man/lwaftrctl.1',
    ]);
  });

  it('man renders it without a warning: every command, every option, LWAFTRCTL_CONF, the exit codes', async () => {
    const r = await execa('man', ['--warnings', '-l', BUILT], { env: { MANWIDTH: '200', MAN_KEEP_FORMATTING: '' } });
    expect(r.stderr).toBe('');
    const page = r.stdout;
    const model = programModel(commandDefinitions(version));
    for (const c of model.commands) expect(page).toContain(c.term);
    for (const o of model.options) expect(page).toContain(o.term);
    expect(page).toMatch(/ENVIRONMENT\n\s+LWAFTRCTL_CONF/);
    expect(page).toContain('Exit codes: 0 ok');
  });

  it('roff: hyphens escaped; a line starting with a dot is one of the few requests used', () => {
    const page = manPage(commandDefinitions(version), version);
    expect(page).toContain('\\fB\\-f, \\-\\-file <conf>\\fR');
    const requests = new Set(page.split('\n').flatMap((l) => (l.startsWith('.') ? [l.split(' ')[0]] : [])));
    expect([...requests].sort()).toEqual(['.PP', '.RE', '.RS', '.SH', '.TH', '.TP', '.br', '.fi', '.nf']);
  });
});
