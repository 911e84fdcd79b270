// The guest SSH section: VM_* keys, or the bash tool's SSH_OPTS where those are not set.
import path from 'node:path';
import {
  hostPathIn,
  parseChoice,
  parseHostKeyPolicy,
  parseInteger,
  parseIpv4,
  parsePort,
  parseSeconds,
  parseWord,
} from './parse-values.js';
import type { Settings } from './settings.js';
import { parseSshOpts, type SshOpts } from './ssh-opts.js';
import type { GuestSsh } from './types.js';

/** The host ssh would have been given: 127.0.0.1 with user networking, else VM_IP. */
function sshHostOf(s: Settings): string {
  if (s.value('MGMT_NET', (v) => parseChoice(v, ['tap', 'user'] as const)) === 'user') return '127.0.0.1';
  return s.value('VM_IP', (v) => parseIpv4(v).split('/')[0]!);
}

// SSH_OPTS is read by the SSH and the VM sections both; parsed (its -F file read) once per config.
const parsedSshOpts = new WeakMap<Settings, SshOpts>();

function sshOpts(s: Settings): SshOpts {
  let opts = parsedSshOpts.get(s);
  if (!opts) {
    const cx = { home: s.ctx.home, host: sshHostOf(s), readFile: s.ctx.readFile };
    opts = s.optional('SSH_OPTS', (v) => parseSshOpts(v, cx)) ?? {};
    parsedSshOpts.set(s, opts);
  }
  return opts;
}

/**
 * A key set in the file wins over the same setting in SSH_OPTS, which wins over the default.
 * Taken from SSH_OPTS, the key's later problems (the doctor's) point at SSH_OPTS and its line.
 */
function fromKeyOrSshOpts<T>(s: Settings, key: string, fromOpts: string | undefined, parse: (v: string) => T): T {
  if (s.isSet(key) || fromOpts === undefined) return s.value(key, parse);
  s.derive(key, 'SSH_OPTS');
  return s.optional('SSH_OPTS', () => parse(fromOpts)) ?? s.value(key, parse);
}

/** The guest's SSH port, and whether it is only the default. */
export function sshPortOf(s: Settings): { port: number; fromDefault: boolean } {
  const fromOpts = sshOpts(s).port;
  return {
    port: fromKeyOrSshOpts(s, 'VM_SSH_PORT', fromOpts, parsePort),
    fromDefault: !s.isSet('VM_SSH_PORT') && fromOpts === undefined,
  };
}

/** VM_SSH_KEY, or SSH_OPTS -i (which then answers for it), or none: the agent and default keys. */
function identityFileOf(s: Settings, fromOpts: string | undefined, hostPath: (v: string) => string) {
  if (s.isSet('VM_SSH_KEY') || fromOpts === undefined) return s.optional('VM_SSH_KEY', hostPath);
  s.derive('VM_SSH_KEY', 'SSH_OPTS');
  return s.optional('SSH_OPTS', () => hostPath(fromOpts));
}

export function buildSsh(s: Settings): GuestSsh {
  const opts = sshOpts(s);
  const hostPath = hostPathIn(path.dirname(s.ctx.file));
  const checkText = s.raw('VM_HOST_KEY_CHECK') ?? opts.strictHostKeyChecking;
  if (checkText && ['no', 'off'].includes(checkText.toLowerCase()))
    s.warn(
      s.isSet('VM_HOST_KEY_CHECK') ? 'VM_HOST_KEY_CHECK' : 'SSH_OPTS',
      `StrictHostKeyChecking=${checkText} is taken as accept-new: lwaftrctl records a new guest key but never ` +
        `connects to a changed one`,
    );
  const fromOpts = (text: string | undefined, parse: (v: string) => number) =>
    text === undefined ? undefined : s.optional('SSH_OPTS', () => parse(text));
  return {
    host: sshHostOf(s),
    port: sshPortOf(s).port,
    user: fromKeyOrSshOpts(s, 'VM_USER', opts.user, parseWord),
    identityFile: identityFileOf(s, opts.identityFile, hostPath),
    knownHosts: fromKeyOrSshOpts(s, 'VM_KNOWN_HOSTS', opts.userKnownHostsFile, hostPath),
    hostKeyCheck: fromKeyOrSshOpts(s, 'VM_HOST_KEY_CHECK', opts.strictHostKeyChecking, parseHostKeyPolicy),
    connectTimeoutMs: fromKeyOrSshOpts(s, 'TIMEOUT_SSH_CONNECT', opts.connectTimeout, parseSeconds),
    keepaliveIntervalMs: fromOpts(opts.serverAliveInterval, parseSeconds),
    keepaliveCountMax: fromOpts(opts.serverAliveCountMax, (v) => parseInteger(v, 1, 1000)),
  };
}
