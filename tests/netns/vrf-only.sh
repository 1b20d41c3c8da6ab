# What only the vrf backend has (the VM tier runs it; any other backend
# skips): real VRF devices bound to their tables and the l3mdev rule at
# 1000; a port addressed before vrd enslaves it keeps all its addresses (the
# kernel drops global IPv6 ones on enslave) and routes through it work;
# leaking in both forms (a gateway on a port of the other router, and the
# other router's VRF device when the gateway is on none of its ports); a
# dummy and an 802.1Q port, created by hand, enslaved by vrd.  Re-apply is
# quiet; removal releases the hand-made ports intact.
#
#   h1 --- red-h1 [red, table 101] red-h3.10 (VLAN 10 on red-h3) --- h3 (eth0.10)
#                 [red]   rd0 (dummy, 198.19.40.1, 2001:db8:40::1)
#   h2 --- blue-h2 [blue, table 102]; h2 holds 198.19.30.1 and 2001:db8:30::1
if [ "$BACKEND" != vrf ]; then
	log "skipped: VRF devices only (backend $BACKEND)"
	exit 77
fi
# What a human reads in the CI log: lines proving a real VRF kernel ran.
show() { log "\$ $*"; { "$@" 2>&1 || true; } | sed 's/^/  /' >&2; }
show uname -r

setup_vrd_ns
mk_host h1 red-h1 198.18.1.2/24 198.18.1.1 2001:db8:1::2/64 2001:db8:1::1
mk_host h2 blue-h2 198.18.2.2/24 198.18.2.1 2001:db8:2::2/64 2001:db8:2::1
ip -n "$T-h1" addr add 198.19.21.1/32 dev lo
ip -n "$T-h1" addr add 2001:db8:21::1/128 dev lo
ip -n "$T-h2" addr add 198.19.30.1/32 dev lo
ip -n "$T-h2" addr add 2001:db8:30::1/128 dev lo
# h3 reaches red over VLAN 10 of the trunk red-h3 (the trunk is not red's)
ip netns add "$T-h3"
ip -n "$T-h3" link set lo up
ip -n "$VNS" link add red-h3 type veth peer name eth0 netns "$T-h3"
ip -n "$VNS" link set red-h3 up
ip -n "$T-h3" link set eth0 up
ip -n "$T-h3" link add link eth0 name eth0.10 type vlan id 10
ip -n "$T-h3" addr add 198.18.10.2/24 dev eth0.10
ip -n "$T-h3" addr add 2001:db8:10::2/64 dev eth0.10 nodad
ip -n "$T-h3" link set eth0.10 up
ip -n "$T-h3" route add default via 198.18.10.1
ip -n "$T-h3" -6 route add default via 2001:db8:10::1
# the ports made by hand: a VLAN and a dummy
ip -n "$VNS" link add link red-h3 name red-h3.10 type vlan id 10
ip -n "$VNS" link add rd0 type dummy
# red-h1 has all its addresses and is up before vrd enslaves it
ip -n "$VNS" addr add 198.18.1.1/24 dev red-h1
ip -n "$VNS" addr add 2001:db8:1::1/64 dev red-h1 nodad
ip -n "$VNS" addr add 2001:db8:11::1/64 dev red-h1 nodad
ip -n "$VNS" link set red-h1 up

mkdir "$STATE/in"
cat >"$STATE/in/vrf-only.json" <<'EOF'
{
  "vrd:virtual-routers": {
    "router": [
      {
        "name": "red",
        "table": 101,
        "backend": "@BACKEND@",
        "interface": [
          { "name": "red-h1", "address": ["198.18.1.1/24", "2001:db8:1::1/64", "2001:db8:11::1/64"] },
          { "name": "red-h3.10", "address": ["198.18.10.1/24", "2001:db8:10::1/64"] },
          { "name": "rd0", "address": ["198.19.40.1/32", "2001:db8:40::1/128"] }
        ],
        "route": [
          { "prefix": "198.19.21.0/24", "next-hop": [ { "address": "198.18.1.2" } ] },
          { "prefix": "2001:db8:21::/64", "next-hop": [ { "address": "2001:db8:1::2" } ] },
          { "prefix": "198.18.2.0/24", "next-hop": [ { "address": "198.18.2.2", "router": "blue" } ] },
          { "prefix": "2001:db8:2::/64", "next-hop": [ { "address": "2001:db8:2::2", "router": "blue" } ] },
          { "prefix": "198.19.30.0/24", "next-hop": [ { "address": "198.19.30.1", "router": "blue" } ] },
          { "prefix": "2001:db8:30::/64", "next-hop": [ { "address": "2001:db8:30::1", "router": "blue" } ] }
        ]
      },
      {
        "name": "blue",
        "table": 102,
        "backend": "@BACKEND@",
        "interface": [ { "name": "blue-h2", "address": ["198.18.2.1/24", "2001:db8:2::1/64"] } ],
        "route": [
          { "prefix": "198.19.30.0/24", "next-hop": [ { "address": "198.18.2.2" } ] },
          { "prefix": "2001:db8:30::/64", "next-hop": [ { "address": "2001:db8:2::2" } ] },
          { "prefix": "198.18.1.0/24", "next-hop": [ { "address": "198.18.1.2", "router": "red" } ] },
          { "prefix": "2001:db8:1::/64", "next-hop": [ { "address": "2001:db8:1::2", "router": "red" } ] }
        ]
      }
    ]
  }
}
EOF
cfg=$(config "$STATE/in/vrf-only.json") # -> $STATE/vrf-only.json
vrd_once --config "$cfg" >/dev/null || fail "apply"
quiesce "$VNS"

# ---- real VRF devices and the l3mdev rule
show ip -n "$VNS" -d link show red
show ip -n "$VNS" -d link show blue
ip -n "$VNS" -d link show red | grep -q 'vrf table 101 ' && pass "red is a VRF device bound to table 101" ||
	fail "red: $(ip -n "$VNS" -d link show red)"
ip -n "$VNS" -d link show blue | grep -q 'vrf table 102 ' && pass "blue is a VRF device bound to table 102" ||
	fail "blue: $(ip -n "$VNS" -d link show blue)"
show ip -n "$VNS" rule show
show ip -n "$VNS" -6 rule show
for fam in -4 -6; do
	ip -n "$VNS" "$fam" rule show | grep -qP '^1000:\tfrom all lookup \[l3mdev-table\]' &&
		pass "ip $fam rule: l3mdev rule at 1000" || fail "ip $fam rule: no l3mdev rule at 1000"
done
for fam in -4 -6; do
	rules=$(ip -n "$VNS" "$fam" rule show)
	grep -qxP '32765:\tfrom all lookup local proto 77' <<<"$rules" && ! grep -q '^0:' <<<"$rules" &&
		pass "ip $fam rule: the local lookup after the l3mdev rule" || fail "ip $fam rule: local lookup not moved"
done
for fam in -4 -6; do
	ip -n "$VNS" "$fam" route show table 101 | grep -q '^unreachable default .*proto 77 metric 4278198272' &&
		pass "ip $fam: red's lookup ends in table 101 (unreachable default)" ||
		fail "ip $fam: no unreachable default in table 101"
done
# so a VRF's packet for an address of the host is not the host's
ip -n "$VNS" addr add 198.19.99.1/32 dev lo
ip -n "$VNS" addr add 2001:db8:99::1/128 dev lo
echos() { in_vrd nstat -asz IcmpInEchos Icmp6InEchos | awk '/Echos/ {n += $2} END {print n + 0}'; }
e0=$(echos)
expect_no_ping h1 198.19.99.1
expect_no_ping6() { if ping6 "$1" "$2"; then fail "ping6 $1 -> $2 should fail"; else pass "no ping6 $1 -> $2"; fi; }
expect_no_ping6 h1 2001:db8:99::1
[ "$(echos)" = "$e0" ] && pass "the host's own addresses are not reachable from a VRF" ||
	fail "echo requests from a VRF reached the host's addresses ($e0 -> $(echos))"
# nor one for a network of the host's main table: the host reaches h3
# untagged on the trunk, h3 would answer over VLAN 10 into red
ip -n "$VNS" addr add 198.18.11.1/24 dev red-h3
ip -n "$T-h3" addr add 198.18.11.2/24 dev eth0
expect_no_ping h1 198.18.11.2
[ -z "$(ip -n "$VNS" route show table main | grep '^198\.1[89]\.' | grep -v '^198\.18\.11\.0/24 dev red-h3 ' || true)" ] &&
	pass "no VRF route in the main table" || fail "main table: $(ip -n "$VNS" route show table main)"

# ---- the port addressed before enslaving keeps everything
wait_dad "$VNS"
show ip -n "$VNS" addr show dev red-h1
ip -n "$VNS" link show red-h1 | grep -q 'master red ' && pass "red-h1 enslaved to red" || fail "red-h1 not in red"
have=$(ip -n "$VNS" -j addr show dev red-h1 | jq -r '.[0].addr_info[] | select(.scope=="global") |
	"\(.local)/\(.prefixlen)"' | sort | tr '\n' ' ')
[ "$have" = "198.18.1.1/24 2001:db8:11::1/64 2001:db8:1::1/64 " ] &&
	pass "red-h1 kept all its addresses after the enslave" || fail "red-h1 addresses after the enslave: $have"
show ip -n "$VNS" -6 route show vrf red
for p in 2001:db8:1::/64 2001:db8:11::/64; do
	ip -n "$VNS" -6 route show table 101 "$p" | grep -q 'dev red-h1' && pass "connected route $p in table 101" ||
		fail "no connected route $p in table 101"
done
ip -n "$VNS" -6 route show table 101 proto 77 2001:db8:21::/64 | grep -q 'via 2001:db8:1::2 dev red-h1' &&
	pass "route through red-h1 in table 101" || fail "no route 2001:db8:21::/64 via red-h1"
expect_ping6 h1 2001:db8:1::1
expect_ping6 h1 2001:db8:11::1
expect_ping h1 198.18.1.1

# ---- dummy and 802.1Q ports, made by hand, enslaved by vrd
show ip -n "$VNS" -d link show rd0
show ip -n "$VNS" -d link show red-h3.10
ip -n "$VNS" -d link show rd0 | grep -q 'master red ' && ip -n "$VNS" -d link show rd0 | grep -qw dummy &&
	pass "dummy rd0 in red" || fail "rd0: $(ip -n "$VNS" -d link show rd0)"
ip -n "$VNS" -d link show red-h3.10 | grep -q 'master red ' &&
	ip -n "$VNS" -d link show red-h3.10 | grep -q 'vlan protocol 802.1Q id 10 ' &&
	pass "VLAN red-h3.10 in red" || fail "red-h3.10: $(ip -n "$VNS" -d link show red-h3.10)"
expect_ping h1 198.19.40.1
expect_ping6 h1 2001:db8:40::1
expect_ping h1 198.18.10.2
expect_ping6 h1 2001:db8:10::2
# routes through the enslaved port, from the VLAN side
expect_ping h3 198.19.21.1
expect_ping6 h3 2001:db8:21::1

# ---- leaking: gateway form and VRF device form
show ip -n "$VNS" route show vrf red
ip -n "$VNS" route show table 101 proto 77 198.18.2.0/24 | grep -q 'via 198.18.2.2 dev blue-h2' &&
	pass "leak with a gateway on blue's port" || fail "leak 198.18.2.0/24: $(ip -n "$VNS" route show table 101 198.18.2.0/24)"
ip -n "$VNS" route show table 101 proto 77 198.19.30.0/24 | grep -q '^198.19.30.0/24 dev blue ' &&
	pass "leak through blue's VRF device (v4)" || fail "leak 198.19.30.0/24: $(ip -n "$VNS" route show table 101 198.19.30.0/24)"
ip -n "$VNS" -6 route show table 101 proto 77 2001:db8:30::/64 | grep -q '^2001:db8:30::/64 dev blue ' &&
	pass "leak through blue's VRF device (v6)" || fail "leak 2001:db8:30::/64: $(ip -n "$VNS" -6 route show table 101 2001:db8:30::/64)"
expect_ping h1 198.18.2.2
expect_ping6 h1 2001:db8:2::2
expect_ping h1 198.19.30.1
expect_ping6 h1 2001:db8:30::1
expect_no_ping h3 198.18.2.2 # h3's network is not leaked into blue: no way back

# ---- re-apply: nothing to do
quiesce "$VNS"
monitor_start "$VNS"
out=$(vrd_once --config "$cfg") || fail "re-apply"
n=$(monitor_stop)
[ "$n" -eq 0 ] && pass "re-apply: zero netlink changes" || fail "re-apply made $n netlink changes"
grep -q '^converged: 0 added, 0 changed, 0 deleted' <<<"$out" && pass "re-apply: empty plan" || fail "re-apply: $out"

# ---- removal: the VRFs go, the hand-made ports stay, released
echo '{}' >"$STATE/empty.json"
vrd_once --config "$STATE/empty.json" >/dev/null || fail "remove"
for l in red blue; do
	ip -n "$VNS" link show "$l" >/dev/null 2>&1 && fail "VRF $l left behind" || pass "VRF $l deleted"
done
for fam in -4 -6; do
	rules=$(ip -n "$VNS" "$fam" rule show)
	grep -qxP '0:\tfrom all lookup local' <<<"$rules" && ! grep -q '^32765:' <<<"$rules" &&
		pass "ip $fam rule: the local lookup back at 0" || fail "ip $fam rule: $rules"
done
for p in red-h1 blue-h2 rd0 red-h3.10; do
	if ! ip -n "$VNS" link show "$p" >/dev/null 2>&1; then
		fail "$p lost"
	elif ip -n "$VNS" link show "$p" | grep -q ' master '; then
		fail "$p still enslaved"
	else
		pass "$p released"
	fi
done
finish
