import fs from 'node:fs';
// Shell completion made from the parser's own definitions, run in real bash, zsh and fish.
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { commandDefinitions } from '../../src/cli/parse-args.js';
import { CLI } from '../helpers/run-cli.js';

/** The lab's config files, as file completion lists them from the checkout. */
const labConfs = () =>
  fs
    .readdirSync('conf')
    .filter((f) => f.startsWith('lab') && f.endsWith('.conf'))
    .map((f) => `conf/${f}`)
    .sort();

const COMMANDS = commandDefinitions('0.0.0')
  .commands.map((c) => c.name())
  .filter((n) => n !== 'help');

/** What bash's completion function offers for the words (the last one being completed). */
async function bash(...words: string[]): Promise<string[]> {
  const script = `source <(node ${CLI} completion bash)
COMP_WORDS=("$@"); COMP_CWORD=$((\${#COMP_WORDS[@]} - 1)); _lwaftrctl; printf '%s\\n' "\${COMPREPLY[@]}"`;
  const r = await execa('bash', ['-c', script, 'bash', 'lwaftrctl', ...words], { cwd: `${__dirname}/../..` });
  return r.stdout.split('\n').filter(Boolean).sort();
}

/** zsh: the function run with words/CURRENT set; compadd is a test double (zsh's own exists only in a widget). */
async function zsh(...words: string[]): Promise<string> {
  const script = `compadd() { print -r -- "\${(j: :)@:#--}" }
_files() { print -r -- '<files>' }
compdef() { }
source <(node ${CLI} completion zsh)
words=(lwaftrctl "$@"); CURRENT=$#words; _lwaftrctl`;
  return (await execa('zsh', ['-c', script, 'zsh', ...words])).stdout;
}

/** fish: complete -C, fish's own answer for a command line. */
async function fish(line: string): Promise<string[]> {
  const script = `node ${CLI} completion fish | source; complete -C ${JSON.stringify(line)}`;
  const r = await execa('fish', ['-c', script], { cwd: `${__dirname}/../..` });
  return r.stdout
    .split('\n')
    .filter(Boolean)
    .map((l) => l.split('\t')[0]!)
    .sort();
}

describe('completion', () => {
  it('bash: the script loads and registers itself', async () => {
    const r = await execa('bash', ['-c', `source <(node ${CLI} completion bash); complete -p lwaftrctl`]);
    expect(r.stdout).toBe('complete -F _lwaftrctl lwaftrctl');
  });

  it('bash: every command of the parser, then components, actions, states, options and files', async () => {
    expect(await bash('')).toEqual([...COMMANDS].sort());
    expect(await bash('wa')).toEqual(['wait']);
    expect(await bash('wait', '')).toEqual(['all', 'lwaftr', 'snabbnfv', 'vm']);
    expect(await bash('wait', 'vm', '')).toEqual(['running', 'stopped']);
    expect(await bash('vm', '')).toEqual(['restart', 'start', 'stop']);
    expect(await bash('-f', 'conf/lab.conf', 'start', '')).toEqual(['all', 'lwaftr', 'snabbnfv', 'vm']);
    expect(await bash('attach', 'snabbnfv', '')).toEqual(['1', '2']);
    expect(await bash('logs', '')).toEqual(['all', 'lwaftr', 'lwaftrctl', 'snabbnfv', 'vm']);
    expect(await bash('completion', '')).toEqual(['bash', 'fish', 'zsh']);
    expect(await bash('status', '--w')).toEqual(['--watch']);
    expect(await bash('-f', 'conf/lab')).toEqual(labConfs());
  });

  it('bash: after logs, -f is --follow and takes no file; nothing after ssh --', async () => {
    expect(await bash('logs', '-f', '')).toEqual(['all', 'lwaftr', 'lwaftrctl', 'snabbnfv', 'vm']);
    expect(await bash('logs', '--f')).toEqual(['--file', '--follow', '--force']);
    expect(await bash('ssh', '--', '')).toEqual([]);
    expect(await bash('wait', 'vm', 'running', '--timeout', '')).toEqual([]);
  });

  it('zsh: the same, offered through compadd; files for -f', async () => {
    expect((await zsh('')).split(' ').sort()).toEqual([...COMMANDS].sort());
    expect(await zsh('wait', 'all', '')).toBe('running stopped');
    expect(await zsh('-f', '')).toBe('<files>');
    expect(await zsh('logs', '-f', '')).toBe('snabbnfv vm lwaftr lwaftrctl all');
    expect(await zsh('ssh', '--', '')).toBe('');
  });

  it('fish: the same, by complete -C; commands with their descriptions', async () => {
    expect(await fish('lwaftrctl ')).toEqual([...COMMANDS].sort());
    expect(await fish('lwaftrctl wait lwaftr ')).toEqual(['running', 'stopped']);
    expect(await fish('lwaftrctl -f conf/lab')).toEqual(labConfs());
    expect(await fish('lwaftrctl logs -f ')).toEqual(['all', 'lwaftr', 'lwaftrctl', 'snabbnfv', 'vm']);
    const described = await execa('fish', ['-c', `node ${CLI} completion fish | source; complete -C'lwaftrctl li'`]);
    expect(described.stdout).toMatch(/^list\tevery lwaftrctl instance on this host/);
  });
});
