# Removing routers removes everything they owned and releases their ports
# intact; vrd's state directory keeps no stale table allocation.
setup_vrd_ns
mk_host h1 red-h1 198.18.1.2/24 198.18.1.1 2001:db8:1::2/64 2001:db8:1::1
mk_host h2 blue-h2 198.18.2.2/24 198.18.2.1 2001:db8:2::2/64 2001:db8:2::1
cfg=$(config "$TESTS_NETNS_DIR/configs/two-routers.json")
empty="$STATE/empty.json"
echo '{}' >"$empty"

before=$(snapshot)
vrd_once --config "$cfg" >/dev/null || fail "apply"
expect_ping h1 198.18.2.2
out=$(vrd_once --config "$empty") || fail "apply empty"
after=$(snapshot)
for port in red-h1 blue-h2; do
	ip -n "$VNS" link show "$port" >/dev/null 2>&1 && pass "$port released into the host" ||
		fail "$port is gone"
done
ip -n "$VNS" link show red-blue >/dev/null 2>&1 && fail "red-blue left behind" || pass "red-blue deleted"
[ -z "$(ip netns list | grep "^${PREFIX}\(red\|blue\)" || true)" ] && pass "router namespaces deleted" ||
	fail "router namespaces left: $(ip netns list)"
[ -z "$(ip -n "$VNS" route show table all proto 77)" ] && pass "no vrd route left" || fail "vrd routes left"
[ -z "$(ip -n "$VNS" -d link show | grep 'alias vrd:' || true)" ] && pass "no vrd link left" || fail "vrd links left"
# The ports come back down and without addresses (moving or releasing a
# port does that); everything else is as before the first apply.
norm() { sed -e 's/ UP / DOWN /; s/ LOWER_UP//; s/,UP//' | grep -v -E '^(red-h1|blue-h2)[@ ]'; }
# vrf: the kernel's vrf driver adds its l3mdev rule (protocol kernel, so no
# "proto" shown) with a namespace's first VRF device and never removes it,
# nor adds it again for a later one: vrd leaves it.  A rule of vrd's would
# show "proto 77" and still count.
[ "$BACKEND" != vrf ] ||
	norm() { sed -e 's/ UP / DOWN /; s/ LOWER_UP//; s/,UP//' | grep -v -E '^(red-h1|blue-h2)[@ ]' |
		grep -vxP '1000:\tfrom all lookup \[l3mdev-table\]'; }
if [ "$(norm <<<"$before")" = "$(norm <<<"$after")" ]; then
	pass "nothing else left behind"
else
	fail "state differs from before the first apply:"
	diff <(norm <<<"$before") <(norm <<<"$after") >&2 || true
fi
finish
