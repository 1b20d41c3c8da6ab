# Every interface kind with traffic through it: a bridge with two member
# ports, a veth to the host, a macvlan, a vxlan over an underlay port; MTU,
# a disabled interface, and a weighted multipath route.
setup_vrd_ns
mk_host h1 red-h1 198.18.1.2/24 198.18.1.1 2001:db8:1::2/64 2001:db8:1::1
mk_host h3a red-h3a 198.18.3.2/24 198.18.3.1 2001:db8:3::2/64 2001:db8:3::1
mk_host h3b red-h3b 198.18.3.3/24 198.18.3.1 2001:db8:3::3/64 2001:db8:3::1
# the multipath destination answers on both of its next hops
ip -n "$T-h3a" addr add 198.19.10.1/32 dev lo
ip -n "$T-h3b" addr add 198.19.10.1/32 dev lo
# macvlan: its parent is a port of the host namespace towards h4
mk_host h4 mvparent 198.18.5.2/24 198.18.5.1 2001:db8:5::2/64 2001:db8:5::1
ip -n "$VNS" link set mvparent up
# vxlan: the underlay is a host port towards h5, which terminates VNI 42
mk_host h5 vxu 198.18.6.2/24 198.18.6.1 2001:db8:6::2/64 2001:db8:6::1
ip -n "$VNS" addr add 198.18.6.1/24 dev vxu
ip -n "$VNS" link set vxu up
ip -n "$T-h5" link add vx42 type vxlan id 42 local 198.18.6.2 remote 198.18.6.1 dstport 4789 dev eth0
ip -n "$T-h5" addr add 198.18.7.2/24 dev vx42
ip -n "$T-h5" link set vx42 up
ip -n "$T-h5" route add 198.18.1.0/24 via 198.18.7.1

cfg=$(config "$TESTS_NETNS_DIR/configs/kinds.json")
vrd_once --config "$cfg" >/dev/null || fail "apply"
RED=$(router_ns red)
# the host side of the veth
ip -n "$VNS" addr add 198.18.4.2/30 dev hv0
quiesce $(all_ns red)

expect_ping h1 198.18.3.2
expect_ping h1 198.18.3.3
expect_ping6 h1 2001:db8:3::2
expect_ping h1 198.18.5.2
expect_ping h1 198.18.7.2
expect_ping h1 198.19.10.1
if in_vrd ping -c 2 -i 0.2 -W 2 -q 198.18.4.1 >/dev/null 2>&1; then pass "ping host -> veth"; else fail "ping host -> veth"; fi

ip -n "$RED" -d link show rbr | grep -q 'bridge ' && pass "rbr is a bridge" || fail "rbr kind"
for m in red-h3a red-h3b; do
	ip -n "$RED" link show "$m" | grep -q 'master rbr' && pass "$m in rbr" || fail "$m not in rbr"
done
ip -n "$RED" -d link show rmv | grep -q 'macvlan mode bridge' && pass "rmv is a bridge-mode macvlan" || fail "rmv kind"
ip -n "$RED" -d link show rvx | grep -q 'vxlan id 42 remote 198.18.6.2 local 198.18.6.1' &&
	pass "rvx vxlan settings" || fail "rvx: $(ip -n "$RED" -d link show rvx)"
ip -n "$RED" link show red-h1 | grep -q 'mtu 1400' && pass "mtu 1400" || fail "mtu"
ip -n "$RED" link show rdis | grep -q 'state DOWN' && pass "rdis is down" || fail "rdis: $(ip -n "$RED" link show rdis)"
ip -n "$VNS" link show hv0 | grep -q ',UP' && pass "host peer hv0 up" || fail "hv0 down"
mp=$(ip -n "$RED" route show table "$(router_table red 101)" 198.19.10.0/24)
grep -q 'via 198.18.3.2 dev rbr weight 3' <<<"$mp" && grep -q 'via 198.18.3.3 dev rbr weight 1' <<<"$mp" &&
	pass "multipath weights 3/1" || fail "multipath: $mp"

quiesce $(all_ns red)
monitor_start $(all_ns red)
vrd_once --config "$cfg" >/dev/null || fail "re-apply"
n=$(monitor_stop)
[ "$n" -eq 0 ] && pass "re-apply: zero changes" || fail "re-apply made $n changes"

# everything created goes; the ports come back
echo '{}' >"$STATE/empty.json"
vrd_once --config "$STATE/empty.json" >/dev/null || fail "remove"
for l in rbr rv0 rmv rvx rdis hv0 hdis; do
	ip -n "$VNS" link show "$l" >/dev/null 2>&1 && fail "$l left behind" || true
done
for p in red-h1 red-h3a red-h3b mvparent vxu; do
	ip -n "$VNS" link show "$p" >/dev/null 2>&1 && pass "$p released" || fail "$p lost"
done
finish
