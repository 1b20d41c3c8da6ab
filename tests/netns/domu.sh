# A router moves native -> domU (lab guest) -> native, bridged and then
# routed, under a counting UDP flow: forwarding (IPv4 and IPv6, to the
# hosts and to a prefix of a static route) before, in the guest and after;
# the guest really forwards (its counters move); dom0's plumbing is what
# each vif mode says; every move leaves nothing of the old placement; the
# router's removal leaves nothing at all.
setup_vrd_ns
mk_host h1 d-h1 198.18.1.2/24 198.18.1.1 2001:db8:1::2/64 2001:db8:1::1
mk_host h2 d-h2 198.18.2.2/24 198.18.2.1 2001:db8:2::2/64 2001:db8:2::1
ip -n "$T-h2" addr add 198.19.5.1/32 dev lo
ip -n "$T-h2" -6 addr add 2001:db8:5::1/128 dev lo nodad
R=${T}d
G=vrg-$R
FLOW=$TESTS_NETNS_DIR/udpflow.py

# cfg PLACEMENT MODE: the config file for that placement and vif mode
cfg() {
	local f
	f=$(config "$TESTS_NETNS_DIR/configs/domu.json")
	sed -i -e "s/@PLACEMENT@/$1/" -e "s/@MODE@/$2/" "$f"
	echo "$f"
}

reach_all() {
	local what=$1
	ping4 h1 198.18.2.2 && pass "$what: ping h1 -> h2" || fail "$what: ping h1 -> h2"
	ping4 h1 198.19.5.1 && pass "$what: ping h1 -> static route" || fail "$what: ping h1 -> 198.19.5.1"
	ping4 h2 198.18.1.2 && pass "$what: ping h2 -> h1" || fail "$what: ping h2 -> h1"
	ping6 h1 2001:db8:2::2 && pass "$what: ping6 h1 -> h2" || fail "$what: ping6 h1 -> h2"
	ping6 h1 2001:db8:5::1 && pass "$what: ping6 h1 -> static route" || fail "$what: ping6 h1 -> 2001:db8:5::1"
	ping4 h1 198.18.2.1 && pass "$what: ping the router's far address" || fail "$what: ping h1 -> 198.18.2.1"
}

# links of the vrd namespace that are not the two ports, lo or (backend
# vrf, placement native) the router's VRF device
extra_links() {
	ip -n "$VNS" -br link show | awk '{print $1}' | sed 's/@.*//' |
		grep -v -e '^lo$' -e '^d-h1$' -e '^d-h2$' -e "^$R\$" || true
}

nothing_of_guest() {
	local what=$1 left
	ip netns list | grep -q "^$G\b" && fail "$what: guest namespace $G left" || pass "$what: no guest namespace"
	left=$(extra_links)
	[ -z "$left" ] && pass "$what: no vif or bridge left in dom0" || fail "$what: left in dom0: $left"
	[ -z "$(ls "$STATE/guests" 2>/dev/null)" ] && pass "$what: no guest state left" ||
		fail "$what: guest state left: $(ls "$STATE/guests")"
	pgrep -f -- "--guest lab:$STATE/" >/dev/null && fail "$what: a guest vrd still runs" ||
		pass "$what: no guest vrd process"
}

guest_rx() { ip -n "$G" -j -s link show dev "$1" | jq '.[0].stats64.rx.packets'; }

start_vrd --guest-timeout 20 || { fail "vrd did not start"; finish; }
ctl apply "$(cfg native bridged)" >/dev/null || fail "apply native"
wait_dad "$(router_ns "$R")"
reach_all "native"

for mode in bridged routed; do
	ctl apply "$(cfg native "$mode")" >/dev/null || fail "apply native ($mode settings)"
	# a counting flow h1 -> 198.19.5.1 (through the router) during both moves
	ip netns exec "$T-h2" python3 "$FLOW" recv 5001 30 "$STATE/flow-$mode.json" &
	PIDS+=($!)
	RECV=$!
	sleep 0.3
	ip netns exec "$T-h1" python3 "$FLOW" send 198.19.5.1 5001 1000 20 &
	PIDS+=($!)
	SEND=$!
	sleep 1

	out=$(ctl migrate "$R" domU 2>&1) && pass "migrate to domU ($mode)" || fail "migrate to domU ($mode): $out"
	log "native -> domU ($mode): $out"
	ip netns list | grep -q "^$G\b" && pass "$mode: guest namespace $G" || fail "$mode: no guest namespace"
	wait_dad "$G"
	ip -n "$G" -br addr show dev eth0 | grep -q '198.18.1.1/24' && pass "$mode: guest eth0 has the router's address" ||
		fail "$mode: guest eth0: $(ip -n "$G" -br addr show dev eth0)"
	ip -n "$G" route show proto 77 | grep -q '^198.19.5.0/24 via 198.18.2.2 dev eth1' &&
		pass "$mode: the guest's vrd installed the static route" || fail "$mode: guest routes: $(ip -n "$G" route show)"
	if [ "$mode" = bridged ]; then
		br=$(ip -n "$VNS" -j link show dev d-h1 | jq -r '.[0].master // empty')
		[ -n "$br" ] && ip -n "$VNS" -j link show master "$br" | jq -r '.[].ifname' | grep -q '^vif' &&
			pass "bridged: d-h1 and a vif in bridge $br" || fail "bridged: d-h1's master '$br'"
		ip -n "$VNS" addr show dev d-h1 scope global | grep -q inet &&
			fail "bridged: d-h1 still has addresses in dom0" || pass "bridged: the port has no address in dom0"
	else
		D0=$VNS # dom0's side of a routed guest: vrd's namespace, either backend
		ip -n "$D0" rule show | grep -q 'iif d-h1 lookup' && pass "routed: rule iif d-h1" ||
			fail "routed: rules: $(ip -n "$D0" rule show)"
		ip -6 -n "$D0" neigh show proxy | grep -q '2001:db8:1::1 dev d-h1' &&
			pass "routed: proxy NDP entry for the guest's address" || fail "routed: proxies: $(ip -6 -n "$D0" neigh show proxy)"
		[ "$(ip netns exec "$D0" cat /proc/sys/net/ipv4/conf/d-h1/proxy_arp)" = 1 ] &&
			pass "routed: proxy ARP on d-h1" || fail "routed: no proxy ARP on d-h1"
	fi
	show=$(ctl show "$R" 2>&1)
	grep -q "guest $G (lab, id [0-9]*, vif-mode $mode): ready" <<<"$show" &&
		grep -q '198.19.5.0/24 .*in-guest' <<<"$show" && grep -q 'dom0: d-h1, vif vif' <<<"$show" &&
		pass "$mode: vrctl show reports the guest ready" || fail "$mode: vrctl show: $show"
	rx0=$(guest_rx eth0)
	reach_all "domU $mode"
	rx1=$(guest_rx eth0)
	[ "$rx1" -gt $((rx0 + 10)) ] && pass "$mode: the guest forwarded (eth0 rx $rx0 -> $rx1)" ||
		fail "$mode: guest eth0 rx $rx0 -> $rx1"

	out=$(ctl migrate "$R" native 2>&1) && pass "migrate back to native ($mode)" || fail "migrate to native ($mode): $out"
	log "domU ($mode) -> native: $out"
	nothing_of_guest "after domU ($mode) -> native"
	wait_dad "$(router_ns "$R")"
	reach_all "native again ($mode)"

	wait "$SEND" 2>/dev/null || true
	wait "$RECV" 2>/dev/null || true
	if [ -s "$STATE/flow-$mode.json" ]; then
		log "flow ($mode): $(cat "$STATE/flow-$mode.json")"
		rec=$(jq .received "$STATE/flow-$mode.json")
		sent=$(jq .sent "$STATE/flow-$mode.json")
		[ "$rec" -gt $((sent / 2)) ] && pass "$mode: the flow got through ($rec of $sent)" ||
			fail "$mode: flow received $rec of $sent"
	else
		fail "$mode: no flow summary"
	fi
done

ctl apply "$(cfg domU routed)" >/dev/null && pass "apply placement domU directly" || fail "apply domU"
wait_dad "$G"
reach_all "domU routed (applied)"
echo '{"vrd:virtual-routers": {}}' >"$STATE/empty.json"
ctl apply "$STATE/empty.json" >/dev/null && pass "remove the router" || fail "remove"
nothing_of_guest "removed"
ip netns list | grep -q "^$PREFIX" && fail "a router namespace is left" || pass "no router namespace left"
ip -n "$VNS" rule show | grep -q 'iif' && fail "rules left: $(ip -n "$VNS" rule show)" || pass "no rule left"
left=$( (ip -n "$VNS" route show table all proto 77; ip -n "$VNS" -6 route show table all proto 77
	ip -n "$VNS" neigh show proxy; ip -n "$VNS" -6 neigh show proxy) 2>&1)
[ -z "$left" ] && pass "no route or proxy entry of vrd left" || fail "left: $left"
stop_vrd

# Make before break: a guest that never becomes ready fails the move and
# the router stays where it was, forwarding.
vrd_once --config "$(cfg native bridged)" >/dev/null || fail "apply native (one-shot)"
wait_dad "$(router_ns "$R")"
if out=$(vrd_once --lab-vrd /bin/false --guest-timeout 2 --config "$(cfg domU bridged)" 2>&1); then
	fail "a guest that is never ready should fail the move"
else
	pass "a guest that is never ready fails the move"
fi
grep -q "did not report" <<<"$out" && pass "the error says why" || fail "error: $out"
nothing_of_guest "failed move"
reach_all "still native after the failed move"
vrd_once --config "$STATE/empty.json" >/dev/null || fail "remove (one-shot)"
finish
