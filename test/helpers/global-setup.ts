// Once per test run: a tag for instance names and a block of 100 ports of its own (run-tag.ts).
// Each is claimed with a lock file made with O_EXCL, so two runs at once never draw the same one;
// teardown removes them, and a lock whose run died (its pid is gone) is taken over.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { isAlive } from '../../src/io/proc.js';

/** The lowest port base drawn: clear of the well-known and registered ports tools tend to use. */
const LOWEST_PORT_BASE = 20000;

export default function setup(): () => void {
  const claimed: string[] = [];
  process.env.LWAFTRCTL_TEST_TAG ??= claim('tag', () => crypto.randomBytes(2).toString('hex').slice(0, 3), claimed);
  process.env.LWAFTRCTL_TEST_PORT_BASE ??= claim('ports', drawPortBase, claimed);
  return () => {
    for (const file of claimed) fs.rmSync(file, { force: true });
  };
}

/**
 * A block below the ephemeral range: QEMU's guest SSH forward binds its port, and a port the
 * kernel may hand to an outgoing connection as its local port could be taken when it does.
 */
function drawPortBase(): string {
  const ephemeralStart = Number(fs.readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').split(/\s+/)[0]);
  const blocks = Math.floor((ephemeralStart - LOWEST_PORT_BASE) / 100);
  if (!(blocks > 0))
    throw new Error(
      `no block of 100 ports between ${LOWEST_PORT_BASE} and the ephemeral range (from ${ephemeralStart}): ` +
        'set LWAFTRCTL_TEST_PORT_BASE to the first of 100 free ports',
    );
  return String(LOWEST_PORT_BASE + 100 * crypto.randomInt(0, blocks));
}

/** A value no other running test run holds: drawn until its lock file can be made. */
function claim(kind: string, draw: () => string, claimed: string[]): string {
  for (let attempt = 0; attempt < 50; attempt++) {
    const value = draw();
    const file = path.join(os.tmpdir(), `lwaftrctl-test-${kind}-${value}.lock`);
    try {
      fs.writeFileSync(file, `${process.pid}\n`, { flag: 'wx' });
      claimed.push(file);
      return value;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      if (isStale(file)) fs.rmSync(file, { force: true });
    }
  }
  throw new Error(
    `no free test ${kind} after 50 draws: remove stale ${path.join(os.tmpdir(), `lwaftrctl-test-${kind}-*.lock`)} files`,
  );
}

/** A lock whose run died without its teardown; one just made and not yet written is held. */
function isStale(file: string): boolean {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return false; // Removed meanwhile by its own teardown: the next draw may take it.
  }
  return /^\d+\n$/.test(text) && !isAlive(Number(text));
}
