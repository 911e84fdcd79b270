// Reads a bash-era KEY=VALUE file without executing it: dotenv parses each value,
// we keep line numbers and how the value was quoted (quoting decides expansion, as in bash).
import { parse as parseDotenv } from 'dotenv';
import type { ConfigProblem } from '../errors.js';

export type Quoting = 'none' | 'single' | 'double';

export interface RawEntry {
  key: string;
  value: string;
  quoting: Quoting;
  line: number;
}

const ASSIGNMENT = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)=(.*)$/;

/** Splits the text into assignments; lines that are not assignments become problems. */
export function readConfText(text: string, file: string): { entries: RawEntry[]; problems: ConfigProblem[] } {
  const entries: RawEntry[] = [];
  const problems: ConfigProblem[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const lineNo = i + 1;
    const line = lines[i]!;
    if (/^\s*(#.*)?$/.test(line)) continue;
    const m = ASSIGNMENT.exec(line);
    if (!m) {
      problems.push({ file, line: lineNo, message: `not a KEY=VALUE line: ${JSON.stringify(line.trim())} (lwaftrctl reads its config file, it never runs it as bash)` });
      continue;
    }
    const key = m[1]!;
    let rawValue = m[2]!;
    const quoting = quotingOf(rawValue);
    // A quoted value may span lines, as in bash.
    while (quoting !== 'none' && !isClosed(rawValue, quoting) && i + 1 < lines.length) {
      i++;
      rawValue += '\n' + lines[i];
    }
    if (quoting !== 'none' && !isClosed(rawValue, quoting)) {
      problems.push({ file, line: lineNo, key, message: `the ${quoting}-quoted value is never closed` });
      continue;
    }
    if (quoting !== 'none' && !/^\s*(#.*)?$/.test(afterClosingQuote(rawValue, quoting))) {
      problems.push({ file, line: lineNo, key, message: 'text after the closing quote; quote the whole value' });
      continue;
    }
    // dotenv would take `...` as quotes; in bash they run a command, which expansion refuses.
    const value = quoting === 'none' && rawValue.includes('`') ? rawValue.replace(/\s+#.*$/, '').trim() : (parseDotenv(`${key}=${rawValue}`)[key] ?? '');
    entries.push({ key, value, quoting, line: lineNo });
  }
  return { entries, problems };
}

function quotingOf(rawValue: string): Quoting {
  const first = rawValue.trimStart()[0];
  if (first === "'") return 'single';
  if (first === '"') return 'double';
  return 'none';
}

function closingIndex(rawValue: string, quoting: Quoting): number {
  const body = rawValue.trimStart();
  const quote = quoting === 'single' ? "'" : '"';
  for (let j = 1; j < body.length; j++) {
    if (quoting === 'double' && body[j] === '\\') {
      j++;
      continue;
    }
    if (body[j] === quote) return rawValue.length - body.length + j;
  }
  return -1;
}

function isClosed(rawValue: string, quoting: Quoting): boolean {
  return closingIndex(rawValue, quoting) >= 0;
}

function afterClosingQuote(rawValue: string, quoting: Quoting): string {
  return rawValue.slice(closingIndex(rawValue, quoting) + 1);
}
