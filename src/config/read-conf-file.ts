// Reads a bash-era KEY=VALUE file without executing it, value by value as bash would read an
// assignment: a single-quoted value is taken as written, a double-quoted one up to its closing
// quote (its backslashes are left for expansion), an unquoted one up to a comment that starts a
// word. We keep line numbers and how the value was quoted (quoting decides expansion, as in bash).
// (dotenv parsed values here once: it takes \' for an escape inside single quotes, cuts unquoted
// values at any #, and turns \n inside double quotes into a line break; bash does none of that.)
import type { ConfigProblem } from '../errors.js';

export type Quoting = 'none' | 'single' | 'double';

export interface RawEntry {
  key: string;
  value: string;
  quoting: Quoting;
  line: number;
}

// `s`: a value may hold a carriage return or U+2028, which `.` alone would not match.
const ASSIGNMENT = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)=(.*)$/s;
const SPACED_ASSIGNMENT = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s+=/;

/** Splits the text into assignments; lines that are not assignments become problems. */
export function readConfText(text: string, file: string): { entries: RawEntry[]; problems: ConfigProblem[] } {
  const entries: RawEntry[] = [];
  const problems: ConfigProblem[] = [];
  const lines = withoutNuls(text.split(/\r?\n/), file, problems);
  for (let i = 0; i < lines.length; i++) {
    const lineNo = i + 1;
    const line = lines[i]!;
    if (/^\s*(#.*)?$/.test(line)) continue;
    const m = ASSIGNMENT.exec(line);
    if (!m) {
      problems.push(notAnAssignment(line, lineNo, file));
      continue;
    }
    const key = m[1]!;
    let rawValue = m[2]!;
    const quoting = quotingOf(rawValue);
    if (quoting === 'none') {
      entries.push({ key, value: stripComment(rawValue).trim(), quoting, line: lineNo });
      continue;
    }
    const open = rawValue.length - rawValue.trimStart().length;
    const quote = rawValue[open]!;
    // A quoted value may span lines, as in bash. Each line is scanned once (the line break between
    // two lines takes up a backslash that ends the first), so the time stays linear in the file.
    const parts = [rawValue];
    let close = findClosing(rawValue, quote, open + 1);
    while (close < 0 && i + 1 < lines.length) {
      i++;
      parts.push(lines[i]!);
      close = findClosing(lines[i]!, quote, 0);
    }
    if (close < 0) {
      problems.push({ file, line: lineNo, key, message: `the ${quoting}-quoted value is never closed` });
      continue;
    }
    rawValue = parts.join('\n');
    close += rawValue.length - parts[parts.length - 1]!.length;
    const after = rawValue.slice(close + 1);
    // As in bash, a comment starts a word: `'a'#b` is not 'a' and a comment.
    if (!/^(?:\s*|\s+#.*)$/s.test(after)) {
      const bashEscape = quoting === 'single' && after.startsWith("\\'");
      problems.push({
        file,
        line: lineNo,
        key,
        message: bashEscape
          ? `text after the closing quote: lwaftrctl reads one quoted string per value, so '\\'' does not put a ' in ` +
            `it; write the value in double quotes ("it's")`
          : 'text after the closing quote; quote the whole value',
      });
      continue;
    }
    entries.push({ key, value: rawValue.slice(open + 1, close), quoting, line: lineNo });
  }
  return { entries, problems };
}

/**
 * A NUL byte has no place in a text file (bash drops it): each line that has one is a problem,
 * and is read as empty.
 */
function withoutNuls(lines: string[], file: string, problems: ConfigProblem[]): string[] {
  return lines.map((line, i) => {
    if (!line.includes('\0')) return line;
    problems.push({
      file,
      line: i + 1,
      key: ASSIGNMENT.exec(line)?.[1],
      message: 'has a NUL byte: a config file is plain text; remove it',
    });
    return '';
  });
}

/** What is wrong with a line that is neither blank, a comment nor an assignment. */
function notAnAssignment(line: string, lineNo: number, file: string): ConfigProblem {
  const spaced = SPACED_ASSIGNMENT.exec(line);
  if (spaced)
    return {
      file,
      line: lineNo,
      key: spaced[1]!,
      message:
        `space before "=": write ${spaced[1]}=VALUE with nothing around the "=" (bash would run ` +
        `${spaced[1]} as a command)`,
    };
  return {
    file,
    line: lineNo,
    message:
      `not a KEY=VALUE line: ${JSON.stringify(line.trim())} (lwaftrctl reads its config file, it never ` +
      `runs it as bash)`,
  };
}

function quotingOf(rawValue: string): Quoting {
  const first = rawValue.trimStart()[0];
  if (first === "'") return 'single';
  if (first === '"') return 'double';
  return 'none';
}

/**
 * Index of the closing quote from `from`, or -1. In double quotes a backslash escapes the next
 * character (expansion removes it later); in single quotes nothing does.
 */
function findClosing(text: string, quote: string, from: number): number {
  for (let j = from; j < text.length; j++) {
    if (quote === '"' && text[j] === '\\') j++;
    else if (text[j] === quote) return j;
  }
  return -1;
}

/** An unquoted value ends where a `#` starts a word (after a space), as in bash: `a#b` keeps its `#`. */
function stripComment(rawValue: string): string {
  for (let j = 1; j < rawValue.length; j++)
    if (rawValue[j] === '#' && /\s/.test(rawValue[j - 1]!)) return rawValue.slice(0, j);
  return rawValue;
}
