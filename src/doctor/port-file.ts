// Reads the mac_address entries of a snabbnfv port file, a Lua chunk such as
//   return { { vlan = 0, mac_address = "52:54:00:00:00:01", port_id = "A" } }
// Hand-written because snabbnfv evaluates the file as Lua and only literal strings can be
// checked anyway: a small tokenizer (strings, comments, names, symbols) finds `mac_address =
// "..."` and `["mac_address"] = "..."`, which a full Lua parser dependency would not improve on.

export interface PortFileMacs {
  macs: string[];
  /** Set when an entry's mac_address is not a literal string (a variable, a call). */
  computed: boolean;
}

type Token = { kind: 'name' | 'string' | 'symbol'; text: string };

export function readPortFileMacs(lua: string): PortFileMacs {
  const tokens = tokenize(lua);
  const macs: string[] = [];
  let computed = false;
  tokens.forEach((t, i) => {
    let valueAt: number | undefined;
    if (t.kind === 'name' && t.text === 'mac_address' && tokens[i + 1]?.text === '=' && tokens[i - 1]?.text !== '.')
      valueAt = i + 2;
    const bracketed =
      t.kind === 'string' && t.text === 'mac_address' && tokens[i - 1]?.text === '[' && tokens[i + 1]?.text === ']';
    if (bracketed && tokens[i + 2]?.text === '=') valueAt = i + 3;
    if (valueAt === undefined) return;
    const value = tokens[valueAt];
    if (value?.kind === 'string') macs.push(value.text);
    else computed = true;
  });
  return { macs, computed };
}

/** `[[`, `[==[` …: the closing bracket of a Lua long string or comment that starts at i, if one does. */
function longBracketClose(s: string, i: number): string | undefined {
  const m = /^\[(=*)\[/.exec(s.slice(i, i + 64));
  return m ? `]${m[1]}]` : undefined;
}

const NAME = /[A-Za-z_][A-Za-z0-9_]*/y;

function tokenize(s: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < s.length) {
    const c = s[i]!;
    if (/\s/.test(c)) i++;
    else if (s.startsWith('--', i)) {
      const close = longBracketClose(s, i + 2);
      const end = close ? s.indexOf(close, i + 2) : s.indexOf('\n', i);
      i = end < 0 ? s.length : end + (close ? close.length : 1);
    } else if (c === '"' || c === "'") {
      let text = '';
      let j = i + 1;
      while (j < s.length && s[j] !== c && s[j] !== '\n') {
        if (s[j] === '\\') j++;
        text += s[j] ?? '';
        j++;
      }
      tokens.push({ kind: 'string', text });
      i = j + 1;
    } else if (longBracketClose(s, i)) {
      const close = longBracketClose(s, i)!;
      const start = s.indexOf('[', i + 1) + 1;
      const end = s.indexOf(close, start);
      tokens.push({ kind: 'string', text: s.slice(start, end < 0 ? s.length : end) });
      i = end < 0 ? s.length : end + close.length;
    } else if (/[A-Za-z_]/.test(c)) {
      NAME.lastIndex = i;
      const name = NAME.exec(s)![0];
      tokens.push({ kind: 'name', text: name });
      i += name.length;
    } else {
      tokens.push({ kind: 'symbol', text: c });
      i++;
    }
  }
  return tokens;
}
