#!/usr/bin/env node
// The command line: parse the words, run the command, and map errors to exit codes (the only
// place that does). With --json every exit path prints exactly one JSON document; with --events
// the last NDJSON line is that document. Heavy modules load only when a command needs them.
import { createRequire } from 'node:module';
import { configFromEnvironment } from './cli/config-env.js';
import { type Invocation, parseArgs } from './cli/parse-args.js';
import type { ScriptingInvocation } from './cli/scripting-commands.js';
import type { CommandContext } from './commands/command-context.js';
import type { GlobalOptions } from './commands/global-options.js';
import { Report } from './commands/report.js';
import { EXIT, exitCodeFor, isPermissionError, NotRootError, OperationError, UsageError } from './errors.js';
import { type EventsOutput, openEventsOutput } from './run/render-ndjson.js';
import { quoteArgv } from './shell/quote.js';

type StatusInvocation = Extract<Invocation, { kind: 'status' }>;

const { version } = createRequire(import.meta.url)('../package.json') as { version: string };

export async function main(args: string[]): Promise<number> {
  const report = new Report();
  let options: GlobalOptions = { json: args.includes('--json'), verbose: args.includes('-v') };
  let events: EventsOutput | undefined;
  let exitCode: number;
  let error: unknown;
  try {
    const invocation = parseArgs(args, version);
    if (invocation.kind === 'print') {
      process.stdout.write(invocation.text);
      return EXIT.ok;
    }
    options = invocation.options;
    events = options.events === undefined ? undefined : openEventsOutput(options.events);
    const configured = withConfigFile(invocation);
    options = configured.options;
    exitCode = await run(configured, { options, report, events });
  } catch (err) {
    error = isPermissionError(err) ? notRoot(err, args) : err;
    exitCode = reportError(error, options, report);
  }
  const document = report.document(exitCode, error);
  if (options.json) process.stdout.write(`${JSON.stringify(document, null, 2)}\n`);
  events?.write({ type: 'result', ts: new Date().toISOString(), ...document });
  events?.close();
  return exitCode;
}

async function run(invocation: Exclude<Invocation, { kind: 'print' }>, cx: CommandContext): Promise<number> {
  switch (invocation.kind) {
    case 'status': {
      if (invocation.options.watch) return runScripting(invocation, cx);
      const { statusCommand } = await import('./commands/status-command.js');
      return statusCommand(invocation.component, cx);
    }
    case 'doctor': {
      const { doctorCommand } = await import('./commands/doctor-command.js');
      return doctorCommand(invocation.component, { ...cx, options: invocation.options });
    }
    // export / backend (issue 13: other engines run the plan)
    case 'export': {
      const { exportCommand } = await import('./commands/export-command.js');
      return exportCommand(invocation.engine, invocation.dir, { ...cx, options: invocation.options });
    }
    case 'backend': {
      const { backendCommand } = await import('./commands/backend-command.js');
      return backendCommand(invocation.port, cx);
    }
    case 'action': {
      const { component, action } = invocation;
      if (cx.options.dryRun) {
        const { dryRunCommand } = await import('./commands/dry-run-command.js');
        return dryRunCommand(component, action, cx);
      }
      const { actionCommand } = await import('./commands/action-command.js');
      return actionCommand(component, action, cx);
    }
    default:
      return runScripting(invocation, cx);
  }
}

/** Node's EACCES/EPERM as one line that says what needs root, and the command to run instead. */
function notRoot(err: NodeJS.ErrnoException, args: string[]): NotRootError {
  const what = [err.syscall, err.path].filter(Boolean).join(' ');
  const uid = process.getuid?.();
  return new NotRootError(
    `permission denied${what ? ` (${what})` : ''}: ${uid === 0 ? 'even as root' : 'lwaftrctl needs root for this'}`,
    uid === 0 ? 'check the permissions of that path' : `run it as root: sudo ${quoteArgv(['lwaftrctl', ...args])}`,
  );
}

/** The commands for scripts and terminals (src/cli/scripting-commands.ts), and status --watch. */
async function runScripting(invocation: ScriptingInvocation | StatusInvocation, cx: CommandContext): Promise<number> {
  switch (invocation.kind) {
    case 'status': {
      const { watchCommand } = await import('./commands/watch-command.js');
      return watchCommand(invocation.component, cx);
    }
    case 'wait': {
      const { waitCommand } = await import('./commands/wait-command.js');
      return waitCommand(invocation.component, invocation.state, { ...cx, options: invocation.options });
    }
    case 'logs': {
      const { logsCommand } = await import('./commands/logs-command.js');
      return logsCommand(invocation.source, { ...cx, options: invocation.options });
    }
    case 'ssh': {
      const { sshCommand } = await import('./commands/ssh-command.js');
      return sshCommand(invocation.command, cx);
    }
    case 'console': {
      const { consoleCommand } = await import('./commands/console-command.js');
      return consoleCommand(cx);
    }
    case 'attach': {
      const { attachCommand } = await import('./commands/attach-command.js');
      return attachCommand(invocation.port, cx);
    }
    case 'list': {
      const { listCommand } = await import('./commands/list-command.js');
      return listCommand(cx);
    }
    case 'completion': {
      const { completionCommand } = await import('./commands/completion-command.js');
      return completionCommand(invocation.shell, version);
    }
  }
}

/** LWAFTRCTL_CONF, for the commands that read a config (list and completion do not). */
function withConfigFile(invocation: Exclude<Invocation, { kind: 'print' }>): Exclude<Invocation, { kind: 'print' }> {
  if (invocation.kind === 'list' || invocation.kind === 'completion') return invocation;
  const options = configFromEnvironment(invocation.options, process.env, process.cwd());
  return { ...invocation, options } as typeof invocation;
}

/** One message on stderr, with its fix; a stack trace only with -v, after the message. */
function reportError(err: unknown, options: GlobalOptions, report: Report): number {
  const message = err instanceof Error ? err.message : String(err);
  process.stderr.write(`lwaftrctl: ${message}\n`);
  if (err instanceof OperationError) {
    if (err.detail) process.stderr.write(err.detail.replace(/\n?$/, '\n'));
    if (err.hint) process.stderr.write(`fix: ${err.hint}\n`);
  } else if (err instanceof UsageError) {
    process.stderr.write('Run lwaftrctl --help for usage.\n');
  } else if (!(err instanceof Error) || err.name !== 'ConfigError') {
    const log = report.logFile ? `; the tool's log is ${report.logFile}` : '';
    if (options.verbose) process.stderr.write(`${(err as Error).stack ?? ''}\n(an unexpected error${log})\n`);
    else process.stderr.write(`(an unexpected error: run again with -v for its details${log})\n`);
  }
  return exitCodeFor(err);
}

process.exitCode = await main(process.argv.slice(2));
