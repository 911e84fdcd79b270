// Readiness in tests: look again until the thing is there, with a deadline that names it.

export interface EventuallyOptions {
  /** The deadline (default 20 s). */
  ms?: number;
  /** Between looks (default 200 ms). */
  every?: number;
  /** What was seen, for the timeout's message. */
  seen?: () => string;
}

export async function eventually(
  what: string,
  ready: () => boolean | Promise<boolean>,
  { ms = 20_000, every = 200, seen }: EventuallyOptions = {},
): Promise<void> {
  const end = Date.now() + ms;
  while (!(await ready())) {
    if (Date.now() > end) throw new Error(`not within ${ms} ms: ${what}${seen ? `; seen:\n${seen()}` : ''}`);
    await new Promise((r) => setTimeout(r, every));
  }
}
