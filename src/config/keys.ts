// The config keys lwaftrctl understands: both eras of the bash tool plus its own.
// conf/lwaftrctl.conf.example is checked against this table by a test.

export interface KeySpec {
  /** The name lwaftrctl prefers (the newest era's name where one existed). */
  name: string;
  /** Older names meaning the same thing. */
  aliases?: string[];
  /** Default as written in the example file ('' = unset). */
  default: string;
  doc: string;
  section: string;
  /** Host path: `~` expands to the operator's home, relative paths are taken from the config file's folder. */
  hostPath?: boolean;
  /** Guest-side value: a leading `~` stays, meaning the guest user's home. */
  guest?: boolean;
}

const GENERAL = 'General';
const NFV = 'snabbnfv (host)';
const VM = 'vm (QEMU)';
const GUEST = 'guest SSH';
const LWAFTR = 'lwaftr (guest)';
const TIMEOUTS = 'timeouts (seconds)';

export const KEYS: KeySpec[] = [
  {
    name: 'NAME',
    default: 'lwaftr1',
    section: GENERAL,
    doc: 'instance name: QEMU -name, screen names, state directory; letters, digits, . _ -',
  },
  {
    name: 'STATE_DIR',
    default: '/run/lwaftrctl/$NAME',
    section: GENERAL,
    hostPath: true,
    doc: 'pid files, QMP socket, logs and lock of this instance',
  },
  {
    name: 'SNABB_PATH',
    aliases: ['SNABB_HOST_PATH'],
    default: '',
    section: GENERAL,
    hostPath: true,
    doc: 'Snabb source tree on the host; the program run is $SNABB_PATH/src/snabb (required)',
  },
  {
    name: 'SNABB_LWAFTR',
    aliases: ['SNABB_HOST_LWAFTR'],
    default: '$SNABB_PATH/src/program/lwaftr',
    section: GENERAL,
    hostPath: true,
    doc: 'lwAFTR folder of that tree, for use in other values',
  },
  {
    name: 'SNABB_GUEST_PATH',
    guest: true,
    default: '/mnt/host/<SNABB_PATH below SHARED_LOCATION>/src',
    section: GENERAL,
    doc: 'folder holding the snabb program inside the guest',
  },
  {
    name: 'NUMA_NODE',
    default: '',
    section: GENERAL,
    doc: 'NUMA node for memory of snabbnfv and QEMU (numactl -m); unset: no numactl',
  },

  {
    name: 'SNABBNFV_PCI1',
    default: '',
    section: NFV,
    doc: 'port 1 NIC: PCI address DDDD:BB:DD.F, or soft for no NIC (required)',
  },
  {
    name: 'SNABBNFV_CONF1',
    default: '',
    section: NFV,
    hostPath: true,
    doc: 'port 1 snabbnfv port file (Lua) (required)',
  },
  { name: 'SNABBNFV_CORE1', default: '', section: NFV, doc: 'port 1 core for taskset -c (required)' },
  {
    name: 'SNABBNFV_MAC1',
    default: '52:54:00:00:00:01',
    section: NFV,
    doc: "port 1 guest NIC MAC, must match the port file's mac_address",
  },
  {
    name: 'SNABBNFV_SOCK1',
    aliases: ['VHU_SOCK1'],
    default: '/tmp/vh1a.sock',
    section: NFV,
    hostPath: true,
    doc: 'port 1 vhost-user socket (QEMU is the server)',
  },
  { name: 'SNABBNFV_PCI2', default: '', section: NFV, doc: 'port 2 NIC (required)' },
  { name: 'SNABBNFV_CONF2', default: '', section: NFV, hostPath: true, doc: 'port 2 port file (required)' },
  { name: 'SNABBNFV_CORE2', default: '', section: NFV, doc: 'port 2 core (required)' },
  { name: 'SNABBNFV_MAC2', default: '52:54:00:00:00:02', section: NFV, doc: 'port 2 guest NIC MAC' },
  {
    name: 'SNABBNFV_SOCK2',
    aliases: ['VHU_SOCK2'],
    default: '/tmp/vh1b.sock',
    section: NFV,
    hostPath: true,
    doc: 'port 2 vhost-user socket',
  },
  {
    name: 'SNABBNFV_BUSYWAIT',
    default: 'yes',
    section: NFV,
    doc: 'yes: pass -b (busy-wait, a whole core each, as the bash tool did); no: sleep when idle',
  },

  { name: 'QEMU', default: 'qemu-system-x86_64', section: VM, doc: 'QEMU program (name on PATH or path)' },
  { name: 'QEMU_ACCEL', default: 'kvm', section: VM, doc: 'kvm or tcg (software emulation, for hosts without KVM)' },
  { name: 'QEMU_CPU', default: 'host', section: VM, doc: 'CPU model; host needs kvm, use max under tcg' },
  { name: 'QEMU_MACHINE', default: 'pc', section: VM, doc: 'machine type' },
  { name: 'VM_CPUS', default: '1', section: VM, doc: 'number of vCPUs (-smp)' },
  { name: 'MEM', default: '1024M', section: VM, doc: 'guest memory, e.g. 1024M or 2G' },
  {
    name: 'MEM_BACKEND',
    default: 'hugetlbfs',
    section: VM,
    doc: 'shared guest memory: hugetlbfs (HUGEPAGES_FS) or memfd',
  },
  {
    name: 'HUGEPAGES_FS',
    aliases: ['HUGEPAGESTLB_FS'],
    default: '/dev/hugepages',
    section: VM,
    hostPath: true,
    doc: 'hugetlbfs mount for guest memory',
  },
  {
    name: 'BZ_IMAGE',
    default: '',
    section: VM,
    hostPath: true,
    doc: 'kernel to boot directly (-kernel); unset: boot the disk',
  },
  { name: 'INITRD', default: '', section: VM, hostPath: true, doc: 'initramfs for BZ_IMAGE (-initrd)' },
  { name: 'KERNEL_PARAMS', default: '', section: VM, doc: 'extra kernel command line (with BZ_IMAGE)' },
  {
    name: 'GUEST_HUGEPAGES',
    default: '256',
    section: VM,
    doc: 'hugepages=N on the guest kernel command line (with BZ_IMAGE)',
  },
  {
    name: 'VM_IMAGE',
    aliases: ['DISK'],
    default: '',
    section: VM,
    hostPath: true,
    doc: 'disk image (virtio); root=/dev/vda when booting BZ_IMAGE',
  },
  { name: 'VM_FORMAT', default: '', section: VM, doc: 'disk image format (raw, qcow2); unset: QEMU probes' },
  { name: 'VM_DIR', default: '', section: VM, hostPath: true, doc: 'folder QEMU runs in' },
  {
    name: 'MGMT_NET',
    default: 'tap',
    section: VM,
    doc: 'management NIC: tap (IFACE + NETSCRIPT, guest at VM_IP) or user (QEMU user networking, guest SSH on 127.0.0.1:VM_SSH_PORT)',
  },
  { name: 'IFACE', default: 'mgmt0', section: VM, doc: 'tap device of the management NIC' },
  {
    name: 'NETSCRIPT',
    default: '',
    section: VM,
    hostPath: true,
    doc: 'script QEMU runs to set up the tap device; unset: script=no',
  },
  { name: 'MGMT_MAC', default: '52:54:00:00:00:03', section: VM, doc: 'management NIC MAC' },
  {
    name: 'SHARED_LOCATION',
    default: '',
    section: VM,
    hostPath: true,
    doc: 'host folder shared over 9p (mount_tag share, /mnt/host in the guest); unset: no share',
  },
  { name: 'VNC_DISPLAY', default: '', section: VM, doc: 'VNC display number; unset: -display none' },
  {
    name: 'VM_PORT',
    default: '',
    section: VM,
    doc: 'extra guest serial port on telnet 127.0.0.1:VM_PORT; the console always goes to STATE_DIR/console.log',
  },
  { name: 'QEMU_CORE', default: '', section: VM, doc: 'cores for the whole QEMU process, as the bash tool pinned it' },
  {
    name: 'QEMU_VCPU_CORES',
    default: '',
    section: VM,
    doc: 'cores for the vCPU threads (overrides QEMU_CORE for them)',
  },
  {
    name: 'QEMU_EMULATOR_CORES',
    default: '',
    section: VM,
    doc: 'cores for every other QEMU thread (overrides QEMU_CORE for them)',
  },
  {
    name: 'QEMU_ARGS',
    default: '',
    section: VM,
    doc: 'extra QEMU arguments, split like a shell would (quotes, backslashes), never run by one',
  },

  {
    name: 'VM_IP',
    default: '10.21.21.2',
    section: GUEST,
    doc: 'guest management address (tap); also put on the kernel command line as ip=',
  },
  { name: 'VM_USER', default: 'root', section: GUEST, doc: 'guest SSH user (needs root or sudo rights over the NICs)' },
  {
    name: 'VM_SSH_PORT',
    default: '22',
    section: GUEST,
    doc: 'guest SSH port; with MGMT_NET=user the host port forwarded to the guest',
  },
  {
    name: 'VM_SSH_KEY',
    default: '',
    section: GUEST,
    hostPath: true,
    doc: 'private key; unset: ssh-agent, then ~/.ssh/id_ed25519, id_ecdsa, id_rsa',
  },
  {
    name: 'VM_KNOWN_HOSTS',
    default: '$STATE_DIR/known_hosts',
    section: GUEST,
    hostPath: true,
    doc: 'known-hosts file used to verify the guest host key',
  },
  {
    name: 'VM_HOST_KEY_CHECK',
    default: 'accept-new',
    section: GUEST,
    doc: 'yes: the key must be in VM_KNOWN_HOSTS; accept-new: record it on first use; a changed key is always refused',
  },
  {
    name: 'SSH_OPTS',
    default: '',
    section: GUEST,
    doc: 'ssh options of the bash tool: -i -p -l -o StrictHostKeyChecking -o UserKnownHostsFile -o ConnectTimeout',
  },

  {
    name: 'LWAFTR_START',
    guest: true,
    default: '~/run_lwaftr.sh',
    section: LWAFTR,
    doc: 'guest command that runs the lwAFTR in the foreground (used when LWAFTR_CONF is unset)',
  },
  {
    name: 'LWAFTR_STOP',
    guest: true,
    default: '',
    section: LWAFTR,
    doc: 'guest command run before the lwAFTR is signalled; unset: TERM, then KILL',
  },
  {
    name: 'LWAFTR_CONF',
    guest: true,
    default: '',
    section: LWAFTR,
    doc: 'guest path of lwaftr.conf: run the built-in snabb lwaftr run --virtio --conf ... --v4 0000:00:08.0 --v6 0000:00:09.0',
  },
  { name: 'LWAFTR_NAME', default: '$NAME', section: LWAFTR, doc: 'snabb lwaftr run --name' },
  { name: 'LWAFTR_CPU', default: '', section: LWAFTR, doc: 'guest core for snabb lwaftr run --cpu; unset: not passed' },
  {
    name: 'LWAFTR_RESET_VIRTIO',
    default: 'yes',
    section: LWAFTR,
    doc: 'reset the guest virtio NICs before stopping the lwAFTR (Snabb never does)',
  },
  {
    name: 'LWAFTR_DELAY',
    default: '',
    section: LWAFTR,
    doc: 'bash tool only: ignored, lwaftrctl waits for the guest instead of sleeping',
  },

  {
    name: 'TIMEOUT_SNABBNFV_START',
    default: '10',
    section: TIMEOUTS,
    doc: 'snabbnfv alive and has printed its start line',
  },
  {
    name: 'TIMEOUT_VM_START',
    default: '60',
    section: TIMEOUTS,
    doc: 'QEMU launched, both backends connected, guest running',
  },
  { name: 'TIMEOUT_SSH', default: '120', section: TIMEOUTS, doc: 'guest SSH answers after QEMU started' },
  { name: 'TIMEOUT_SSH_CONNECT', default: '10', section: TIMEOUTS, doc: 'one SSH connection attempt' },
  {
    name: 'TIMEOUT_LWAFTR_START',
    default: '60',
    section: TIMEOUTS,
    doc: 'guest lwAFTR alive and has printed its first line',
  },
  { name: 'TIMEOUT_POWERDOWN', default: '30', section: TIMEOUTS, doc: 'guest powers off after ACPI powerdown' },
  { name: 'TIMEOUT_QUIT', default: '5', section: TIMEOUTS, doc: 'QEMU exits after QMP quit' },
  { name: 'TIMEOUT_TERM', default: '5', section: TIMEOUTS, doc: 'a process exits after SIGTERM, before SIGKILL' },
  { name: 'TIMEOUT_LOCK', default: '10', section: TIMEOUTS, doc: 'waiting for another lwaftrctl run on this instance' },
];

const byName = new Map<string, KeySpec>();
for (const spec of KEYS) {
  byName.set(spec.name, spec);
  for (const alias of spec.aliases ?? []) byName.set(alias, spec);
}

export function findKey(name: string): KeySpec | undefined {
  return byName.get(name);
}

export function allKeyNames(): string[] {
  return [...byName.keys()];
}
