#!/bin/bash
# Build the lab guest booted by the `vm` component: a Debian kernel and a small
# initramfs (busybox init, dropbear, GNU screen, sudo, the management NIC configured from
# ip= on the kernel command line by scripts/lab/guest-net.sh), plus the lab's SSH keys.
# Three users log in with the lab's key: root; lwaftr (uid 1000), who may use sudo without a
# password; asker (uid 1001), who may use sudo only with its password (lwaftr-lab).
#
# Produces, under <labdir> (default <repo>/lab):
#   guest/vmlinuz, guest/initramfs.cpio.gz
#   keys/id_ed25519{,.pub}   client key authorized for root, lwaftr and asker in the guest
#   keys/known_hosts         "[127.0.0.1]:*,10.21.21.2 <guest host key>": any forwarded
#                            port (MGMT_NET=user), and conf/lab-tap.conf's VM_IP
#   keys/guest_host_ed25519  the guest's dropbear host key (kept across builds)
#   cache/                   the kernel modules the guest loads, build stamps
#
# Steps whose inputs did not change are skipped, so a re-run takes about a
# second. Delete <labdir>/cache to force a full rebuild.
#
# Usage: scripts/build-lab-guest.sh [labdir]      (as root)
set -euo pipefail
shopt -s inherit_errexit

SELF=$(realpath "${BASH_SOURCE[0]}")
readonly SELF
readonly REPO=${SELF%/scripts/*}
LAB=$(realpath -m "${1:-$REPO/lab}")
readonly LAB GUEST=$LAB/guest KEYS=$LAB/keys CACHE=$LAB/cache
readonly KMODS=$CACHE/kernel-modules
# Sourced by the guest's rcS: configures the management NIC from ip= on the kernel command line.
readonly MGMT_NET_SH=$REPO/scripts/lab/guest-net.sh

# Modules the guest loads; what they depend on is added from their .modinfo.
# uio_pci_generic: the lwAFTR stand-in's DPDK takes the data NICs through it.
readonly GUEST_MODULES=(virtio_pci virtio_net virtio_rng 9pnet_virtio 9p button evdev uio_pci_generic)
# Dynamically linked programs copied into the guest with their libraries
# (nohup comes from coreutils: Debian's busybox has no nohup applet; stdbuf
# makes the lwAFTR stand-in's testpmd answer line by line).
readonly GUEST_PROGRAMS=(dropbear screen nohup stdbuf)
# stdbuf preloads this library from the path compiled into it.
readonly STDBUF_LIB=/usr/libexec/coreutils/libstdbuf.so
# Debian's sudo for the non-root users: the setuid binary, from its plugin folder what the
# guest's sudoers loads (the sudoers policy and the library sudo shares with it; not the
# noexec, intercept, audit and group plugins), and the PAM modules its /etc/pam.d/sudo names.
readonly SUDO_BIN=/usr/bin/sudo SUDO_PLUGINS=/usr/libexec/sudo
readonly SUDO_PLUGIN_FILES=(sudoers.so libsudo_util.so.0)
readonly PAM_MODULES=(pam_unix pam_deny pam_permit)
# asker's password, lwaftr-lab, as `openssl passwd -6 -salt lwaftrlab lwaftr-lab` hashes it:
# a fixed salt keeps the initramfs the same from one build to the next.
# shellcheck disable=SC2016 # a crypt hash, not an expression
readonly ASKER_HASH='$6$lwaftrlab$Wq2qiaYs3GKmqD1UTB1duXdkWFJ.pAr/CzhuepROsYey5wW8WfGoL6ZVcsG0ijZE3x7nIvOwNheCEQIwY4hqg1'
readonly TERMINFO_NAMES=(dumb linux vt100 vt102 vt220 xterm xterm-256color screen screen-256color tmux-256color)
readonly TERMINFO_DIRS=(/etc/terminfo /lib/terminfo /usr/share/terminfo)

step() { echo "build-lab-guest: $*"; }
die() { echo "build-lab-guest: error: $*" >&2; exit 1; }

need_tool() { # <command> <debian package>
  command -v "$1" >/dev/null || die "missing '$1' (Debian package $2)"
}

check_prerequisites() {
  [[ $EUID -eq 0 ]] || die "run as root (device nodes and root-owned files go into the initramfs)"
  need_tool apt-get apt
  need_tool dpkg-deb dpkg
  need_tool busybox busybox-static
  need_tool dropbear dropbear-bin
  need_tool dropbearkey dropbear-bin
  need_tool screen screen
  need_tool nohup coreutils
  need_tool stdbuf coreutils
  [[ -f $STDBUF_LIB ]] || die "missing $STDBUF_LIB (Debian package coreutils)"
  need_tool objcopy binutils
  need_tool readelf binutils
  need_tool xz xz-utils
  need_tool ldd libc-bin
  [[ -u $SUDO_BIN && -f $SUDO_PLUGINS/sudoers.so ]] || die "missing $SUDO_BIN or its plugins (Debian package sudo)"
  local m
  for m in "${PAM_MODULES[@]}"; do
    [[ -f $(pam_module_dir)/$m.so ]] || die "missing $(pam_module_dir)/$m.so (Debian package libpam-modules)"
  done
  need_tool ssh-keygen openssh-client
  need_tool gzip gzip
  # /init runs before any library is in place.
  if ldd "$(command -v busybox)" >/dev/null 2>&1; then
    die "busybox is dynamically linked (Debian package busybox-static replaces it)"
  fi
}

# --- keys --------------------------------------------------------------------

make_client_key() {
  if [[ -s $KEYS/id_ed25519 && -s $KEYS/id_ed25519.pub ]]; then
    step "skip lab SSH key (keys/id_ed25519 exists)"
    return
  fi
  step "generate lab SSH key keys/id_ed25519"
  rm -f "$KEYS/id_ed25519" "$KEYS/id_ed25519.pub"
  ssh-keygen -q -t ed25519 -N '' -C lwaftr-lab -f "$KEYS/id_ed25519"
}

# Kept across rebuilds so that known_hosts stays valid for a running guest.
make_host_key() {
  if [[ -s $KEYS/guest_host_ed25519 ]]; then
    step "skip guest host key (keys/guest_host_ed25519 exists)"
    return
  fi
  step "generate guest host key keys/guest_host_ed25519"
  local out
  out=$(dropbearkey -t ed25519 -f "$KEYS/guest_host_ed25519" 2>&1) || die "dropbearkey failed: $out"
}

host_public_key() {
  dropbearkey -y -f "$KEYS/guest_host_ed25519" | awk '$1 == "ssh-ed25519" { print $1, $2 }'
}

write_known_hosts() {
  local line
  line="[127.0.0.1]:*,10.21.21.2 $(host_public_key)"
  if [[ -f $KEYS/known_hosts && $(<"$KEYS/known_hosts") == "$line" ]]; then
    step "skip keys/known_hosts (up to date)"
    return
  fi
  step "write keys/known_hosts"
  echo "$line" >"$KEYS/known_hosts"
}

# --- kernel ------------------------------------------------------------------

# Sets KPKG (e.g. linux-image-6.1.0-56-amd64) and KVER (its package version).
resolve_kernel() {
  local depends
  # This host's apt config keeps no package cache (a second per query): keep
  # one in the lab cache; apt checks it against its lists itself.
  depends=$(apt-cache -o Dir::Cache::pkgcache="$CACHE/apt-pkgcache.bin" -o Dir::Cache::srcpkgcache= \
    show --no-all-versions linux-image-amd64 2>/dev/null | sed -n 's/^Depends: //p')
  if [[ ! $depends =~ (linux-image-6\.1\.[0-9.]+-[0-9]+-amd64)\ \(=\ ([^\)]+)\) ]]; then
    die "apt shows no linux-image-6.1.*-amd64 behind linux-image-amd64 (run apt-get update)"
  fi
  KPKG=${BASH_REMATCH[1]} KVER=${BASH_REMATCH[2]}
}

# Everything the kernel step's result depends on, including its own code.
kernel_inputs() {
  echo "$KPKG=$KVER"
  echo "${GUEST_MODULES[*]}"
  declare -f build_kernel extract_pvh_kernel download_kernel index_modules add_module unpack_module module_depends
}

build_kernel() {
  local stamp=$KMODS/stamp inputs deb tree
  inputs=$(kernel_inputs | sha256sum)
  if [[ -s $GUEST/vmlinuz && -s $KMODS/load-order && -f $stamp && $(<"$stamp") == "$inputs" ]]; then
    step "skip kernel and modules ($KPKG $KVER, unchanged)"
    return
  fi
  deb=$(download_kernel)
  step "unpack $KPKG"
  tree=$WORK/kernel
  dpkg-deb -x "$deb" "$tree"

  local -a vmlinuz=("$tree"/boot/vmlinuz-*)
  [[ -f ${vmlinuz[0]} ]] || die "no boot/vmlinuz-* in $KPKG"
  step "decompress ${vmlinuz[0]##*/} into an ELF kernel"
  extract_pvh_kernel "${vmlinuz[0]}" "$GUEST/vmlinuz.tmp"
  mv "$GUEST/vmlinuz.tmp" "$GUEST/vmlinuz"

  step "select modules: ${GUEST_MODULES[*]} (+ dependencies)"
  rm -rf "$KMODS"
  mkdir -p "$KMODS"
  declare -gA KO_PATH=() SEEN=()
  LOAD_ORDER=()
  index_modules "$tree/lib/modules"
  local m
  for m in "${GUEST_MODULES[@]}"; do add_module "$m"; done
  printf '%s\n' "${LOAD_ORDER[@]}" >"$KMODS/load-order"
  step "kept vmlinuz and ${#LOAD_ORDER[@]} modules: ${LOAD_ORDER[*]}"
  rm -rf "$tree"
  echo "$inputs" >"$stamp"
}

# Under TCG the bzImage's own xz decompression takes 4-7 s of every boot.
# QEMU boots the uncompressed ELF kernel directly through its PVH entry
# point instead (same -kernel/-initrd/-append), so we ship that ELF
# (65 MB) under the name vmlinuz.
extract_pvh_kernel() { # <bzImage> <dest>
  local offset
  offset=$(LC_ALL=C grep -m1 -obUaP '\xfd7zXZ\x00' "$1" | cut -d: -f1)
  [[ -n $offset ]] || die "${1##*/} has no xz payload (expected of Debian's 6.1 kernels)"
  # xz stops at the end of its stream; a pipe would fail on tail's SIGPIPE.
  xz -dc --single-stream >"$2" < <(tail -c +$((offset + 1)) "$1") ||
    die "cannot decompress the kernel in ${1##*/}"
  # Xen note type 0x12 is XEN_ELFNOTE_PHYS32_ENTRY, the PVH entry point.
  readelf -n "$2" 2>/dev/null | grep -q 'Unknown note type: (0x00000012)' ||
    die "the kernel in ${1##*/} is not an ELF with a PVH entry point"
}

# Prints the path of the downloaded .deb. Never installs it on the host.
download_kernel() {
  local dir=$WORK/download
  mkdir -p "$dir"
  step "download $KPKG $KVER" >&2
  # apt's sandbox user cannot write into our private temp dir.
  (cd "$dir" && apt-get download -qq -o APT::Sandbox::User=root "$KPKG=$KVER" >&2) ||
    die "apt-get download $KPKG=$KVER failed"
  local -a debs=("$dir/${KPKG}_"*.deb)
  [[ -f ${debs[0]} ]] || die "apt-get download left no $KPKG .deb"
  echo "${debs[0]}"
}

index_modules() { # <lib/modules dir>; fills KO_PATH[name] = file
  local f name
  while IFS= read -r -d '' f; do
    name=${f##*/}
    name=${name%%.ko*}
    KO_PATH[${name//-/_}]=$f
  done < <(find "$1" -name '*.ko*' -print0)
}

# Depth first, so every module comes after what it depends on in LOAD_ORDER.
add_module() { # <module name>
  local name=${1//-/_} dep
  [[ -z ${SEEN[$name]:-} ]] || return 0
  SEEN[$name]=1
  [[ -n ${KO_PATH[$name]:-} ]] || die "module $name not found in $KPKG"
  unpack_module "${KO_PATH[$name]}" "$KMODS/$name.ko"
  for dep in $(module_depends "$KMODS/$name.ko"); do add_module "$dep"; done
  LOAD_ORDER+=("$name")
}

unpack_module() { # <.ko[.xz|.zst|.gz]> <dest .ko>; the guest's busybox insmod wants plain .ko
  case $1 in
    *.ko) cp "$1" "$2" ;;
    *.ko.xz) xz -dc "$1" >"$2" ;;
    *.ko.zst) need_tool zstd zstd && zstd -qdc "$1" >"$2" ;;
    *.ko.gz) gzip -dc "$1" >"$2" ;;
    *) die "unknown module format: $1" ;;
  esac
}

# The host has no kmod: read depends= from the module's .modinfo section.
module_depends() { # <.ko>
  objcopy -O binary --only-section=.modinfo "$1" /dev/stdout |
    tr '\0' '\n' | sed -n 's/^depends=//p' | tr ',' ' '
}

# --- initramfs ---------------------------------------------------------------

# Where libpam looks for its modules: "security" beside libpam itself.
pam_module_dir() {
  local libpam
  libpam=$(ldd "$SUDO_PLUGINS/sudoers.so" | awk '$1 == "libpam.so.0" { print $3 }')
  echo "${libpam%/*}/security"
}

# The dynamically linked files copied into the guest, one path a line.
guest_elf_files() {
  local prog f m
  for prog in "${GUEST_PROGRAMS[@]}"; do command -v "$prog"; done
  echo "$SUDO_BIN"
  for f in "${SUDO_PLUGIN_FILES[@]}"; do echo "$SUDO_PLUGINS/$f"; done
  for m in "${PAM_MODULES[@]}"; do echo "$(pam_module_dir)/$m.so"; done
}

# Host libraries copied into the guest, one path a line: those ldd names for
# the files above (but sudo's own, which are among them), and libnss_files
# for name lookups.
host_libraries() {
  local file libs
  while read -r file; do
    libs=$(ldd "$file") || die "ldd $file failed"
    awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }' <<<"$libs"
  done < <(guest_elf_files) | grep -v "^$SUDO_PLUGINS/" | sort -u
  local libc lib
  libc=$(ldd "$(command -v dropbear)" | awk '$1 == "libc.so.6" { print $3 }')
  # libm and libgcc_s for the programs run from the 9p share: DPDK's testpmd
  # (its other libraries are in the lab's dpdk/guest-lib) and real Snabb.
  for lib in libnss_files.so.2 libm.so.6 libgcc_s.so.1; do
    [[ -f ${libc%/*}/$lib ]] || die "missing ${libc%/*}/$lib (Debian packages libc6, libgcc-s1)"
    echo "${libc%/*}/$lib"
  done
  echo "$STDBUF_LIB"
}

terminfo_file() { # <name>; first match in the directories libtinfo searches
  local dir
  for dir in "${TERMINFO_DIRS[@]}"; do
    [[ -f $dir/${1:0:1}/$1 ]] && { echo "$dir/${1:0:1}/$1"; return; }
  done
  die "missing terminfo entry $1 (Debian package ncurses-base)"
}

host_files() {
  command -v busybox
  guest_elf_files
  host_libraries
  local t
  for t in "${TERMINFO_NAMES[@]}"; do terminfo_file "$t"; done
}

initramfs_inputs() {
  sha256sum "$SELF" "$MGMT_NET_SH" "$KMODS/stamp" "$KEYS/id_ed25519.pub" "$KEYS/guest_host_ed25519"
  host_files | xargs sha256sum
}

build_initramfs() {
  local stamp=$CACHE/initramfs.stamp inputs
  inputs=$(initramfs_inputs | sha256sum)
  if [[ -s $GUEST/initramfs.cpio.gz && -f $stamp && $(<"$stamp") == "$inputs" ]]; then
    step "skip initramfs (unchanged)"
    return
  fi
  step "assemble initramfs"
  local root=$WORK/root
  make_layout "$root"
  install_programs "$root"
  install -m 644 -t "$root/lib/modules" "$KMODS"/*.ko "$KMODS/load-order"
  write_etc "$root"
  install_sudo "$root"
  install_ssh "$root"
  step "pack initramfs.cpio.gz"
  # Owners as in the tree: root's, but for the users' homes.
  (cd "$root" && find . | sort | busybox cpio -o -H newc 2>/dev/null) |
    gzip -9n >"$GUEST/initramfs.cpio.gz.tmp"
  mv "$GUEST/initramfs.cpio.gz.tmp" "$GUEST/initramfs.cpio.gz"
  echo "$inputs" >"$stamp"
  step "initramfs.cpio.gz: $(du -k "$GUEST/initramfs.cpio.gz" | cut -f1) KiB"
}

# One bin directory: every name is on PATH whichever of /bin, /sbin,
# /usr/bin, /usr/sbin a caller's PATH has (dropbear's PATH for users other
# than root is /usr/bin:/bin).
make_layout() { # <root>
  local root=$1
  mkdir -p "$root"/{usr/bin,lib/modules,etc,proc,sys,dev,tmp,mnt/host,root/.ssh,var/log,run/screen}
  ln -s usr/bin "$root/bin"
  ln -s usr/bin "$root/sbin"
  ln -s bin "$root/usr/sbin"
  ln -s ../run "$root/var/run"
  ln -s bin/busybox "$root/init"
  # The kernel opens /dev/console for init before devtmpfs is mounted.
  mknod -m 600 "$root/dev/console" c 5 1
  mknod -m 666 "$root/dev/null" c 1 3
  chmod 1777 "$root/tmp" "$root/run/screen"
  # SCREENDIR: screen's default for root, so commands without a profile use it too.
  install -d -m 700 "$root/run/screen/S-root"
  chmod 700 "$root/root" "$root/root/.ssh"
}

install_programs() { # <root>
  local root=$1 prog lib t applet
  install -m 755 "$(command -v busybox)" "$root/usr/bin/busybox"
  for applet in $(busybox --list); do
    [[ $applet == busybox ]] || ln -s busybox "$root/usr/bin/$applet"
  done
  for prog in "${GUEST_PROGRAMS[@]}"; do
    install -m 755 "$(command -v "$prog")" "$root/usr/bin/$prog"
  done
  while read -r lib; do
    install -D -m 755 "$lib" "$root$lib"
  done < <(host_libraries)
  for t in "${TERMINFO_NAMES[@]}"; do
    install -D -m 644 "$(terminfo_file "$t")" "$root/usr/share/terminfo/${t:0:1}/$t"
  done
}

install_ssh() { # <root>
  local root=$1 user id
  install -D -m 600 "$KEYS/guest_host_ed25519" "$root/etc/dropbear/dropbear_ed25519_host_key"
  install -m 600 "$KEYS/id_ed25519.pub" "$root/root/.ssh/authorized_keys"
  # dropbear wants a home, its .ssh and authorized_keys owned by the user (or root), written by no one else.
  for user in lwaftr:1000 asker:1001; do
    id=${user#*:} user=${user%:*}
    install -d -m 755 -o "$id" -g "$id" "$root/home/$user"
    install -d -m 700 -o "$id" -g "$id" "$root/home/$user/.ssh"
    install -m 600 -o "$id" -g "$id" "$KEYS/id_ed25519.pub" "$root/home/$user/.ssh/authorized_keys"
  done
}

install_sudo() { # <root>
  local root=$1 f m etc=$1/etc
  install -m 4755 "$SUDO_BIN" "$root/usr/bin/sudo"
  for f in "${SUDO_PLUGIN_FILES[@]}"; do install -D -m 644 "$SUDO_PLUGINS/$f" "$root$SUDO_PLUGINS/$f"; done
  mkdir -p "$etc/sudoers.d" "$etc/pam.d"
  for m in "${PAM_MODULES[@]}"; do install -D -m 644 "$(pam_module_dir)/$m.so" "$root$(pam_module_dir)/$m.so"; done
  # Debian's sudoers, but for mail_badpass: the guest has no mailer.
  printf '%s\n' 'Defaults	env_reset' \
    'Defaults	secure_path="/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"' \
    'Defaults	use_pty' 'root	ALL=(ALL:ALL) ALL' '%sudo	ALL=(ALL:ALL) ALL' '@includedir /etc/sudoers.d' \
    >"$etc/sudoers"
  # The line lwaftrctl's sudo error tells an operator to add.
  echo 'lwaftr ALL=(root) NOPASSWD: ALL' >"$etc/sudoers.d/lwaftrctl"
  chmod 440 "$etc/sudoers" "$etc/sudoers.d/lwaftrctl"
  # Debian's /etc/pam.d/sudo with its common-auth, -account and -session-noninteractive inlined as
  # pam-auth-update writes them with pam_unix alone; no pam_limits (no limits are set here).
  printf '%s\n' '#%PAM-1.0' \
    'auth	[success=1 default=ignore]	pam_unix.so nullok' 'auth	requisite	pam_deny.so' \
    'auth	required	pam_permit.so' \
    'account	[success=1 new_authtok_reqd=done default=ignore]	pam_unix.so' 'account	requisite	pam_deny.so' \
    'account	required	pam_permit.so' \
    'session	[default=1]	pam_permit.so' 'session	requisite	pam_deny.so' 'session	required	pam_permit.so' \
    'session	required	pam_unix.so' >"$etc/pam.d/sudo"
}

write_etc() { # <root>
  local etc=$1/etc
  cat >"$etc/inittab" <<'EOF'
::sysinit:/etc/init.d/rcS
::respawn:/usr/sbin/dropbear -F -E -s -p 22 -r /etc/dropbear/dropbear_ed25519_host_key
::respawn:/sbin/acpid -f -c /etc/acpi -l /var/log/acpid.log
::askfirst:-/bin/sh
EOF
  mkdir -p "$etc/init.d" "$etc/acpi/PWRF"
  write_rcs >"$etc/init.d/rcS"
  install -m 644 "$MGMT_NET_SH" "$etc/mgmt-net.sh"
  # busybox acpid runs this on the power button (QMP system_powerdown). -f: busybox init
  # would spend a fixed second between TERM and KILL, and nothing in this guest needs it
  # (lwaftrctl stops the lwAFTR before it powers the guest down; the root is a ramfs).
  printf '%s\n' '#!/bin/sh' 'sync' 'exec /sbin/poweroff -f' >"$etc/acpi/PWRF/00000080"
  chmod 755 "$etc/init.d/rcS" "$etc/acpi/PWRF/00000080"
  printf '%s\n' 'root:x:0:0:root:/root:/bin/sh' 'lwaftr:x:1000:1000:sudo without a password:/home/lwaftr:/bin/sh' \
    'asker:x:1001:1001:sudo with a password:/home/asker:/bin/sh' >"$etc/passwd"
  # *: no password login, yet not locked (dropbear refuses a locked account's key too).
  printf '%s\n' 'root:*:19000:0:99999:7:::' 'lwaftr:*:19000:0:99999:7:::' "asker:$ASKER_HASH:19000:0:99999:7:::" \
    >"$etc/shadow"
  chmod 600 "$etc/shadow"
  printf '%s\n' 'root:x:0:' 'tty:x:5:' 'sudo:x:27:asker' 'lwaftr:x:1000:' 'asker:x:1001:' >"$etc/group"
  echo /bin/sh >"$etc/shells" # dropbear refuses users whose shell is not listed
  printf '%s\n' 'passwd: files' 'group: files' 'shadow: files' 'hosts: files' >"$etc/nsswitch.conf"
  echo '127.0.0.1 localhost lwaftr-lab' >"$etc/hosts"
  echo lwaftr-lab >"$etc/hostname"
  cat >"$etc/profile" <<'EOF'
export PATH=/usr/bin:/usr/sbin:/bin:/sbin
[ "$(id -u)" -ne 0 ] || export SCREENDIR=/run/screen/S-root
EOF
}

write_rcs() {
  cat <<'EOF'
#!/bin/sh
# Lab guest boot: mounts, modules, hugepages, 9p share, NICs.
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mkdir -p /dev/pts /dev/hugepages
mount -t devpts -o gid=5,mode=620,ptmxmode=666 devpts /dev/pts
mount -t tmpfs -o mode=1777 tmpfs /tmp
hostname -F /etc/hostname

while read -r m; do insmod "/lib/modules/$m.ko"; done </lib/modules/load-order

# The kernel reserved the pages from hugepages=N on its command line.
mount -t hugetlbfs hugetlbfs /dev/hugepages

# mount_tag reads back with a trailing NUL.
for tag in /sys/bus/virtio/devices/*/mount_tag; do
  if [ -f "$tag" ] && [ "$(tr -d '\000\n' <"$tag")" = share ]; then
    mount -t 9p -o trans=virtio,version=9p2000.L share /mnt/host
  fi
done

netdev() { # <pci address>
  ls /sys/bus/pci/devices/$1/virtio*/net 2>/dev/null
}

ip link set dev lo up
# The vhost-user NICs: up, no address (not even IPv6 link-local, whose
# neighbour discovery would send packets), left for a userspace driver.
for pci in 0000:00:08.0 0000:00:09.0; do
  if dev=$(netdev $pci); then
    echo 1 >"/proc/sys/net/ipv6/conf/$dev/disable_ipv6"
    ip link set dev "$dev" up
  fi
done

# Management NIC: ip= from the kernel command line, else QEMU user networking's address.
. /etc/mgmt-net.sh
mgmt_up
EOF
}

main() {
  check_prerequisites
  mkdir -p "$GUEST" "$CACHE"
  install -d -m 700 "$KEYS"
  WORK=$(mktemp -d "${TMPDIR:-/tmp}/build-lab-guest.XXXXXX")
  trap 'rm -rf "$WORK"' EXIT
  make_client_key
  make_host_key
  write_known_hosts
  resolve_kernel
  build_kernel
  build_initramfs
  step "done: $GUEST/vmlinuz $GUEST/initramfs.cpio.gz"
}

main
