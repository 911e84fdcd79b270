// The command line as data: words → what to run, with its options. Pure (commander writes to
// the strings it is given, never to the terminal), so every case is a table test.
import { Command, CommanderError, Option } from 'commander';
import type { GlobalOptions } from '../commands/global-options.js';
import type { PortIndex } from '../config/types.js';
import { UsageError } from '../errors.js';
import { ACTIONS, type Action, COMPONENTS, type Component } from '../plan/component-names.js';
import { choice } from './choices.js';
import { addScriptingCommands, PORTS, rewriteWords, type ScriptingInvocation } from './scripting-commands.js';

export type Invocation =
  | { kind: 'action'; component: Component; action: Action; options: GlobalOptions }
  | { kind: 'status'; component: Component; options: GlobalOptions & { watch?: boolean } }
  | { kind: 'doctor'; component: Component; options: GlobalOptions & { kvmProbe?: boolean } }
  // export / backend (issue 13: other engines run the plan)
  | { kind: 'export'; engine: ExportEngine; dir?: string; options: GlobalOptions & { lwaftrctl?: string } }
  | { kind: 'backend'; port: PortIndex; options: GlobalOptions }
  | ScriptingInvocation
  /** Help or version: print `text`, exit 0. */
  | { kind: 'print'; text: string };

export function parseArgs(args: string[], version: string): Invocation {
  let invocation: Invocation | undefined;
  let printed = '';
  const program = buildProgram(version, (i) => {
    invocation = i;
  });
  for (const cmd of program.commands) cmd.addHelpText('after', COMMAND_NOTE);
  for (const cmd of [program, ...program.commands])
    cmd
      .exitOverride()
      .showSuggestionAfterError(true)
      .configureOutput({
        writeOut: (s) => {
          printed += s;
        },
        writeErr: (s) => {
          printed += s;
        },
      });
  try {
    // --events=FILE, not --events FILE: the word after --events is the command.
    program.parse(rewriteWords(args, valueOptions(program)), { from: 'user' });
  } catch (err) {
    if (!(err instanceof CommanderError)) throw err;
    // Help and version are not errors; commander has written them into `printed`.
    if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version')
      return { kind: 'print', text: printed };
    // No words at all: commander shows the help as an error. `help [command]` asked for it.
    if (err.code === 'commander.help') {
      if (args.length === 0) throw new UsageError('nothing to do: give a component and an action, or status');
      return { kind: 'print', text: printed };
    }
    throw new UsageError(printed.replace(/^error: /, '').trim() || err.message);
  }
  return invocation!;
}

const COMMAND_NOTE = `
The config is $LWAFTRCTL_CONF, else ./lwaftrctl.conf, unless -f names one.
Starting and stopping need root (sudo lwaftrctl ...).`;

/** The program's command definitions, for completion scripts and the man page. */
export function commandDefinitions(version: string): Command {
  return buildProgram(version, () => undefined);
}

/** The program's options that take the next word as their value. */
function valueOptions(program: Command): string[] {
  return program.options
    .filter((o) => o.required || o.optional)
    .flatMap((o) => [o.short, o.long].filter((f) => f !== undefined));
}

function buildProgram(version: string, found: (i: Invocation) => void): Command {
  const program = new Command('lwaftrctl')
    .description('Bring up and take down a virtualized Snabb lwAFTR: snabbnfv backends, the QEMU VM, the guest lwAFTR.')
    .usage('[options] <component> <action>   (or <action> <component>, or status [component])')
    .configureHelp({ showGlobalOptions: true })
    .version(version, '-V, --version', 'print the version')
    .option('-f, --file <conf>', 'config file (default: $LWAFTRCTL_CONF, else ./lwaftrctl.conf); --config is the same')
    .addOption(new Option('--config <conf>').hideHelp())
    .option('--dry-run', 'print the run as a POSIX sh script that does it; run nothing, touch nothing')
    .option('--json', 'machine-readable output (plans, results, status)')
    .option('-v, --verbose', 'show each command as it runs')
    .option('-q, --quiet', 'print only errors')
    .addOption(new Option('--force', 'stop: skip the graceful steps and kill at once'))
    .option('--events', 'lifecycle events as NDJSON on stdout (--events=FILE: appended to FILE)')
    .addOption(new Option('--events-file <file>').hideHelp())
    .addHelpText(
      'after',
      `
Components: snabbnfv, vm, lwaftr, all     Actions: start, stop, restart
Examples:
  lwaftrctl -f lwaftr1.conf all start
  lwaftrctl -f lwaftr1.conf --dry-run start vm
  lwaftrctl -f lwaftr1.conf status --json
lwaftrctl runs as root: it pins cores, reserves hugepages, writes /run/lwaftrctl and starts QEMU
(status, doctor and --dry-run need no root). The config file is the one -f names, else $LWAFTRCTL_CONF,
else ./lwaftrctl.conf; conf/lwaftrctl.conf.example in the package lists every key.
Not on PATH? From a checkout: npm install -g . (or npm pack, then npm install -g lwaftrctl-*.tgz).
Exit codes: 0 ok, 1 failed, 2 usage, 4 needs root, 6 config error or host not ready, 75 busy, 124 timeout,
130 interrupted (SIGINT), 143 terminated (SIGTERM); status: 0 running, 1 dead with pid file left,
3 stopped, 4 unknown.`,
    );
  const options = (cmd: Command) => {
    const { eventsFile, config, ...opts } = cmd.optsWithGlobals() as GlobalOptions & {
      eventsFile?: string;
      config?: string;
    };
    const file = opts.file ?? config;
    return {
      ...opts,
      ...(file === undefined ? {} : { file }),
      ...(eventsFile === undefined ? {} : { events: eventsFile }),
    };
  };
  for (const action of ACTIONS)
    program
      .command(`${action} <component>`)
      .description(`${action} a component (${COMPONENTS.join(', ')})`)
      .action((component: string, _opts, cmd: Command) =>
        found({ kind: 'action', component: componentOf(component), action, options: options(cmd) }),
      );
  for (const component of COMPONENTS)
    program
      .command(`${component} <action>`)
      .description(`${component}: ${ACTIONS.join(', ')}`)
      .action((action: string, _opts, cmd: Command) =>
        found({ kind: 'action', component, action: choice(action, 'action', ACTIONS), options: options(cmd) }),
      );
  program
    .command('status [component]')
    .description('what is running, derived from the live processes (LSB exit codes)')
    .option('--watch', 'keep watching: a line (--json: a document; --events: an NDJSON line) per change, until Ctrl-C')
    .action((component: string | undefined, _opts, cmd: Command) =>
      found({ kind: 'status', component: component ? componentOf(component) : 'all', options: options(cmd) }),
    );
  program
    .command('doctor [component]')
    .description('check this host (and the running guest) against the config: what each check read, and the fix')
    .option('--no-kvm-probe', 'with QEMU_ACCEL=kvm, skip booting QEMU for up to 2 s to prove KVM works')
    .action((component: string | undefined, _opts, cmd: Command) =>
      found({ kind: 'doctor', component: component ? componentOf(component) : 'all', options: options(cmd) }),
    );
  addEngineCommands(program, found, options);
  addScriptingCommands(program, found, options);
  return program;
}

const componentOf = (word: string): Component => choice(word, 'component', COMPONENTS);

// export / backend (issue 13: other engines run the plan)
export const EXPORT_ENGINES = ['libvirt', 'systemd'] as const;
export type ExportEngine = (typeof EXPORT_ENGINES)[number];

function addEngineCommands(program: Command, found: (i: Invocation) => void, options: (c: Command) => GlobalOptions) {
  program
    .command('export <engine> [dir]')
    .description('the plan for another engine: libvirt (domain XML on stdout), systemd <dir> (unit files into dir)')
    .option('--lwaftrctl <path>', 'systemd: the lwaftrctl program the units run (default: this one)')
    .action((word: string, dir: string | undefined, _opts, cmd: Command) => {
      const engine = choice(word, 'engine', EXPORT_ENGINES);
      if (engine === 'systemd' && dir === undefined)
        throw new UsageError('export systemd needs the folder to write the units into, e.g. /etc/systemd/system');
      if (engine === 'libvirt' && dir !== undefined)
        throw new UsageError(`export libvirt prints the domain XML on stdout and takes no folder ("${dir}")`);
      found({ kind: 'export', engine, dir, options: options(cmd) });
    });
  program
    .command('backend <port>')
    .description('start one snabbnfv backend (1 or 2) without screen, for a service manager (systemd Type=forking)')
    .action((port: string, _opts, cmd: Command) => {
      const index = Number(choice(port, 'port', PORTS, false)) as PortIndex;
      found({ kind: 'backend', port: index, options: options(cmd) });
    });
}
