// Builders for check results, so that each check states only what it found.
import type { Config } from '../config/types.js';
import type { CheckResult, CheckState, Component, Evidence } from './types.js';

export type Spec = Pick<CheckResult, 'id' | 'component' | 'title' | 'key'>;

/** A check's identity; `key` is the config key it concerns, named as the file writes it. */
export function spec(config: Config, id: string, component: Component, title: string, key?: string): Spec {
  return { id, component, title, key: key === undefined ? undefined : keyName(config, key) };
}

/** The key as the operator wrote it (an old name such as HUGEPAGESTLB_FS stays old). */
export function keyName(config: Config, key: string): string {
  return config.sources[key]?.writtenAs ?? key;
}

function result(s: Spec, state: CheckState, message: string, evidence: Evidence[], fix?: string): CheckResult {
  const r: CheckResult = { id: s.id, component: s.component, title: s.title, state, evidence, message };
  if (fix !== undefined) r.fix = fix;
  if (s.key !== undefined) r.key = s.key;
  return r;
}

export const ok = (s: Spec, message: string, evidence: Evidence[] = []) => result(s, 'ok', message, evidence);
export const skip = (s: Spec, message: string, evidence: Evidence[] = []) => result(s, 'skip', message, evidence);
export const warn = (s: Spec, message: string, evidence: Evidence[] = [], fix?: string) =>
  result(s, 'warn', message, evidence, fix);
export const fail = (s: Spec, message: string, evidence: Evidence[] = [], fix?: string) =>
  result(s, 'fail', message, evidence, fix);

export function ev(source: string, value: string | number | undefined): Evidence {
  return { source, value: value === undefined ? '(missing)' : String(value).trim() };
}

const RANK: Record<CheckState, number> = { skip: 0, ok: 1, warn: 2, fail: 3 };

export function worst(states: CheckState[]): CheckState {
  return states.reduce<CheckState>((a, b) => (RANK[b] > RANK[a] ? b : a), 'ok');
}
