// Host views over the fixture trees of test/fixtures/doctor, and test doubles for what is not a file.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Config } from '../../../src/config/types.js';
import { createHostView, type HostViewOptions } from '../../../src/doctor/host-view.js';
import type { CheckResult, CheckState, HostView, RunResult } from '../../../src/doctor/types.js';
import { configOf, MINIMAL } from '../../helpers/config-fixture.js';

const FIXTURES = path.join(__dirname, '..', '..', 'fixtures', 'doctor');
const copies: string[] = [];

/** MINIMAL (PCI NICs 0000:02:00.0/.1, cores 1 and 2, /opt/snabb, /vm/bzImage, KVM, hugetlbfs, tap) plus lines. */
export const conf = (lines = ''): Config => configOf(`${MINIMAL}${lines}\n`);

/**
 * A fresh copy of one or more fixture trees, merged in a temporary folder that stands for the host's
 * root: tests may change it (modes git does not keep, sockets).
 */
export function fixtureRoot(...names: string[]): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'doctor-'));
  copies.push(root);
  for (const name of names) fs.cpSync(path.join(FIXTURES, name), root, { recursive: true, verbatimSymlinks: true });
  return root;
}

export function removeFixtureCopies(): void {
  for (const root of copies.splice(0)) fs.rmSync(root, { recursive: true, force: true });
}

/** The real host view, rooted at a copy of fixture trees; programs and network probes are test doubles. */
export function fixtureView(
  names: string | string[],
  options: Partial<HostViewOptions> = {},
): { root: string; view: HostView } {
  const root = fixtureRoot(...(Array.isArray(names) ? names : [names]));
  const view = createHostView({
    root,
    pathDirs: ['/usr/sbin', '/usr/bin'],
    run: scriptedRun({}),
    ipv4Addresses: async () => [],
    portFree: async () => true,
    ...options,
  });
  return { root, view };
}

/**
 * Test double for HostView.run: answers from a table keyed by the command line, with the program
 * named by its base name ('qemu-system-x86_64 --version'). What is not in the table cannot start.
 */
export function scriptedRun(table: Record<string, Partial<RunResult>>): HostView['run'] & { calls: string[] } {
  const calls: string[] = [];
  const run = async (argv: string[]) => {
    const line = [path.basename(argv[0]!), ...argv.slice(1)].join(' ');
    calls.push(line);
    const answer = table[line];
    const base: RunResult = { code: 0, stdout: '', stderr: '', timedOut: false, matched: false, ms: 5 };
    return answer ? { ...base, ...answer } : { ...base, code: null, startError: `not scripted: ${line}` };
  };
  return Object.assign(run, { calls });
}

export const QEMU_7_2 = {
  'qemu-system-x86_64 --version': { stdout: 'QEMU emulator version 7.2.22 (Debian 1:7.2+dfsg-7+deb12u18+b3)\n' },
};

export function states(results: CheckResult[]): Record<string, CheckState> {
  return Object.fromEntries(results.map((r) => [r.id, r.state]));
}

export function byId(results: CheckResult[], id: string): CheckResult {
  const r = results.find((x) => x.id === id);
  if (!r) throw new Error(`no result ${id} among ${results.map((x) => x.id).join(', ')}`);
  return r;
}
