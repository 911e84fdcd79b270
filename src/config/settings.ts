// The keys a config file sets, expanded and under their preferred names, with typed getters
// that fall back to the key table's default. Problems are collected, never thrown, so that the
// operator sees every one at once.
import type { ConfigProblem } from '../errors.js';
import { SplitError } from '../shell/split-words.js';
import { didYouMean } from '../util/did-you-mean.js';
import { ExpansionError, expandValue } from './expand.js';
import { allKeyNames, findKey, keySpec } from './keys.js';
import { ValueError } from './parse-values.js';
import type { RawEntry } from './read-conf-file.js';

export interface BuildContext {
  file: string;
  env: Record<string, string | undefined>;
  home: string;
  /** Files a value names that are read as config too (an ssh_config given by SSH_OPTS -F). */
  readFile(path: string): string;
}

interface Setting {
  value: string;
  line: number;
  writtenAs: string;
  /** Set, but its value could not be expanded (already a problem): not also "required". */
  refused?: boolean;
}

export class Settings {
  readonly problems: ConfigProblem[] = [];
  readonly warnings: ConfigProblem[] = [];
  private readonly map = new Map<string, Setting>();
  private readonly guesses = new Map<string, string>();
  /** Keys whose value came from another key's (VM_SSH_KEY from SSH_OPTS -i). */
  private readonly derived = new Map<string, string>();

  constructor(
    entries: RawEntry[],
    readonly ctx: BuildContext,
  ) {
    this.collect(entries);
  }

  /** The expanded text of a key set in the file; undefined when unset or empty. */
  raw(key: string): string | undefined {
    const v = this.map.get(key)?.value;
    return v === undefined || v === '' ? undefined : v;
  }

  isSet(key: string): boolean {
    return this.raw(key) !== undefined;
  }

  /** Set, but refused while expanding (the problem is already recorded). */
  refused(key: string): boolean {
    return this.map.get(key)?.refused === true;
  }

  hasProblem(key: string): boolean {
    const writtenAs = this.map.get(key)?.writtenAs ?? key;
    return this.problems.some((p) => p.key === writtenAs);
  }

  /** Records a problem once, however many values are worked out from the same key. */
  problem(key: string, message: string): void {
    const p = this.at(key, message);
    if (!this.problems.some((q) => q.line === p.line && q.key === p.key && q.message === p.message))
      this.problems.push(p);
  }

  warn(key: string, message: string): void {
    this.warnings.push(this.at(key, message));
  }

  /** A key without a default: its parsed value, or undefined when unset or invalid. */
  optional<T>(key: string, parse: (v: string) => T): T | undefined {
    const v = this.raw(key);
    return v === undefined ? undefined : this.parse(key, v, parse);
  }

  /** A key with a default in the key table: its parsed value, else the default's. */
  value<T>(key: string, parse: (v: string) => T): T {
    const v = this.raw(key);
    if (v !== undefined) {
      const parsed = this.parse(key, v, parse);
      if (parsed !== undefined) return parsed;
    } else {
      try {
        return parse(this.defaultOf(key));
      } catch (e) {
        // The default refers to a key whose bad value is already reported.
        if (!(e instanceof ValueError || e instanceof SplitError)) throw e;
      }
    }
    // A problem is recorded and no Config will be returned: the table's own default stands in meanwhile.
    return parse(this.defaultOf(key, false));
  }

  required<T>(key: string, parse: (v: string) => T): T | undefined {
    if (this.isSet(key)) return this.optional(key, parse);
    if (!this.refused(key)) this.problem(key, `is required: ${keySpec(key).doc.replace(/ \(required\)$/, '')}`);
    return undefined;
  }

  /**
   * The default of a key, its `$KEY` references expanded from what the file set (or, with
   * `fromFile` false, from nothing but the table) and else from their own defaults.
   */
  defaultOf(key: string, fromFile = true): string {
    const spec = keySpec(key);
    if (spec.default === '' || spec.computed) throw new Error(`${key} has no default to fall back to`);
    const lookup = (name: string) => (fromFile ? this.raw(name) : undefined) ?? this.defaultOf(name, fromFile);
    return expandValue(spec.default, 'double', lookup, this.ctx.home, false);
  }

  /** `key` took its value from `from`: later problems about it point at `from`. */
  derive(key: string, from: string): void {
    this.derived.set(key, from);
  }

  /** Where each key was set, for problems found after the config is built. */
  sources(): Record<string, { line: number; writtenAs: string }> {
    const at = (k: string, s: Setting) => [k, { line: s.line, writtenAs: s.writtenAs }] as const;
    const derived = [...this.derived].flatMap(([k, from]) => (this.map.has(from) ? [at(k, this.map.get(from)!)] : []));
    return Object.fromEntries([...[...this.map].map(([k, s]) => at(k, s)), ...derived]);
  }

  private at(key: string, message: string): ConfigProblem {
    const s = this.map.get(key);
    return { file: this.ctx.file, line: s?.line, key: s?.writtenAs ?? key, message };
  }

  /** An unknown key no later value uses: an error when close to a key, else a warning. */
  private judgeUnknown(entry: RawEntry): void {
    const at = { file: this.ctx.file, line: entry.line, key: entry.key };
    // A file may repeat one unknown name many times: its guess is worked out once.
    const guess = this.guesses.get(entry.key) ?? didYouMean(entry.key, allKeyNames());
    this.guesses.set(entry.key, guess);
    if (guess) this.problems.push({ ...at, message: `unknown key${guess} (see conf/lwaftrctl.conf.example)` });
    else
      this.warnings.push({
        ...at,
        message: `is not a key lwaftrctl knows, and no later value uses it as $${entry.key}: ignored`,
        fix: 'remove it, or see conf/lwaftrctl.conf.example for the keys',
      });
  }

  private parse<T>(key: string, v: string, parse: (v: string) => T): T | undefined {
    try {
      return parse(v);
    } catch (e) {
      if (!(e instanceof ValueError || e instanceof SplitError)) throw e;
      this.problem(key, e.message);
      return undefined;
    }
  }

  /**
   * Expands each entry against earlier ones and maps old names onto new ones. A name that is no key
   * but is used later as $NAME is a helper variable, as bash-era files had (WORKSPACE=...); an
   * unknown key close to a real one is an error with its did-you-mean; any other is a warning.
   */
  private collect(entries: RawEntry[]): void {
    const { file, env, home } = this.ctx;
    const written = new Map<string, string>();
    const lookup = (n: string) => written.get(n) ?? this.map.get(findKey(n)?.name ?? '')?.value ?? env[n];
    const lastUse = lastUses(entries);
    for (const [i, entry] of entries.entries()) {
      const spec = findKey(entry.key);
      let value: string;
      try {
        value = expandValue(entry.value, entry.quoting, lookup, home, spec?.guest === true);
      } catch (e) {
        if (!(e instanceof ExpansionError)) throw e;
        this.problems.push({ file, line: entry.line, key: entry.key, message: e.message });
        if (spec) this.map.set(spec.name, { value: '', line: entry.line, writtenAs: entry.key, refused: true });
        continue;
      }
      if (!spec) {
        written.set(entry.key, value);
        if ((lastUse.get(entry.key) ?? -1) <= i) this.judgeUnknown(entry);
        continue;
      }
      const earlier = this.map.get(spec.name);
      if (earlier && earlier.writtenAs !== entry.key && earlier.value !== value) {
        const message = `is the old name of ${spec.name}, already set to a different value at line ${earlier.line}`;
        this.problems.push({ file, line: entry.line, key: entry.key, message: `${message}; keep one` });
      }
      written.set(entry.key, value);
      this.map.set(spec.name, { value, line: entry.line, writtenAs: entry.key });
    }
  }
}

/** For each $NAME that a value expands, the index of the last entry that does (one pass, for big files). */
function lastUses(entries: RawEntry[]): Map<string, number> {
  const last = new Map<string, number>();
  for (const [i, e] of entries.entries())
    if (e.quoting !== 'single') for (const m of e.value.matchAll(/\$\{?([A-Za-z_][A-Za-z0-9_]*)/g)) last.set(m[1]!, i);
  return last;
}
