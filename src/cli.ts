#!/usr/bin/env node
import { createRequire } from 'node:module';
// The command line. Parses words, picks component and action, and maps errors to exit
// codes: the only place that does. Heavy modules load only when a command needs them.
import { Command, CommanderError, Option } from 'commander';
import type { GlobalOptions } from './commands/global-options.js';
import { EXIT, exitCodeFor, OperationError, UsageError } from './errors.js';
import { ACTIONS, type Action, COMPONENTS, type Component } from './plan/action-plan.js';

const { version } = createRequire(import.meta.url)('../package.json') as { version: string };

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return Number(process.exitCode ?? EXIT.ok);
  } catch (err) {
    return reportError(err);
  }
}

function buildProgram(): Command {
  const program = new Command('lwaftrctl')
    .description('Bring up and take down a virtualized Snabb lwAFTR: snabbnfv backends, the QEMU VM, the guest lwAFTR.')
    .usage('[options] <component> <action>   (or <action> <component>, or status [component])')
    .version(version, '--version', 'print the version')
    .option('-f, --file <conf>', 'config file', undefined)
    .option('--dry-run', 'print every step as a shell line; run nothing, touch nothing')
    .option('--json', 'machine-readable output (plans, results, status)')
    .option('-v, --verbose', 'show each command as it runs')
    .option('-q, --quiet', 'print only errors')
    .addOption(new Option('--force', 'stop: skip the graceful steps and kill at once'))
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) })
    .addHelpText(
      'after',
      `
Components: snabbnfv, vm, lwaftr, all     Actions: start, stop, restart
Examples:
  lwaftrctl -f lwaftr1.conf all start
  lwaftrctl -f lwaftr1.conf --dry-run start vm
  lwaftrctl -f lwaftr1.conf status --json
Exit codes: 0 ok, 1 failed, 2 usage, 6 config error, 75 busy, 124 timeout, 130 interrupted;
status: 0 running, 1 dead with pid file left, 3 stopped, 4 unknown.`,
    );

  for (const action of ACTIONS)
    program
      .command(`${action} <component>`)
      .description(`${action} a component (${COMPONENTS.join(', ')})`)
      .action(async (component: string, _opts, cmd: Command) =>
        runAction(parseComponent(component), action, cmd.optsWithGlobals()),
      );
  for (const component of COMPONENTS)
    program
      .command(`${component} <action>`)
      .description(`${component}: ${ACTIONS.join(', ')}`)
      .action(async (action: string, _opts, cmd: Command) =>
        runAction(component, parseAction(action), cmd.optsWithGlobals()),
      );
  program
    .command('status [component]')
    .description('what is running, derived from the live processes (LSB exit codes)')
    .action(async (component: string | undefined, _opts, cmd: Command) => {
      const { statusCommand } = await import('./commands/status-command.js');
      process.exitCode = await statusCommand(component ? parseComponent(component) : 'all', cmd.optsWithGlobals());
    });
  for (const cmd of program.commands) cmd.exitOverride().showSuggestionAfterError(true);
  return program;
}

async function runAction(component: Component, action: Action, opts: GlobalOptions): Promise<void> {
  if (opts.dryRun) {
    const { dryRunCommand } = await import('./commands/dry-run-command.js');
    process.exitCode = dryRunCommand(component, action, opts);
    return;
  }
  const { actionCommand } = await import('./commands/action-command.js');
  process.exitCode = await actionCommand(component, action, opts);
}

function parseComponent(word: string): Component {
  if ((COMPONENTS as readonly string[]).includes(word)) return word as Component;
  throw new UsageError(`unknown component "${word}"${suggest(word, COMPONENTS)}; components: ${COMPONENTS.join(', ')}`);
}

function parseAction(word: string): Action {
  if ((ACTIONS as readonly string[]).includes(word)) return word as Action;
  throw new UsageError(`unknown action "${word}"${suggest(word, ACTIONS)}; actions: ${ACTIONS.join(', ')}`);
}

function suggest(word: string, choices: readonly string[]): string {
  const close = choices.find((c) => c.startsWith(word.slice(0, 2)) || word.startsWith(c.slice(0, 3)));
  return close ? ` (did you mean ${close}?)` : '';
}

function reportError(err: unknown): number {
  if (err instanceof CommanderError) {
    // Help and version are not errors; commander has already printed them.
    if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version') return EXIT.ok;
    process.stderr.write('Run lwaftrctl --help for usage.\n');
    return EXIT.usage;
  }
  const message = err instanceof Error ? err.message : String(err);
  process.stderr.write(`lwaftrctl: ${message}\n`);
  if (err instanceof OperationError) {
    if (err.detail) process.stderr.write(err.detail.replace(/\n?$/, '\n'));
    if (err.hint) process.stderr.write(`fix: ${err.hint}\n`);
  } else if (err instanceof UsageError) {
    process.stderr.write('Run lwaftrctl --help for usage.\n');
  } else if (!(err instanceof Error) || err.name !== 'ConfigError') {
    process.stderr.write(`${(err as Error).stack ?? ''}\n`);
  }
  return exitCodeFor(err);
}

process.exitCode = await main(process.argv);
