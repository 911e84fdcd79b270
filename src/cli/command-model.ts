// The command line's definitions (commander's, from parse-args.ts) as plain data: each command's
// words, the values of its arguments, its options and which take a value. Completion scripts and
// the man page are made from it, so they never drift from what the parser accepts.
import type { Command, Option } from 'commander';
import { ARGUMENT_VALUES } from './scripting-commands.js';

export interface OptionModel {
  /** As help shows it: -f, --file <conf> */
  term: string;
  flags: string[];
  /** none: a switch; file: its value is a file (completed as one); word: any other value. */
  value: 'none' | 'file' | 'word';
  description: string;
}

export interface ArgumentModel {
  name: string;
  values: readonly string[];
  required: boolean;
  variadic: boolean;
}

export interface CommandModel {
  name: string;
  /** As help shows it: wait [options] <component> <state> */
  term: string;
  description: string;
  usage: string;
  args: ArgumentModel[];
  /** Its own options and the program's it does not shadow (program options are read after the command too). */
  options: OptionModel[];
  ownOptions: OptionModel[];
}

export interface ProgramModel {
  name: string;
  description: string;
  usage: string;
  options: OptionModel[];
  commands: CommandModel[];
}

export function programModel(program: Command): ProgramModel {
  const help = program.createHelp();
  const globals = help.visibleOptions(program).map(optionModel);
  return {
    name: program.name(),
    description: program.description(),
    usage: program.usage(),
    options: globals,
    commands: help.visibleCommands(program).flatMap((cmd) => {
      if (cmd.name() === 'help') return [];
      const own = help.visibleOptions(cmd).map(optionModel);
      const taken = new Set(own.flatMap((o) => o.flags));
      const inherited = globals
        .map((o) => ({ ...o, flags: o.flags.filter((f) => !taken.has(f)) }))
        .filter((o) => o.flags.length > 0);
      return [
        {
          name: cmd.name(),
          term: help.subcommandTerm(cmd),
          description: cmd.description(),
          usage: cmd.usage(),
          args: cmd.registeredArguments.map((a) => ({
            name: a.name(),
            values: ARGUMENT_VALUES[`${cmd.name()}.${a.name()}`] ?? ARGUMENT_VALUES[a.name()] ?? [],
            required: a.required,
            variadic: a.variadic,
          })),
          options: [...own, ...inherited],
          ownOptions: own,
        },
      ];
    }),
  };
}

function optionModel(o: Option): OptionModel {
  const takesValue = o.required || o.optional;
  return {
    term: o.flags,
    flags: [o.short, o.long].filter((f): f is string => f !== undefined),
    value: !takesValue ? 'none' : /<(conf|file)>|\[(conf|file)\]/.test(o.flags) ? 'file' : 'word',
    description: o.description,
  };
}
