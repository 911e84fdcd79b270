#!/usr/bin/env bash
# One command on a fresh Debian 12, as root: the Debian packages lwaftrctl and its lab use,
# the npm dependencies, the CLI build, the lab (into ./lab, which git ignores), and 2 MiB
# hugepages with a hugetlbfs mount for the lab's guest memory (as operators run it).
# Idempotent: a second run with nothing changed takes seconds.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

say() { printf 'setup: %s\n' "$*"; }
die() { printf 'setup: error: %s\n' "$*" >&2; exit 1; }

# What each package is for: screen (snabbnfv sessions), qemu-system-x86/qemu-utils (the VM),
# openssh-client (lab key, ssh to the guest by hand), busybox-static + dropbear-bin + coreutils
# (the lab guest), iproute2 + numactl + util-linux (taskset) + procps (the host side), socat
# (QMP lines of the dry run), binutils + xz-utils + zstd (unpacking the lab's kernel modules
# and reading DPDK's library needs), gcc + make (building real Snabb for the lab's real-Snabb
# flavor, when its sources are there), sudo (copied into the lab guest for its non-root users).
PACKAGES=(screen qemu-system-x86 qemu-utils openssh-client busybox-static dropbear-bin coreutils iproute2 numactl util-linux procps socat binutils xz-utils zstd gcc make sudo)

# The packages among "$@" that dpkg does not list as installed, one a line.
missing_of() {
  local p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || printf '%s\n' "$p"
  done
}

need_root() { # <what needs it>
  [ "$(id -u)" -eq 0 ] || die "$1 needs root: run as root (sudo ./scripts/setup.sh)"
}

# Installs what is missing of one group of packages ($1 names it); install_packages fetched the lists.
ensure_packages() {
  local what=$1 missing
  shift
  mapfile -t missing < <(missing_of "$@")
  if [ ${#missing[@]} -eq 0 ]; then say "$what: present"; return; fi
  need_root "installing ${missing[*]}"
  say "$what: installing ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null ||
    die "apt-get install ${missing[*]} failed"
}

# The package lists, when a package is missing or there are none: the lab build downloads
# packages too (apt-get download), so it needs them even when nothing is missing.
install_packages() {
  if [ -n "$(missing_of "${PACKAGES[@]}")" ] || ! compgen -G '/var/lib/apt/lists/*Packages*' >/dev/null; then
    need_root "apt-get update"
    say "Debian packages: apt-get update"
    apt-get update -qq || die "apt-get update failed: is Debian's package archive reachable?"
  fi
  ensure_packages "Debian packages" "${PACKAGES[@]}"
}

# Debian 12's own nodejs is 18, too old, and setup cannot fetch a newer one itself (it uses
# only Debian's archive and the npm registry): the operator installs Node.js 20 or newer first.
readonly NODE_HINT="install Node.js 20 or newer first (Debian 12's own nodejs is 18), as root, e.g. NodeSource's deb:
  apt-get install -y curl ca-certificates
  curl -fsSL https://deb.nodesource.com/setup_20.x -o nodesource_setup.sh
  bash nodesource_setup.sh
  apt-get install -y nodejs        # node and npm
or the Linux binaries from https://nodejs.org/en/download with their bin/ on PATH; then run ./scripts/setup.sh again"

# First of all: without Node.js nothing below is of use.
check_node() {
  command -v node >/dev/null || die "node is missing: $NODE_HINT"
  local major; major=$(node -p 'process.versions.node.split(".")[0]')
  [ "$major" -ge 20 ] || die "Node.js $(node --version) is too old for lwaftrctl: $NODE_HINT"
  command -v npm >/dev/null || die "npm is missing (node $(node --version) is there): $NODE_HINT"
}

install_npm() {
  if [ -f node_modules/.package-lock.json ] && [ node_modules/.package-lock.json -nt package-lock.json ] && [ -f dist/cli.js ]; then
    say "npm dependencies: up to date"
    # The sources may have changed since the last build.
    say "building the CLI (tsc)"
    npm run --silent build || die "the TypeScript build failed"
  else
    # npm ci runs the package's prepare script, which is the build.
    say "npm dependencies: npm ci (it builds the CLI too)"
    npm ci --no-audit --no-fund --loglevel=error || die "npm ci failed (see above): is the npm registry reachable?"
  fi
}

# libvirt for the lab's libvirt engine and its tests: the daemon and its QEMU driver, virsh,
# and xmllint (virt-xml-validate needs it but does not depend on it). Not
# libvirt-daemon-system: it pulls systemd units and upgrades systemd on the host; what it
# would add that libvirtd needs is done here (the user and folders) and at each start by
# scripts/lab/libvirtd.sh (run-time folders, /dev/kvm's group). Nothing is started here.
LIBVIRT_PACKAGES=(libvirt-daemon libvirt-daemon-driver-qemu libvirt-clients libxml2-utils)

install_libvirt() {
  ensure_packages libvirt "${LIBVIRT_PACKAGES[@]}"
  # The user and groups libvirt's QEMU driver runs QEMU as (Debian builds it for
  # libvirt-qemu:libvirt-qemu), with the ids libvirt-daemon-system would give them.
  getent group kvm >/dev/null || groupadd --system kvm
  getent group libvirt-qemu >/dev/null ||
    groupadd --system $(getent group 64055 >/dev/null || echo --gid 64055) libvirt-qemu
  getent passwd libvirt-qemu >/dev/null ||
    useradd --system $(getent passwd 64055 >/dev/null || echo --uid 64055) --gid kvm --groups libvirt-qemu \
      --home-dir /var/lib/libvirt --no-create-home --shell /usr/sbin/nologin --comment 'Libvirt Qemu' \
      libvirt-qemu 2>/dev/null ||
    die "could not create the user libvirt-qemu"
  install -d -m 0755 /var/log/libvirt /var/log/libvirt/qemu /var/lib/libvirt
  install -d -m 0711 /var/cache/libvirt /var/cache/libvirt/qemu
  install -d -m 0750 -o libvirt-qemu -g libvirt-qemu /var/lib/libvirt/qemu
}

# The deployment tools the tests drive: systemd-analyze (package systemd; installing it does
# not make it PID 1 and starts nothing) checks the unit files, ansible-core runs deploy/ansible.
DEPLOY_PACKAGES=(systemd ansible-core)

# The CLI's own tests: man-db renders the man page (man -l, man -M), zsh and fish run the
# completion scripts `lwaftrctl completion` makes (bash is there already).
CLI_TEST_PACKAGES=(man-db zsh fish)

build_lab() {
  local lab=$root/lab
  mkdir -p "$lab"
  # build-lab-real-snabb before build-lab-traffic: the streams come from its test captures.
  for step in build-lab-guest build-lab-dpdk build-lab-snabb build-lab-real-snabb build-lab-traffic; do
    [ -x "scripts/$step.sh" ] || die "scripts/$step.sh is missing or not executable"
    "scripts/$step.sh" "$lab" || die "scripts/$step.sh failed (see above)"
  done
}

# The pool for the lab guests on hugetlbfs (conf/lab.conf, lab-tap.conf, lab-libvirt.conf):
# 512 MiB, 256 pages, each. One test run has at most two up at once (vitest runs one file at
# a time; lifecycle.test.ts starts two instances side by side): 512 pages. 1024 pages (2 GiB of
# RAM, taken from the host for as long as they stay reserved) hold two test runs at once
# (test/helpers/run-tag.ts gives each run its own names and ports), or one run next to two
# instances started by hand. The 2 GiB real-Snabb guest (conf/lab-real-snabb.conf) is on
# memfd and takes none of them.
LAB_HUGEPAGES=${LAB_HUGEPAGES:-1024}
HUGEPAGES_MOUNT=/dev/hugepages   # conf/lab.conf's HUGEPAGES_FS
HUGEPAGES_POOL=/sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages

# Only ever raises the pool: pages someone else reserved stay reserved.
reserve_hugepages() {
  [[ $LAB_HUGEPAGES =~ ^[0-9]+$ ]] || die "LAB_HUGEPAGES=$LAB_HUGEPAGES is not a number of 2 MiB pages"
  [ -w "$HUGEPAGES_POOL" ] || die "cannot write $HUGEPAGES_POOL: run as root, on a kernel with 2 MiB hugepages (CONFIG_HUGETLBFS)"
  local have; have=$(<"$HUGEPAGES_POOL")
  if [ "$have" -ge "$LAB_HUGEPAGES" ]; then say "hugepages: $have of 2 MiB reserved (lab needs $LAB_HUGEPAGES)"; return; fi
  local available_kib; available_kib=$(awk '$1 == "MemAvailable:" { print $2 }' /proc/meminfo)
  [ $(((LAB_HUGEPAGES - have) * 2048)) -lt "$available_kib" ] ||
    die "$((LAB_HUGEPAGES - have)) more 2 MiB pages need more than the $((available_kib / 1024)) MiB of memory available: set LAB_HUGEPAGES lower (256 per 512 MiB lab guest)"
  say "hugepages: raising the 2 MiB pool from $have to $LAB_HUGEPAGES"
  echo "$LAB_HUGEPAGES" >"$HUGEPAGES_POOL"
  local got; got=$(<"$HUGEPAGES_POOL")
  if [ "$got" -lt "$LAB_HUGEPAGES" ]; then
    echo "$have" >"$HUGEPAGES_POOL" # give back what this run took
    die "the kernel found only $got of $LAB_HUGEPAGES 2 MiB pages (memory too fragmented): free some memory and run again, or set LAB_HUGEPAGES lower (256 per 512 MiB lab guest)"
  fi
}

# hugetlbfs at HUGEPAGES_MOUNT, unless one with 2 MiB pages is already there.
mount_hugetlbfs() {
  local opts
  opts=$(awk -v d="$HUGEPAGES_MOUNT" '$2 == d && $3 == "hugetlbfs" { print $4 }' /proc/mounts)
  if [ -n "$opts" ]; then
    [[ ,$opts, == *,pagesize=2M,* ]] || die "$HUGEPAGES_MOUNT is a hugetlbfs mount without 2 MiB pages ($opts): unmount it, or set HUGEPAGES_FS in conf/lab.conf to a 2 MiB one"
    say "hugetlbfs: mounted at $HUGEPAGES_MOUNT"
    return
  fi
  if awk -v d="$HUGEPAGES_MOUNT" '$2 == d { found = 1 } END { exit !found }' /proc/mounts; then
    die "$HUGEPAGES_MOUNT is a mount of another kind (see /proc/mounts): unmount it, or set HUGEPAGES_FS in conf/lab.conf to a hugetlbfs mount"
  fi
  say "hugetlbfs: mounting at $HUGEPAGES_MOUNT"
  mkdir -p "$HUGEPAGES_MOUNT"
  mount -t hugetlbfs -o pagesize=2M nodev "$HUGEPAGES_MOUNT" || die "mount -t hugetlbfs at $HUGEPAGES_MOUNT failed"
}

check_node
install_packages
install_npm
ensure_packages "CLI test tools" "${CLI_TEST_PACKAGES[@]}"
if [ "${LWAFTRCTL_SKIP_LAB:-}" = 1 ]; then
  say "lab: skipped (LWAFTRCTL_SKIP_LAB=1)"
else
  reserve_hugepages
  mount_hugetlbfs
  build_lab
  install_libvirt
  ensure_packages "deployment tools" "${DEPLOY_PACKAGES[@]}"
fi
say "done. Try: npx lwaftrctl -f conf/lab.conf all start"
