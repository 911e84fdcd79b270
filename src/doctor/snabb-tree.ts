// What the Snabb tree at SNABB_PATH says about itself: its release, and whether it has snabbnfv.
import path from 'node:path';
import type { Config } from '../config/types.js';
import { parseVersion } from './host-facts.js';
import { ev } from './result.js';
import type { Evidence, HostView } from './types.js';

export interface SnabbTree {
  /** [year, month] of the release, when the tree tells it. */
  release?: number[];
  /** `git describe` names the release itself; `.version` is only the last one that bumped it. */
  releaseFrom?: 'git describe' | '.version';
  /** The tree has its sources (src/program), so what it holds can be read. */
  sourceTree: boolean;
  /** src/program/snabbnfv is there; undefined when the tree has no sources to look in. */
  hasSnabbnfv?: boolean;
  evidence: Evidence[];
}

export async function readSnabbTree(config: Config, view: HostView): Promise<SnabbTree> {
  const root = config.snabbPath;
  const programs = path.join(root, 'src', 'program');
  const sourceTree = view.stat(programs)?.kind === 'dir';
  const hasSnabbnfv = sourceTree ? view.stat(path.join(programs, 'snabbnfv'))?.kind === 'dir' : undefined;
  const evidence: Evidence[] = [
    ev(`${programs}/snabbnfv`, hasSnabbnfv === undefined ? 'no sources' : hasSnabbnfv ? 'present' : 'missing'),
  ];
  if (view.stat(path.join(root, '.git')) && view.which('git')) {
    const argv = ['git', '-C', root, 'describe', '--tags', '--match', 'v20*'];
    const r = await view.run(argv, { timeoutMs: 2000 });
    const release = r.code === 0 ? parseVersion(r.stdout) : undefined;
    evidence.push(ev(argv.join(' '), r.code === 0 ? r.stdout : r.stderr || `exit ${r.code}`));
    if (release) return { release, releaseFrom: 'git describe', sourceTree, hasSnabbnfv, evidence };
  }
  const versionFile = path.join(root, '.version');
  const text = view.read(versionFile);
  evidence.push(ev(versionFile, text ?? 'missing'));
  const release = text === undefined ? undefined : parseVersion(text);
  return { release, releaseFrom: release ? '.version' : undefined, sourceTree, hasSnabbnfv, evidence };
}

export function releaseName(tree: SnabbTree): string {
  if (!tree.release) return 'unknown';
  const [year, month] = tree.release;
  return `v${year}.${String(month).padStart(2, '0')}`;
}
