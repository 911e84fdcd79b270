// The pure parts of the commands for scripts and terminals: command lines, formats, state changes.
import { describe, expect, it } from 'vitest';
import { consoleArgv } from '../../src/commands/console-command.js';
import { formatToolLogLine } from '../../src/commands/format-tool-log.js';
import { formatList, type ListedInstance } from '../../src/commands/list-command.js';
import { labelWidth, logSources } from '../../src/commands/log-sources.js';
import { sshArgv } from '../../src/commands/ssh-command.js';
import { changeLine, stateChanges } from '../../src/commands/watch-command.js';
import type { InstanceStatus } from '../../src/components/status-types.js';
import { configOf } from '../helpers/config-fixture.js';

const BASE = `SNABB_PATH=/opt/snabb\nSNABBNFV_PCI1=soft\nSNABBNFV_CONF1=a.cfg\nSNABBNFV_CORE1=0\nSNABBNFV_PCI2=soft\nSNABBNFV_CONF2=b.cfg
SNABBNFV_CORE2=0\nBZ_IMAGE=bzImage\nQEMU_ACCEL=tcg\nQEMU_CPU=max\nNAME=t1\n`;

describe('ssh', () => {
  it('the configured user, key, port, known_hosts and host key policy, as argv; the command quoted once', () => {
    const config = configOf(
      `${BASE}MGMT_NET=user\nVM_SSH_PORT=10022\nVM_SSH_KEY=/k/id\nVM_KNOWN_HOSTS=/k/kh\nVM_HOST_KEY_CHECK=yes\n`,
    );
    expect(sshArgv(config.ssh, ['sh', '-c', "echo 'a b' $HOME", '~/run.sh'])).toEqual([
      'ssh',
      '-p',
      '10022',
      '-i',
      '/k/id',
      '-o',
      'IdentitiesOnly=yes',
      '-o',
      'UserKnownHostsFile=/k/kh',
      '-o',
      'StrictHostKeyChecking=yes',
      '-o',
      `ConnectTimeout=${Math.ceil(config.ssh.connectTimeoutMs / 1000)}`,
      '--',
      `${config.ssh.user}@127.0.0.1`,
      `sh -c 'echo '\\''a b'\\'' $HOME' ~/run.sh`,
    ]);
  });

  it('no command: a login shell; no key configured: ssh picks its own', () => {
    const argv = sshArgv(configOf(`${BASE}VM_IP=10.0.0.2\n`).ssh, []);
    expect(argv).not.toContain('-i');
    expect(argv.at(-1)).toMatch(/@10\.0\.0\.2$/);
  });
});

describe('console', () => {
  it('telnet when installed, else socat (raw with Ctrl-] on a terminal), else nothing', () => {
    expect(consoleArgv(4555, () => true)).toEqual(['telnet', '127.0.0.1', '4555']);
    expect(consoleArgv(4555, (p) => p === 'socat', true)).toEqual([
      'socat',
      'STDIO,raw,echo=0,escape=0x1d',
      'TCP:127.0.0.1:4555',
    ]);
    expect(consoleArgv(4555, (p) => p === 'socat', false)).toEqual(['socat', 'STDIO', 'TCP:127.0.0.1:4555']);
    expect(consoleArgv(4555, () => false)).toBeUndefined();
  });
});

describe('logs', () => {
  it('the sources of each component, in start order, the tool last', () => {
    const config = configOf(`${BASE}STATE_DIR=/s\n`);
    expect(logSources(config, 'all').map((s) => s.label)).toEqual([
      'snabbnfv-1.log',
      'snabbnfv-2.log',
      'qemu.log',
      'console.log',
      'guest:lwaftr.log',
      'lwaftrctl.log',
    ]);
    expect(logSources(config, 'vm')).toMatchObject([
      { file: '/s/qemu.log', rotated: '/s/qemu.log.1' },
      { file: '/s/console.log', rotated: '/s/console.log.1' },
    ]);
    expect(labelWidth(logSources(config, 'all'))).toBe('snabbnfv-1.log.1'.length);
  });

  it("the tool's JSON log made readable: time, level unless info, pid, event, fields", () => {
    const line = JSON.stringify({
      level: 40,
      time: Date.UTC(2026, 10, 29, 12, 0, 1, 5),
      instance: 'lab',
      pid: 42,
      component: 'vm',
      message: 'could not stop it',
      msg: 'warning',
    });
    expect(formatToolLogLine(line)).toBe(
      '2026-11-29T12:00:01.005Z WARN [42] warning component=vm message="could not stop it"',
    );
    expect(
      formatToolLogLine(JSON.stringify({ level: 30, time: 0, pid: 1, msg: 'run-end', ok: true, results: [] })),
    ).toBe('1970-01-01T00:00:00.000Z [1] run-end ok=true results=[]');
    expect(formatToolLogLine('not json')).toBe('not json');
  });
});

const verdict = (state: string, reason: string | null = null) => ({ state, reason, fix: null, deadWithPidFile: false });
const look = (s: string, v: string, l: string, reason: string | null = null) =>
  ({ snabbnfv: verdict(s), vm: verdict(v, reason), lwaftr: verdict(l) }) as unknown as InstanceStatus;

describe('status --watch', () => {
  it('every component on the first look, then only what changed (state or reason)', () => {
    const all = ['snabbnfv', 'vm', 'lwaftr'] as const;
    expect(stateChanges(undefined, look('stopped', 'stopped', 'stopped'), all)).toHaveLength(3);
    expect(stateChanges(look('running', 'stopped', 'stopped'), look('running', 'running', 'stopped'), all)).toEqual([
      { component: 'vm', state: 'running', was: 'stopped', reason: null, fix: null },
    ]);
    const degraded = stateChanges(look('running', 'degraded', 'x', 'a'), look('running', 'degraded', 'x', 'b'), ['vm']);
    expect(degraded.map(changeLine)).toEqual(['vm       degraded: b']);
    expect(stateChanges(look('running', 'running', 'x'), look('running', 'running', 'x'), all)).toEqual([]);
  });
});

describe('list', () => {
  const row = (over: Partial<ListedInstance>): ListedInstance => ({
    name: 'lab',
    stateDir: '/run/lwaftrctl/lab',
    config: '/c/lab.conf',
    recordedAt: null,
    snabbnfv: null,
    vm: null,
    lwaftr: null,
    note: null,
    ...over,
  });

  it('one row per instance, a note under those whose state is not known', () => {
    const running = verdict('running') as ListedInstance['vm'];
    expect(
      formatList([
        row({ snabbnfv: running, vm: running, lwaftr: verdict('stopped') as ListedInstance['vm'] }),
        row({ name: 'old', stateDir: '/run/lwaftrctl/old', config: null, note: 'no instance.json' }),
      ]),
    ).toBe(
      [
        'NAME  SNABBNFV  VM       LWAFTR   STATE DIR           CONFIG',
        'lab   running   running  stopped  /run/lwaftrctl/lab  /c/lab.conf',
        'old   -         -        -        /run/lwaftrctl/old  -',
        '  note: no instance.json',
        '',
      ].join('\n'),
    );
    expect(formatList([])).toMatch(/^no lwaftrctl instances on this host/);
  });
});
