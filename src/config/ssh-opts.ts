// The bash tool passed $SSH_OPTS to ssh. We speak SSH ourselves (ssh2), so we honour every option
// ssh2 can honour (including the entries of an -F file that apply to the guest), let pass those
// that change nothing for a tool that runs commands without a terminal, and refuse the rest, each
// saying why.
import { splitWords } from '../shell/split-words.js';
import { patternsMatch } from '../util/host-patterns.js';
import { ValueError } from './parse-values.js';

export interface SshOpts {
  identityFile?: string;
  port?: string;
  user?: string;
  strictHostKeyChecking?: string;
  userKnownHostsFile?: string;
  connectTimeout?: string;
  serverAliveInterval?: string;
  serverAliveCountMax?: string;
}

const HONOURED: Record<string, keyof SshOpts> = {
  identityfile: 'identityFile',
  port: 'port',
  user: 'user',
  stricthostkeychecking: 'strictHostKeyChecking',
  userknownhostsfile: 'userKnownHostsFile',
  connecttimeout: 'connectTimeout',
  serveraliveinterval: 'serverAliveInterval',
  serveralivecountmax: 'serverAliveCountMax',
};

/** Options that change nothing here: lwaftrctl never prompts, opens no terminal and forwards nothing. */
const NO_EFFECT = new Set([
  'loglevel',
  'batchmode',
  'passwordauthentication',
  'kbdinteractiveauthentication',
  'pubkeyauthentication',
  'identitiesonly',
  'requesttty',
  'compression',
  'tcpkeepalive',
  'controlmaster',
  'controlpath',
  'controlpersist',
  'hashknownhosts',
  'visualhostkey',
  'addkeystoagent',
  'checkhostip',
  'forwardx11',
  'forwardagent',
]);

/** Why lwaftrctl cannot honour an option (by its lower-case name). */
const REFUSED: Record<string, string> = {
  proxycommand: 'lwaftrctl connects to the guest directly and runs no proxy command',
  proxyjump: 'lwaftrctl connects to the guest directly, without a jump host',
  hostname: 'the guest is reached at VM_IP (or 127.0.0.1 with MGMT_NET=user): set VM_IP instead',
  localforward: 'lwaftrctl forwards no ports',
  remoteforward: 'lwaftrctl forwards no ports',
  dynamicforward: 'lwaftrctl forwards no ports',
};

const VALUE_FLAGS: Record<string, keyof SshOpts> = { '-i': 'identityFile', '-p': 'port', '-l': 'user' };
const NO_EFFECT_FLAGS = new Set(['-q', '-T', '-n', '-x', '-a', '-C', '-4', '-v']);
const REFUSED_FLAGS: Record<string, string> = {
  '-A': 'lwaftrctl forwards no agent to the guest',
  '-X': 'lwaftrctl opens no X11 session',
  '-Y': 'lwaftrctl opens no X11 session',
  '-t': 'lwaftrctl runs guest commands without a terminal',
  '-L': 'lwaftrctl forwards no ports',
  '-R': 'lwaftrctl forwards no ports',
  '-D': 'lwaftrctl forwards no ports',
  '-J': 'lwaftrctl connects to the guest directly, without a jump host',
  '-6': 'the guest is reached over IPv4 (VM_IP)',
};

export interface SshOptsContext {
  home: string;
  /** The host ssh would have been given: -F entries apply when their Host patterns name it. */
  host: string;
  readFile(path: string): string;
}

/** Options in the order given; as in ssh, the first value of each wins. */
export function parseSshOpts(text: string, cx: SshOptsContext): SshOpts {
  const words = splitWords(text, cx.home);
  const opts: SshOpts = {};
  for (let i = 0; i < words.length; i++) {
    const word = words[i]!;
    const flag = word.slice(0, 2);
    const attached = word.length > 2 ? word.slice(2) : undefined;
    const takeArg = () => {
      if (attached !== undefined) return attached;
      const next = words[++i];
      if (next === undefined) throw new ValueError(`${flag} needs a value`);
      return next;
    };
    if (flag in VALUE_FLAGS) opts[VALUE_FLAGS[flag]!] ??= takeArg();
    else if (flag === '-o') takeOption(opts, takeArg(), '-o ');
    else if (flag === '-F') {
      for (const [k, v] of readConfigFile(takeArg(), cx)) takeOption(opts, `${k}=${v}`, 'in -F: ');
    } else if (NO_EFFECT_FLAGS.has(word)) continue;
    else if (flag in REFUSED_FLAGS) throw cannot(word, REFUSED_FLAGS[flag]!);
    else throw new ValueError(`ssh option "${word}" is not one lwaftrctl knows how to honour; remove it`);
  }
  return opts;
}

function takeOption(opts: SshOpts, option: string, where: string): void {
  const m = /^([A-Za-z]+)(?:\s*=\s*|\s+)(.+)$/.exec(option.trim());
  if (!m) throw new ValueError(`ssh option "${where}${option}" is not Keyword=value`);
  const name = m[1]!.toLowerCase();
  const value = m[2]!.trim();
  const key = HONOURED[name];
  const forwards = (name === 'forwardagent' || name === 'forwardx11') && /^yes$/i.test(value);
  if (key) opts[key] ??= value;
  else if (REFUSED[name] || forwards) throw cannot(`${where}${m[1]}`, REFUSED[name] ?? 'lwaftrctl forwards nothing');
  else if (!NO_EFFECT.has(name))
    throw new ValueError(`ssh option "${where}${m[1]}" is not one lwaftrctl knows how to honour; remove it`);
}

function cannot(option: string, why: string): ValueError {
  return new ValueError(`ssh option "${option}" cannot be honoured: ${why}`);
}

/** The Keyword value pairs of an ssh_config file that apply to cx.host, in file order. */
function readConfigFile(file: string, cx: SshOptsContext): [string, string][] {
  let text: string;
  try {
    text = cx.readFile(file);
  } catch (e) {
    throw new ValueError(`-F ${file}: cannot read it (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  const pairs: [string, string][] = [];
  let applies = true;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const m = /^(\S+?)(?:\s*=\s*|\s+)(.*)$/.exec(line);
    if (!m) continue;
    const keyword = m[1]!.toLowerCase();
    // Match blocks ask for more than a host name: their entries are not taken.
    if (keyword === 'host') applies = patternsMatch(m[2]!.split(/\s+/), cx.host);
    else if (keyword === 'match') applies = false;
    else if (applies) pairs.push([m[1]!, m[2]!.replace(/^"(.*)"$/, '$1')]);
  }
  return pairs;
}
