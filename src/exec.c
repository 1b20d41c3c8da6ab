/* exec.c - the executor: waves, batches, ack matching, rollback.
 * Messages come from the pure encoders (nl/enc.h); bytes go through
 * nl/sock.c; namespaces and sysctls through the caller's vr_sys_ops.
 * It decides nothing about what should exist: that is the planner's job.
 *
 * Batching: a batch carries hundreds of requests and only the last one
 * asks for an ack.  The kernel handles a whole sendmsg() before it
 * returns, answering only the failed requests plus that final ack, so
 * reading until the reply to the last sequence number collects every
 * error of the batch. */
#include "exec.h"

#include <errno.h>
#include <libmnl/libmnl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "nl/enc.h"

/* Below the send buffer sock.c asks for (and below the 2 x 208 KiB the
 * kernel grants without privileges), far above the ~64 messages that
 * already amortise the syscall. */
#define BATCH_SIZE (256 * 1024)
#define RECV_SIZE  65536
/* Past this many entries, errors are only counted (a batch of 100k routes
 * through a missing device must not produce 100k lines). */
#define MAX_ERRS 64

enum op_state {
	ST_PENDING,
	ST_OK,
	ST_NOOP, /* delete of something already gone: nothing changed */
	ST_FAILED,
	ST_UNKNOWN, /* its answer was lost (ENOBUFS): not rolled back */
};

struct exec {
	struct vr_kernel *k;
	const struct vr_sys_ops *sys;
	struct vr_resolve res;
	struct vr_errs *errs;
	struct vr_exec_stats *st;
	bool rollback;    /* errors are warnings about an undo */
	size_t n_errs;    /* entries this run added to errs */
	size_t n_dropped; /* errors past MAX_ERRS */
	int wave_err;     /* first error code of the current wave */
	bool links_dirty; /* links created/moved since the caches were refreshed */
	char *buf;        /* batch */
	char *rbuf;       /* answers */
};

/* One batch for one namespace. */
struct batch {
	const char *ns;
	struct vr_nl *nl;
	struct mnl_nlmsg_batch *b;
	struct nlmsghdr *last;
	uint32_t seq0; /* sequence number of the first message */
	size_t n, cap;
	size_t *idx;   /* message i -> op index in the wave */
	uint32_t *rel; /* message i -> its seq - seq0, increasing (link dumps
	                * for the resolver take numbers in between) */
	int open_err;  /* when nl is NULL */
};

static bool is_delete(const struct vr_op *op)
{
	switch (op->code) {
	case VR_OP_NETNS_DEL:
	case VR_OP_LINK_DEL:
	case VR_OP_ADDR_DEL:
	case VR_OP_ROUTE_DEL:
	case VR_OP_RULE_DEL:
	case VR_OP_PROXY_DEL:
		return true;
	default:
		/* Releasing a port that vanished has nothing left to do. */
		return op->wave == VR_WAVE_RELEASE;
	}
}

/* What each kernel object type answers when asked to delete something
 * that is not there: links ENODEV, addresses EADDRNOTAVAIL, routes ESRCH,
 * rules, proxy entries and namespaces ENOENT. */
static bool is_gone(int code)
{
	return code == -ENOENT || code == -ENODEV || code == -ESRCH || code == -EADDRNOTAVAIL;
}

static bool is_netlink(const struct vr_op *op)
{
	return op->code != VR_OP_NETNS_ADD && op->code != VR_OP_NETNS_DEL &&
	       op->code != VR_OP_SYSCTL_SET;
}

static const char *op_ns(const struct vr_op *op)
{
	const char *ns = vr_op_ns(op);
	return ns ? ns : "";
}

static const char *errname(int code)
{
	const char *s = strerrorname_np(code < 0 ? -code : code);
	return s ? s : "E?";
}

/* Record the failure of op.  reason NULL: strerror(). */
static void op_error(struct exec *x, const struct vr_op *op, int code, const char *reason)
{
	char obj[256];

	if (!code)
		code = -EIO;
	if (!x->wave_err)
		x->wave_err = code;
	if (x->rollback)
		x->st->rollback_failed++;
	else
		x->st->failed++;
	if (x->n_errs >= MAX_ERRS) {
		x->n_dropped++;
		return;
	}
	if (!reason || !*reason)
		reason = strerror(-code);
	vr_op_obj(op, obj, sizeof(obj));
	vr_errs_add(x->errs, code, obj, "%s%s (%s)", x->rollback ? "rollback failed: " : "", reason,
	            errname(code));
	x->n_errs++;
}

/* The result of one op: 0 or -errno, with the kernel's text if any. */
static void op_result(struct exec *x, const struct vr_op *op, uint8_t *state, int code,
                      const char *reason)
{
	if (!code) {
		*state = ST_OK;
	} else if (is_delete(op) && is_gone(code)) {
		*state = ST_NOOP;
		x->st->noop++;
	} else {
		*state = ST_FAILED;
		op_error(x, op, code, reason);
	}
}

/* --- non-netlink ops ---------------------------------------------------- */

static int run_sys(struct exec *x, const struct vr_op *op)
{
	const struct vr_sys_ops *sys = x->sys;
	int fd = -1;

	switch (op->code) {
	case VR_OP_NETNS_ADD:
		return sys && sys->netns_add ? sys->netns_add(op->o.netns.name) : -EOPNOTSUPP;
	case VR_OP_NETNS_DEL:
		/* Our fd and socket would keep the namespace (and its links)
		 * alive after its name is gone. */
		vr_kernel_forget(x->k, op->o.netns.name);
		return sys && sys->netns_del ? sys->netns_del(op->o.netns.name) : -EOPNOTSUPP;
	case VR_OP_SYSCTL_SET:
		if (!sys || !sys->sysctl_write)
			return -EOPNOTSUPP;
		if (*op_ns(op)) {
			fd = vr_kernel_nsfd(x->k, op_ns(op));
			if (fd < 0)
				return fd;
		}
		return sys->sysctl_write(fd, op->o.sysctl.key, op->o.sysctl.value);
	default:
		return -EOPNOTSUPP;
	}
}

/* --- answers ------------------------------------------------------------ */

/* The error code of an NLMSG_ERROR and, when the kernel added extended-ack
 * TLVs, its message.  With NETLINK_CAP_ACK (or for a plain ack) the
 * request is not echoed (NLM_F_CAPPED) and the TLVs follow struct
 * nlmsgerr; otherwise they follow the whole echoed request. */
static int parse_nlerr(const struct nlmsghdr *nlh, char *msg, size_t len)
{
	const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);
	size_t plen = mnl_nlmsg_get_payload_len(nlh), off;
	const char *end = (const char *)e + plen;
	const struct nlattr *a;
	int code, rest;

	msg[0] = 0;
	if (plen < sizeof(int))
		return -EBADMSG;
	memcpy(&code, e, sizeof(code));
	code = code > 0 ? -code : code;
	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS) || plen < sizeof(*e))
		return code;
	if (nlh->nlmsg_flags & NLM_F_CAPPED)
		off = sizeof(*e);
	else
		off = sizeof(int) + e->msg.nlmsg_len;
	off = MNL_ALIGN(off);
	if (off >= plen)
		return code;
	a = (const struct nlattr *)((const char *)e + off);
	rest = (int)(plen - off);
	for (; mnl_attr_ok(a, rest); rest = (int)(end - (const char *)a)) {
		if (mnl_attr_get_type(a) == NLMSGERR_ATTR_MSG) {
			const char *s = mnl_attr_get_payload(a);
			size_t n = strnlen(s, mnl_attr_get_payload_len(a));
			snprintf(msg, len, "%.*s", (int)n, s);
		}
		a = mnl_attr_next(a);
	}
	return code;
}

/* The message of the batch whose sequence number is seq, or -1. */
static long msg_of_seq(const struct batch *bt, uint32_t seq)
{
	uint32_t rel = seq - bt->seq0;
	size_t lo = 0, hi = bt->n;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (bt->rel[mid] == rel)
			return (long)mid;
		if (bt->rel[mid] < rel)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

/* Send the batch and match the answers.  Every op of the batch gets a
 * state. */
static void flush(struct exec *x, struct batch *bt, const struct vr_op *const *ops, uint8_t *state)
{
	size_t got = 0; /* messages known handled: answers up to here */
	bool done = false;
	char reason[512];
	int ret;

	if (!bt->n)
		return;
	/* The barrier: the only request that is acked when it succeeds. */
	bt->last->nlmsg_flags |= NLM_F_ACK;
	ret = vr_nl_send(bt->nl, mnl_nlmsg_batch_head(bt->b), mnl_nlmsg_batch_size(bt->b));
	x->st->sendmsg++;
	if (ret < 0) {
		/* Nothing of a refused sendmsg() reached the handlers. */
		snprintf(reason, sizeof(reason), "sendmsg: %s", strerror(-ret));
		for (size_t i = 0; i < bt->n; i++)
			op_result(x, ops[bt->idx[i]], &state[bt->idx[i]], ret, reason);
		goto out;
	}
	x->st->batches++;
	x->st->messages += bt->n;
	while (!done) {
		ssize_t n = vr_nl_recv(bt->nl, x->rbuf, RECV_SIZE);
		const struct nlmsghdr *nlh = (const struct nlmsghdr *)x->rbuf;
		int rest;

		if (n < 0) {
			ret = (int)n;
			break;
		}
		rest = (int)n;
		for (; mnl_nlmsg_ok(nlh, rest); nlh = mnl_nlmsg_next(nlh, &rest)) {
			uint32_t pid = vr_nl_portid(bt->nl);
			long m;
			size_t i, off;
			int code;

			/* Answers to earlier batches, or not for us. */
			if (nlh->nlmsg_type != NLMSG_ERROR ||
			    (nlh->nlmsg_pid && pid && nlh->nlmsg_pid != pid))
				continue;
			m = msg_of_seq(bt, nlh->nlmsg_seq);
			if (m < 0)
				continue;
			off = (size_t)m;
			i = bt->idx[off];
			code = parse_nlerr(nlh, reason, sizeof(reason));
			if (state[i] == ST_PENDING)
				op_result(x, ops[i], &state[i], code, reason);
			if (off + 1 > got)
				got = off + 1;
			if (off == bt->n - 1)
				done = true;
		}
	}
	if (done) {
		/* No error answer means success. */
		for (size_t i = 0; i < bt->n; i++)
			if (state[bt->idx[i]] == ST_PENDING)
				state[bt->idx[i]] = ST_OK;
		goto out;
	}
	/* The answers were lost (ENOBUFS: the receive queue overflowed).  The
	 * kernel handles requests in order and queues answers in order, so
	 * requests before the last answer seen were handled; the fate of the
	 * rest is unknown: they are neither reported as done nor undone. */
	for (size_t i = 0; i < got; i++)
		if (state[bt->idx[i]] == ST_PENDING)
			state[bt->idx[i]] = ST_OK;
	snprintf(reason, sizeof(reason), "answers lost (%s): %zu of %zu requests in unknown state",
	         strerror(-ret), bt->n - got, bt->n);
	for (size_t i = got; i < bt->n; i++) {
		size_t j = bt->idx[i];
		if (state[j] != ST_PENDING)
			continue;
		state[j] = ST_UNKNOWN;
		/* one error for the batch, not one per request */
		if (reason[0])
			op_error(x, ops[j], ret, reason);
		else if (x->rollback)
			x->st->rollback_failed++;
		else
			x->st->failed++;
		reason[0] = 0;
	}
	/* Late answers queued on this socket must not be matched against the
	 * next batch: start over with a fresh socket. */
	vr_kernel_reset_nl(x->k, bt->ns);
	bt->nl = vr_kernel_nl(x->k, bt->ns);
	bt->open_err = bt->nl ? 0 : -errno;
out:
	mnl_nlmsg_batch_reset(bt->b);
	bt->n = 0;
	bt->last = NULL;
}

static void touched_links(struct exec *x, const struct vr_op *op)
{
	switch (op->code) {
	case VR_OP_LINK_ADD:
	case VR_OP_LINK_DEL:
	case VR_OP_LINK_MOVE:
		vr_kernel_invalidate(x->k, op_ns(op));
		if (op->code == VR_OP_LINK_MOVE && op->to_ns)
			vr_kernel_invalidate(x->k, op->to_ns);
		/* a veth's peer comes and goes with it */
		if (op->o.link.kind == VR_LINK_VETH && op->o.link.u.veth.peer_ns)
			vr_kernel_invalidate(x->k, op->o.link.u.veth.peer_ns);
		break;
	default:
		break;
	}
}

/* Encode op i into the batch, flushing when full. */
static void add_op(struct exec *x, struct batch *bt, const struct vr_op *const *ops, uint8_t *state,
                   size_t i)
{
	const struct vr_op *op = ops[i];
	bool retried = false;
	uint32_t seq = 0;
	char reason[128];

	for (;;) {
		size_t used = mnl_nlmsg_batch_size(bt->b);
		struct nlmsghdr *nlh = mnl_nlmsg_batch_current(bt->b);
		ssize_t len;

		if (!bt->nl) {
			op_result(x, op, &state[i], bt->open_err, "cannot open a netlink socket");
			return;
		}
		if (!seq)
			seq = vr_nl_next_seq(bt->nl);
		len = vr_enc_op(op, &x->res, seq, nlh, BATCH_SIZE - used);
		if (len == 0 && bt->n) {
			flush(x, bt, ops, state);
			continue;
		}
		if (len == 0) {
			op_result(x, op, &state[i], -EMSGSIZE, "too large for one netlink message");
			return;
		}
		/* A device created earlier in this wave (a macvlan's parent,
		 * a veth peer) is not in the cache yet: send what we have,
		 * look again, once. */
		if (len == -ENODEV && !is_delete(op) && x->links_dirty && !retried) {
			flush(x, bt, ops, state);
			vr_kernel_invalidate(x->k, NULL);
			x->links_dirty = false;
			retried = true;
			continue;
		}
		if (len < 0) {
			snprintf(reason, sizeof(reason), "%s",
			         len == -ENODEV ? "device not found" : "cannot encode");
			op_result(x, op, &state[i], (int)len, reason);
			return;
		}
		nlh->nlmsg_flags &= ~NLM_F_ACK;
		if (!mnl_nlmsg_batch_next(bt->b))
			abort(); /* the encoder wrote past the room it was given */
		if (!bt->n)
			bt->seq0 = seq;
		if (bt->n == bt->cap) {
			bt->cap = bt->cap ? bt->cap * 2 : 256;
			bt->idx = realloc(bt->idx, bt->cap * sizeof(*bt->idx));
			bt->rel = realloc(bt->rel, bt->cap * sizeof(*bt->rel));
			if (!bt->idx || !bt->rel)
				abort();
		}
		bt->rel[bt->n] = seq - bt->seq0;
		bt->idx[bt->n++] = i;
		bt->last = nlh;
		if (op->code == VR_OP_LINK_ADD || op->code == VR_OP_LINK_MOVE)
			x->links_dirty = true;
		return;
	}
}

/* Run the netlink ops of one namespace, in plan order. */
static void run_ns(struct exec *x, const char *ns, const struct vr_op *const *ops, uint8_t *state,
                   size_t n, bool *ns_done)
{
	struct batch bt = {.ns = ns};

	bt.b = mnl_nlmsg_batch_start(x->buf, BATCH_SIZE);
	if (!bt.b)
		abort();
	bt.nl = vr_kernel_nl(x->k, ns);
	bt.open_err = bt.nl ? 0 : -errno;
	for (size_t i = 0; i < n; i++) {
		if (ns_done[i] || !is_netlink(ops[i]) || vr_ns_cmp(op_ns(ops[i]), ns))
			continue;
		ns_done[i] = true;
		add_op(x, &bt, ops, state, i);
	}
	flush(x, &bt, ops, state);
	mnl_nlmsg_batch_stop(bt.b);
	free(bt.idx);
	free(bt.rel);
}

static double now_us(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e6 + (double)t.tv_nsec / 1e3;
}

/* One wave: every op is tried (a batch goes on after a failed request
 * anyway); returns the first error code, 0 when all succeeded. */
static int run_wave(struct exec *x, const struct vr_op *const *ops, uint8_t *state, size_t n)
{
	bool *ns_done = calloc(n ? n : 1, sizeof(*ns_done));

	if (!ns_done)
		abort();
	x->wave_err = 0;
	x->links_dirty = false;
	/* Namespaces and sysctls have their own waves; should a wave mix
	 * them with netlink ops, they go first (a namespace must exist
	 * before anything is sent into it). */
	for (size_t i = 0; i < n; i++) {
		if (is_netlink(ops[i]))
			continue;
		ns_done[i] = true;
		op_result(x, ops[i], &state[i], run_sys(x, ops[i]), NULL);
	}
	for (size_t i = 0; i < n; i++)
		if (!ns_done[i])
			run_ns(x, op_ns(ops[i]), ops, state, n, ns_done);
	for (size_t i = 0; i < n; i++)
		touched_links(x, ops[i]);
	free(ns_done);
	return x->wave_err;
}

/* Undo every op that succeeded, the last first.  Inverses keep their op's
 * wave, so consecutive inverses of one wave still share batches. */
static void rollback(struct exec *x, const struct vr_op *const *ops, const uint8_t *state, size_t n)
{
	struct vr_op *inv = calloc(n ? n : 1, sizeof(*inv));
	const struct vr_op **iops = calloc(n ? n : 1, sizeof(*iops));
	uint8_t *ist = calloc(n ? n : 1, 1);
	size_t m = 0;

	if (!inv || !iops || !ist)
		abort();
	for (size_t i = n; i-- > 0;) {
		if (state[i] != ST_OK || !vr_op_inverse(ops[i], &inv[m]))
			continue;
		iops[m] = &inv[m];
		m++;
	}
	x->rollback = true;
	x->st->rolled_back += m;
	for (size_t i = 0; i < m;) {
		size_t j = i + 1;
		while (j < m && inv[j].wave == inv[i].wave)
			j++;
		run_wave(x, iops + i, ist + i, j - i);
		i = j;
	}
	x->rollback = false;
	free(ist);
	free(iops);
	free(inv);
}

int vr_exec(struct vr_kernel *k, const struct vr_sys_ops *sys, const struct vr_plan *plan,
            struct vr_errs *errs, struct vr_exec_stats *st)
{
	struct vr_exec_stats dummy = {0};
	struct exec x = {
	    .k = k,
	    .sys = sys,
	    .res = vr_kernel_resolver(k),
	    .errs = errs,
	    .st = st ? st : &dummy,
	};
	const struct vr_op **ops;
	uint8_t *state;
	size_t n = plan->n, end = n;
	int ret = 0;

	if (!n)
		return 0;
	ops = malloc(n * sizeof(*ops));
	state = calloc(n, 1);
	/* zeroed: attribute padding goes to the kernel as written (valgrind) */
	x.buf = calloc(1, BATCH_SIZE);
	x.rbuf = malloc(RECV_SIZE);
	if (!ops || !state || !x.buf || !x.rbuf)
		abort();
	for (size_t i = 0; i < n; i++)
		ops[i] = &plan->v[i];
	/* The caches may predate changes made by others since: resolving a
	 * name to a stale index would act on the wrong device. */
	vr_kernel_invalidate(k, NULL);
	if (!x.st->t_begin_us)
		x.st->t_begin_us = now_us();
	for (size_t i = 0; i < n;) {
		size_t j = i + 1;
		while (j < n && plan->v[j].wave == plan->v[i].wave)
			j++;
		x.st->ops += j - i;
		ret = run_wave(&x, ops + i, state + i, j - i);
		if (ret) {
			end = j;
			break;
		}
		if (plan->v[i].wave <= VR_WAVE_ROUTE) {
			x.st->t_built_us = now_us();
			if (sys && sys->built && (j == n || plan->v[j].wave > VR_WAVE_ROUTE))
				sys->built(sys->arg);
		}
		i = j;
	}
	if (ret)
		rollback(&x, ops, state, end);
	if (x.n_dropped)
		vr_errs_add(errs, ret ? ret : -EIO, NULL, "%zu more errors not shown", x.n_dropped);
	free(x.rbuf);
	free(x.buf);
	free(state);
	free(ops);
	return ret;
}
