// A screen session bearing the instance's snabbnfv name that lwaftrctl did not start (the bash
// tool's own snabbnfv-1 while upgrading): status reports it, start and stop refuse beside it,
// the dry run says so, and it is never touched.
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { labInstance, requireLab, screenSessions } from '../helpers/lab.js';

requireLab();
const inst = labInstance('fsess', 10056);
const session = `${inst.name}-snabbnfv-1`;
let screenPid: number;

beforeAll(async () => {
  await execa('screen', ['-dmS', session, 'sleep', '600']);
  screenPid = screenSessions().find((s) => s.name === session)!.pid;
});
afterAll(async () => {
  await execa('screen', ['-S', `${screenPid}.${session}`, '-X', 'quit'], { reject: false });
  await inst.cleanup();
});

describe('a foreign screen session with the instance name', () => {
  it('status reports it, with the command that ends it (exit 4)', async () => {
    const r = await inst.cli('--json', 'status');
    expect(r.code).toBe(4);
    const s = JSON.parse(r.stdout).snabbnfv;
    expect(s.state).toBe('foreign');
    expect(s.reason).toBe(
      `screen session ${screenPid}.${session} (SCREEN -dmS ${session} sleep 600) bears this instance's name but lwaftrctl did not start it`,
    );
    expect(s.fix).toBe(`end it the way it was started, or: screen -S ${screenPid}.${session} -X quit`);
    expect(s.ports[0].foreignSession).toBe(`${screenPid}.${session}`);
  });

  it('start and stop refuse beside it, naming it (exit 1); the dry run warns', async () => {
    for (const [action, doing] of [
      ['start', 'starting'],
      ['stop', 'stopping'],
    ]) {
      const r = await inst.cli('snabbnfv', action!);
      expect(r.code, action).toBe(1);
      expect(r.stderr).toContain(`not ${doing} snabbnfv: screen session ${screenPid}.${session}`);
    }
    const dry = await inst.cli('--dry-run', 'snabbnfv', 'start');
    expect(dry.stdout).toContain(`a real run would refuse this: ${inst.conf}: screen session ${screenPid}.${session}`);
  });

  it('is left alone', () => {
    expect(screenSessions().some((s) => s.pid === screenPid)).toBe(true);
  });
});
