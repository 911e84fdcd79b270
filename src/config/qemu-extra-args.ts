// QEMU_ARGS, checked against what lwaftrctl owns on QEMU's command line. An option that would break
// lwaftrctl's supervision, console, QMP or NICs is refused with the key to use instead; -smp N is
// read as VM_CPUS (the 2017 tool put QEMU_ARGS first, so its own -smp won: lwaftrctl says so).
import { ValueError } from './parse-values.js';

/** QEMU options that take no value (all others take one). */
const FLAGS = new Set([
  '-S',
  '-s',
  '-daemonize',
  '-nographic',
  '-enable-kvm',
  '-no-reboot',
  '-no-shutdown',
  '-nodefaults',
  '-no-user-config',
  '-snapshot',
  '-no-hpet',
  '-no-acpi',
  '-full-screen',
  '-mem-prealloc',
]);

/** Options lwaftrctl sets itself, and what to do instead. */
const OWNED: Record<string, string> = {
  '-name': 'lwaftrctl names QEMU after NAME to find its threads: set NAME',
  '-m': 'set MEM',
  '-machine': 'set QEMU_MACHINE (and QEMU_ACCEL)',
  '-M': 'set QEMU_MACHINE (and QEMU_ACCEL)',
  '-accel': 'set QEMU_ACCEL',
  '-enable-kvm': 'set QEMU_ACCEL=kvm',
  '-cpu': 'set QEMU_CPU',
  '-daemonize': 'lwaftrctl supervises QEMU itself and keeps its log in STATE_DIR',
  '-pidfile': "lwaftrctl keeps QEMU's pid file in STATE_DIR",
  '-S': 'lwaftrctl starts QEMU paused already, to pin it before it runs',
  '-serial': 'the console goes to STATE_DIR/console.log; set VM_PORT for a telnet serial',
  '-nographic': 'it puts the serial console on stdio; set VNC_DISPLAY for a display',
  '-display': 'set VNC_DISPLAY',
  '-vnc': 'set VNC_DISPLAY',
  '-kernel': 'set BZ_IMAGE',
  '-initrd': 'set INITRD',
  '-append': 'set KERNEL_PARAMS',
  '-numa': "lwaftrctl's NUMA node carries the shared guest memory: set MEM and NUMA_NODE",
  '-mem-path': 'set MEM_BACKEND and HUGEPAGES_FS',
  '-mem-prealloc': 'lwaftrctl preallocates hugepage memory already',
};

/** Option values that name what lwaftrctl owns. */
const OWNED_VALUES: [RegExp, RegExp, string][] = [
  [/^-(monitor|qmp|chardev)$/, /(^|,)stdio(,|$)|^stdio/, "QEMU's standard input and output are not a terminal here"],
  [
    /^-netdev$/,
    /(^|,)id=(mgmt|net0|net1)(,|$)/,
    "the NICs net0, net1 and mgmt are lwaftrctl's: set MGMT_NET and SNABBNFV_*",
  ],
  [/^-chardev$/, /(^|,)id=char[12](,|$)/, "the chardevs char1 and char2 are lwaftrctl's vhost-user sockets"],
  [/^-device$/, /(^|,)addr=(0x)?0?[89a](\.0)?(,|$)/i, "PCI slots 0x08-0x0a hold lwaftrctl's NICs: pick another addr="],
  [/^-device$/, /(^|,)netdev=(mgmt|net0|net1)(,|$)/, "the NICs net0, net1 and mgmt are lwaftrctl's"],
  [/^-object$/, /(^|,)id=mem(,|$)/, 'set MEM_BACKEND (and HUGEPAGES_FS)'],
];

export interface QemuExtraArgs {
  args: string[];
  /** From -smp N. */
  cpus?: number;
}

export function readQemuArgs(words: string[]): QemuExtraArgs {
  const args: string[] = [];
  const refused: string[] = [];
  let cpus: number | undefined;
  for (let i = 0; i < words.length; i++) {
    const option = words[i]!;
    const value = FLAGS.has(option) || !option.startsWith('-') ? undefined : words[i + 1];
    if (value !== undefined) i++;
    if (option === '-smp') {
      cpus = readSmp(value);
      continue;
    }
    const why = OWNED[option] ?? OWNED_VALUES.find(([o, v]) => o.test(option) && v.test(value ?? ''))?.[2];
    if (why) refused.push(`${option}${value === undefined ? '' : ` ${value}`} (${why})`);
    else args.push(option, ...(value === undefined ? [] : [value]));
  }
  if (refused.length) throw new ValueError(`lwaftrctl sets these itself: ${refused.join('; ')}`);
  return { args, cpus };
}

function readSmp(value: string | undefined): number {
  const m = /^(?:cpus=)?(\d+)$/.exec(value ?? '');
  if (!m || Number(m[1]) < 1)
    throw new ValueError(`-smp ${value ?? ''}: write -smp N, or set VM_CPUS (lwaftrctl writes the -smp option)`);
  return Number(m[1]);
}
