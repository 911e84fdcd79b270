// list: every lwaftrctl instance on this host (src/io/instance-registry.ts finds them), with its
// state folder, config file and each component's state, derived by the same collectStatus as
// status, all instances at once (each guest that runs is asked over SSH, 3 s at most, as status does).
import path from 'node:path';
import { collectStatus, statusContext } from '../components/status-all.js';
import type { Verdict } from '../components/status-types.js';
import { loadConfig } from '../config/load-config.js';
import { type FoundInstance, findInstances, RECORD_NAME } from '../io/instance-registry.js';
import { START_ORDER } from '../plan/component-names.js';
import type { CommandContext } from './command-context.js';
import { humanStream } from './global-options.js';
import { verdicts } from './status-poller.js';

export interface ListedInstance {
  name: string;
  stateDir: string;
  config: string | null;
  recordedAt: string | null;
  snabbnfv: Verdict | null;
  vm: Verdict | null;
  lwaftr: Verdict | null;
  /** Why the states are not known, when they are not. */
  note: string | null;
}

export async function listCommand({ options, report }: CommandContext): Promise<number> {
  report.expect('list', { instances: [] });
  const instances = await Promise.all(findInstances().map(describeInstance));
  report.set({ instances });
  if (!options.json && !options.quiet) humanStream(options).write(formatList(instances));
  return 0;
}

async function describeInstance({ stateDir, record }: FoundInstance): Promise<ListedInstance> {
  const none = { snabbnfv: null, vm: null, lwaftr: null };
  const base = { name: path.basename(stateDir), stateDir, config: null, recordedAt: null, ...none, note: null };
  if (!record)
    return { ...base, note: `no ${RECORD_NAME} (made by an older lwaftrctl, or never started): its config is unknown` };
  const known = { ...base, name: record.name, config: record.config, recordedAt: record.recordedAt };
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig({ file: record.config, cwd: path.dirname(record.config), env: process.env });
  } catch (err) {
    return { ...known, note: `cannot read its config: ${(err as Error).message.split('\n')[0]}` };
  }
  if (path.resolve(config.stateDir) !== path.resolve(stateDir))
    return { ...known, note: `its config now keeps the state in ${config.stateDir}; start it again to record that` };
  const ctx = statusContext(config);
  try {
    return { ...known, name: config.name, ...verdicts(await collectStatus(ctx)) };
  } finally {
    ctx.close();
  }
}

/** Pure: one row per instance, a note under those whose states are not known. */
export function formatList(instances: readonly ListedInstance[]): string {
  if (instances.length === 0) return 'no lwaftrctl instances on this host (none started since boot)\n';
  const rows = [
    ['NAME', ...START_ORDER.map((c) => c.toUpperCase()), 'STATE DIR', 'CONFIG'],
    ...instances.map((i) => [i.name, ...START_ORDER.map((c) => i[c]?.state ?? '-'), i.stateDir, i.config ?? '-']),
  ];
  const widths = rows[0]!.map((_, col) => Math.max(...rows.map((r) => r[col]!.length)));
  const line = (r: string[]) =>
    r
      .map((cell, col) => cell.padEnd(widths[col]!))
      .join('  ')
      .trimEnd();
  const body = instances.flatMap((i, n) => [line(rows[n + 1]!), ...(i.note ? [`  note: ${i.note}`] : [])]);
  return `${[line(rows[0]!), ...body].join('\n')}\n`;
}
