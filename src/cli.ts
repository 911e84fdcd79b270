#!/usr/bin/env node
// The command line: parse the words, run the command, and map errors to exit codes (the only
// place that does). Heavy modules load only when a command needs them.
import { createRequire } from 'node:module';
import { parseArgs } from './cli/parse-args.js';
import { EXIT, exitCodeFor, OperationError, UsageError } from './errors.js';

const { version } = createRequire(import.meta.url)('../package.json') as { version: string };

export async function main(args: string[]): Promise<number> {
  try {
    const invocation = parseArgs(args, version);
    if (invocation.kind === 'print') {
      process.stdout.write(invocation.text);
      return EXIT.ok;
    }
    if (invocation.kind === 'status') {
      const { statusCommand } = await import('./commands/status-command.js');
      return await statusCommand(invocation.component, invocation.options);
    }
    if (invocation.kind === 'doctor') {
      const { doctorCommand } = await import('./commands/doctor-command.js');
      return await doctorCommand(invocation.component, invocation.options);
    }
    const { component, action, options } = invocation;
    if (options.dryRun) {
      const { dryRunCommand } = await import('./commands/dry-run-command.js');
      return await dryRunCommand(component, action, options);
    }
    const { actionCommand } = await import('./commands/action-command.js');
    return await actionCommand(component, action, options);
  } catch (err) {
    return reportError(err);
  }
}

function reportError(err: unknown): number {
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

process.exitCode = await main(process.argv.slice(2));
