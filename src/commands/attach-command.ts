// attach snabbnfv N: screen -r to the session that runs this instance's port N, found as status
// finds it (the session whose child is the port's proven process); refused when it does not run.
import { snabbnfvStatus } from '../components/snabbnfv/status.js';
import { OperationError } from '../errors.js';
import { runInteractive } from '../io/interactive.js';
import { SILENT } from '../run/events.js';
import { createRunContext } from '../run/run-context.js';
import type { CommandContext } from './command-context.js';
import { loadForCommand, printConfigWarnings } from './global-options.js';

export async function attachCommand(port: 1 | 2, { options, report }: CommandContext): Promise<number> {
  report.expect('attach', {});
  const config = loadForCommand(options);
  report.forConfig(config);
  printConfigWarnings(config, options);
  const ctx = createRunContext(config, SILENT, new AbortController().signal);
  const status = snabbnfvStatus(ctx, undefined).ports.find((p) => p.port === port)!;
  if (!status.screen) {
    const why =
      status.state === 'running'
        ? `runs (pid ${status.pid}) but not in its screen session ${ctx.paths.snabbnfv[port].session}`
        : status.state === 'dead'
          ? `died (pid ${status.pid}); its log is ${status.log}`
          : 'is not running';
    throw new OperationError(
      `snabbnfv port ${port} of instance ${config.name} ${why}: no screen session to attach to`,
      `lwaftrctl -f ${config.file} snabbnfv ${status.state === 'running' ? 'restart' : 'start'}`,
    );
  }
  if (!options.quiet) process.stderr.write(`lwaftrctl: screen -r ${status.screen} (detach with Ctrl-a d)\n`);
  return runInteractive(['screen', '-r', status.screen], 'apt-get install screen');
}
