// The limits the code keeps so that it stays easy to read and change (README, Development).
import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const SRC = path.join(__dirname, '..', '..', 'src');
const files = fs.readdirSync(SRC, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts'));
const lines = (f: string) => fs.readFileSync(path.join(SRC, f), 'utf8').split('\n');

describe('source limits', () => {
  it('no file of src/ over 300 lines', () => {
    expect(files.filter((f) => lines(f).length > 300)).toEqual([]);
  });
  it('no line of src/ over 120 characters', () => {
    const long = files.flatMap((f) => lines(f).flatMap((l, i) => (l.length > 120 ? [`${f}:${i + 1}`] : [])));
    expect(long).toEqual([]);
  });
  // Biome's noExcessiveLinesPerFunction leaves comment lines out; the project counts every non-blank
  // line of a function, from its first line to its closing brace.
  it('no function of src/ over 80 non-blank lines', () => {
    const long = files.flatMap((f) => {
      const text = lines(f);
      const source = ts.createSourceFile(f, text.join('\n'), ts.ScriptTarget.Latest, true);
      const found: string[] = [];
      const visit = (node: ts.Node): void => {
        if (ts.isFunctionLike(node) && 'body' in node && node.body) {
          const first = source.getLineAndCharacterOfPosition(node.getStart(source)).line;
          const last = source.getLineAndCharacterOfPosition(node.getEnd()).line;
          const count = text.slice(first, last + 1).filter((l) => l.trim()).length;
          if (count > 80) found.push(`${f}:${first + 1} (${count} lines)`);
        }
        ts.forEachChild(node, visit);
      };
      visit(source);
      return found;
    });
    expect(long).toEqual([]);
  });
  it('the status command only gathers and prints: under 120 lines', () => {
    expect(lines(path.join('commands', 'status-command.ts')).length).toBeLessThan(120);
  });
});
