// The lab guest reads its management address from ip= on the kernel command line
// (scripts/lab/guest-net.sh, run by the guest's busybox sh). Its parsing, run here by the
// same busybox: every form lwaftrctl or an operator may write. Booting it is covered by
// tap.test.ts (ip=VM_IP) and by every other lab test (no ip=: user networking).

import path from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { REPO } from '../helpers/lab.js';

const SCRIPT = path.join(REPO, 'scripts', 'lab', 'guest-net.sh');

/** "<address/prefix> <gateway> <device> <mac> <hostname>" the guest takes from a kernel command line. */
async function settings(cmdline: string): Promise<string> {
  const r = await execa('busybox', ['sh', '-c', '. "$0"; mgmt_settings $1', SCRIPT, cmdline], { stdin: 'ignore' });
  return r.stdout;
}

describe('the lab guest reads ip= from its kernel command line', () => {
  it.each([
    ['console=ttyS0 hugepages=64', '10.0.2.15/24 10.0.2.2 - - -'],
    ['console=ttyS0 ip=10.21.21.2 hugepages=64', '10.21.21.2/8 - - - -'],
    ['ip=172.16.0.9', '172.16.0.9/16 - - - -'],
    ['ip=192.168.1.5', '192.168.1.5/24 - - - -'],
    ['ip=10.21.21.2/28', '10.21.21.2/28 - - - -'],
    ['ip=10.21.21.2::10.21.21.1:255.255.255.0:lab-guest:eth2:off', '10.21.21.2/24 10.21.21.1 eth2 - lab-guest'],
    ['ip=10.1.2.3:::255.255.240.0', '10.1.2.3/20 - - - -'],
    ['ip=10.1.2.3:10.1.2.1:10.1.2.254:255.255.255.0::eth0:none:192.0.2.53', '10.1.2.3/24 10.1.2.254 eth0 - -'],
    ['ip=10.1.2.3 BOOTIF=01-52-54-00-AB-00-03', '10.1.2.3/8 - - 52:54:00:ab:00:03 -'],
  ])('%s → %s', async (cmdline, expected) => {
    expect(await settings(cmdline)).toBe(expected);
  });

  it.each(['ip=dhcp', 'ip=off', 'ip=::::::dhcp', 'ip=10.1.2.3::::::dhcp'])(
    '%s: no static address, the NIC is left down',
    async (cmdline) => {
      expect(await settings(cmdline)).toBe('- - - - -');
    },
  );
});
