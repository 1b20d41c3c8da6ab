# Two routers between two hosts: dry-run changes nothing; apply; ping v4
# and v6 across both routers; blackhole and unreachable drop; the kernel
# holds exactly the model; re-apply makes zero netlink changes.
setup_vrd_ns
mk_host h1 red-h1 198.18.1.2/24 198.18.1.1 2001:db8:1::2/64 2001:db8:1::1
mk_host h2 blue-h2 198.18.2.2/24 198.18.2.1 2001:db8:2::2/64 2001:db8:2::1
cfg=$(config "$TESTS_NETNS_DIR/configs/two-routers.json")

before=$(snapshot)
plan=$(vrd_once --dry-run --config "$cfg")
after=$(snapshot)
[ "$before" = "$after" ] && pass "dry-run changed nothing" || fail "dry-run changed the kernel"
grep -q '^\[red\] add route 198.18.2.0/24 table [0-9a-z]* via 198.18.0.2' <<<"$plan" &&
	pass "dry-run prints the plan" || fail "dry-run plan: $plan"

vrd_once --config "$cfg" || fail "apply"
RED=$(router_ns red) BLUE=$(router_ns blue)
wait_dad "$RED"; wait_dad "$BLUE"

expect_ping h1 198.18.2.2
expect_ping h2 198.18.1.2
expect_ping6 h1 2001:db8:2::2
expect_ping6 h2 2001:db8:1::2
expect_no_ping h1 198.19.66.1

rt=$(router_table red 101)
routes=$(ip -n "$RED" route show table "$rt" proto 77)
grep -q '^198.18.2.0/24 via 198.18.0.2 dev red-blue' <<<"$routes" && pass "red's route" || fail "red's routes: $routes"
grep -q '^blackhole 198.19.66.0/24' <<<"$routes" && pass "blackhole route" || fail "no blackhole: $routes"
ip -n "$RED" -6 route show table "$rt" proto 77 | grep -q '^unreachable 2001:db8:66::/48' &&
	pass "unreachable route" || fail "no unreachable route"
[ "$(ip -n "$RED" -j addr show dev red-h1 | jq -r '.[0].addr_info[] | select(.family=="inet") | .local')" = 198.18.1.1 ] &&
	pass "address on red-h1" || fail "address on red-h1"
ip -n "$RED" -d link show red-blue | grep -q 'alias vrd:red' && pass "created link tagged" || fail "red-blue not tagged"

quiesce $(all_ns red blue)
monitor_start $(all_ns red blue)
out=$(vrd_once --config "$cfg") || fail "re-apply"
n=$(monitor_stop)
[ "$n" -eq 0 ] && pass "re-apply: zero netlink changes" || fail "re-apply made $n netlink changes"
grep -q '^converged: 0 added, 0 changed, 0 deleted' <<<"$out" && pass "re-apply: empty plan" || fail "re-apply: $out"
expect_ping h1 198.18.2.2
finish
