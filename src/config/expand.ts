// Expands `~`, `$KEY`, `${KEY}` and `${KEY:-default}` the way bash would at assignment,
// from keys defined earlier in the file, then the environment. Nothing is ever executed:
// command substitution is refused rather than carried, since the operator meant it to run.
import type { Quoting } from './read-conf-file.js';

export type Lookup = (name: string) => string | undefined;

export class ExpansionError extends Error {}

export function expandValue(value: string, quoting: Quoting, lookup: Lookup, home: string, keepTilde: boolean): string {
  if (quoting === 'single') return value;
  let out = '';
  let i = 0;
  if (quoting === 'none' && !keepTilde && (value === '~' || value.startsWith('~/'))) {
    out = home;
    i = 1;
  }
  while (i < value.length) {
    const c = value[i]!;
    if (
      c === '\\' &&
      (value[i + 1] === '$' ||
        value[i + 1] === '`' ||
        value[i + 1] === '\\' ||
        (quoting === 'double' && value[i + 1] === '"'))
    ) {
      out += value[i + 1];
      i += 2;
      continue;
    }
    // In double quotes, as in bash, a backslash before a line break joins the lines.
    if (c === '\\' && quoting === 'double' && value[i + 1] === '\n') {
      i += 2;
      continue;
    }
    if (c === '`')
      throw new ExpansionError(
        'backticks (command substitution) are not run: lwaftrctl never executes its config; write the value out',
      );
    if (c !== '$') {
      out += c;
      i++;
      continue;
    }
    const next = value[i + 1];
    if (next === '(')
      throw new ExpansionError(
        '$(...) (command substitution) is not run: lwaftrctl never executes its config; write the value out',
      );
    if (next === '{') {
      const end = value.indexOf('}', i + 2);
      if (end < 0) throw new ExpansionError('"${" is never closed with "}"');
      out += expandBraced(value.slice(i + 2, end), lookup);
      i = end + 1;
      continue;
    }
    const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(value.slice(i + 1));
    if (!m) {
      out += '$';
      i++;
      continue;
    }
    out += mustLookup(m[0], lookup);
    i += 1 + m[0].length;
  }
  return out;
}

function expandBraced(inner: string, lookup: Lookup): string {
  const m = /^([A-Za-z_][A-Za-z0-9_]*)(?:(:?-)(.*))?$/s.exec(inner);
  if (!m)
    throw new ExpansionError(`\${${inner}} is not a variable lwaftrctl can expand (only \${KEY} and \${KEY:-default})`);
  const [, name, op, fallback] = m;
  const value = lookup(name!);
  if (op === ':-' && (value === undefined || value === '')) return fallback!;
  if (op === '-' && value === undefined) return fallback!;
  return op ? value! : mustLookup(name!, lookup);
}

function mustLookup(name: string, lookup: Lookup): string {
  const value = lookup(name);
  if (value === undefined) throw new ExpansionError(`$${name} is not set earlier in the file nor in the environment`);
  return value;
}
