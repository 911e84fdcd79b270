// Builds Configs from config text in memory, for unit tests of config and plans.
import { buildConfig } from '../../src/config/build-config.js';
import { readConfText } from '../../src/config/read-conf-file.js';
import type { Config } from '../../src/config/types.js';
import type { ConfigProblem } from '../../src/errors.js';

export const FILE = '/etc/lwaftrctl/test.conf';
export const HOME = '/home/op';

/** Files that a config may read beside itself (an ssh_config named by SSH_OPTS -F), by path. */
export const NO_FILES = (p: string): string => {
  throw Object.assign(new Error(`ENOENT: ${p}`), { code: 'ENOENT' });
};

export function parseConf(
  text: string,
  env: Record<string, string> = {},
  files: Record<string, string> = {},
): { config?: Config; problems: ConfigProblem[] } {
  const read = readConfText(text, FILE);
  const readFile = (p: string) => files[p] ?? NO_FILES(p);
  const built = buildConfig(read.entries, { file: FILE, env: { HOME, ...env }, home: HOME, readFile });
  return { config: built.config, problems: [...read.problems, ...built.problems] };
}

export function configOf(text: string, env: Record<string, string> = {}): Config {
  const { config, problems } = parseConf(text, env);
  if (!config)
    throw new Error(`unexpected problems:\n${problems.map((p) => `${p.line}: ${p.key}: ${p.message}`).join('\n')}`);
  return config;
}

/** Problems as "line KEY: message" strings, easy to compare. */
export function problemsOf(text: string, env: Record<string, string> = {}): string[] {
  return parseConf(text, env).problems.map((p) => `${p.line ?? '-'} ${p.key ?? '-'}: ${p.message}`);
}

/** The smallest valid config; tests add or override lines. */
export const MINIMAL = `SNABB_PATH=/opt/snabb
SNABBNFV_PCI1=0000:02:00.0
SNABBNFV_CONF1=/etc/lwaftr/a.cfg
SNABBNFV_CORE1=1
SNABBNFV_PCI2=0000:02:00.1
SNABBNFV_CONF2=/etc/lwaftr/b.cfg
SNABBNFV_CORE2=2
BZ_IMAGE=/vm/bzImage
`;
