# The daemon keeps the kernel as the model says: an owned route, address
# and link deleted by hand come back; foreign objects next to them are never
# touched; a router in drift "report" mode keeps the change and counts it.
setup_vrd_ns
mk_host h1 red-h1 198.18.1.2/24 198.18.1.1 2001:db8:1::2/64 2001:db8:1::1
mk_host h2 blue-h2 198.18.2.2/24 198.18.2.1 2001:db8:2::2/64 2001:db8:2::1
cfg=$(config "$TESTS_NETNS_DIR/configs/two-routers.json")
start_vrd --config "$cfg"
RED=$(router_ns red) BLUE=$(router_ns blue)
rt=$(router_table red 101)
quiesce $(all_ns red blue)
expect_ping h1 198.18.2.2

# foreign objects beside red's, on a subnet of their own (deleting the
# owned primary address below would take a secondary of its subnet, and
# the routes through it, with it: that is the kernel, not vrd)
ip -n "$RED" addr add 198.18.9.77/24 dev red-h1
ip -n "$RED" route add 198.18.44.0/24 via 198.18.9.1 table "$rt" proto static
ip -n "$VNS" link add foreign0 type veth peer name foreign1

has_route() { ip -n "$RED" route show table "$rt" proto 77 | grep -q "^$1"; }
ip -n "$RED" route del 198.18.2.0/24 table "$rt"
eventually 5 has_route 198.18.2.0/24 && pass "owned route restored" || fail "owned route not restored"
has_addr() { ip -n "$RED" addr show dev red-h1 | grep -q "inet $1"; }
ip -n "$RED" addr del 198.18.1.1/24 dev red-h1
eventually 5 has_addr 198.18.1.1/24 && pass "owned address restored" || fail "owned address not restored"
has_link() { ip -n "$RED" link show red-blue >/dev/null 2>&1 && has_route 198.18.2.0/24; }
ip -n "$RED" link del red-blue
eventually 5 has_link && pass "owned link restored, with its route" || fail "owned link not restored"
quiesce $(all_ns red blue)
expect_ping h1 198.18.2.2
expect_ping6 h1 2001:db8:2::2

ip -n "$RED" route show table "$rt" | grep -q '^198.18.44.0/24 via 198.18.9.1 .*proto static' &&
	pass "foreign route untouched" || fail "foreign route touched"
ip -n "$RED" addr show dev red-h1 | grep -q '198.18.9.77/24' && pass "foreign address untouched" ||
	fail "foreign address touched"
ip -n "$VNS" link show foreign0 >/dev/null && pass "foreign link untouched" || fail "foreign link touched"
corrected=$(ctl -j status | jq -r '."vrd:get-status"."drift-corrected"')
[ "$corrected" -ge 3 ] && pass "drift counted ($corrected corrected)" || fail "drift-corrected=$corrected"

# report mode for blue: a change is left and counted
sed 's/"name": "blue",/"name": "blue", "drift": "report",/' "$cfg" >"$STATE/report.json"
ctl apply "$STATE/report.json" >/dev/null || fail "apply report mode"
brt=$(router_table blue 102)
ip -n "$BLUE" route del 198.18.1.0/24 table "$brt"
reported() { [ "$(ctl -j status | jq -r '."vrd:get-status"."drift-reported"')" -ge 1 ]; }
eventually 5 reported && pass "report mode: drift counted" || fail "report mode: not counted"
sleep 1
ip -n "$BLUE" route show table "$brt" | grep -q '^198.18.1.0/24' && fail "report mode: route put back" ||
	pass "report mode: change left as is"
ctl show blue | grep -q 'reported' && pass "show blue: drift counters" || fail "show blue: $(ctl show blue)"
stop_vrd
finish
