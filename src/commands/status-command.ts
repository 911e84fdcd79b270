// status: derived every time from what is alive (pid + start time + command line, QMP, the
// guest), never from a stored flag. Read-only: no lock, no log file. Exit codes follow LSB.
import { collectStatus, statusContext, statusExitCode } from '../components/status-all.js';
import type { Component } from '../plan/component-names.js';
import { START_ORDER } from '../plan/component-names.js';
import type { CommandContext } from './command-context.js';
import { formatStatus } from './format-status.js';
import { humanStream, loadForCommand, printConfigWarnings } from './global-options.js';

export async function statusCommand(component: Component, { options, report }: CommandContext): Promise<number> {
  report.expect('status', { component, stateDir: null, snabbnfv: null, vm: null, lwaftr: null });
  const config = loadForCommand(options);
  report.forConfig(config);
  printConfigWarnings(config, options);
  const ctx = statusContext(config);
  try {
    const status = await collectStatus(ctx);
    const shown = component === 'all' ? START_ORDER : [component];
    report.set({ stateDir: config.stateDir, ...Object.fromEntries(shown.map((c) => [c, status[c]])) });
    if (!options.json && !options.quiet) humanStream(options).write(formatStatus(config, shown, status));
    return statusExitCode(shown.map((c) => status[c]));
  } finally {
    ctx.close();
  }
}
