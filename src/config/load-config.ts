// The I/O edge of config/: finds and reads the file and returns a validated Config, or throws
// one ConfigError listing every problem. What the host must offer is the doctor's business.
import { isUtf8 } from 'node:buffer';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigError, type ConfigProblem } from '../errors.js';
import { buildConfig } from './build-config.js';
import { readConfText } from './read-conf-file.js';
import type { Config } from './types.js';

export const DEFAULT_CONF = 'lwaftrctl.conf';

export interface LoadOptions {
  /** -f value, if given. */
  file?: string;
  cwd: string;
  env: Record<string, string | undefined>;
}

export function loadConfig(opts: LoadOptions): Config {
  const file = findConfFile(opts);
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(file);
  } catch (e) {
    throw new ConfigError([{ file, message: `cannot read: ${(e as Error).message}` }]);
  }
  // Decoding would turn bytes that are not UTF-8 into U+FFFD, silently changing a path: refuse them.
  if (!isUtf8(bytes))
    throw new ConfigError(
      nonUtf8Lines(bytes).map((bad) => ({
        file,
        ...bad,
        message: 'is not UTF-8 text (Latin-1?); save the file as UTF-8',
      })),
    );
  const text = bytes.toString('utf8');
  const parsed = readConfText(text, file);
  const home = opts.env.HOME ?? os.homedir();
  const built = buildConfig(parsed.entries, { file, env: opts.env, home, readFile: (p) => fs.readFileSync(p, 'utf8') });
  const problems = [...parsed.problems, ...built.problems];
  if (problems.length > 0 || !built.config) throw new ConfigError(sortProblems(problems));
  return built.config;
}

function findConfFile(opts: LoadOptions): string {
  if (opts.file !== undefined) {
    const file = path.resolve(opts.cwd, opts.file);
    if (!fs.existsSync(file))
      throw new ConfigError([
        { file, message: 'does not exist (given with -f); conf/lwaftrctl.conf.example lists every key' },
      ]);
    return file;
  }
  const tried = path.resolve(opts.cwd, DEFAULT_CONF);
  if (fs.existsSync(tried)) return tried;
  throw new ConfigError([
    {
      file: tried,
      message: 'no config file here (the default); pass one with -f FILE; conf/lwaftrctl.conf.example lists every key',
    },
  ]);
}

/** The lines whose bytes are not UTF-8, with the key each assigns, if any. */
function nonUtf8Lines(bytes: Buffer): { line: number; key?: string }[] {
  const bad: { line: number; key?: string }[] = [];
  let start = 0;
  for (let line = 1; start <= bytes.length; line++) {
    let end = bytes.indexOf(0x0a, start);
    if (end < 0) end = bytes.length;
    const text = bytes.subarray(start, end);
    if (!isUtf8(text))
      bad.push({ line, key: /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)=/.exec(text.toString('latin1'))?.[1] });
    start = end + 1;
  }
  return bad;
}

function sortProblems(problems: ConfigProblem[]): ConfigProblem[] {
  return [...problems].sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
}
