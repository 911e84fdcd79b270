// The guest SSH section: VM_* keys, or the bash tool's SSH_OPTS where those are not set.
import path from 'node:path';
import {
  hostPathIn,
  parseChoice,
  parseHostKeyPolicy,
  parseIpv4,
  parsePort,
  parseSeconds,
  parseWord,
} from './parse-values.js';
import type { Settings } from './settings.js';
import { parseSshOpts, type SshOpts } from './ssh-opts.js';
import type { GuestSsh } from './types.js';

function sshOpts(s: Settings): SshOpts {
  return s.optional('SSH_OPTS', (v) => parseSshOpts(v, s.ctx.home)) ?? {};
}

/** A key set in the file wins over the same setting in SSH_OPTS, which wins over the default. */
function fromKeyOrSshOpts<T>(s: Settings, key: string, fromOpts: string | undefined, parse: (v: string) => T): T {
  if (s.isSet(key) || fromOpts === undefined) return s.value(key, parse);
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

export function buildSsh(s: Settings): GuestSsh {
  const opts = sshOpts(s);
  const hostPath = hostPathIn(path.dirname(s.ctx.file));
  const identityFile =
    s.isSet('VM_SSH_KEY') || opts.identityFile === undefined
      ? s.optional('VM_SSH_KEY', hostPath)
      : s.optional('SSH_OPTS', () => hostPath(opts.identityFile!));
  const checkText = s.raw('VM_HOST_KEY_CHECK') ?? opts.strictHostKeyChecking;
  if (checkText && ['no', 'off'].includes(checkText.toLowerCase()))
    s.warn(
      s.isSet('VM_HOST_KEY_CHECK') ? 'VM_HOST_KEY_CHECK' : 'SSH_OPTS',
      `StrictHostKeyChecking=${checkText} is taken as accept-new: lwaftrctl records a new guest key but never ` +
        `connects to a changed one`,
    );
  const user = s.value('MGMT_NET', (v) => parseChoice(v, ['tap', 'user'] as const));
  return {
    host: user === 'user' ? '127.0.0.1' : s.value('VM_IP', (v) => parseIpv4(v).split('/')[0]!),
    port: sshPortOf(s).port,
    user: fromKeyOrSshOpts(s, 'VM_USER', opts.user, parseWord),
    identityFile,
    knownHosts: fromKeyOrSshOpts(s, 'VM_KNOWN_HOSTS', opts.userKnownHostsFile, hostPath),
    hostKeyCheck: fromKeyOrSshOpts(s, 'VM_HOST_KEY_CHECK', opts.strictHostKeyChecking, parseHostKeyPolicy),
    connectTimeoutMs: fromKeyOrSshOpts(s, 'TIMEOUT_SSH_CONNECT', opts.connectTimeout, parseSeconds),
  };
}
