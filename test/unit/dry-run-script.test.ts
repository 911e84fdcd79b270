// The dry-run script as sh sees it: every script parses (sh -n), and its helpers do what they say
// when sh runs them against real processes: a process is signalled only once proven ours, a wait
// ends at its deadline with exit 124, the instance lock is held against a live holder.
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { dryRunText } from '../../src/commands/dry-run-command.js';
import { loadConfig } from '../../src/config/load-config.js';
import { isAlive, readProcStat } from '../../src/io/proc.js';
import { ACTIONS, COMPONENTS } from '../../src/plan/component-names.js';

const REPO = path.join(__dirname, '..', '..');
const CONFIGS = [
  ...['lwaftrctl-2015.conf', 'lwaftrctl-2017.conf', 'lwaftrctl-tcg.conf'].map((f) =>
    path.join(REPO, 'test', 'fixtures', f),
  ),
  path.join(REPO, 'conf', 'lab.conf'),
];

function script(file: string, component: (typeof COMPONENTS)[number], action: (typeof ACTIONS)[number], force = false) {
  const config = loadConfig({ file, cwd: REPO, env: { HOME: '/home/op', PATH: '/usr/bin:/bin' } });
  return `${dryRunText(config, { failures: [], warnings: [] }, component, action, { force }).join('\n')}\n`;
}

describe('every script the dry run prints', () => {
  const cases = CONFIGS.flatMap((file) =>
    COMPONENTS.flatMap((c) => ACTIONS.flatMap((a) => [false, true].map((force) => [path.basename(file), c, a, force]))),
  ) as [string, (typeof COMPONENTS)[number], (typeof ACTIONS)[number], boolean][];

  it.each(cases)('%s %s %s (force %s) parses as POSIX sh', async (file, component, action, force) => {
    const full = CONFIGS.find((f) => path.basename(f) === file)!;
    const r = await execa('sh', ['-n'], { input: script(full, component, action, force), reject: false });
    expect(r.stderr).toBe('');
    expect(r.exitCode).toBe(0);
  });
});

// The helpers as the script defines them, run by sh with a process defined here.
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lwaftrctl-script-'));
const children: ChildProcess[] = [];
afterAll(() => {
  for (const c of children) c.kill('SIGKILL');
  fs.rmSync(dir, { recursive: true, force: true });
});

const HELPERS = (() => {
  const lines = script(CONFIGS[2]!, 'all', 'start').split('\n');
  return lines
    .slice(
      0,
      lines.findIndex((l) => l.startsWith('# ---- Instance ')),
    )
    .join('\n');
})();

/** Runs `body` after the helpers, with proc_it naming the process of it.pid and it.json by `words`. */
function runHelpers(body: string, words = 'snabbnfv traffic') {
  const program = `${HELPERS}\nproc_it() { identify ${dir}/it.pid ${dir}/it.json 'it' ${words}; }\n${body}\n`;
  return execa('sh', ['-c', program, 'helpers-test'], { reject: false, timeout: 20_000 });
}

/** A long sleep whose command line holds `words` (sh -c stays the parent: the trailing `:` stops its exec). */
function sleeper(...words: string[]): number {
  const child = spawn('sh', ['-c', 'sleep 60; :', ...words], { stdio: 'ignore' });
  children.push(child);
  return child.pid!;
}

describe('the helpers of the script, run by sh', () => {
  it('never signal a bystander whose pid is in the pid file', async () => {
    const bystander = sleeper('unrelated');
    fs.writeFileSync(`${dir}/it.pid`, `${bystander}\n`);
    fs.rmSync(`${dir}/it.json`, { force: true });
    const r = await runHelpers('signal_ours KILL it; gone it && echo gone');
    expect(r.stderr).toBe(
      `helpers-test: warning: not signalling it: pid ${bystander} is not it (its command line lacks snabbnfv traffic)`,
    );
    expect(r.stdout).toBe('gone');
    expect(isAlive(bystander)).toBe(true);
  });

  it('never signal a process with the right command line but another start time than recorded', async () => {
    const other = sleeper('snabbnfv', 'traffic');
    fs.writeFileSync(`${dir}/it.pid`, `${other}\n`);
    fs.writeFileSync(`${dir}/it.json`, `${JSON.stringify({ pid: other, startTime: '1' })}\n`);
    const r = await runHelpers('signal_ours KILL it');
    expect(r.stderr).toContain(
      `not signalling it: pid ${other} started at another time than the one lwaftrctl recorded`,
    );
    expect(isAlive(other)).toBe(true);
  });

  it('signal a process proven ours, and see it gone', async () => {
    const ours = sleeper('snabbnfv', 'traffic');
    fs.writeFileSync(`${dir}/it.pid`, `${ours}\n`);
    fs.writeFileSync(`${dir}/it.json`, `${JSON.stringify({ pid: ours, startTime: readProcStat(ours)!.startTime })}\n`);
    const r = await runHelpers(
      'is_ours it && echo ours; signal_ours KILL it; wait_for 5 "it to exit" gone it; echo gone',
    );
    expect(r.stdout).toBe(`ours\nhelpers-test: it: SIGKILL to pid ${ours}\ngone`);
    expect(r.exitCode).toBe(0);
  });

  it('end a wait at its deadline with exit 124, what was awaited and what was seen last', async () => {
    const began = Date.now();
    const r = await runHelpers('never() { status="still nothing"; return 1; }; wait_for 0.5 "the thing" never');
    expect(Date.now() - began).toBeGreaterThanOrEqual(500);
    expect(r.exitCode).toBe(124);
    expect(r.stderr).toBe('helpers-test: timed out after 0.5s waiting for the thing (last seen: still nothing)');
  });

  it('count decimal seconds as lwaftrctl reads them', async () => {
    const r = await runHelpers('for s in 30 0.5 2.05 0.1; do centis $s; printf "%s " $cs; done');
    expect(r.stdout).toBe('3000 50 205 10 ');
  });

  it('take the instance lock from a holder that is gone, and not from one that runs', async () => {
    const lock = `${dir}/lock`;
    fs.writeFileSync(lock, `${JSON.stringify({ pid: 999_999_999, startTime: '1' })}\n`);
    const taken = await runHelpers(`take_lock ${lock}; cat ${lock}`);
    expect(taken.exitCode).toBe(0);
    expect(taken.stdout).toMatch(/^\{"pid":\d+,"startTime":"\d+"\}$/);
    expect(fs.existsSync(lock)).toBe(false);
    const holder = sleeper();
    fs.writeFileSync(lock, `${JSON.stringify({ pid: holder, startTime: readProcStat(holder)!.startTime })}\n`);
    const busy = await runHelpers(`take_lock ${lock}; echo took it`);
    expect(busy.exitCode).toBe(75);
    expect(busy.stderr).toContain(`another lwaftrctl (pid ${holder}) is working on this instance`);
    expect(fs.existsSync(lock)).toBe(true);
  });
});
