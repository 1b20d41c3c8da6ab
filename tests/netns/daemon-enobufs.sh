# Lost netlink events are never silence: with a tiny monitor receive
# buffer, an event storm overflows it (ENOBUFS); vrd logs it, resyncs in
# full and puts back the owned route deleted in the middle of the storm.
setup_vrd_ns
mk_host h1 red-h1 198.18.1.2/24 198.18.1.1 2001:db8:1::2/64 2001:db8:1::1
mk_host h2 blue-h2 198.18.2.2/24 198.18.2.1 2001:db8:2::2/64 2001:db8:2::1
cfg=$(config "$TESTS_NETNS_DIR/configs/two-routers.json")
start_vrd --config "$cfg" --monitor-rcvbuf 1024
RED=$(router_ns red)
rt=$(router_table red 101)
quiesce $(all_ns red blue)

# the storm: 3000 foreign routes in one batch, and an owned route deleted
for i in $(seq 0 2999); do
	echo "route add 198.19.$((i / 250)).$((i % 250))/32 via 198.18.1.2 table $rt proto static"
done >"$STATE/storm.batch"
echo "route del 198.18.2.0/24 table $rt" >>"$STATE/storm.batch"
ip -n "$RED" -batch "$STATE/storm.batch"
has_route() { ip -n "$RED" route show table "$rt" proto 77 | grep -q '^198.18.2.0/24'; }
eventually 10 has_route && pass "owned route restored after the storm" || fail "owned route lost"
grep -q 'lost events (ENOBUFS): full resync' "$VRD_LOG" && pass "ENOBUFS logged, full resync" ||
	fail "no ENOBUFS in the log"
resyncs=$(ctl -j status | jq -r '."vrd:get-status".resyncs')
[ "$resyncs" -ge 1 ] && pass "resync counted ($resyncs)" || fail "resyncs=$resyncs"
[ "$(ip -n "$RED" route show table "$rt" proto static | wc -l)" -eq 3000 ] &&
	pass "the 3000 foreign routes untouched" || fail "foreign routes touched"
expect_ping h1 198.18.2.2
stop_vrd
finish
