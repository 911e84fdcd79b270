// An `all start` that fails after it started the backends, as a process: the lab's snabb stand-in
// runs the backends (./scripts/setup.sh builds it), and QEMU refuses its arguments at once, so no
// VM boots. What a script sees of the run: its events and its --json document.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { labInstance, leftovers, NOTHING, requireLab } from '../helpers/lab.js';
import { expectDocument } from '../helpers/schemas.js';

// No pinned vCPUs: the doctor warns of it whatever the host, and nothing busy-waits.
const inst = labInstance('frb', 10087, 'QEMU_ARGS=-device no-such-device\nQEMU_VCPU_CORES=\nQEMU_EMULATOR_CORES=\n');
beforeAll(requireLab);
afterAll(() => inst.cleanup(), 60_000);

describe('a failed all start', () => {
  it('--events: the rollback comes before run-end, which is the last event and counts the rollback', async () => {
    const file = path.join(path.dirname(inst.conf), 'events.ndjson');
    const r = await inst.cli(`--events=${file}`, 'all', 'start');
    expect(r.code, r.stderr).toBe(1);
    const events = fs
      .readFileSync(file, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { type: string; ts: string; component?: string; phase?: string });
    const types = events.map((e) => e.type);
    expect(types.at(-1)).toBe('result');
    expect(types.at(-2)).toBe('run-end');
    expect(types.filter((t) => t === 'run-end')).toHaveLength(1);
    expect(types.indexOf('rollback')).toBeGreaterThan(0);
    const runEnd = events.at(-2) as unknown as { durationMs: number; exitCode: number };
    expect(runEnd.exitCode).toBe(1);
    const stopped = events.filter((e) => e.component === 'snabbnfv' && e.phase === 'stopped').at(-1)!;
    expect(runEnd.durationMs).toBeGreaterThanOrEqual(Date.parse(stopped.ts) - Date.parse(events[0]!.ts));
    expect(leftovers(inst.stateDir)).toEqual(NOTHING);
  }, 60_000);

  it("--json: the doctor's warnings are problems of the document, the same as the dry run's", async () => {
    const r = await inst.cli('--json', 'all', 'start');
    expect(r.code, r.stderr).toBe(1);
    const warnings = (doc: Record<string, unknown>) =>
      (doc.problems as { severity: string }[]).filter((p) => p.severity === 'warning');
    const real = warnings(expectDocument(r.stdout));
    expect(real).toContainEqual(
      expect.objectContaining({ key: 'QEMU_VCPU_CORES', message: expect.stringMatching(/^QEMU pinned: /) }),
    );
    const dry = await inst.cli('--json', '--dry-run', 'all', 'start');
    expect(real).toEqual(warnings(expectDocument(dry.stdout)));
  }, 60_000);
});
