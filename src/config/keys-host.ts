// Config keys of the host side: general, snabbnfv and the VM, as both eras of the bash tool
// named them, plus lwaftrctl's own.
import type { KeySpec } from './key-spec.js';

const GENERAL = 'General';
const NFV = 'snabbnfv (host)';
const VM = 'vm (QEMU)';

export const HOST_KEYS: KeySpec[] = [
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
    computed: true,
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

  {
    name: 'VM_ENGINE',
    default: 'qemu',
    section: VM,
    doc:
      'qemu: lwaftrctl runs QEMU itself; libvirt: the VM is a libvirt domain (qemu:///system) lwaftrctl defines ' +
      'and runs',
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
    doc:
      'management NIC: tap (IFACE + NETSCRIPT, guest at VM_IP) or user (QEMU user networking, guest SSH on ' +
      '127.0.0.1:VM_SSH_PORT)',
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
    name: 'MGMT_VHOST',
    default: 'no',
    section: VM,
    doc: 'yes: vhost=on for the tap management NIC (needs /dev/vhost-net); no: QEMU moves its packets',
  },
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
];
