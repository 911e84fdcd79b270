#!/usr/bin/env bash
# One command on a fresh Debian 12, as root: the Debian packages lwaftrctl and its lab use,
# the npm dependencies, the CLI build, and the lab (into ./lab, which git ignores).
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
# flavor, when its sources are there).
PACKAGES=(screen qemu-system-x86 qemu-utils openssh-client busybox-static dropbear-bin coreutils iproute2 numactl util-linux procps socat binutils xz-utils zstd gcc make)

install_packages() {
  local missing=()
  for p in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  # The lab build downloads packages too: it needs package lists even when nothing is missing.
  if [ ${#missing[@]} -eq 0 ] && compgen -G '/var/lib/apt/lists/*Packages*' >/dev/null; then say "Debian packages: all present"; return; fi
  [ "$(id -u)" -eq 0 ] || die "installing ${missing[*]:-package lists} needs root: run as root (sudo ./scripts/setup.sh)"
  export DEBIAN_FRONTEND=noninteractive
  say "Debian packages: apt-get update"
  apt-get update -qq || die "apt-get update failed: is Debian's package archive reachable?"
  [ ${#missing[@]} -eq 0 ] && return
  say "Debian packages: installing ${missing[*]}"
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null || die "apt-get install ${missing[*]} failed"
}

install_npm() {
  command -v node >/dev/null || die "node is missing: install Node.js 20 (apt-get install nodejs npm)"
  local major; major=$(node -p 'process.versions.node.split(".")[0]')
  [ "$major" -ge 20 ] || die "Node.js $(node --version) is too old: lwaftrctl needs 20 or newer"
  if [ -f node_modules/.package-lock.json ] && [ node_modules/.package-lock.json -nt package-lock.json ] && [ -f dist/cli.js ]; then
    say "npm dependencies: up to date"
  else
    say "npm dependencies: npm ci (also builds the CLI)"
    npm ci --no-audit --no-fund --loglevel=error || die "npm ci failed: is the npm registry reachable?"
  fi
  say "building the CLI (tsc)"
  npm run --silent build || die "the TypeScript build failed"
}

build_lab() {
  local lab=$root/lab
  mkdir -p "$lab"
  # build-lab-real-snabb before build-lab-traffic: the streams come from its test captures.
  for step in build-lab-guest build-lab-dpdk build-lab-snabb build-lab-real-snabb build-lab-traffic; do
    [ -x "scripts/$step.sh" ] || die "scripts/$step.sh is missing or not executable"
    "scripts/$step.sh" "$lab" || die "scripts/$step.sh failed (see above)"
  done
}

install_packages
install_npm
if [ "${LWAFTRCTL_SKIP_LAB:-}" = 1 ]; then say "lab: skipped (LWAFTRCTL_SKIP_LAB=1)"; else build_lab; fi
say "done. Try: npx lwaftrctl -f conf/lab.conf all start"
