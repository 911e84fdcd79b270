// status --watch: status again and again, and what changed as it changes: a line for people, a
// status document (--json: a stream of documents, as jq reads them), an NDJSON `state-change`
// line (--events). Ends on Ctrl-C or SIGTERM, its normal end, with exit 0.

import { statusExitCode } from '../components/status-all.js';
import type { InstanceStatus, State } from '../components/status-types.js';
import type { Config } from '../config/types.js';
import type { Component, SingleComponent } from '../plan/component-names.js';
import { START_ORDER } from '../plan/component-names.js';
import { sleep } from '../util/sleep.js';
import type { CommandContext } from './command-context.js';
import { humanStream, loadForCommand, printConfigWarnings } from './global-options.js';
import { interruption } from './interruption.js';
import { POLL_GAP_MS, statusPoller } from './status-poller.js';

export interface StateChange {
  component: SingleComponent;
  state: State;
  /** The state before; null on the first look. */
  was: State | null;
  reason: string | null;
  fix: string | null;
}

export async function watchCommand(component: Component, cx: CommandContext): Promise<number> {
  const { options, report } = cx;
  report.expect('status', { component, stateDir: null, snabbnfv: null, vm: null, lwaftr: null });
  const config = loadForCommand(options);
  report.forConfig(config);
  printConfigWarnings(config, options);
  const shown = component === 'all' ? START_ORDER : [component];
  const poller = statusPoller(config);
  const stop = interruption('changes of state');
  let before: InstanceStatus | undefined;
  try {
    while (!stop.signal.aborted) {
      const status = await Promise.race([poller.next(), stop.interrupted]).catch(() => undefined);
      if (!status) break;
      report.set({ stateDir: config.stateDir, ...Object.fromEntries(shown.map((c) => [c, status[c]])) });
      const changes = stateChanges(before, status, shown);
      before = status;
      if (changes.length) show(changes, status, shown, config, cx);
      await sleep(POLL_GAP_MS, stop.signal).catch(() => undefined);
    }
  } finally {
    stop.release();
    poller.close();
  }
  return 0;
}

/** Pure: what differs between two looks, by state and reason; every component on the first. */
export function stateChanges(
  before: InstanceStatus | undefined,
  now: InstanceStatus,
  shown: readonly SingleComponent[],
): StateChange[] {
  return shown
    .filter((c) => !before || before[c].state !== now[c].state || before[c].reason !== now[c].reason)
    .map((c) => ({
      component: c,
      state: now[c].state,
      was: before ? before[c].state : null,
      reason: now[c].reason,
      fix: now[c].fix,
    }));
}

function show(
  changes: StateChange[],
  status: InstanceStatus,
  shown: readonly SingleComponent[],
  config: Config,
  { options, report, events }: CommandContext,
): void {
  const ts = new Date().toISOString();
  for (const c of changes) events?.write({ type: 'state-change', ts, instance: config.name, ...c });
  if (options.json) {
    const document = report.document(statusExitCode(shown.map((c) => status[c])));
    process.stdout.write(`${JSON.stringify(document, null, 2)}\n`);
  } else if (!options.quiet) {
    const time = ts.slice(11, 19);
    humanStream(options).write(changes.map((c) => `${time} ${changeLine(c)}\n`).join(''));
  }
}

export function changeLine(c: StateChange): string {
  const was = c.was && c.was !== c.state ? ` (was ${c.was})` : '';
  const fix = c.fix ? `; fix: ${c.fix}` : '';
  return `${c.component.padEnd(8)} ${c.state}${was}${c.reason ? `: ${c.reason}` : ''}${fix}`;
}
