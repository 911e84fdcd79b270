// The Debian package of each program lwaftrctl runs, for "how to install it" hints.
const PACKAGES: Record<string, string> = {
  screen: 'screen',
  taskset: 'util-linux',
  numactl: 'numactl',
  'qemu-system-x86_64': 'qemu-system-x86',
  socat: 'socat',
  virsh: 'libvirt-clients',
};

export function debianPackageOf(program: string): string | undefined {
  return PACKAGES[program];
}

/** How to get a missing program: its package, or the key that names it. */
export function installHint(program: string, key?: string): string {
  const pkg = debianPackageOf(program);
  if (pkg) return `apt-get install ${pkg}`;
  return key ? `install ${program}, or set ${key} to its full path` : `install ${program}, or put it on PATH`;
}
