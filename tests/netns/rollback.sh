# A route the kernel rejects (its gateway is on no connected network)
# fails the whole transaction: vrd exits 1 naming the route and quoting the
# kernel, and the kernel is exactly as it was before.
setup_vrd_ns
mk_host h1 red-h1 198.18.1.2/24 198.18.1.1 2001:db8:1::2/64 2001:db8:1::1
cfg=$(config "$TESTS_NETNS_DIR/configs/bad-route.json")

before=$(snapshot)
set +e
err=$(vrd_once --config "$cfg" 2>&1 >/dev/null)
rc=$?
set -e
after=$(snapshot)
# vrf: creating the VRF made the kernel add its l3mdev rule, which stays
# (see remove.sh); a rule of vrd's would show "proto 77" and still count.
if [ "$BACKEND" = vrf ]; then
	after=$(grep -vxP '1000:\tfrom all lookup \[l3mdev-table\]' <<<"$after")
fi
[ "$rc" -eq 1 ] && pass "exit 1" || fail "exit $rc"
grep -q 'route 198.19.2.0/24 .*(router red):.*[Gg]ateway' <<<"$err" &&
	pass "error names the route and quotes the kernel" || fail "error text: $err"
if [ "$before" = "$after" ]; then
	pass "kernel state before == after"
else
	fail "kernel state changed:"
	diff <(echo "$before") <(echo "$after") >&2 || true
fi
ip netns list | grep -q "^${PREFIX}red" && fail "router namespace left behind" || pass "no namespace left"
ip -n "$VNS" link show red-h1 >/dev/null 2>&1 && pass "port red-h1 back in place" || fail "port red-h1 lost"
finish
