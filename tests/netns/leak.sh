# Route leaking: red and blue share no link of the model; each leaks the
# other's host network into its own table.  Hosts ping across (v4, v6), a
# prefix behind blue's host is reached through blue's gateway, re-apply is
# quiet, removal leaves nothing.
setup_vrd_ns
mk_host h1 red-h1 198.18.1.2/24 198.18.1.1 2001:db8:1::2/64 2001:db8:1::1
mk_host h2 blue-h2 198.18.2.2/24 198.18.2.1 2001:db8:2::2/64 2001:db8:2::1
ip -n "$T-h2" addr add 198.19.20.1/32 dev lo
cfg=$(config "$TESTS_NETNS_DIR/configs/leak.json")
vrd_once --config "$cfg" >/dev/null || fail "apply"
quiesce $(all_ns red blue)

expect_ping h1 198.18.2.2
expect_ping6 h1 2001:db8:2::2
expect_ping h2 198.18.1.2
expect_ping h1 198.19.20.1
RED=$(router_ns red)
ip -n "$RED" route show table "$(router_table red 101)" 198.19.20.0/24 | grep -q . &&
	pass "leaked route present" || fail "leaked route missing"

monitor_start $(all_ns red blue)
vrd_once --config "$cfg" >/dev/null || fail "re-apply"
n=$(monitor_stop)
[ "$n" -eq 0 ] && pass "re-apply: zero changes" || fail "re-apply made $n changes"

echo '{}' >"$STATE/empty.json"
vrd_once --config "$STATE/empty.json" >/dev/null || fail "remove"
[ -z "$(ip -n "$VNS" -d link show | grep 'alias vrd:' || true)" ] && pass "no vrd link left" || fail "vrd links left"
[ -z "$(ip netns list | grep "^$PREFIX" || true)" ] && pass "no router namespace left" || fail "namespaces left"
finish
