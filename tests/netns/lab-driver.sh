# lab-driver.sh - the lab hypervisor driver against the kernel: a guest of
# two vifs with a fake guest vrd (fake-guest.sh), its namespace, veths,
# MACs, ifalias, the guest process, push/status, list, attach, repair by a
# second create, refusal of a foreign vif, and a destroy that leaves
# nothing.  The driver runs through tests/netns/lab_driver, one call a
# process (as `vrd --once` would), inside $VNS standing in for dom0.
: "${LAB_DRIVER:?set LAB_DRIVER to the lab_driver test program}"
: "${FAKE_GUEST:?set FAKE_GUEST to fake-guest.sh}"

R=hF$$                          # router; guest namespace vrg-$R
G=vrg-$R
GID=$((20000 + $$ % 10000))     # vif$GID.<n>, only ever in $VNS
D=$STATE/dom0                   # the dom0 vrd's state directory
GD=$D/guests/$R                 # the channel directory

# The guest processes are started by the driver, not by this script:
# found by their command line (the unique channel directory), killed by pid.
guest_pids() { pgrep -f -- "--guest lab:$GD( |\$)" || true; }
lab_cleanup() {
	local p
	for p in $(guest_pids); do kill -KILL "$p" 2>/dev/null || true; done
	ip netns del "$G" 2>/dev/null || true
}
trap 'lab_cleanup; cleanup' EXIT

drv() { in_vrd "$LAB_DRIVER" "$D" "$FAKE_GUEST" "$@"; }
dlink() { ip -n "$VNS" -j -d link show dev "$1" 2>/dev/null | jq -c '.[0]'; }
glink() { ip -n "$G" -j -d link show dev "$1" 2>/dev/null | jq -c '.[0]'; }
field() { jq -r "$2" <<<"$1"; }
ns_ino() { stat -L -c %i "/run/netns/$1"; }

# wait_status GEN: the guest answered "GEN ready" (bounded, 5 s)
wait_status() {
	local i s
	for i in $(seq 1 50); do
		s=$(drv status "$R" 2>/dev/null) && [ "$s" = "$1 ready" ] && return 0
		sleep 0.1
	done
	log "status: '$(drv status "$R" 2>&1)', expected '$1 ready'"
	return 1
}

# check_vif N: vif$GID.N in dom0 (veth, ifalias vrd:$R, down, peer in the
# guest) and eth<N> in the guest (its peer, the MAC of interface if<N>, up).
check_vif() {
	local n=$1 v e mac
	v=$(dlink "vif$GID.$n")
	e=$(glink "eth$n")
	mac=$(drv mac "$R" "if$n")
	if [ -z "$v" ] || [ "$v" = null ]; then fail "vif$GID.$n missing"; return; fi
	if [ -z "$e" ] || [ "$e" = null ]; then fail "eth$n missing in $G"; return; fi
	[ "$(field "$v" .linkinfo.info_kind)" = veth ] || fail "vif$GID.$n is not a veth"
	[ "$(field "$v" .ifalias)" = "vrd:$R" ] || fail "vif$GID.$n ifalias '$(field "$v" .ifalias)'"
	field "$v" '.flags[]' | grep -qx UP && fail "vif$GID.$n is up (plumbing's job)"
	[ "$(field "$v" .link_index)" = "$(field "$e" .ifindex)" ] &&
		[ "$(field "$e" .link_index)" = "$(field "$v" .ifindex)" ] &&
		[ "$(field "$v" .link_netnsid)" != null ] ||
		fail "vif$GID.$n and eth$n of $G are not peers"
	[ "$(field "$e" .address)" = "$mac" ] || fail "eth$n MAC $(field "$e" .address), want $mac"
	field "$e" '.flags[]' | grep -qx UP || fail "eth$n in $G is down"
	[ "$(field "$e" .ifalias)" = null ] || fail "eth$n in $G has an ifalias"
}

# check_guest_proc: one guest vrd, ours, in the guest namespace, detached.
check_guest_proc() {
	local pid cmd
	pid=$(cat "$GD/pid" 2>/dev/null || true)
	[ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || { fail "guest vrd not running (pid '$pid')"; return; }
	cmd=$(tr '\0' ' ' <"/proc/$pid/cmdline")
	case $cmd in
	*"$FAKE_GUEST --guest lab:$GD --state-dir $GD/state --socket $GD/vrd.sock "*) ;;
	*) fail "guest command line: $cmd" ;;
	esac
	[ "$(stat -L -c %i "/proc/$pid/ns/net")" = "$(ns_ino "$G")" ] || fail "guest vrd not in $G"
	[ "$(readlink "/proc/$pid/fd/0")" = /dev/null ] || fail "guest stdin is not /dev/null"
	[ "$(readlink "/proc/$pid/fd/1")" = "$GD/vrd.log" ] || fail "guest stdout is not vrd.log"
	[ "$(ps -o sid= -p "$pid" | tr -d ' ')" = "$pid" ] || fail "guest vrd is not a session leader"
	[ "$(ps -o stat= -p "$pid" | cut -c1)" != Z ] || fail "guest vrd is a zombie"
	[ "$(guest_pids | wc -l)" -eq 1 ] || fail "guest vrd processes: $(guest_pids | tr '\n' ' ')"
	grep -q "fake guest started in $GD" "$GD/vrd.log" || fail "vrd.log has not the guest's output"
}

setup_vrd_ns

# --- a foreign link in the way: refused, nothing left behind ---------------
ip -n "$VNS" link add "vif$GID.1" type veth peer name "hFx$$"
if drv create "$R" "$GID" 2 2>"$STATE/err"; then
	fail "create over a foreign vif$GID.1 succeeded"
else
	grep -q "vif$GID.1 exists and is not this guest's vif" "$STATE/err" &&
		pass "create refuses a foreign vif$GID.1" || fail "error: $(cat "$STATE/err")"
fi
[ -e "/run/netns/$G" ] && fail "failed create left $G"
[ -z "$(dlink "vif$GID.0")" ] && pass "failed create rolled back vif$GID.0" || fail "vif$GID.0 left"
[ -d "$GD" ] && fail "failed create left $GD"
[ -z "$(guest_pids)" ] || fail "failed create left a guest process"
ip -n "$VNS" link del "vif$GID.1"

# --- create ------------------------------------------------------------------
out=$(drv create "$R" "$GID" 2) || fail "create"
[ "$out" = "$(printf 'vif%s.0\nvif%s.1' "$GID" "$GID")" ] || fail "create printed: $out"
[ -e "/run/netns/$G" ] && pass "namespace $G" || fail "no namespace $G"
check_vif 0
check_vif 1
ip -n "$G" -j link show dev lo | jq -r '.[0].flags[]' | grep -qx UP || fail "lo down in $G"
check_guest_proc
[ "$(cat "$GD/vifs")" = "$(printf 'vif%s.0\nvif%s.1' "$GID" "$GID")" ] || fail "vifs: $(cat "$GD/vifs")"
pass "create: veths, MACs, alias, peers, guest vrd"

# --- push / status -------------------------------------------------------------
rc=0
drv status "$R" >/dev/null 2>&1 || rc=$?
[ "$rc" -eq 2 ] && pass "no status before the first push" || fail "status before push"
gen=$(drv push "$R" '{"vrd:routers":{"router":[{"name":"'"$R"'"}]}}') || fail "push"
[ "$(cat "$GD/generation")" = "$gen" ] || fail "generation file"
[ "$(cat "$GD/config")" = '{"vrd:routers":{"router":[{"name":"'"$R"'"}]}}' ] || fail "config file"
wait_status "$gen" && pass "push/status round trip ($gen)" || fail "no ready status"

# --- list ----------------------------------------------------------------------
out=$(drv list) || fail "list"
[ "$out" = "$G $R $GID vif$GID.0 vif$GID.1" ] && pass "list" || fail "list: $out"

# --- attach --------------------------------------------------------------------
out=$(drv attach "$R" "$GID" 3) || fail "attach"
[ "$out" = "vif$GID.2" ] || fail "attach printed: $out"
check_vif 2
out=$(drv list)
[ "$out" = "$G $R $GID vif$GID.0 vif$GID.1 vif$GID.2" ] && pass "attach" || fail "list: $out"

# --- create again: nothing to do ---------------------------------------------
idx0=$(field "$(dlink "vif$GID.0")" .ifindex)
pid0=$(cat "$GD/pid")
drv create "$R" "$GID" 3 >/dev/null || fail "create again"
[ "$(field "$(dlink "vif$GID.0")" .ifindex)" = "$idx0" ] && [ "$(cat "$GD/pid")" = "$pid0" ] &&
	pass "create again changes nothing" || fail "create again replaced a vif or the guest vrd"

# --- repair: dead guest vrd, missing vif ---------------------------------------
kill -KILL "$pid0"
for i in $(seq 1 50); do kill -0 "$pid0" 2>/dev/null || break; sleep 0.1; done
ip -n "$VNS" link del "vif$GID.1"
[ -z "$(glink eth1)" ] || fail "eth1 outlived its peer"
drv create "$R" "$GID" 3 >/dev/null || fail "repairing create"
pid1=$(cat "$GD/pid")
[ "$pid1" != "$pid0" ] || fail "guest vrd not restarted"
check_guest_proc
check_vif 0
check_vif 1
check_vif 2
[ "$(field "$(dlink "vif$GID.0")" .ifindex)" = "$idx0" ] || fail "repair replaced vif$GID.0"
gen=$(drv push "$R" '{"vrd:routers":{"router":[]}}') || fail "push after repair"
wait_status "$gen" && pass "repair: guest vrd restarted, vif$GID.1 back" || fail "restarted guest silent"

# --- the namespace deleted by hand: the guest vrd keeps the old one (and
# its veths) alive; create makes a new one and replaces both ----------------
ino1=$(ns_ino "$G")
ip netns del "$G"
[ -n "$(dlink "vif$GID.0")" ] || fail "vif$GID.0 died with the namespace's name"
drv create "$R" "$GID" 3 >/dev/null || fail "create after the namespace was deleted"
[ "$(ns_ino "$G")" != "$ino1" ] || fail "same namespace"
[ "$(cat "$GD/pid")" != "$pid1" ] || fail "guest vrd of the old namespace kept"
kill -0 "$pid1" 2>/dev/null && [ "$(ps -o stat= -p "$pid1" | cut -c1)" != Z ] &&
	fail "guest vrd of the old namespace still runs"
check_guest_proc
check_vif 0
check_vif 1
check_vif 2
gen=$(drv push "$R" '{"vrd:routers":{"router":[{"name":"x"}]}}') || fail "push to the new namespace"
wait_status "$gen" && pass "new namespace: vifs and guest vrd replaced" || fail "new guest silent"
pid1=$(cat "$GD/pid")

# --- destroy -------------------------------------------------------------------
drv destroy "$R" || fail "destroy"
[ -e "/run/netns/$G" ] && fail "destroy left $G"
ip -n "$VNS" -o link show | grep -q "vif$GID\." && fail "destroy left vifs: $(ip -n "$VNS" -o link show | grep "vif$GID\.")"
[ -z "$(guest_pids)" ] || fail "destroy left guest processes: $(guest_pids)"
# Gone, or a zombie until its parent (init, after the double fork) reaps it.
st=$(ps -o stat=,ppid= -p "$pid1" || true)
case $st in "" | Z*) ;; *) fail "destroy left pid $pid1 ($st)" ;; esac
log "guest vrd $pid1 after destroy: '${st:-gone}'"
[ -e "$GD" ] && fail "destroy left $GD"
[ -z "$(drv list)" ] || fail "list after destroy: $(drv list)"
pass "destroy leaves nothing"
drv destroy "$R" && pass "destroying a guest already gone" || fail "second destroy"

[ "$FAILS" -eq 0 ] || { log "$FAILS failure(s)"; exit 1; }
log "lab-driver: all passed"
