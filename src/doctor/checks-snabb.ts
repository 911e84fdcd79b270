// Known traps of real Snabb with this QEMU and this guest: which release works where.
import type { Config } from '../config/types.js';
import type { QemuFacts } from './checks-qemu.js';
import { atLeast } from './host-facts.js';
import { ev, fail, ok, skip, spec, warn } from './result.js';
import { releaseName, type SnabbTree } from './snabb-tree.js';
import type { CheckResult, HostView } from './types.js';

export function checkSnabbRelease(config: Config, tree: SnabbTree, qemu: QemuFacts): CheckResult[] {
  const name = releaseName(tree);
  const version = spec(config, 'snabb-version', 'snabbnfv', 'Snabb release', 'SNABB_PATH');
  const lag = tree.releaseFrom === '.version' ? " (from .version, which can lag: v2024.06's says 2022.07)" : '';
  const results = [
    tree.release
      ? ok(version, `Snabb ${name}${lag}`, tree.evidence)
      : skip(
          version,
          `the tree at ${config.snabbPath} does not tell its release (no git tags, no .version): the release traps ` +
            'below are not checked',
          tree.evidence,
        ),
  ];
  const inTree = spec(config, 'snabbnfv-in-tree', 'snabbnfv', 'snabbnfv built in', 'SNABB_PATH');
  const gone = 'snabbnfv was removed in v2024.08; v2024.06 is the last release with it';
  if (tree.releaseFrom === 'git describe' && atLeast(tree.release!, '2024.08'))
    results.push(
      fail(
        inTree,
        `Snabb ${name} has no snabbnfv: ${gone}`,
        tree.evidence,
        'use a Snabb tree at v2024.06 (git checkout v2024.06)',
      ),
    );
  else if (tree.hasSnabbnfv === false)
    results.push(
      fail(
        inTree,
        `this tree has no src/program/snabbnfv: ${gone}`,
        tree.evidence,
        'use a Snabb tree at v2024.06 (git checkout v2024.06)',
      ),
    );
  else if (tree.hasSnabbnfv) results.push(ok(inTree, 'the tree has snabbnfv', tree.evidence));
  else results.push(skip(inTree, 'no sources in the tree (src/program): cannot tell', tree.evidence));
  results.push(...vhostUserTraps(config, tree, qemu));
  return results;
}

function vhostUserTraps(config: Config, tree: SnabbTree, qemu: QemuFacts): CheckResult[] {
  const evidence = [...tree.evidence, ...qemu.evidence];
  const q = qemu.version?.join('.');
  const old = spec(config, 'snabbnfv-needs-2018-09', 'snabbnfv', 'snabbnfv speaks QEMU 2.9+ vhost-user', 'SNABB_PATH');
  const results: CheckResult[] = [];
  if (!tree.release || !qemu.version)
    results.push(skip(old, 'the Snabb release or the QEMU version is unknown', evidence));
  else if (!atLeast(tree.release, '2018.09') && atLeast(qemu.version, '2.9'))
    results.push(
      fail(
        old,
        `snabbnfv of Snabb ${releaseName(tree)} predates the vhost-user changes of QEMU 2.9 (fixed by Snabb PR ` +
          `#1369, in v2018.09): with QEMU ${q} the backends do not come up`,
        evidence,
        'use Snabb v2018.09 or later on the host',
      ),
    );
  else results.push(ok(old, `Snabb ${releaseName(tree)} with QEMU ${q}`, evidence));

  const err = spec(config, 'snabbnfv-set-vring-err', 'snabbnfv', 'snabbnfv survives QEMU 7.1+', 'QEMU');
  const realSnabbnfv = tree.hasSnabbnfv ?? tree.release !== undefined;
  if (!realSnabbnfv || !qemu.version)
    results.push(skip(err, 'not a Snabb tree with snabbnfv, or the QEMU version is unknown', evidence));
  else if (atLeast(qemu.version, '7.1'))
    results.push(
      fail(
        err,
        `snabbnfv (every release up to v2024.06, its last) aborts when QEMU 7.1 or newer sends vhost-user ` +
          `request 14 (SET_VRING_ERR: "vhost_user: unrecognized request: 14"); this QEMU is ${q}`,
        evidence,
        'set QEMU to a QEMU 7.0 or older, or use a Snabb patched to ignore request 14',
      ),
    );
  else results.push(ok(err, `QEMU ${q} does not send SET_VRING_ERR`, evidence));
  return results;
}

/** The guest side: the lwAFTR's release, the NICs its driver can use, its memory and CPU needs. */
export function checkGuestLwaftrTraps(config: Config, view: HostView, tree: SnabbTree, qemu: QemuFacts): CheckResult[] {
  const results = [checkVirtioLoop(config, tree), checkTransitional(config)];
  const real = tree.sourceTree || tree.release !== undefined;
  const memory = spec(config, 'lwaftr-guest-memory', 'lwaftr', 'guest memory for the lwAFTR', 'MEM');
  if (!real) {
    const why = `${config.snabbPath} is not a Snabb source tree: checks of real Snabb's needs are skipped`;
    return [...results, skip(memory, why), skip(avx2Spec(config), why)];
  }
  const vm = config.vm;
  const pages = vm.kernel ? vm.guestHugepages : undefined;
  const evidence = [ev('MEM (MiB)', vm.memMiB), ev('GUEST_HUGEPAGES', pages ?? '(set inside the disk image)')];
  if (vm.memMiB >= 2048 && (pages === undefined || pages >= 512))
    results.push(ok(memory, `MEM=${vm.memMiB}M${pages === undefined ? '' : ` with hugepages=${pages}`}`, evidence));
  else
    results.push(
      warn(
        memory,
        `the guest lwAFTR needs about 2 GiB with hugepages=512 (its reassembly buffers take ~720 MB; ` +
          '1 GiB with 256 pages ends in the OOM killer)',
        evidence,
        'MEM=2G and GUEST_HUGEPAGES=512',
      ),
    );
  results.push(checkAvx2(config, view, qemu));
  return results;
}

function checkVirtioLoop(config: Config, tree: SnabbTree): CheckResult {
  const s = spec(config, 'lwaftr-virtio-loop', 'lwaftr', 'lwaftr run --virtio works', 'LWAFTR_CONF');
  if (config.lwaftr.command.kind !== 'builtin')
    return skip(s, 'LWAFTR_START runs your own script; if it runs snabb lwaftr run --virtio, only v2017.11 works');
  if (config.sources.SNABB_GUEST_PATH)
    return skip(s, "the guest's Snabb (SNABB_GUEST_PATH) is not visible from the host");
  if (!tree.release) return skip(s, 'the Snabb release is unknown', tree.evidence);
  if (!atLeast(tree.release, '2018.01'))
    return ok(s, `Snabb ${releaseName(tree)}'s lwaftr run --virtio works`, tree.evidence);
  return fail(
    s,
    `from v2018.01 on, snabb lwaftr run --virtio calls its own setup again and loops forever; this tree is ` +
      `${releaseName(tree)}`,
    tree.evidence,
    'run Snabb v2017.11 in the guest (SNABB_GUEST_PATH), or use LWAFTR_START with a ' +
      'script that names the NICs in the lwAFTR config file instead of --virtio',
  );
}

/** Snabb's guest virtio driver speaks legacy virtio only: the data NICs must stay transitional. */
function checkTransitional(config: Config): CheckResult {
  const s = spec(config, 'virtio-transitional', 'vm', 'data NICs transitional virtio', 'QEMU_ARGS');
  const modernOnly = config.vm.extraArgs.filter((a) => /disable-legacy=(on|true)|non-transitional/.test(a));
  const evidence = [ev('QEMU_MACHINE', config.vm.machine), ev('QEMU_ARGS', config.vm.extraArgs.join(' '))];
  if (modernOnly.length)
    return fail(
      s,
      `QEMU_ARGS makes virtio NICs modern-only (${modernOnly.join(' ')}): ` +
        "Snabb's guest driver speaks legacy virtio only",
      evidence,
      'drop disable-legacy=on / non-transitional from QEMU_ARGS',
    );
  const machine = config.vm.machine.startsWith('q35')
    ? 'q35 keeps NICs on its root bus transitional'
    : `machine ${config.vm.machine}`;
  return ok(s, `${machine}: the guest sees legacy-capable NICs (vendor 0x1af4, device 0x1000)`, evidence);
}

const AVX2_MODELS = /^(max|host|Haswell|Broadwell|Skylake|Cascadelake|Cooperlake|Icelake|SapphireRapids|EPYC|Dhyana)/i;

const avx2Spec = (config: Config) => spec(config, 'lwaftr-avx2', 'lwaftr', 'AVX2 in the guest CPU', 'QEMU_CPU');

function checkAvx2(config: Config, view: HostView, qemu: QemuFacts): CheckResult {
  const s = avx2Spec(config);
  const cpu = config.vm.cpu;
  const evidence = [ev('QEMU_CPU', cpu), ...qemu.evidence];
  const modelHas = AVX2_MODELS.test(cpu) || /(^|,)\+avx2(,|$)/.test(cpu);
  const fix =
    config.vm.accel === 'tcg' ? 'QEMU_CPU=max (QEMU 7.2 or newer emulates AVX2)' : 'QEMU_CPU=host on a host with AVX2';
  if (!modelHas) return fail(s, `the CPU model ${cpu} has no AVX2, which Snabb's lwAFTR needs`, evidence, fix);
  if (config.vm.accel === 'tcg') {
    if (qemu.version && !atLeast(qemu.version, '7.2'))
      return fail(
        s,
        `QEMU ${qemu.version.join('.')} emulates no AVX2 under TCG (7.2 and newer do)`,
        evidence,
        'use QEMU 7.2 or newer',
      );
    return ok(s, `${cpu} under TCG has AVX2`, evidence);
  }
  const flags =
    view
      .read('/proc/cpuinfo')
      ?.split('\n')
      .find((l) => l.startsWith('flags'))
      ?.split(/\s+/) ?? [];
  evidence.push(ev('/proc/cpuinfo flags', flags.includes('avx2') ? 'avx2' : 'no avx2'));
  if (flags.includes('avx2')) return ok(s, `${cpu} under KVM on a host CPU with AVX2`, evidence);
  return fail(
    s,
    'the host CPU has no AVX2, so no guest under KVM has it',
    evidence,
    'run the guest on a host with AVX2 (Haswell or newer)',
  );
}
