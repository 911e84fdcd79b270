// status: derived every time from what is alive (pid + start time + command line, QMP, the
// guest), never from a stored flag. Read-only: no lock, no log file. Exit codes follow LSB.
import { collectStatus, statusExitCode } from '../components/status-all.js';
import type { Component } from '../plan/component-names.js';
import { START_ORDER } from '../plan/component-names.js';
import { SILENT } from '../run/events.js';
import { createRunContext } from '../run/run-context.js';
import { formatStatus } from './format-status.js';
import { type GlobalOptions, loadForCommand, printConfigWarnings } from './global-options.js';

export async function statusCommand(component: Component, opts: GlobalOptions): Promise<number> {
  const config = loadForCommand(opts);
  printConfigWarnings(config, opts);
  // A status is a glance: a guest that does not answer in 3 s is reported as such.
  const ctx = createRunContext(
    config,
    SILENT,
    new AbortController().signal,
    Math.min(config.timeouts.sshConnectMs, 3000),
  );
  try {
    const status = await collectStatus(ctx);
    const shown = component === 'all' ? START_ORDER : [component];
    if (opts.json) {
      const doc: Record<string, unknown> = { instance: config.name, config: config.file, stateDir: config.stateDir };
      for (const c of shown) doc[c] = status[c];
      process.stdout.write(`${JSON.stringify(doc, null, 2)}\n`);
    } else if (!opts.quiet) process.stdout.write(formatStatus(config, shown, status));
    return statusExitCode(shown.map((c) => status[c]));
  } finally {
    ctx.close();
  }
}
