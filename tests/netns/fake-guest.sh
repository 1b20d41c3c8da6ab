#!/bin/sh
# fake-guest.sh --guest lab:DIR ...: stands in for `vrd --guest` in the
# lab-driver scenario.  Answers each generation the dom0 writes into DIR
# with "<gen> ready", the way the guest's vrd reports it converged.
# Bounded: it gives up after two minutes, so a test that fails to destroy
# its guest leaves no process running for long.
dir=
while [ $# -gt 0 ]; do
	case $1 in
	--guest) dir=${2#lab:}; shift 2 ;;
	*) shift ;;
	esac
done
[ -d "$dir" ] || { echo "fake-guest: no channel directory" >&2; exit 2; }
trap 'echo "fake-guest: stopped"; exit 0' TERM
echo "fake guest started in $dir"
last=
i=0
while [ $i -lt 1200 ]; do
	gen=
	[ -f "$dir/generation" ] && read -r gen <"$dir/generation"
	if [ -n "$gen" ] && [ "$gen" != "$last" ]; then
		printf '%s ready\n' "$gen" >"$dir/status.tmp" && mv "$dir/status.tmp" "$dir/status"
		last=$gen
	fi
	sleep 0.1
	i=$((i + 1))
done
echo "fake-guest: timed out"
