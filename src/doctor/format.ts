// The doctor's results as a table for people: one line per check, its fix on the next.
import type { CheckResult, CheckState } from './types.js';

const LABEL: Record<CheckState, string> = { ok: 'OK', warn: 'WARN', fail: 'FAIL', skip: 'SKIP' };

export function formatDoctorTable(results: CheckResult[]): string {
  const componentWidth = Math.max(0, ...results.map((r) => r.component.length));
  const titleWidth = Math.max(0, ...results.map((r) => r.title.length));
  const lines: string[] = [];
  for (const r of results) {
    const key = r.key ? ` [${r.key}]` : '';
    lines.push(
      `${LABEL[r.state].padEnd(4)}  ${r.component.padEnd(componentWidth)}  ${r.title.padEnd(titleWidth)}  ` +
        `— ${r.message}${key}`,
    );
    if (r.fix && (r.state === 'fail' || r.state === 'warn'))
      lines.push(`${' '.repeat(6 + componentWidth + 2)}fix: ${r.fix}`);
  }
  const count = (state: CheckState) => results.filter((r) => r.state === state).length;
  lines.push(`${count('ok')} ok, ${count('warn')} warnings, ${count('fail')} failed, ${count('skip')} skipped`);
  return `${lines.join('\n')}\n`;
}
