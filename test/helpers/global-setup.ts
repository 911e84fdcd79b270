// Once per test run: a tag for instance names and a block of 100 ports of its own (run-tag.ts).
import crypto from 'node:crypto';

export default function setup(): void {
  process.env.LWAFTRCTL_TEST_TAG ??= crypto.randomBytes(2).toString('hex').slice(0, 3);
  process.env.LWAFTRCTL_TEST_PORT_BASE ??= String(20000 + 100 * crypto.randomInt(0, 400));
}
