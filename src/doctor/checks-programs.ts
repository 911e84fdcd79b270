// Root, every program the plan runs, and the files QEMU is handed.
import path from 'node:path';
import type { Config } from '../config/types.js';
import { installHint } from '../io/debian-packages.js';
import { statusField } from './host-facts.js';
import { ev, fail, ok, type Spec, spec } from './result.js';
import type { CheckResult, Component, HostView } from './types.js';

const CAP_NET_ADMIN = 12;

/** Root, or the list of what this config needs that a non-root user lacks. */
export function checkRoot(config: Config, view: HostView): CheckResult {
  const s = spec(config, 'root', 'host', 'running as root');
  const status = view.read('/proc/self/status');
  const uid = statusField(status, 'Uid')?.split(/\s+/)[1];
  const evidence = [ev('/proc/self/status Uid (effective)', uid)];
  if (uid === '0') return ok(s, 'running as root', evidence);
  const missing: string[] = [];
  for (const port of config.snabbnfv.ports)
    if (port.pci !== 'soft') missing.push(`snabbnfv drives the NIC ${port.pci} itself, which needs root`);
  const capEff = statusField(status, 'CapEff');
  if (config.vm.mgmt.kind === 'tap' && !(capEff && (BigInt(`0x${capEff}`) >> BigInt(CAP_NET_ADMIN)) & 1n))
    missing.push(`the tap NIC ${config.vm.mgmt.iface} needs CAP_NET_ADMIN`);
  const stateAncestor = existingAncestor(view, config.stateDir);
  if (!view.access(stateAncestor, 'w'))
    missing.push(`STATE_DIR ${config.stateDir} cannot be created (${stateAncestor} is not writable)`);
  if (config.vm.accel === 'kvm' && view.stat('/dev/kvm') && !view.access('/dev/kvm', 'rw'))
    missing.push('/dev/kvm is not readable and writable by this user');
  if (
    config.vm.memBackend.kind === 'hugetlbfs' &&
    view.stat(config.vm.memBackend.path) &&
    !view.access(config.vm.memBackend.path, 'w')
  )
    missing.push(`the hugetlbfs mount ${config.vm.memBackend.path} is not writable by this user`);
  if (missing.length === 0) return ok(s, 'not root, and nothing this config does needs root', evidence);
  return fail(s, `not root, and ${missing.join('; ')}`, evidence, 'run lwaftrctl as root (sudo lwaftrctl ...)');
}

/** The nearest folder at or above p that exists (where mkdir -p would start). */
export function existingAncestor(view: HostView, p: string): string {
  let dir = p;
  while (dir !== path.dirname(dir) && view.stat(dir)?.kind !== 'dir') dir = path.dirname(dir);
  return dir;
}

interface ProgramNeed {
  id: string;
  component: Component;
  program: string;
  why: string;
  key?: string;
}

function programNeeds(config: Config): ProgramNeed[] {
  const needs: ProgramNeed[] = [
    {
      id: 'program-screen',
      component: 'snabbnfv',
      program: 'screen',
      why: 'runs each snabbnfv',
    },
    {
      id: 'program-taskset',
      component: 'host',
      program: 'taskset',
      why: 'pins snabbnfv and QEMU to their cores',
    },
  ];
  if (config.numaNode !== undefined)
    needs.push({
      id: 'program-numactl',
      component: 'host',
      program: 'numactl',
      why: `binds memory to NUMA node ${config.numaNode}`,
      key: 'NUMA_NODE',
    });
  const qemu = config.vm.qemu;
  needs.push({
    id: 'program-qemu',
    component: 'vm',
    program: qemu,
    why: 'runs the VM',
    key: 'QEMU',
  });
  return needs;
}

/** screen, taskset, numactl (with NUMA_NODE) and QEMU on PATH; the snabb program; NETSCRIPT. */
export function checkPrograms(config: Config, view: HostView): CheckResult[] {
  const results = programNeeds(config).map((need) => {
    const s = spec(config, need.id, need.component, `${need.program} installed`, need.key);
    const found = view.which(need.program);
    if (found) return ok(s, `${found} ${need.why}`, [ev(`which ${need.program}`, found)]);
    const fix = installHint(need.program, need.key);
    return fail(
      s,
      `${need.program} (which ${need.why}) is not installed or not on PATH`,
      [ev(`which ${need.program}`, 'not found')],
      fix,
    );
  });
  const snabb = path.join(config.snabbPath, 'src', 'snabb');
  results.push(
    checkExecutable(view, spec(config, 'program-snabb', 'snabbnfv', 'snabb program', 'SNABB_PATH'), snabb, {
      what: 'the snabb program',
      missingFix: `build Snabb (make -C ${config.snabbPath}), or point SNABB_PATH at a built Snabb tree`,
    }),
  );
  if (config.vm.mgmt.kind === 'tap' && config.vm.mgmt.script)
    results.push(
      checkExecutable(view, spec(config, 'program-netscript', 'vm', 'tap script', 'NETSCRIPT'), config.vm.mgmt.script, {
        what: 'the tap script QEMU runs',
        missingFix: 'write the script (it gets the tap name as $1), or unset NETSCRIPT',
      }),
    );
  return results;
}

/** A program lwaftrctl runs: present, not empty, executable. */
export function checkExecutable(
  view: HostView,
  s: Spec,
  file: string,
  o: { what: string; missingFix: string },
): CheckResult {
  const info = view.stat(file);
  const evidence = [ev(file, info ? `${info.kind}, ${info.size} bytes, mode ${info.mode.toString(8)}` : 'missing')];
  if (!info) return fail(s, `${o.what} ${file} does not exist`, evidence, o.missingFix);
  if (info.kind !== 'file')
    return fail(s, `${o.what} ${file} is a ${info.kind}, not a program`, evidence, o.missingFix);
  if (info.size === 0)
    return fail(s, `${o.what} ${file} is empty (0 bytes): an interrupted build or copy`, evidence, o.missingFix);
  if (!view.access(file, 'x')) return fail(s, `${o.what} ${file} is not executable`, evidence, `chmod +x ${file}`);
  return ok(s, `${o.what} ${file} is executable`, evidence);
}

/** Kernel, initramfs, disk image and shared folder: present, readable, not empty. */
export function checkVmFiles(config: Config, view: HostView): CheckResult[] {
  const vm = config.vm;
  const files: [string, string, string, string | undefined][] = [
    ['file-kernel', 'BZ_IMAGE', 'kernel', vm.kernel],
    ['file-initrd', 'INITRD', 'initramfs', vm.initrd],
    ['file-disk', 'VM_IMAGE', 'disk image', vm.disk?.path],
  ];
  const results = files
    .filter(([, , , file]) => file !== undefined)
    .map(([id, key, what, file]) => checkReadableFile(view, spec(config, id, 'vm', `${what} file`, key), file!, what));
  if (vm.share) {
    const s = spec(config, 'shared-folder', 'vm', 'shared folder', 'SHARED_LOCATION');
    results.push(checkFolder(view, s, vm.share, `${vm.share} is shared with the guest over 9p`));
  }
  if (vm.cwd)
    results.push(
      checkFolder(view, spec(config, 'vm-dir', 'vm', 'QEMU folder', 'VM_DIR'), vm.cwd, `QEMU runs in ${vm.cwd}`),
    );
  return results;
}

function checkFolder(view: HostView, s: Spec, dir: string, okMessage: string): CheckResult {
  const info = view.stat(dir);
  const evidence = [ev(dir, info?.kind ?? 'missing')];
  if (info?.kind === 'dir') return ok(s, okMessage, evidence);
  return fail(s, `${dir} is ${info ? `a ${info.kind}` : 'missing'}`, evidence, `mkdir -p ${dir}, or fix ${s.key}`);
}

export function checkReadableFile(view: HostView, s: Spec, file: string, what: string): CheckResult {
  const info = view.stat(file);
  const evidence = [ev(file, info ? `${info.kind}, ${info.size} bytes` : 'missing')];
  const fixKey = `fix ${s.key ?? 'the key'}`;
  if (!info) return fail(s, `the ${what} ${file} does not exist`, evidence, `${fixKey}, or put the ${what} there`);
  if (info.kind === 'denied')
    return fail(
      s,
      `the ${what} ${file} cannot be reached by this user (a folder on its way is closed)`,
      evidence,
      'run lwaftrctl as root',
    );
  if (info.kind !== 'file') return fail(s, `the ${what} ${file} is a ${info.kind}, not a file`, evidence, fixKey);
  if (info.size === 0)
    return fail(
      s,
      `the ${what} ${file} is empty (0 bytes): an interrupted download or copy`,
      evidence,
      `copy the ${what} to ${file} again`,
    );
  if (!view.access(file, 'r'))
    return fail(s, `the ${what} ${file} is not readable by this user`, evidence, `chmod a+r ${file}, or run as root`);
  return ok(s, `the ${what} ${file} is there (${info.size} bytes)`, evidence);
}
