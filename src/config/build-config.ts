// Raw entries → one typed Config. Pure: the environment, home folder and file name are passed in.
// Every problem is collected (with line and key) instead of stopping at the first.
import path from 'node:path';
import type { ConfigProblem } from '../errors.js';
import { buildLwaftr } from './build-lwaftr.js';
import { buildSnabbnfv } from './build-snabbnfv.js';
import { buildSsh } from './build-ssh.js';
import { buildVm } from './build-vm.js';
import { hostPathIn, MAX_SOCKET_PATH, parseInteger, parseSeconds, parseWord } from './parse-values.js';
import type { RawEntry } from './read-conf-file.js';
import { type BuildContext, Settings } from './settings.js';
import type { Config, Timeouts } from './types.js';

export type { BuildContext } from './settings.js';

/** File name of QEMU's QMP socket in STATE_DIR (plan/instance-paths.ts puts it there). */
export const QMP_SOCKET_NAME = 'qmp.sock';

export function buildConfig(entries: RawEntry[], ctx: BuildContext): { config?: Config; problems: ConfigProblem[] } {
  const s = new Settings(entries, ctx);
  const hostPath = hostPathIn(path.dirname(ctx.file));
  const name = s.value('NAME', parseWord);
  const stateDir = s.value('STATE_DIR', hostPath);
  checkQmpSocketLength(s, stateDir);
  const snabbPath = s.required('SNABB_PATH', hostPath);
  const numaNode = s.optional('NUMA_NODE', (v) => parseInteger(v, 0, 1023));
  const snabbnfv = buildSnabbnfv(s);
  const vm = buildVm(s);
  for (const port of snabbnfv?.ports ?? [])
    if (port.mac === vm.mgmt.mac && !s.hasProblem(`SNABBNFV_MAC${port.index}`))
      s.problem('MGMT_MAC', `is the same MAC as SNABBNFV_MAC${port.index} (${port.mac}); each guest NIC needs its own`);
  const ssh = buildSsh(s);
  const lwaftr = buildLwaftr(s, name, snabbPath);
  const timeouts = buildTimeouts(s);
  if (s.isSet('LWAFTR_DELAY'))
    s.warn('LWAFTR_DELAY', 'is ignored: lwaftrctl waits until the guest answers instead of sleeping');
  if (s.problems.length > 0 || !snabbPath || !snabbnfv || !ssh || !lwaftr) return { problems: s.problems };
  const config: Config = {
    file: ctx.file,
    name,
    stateDir,
    snabbPath,
    numaNode,
    snabbnfv,
    vm,
    ssh,
    lwaftr,
    timeouts,
    warnings: s.warnings,
    sources: s.sources(),
  };
  return { problems: [], config };
}

function checkQmpSocketLength(s: Settings, stateDir: string): void {
  const qmpSocket = path.join(stateDir, QMP_SOCKET_NAME);
  const bytes = Buffer.byteLength(qmpSocket);
  if (bytes <= MAX_SOCKET_PATH) return;
  const why =
    `the QMP socket ${qmpSocket} would be ${bytes} bytes; a unix socket path must be at most ` + `${MAX_SOCKET_PATH}`;
  if (s.isSet('STATE_DIR')) s.problem('STATE_DIR', `${why}: pick a shorter STATE_DIR`);
  else s.problem(s.isSet('NAME') ? 'NAME' : 'STATE_DIR', `${why}: pick a shorter NAME, or set a short STATE_DIR`);
}

const TIMEOUT_KEYS: Record<keyof Timeouts, string> = {
  snabbnfvStartMs: 'TIMEOUT_SNABBNFV_START',
  vmStartMs: 'TIMEOUT_VM_START',
  sshMs: 'TIMEOUT_SSH',
  sshConnectMs: 'TIMEOUT_SSH_CONNECT',
  lwaftrStartMs: 'TIMEOUT_LWAFTR_START',
  powerdownMs: 'TIMEOUT_POWERDOWN',
  quitMs: 'TIMEOUT_QUIT',
  termMs: 'TIMEOUT_TERM',
  lockMs: 'TIMEOUT_LOCK',
};

function buildTimeouts(s: Settings): Timeouts {
  const entries = Object.entries(TIMEOUT_KEYS).map(([field, key]) => [field, s.value(key, parseSeconds)]);
  return Object.fromEntries(entries) as Timeouts;
}
