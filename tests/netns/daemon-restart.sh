# Restarts: stopping vrd leaves the routers forwarding; a restart on a
# converged kernel writes nothing (zero RTM_DEL*, zero changes at all);
# after kill -9 in the middle of a large apply, a restart converges exactly
# to the persisted running config, and the apply again lands whole.  HUP
# reloads the config file and applies only the difference.
setup_vrd_ns
mk_host h1 red-h1 198.18.1.2/24 198.18.1.1 2001:db8:1::2/64 2001:db8:1::1
mk_host h2 blue-h2 198.18.2.2/24 198.18.2.1 2001:db8:2::2/64 2001:db8:2::1
cfg=$(config "$TESTS_NETNS_DIR/configs/two-routers.json")
cp "$cfg" "$STATE/live.json"
start_vrd --config "$STATE/live.json"
RED=$(router_ns red)
rt=$(router_table red 101)
quiesce $(all_ns red blue)

stop_vrd
expect_ping h1 198.18.2.2 # still forwarding without the daemon

quiesce $(all_ns red blue)
monitor_start $(all_ns red blue)
start_vrd # no --config: the persisted running config
sleep 1
n=$(monitor_stop)
[ "$n" -eq 0 ] && pass "restart on a converged kernel: zero changes" || fail "restart made $n changes"
grep -c 'Deleted' "$STATE/mon.last" >/dev/null && dels=$(grep -c 'Deleted' "$STATE/mon.last") || dels=0
[ "$dels" -eq 0 ] && pass "restart: zero RTM_DEL" || fail "restart: $dels deletes"

# HUP: one route more in the file; only that route is written
stop_vrd
start_vrd --config "$STATE/live.json"
sed 's|{ "prefix": "198.19.66.0/24", "type": "blackhole" }|{ "prefix": "198.19.66.0/24", "type": "blackhole" }, { "prefix": "198.19.67.0/24", "type": "blackhole" }|' \
	"$cfg" >"$STATE/live.json"
quiesce $(all_ns red blue)
monitor_start $(all_ns red blue)
kill -HUP "$VRD_PID"
has67() { ip -n "$RED" route show table "$rt" | grep -q '^blackhole 198.19.67.0/24'; }
eventually 5 has67 && pass "HUP: reloaded" || fail "HUP: not reloaded"
sleep 0.5
n=$(monitor_stop)
[ "$n" -eq 1 ] && pass "HUP: the difference only (1 change)" || fail "HUP: $n changes"

# kill -9 during a large apply
awk 'BEGIN {
	printf "{\"vrd:virtual-routers\":{\"router\":[{\"name\":\"red\",\"table\":101,\"backend\":\"'"$BACKEND"'\",";
	printf "\"interface\":[{\"name\":\"red-h1\",\"address\":[\"198.18.1.1/24\"]}],\"route\":[";
	for (i = 0; i < 20000; i++)
		printf "%s{\"prefix\":\"198.%d.%d.%d/32\",\"next-hop\":[{\"address\":\"198.18.1.2\"}]}",
			i ? "," : "", 18 + int(i / 65536) + 1, int(i / 256) % 256, i % 256;
	printf "]}]}}\n" }' >"$STATE/big.json"
ctl apply "$STATE/big.json" >/dev/null 2>&1 &
applier=$!
sleep 0.4
stop_vrd KILL
wait "$applier" 2>/dev/null || true
# The model's routes in red's table.  vrf: without the unreachable defaults
# vrd puts in every VRF table (so a lookup ends there); they are no route
# of the model.
model_routes() { ip -n "$RED" "$@" route show table "$rt" proto 77 | grep -v '^unreachable default .*metric 4278198272' || true; }
log "killed with $(model_routes | wc -l) vrd routes in red's table"
start_vrd
quiesce $(all_ns red blue)
want=$(ctl -j show red | jq '[."vrd:get-state".router[0].route[]?] | length')
have=$( (model_routes -4; model_routes -6) | wc -l)
[ "$want" = "$have" ] && pass "after kill -9: exactly the running config ($have routes)" ||
	fail "after kill -9: config has $want routes, kernel $have"
ctl apply "$STATE/big.json" >/dev/null || fail "big apply"
have=$(model_routes -4 | wc -l)
[ "$have" -eq 20000 ] && pass "big apply landed whole (20000 routes)" || fail "big apply: $have routes"
stop_vrd
finish
