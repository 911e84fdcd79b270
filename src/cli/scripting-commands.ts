// The commands for scripts, CI and operators at a terminal: wait, logs, ssh, console, attach,
// list, completion. Their words become invocations here (pure), beside parse-args.ts's commands.
import { type Command, Option } from 'commander';
import type { GlobalOptions } from '../commands/global-options.js';
import { UsageError } from '../errors.js';
import { ACTIONS, COMPONENTS, type Component } from '../plan/component-names.js';
import { choice } from './choices.js';

export const WAIT_STATES = ['running', 'stopped'] as const;
export type WaitState = (typeof WAIT_STATES)[number];
/** What `logs` shows: a component's logs, the tool's own (lwaftrctl), or all. */
export const LOG_SOURCES = ['snabbnfv', 'vm', 'lwaftr', 'lwaftrctl', 'all'] as const;
export type LogSource = (typeof LOG_SOURCES)[number];
export const SHELLS = ['bash', 'zsh', 'fish'] as const;
export type Shell = (typeof SHELLS)[number];
export const PORTS = ['1', '2'] as const;

/** The values each positional argument takes, by `command.argument` or by argument name (completion uses them). */
export const ARGUMENT_VALUES: Record<string, readonly string[]> = {
  'attach.component': ['snabbnfv'],
  'logs.component': LOG_SOURCES,
  component: COMPONENTS,
  action: ACTIONS,
  state: WAIT_STATES,
  shell: SHELLS,
  port: PORTS,
};

export const DEFAULT_WAIT_TIMEOUT_S = 300;
export const DEFAULT_LOG_LINES = 20;

export type ScriptingInvocation =
  | { kind: 'wait'; component: Component; state: WaitState; options: GlobalOptions & { timeout: number } }
  | { kind: 'logs'; source: LogSource; options: GlobalOptions & { follow?: boolean; lines: number } }
  | { kind: 'ssh'; command: string[]; options: GlobalOptions }
  | { kind: 'console'; options: GlobalOptions }
  | { kind: 'attach'; component: 'snabbnfv'; port: 1 | 2; options: GlobalOptions }
  | { kind: 'list'; options: GlobalOptions }
  | { kind: 'completion'; shell: Shell; options: GlobalOptions };

type Found = (i: ScriptingInvocation) => void;
type OptionsOf = (cmd: Command) => GlobalOptions;

export function addScriptingCommands(program: Command, found: Found, optionsOf: OptionsOf): void {
  const options = (cmd: Command, what: string) => noJson(optionsOf(cmd), what);
  program
    .command('wait <component> <state>')
    .description('wait until a component (or all) is running or stopped, as status sees it; 124 on timeout')
    .addOption(
      new Option('--timeout <seconds>', 'give up after this long (0: never)')
        .default(DEFAULT_WAIT_TIMEOUT_S)
        .argParser((s) => count(s, '--timeout')),
    )
    .action((component: string, state: string, _o, cmd: Command) =>
      found({
        kind: 'wait',
        component: choice(component, 'component', COMPONENTS),
        state: choice(state, 'state', WAIT_STATES),
        options: optionsOf(cmd) as GlobalOptions & { timeout: number },
      }),
    );
  program
    .command('logs [component]')
    .description('the last lines of each log, prefixed with its source (snabbnfv, vm, lwaftr, lwaftrctl or all)')
    .option('-f, --follow', 'keep printing lines as they come, until Ctrl-C (after logs, -f is --follow)')
    .addOption(
      new Option('-n, --lines <n>', 'lines per source').default(DEFAULT_LOG_LINES).argParser((s) => count(s, '-n')),
    )
    .action((source: string | undefined, _o, cmd: Command) =>
      found({
        kind: 'logs',
        source: source ? choice(source, 'log source', LOG_SOURCES) : 'all',
        options: options(cmd, 'logs') as GlobalOptions & { lines: number },
      }),
    );
  program
    .command('ssh [command...]')
    .description("log into the guest with the config's user, key, port and known_hosts; -- command runs one")
    .usage('[options] [-- command [arg...]]')
    .action((command: string[], _o, cmd: Command) => found({ kind: 'ssh', command, options: options(cmd, 'ssh') }));
  program
    .command('console')
    .description("attach to the guest's serial port (VM_PORT), or say where the console log is")
    .action((_o, cmd: Command) => found({ kind: 'console', options: options(cmd, 'console') }));
  program
    .command('attach <component> <port>')
    .description("attach to a snabbnfv port's screen session (detach with Ctrl-a d)")
    .action((component: string, port: string, _o, cmd: Command) => {
      if (component !== 'snabbnfv')
        throw new UsageError(
          `only snabbnfv runs in screen sessions, not "${component}": lwaftrctl console or ssh reach the VM`,
        );
      found({
        kind: 'attach',
        component,
        port: portNumber(port),
        options: options(cmd, 'attach'),
      });
    });
  program
    .command('list')
    .description("every lwaftrctl instance on this host: its state folder, config file and each component's state")
    .action((_o, cmd: Command) => found({ kind: 'list', options: optionsOf(cmd) }));
  program
    .command('completion <shell>')
    .description('print the completion script for bash, zsh or fish')
    .action((shell: string, _o, cmd: Command) =>
      found({ kind: 'completion', shell: choice(shell, 'shell', SHELLS), options: options(cmd, 'completion') }),
    );
}

/**
 * Words after `logs` read -f as --follow, as tail -f does (give the config before the command or
 * as --file); `--events=FILE` becomes the hidden --events-file. Nothing after `--` is touched
 * (ssh's remote command). `valueOptions`: the program's options that take the next word.
 */
export function rewriteWords(args: string[], valueOptions: readonly string[]): string[] {
  const end = args.includes('--') ? args.indexOf('--') : args.length;
  let command = -1;
  for (let i = 0; i < end && command < 0; i++) {
    if (valueOptions.includes(args[i]!)) i++;
    else if (!args[i]!.startsWith('-')) command = i;
  }
  return args.flatMap((a, i) => {
    if (i >= end) return [a];
    if (a.startsWith('--events=')) return ['--events-file', a.slice('--events='.length)];
    return args[command] === 'logs' && i > command && a === '-f' ? ['--follow'] : [a];
  });
}

function noJson<O extends GlobalOptions>(opts: O, what: string): O {
  if (opts.json)
    throw new UsageError(`${what} has no --json output (it prints what it shows as it comes); run it without --json`);
  return opts;
}

function portNumber(word: string): 1 | 2 {
  if ((PORTS as readonly string[]).includes(word)) return Number(word) as 1 | 2;
  throw new UsageError(`no snabbnfv port "${word}": its ports are ${PORTS.join(' and ')}`);
}

function count(word: string, option: string): number {
  if (!/^\d+$/.test(word)) throw new UsageError(`${option} wants a whole number, not "${word}"`);
  return Number(word);
}
