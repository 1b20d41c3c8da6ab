# shellcheck shell=bash
# lib.sh - helpers for the Xen tier's scenarios.
#
# A scenario is an executable bash script in tests/xen/ that sources this
# file, checks with `check`/`need`, and ends with `result`; listing its name
# in XEN_SCENARIOS (tests/xen/CMakeLists.txt) makes it the ctest test
# xen.NAME (label xen).  `run` starts it as root in dom0 once the toolstack
# is up (xl works), with:
#   $VRD, $VRCTL       the build tree's vrd and vrctl: the source and build
#                      trees are mounted read-only (9p) at their host paths,
#                      so models and scripts are read in place
#   $VRD_XEN_KERNEL    the PV guest kernel (/boot/vmlinux: dom0's, an ELF)
#   $VRD_XEN_RAMDISK   the PV guest initramfs (/run/vrd-xen/guest.cpio): its
#                      /init runs the hook /guest/NAME chosen by the kernel
#                      argument vrd.guest=NAME (xl.cfg extra=), default vrd
#                      = `vrd --guest xenstore`; hooks: tests/xen/guest/*
#   /                  writable (qemu snapshot, thrown away), /tmp a tmpfs
#
# A scenario names everything it creates with the prefix $T (guests "$T-...",
# dom0 links "${T}..."), registers it, and the EXIT trap removes exactly
# that: guests first (xl destroy), then links.  The VM itself is thrown away
# after the run, but "nothing left" is part of what scenarios assert, so
# cleanup is theirs too.  Addresses: 198.18.0.0/15 and 2001:db8::/32 only.

set -eu
# No pipefail: checks read `cmd | grep -q PATTERN`, and grep -q exits at the
# first match; cmd may then die of SIGPIPE, which is not a failure.
set +o pipefail

T=${T:-xt}
FAILS=0
GUESTS=()
LINKS=()

log() { printf '%s %s\n' "[$(cut -d' ' -f1 /proc/uptime)]" "$*"; }
pass() { log "ok: $*"; }
fail() { log "FAIL: $*"; FAILS=$((FAILS + 1)); }
# check DESCRIPTION CMD...: pass or fail on CMD's status
check() {
	local what=$1
	shift
	if "$@"; then pass "$what"; else fail "$what"; fi
}
# Stop at the first failure of a step later steps depend on.
need() {
	[ "$FAILS" = 0 ] || { log "stopping after $FAILS failure(s)"; exit 1; }
}

# wait_for SECONDS CMD...: poll CMD every 0.2 s until it succeeds; bounded.
wait_for() {
	local end=$(($(date +%s) + $1))
	shift
	until "$@" >/dev/null 2>&1; do
		[ "$(date +%s)" -lt "$end" ] || return 1
		sleep 0.2
	done
}

# The guest config (xl.cfg) of a PV guest booting the tier's kernel and
# initramfs, running hook HOOK (tests/xen/guest/HOOK); more lines on stdin.
# guest_cfg NAME HOOK > FILE
guest_cfg() {
	cat <<-CFG
		name = "$1"
		type = "pv"
		kernel = "$VRD_XEN_KERNEL"
		ramdisk = "$VRD_XEN_RAMDISK"
		extra = "console=hvc0 quiet vrd.guest=$2"
		memory = 128
		vcpus = 1
		on_crash = "preserve"
	CFG
	cat
}

# Register what the scenario creates, for cleanup.
own_guest() { GUESTS+=("$1"); }
own_link() { LINKS+=("$1"); }

domain_exists() { xl domid "$1" >/dev/null 2>&1; }

cleanup() {
	local g l
	set +e
	for g in "${GUESTS[@]}"; do
		domain_exists "$g" && timeout 60 xl destroy "$g"
	done
	for l in "${LINKS[@]}"; do
		[ -e "/sys/class/net/$l" ] && ip link del "$l"
	done
}
trap cleanup EXIT
trap 'exit 143' TERM INT HUP

# The scenario's result: its last line.
result() {
	if [ "$FAILS" = 0 ]; then
		log "PASS"
		exit 0
	fi
	log "FAIL ($FAILS)"
	exit 1
}
