# measures.sh - sourced by tests/bench/control, frr-static and many-routers:
# the one table of control-plane figures they share.
#
# measures.csv, one row per figure:
#   measure,what,value,min,max,unit,baseline_what,baseline,baseline_min,
#   baseline_max,ratio,target,verdict,load
# value/baseline: medians, min/max over the runs (empty with a single run
# or when the source has no range); ratio: of the medians, as the target
# states it; verdict: met, NOT met, or empty (information, no target);
# load: the 1-minute load average (min-max) while the figure was measured.
# No field may hold a comma.

# shellcheck disable=SC2034 # used by the scripts that source this
MEASURES_HEADER=measure,what,value,min,max,unit,baseline_what,baseline,baseline_min,baseline_max,ratio,target,verdict,load

# mstats: "n median min max" of the numbers on stdin ("0 nan nan nan": none)
mstats() {
	sort -g | awk '{ a[NR] = $1 } END {
		if (!NR) { print 0, "nan", "nan", "nan"; exit }
		m = NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2
		print NR, m, a[1], a[NR] }'
}

# measure_row FILE FIELD...: append one row (14 fields) to FILE; a comma
# inside a field becomes a semicolon
measure_row() {
	local f=$1 a out=()
	shift
	[ $# = 14 ] || { echo "measure_row: $# fields, not 14: $*" >&2; return 1; }
	for a in "$@"; do out+=("${a//,/;}"); done
	(IFS=,; echo "${out[*]}") >>"$f"
}

# num X: a figure for people (3 significant digits, k/M above 10k)
num() {
	awk -v x="$1" 'BEGIN {
		if (x == "" || x == "nan") { printf "%s", x == "" ? "-" : "nan"; exit }
		a = x < 0 ? -x : x
		if (a >= 1e6) printf "%.3gM", x / 1e6
		else if (a >= 1e4) printf "%.3gk", x / 1e3
		else if (a >= 100) printf "%.0f", x
		else printf "%.3g", x }'
}

# measure_lines CSV: one line per row,
#   C<n> <what>: <value> | baseline <what>: <value> | ratio <x> (target <t>) <verdict>  [load <l>]
measure_lines() {
	local m w v mn mx u bw b bmn bmx r t vd l line
	while IFS=, read -r m w v mn mx u bw b bmn bmx r t vd l; do
		[ "$m" = measure ] && continue
		case $vd in skipped | failed) printf '%s: %s\n' "$m" "$w"; continue ;; esac
		line="$m $w: $(num "$v")"
		[ -z "$mn" ] || line+=" ($(num "$mn")-$(num "$mx"))"
		line+="${u:+ $u}"
		if [ -n "$bw" ]; then
			line+=" | baseline $bw: $(num "$b")"
			[ -z "$bmn" ] || line+=" ($(num "$bmn")-$(num "$bmx"))"
			line+="${u:+ $u}"
		else
			line+=" | baseline none"
		fi
		line+=" | ratio ${r:--}"
		[ -z "$t" ] || line+=" (target $t)"
		line+=" ${vd:-info}"
		[ -z "$l" ] || line+="  [load $l]"
		printf '%s\n' "$line"
	done <"$1"
}

# measure_md CSV: the same as a markdown table
measure_md() {
	local m w v mn mx u bw b bmn bmx r t vd l val bas
	echo "| # | measure | value | baseline | ratio | target | verdict | load |"
	echo "|---|---|---|---|---|---|---|---|"
	while IFS=, read -r m w v mn mx u bw b bmn bmx r t vd l; do
		[ "$m" = measure ] && continue
		case $vd in skipped | failed) echo "| $m | $w | - | - | - | - | $vd | - |"; continue ;; esac
		val="$(num "$v")"
		[ -z "$mn" ] || val+=" ($(num "$mn")–$(num "$mx"))"
		val+="${u:+ $u}"
		bas=-
		if [ -n "$bw" ]; then
			bas="$bw: $(num "$b")"
			[ -z "$bmn" ] || bas+=" ($(num "$bmn")–$(num "$bmx"))"
			bas+="${u:+ $u}"
		fi
		echo "| $m | $w | $val | $bas | ${r:--} | ${t:--} | ${vd:-info} | ${l:--} |"
	done <"$1"
}

# ratio A B: A/B to 3 significant digits ("nan" when B is 0 or missing)
ratio() {
	awk -v a="$1" -v b="$2" 'BEGIN { if (b == "" || b == "nan" || b + 0 == 0 || a == "nan") print "nan"; else printf "%.3g", a / b }'
}
# verdict X OP T: met / NOT met (X op T, numerically; OP is >= or <=)
verdict() {
	awk -v x="$1" -v op="$2" -v t="$3" 'BEGIN {
		if (x == "nan" || x == "") { print "NOT met"; exit }
		ok = op == ">=" ? x + 0 >= t + 0 : x + 0 <= t + 0
		print ok ? "met" : "NOT met" }'
}
# load_range FILE T0 T1: "min-max" of the 1-minute loads sampled between
# T0 and T1 (FILE: lines "epoch load1"); empty when none
load_range() {
	awk -v a="$2" -v b="$3" '$1 >= a && $1 <= b { if (!n++ || $2 < lo) lo = $2; if ($2 > hi) hi = $2 }
		END { if (n) printf (lo == hi ? "%s" : "%s-%s"), lo, hi }' "$1"
}
# mb KB: kB to MB, one decimal (empty stays empty)
mb() { [ -z "$1" ] || awk -v x="$1" 'BEGIN { if (x == "nan") print x; else printf "%.1f", x / 1024 }'; }
