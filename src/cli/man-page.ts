// The man page (lwaftrctl.1), made at build time (scripts/build-man.mjs) from the same command
// definitions as --help: every command with its options, the program's options, and the text
// --help prints after them. Written as roff directly: the definitions are structured already,
// and the page needs only a handful of requests (.TH .SH .TP .RS .nf).
import type { Command } from 'commander';
import { type OptionModel, programModel } from './command-model.js';
import { CONF_VARIABLE } from './config-env.js';

export function manPage(program: Command, version: string): string {
  const m = programModel(program);
  const name = m.name;
  const options = (list: readonly OptionModel[]) => list.flatMap((o) => ['.TP', bold(o.term), text(o.description)]);
  return `${[
    `.TH ${name.toUpperCase()} 1 "" "${name} ${version}" "User Commands"`,
    '.SH NAME',
    `${name} \\- ${text(m.description.replace(/\.$/, ''))}`,
    '.SH SYNOPSIS',
    ...m.commands.flatMap((c, i) => [...(i ? ['.br'] : []), `${bold(name)} [options] ${text(c.term)}`]),
    '.SH DESCRIPTION',
    text(m.description),
    '.PP',
    `${bold(name)} ${text(m.usage)}`,
    '.SH COMMANDS',
    ...m.commands.flatMap((c) => [
      '.TP',
      bold(c.term),
      text(c.description),
      ...(own(c.ownOptions).length ? ['.RS', ...options(own(c.ownOptions)), '.RE'] : []),
    ]),
    '.SH OPTIONS',
    'These are read before the command and after it (after \\fBlogs\\fR, \\fB\\-f\\fR is \\fB\\-\\-follow\\fR).',
    ...options(m.options),
    '.SH ENVIRONMENT',
    '.TP',
    bold(CONF_VARIABLE),
    text('The config file, when -f/--file does not name one (which wins); else ./lwaftrctl.conf.'),
    '.SH FILES',
    '.TP',
    bold('/run/lwaftrctl/<NAME>/'),
    text(
      "An instance's state folder (STATE_DIR's default): pid files, QMP socket, logs, the lock, and " +
        'instance.json (its config file, for list). A STATE_DIR elsewhere is pointed at from ' +
        '/run/lwaftrctl/.instances/.',
    ),
    '.SH NOTES',
    '.nf',
    ...afterHelp(program)
      .trim()
      .split('\n')
      .map((l) => text(l)),
    '.fi',
    '.SH SEE ALSO',
    'ssh(1), screen(1), telnet(1), qemu-system-x86_64(1)',
  ].join('\n')}\n`;
}

/** A command's options less -h, --help, which every command has (said once, under OPTIONS). */
const own = (list: readonly OptionModel[]) => list.filter((o) => !o.flags.includes('--help'));

/** What --help prints after the commands and options (components, examples, exit codes). */
function afterHelp(program: Command): string {
  let full = '';
  program.configureOutput({ writeOut: (s) => (full += s), writeErr: (s) => (full += s) });
  program.outputHelp();
  return full.slice(program.helpInformation().length);
}

/** Roff text: backslashes and hyphens escaped, a leading . or ' made literal. */
function text(s: string): string {
  return s
    .replace(/\\/g, '\\e')
    .replace(/-/g, '\\-')
    .replace(/^([.'])/gm, '\\&$1');
}

function bold(s: string): string {
  return `\\fB${text(s)}\\fR`;
}
