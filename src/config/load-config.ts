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

/** A config file is a screenful of KEY=VALUE lines: anything far bigger is not one. */
export const MAX_CONF_BYTES = 1024 * 1024;

/** At most this many problems are listed, then a count: a screenful, not a flood. */
export const MAX_PROBLEMS = 20;

export interface LoadOptions {
  /** -f value, if given. */
  file?: string;
  cwd: string;
  env: Record<string, string | undefined>;
}

export function loadConfig(opts: LoadOptions): Config {
  const file = findConfFile(opts);
  const bytes = readBounded(file);
  // Decoding would turn bytes that are not UTF-8 into U+FFFD, silently changing a path: refuse them.
  if (!isUtf8(bytes))
    throw configError(
      file,
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
  if (problems.length > 0 || !built.config) throw configError(file, problems);
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

/** Problems in line order, at most a screenful of them and the count of the rest. */
function configError(file: string, problems: ConfigProblem[]): ConfigError {
  const sorted = [...problems].sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
  if (sorted.length <= MAX_PROBLEMS) return new ConfigError(sorted);
  const rest = sorted.length - MAX_PROBLEMS;
  const message = `and ${rest} more problems; fix those above first (is this a config file?)`;
  return new ConfigError([...sorted.slice(0, MAX_PROBLEMS), { file, message }]);
}

/** A regular file of at most MAX_CONF_BYTES, checked before reading (a pipe or /dev/zero never ends). */
function readBounded(file: string): Buffer {
  let fd: number | undefined;
  try {
    // O_NONBLOCK: opening a named pipe must not wait for a writer.
    fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
    const st = fs.fstatSync(fd);
    if (!st.isFile())
      throw new ConfigError([{ file, message: `is not a regular file (${kindOf(st)}); give a config file` }]);
    if (st.size > MAX_CONF_BYTES)
      throw new ConfigError([
        { file, message: `is ${st.size} bytes; a config file is at most 1 MiB: is this the right file?` },
      ]);
    return fs.readFileSync(fd);
  } catch (e) {
    if (e instanceof ConfigError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    const fix = code === 'EACCES' ? 'run lwaftrctl as root, or make the file readable' : undefined;
    throw new ConfigError([{ file, message: `cannot read it (${code ?? (e as Error).message})`, fix }]);
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

function kindOf(st: fs.Stats): string {
  if (st.isDirectory()) return 'a folder';
  if (st.isFIFO()) return 'a named pipe';
  if (st.isCharacterDevice() || st.isBlockDevice()) return 'a device';
  return 'not a file';
}
