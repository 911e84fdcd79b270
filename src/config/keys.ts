// The config keys lwaftrctl understands: both eras of the bash tool plus its own.
// conf/lwaftrctl.conf.example is checked against this table by a test.

import type { KeySpec } from './key-spec.js';
import { GUEST_KEYS } from './keys-guest.js';
import { HOST_KEYS } from './keys-host.js';

export type { KeySpec } from './key-spec.js';

/** Every key, in the order of conf/lwaftrctl.conf.example. */
export const KEYS: KeySpec[] = [...HOST_KEYS, ...GUEST_KEYS];

const byName = new Map<string, KeySpec>();
for (const spec of KEYS) {
  byName.set(spec.name, spec);
  for (const alias of spec.aliases ?? []) byName.set(alias, spec);
}

export function findKey(name: string): KeySpec | undefined {
  return byName.get(name);
}

const ALL_NAMES = [...byName.keys()];

export function allKeyNames(): readonly string[] {
  return ALL_NAMES;
}

/** The spec of a key lwaftrctl knows by its preferred name (a typo here is a bug, not input). */
export function keySpec(name: string): KeySpec {
  const spec = byName.get(name);
  if (!spec || spec.name !== name) throw new Error(`no config key ${name}`);
  return spec;
}
