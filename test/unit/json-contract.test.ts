// --json on every exit path: one document on stdout, valid against its schema in schemas/.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/run-cli.js';
import { expectDocument } from '../helpers/schemas.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lwaftrctl-json-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
const conf = path.join(dir, 'lwaftrctl.conf');
fs.writeFileSync(
  conf,
  `SNABB_PATH=${dir}/snabb\nSNABBNFV_PCI1=soft\nSNABBNFV_CONF1=a.cfg\nSNABBNFV_CORE1=0\nSNABBNFV_PCI2=soft\nSNABBNFV_CONF2=b.cfg\nSNABBNFV_CORE2=0\nBZ_IMAGE=bzImage\nQEMU_ACCEL=tcg\nQEMU_CPU=max\nSTATE_DIR=${dir}/state\nLWAFTR_DELAY=5\n`,
);

describe('--json, every exit path', () => {
  it('a dry run: the plan, what a real run would refuse, the config warning', async () => {
    const r = await runCli(['-f', conf, '--json', '--dry-run', 'all', 'start']);
    expect(r.code).toBe(0);
    const doc = expectDocument(r.stdout);
    expect(doc).toMatchObject({ command: 'dry-run', ok: true, exitCode: 0, component: 'all', action: 'start' });
    expect((doc.refusals as { key: string }[]).map((p) => p.key)).toContain('BZ_IMAGE');
    expect(doc.problems).toContainEqual({
      severity: 'warning',
      file: conf,
      line: 12,
      key: 'LWAFTR_DELAY',
      message: 'is ignored: lwaftrctl waits until the guest answers instead of sleeping',
      fix: null,
    });
  });

  it('status of a stopped instance: exit 3, every component with every key', async () => {
    const r = await runCli(['-f', conf, '--json', 'status']);
    expect(r.code).toBe(3);
    const doc = expectDocument(r.stdout) as Record<string, { state: string }>;
    expect([doc.snabbnfv!.state, doc.vm!.state, doc.lwaftr!.state]).toEqual(['stopped', 'stopped', 'stopped']);
  });

  it('status of one component: the others are null', async () => {
    const doc = expectDocument((await runCli(['-f', conf, '--json', 'status', 'vm'])).stdout);
    expect([doc.snabbnfv, doc.lwaftr]).toEqual([null, null]);
  });

  it('doctor with failures: exit 1, the checks', async () => {
    const r = await runCli(['-f', conf, '--json', 'doctor']);
    expect(r.code).toBe(1);
    const doc = expectDocument(r.stdout);
    expect((doc.checks as { id: string; state: string }[]).find((c) => c.id === 'file-kernel')!.state).toBe('fail');
  });

  it('a start the host refuses: exit 6, each refusal a problem with its fix', async () => {
    const r = await runCli(['-f', conf, '--json', 'snabbnfv', 'start']);
    expect(r.code).toBe(6);
    const doc = expectDocument(r.stdout);
    expect(doc).toMatchObject({ command: 'start', ok: false, exitCode: 6, results: [] });
    const problems = doc.problems as { severity: string; key: string; fix: string }[];
    expect(problems.find((p) => p.key === 'SNABBNFV_CONF1')).toMatchObject({ severity: 'error' });
    expect(problems.filter((p) => p.severity === 'error').every((p) => p.fix)).toBe(true);
  });

  it('a config error: exit 6, every problem with file, line and key', async () => {
    const bad = path.join(dir, 'bad.conf');
    fs.writeFileSync(bad, `${fs.readFileSync(conf, 'utf8')}MEM=lots\nNAMEE=1\n`);
    const r = await runCli(['-f', bad, '--json', 'vm', 'stop']);
    expect(r.code).toBe(6);
    const doc = expectDocument(r.stdout);
    expect((doc.problems as { line: number; key: string }[]).map((p) => [p.line, p.key])).toEqual([
      [13, 'MEM'],
      [14, 'NAMEE'],
    ]);
  });

  it('a missing config file: exit 6, the path tried', async () => {
    const r = await runCli(['-f', path.join(dir, 'nope.conf'), '--json', 'status']);
    expect(r.code).toBe(6);
    expect((expectDocument(r.stdout).problems as { file: string }[])[0]!.file).toBe(path.join(dir, 'nope.conf'));
  });

  it('a usage error: exit 2, command null', async () => {
    const r = await runCli(['--json', 'vm', 'strat']);
    expect(r.code).toBe(2);
    const doc = expectDocument(r.stdout);
    expect(doc).toMatchObject({ command: null, instance: null, exitCode: 2 });
  });

  it('--events: NDJSON whose last line is the result document', async () => {
    const r = await runCli(['-f', conf, '--events', 'status']);
    const lines = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    const last = lines.at(-1);
    expect(last).toMatchObject({ type: 'result', command: 'status', exitCode: 3 });
    expect(typeof last.ts).toBe('string');
  });

  it('backend --events: the config warning and the run as it happens, then the result document', async () => {
    // No doctor gate for backend: its start is tried, and fails, with a snabb that is not there.
    const r = await runCli(['-f', conf, '--events', 'backend', '1']);
    expect(r.code).toBe(1);
    const lines = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines[0]).toMatchObject({ type: 'problem', severity: 'warning', key: 'LWAFTR_DELAY', line: 12 });
    expect(lines[1]).toMatchObject({ type: 'component', component: 'snabbnfv', phase: 'starting', facts: { port: 1 } });
    expect(lines.filter((l) => l.type === 'step-end').at(-1)).toMatchObject({ step: 'spawn', ok: false });
    expect(lines.at(-1)).toMatchObject({ type: 'result', command: 'start', component: 'snabbnfv', exitCode: 1 });
    expect(r.stderr).toContain('LWAFTR_DELAY: is ignored');
  });
});
