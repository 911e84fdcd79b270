// Runs the built CLI as a real process, as operators and scripts do.

import path from 'node:path';
import { execa } from 'execa';

export const CLI = path.join(__dirname, '..', '..', 'dist', 'cli.js');

export async function runCli(args: string[], opts: { cwd?: string; env?: Record<string, string> } = {}) {
  const r = await execa('node', [CLI, ...args], { reject: false, cwd: opts.cwd, env: opts.env, stdin: 'ignore' });
  return { code: r.exitCode ?? -1, stdout: r.stdout, stderr: r.stderr };
}
