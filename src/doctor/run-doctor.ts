// The preflight checks of one config against one host, in a stable order.
import type { Config } from '../config/types.js';
import { checkCores } from './checks-cores.js';
import { checkMemory } from './checks-memory.js';
import { checkNics } from './checks-nics.js';
import { checkPrograms, checkRoot, checkVmFiles } from './checks-programs.js';
import { checkKvmDevice, checkKvmProbe, checkQemuVersion, readQemuFacts } from './checks-qemu.js';
import { checkGuestLwaftrTraps, checkSnabbRelease } from './checks-snabb.js';
import { checkSsh } from './checks-ssh.js';
import { checkTap, checkVhostUser } from './checks-vhost.js';
import { readSnabbTree } from './snabb-tree.js';
import type { CheckResult, DoctorOptions, HostView } from './types.js';

const ORDER = ['host', 'snabbnfv', 'vm', 'lwaftr'];

/** Every check that applies to this config, host first, then snabbnfv, vm and lwaftr. */
export async function runDoctor(config: Config, view: HostView, options: DoctorOptions = {}): Promise<CheckResult[]> {
  // The programs they run (qemu --version, git describe, ip, the KVM probe) run side by side.
  const [qemu, tree] = await Promise.all([readQemuFacts(config, view), readSnabbTree(config, view)]);
  const parts = await Promise.all([
    [
      checkRoot(config, view),
      ...checkPrograms(config, view),
      checkQemuVersion(config, qemu),
      ...checkVmFiles(config, view),
    ],
    [...checkKvmDevice(config, view)],
    checkKvmProbe(config, view, options.kvmProbe === true),
    checkMemory(config, view, options),
    checkCores(config, view),
    checkNics(config, view),
    [...checkVhostUser(config, view, options), ...checkTap(config, view)],
    checkSnabbRelease(config, tree, qemu),
    checkGuestLwaftrTraps(config, view, tree, qemu),
    checkSsh(config, view, options),
  ]);
  const results = parts.flat();
  // Stable sort: within a component, the order above.
  return results.sort((a, b) => ORDER.indexOf(a.component) - ORDER.indexOf(b.component));
}
