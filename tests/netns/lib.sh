# lib.sh - helpers for integration scenarios (sourced by run-scenario).
#
# Every scenario runs vrd inside its own throwaway network namespace
# ("the host" as vrd sees it: $VNS) and puts hosts around it in more
# namespaces.  All names start with a unique tag $T; cleanup removes
# exactly those, and kills only the processes this scenario started.
# Addresses: 198.18.0.0/15 and 2001:db8::/32 only.
#
# vrd runs under `nsenter --net` rather than `ip netns exec`: the latter
# also gives it a private mount namespace, and the router namespaces vrd
# mounts under /run/netns would not be visible outside it.

set -eu
# No pipefail: checks read `ip ... | grep -q PATTERN`, and grep -q exits at
# the first match; ip then dies of SIGPIPE on its next write, and with
# pipefail a check that matched would fail, at random.
set +o pipefail

T=${T:-vt$$}
VNS=$T-vrd
STATE=$(mktemp -d "${TMPDIR:-/tmp}/$T.XXXXXX")
BACKEND=${BACKEND:-netns}
PIDS=()
FAILS=0

log() { printf '%s\n' "$*" >&2; }
fail() { log "FAIL: $*"; FAILS=$((FAILS + 1)); }
pass() { log "ok: $*"; }

cleanup() {
	local p n i alive
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
	# bounded: a vrd busy in a long apply handles TERM only afterwards, and
	# the namespaces below must go before the hard timeout's SIGKILL
	for i in $(seq 1 30); do
		alive=0
		for p in "${PIDS[@]}"; do kill -0 "$p" 2>/dev/null && alive=1; done
		[ "$alive" -eq 0 ] && break
		sleep 0.1
	done
	for p in "${PIDS[@]}"; do kill -KILL "$p" 2>/dev/null || true; done
	for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
	# lab guests of the vrd this scenario started: their vrd, their namespace
	for p in $(cat "$STATE"/guests/*/pid 2>/dev/null || true); do
		grep -qa -- '--guest' "/proc/$p/cmdline" 2>/dev/null && kill -KILL "$p" 2>/dev/null || true
	done
	for n in $(ip netns list | awk '{print $1}' | grep -e "^$T-" -e "^vrg-$T" || true); do
		ip netns del "$n" 2>/dev/null || true
	done
	rm -rf "$STATE"
}
trap cleanup EXIT
trap 'exit 143' TERM INT HUP PIPE

# The routers' namespace prefix: $T-r-<router> (distinct from the hosts'/vrd's).
PREFIX=$T-r-

# vrd and ip inside the vrd namespace.
in_vrd() { nsenter --net="/run/netns/$VNS" "$@"; }
vrd_once() { in_vrd "$VRD" --once --state-dir "$STATE" --netns-prefix "$PREFIX" "$@"; }

# A config with @BACKEND@ replaced; prints the temp file's name.
config() {
	local out="$STATE/$(basename "$1")"
	sed -e "s/@BACKEND@/$BACKEND/g" -e "s/@T@/$T/g" "$1" >"$out"
	echo "$out"
}

# Where a router's objects are, for ip: "-n NS" and the table.
router_ns() { if [ "$BACKEND" = netns ]; then echo "$PREFIX$1"; else echo "$VNS"; fi; }
router_table() { if [ "$BACKEND" = netns ]; then echo main; else echo "$2"; fi; }

setup_vrd_ns() {
	ip netns add "$VNS"
	ip -n "$VNS" link set lo up
}

# mk_host NAME PORT ADDR4/LEN GW4 ADDR6/LEN GW6: a host namespace $T-NAME
# whose eth0 is wired to port PORT in the vrd namespace.
mk_host() {
	local name=$1 port=$2 a4=$3 gw4=$4 a6=$5 gw6=$6 ns=$T-$1
	ip netns add "$ns"
	ip -n "$ns" link set lo up
	ip -n "$VNS" link add "$port" type veth peer name eth0 netns "$ns"
	ip -n "$ns" addr add "$a4" dev eth0
	ip -n "$ns" -6 addr add "$a6" dev eth0 nodad
	ip -n "$ns" link set eth0 up
	ip -n "$ns" route add default via "$gw4"
	ip -n "$ns" -6 route add default via "$gw6"
}

# Wait (bounded) until no IPv6 address in namespace $1 is tentative.
wait_dad() {
	local i
	for i in $(seq 1 50); do
		[ -z "$(ip -n "$1" -6 addr show tentative)" ] && return 0
		sleep 0.1
	done
	log "DAD still running in $1"
}

# A second try after a pause: on a loaded CI machine (VMs beside) the first
# neighbour resolution after a change can outlast one ping's wait.
ping4() {
	ip netns exec "$T-$1" ping -c 2 -i 0.2 -W 2 -q "$2" >/dev/null 2>&1 ||
		{ sleep 1; ip netns exec "$T-$1" ping -c 2 -i 0.2 -W 2 -q "$2" >/dev/null 2>&1; }
}
ping6() {
	ip netns exec "$T-$1" ping -6 -c 2 -i 0.2 -W 2 -q "$2" >/dev/null 2>&1 ||
		{ sleep 1; ip netns exec "$T-$1" ping -6 -c 2 -i 0.2 -W 2 -q "$2" >/dev/null 2>&1; }
}

expect_ping() { if ping4 "$1" "$2"; then pass "ping $1 -> $2"; else fail "ping $1 -> $2"; fi; }
expect_ping6() { if ping6 "$1" "$2"; then pass "ping6 $1 -> $2"; else fail "ping6 $1 -> $2"; fi; }
expect_no_ping() { if ping4 "$1" "$2"; then fail "ping $1 -> $2 should fail"; else pass "no ping $1 -> $2"; fi; }

# Wait (bounded, 10 s) until the namespaces are quiet: no tentative IPv6
# address and no netlink event for half a second.  A "zero changes"
# measurement needs that baseline: the kernel finishes DAD, carrier and
# link-local addresses on its own, after vrd has returned.
quiesce() {
	local ns f i size last=-1 pids=()
	for ns in "$@"; do wait_dad "$ns"; done
	f="$STATE/quiesce"
	: >"$f"
	for ns in "$@"; do
		ip -n "$ns" monitor link address route rule >>"$f" 2>/dev/null &
		pids+=($!)
		PIDS+=($!)
	done
	for i in $(seq 1 20); do
		sleep 0.5
		size=$(stat -c %s "$f")
		[ "$size" = "$last" ] && break
		last=$size
	done
	for i in "${pids[@]}"; do kill "$i" 2>/dev/null || true; wait "$i" 2>/dev/null || true; done
}

# The namespaces a scenario's routers live in, and vrd's.
all_ns() {
	local r
	echo "$VNS"
	if [ "$BACKEND" = netns ]; then for r in "$@"; do echo "$PREFIX$r"; done; fi
}

# Netlink change counter: one `ip monitor` per namespace given, lines
# counted when stopped.  monitor_start NS...; ...; n=$(monitor_stop)
monitor_start() {
	MON_FILES=()
	local ns f
	for ns in "$@"; do
		f="$STATE/mon.$ns"
		: >"$f"
		ip -n "$ns" monitor link address route rule netconf >"$f" 2>/dev/null &
		PIDS+=($!)
		MON_PIDS+=($!)
		MON_FILES+=("$f")
	done
	sleep 0.3
}
monitor_stop() {
	local p
	sleep 0.3
	for p in "${MON_PIDS[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
	MON_PIDS=()
	cat "${MON_FILES[@]}" >"$STATE/mon.last"
	# what was seen goes to the log, so a failure shows its events
	sed 's/^/  event: /' "$STATE/mon.last" >&2
	grep -c . "$STATE/mon.last" || true
}
MON_PIDS=()

# A snapshot of everything in the vrd namespace and the routers' ones,
# for "before == after" comparisons (counters and timers stripped).
snapshot() {
	local ns
	for ns in "$VNS" $(ip netns list | awk '{print $1}' | grep "^$PREFIX" | grep -v "^$VNS$" | sort); do
		echo "## $ns"
		ip -n "$ns" -d -br link show | sort
		ip -n "$ns" -br addr show | sort
		ip -n "$ns" route show table all | grep -v '^local\|^broadcast\|^multicast\|^anycast\|^ff00::\|proto kernel metric 256 pref medium$' | sort
		ip -n "$ns" -6 route show table all | grep -v '^local\|^multicast\|^anycast\|^ff00::\|^fe80::' | sort
		ip -n "$ns" rule show | sort
	done
}

finish() {
	if [ "$FAILS" -eq 0 ]; then
		log "PASS"
		exit 0
	fi
	log "$FAILS check(s) failed"
	exit 1
}

# ---- the daemon ----
SOCK=$STATE/vrd.sock
VRD_LOG=$STATE/vrd.log
VRD_PID=

# start_vrd [ARGS...]: vrd in the vrd namespace, in the background; waits
# (bounded) until it answers on its socket.
start_vrd() {
	nsenter --net="/run/netns/$VNS" "$VRD" --socket "$SOCK" --state-dir "$STATE" \
		--netns-prefix "$PREFIX" "$@" >>"$VRD_LOG" 2>&1 &
	VRD_PID=$!
	PIDS+=("$VRD_PID")
	local i
	for i in $(seq 1 100); do
		"$VRCTL" --socket "$SOCK" status >/dev/null 2>&1 && return 0
		kill -0 "$VRD_PID" 2>/dev/null || break
		sleep 0.1
	done
	log "vrd did not start:"
	tail -20 "$VRD_LOG" >&2
	return 1
}

# stop_vrd [SIGNAL]: stop the vrd this scenario started, wait for it.
stop_vrd() {
	[ -n "$VRD_PID" ] || return 0
	kill -"${1:-TERM}" "$VRD_PID" 2>/dev/null || true
	wait "$VRD_PID" 2>/dev/null || true
	VRD_PID=
}

ctl() { "$VRCTL" --socket "$SOCK" "$@"; }

# eventually SECONDS CMD...: true as soon as CMD succeeds, within SECONDS.
eventually() {
	local limit=$1 i
	shift
	for i in $(seq 1 $((limit * 10))); do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	return 1
}
