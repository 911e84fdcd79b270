// Checks inside the running guest, through a guest-exec function (SSH); all skip when the VM is not up.
import path from 'node:path';
import { resolveVmSpec } from '../components/vm/spec.js';
import type { Config } from '../config/types.js';
import { parseMeminfo } from './host-facts.js';
import { ev, fail, ok, type Spec, skip, spec, warn } from './result.js';
import type { CheckResult, GuestExec, GuestExecResult } from './types.js';

/** Legacy (transitional) virtio-net: the only kind Snabb's guest driver drives. */
const VIRTIO_VENDOR = '0x1af4';
const VIRTIO_NET_TRANSITIONAL = '0x1000';
const VIRTIO_NET_MODERN = '0x1041';

interface GuestCheck {
  spec: Spec;
  run(exec: GuestExec): Promise<CheckResult>;
}

function guestChecks(config: Config): GuestCheck[] {
  const checks: GuestCheck[] = resolveVmSpec(config).dataNics.map((nic) => {
    const s = spec(
      config,
      `guest-nic-${nic.index}`,
      'lwaftr',
      `guest NIC ${nic.guestPci}`,
      `SNABBNFV_SOCK${nic.index}`,
    );
    return { spec: s, run: (exec) => checkGuestNic(exec, s, nic.guestPci) };
  });
  const pages = spec(config, 'guest-hugepages', 'lwaftr', 'guest hugepages', 'GUEST_HUGEPAGES');
  checks.push({ spec: pages, run: (exec) => checkGuestHugepages(config, exec, pages) });
  const program =
    config.lwaftr.command.kind === 'builtin'
      ? spec(config, 'guest-snabb', 'lwaftr', 'snabb in the guest', 'SNABB_GUEST_PATH')
      : spec(config, 'guest-start-script', 'lwaftr', 'start script in the guest', 'LWAFTR_START');
  checks.push({ spec: program, run: (exec) => checkGuestProgram(config, exec, program) });
  if (config.ssh.user !== 'root') {
    const sudo = spec(config, 'guest-sudo', 'lwaftr', 'sudo without a password', 'VM_USER');
    checks.push({ spec: sudo, run: (exec) => checkSudo(config, exec, sudo) });
  }
  return checks;
}

const errorText = (e: unknown) => (e instanceof Error ? e.message : String(e));

/** `exec` undefined: the VM is not running, and every guest check says so. */
export async function runGuestChecks(config: Config, exec: GuestExec | undefined): Promise<CheckResult[]> {
  const sshSpec = spec(config, 'guest-ssh', 'vm', 'guest answers SSH', 'VM_SSH_KEY');
  const checks = guestChecks(config);
  if (!exec) return [sshSpec, ...checks.map((c) => c.spec)].map((s) => skip(s, 'the VM is not running'));
  let first: GuestExecResult;
  try {
    first = await exec(['true']);
  } catch (e) {
    return [
      fail(
        sshSpec,
        `cannot run a command in the guest: ${errorText(e)}`,
        [ev('ssh ... true', errorText(e))],
        'see the guest console (STATE_DIR/console.log) and lwaftrctl status',
      ),
      ...checks.map((c) => skip(c.spec, 'no SSH to the guest')),
    ];
  }
  const sshResult =
    first.code === 0
      ? ok(sshSpec, `${config.ssh.user}@${config.ssh.host}:${config.ssh.port} runs commands`, [
          ev('ssh ... true', 'exit 0'),
        ])
      : fail(
          sshSpec,
          `true exited ${first.code} in the guest`,
          [ev('ssh ... true', first.stderr)],
          "check the guest user's shell",
        );
  const results = checks.map((c) =>
    c
      .run(exec)
      .catch((e: unknown) => fail(c.spec, `the guest command failed: ${errorText(e)}`, [], 'run lwaftrctl status')),
  );
  return [sshResult, ...(await Promise.all(results))];
}

async function checkGuestNic(exec: GuestExec, s: Spec, pci: string): Promise<CheckResult> {
  const dir = `/sys/bus/pci/devices/${pci}`;
  const r = await exec(['cat', `${dir}/vendor`, `${dir}/device`]);
  const [vendor, device] = r.stdout.trim().split(/\s+/);
  const evidence = [
    ev(`cat ${dir}/vendor ${dir}/device`, r.code === 0 ? `${vendor} ${device}` : r.stderr || `exit ${r.code}`),
  ];
  if (r.code !== 0)
    return fail(
      s,
      `the guest has no PCI device ${pci}: its vhost-user NIC is missing`,
      evidence,
      "check QEMU's -device lines (lwaftrctl --dry-run vm start)",
    );
  if (vendor === VIRTIO_VENDOR && device === VIRTIO_NET_TRANSITIONAL)
    return ok(s, `${pci} is transitional virtio-net`, evidence);
  if (vendor === VIRTIO_VENDOR && device === VIRTIO_NET_MODERN)
    return fail(
      s,
      `${pci} is modern-only virtio-net (${device}): Snabb's guest driver speaks legacy virtio only`,
      evidence,
      'drop disable-legacy=on from QEMU_ARGS (machine pc keeps NICs transitional)',
    );
  return fail(
    s,
    `${pci} is not virtio-net (vendor ${vendor}, device ${device})`,
    evidence,
    'check QEMU_ARGS for a device at that slot',
  );
}

async function checkGuestHugepages(config: Config, exec: GuestExec, s: Spec): Promise<CheckResult> {
  const r = await exec(['cat', '/proc/meminfo']);
  const total = parseMeminfo(r.stdout).HugePages_Total;
  const evidence = [ev('/proc/meminfo HugePages_Total (guest)', total ?? (r.stderr || 'missing'))];
  const want = config.vm.kernel ? config.vm.guestHugepages : undefined;
  const fix = config.vm.kernel
    ? `raise MEM, or lower GUEST_HUGEPAGES (now ${want})`
    : 'set vm.nr_hugepages in the guest image (sysctl.conf)';
  if (!total) return fail(s, 'the guest has no hugepages: Snabb cannot allocate its packet memory', evidence, fix);
  if (want !== undefined && total < want)
    return warn(
      s,
      `the guest got ${total} hugepages of the ${want} asked for (hugepages= on its kernel line): too little memory`,
      evidence,
      fix,
    );
  return ok(s, `${total} hugepages in the guest`, evidence);
}

async function checkGuestProgram(config: Config, exec: GuestExec, s: Spec): Promise<CheckResult> {
  const command = config.lwaftr.command;
  let argv: string[];
  let shown: string;
  if (command.kind === 'builtin') {
    if (!config.lwaftr.snabbGuestPath) return skip(s, 'SNABB_GUEST_PATH is unknown');
    shown = path.posix.join(config.lwaftr.snabbGuestPath, 'snabb');
    argv = ['test', '-x', shown];
  } else {
    shown = command.start.split(/\s+/)[0]!;
    // `~/x` is the guest user's home: passed as an argument and joined to $HOME by the guest shell.
    argv = shown.startsWith('~/') ? ['sh', '-c', 'test -x "$HOME/$1"', 'sh', shown.slice(2)] : ['test', '-x', shown];
  }
  const r = await exec(argv);
  const evidence = [ev(`test -x ${shown} (guest)`, r.code === 0 ? 'executable' : `exit ${r.code}`)];
  if (r.code === 0) return ok(s, `${shown} is executable in the guest`, evidence);
  const fix =
    command.kind === 'builtin'
      ? 'mount the share in the guest (mount -t 9p -o trans=virtio,version=9p2000.L share /mnt/host), ' +
        'or fix SNABB_GUEST_PATH'
      : `copy the script into the guest and chmod +x it (see scripts/run_lwaftr.sh.example), or fix LWAFTR_START`;
  return fail(s, `${shown} is missing or not executable in the guest`, evidence, fix);
}

async function checkSudo(config: Config, exec: GuestExec, s: Spec): Promise<CheckResult> {
  const r = await exec(['sudo', '-n', 'true']);
  const evidence = [ev('sudo -n true (guest)', r.code === 0 ? 'exit 0' : r.stderr.trim() || `exit ${r.code}`)];
  if (r.code === 0) return ok(s, `${config.ssh.user} may use sudo without a password`, evidence);
  return fail(
    s,
    `${config.ssh.user} cannot sudo without a password: the lwAFTR needs root over the NICs`,
    evidence,
    `in the guest: echo '${config.ssh.user} ALL=(root) NOPASSWD: ALL' > /etc/sudoers.d/lwaftrctl`,
  );
}
