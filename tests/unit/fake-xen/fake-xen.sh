# fake-xen.sh - sourced by the fake xl and xenstore-* of tests/unit/test_xl.c.
#
# They behave, for what vrd uses, like Xen 4.17's tools (tools/xl/*.c,
# tools/xenstore/xenstore_client.c): same arguments, output formats, exit
# codes and error wording.  State lives in $FAKE_XEN_DIR:
#   calls          one line per call: "TOOL ARGS..." (args joined by blanks)
#   store/PATH/    a xenstore node: .value, .perms ("n0 r5": owner first)
#   domains/NAME   a running domain: its domid
#   nics/DOMID     its vifs: "DEVID MAC SCRIPT" a line
#   links/NAME     a dom0 link that "exists" (test_xl's if_nametoindex)
#   fail/KEY       make a call fail: the file is its stderr ("HANG": it
#                  hangs); KEY is "xl-SUBCOMMAND" or the xenstore tool
#   no-links       xl creates no vif links;  keep-links: xl destroy keeps them
#   watch-exit     xenstore-watch exits
# $FAKE_XS_DOMID is the calling domain (default 0, dom0): relative paths
# are below /local/domain/<it>, and permissions apply to it.
: "${FAKE_XEN_DIR:?FAKE_XEN_DIR is not set}"
ME=${0##*/}
STORE=$FAKE_XEN_DIR/store
DOM=${FAKE_XS_DOMID:-0}

if [ ! -d "$STORE" ]; then
	mkdir -p "$STORE"
	echo n0 >"$STORE/.perms"
	: >"$STORE/.value"
fi

log_call() {
	printf '%s\n' "$ME $*" >>"$FAKE_XEN_DIR/calls"
}

maybe_fail() {
	f=$FAKE_XEN_DIR/fail/$1
	[ -f "$f" ] || return 0
	if [ "$(head -c 4 "$f")" = HANG ]; then
		exec sleep 30
	fi
	cat "$f" >&2
	exit 1
}

# The directory of node $1 (absolute, or relative to the caller's home).
node() {
	case $1 in
	/*) printf '%s\n' "$STORE$1" ;;
	*) printf '%s\n' "$STORE/local/domain/$DOM/$1" ;;
	esac
}

# may the caller $2 (r or w) node directory $1?  dom0 and the owner may
# do anything; others get their own entry's letter, else the owner's
# (which stands for everybody else).
can() {
	[ "$DOM" = 0 ] && return 0
	# shellcheck disable=SC2046
	set -- "$2" $(cat "$1/.perms")
	want=$1
	shift
	[ "${1#?}" = "$DOM" ] && return 0
	mode=$(printf %.1s "$1")
	shift
	for p in "$@"; do
		[ "${p#?}" = "$DOM" ] && mode=$(printf %.1s "$p")
	done
	case $want$mode in
	rr | rb | ww | wb) return 0 ;;
	esac
	return 1
}

# Create node directory $1 and its missing parents, with their parent's
# permissions (a domain other than dom0 owns what it creates).
mknode() {
	d=$STORE
	rest=${1#"$STORE"/}
	while [ -n "$rest" ]; do
		c=${rest%%/*}
		case $rest in
		*/*) rest=${rest#*/} ;;
		*) rest= ;;
		esac
		parent=$d
		d=$d/$c
		[ -d "$d" ] && continue
		can "$parent" w || return 1
		mkdir "$d"
		: >"$d/.value"
		perms=$(cat "$parent/.perms")
		if [ "$DOM" != 0 ]; then
			# shellcheck disable=SC2086
			set -- $perms
			first=$(printf %.1s "$1")$DOM
			shift
			perms="$first${*:+ $*}"
		fi
		printf '%s\n' "$perms" >"$d/.perms"
	done
}
