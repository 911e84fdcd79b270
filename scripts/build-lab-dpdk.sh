#!/bin/bash
# Unpack DPDK's dpdk-testpmd and the runtime libraries it needs into
# <labdir>/dpdk/, without installing anything on the host.
#
# The lab's snabbnfv stand-in uses testpmd as a real vhost-user backend (and
# its pcap PMD for scripts/lab-traffic.sh); the guest's lwAFTR stand-in runs
# the same testpmd over 9p with its virtio PMD. Run it with
# LD_LIBRARY_PATH=<labdir>/dpdk/usr/lib/x86_64-linux-gnu and pass its plugins
# by bare name (-d librte_net_vhost.so.23 -d librte_mempool_ring.so.23): EAL
# refuses plugin paths under a world-writable directory such as /tmp.
#
# For the guest, <labdir>/dpdk/guest.tar holds testpmd (bin/) and every
# library it loads (lib/: its own, the two plugins the guest uses, and the
# host libraries the guest lacks, such as libnuma and libibverbs), with its
# sha256 in guest.tar.sha256. The guest unpacks it into memory once per boot:
# testpmd loaded straight over 9p took 5 s to start under an emulated CPU,
# page fault by page fault; from memory 1.5 s. glibc itself is left out: the
# guest's initramfs has the host's (scripts/build-lab-guest.sh), and its
# parts must match.
#
# Usage: scripts/build-lab-dpdk.sh <labdir>
set -euo pipefail

readonly TESTPMD=usr/bin/dpdk-testpmd
readonly LIBDIR=usr/lib/x86_64-linux-gnu
# Plugins testpmd loads at run time (not in its NEEDED entries).
readonly PLUGIN_PKGS="librte-net-vhost23 librte-vhost23 librte-mempool-ring23 librte-net-virtio23 librte-net-pcap23 ibverbs-providers"
readonly PLUGINS="librte_net_vhost.so.23 librte_mempool_ring.so.23 librte_net_virtio.so.23 librte_net_pcap.so.23"
readonly GUEST_TAR=guest.tar
# The plugins the guest's testpmd loads (virtio-net devices).
readonly GUEST_PLUGINS="librte_net_virtio.so.23 librte_mempool_ring.so.23"
# glibc's libraries: the guest has the host's own (they must come from one build).
readonly GLIBC_RE='/(libc|libm|libpthread|libdl|librt|libresolv|ld-linux-x86-64)\.so'

# Pulled in by the dependency closure, not needed to run testpmd, and with
# side effects on the host if they were ever installed.
readonly EXCLUDE_RE='systemd|udev|^rdma-core$'

step() { echo "build-lab-dpdk: $*"; }
die() { echo "build-lab-dpdk: error: $*" >&2; exit 1; }

need_tool() { # <command> <debian package>
  command -v "$1" >/dev/null || die "missing '$1' (Debian package $2)"
}

# Map "librte_net_mlx5.so.23" to Debian's package name "librte-net-mlx5-23".
rte_lib_to_package() {
  sed -n 's/^librte_\(.*\)\.so\.23$/librte-\1/p' | tr _ - | sed 's/[0-9]$/&-/; s/$/23/'
}

needed_rte_libs() { # <elf file>
  readelf -d "$1" | sed -n 's/.*Shared library: \[\(librte_[^]]*\)\]/\1/p'
}

# Packages apt would newly install for <packages>, minus the excluded ones.
# Upgrades ("Inst pkg [installed-version] ...") are left out: the host's
# own copy of an installed library serves, and a newer libc or the like in
# LD_LIBRARY_PATH could clash with the host's.
closure() {
  local sim
  sim=$(apt-get install -s --no-install-recommends "$@" 2>&1) ||
    die "apt cannot resolve the packages:"$'\n'"$sim"
  echo "$sim" | awk '/^Inst / && $3 !~ /^\[/ { print $2 }' | grep -Ev "$EXCLUDE_RE" || true
}

download() { # <dir> <packages...>
  local dir=$1; shift
  # -o APT::Sandbox::User=root: _apt cannot write into a root-owned 0700 dir.
  (cd "$dir" && apt-get download -q -o APT::Sandbox::User=root "$@" >/dev/null) ||
    die "apt-get download failed for: $* (is 'apt-get update' done?)"
}

extract_all() { # <debdir> <dest>
  local deb
  for deb in "$1"/*.deb; do dpkg-deb -x "$deb" "$2"; done
}

# testpmd and every library it needs resolve from the lab folder or the host.
check_runnable() { # <dest>
  local missing
  missing=$(LD_LIBRARY_PATH="$1/$LIBDIR" ldd "$1/$TESTPMD" | grep 'not found' || true)
  [ -z "$missing" ] || die "testpmd cannot load:"$'\n'"$missing"
  local plugin
  for plugin in $PLUGINS; do
    [ -e "$1/$LIBDIR/$plugin" ] || die "plugin $plugin missing under $1/$LIBDIR"
  done
}

# Every library testpmd and the guest's plugins load, but glibc's.
guest_libraries() { # <dest>
  local f
  # shellcheck disable=SC2086 # a list of words
  for f in "$1/$TESTPMD" $(printf "$1/$LIBDIR/%s " $GUEST_PLUGINS); do
    LD_LIBRARY_PATH="$1/$LIBDIR" ldd "$f"
  done | awk '$2 == "=>" && $3 ~ /^\// { print $3 }' | grep -Ev "$GLIBC_RE" | sort -u
}

make_guest_tar() { # <dest>
  local stage=$work/guest lib
  rm -rf "$stage"
  mkdir -p "$stage/bin" "$stage/lib"
  cp "$1/$TESTPMD" "$stage/bin/"
  # shellcheck disable=SC2086 # a list of words
  for lib in $(guest_libraries "$1") $(printf "$1/$LIBDIR/%s " $GUEST_PLUGINS); do
    cp -L "$lib" "$stage/lib/"
  done
  tar -C "$stage" --owner=0 --group=0 --sort=name --mtime=@0 -cf "$1/$GUEST_TAR" bin lib
  (cd "$1" && sha256sum "$GUEST_TAR" >"$GUEST_TAR.sha256")
  step "$GUEST_TAR for the guest: testpmd and $(ls "$stage/lib" | wc -l) libraries, $(du -sh "$1/$GUEST_TAR" | cut -f1)"
}

# Up to date: built with this package list, and runnable.
up_to_date() { # <dest>
  [ -f "$1/.complete" ] && [ -x "$1/$TESTPMD" ] && [ -f "$1/$GUEST_TAR.sha256" ] &&
    [ "$(sed -n 's/^# plugins: //p' "$1/.complete")" = "$PLUGIN_PKGS" ]
}

main() {
  [ $# -eq 1 ] || die "usage: $0 <labdir>"
  local dest
  dest=$(mkdir -p "$1" && cd "$1" && pwd)/dpdk
  local stamp=$dest/.complete

  if up_to_date "$dest"; then
    step "checking $dest/$TESTPMD"
    check_runnable "$dest"
    step "up to date ($(grep -vc '^#' "$stamp") packages in $dest)"
    return
  fi

  local t
  for t in apt-get:apt dpkg-deb:dpkg readelf:binutils ldd:libc-bin; do
    need_tool "${t%%:*}" "${t#*:}"
  done
  work=$(mktemp -d "${dest%/dpdk}/.dpdk-build.XXXXXX")
  trap 'rm -rf "$work"' EXIT # $work is global so that the trap still sees it

  step "downloading dpdk-dev (for $TESTPMD)"
  download "$work" dpdk-dev
  mkdir -p "$work/root"
  dpkg-deb -x "$work"/dpdk-dev_*.deb "$work/root"
  [ -x "$work/root/$TESTPMD" ] || die "dpdk-dev has no $TESTPMD"

  step "resolving the libraries named by testpmd's NEEDED entries"
  local pkgs
  pkgs=$(needed_rte_libs "$work/root/$TESTPMD" | rte_lib_to_package)
  [ -n "$pkgs" ] || die "no librte NEEDED entries found in $TESTPMD"
  # shellcheck disable=SC2086 # word splitting of package lists is intended
  pkgs=$(closure $pkgs $PLUGIN_PKGS)
  step "downloading $(echo "$pkgs" | wc -w) runtime packages"
  # shellcheck disable=SC2086
  download "$work" $pkgs

  step "extracting into $dest"
  rm -rf "$dest"
  mkdir -p "$dest"
  extract_all "$work" "$dest"
  check_runnable "$dest"
  make_guest_tar "$dest"
  { echo "# plugins: $PLUGIN_PKGS"; (cd "$work" && ls ./*.deb | sed 's|^\./||'); } >"$stamp"
  step "done: $(grep -vc '^#' "$stamp") packages, $(du -sh "$dest" | cut -f1) in $dest"
}

main "$@"
