// How `list` finds every instance on this host. Each start, stop and restart records, in the
// instance's state folder, instance.json: its NAME, config file and state folder (a start the
// host refuses records nothing). State folders are found where STATE_DIR puts them by default
// (STATE_ROOT/<NAME>); one set elsewhere is also pointed at from STATE_ROOT/.instances/, so
// that it is found too. /run is emptied at boot, and so are both: after a reboot, nothing of an
// instance runs and list shows what was started since.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Config } from '../config/types.js';

/** The folder STATE_DIR's default (/run/lwaftrctl/$NAME) puts each instance in. */
export const STATE_ROOT = '/run/lwaftrctl';
export const RECORD_NAME = 'instance.json';
const POINTERS = path.join(STATE_ROOT, '.instances');

export interface InstanceRecord {
  name: string;
  config: string;
  stateDir: string;
  /** When lwaftrctl last worked on the instance (ISO 8601). */
  recordedAt: string;
}

/** Writes the record (and the pointer to a state folder outside STATE_ROOT); says why when it cannot. */
export function recordInstance(config: Config, now = new Date()): string | undefined {
  const record: InstanceRecord = {
    name: config.name,
    config: config.file,
    stateDir: config.stateDir,
    recordedAt: now.toISOString(),
  };
  try {
    writeAtomically(path.join(config.stateDir, RECORD_NAME), record);
    if (path.dirname(path.resolve(config.stateDir)) !== STATE_ROOT) {
      fs.mkdirSync(POINTERS, { recursive: true, mode: 0o755 });
      writeAtomically(pointerFile(config), { stateDir: config.stateDir });
    }
    forgetRemovedFolders();
    return undefined;
  } catch (err) {
    return `lwaftrctl list will not find this instance: ${(err as Error).message}`;
  }
}

/** Pointers to state folders that were removed since (a temporary STATE_DIR) are dropped by the next record. */
function forgetRemovedFolders(): void {
  for (const e of readDir(POINTERS)) {
    const p = readJson(path.join(POINTERS, e)) as { stateDir?: unknown } | undefined;
    if (typeof p?.stateDir === 'string' && !isDirectory(p.stateDir)) fs.rmSync(path.join(POINTERS, e), { force: true });
  }
}

/** The pointer to a state folder outside STATE_ROOT, named by NAME and the folder (two may share a NAME). */
export function pointerFile(config: Pick<Config, 'name' | 'stateDir'>): string {
  const hash = crypto.createHash('sha256').update(path.resolve(config.stateDir)).digest('hex').slice(0, 8);
  return path.join(POINTERS, `${config.name}-${hash}.json`);
}

export interface FoundInstance {
  stateDir: string;
  /** Undefined when the folder has no record (made by an lwaftrctl before records, or unreadable). */
  record?: InstanceRecord;
}

/** Every state folder under STATE_ROOT and every one pointed at that still exists, each once. */
export function findInstances(root = STATE_ROOT): FoundInstance[] {
  const children = readDir(root)
    .filter((e) => !e.startsWith('.'))
    .map((e) => path.join(root, e))
    .filter(isDirectory);
  const pointed = readDir(path.join(root, '.instances')).flatMap((e) => {
    const p = readJson(path.join(root, '.instances', e)) as { stateDir?: unknown } | undefined;
    return typeof p?.stateDir === 'string' && isDirectory(p.stateDir) ? [p.stateDir] : [];
  });
  const seen = new Set<string>();
  return [...children, ...pointed]
    .filter((dir) => {
      const key = realpath(dir);
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    })
    .map((stateDir) => ({ stateDir, record: asRecord(readJson(path.join(stateDir, RECORD_NAME))) }))
    .sort((a, b) => a.stateDir.localeCompare(b.stateDir));
}

function asRecord(v: unknown): InstanceRecord | undefined {
  const r = v as Partial<InstanceRecord> | undefined;
  return typeof r?.name === 'string' && typeof r.config === 'string' && typeof r.stateDir === 'string'
    ? { name: r.name, config: r.config, stateDir: r.stateDir, recordedAt: String(r.recordedAt ?? '') }
    : undefined;
}

function writeAtomically(file: string, value: unknown): void {
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, `${JSON.stringify(value, null, 2)}\n`, { mode: 0o644 });
  fs.renameSync(tmp, file);
}

function readDir(dir: string): string[] {
  try {
    return fs.readdirSync(dir);
  } catch {
    return [];
  }
}

function readJson(file: string): unknown {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
}

function realpath(p: string): string {
  try {
    return fs.realpathSync(p);
  } catch {
    return path.resolve(p);
  }
}

function isDirectory(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}
