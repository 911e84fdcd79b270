// Config keys of the guest side: SSH, the lwAFTR, and every deadline.
import type { KeySpec } from './key-spec.js';

const GUEST = 'guest SSH';
const LWAFTR = 'lwaftr (guest)';
const TIMEOUTS = 'timeouts (seconds)';

export const GUEST_KEYS: KeySpec[] = [
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
    doc:
      'guest path of lwaftr.conf: run the built-in snabb lwaftr run --virtio --conf ... --v4 0000:00:08.0 --v6 ' +
      '0000:00:09.0',
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
