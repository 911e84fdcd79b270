// Where an instance keeps its files, and what its screen sessions are called.
// Everything is derived from NAME and STATE_DIR, so two instances never collide.
import path from 'node:path';
import { QMP_SOCKET_NAME } from '../config/build-config.js';
import type { Config, PortIndex } from '../config/types.js';

export const DEFAULT_NAME = 'lwaftr1';

export interface InstancePaths {
  stateDir: string;
  lock: string;
  toolLog: string;
  screenrc: string;
  qmpSocket: string;
  qemuPidFile: string;
  qemuRecord: string;
  qemuLog: string;
  consoleLog: string;
  /** Per port: its screen session and files, and the id of the QEMU chardev that serves its socket. */
  snabbnfv: Record<PortIndex, { session: string; log: string; pidFile: string; record: string; chardev: string }>;
  guest: { dir: string; pidFile: string; log: string };
}

/** Operators attach to `snabbnfv-1`/`snabbnfv-2` of the default instance by name, so those stay. */
export function screenSessionName(name: string, index: PortIndex): string {
  return name === DEFAULT_NAME ? `snabbnfv-${index}` : `${name}-snabbnfv-${index}`;
}

export function instancePaths(config: Config): InstancePaths {
  const s = (f: string) => path.join(config.stateDir, f);
  const port = (index: PortIndex) => ({
    session: screenSessionName(config.name, index),
    log: s(`snabbnfv-${index}.log`),
    pidFile: s(`snabbnfv-${index}.pid`),
    record: s(`snabbnfv-${index}.json`),
    chardev: `char${index}`,
  });
  const guestDir = config.lwaftr.guestStateDir;
  return {
    stateDir: config.stateDir,
    lock: s('lock'),
    toolLog: s('lwaftrctl.log'),
    screenrc: s('screenrc'),
    qmpSocket: s(QMP_SOCKET_NAME),
    qemuPidFile: s('qemu.pid'),
    qemuRecord: s('qemu.json'),
    qemuLog: s('qemu.log'),
    consoleLog: s('console.log'),
    snabbnfv: { 1: port(1), 2: port(2) },
    guest: {
      dir: guestDir,
      pidFile: path.posix.join(guestDir, 'lwaftr.pid'),
      log: path.posix.join(guestDir, 'lwaftr.log'),
    },
  };
}
