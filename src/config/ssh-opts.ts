// The bash tool passed $SSH_OPTS to ssh. We speak SSH ourselves (ssh2), so we honour the
// options that matter and refuse the rest by name rather than silently ignore them.
import { splitWords } from '../shell/split-words.js';
import { ValueError } from './parse-values.js';

export interface SshOpts {
  identityFile?: string;
  port?: string;
  user?: string;
  strictHostKeyChecking?: string;
  userKnownHostsFile?: string;
  connectTimeout?: string;
}

const OPTION_KEYS: Record<string, keyof SshOpts> = {
  stricthostkeychecking: 'strictHostKeyChecking',
  userknownhostsfile: 'userKnownHostsFile',
  connecttimeout: 'connectTimeout',
  identityfile: 'identityFile',
  port: 'port',
  user: 'user',
};

const FLAG_KEYS: Record<string, keyof SshOpts> = { '-i': 'identityFile', '-p': 'port', '-l': 'user' };

export function parseSshOpts(text: string, home: string): SshOpts {
  const words = splitWords(text, home);
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
    if (flag in FLAG_KEYS) {
      opts[FLAG_KEYS[flag]!] = takeArg();
    } else if (flag === '-o') {
      const option = takeArg();
      const m = /^([A-Za-z]+)(?:\s*=\s*|\s+)(.+)$/.exec(option);
      const key = m ? OPTION_KEYS[m[1]!.toLowerCase()] : undefined;
      if (!m || !key)
        throw new ValueError(
          `ssh option "-o ${option}" is not supported; lwaftrctl honours -o StrictHostKeyChecking, ` +
            `UserKnownHostsFile, ConnectTimeout, IdentityFile, Port, User`,
        );
      opts[key] = m[2]!;
    } else {
      throw new ValueError(
        `ssh option "${word}" is not supported; lwaftrctl honours -i, -p, -l and -o ` +
          `StrictHostKeyChecking/UserKnownHostsFile/ConnectTimeout`,
      );
    }
  }
  return opts;
}
