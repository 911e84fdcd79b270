// Local programs that cannot start: a missing program gets its install hint, a missing working
// folder is named as such (spawn's ENOENT blames the program for both).
import { describe, expect, it } from 'vitest';
import { runLocal } from '../../src/io/local.js';
import { runWithDeadline } from '../../src/run/run-deadline.js';

describe('a program that cannot start', () => {
  it('missing: not installed, with the package that has it', async () => {
    await expect(runLocal(['taskset-nope'])).rejects.toThrow('taskset-nope is not installed or not on PATH');
  });

  it('its folder missing: the folder is named, not the program', async () => {
    for (const run of [
      () => runLocal(['true'], '/nonexistent/src'),
      () => runWithDeadline(['true'], 5000, '/nonexistent/src'),
    ])
      await expect(run()).rejects.toThrow('cannot run true: the folder it runs in, /nonexistent/src, does not exist');
  });
});
