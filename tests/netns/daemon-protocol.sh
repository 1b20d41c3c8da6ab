# The control socket under abuse: 30+ malformed requests each get an error
# and the daemon keeps serving; 50 concurrent clients are all answered; a
# client that stalls in the middle of a message does not block others; a
# client that is neither root nor in group vrd may read but not change.
setup_vrd_ns
mk_host h1 red-h1 198.18.1.2/24 198.18.1.1 2001:db8:1::2/64 2001:db8:1::1
mk_host h2 blue-h2 198.18.2.2/24 198.18.2.1 2001:db8:2::2/64 2001:db8:2::1
cfg=$(config "$TESTS_NETNS_DIR/configs/two-routers.json")
start_vrd --config "$cfg"

if python3 "$TESTS_NETNS_DIR/ctl.py" "$SOCK" malformed >"$STATE/malformed.log"; then
	pass "malformed requests: $(tail -1 "$STATE/malformed.log")"
else
	fail "malformed requests:"
	grep FAIL "$STATE/malformed.log" >&2
fi
python3 "$TESTS_NETNS_DIR/ctl.py" "$SOCK" concurrent 50 '{"vrd:get-state":{}}' &&
	pass "50 concurrent clients" || fail "concurrent clients"
python3 "$TESTS_NETNS_DIR/ctl.py" "$SOCK" stall 5 '{"vrd:get-status":{}}' &&
	pass "a stalled client blocks nobody" || fail "stalled client"
kill -0 "$VRD_PID" && pass "daemon still running" || fail "daemon died"

# an unprivileged reader (the admin opened the socket to everyone)
chmod 0755 "$STATE"
chmod 0666 "$SOCK"
nobody() { setpriv --reuid=nobody --regid=nogroup --clear-groups "$VRCTL" --socket "$SOCK" "$@"; }
nobody show >"$STATE/nobody.show" 2>&1 && grep -q 'router red' "$STATE/nobody.show" &&
	pass "nobody can show" || fail "nobody show: $(cat "$STATE/nobody.show")"
set +e
err=$(nobody apply "$cfg" 2>&1)
rc=$?
set -e
[ "$rc" -eq 1 ] && grep -q 'permission denied' <<<"$err" && pass "nobody is refused apply" ||
	fail "nobody apply: rc=$rc $err"
set +e
nobody route add red 198.19.9.0/24 blackhole >/dev/null 2>&1
rc=$?
set -e
[ "$rc" -eq 1 ] && pass "nobody is refused route add" || fail "nobody route add: rc=$rc"
ctl route add red 198.19.9.0/24 blackhole >/dev/null && pass "root may route add" || fail "root route add"
ip -n "$(router_ns red)" route show table "$(router_table red 101)" | grep -q '^blackhole 198.19.9.0/24' &&
	pass "route add reached the kernel" || fail "route add: not in the kernel"
ctl route del red 198.19.9.0/24 >/dev/null && pass "route del" || fail "route del"
stop_vrd
finish
