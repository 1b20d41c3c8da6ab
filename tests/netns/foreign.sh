# vrd touches only what it owns: a foreign route, address and link next to
# a router's survive re-apply and removal of the router; a foreign route
# holding one of the router's prefixes is reported as a conflict and the
# transaction refused before any change.
setup_vrd_ns
mk_host h1 red-h1 198.18.1.2/24 198.18.1.1 2001:db8:1::2/64 2001:db8:1::1
mk_host h2 blue-h2 198.18.2.2/24 198.18.2.1 2001:db8:2::2/64 2001:db8:2::1
cfg=$(config "$TESTS_NETNS_DIR/configs/two-routers.json")
vrd_once --config "$cfg" >/dev/null || fail "apply"
RED=$(router_ns red)
rt=$(router_table red 101)

# foreign objects beside red's
ip -n "$RED" route add 198.18.44.0/24 via 198.18.1.2 table "$rt" proto static
ip -n "$RED" addr add 198.18.1.77/24 dev red-h1
ip -n "$VNS" link add foreign0 type veth peer name foreign1
ip -n "$VNS" route add 198.18.45.0/24 dev foreign0 proto static 2>/dev/null || true

quiesce $(all_ns red blue)
monitor_start $(all_ns red blue)
vrd_once --config "$cfg" >/dev/null || fail "re-apply"
n=$(monitor_stop)
[ "$n" -eq 0 ] && pass "re-apply with foreign objects: zero changes" || fail "re-apply made $n changes"
ip -n "$RED" route show table "$rt" | grep -q '^198.18.44.0/24 via 198.18.1.2 .*proto static' &&
	pass "foreign route kept" || fail "foreign route touched"
ip -n "$RED" addr show dev red-h1 | grep -q '198.18.1.77/24' && pass "foreign address kept" || fail "foreign address touched"
ip -n "$VNS" link show foreign0 >/dev/null && pass "foreign link kept" || fail "foreign link touched"

# a foreign route with one of red's keys: a conflict, nothing changes
ip -n "$RED" route del 198.18.2.0/24 table "$rt"
ip -n "$RED" route add 198.18.2.0/24 via 198.18.1.2 table "$rt" proto static
before=$(snapshot)
set +e
err=$(vrd_once --config "$cfg" 2>&1 >/dev/null)
rc=$?
set -e
after=$(snapshot)
[ "$rc" -eq 1 ] && pass "conflict: exit 1" || fail "conflict: exit $rc"
grep -q 'route 198.18.2.0/24 .*(router red): .*not vrd.s' <<<"$err" && pass "conflict reported" || fail "conflict text: $err"
if [ "$before" = "$after" ]; then pass "conflict: nothing changed"; else fail "conflict: kernel changed"; diff <(echo "$before") <(echo "$after") >&2 || true; fi
ip -n "$RED" route del 198.18.2.0/24 table "$rt"

# removal of the router leaves the foreign link and route alone
echo '{}' >"$STATE/empty.json"
vrd_once --config "$STATE/empty.json" >/dev/null || fail "remove"
ip -n "$VNS" link show foreign0 >/dev/null && pass "foreign link survives removal" || fail "foreign link removed"
finish
