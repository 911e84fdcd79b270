// LWAFTRCTL_CONF: the config file for every command of a shell session or CI job, unless the
// words name one with -f/--file (which wins).
import fs from 'node:fs';
import path from 'node:path';
import type { GlobalOptions } from '../commands/global-options.js';
import { ConfigError } from '../errors.js';

export const CONF_VARIABLE = 'LWAFTRCTL_CONF';

export function configFromEnvironment<O extends GlobalOptions>(
  options: O,
  env: Record<string, string | undefined>,
  cwd: string,
): O {
  const named = env[CONF_VARIABLE];
  if (options.file !== undefined || !named) return options;
  const file = path.resolve(cwd, named);
  if (!fs.existsSync(file))
    throw new ConfigError([
      {
        file,
        message: `does not exist (named by ${CONF_VARIABLE})`,
        fix:
          `set ${CONF_VARIABLE} to a config file, pass one with -f FILE, ` +
          `or unset ${CONF_VARIABLE} to read ./lwaftrctl.conf`,
      },
    ]);
  return { ...options, file };
}
