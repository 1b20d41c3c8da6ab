/* The executor against a scripted kernel (mock_mnl.c): batching with one
 * barrier ack, errors matched to ops by sequence number with the kernel's
 * extack text, deletes of missing objects, lost answers, and rollback by
 * inverse ops that are really sent. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/fib_rules.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "exec.h"
#include "kernel.h"
#include "mock_mnl.h"

/* ---- the scripted kernel ---- */

struct fail {
	unsigned batch, msg; /* the msg-th request of the batch-th batch (from 0) */
	int err;
	const char *extack;
	bool capped;
};

static struct {
	struct fail f[16];
	size_t n_f;
	unsigned batch; /* batches answered so far */
	int lost_batch; /* -1: none; else ENOBUFS in place of answer lost_after */
	unsigned lost_after;
	bool stale; /* queue stale and foreign answers first */
	struct {
		int ifindex;
		char name[IFNAMSIZ];
	} links[16];
	size_t n_links;
	int next_ifindex;
	int netns_del_ret;
	char syslog[512];
} kk;

static void add_link(const char *name)
{
	kk.links[kk.n_links].ifindex = kk.next_ifindex++;
	snprintf(kk.links[kk.n_links].name, IFNAMSIZ, "%s", name);
	kk.n_links++;
}

static const struct fail *find_fail(unsigned b, unsigned m)
{
	for (size_t i = 0; i < kk.n_f; i++)
		if (kk.f[i].batch == b && kk.f[i].msg == m)
			return &kk.f[i];
	return NULL;
}

static void kernel_answer(const void *buf, size_t len, void *ctx)
{
	const struct nlmsghdr *first = buf;
	struct mock_chunk c;
	unsigned b, m = 0, answers = 0;

	(void)ctx;
	if (mock_is_dump(first)) {
		c.len = 0;
		if (first->nlmsg_type == RTM_GETLINK)
			for (size_t i = 0; i < kk.n_links; i++)
				mock_link(&c, first->nlmsg_seq, kk.links[i].ifindex,
				          kk.links[i].name, NULL, 0, 0, -1);
		mock_done(&c, first->nlmsg_seq, 0);
		mock_push(&c);
		return;
	}
	b = kk.batch++;
	if (kk.stale) {
		struct nlmsghdr old = *first;
		c.len = 0;
		old.nlmsg_seq -= 100; /* an answer to an earlier batch */
		mock_err(&c, &old, EEXIST, NULL, true);
		mock_push(&c);
	}
	mock_for_each(nlh, buf, len)
	{
		const struct fail *f = find_fail(b, m++);

		if (nlh->nlmsg_type == RTM_NEWLINK) {
			const struct nlattr *a =
			    mock_attr(nlh, sizeof(struct ifinfomsg), IFLA_IFNAME);
			if (a)
				add_link(mnl_attr_get_str(a));
		}
		if (!f && !(nlh->nlmsg_flags & NLM_F_ACK))
			continue;
		if (kk.lost_batch == (int)b && answers == kk.lost_after) {
			mock_push_errno(ENOBUFS);
			return;
		}
		if (kk.stale && !f) {
			/* same sequence number, another socket's port */
			c.len = 0;
			mock_err(&c, nlh, EINVAL, "not yours", true);
			((struct nlmsghdr *)c.buf)->nlmsg_pid = 999;
			mock_push(&c);
		}
		c.len = 0;
		mock_err(&c, nlh, f ? f->err : 0, f ? f->extack : NULL, f ? f->capped : true);
		mock_push(&c);
		answers++;
	}
}

static void fail_at(unsigned batch, unsigned msg, int err, const char *extack, bool capped)
{
	kk.f[kk.n_f++] = (struct fail){batch, msg, err, extack, capped};
}

static int f_netns_add(const char *name)
{
	size_t n = strlen(kk.syslog);
	snprintf(kk.syslog + n, sizeof(kk.syslog) - n, "add %s;", name);
	return 0;
}

static int f_netns_del(const char *name)
{
	size_t n = strlen(kk.syslog);
	snprintf(kk.syslog + n, sizeof(kk.syslog) - n, "del %s;", name);
	return kk.netns_del_ret;
}

static int f_sysctl(int nsfd, const char *key, const char *value)
{
	size_t n = strlen(kk.syslog);
	snprintf(kk.syslog + n, sizeof(kk.syslog) - n, "sysctl %d %s=%s;", nsfd, key, value);
	return 0;
}

static const struct vr_sys_ops fake_sys = {
    .netns_add = f_netns_add, .netns_del = f_netns_del, .sysctl_write = f_sysctl};

/* ---- fixture ---- */

static struct vr_kernel K;
static struct vr_plan P;
static struct vr_errs E;
static struct vr_exec_stats S;
static const char *HOST, *RED;

static int setup(void **state)
{
	(void)state;
	memset(&kk, 0, sizeof(kk));
	kk.lost_batch = -1;
	kk.next_ifindex = 1;
	add_link("lo");
	add_link("eth0");
	mock_reset(kernel_answer, NULL);
	vr_kernel_init(&K);
	vr_plan_init(&P);
	vr_errs_init(&E);
	memset(&S, 0, sizeof(S));
	HOST = vr_intern("");
	RED = vr_intern("red");
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	vr_kernel_free(&K);
	vr_plan_free(&P);
	vr_errs_free(&E);
	mock_reset(NULL, NULL);
	return 0;
}

/* ---- plans ---- */

static void add_route(enum vr_op_code code, const char *dst, const char *gw, const char *dev)
{
	struct vr_op op;
	struct vr_nh nh;
	struct vr_route *r = &op.o.route;

	memset(&op, 0, sizeof(op));
	op.code = code;
	op.wave = code == VR_OP_ROUTE_DEL ? VR_WAVE_DEL_ROUTE : VR_WAVE_ROUTE;
	r->ns = HOST;
	r->owner = RED;
	r->table = 100;
	r->protocol = VR_RTPROT;
	r->type = RTN_UNICAST;
	assert_int_equal(vr_ip_parse_prefix(dst, &r->dst), 0);
	if (gw || dev) {
		memset(&nh, 0, sizeof(nh));
		if (gw)
			assert_int_equal(vr_ip_parse(gw, &nh.gw), 0);
		if (dev)
			snprintf(nh.dev, IFNAMSIZ, "%s", dev);
		nh.weight = 1;
		r->n_nh = 1;
		r->nh = &nh;
	}
	vr_plan_add(&P, &op);
}

static void add_addr(enum vr_op_code code, const char *ip, const char *dev)
{
	struct vr_op op;

	memset(&op, 0, sizeof(op));
	op.code = code;
	op.wave = code == VR_OP_ADDR_DEL ? VR_WAVE_DEL_ADDR : VR_WAVE_ADDR;
	op.o.addr.ns = HOST;
	op.o.addr.owner = RED;
	op.o.addr.proto = VR_RTPROT;
	snprintf(op.o.addr.dev, IFNAMSIZ, "%s", dev);
	assert_int_equal(vr_ip_parse_prefix(ip, &op.o.addr.ip), 0);
	vr_plan_add(&P, &op);
}

static void add_proxy(enum vr_op_code code, const char *ip, const char *dev)
{
	struct vr_op op;

	memset(&op, 0, sizeof(op));
	op.code = code;
	op.wave = code == VR_OP_PROXY_DEL ? VR_WAVE_DEL_ADDR : VR_WAVE_ADDR;
	op.o.proxy.ns = HOST;
	op.o.proxy.owner = RED;
	op.o.proxy.proto = VR_RTPROT;
	snprintf(op.o.proxy.dev, IFNAMSIZ, "%s", dev);
	assert_int_equal(vr_ip_parse(ip, &op.o.proxy.ip), 0);
	vr_plan_add(&P, &op);
}

static void add_rule_del(uint32_t prio, uint32_t table)
{
	struct vr_op op;

	memset(&op, 0, sizeof(op));
	op.code = VR_OP_RULE_DEL;
	op.wave = VR_WAVE_DEL_RULE;
	op.o.rule = (struct vr_rule){
	    .ns = HOST, .owner = RED, .family = AF_INET, .priority = prio, .table = table};
	vr_plan_add(&P, &op);
}

static struct vr_op *add_link_op(enum vr_op_code code, enum vr_wave wave, const char *name,
                                 enum vr_link_kind kind)
{
	struct vr_op op;

	memset(&op, 0, sizeof(op));
	op.code = code;
	op.wave = wave;
	op.o.link.ns = HOST;
	op.o.link.owner = RED;
	op.o.link.created = true;
	op.o.link.up = -1;
	op.o.link.kind = kind;
	snprintf(op.o.link.name, IFNAMSIZ, "%s", name);
	return vr_plan_add(&P, &op);
}

static void add_sys(enum vr_op_code code, enum vr_wave wave, const char *name)
{
	struct vr_op op;

	memset(&op, 0, sizeof(op));
	op.code = code;
	op.wave = wave;
	op.o.netns.name = vr_intern(name);
	op.o.netns.owner = RED;
	vr_plan_add(&P, &op);
}

/* ---- what was sent ---- */

/* The k-th batch sent (dump requests skipped). */
static const struct mock_sent *batch(size_t k)
{
	for (size_t i = 0; i < mock.n_sent; i++) {
		const struct nlmsghdr *nlh = mock.sent[i].buf;
		if (mock_is_dump(nlh))
			continue;
		if (!k--)
			return &mock.sent[i];
	}
	return NULL;
}

static size_t n_batches(void)
{
	size_t n = 0;
	while (batch(n))
		n++;
	return n;
}

static size_t n_dumps(void)
{
	return mock.n_sent - n_batches();
}

static void ip_of(const struct nlattr *a, uint8_t family, uint8_t plen, char *out)
{
	struct vr_ip ip = {.family = family, .plen = plen};

	memcpy(ip.a, mnl_attr_get_payload(a), family == AF_INET ? 4 : 16);
	vr_ip_str(&ip, true, out, VR_ADDR_STRLEN);
}

/* "NEWROUTE 198.19.1.0/24,DELADDR 198.18.0.1/24,..." for batch k; checks
 * on the way that only the last request asks for an ack and that sequence
 * numbers increase. */
static const char *batch_str(size_t k)
{
	static char out[4096];
	const struct mock_sent *s = batch(k);
	const struct nlmsghdr *last = NULL;
	uint32_t seq = 0;
	size_t n = 0;

	out[0] = 0;
	assert_non_null(s);
	mock_for_each(nlh, s->buf, s->len)
	{
		char ip[VR_ADDR_STRLEN] = "?";
		const char *t = "?";
		const struct nlattr *a;
		size_t o = strlen(out);

		if (last) {
			assert_false(last->nlmsg_flags & NLM_F_ACK);
			assert_true(nlh->nlmsg_seq > seq);
		}
		seq = nlh->nlmsg_seq;
		last = nlh;
		switch (nlh->nlmsg_type) {
		case RTM_NEWROUTE:
		case RTM_DELROUTE: {
			const struct rtmsg *rtm = mnl_nlmsg_get_payload(nlh);
			t = nlh->nlmsg_type == RTM_NEWROUTE ? "NEWROUTE" : "DELROUTE";
			if ((a = mock_attr(nlh, sizeof(*rtm), RTA_DST)))
				ip_of(a, rtm->rtm_family, rtm->rtm_dst_len, ip);
			break;
		}
		case RTM_NEWADDR:
		case RTM_DELADDR: {
			const struct ifaddrmsg *ifa = mnl_nlmsg_get_payload(nlh);
			t = nlh->nlmsg_type == RTM_NEWADDR ? "NEWADDR" : "DELADDR";
			if ((a = mock_attr(nlh, sizeof(*ifa), IFA_LOCAL)) ||
			    (a = mock_attr(nlh, sizeof(*ifa), IFA_ADDRESS)))
				ip_of(a, ifa->ifa_family, ifa->ifa_prefixlen, ip);
			break;
		}
		case RTM_NEWLINK:
		case RTM_DELLINK:
		case RTM_SETLINK:
			t = nlh->nlmsg_type == RTM_DELLINK ? "DELLINK" : "NEWLINK";
			if ((a = mock_attr(nlh, sizeof(struct ifinfomsg), IFLA_IFNAME)))
				snprintf(ip, sizeof(ip), "%s", mnl_attr_get_str(a));
			else
				snprintf(ip, sizeof(ip), "#%d",
				         ((const struct ifinfomsg *)mnl_nlmsg_get_payload(nlh))
				             ->ifi_index);
			break;
		case RTM_NEWNEIGH:
		case RTM_DELNEIGH: {
			const struct ndmsg *ndm = mnl_nlmsg_get_payload(nlh);
			t = nlh->nlmsg_type == RTM_NEWNEIGH ? "NEWNEIGH" : "DELNEIGH";
			assert_int_equal(ndm->ndm_flags, NTF_PROXY);
			if ((a = mock_attr(nlh, sizeof(*ndm), NDA_DST)))
				ip_of(a, ndm->ndm_family, ndm->ndm_family == AF_INET ? 32 : 128,
				      ip);
			break;
		}
		case RTM_DELRULE:
			t = "DELRULE";
			if ((a = mock_attr(nlh, sizeof(struct fib_rule_hdr), FRA_PRIORITY)))
				snprintf(ip, sizeof(ip), "%u", mnl_attr_get_u32(a));
			break;
		}
		snprintf(out + o, sizeof(out) - o, "%s%s %s", n++ ? "," : "", t, ip);
	}
	assert_non_null(last);
	assert_true(last->nlmsg_flags & NLM_F_ACK); /* the barrier */
	return out;
}

static size_t batch_msgs(size_t k)
{
	const struct mock_sent *s = batch(k);
	size_t n = 0;

	mock_for_each(nlh, s->buf, s->len) n++;
	return n;
}

static void assert_err(size_t i, int code, const char *text)
{
	char *s;

	assert_true(i < E.n);
	assert_int_equal(E.v[i].code, code);
	s = vr_err_str(&E.v[i]);
	assert_string_equal(s, text);
	free(s);
}

/* ---- tests ---- */

static void test_batch_success(void **state)
{
	(void)state;
	for (int i = 1; i <= 5; i++) {
		char dst[32];
		snprintf(dst, sizeof(dst), "198.19.%d.0/24", i);
		add_route(VR_OP_ROUTE_ADD, dst, "198.18.0.2", "eth0");
	}
	assert_int_equal(vr_exec(&K, &fake_sys, &P, &E, &S), 0);
	assert_int_equal(E.n, 0);
	assert_int_equal(n_dumps(), 1); /* eth0 resolved by one link dump */
	assert_int_equal(n_batches(), 1);
	assert_string_equal(batch_str(0), "NEWROUTE 198.19.1.0/24,NEWROUTE 198.19.2.0/24,"
	                                  "NEWROUTE 198.19.3.0/24,NEWROUTE 198.19.4.0/24,"
	                                  "NEWROUTE 198.19.5.0/24");
	assert_int_equal(S.ops, 5);
	assert_int_equal(S.messages, 5);
	assert_int_equal(S.batches, 1);
	assert_int_equal(S.sendmsg, 1);
	assert_int_equal(S.failed, 0);
	assert_int_equal(S.rolled_back, 0);
}

/* The "built" hook runs once, after the last adding wave and before the
 * deletes; not at all when an adding wave fails. */
static size_t built_calls, built_batches;

static void f_built(void *arg)
{
	(void)arg;
	built_calls++;
	built_batches = n_batches();
}

static void test_built_hook(void **state)
{
	struct vr_sys_ops sys = fake_sys;

	(void)state;
	sys.built = f_built;
	built_calls = built_batches = 0;
	add_addr(VR_OP_ADDR_ADD, "198.18.0.1/24", "eth0");
	add_route(VR_OP_ROUTE_ADD, "198.19.1.0/24", "198.18.0.2", "eth0");
	add_route(VR_OP_ROUTE_DEL, "198.19.9.0/24", "198.18.0.2", "eth0");
	assert_int_equal(vr_exec(&K, &sys, &P, &E, &S), 0);
	assert_int_equal(built_calls, 1);
	assert_int_equal(built_batches, 2); /* the address and the route, not the delete */
	assert_int_equal(n_batches(), 3);
	assert_true(S.t_built_us >= S.t_begin_us && S.t_begin_us > 0);
}

static void test_built_hook_not_on_failure(void **state)
{
	struct vr_sys_ops sys = fake_sys;

	(void)state;
	sys.built = f_built;
	built_calls = 0;
	add_route(VR_OP_ROUTE_ADD, "198.19.1.0/24", "198.18.0.2", "eth0");
	fail_at(0, 0, EINVAL, "Nexthop has invalid gateway", true);
	assert_int_equal(vr_exec(&K, &sys, &P, &E, &S), -EINVAL);
	assert_int_equal(built_calls, 0);
}

static void test_eexist_add(void **state)
{
	(void)state;
	add_route(VR_OP_ROUTE_ADD, "198.19.0.0/16", "198.18.0.2", "eth0");
	fail_at(0, 0, EEXIST, NULL, true);
	assert_int_equal(vr_exec(&K, &fake_sys, &P, &E, &S), -EEXIST);
	assert_int_equal(E.n, 1);
	assert_err(0, -EEXIST, "route 198.19.0.0/16 table 100 (router red): File exists (EEXIST)");
	assert_int_equal(n_batches(), 1); /* nothing succeeded: nothing to undo */
	assert_int_equal(S.failed, 1);
}

static void test_enodev_encoder(void **state)
{
	(void)state;
	add_addr(VR_OP_ADDR_ADD, "198.18.0.1/24", "eth0");
	add_addr(VR_OP_ADDR_ADD, "198.18.1.1/24", "nosuch0");
	assert_int_equal(vr_exec(&K, &fake_sys, &P, &E, &S), -ENODEV);
	assert_int_equal(E.n, 1);
	assert_err(0, -ENODEV,
	           "address 198.18.1.1/24 dev nosuch0 (router red): device not found (ENODEV)");
	/* the one that was sent succeeded, and is undone */
	assert_int_equal(n_batches(), 2);
	assert_string_equal(batch_str(0), "NEWADDR 198.18.0.1/24");
	assert_string_equal(batch_str(1), "DELADDR 198.18.0.1/24");
}

static void test_enodev_kernel_add(void **state)
{
	(void)state;
	/* ENODEV answering an add is a failure, not "already gone" */
	add_route(VR_OP_ROUTE_ADD, "198.19.0.0/16", "198.18.0.2", "eth0");
	fail_at(0, 0, ENODEV, NULL, true);
	assert_int_equal(vr_exec(&K, &fake_sys, &P, &E, &S), -ENODEV);
	assert_err(0, -ENODEV,
	           "route 198.19.0.0/16 table 100 (router red): No such device (ENODEV)");
	assert_int_equal(S.noop, 0);
}

static void test_einval_extack(void **state)
{
	(void)state;
	add_route(VR_OP_ROUTE_ADD, "198.19.0.0/16", "198.18.0.2", "eth0");
	add_route(VR_OP_ROUTE_ADD, "198.19.1.0/24", "198.18.0.3", "eth0");
	add_route(VR_OP_ROUTE_ADD, "198.19.2.0/24", "198.18.0.4", "eth0");
	/* echoed request (no NETLINK_CAP_ACK), then a capped one */
	fail_at(0, 0, EINVAL, "Nexthop has invalid gateway", false);
	fail_at(0, 2, EINVAL, "Invalid prefix for given prefix length", true);
	assert_int_equal(vr_exec(&K, &fake_sys, &P, &E, &S), -EINVAL);
	assert_int_equal(E.n, 2);
	assert_err(
	    0, -EINVAL,
	    "route 198.19.0.0/16 table 100 (router red): Nexthop has invalid gateway (EINVAL)");
	assert_err(1, -EINVAL,
	           "route 198.19.2.0/24 table 100 (router red): "
	           "Invalid prefix for given prefix length (EINVAL)");
	assert_int_equal(n_batches(), 2);
	assert_string_equal(batch_str(1), "DELROUTE 198.19.1.0/24");
}

static void test_partial_batch_rollback(void **state)
{
	(void)state;
	add_addr(VR_OP_ADDR_ADD, "198.18.0.1/24", "eth0");
	for (int i = 1; i <= 5; i++) {
		char dst[32];
		snprintf(dst, sizeof(dst), "198.19.%d.0/24", i);
		add_route(VR_OP_ROUTE_ADD, dst, "198.18.0.2", "eth0");
	}
	fail_at(1, 2, EINVAL, "Nexthop has invalid gateway", true);
	assert_int_equal(vr_exec(&K, &fake_sys, &P, &E, &S), -EINVAL);
	assert_int_equal(E.n, 1);
	assert_err(
	    0, -EINVAL,
	    "route 198.19.3.0/24 table 100 (router red): Nexthop has invalid gateway (EINVAL)");
	assert_int_equal(n_batches(), 4);
	assert_string_equal(batch_str(0), "NEWADDR 198.18.0.1/24");
	assert_int_equal(batch_msgs(1), 5);
	/* the 2 + 2 routes around the failed one, last first, then the
	 * earlier wave */
	assert_string_equal(batch_str(2), "DELROUTE 198.19.5.0/24,DELROUTE 198.19.4.0/24,"
	                                  "DELROUTE 198.19.2.0/24,DELROUTE 198.19.1.0/24");
	assert_string_equal(batch_str(3), "DELADDR 198.18.0.1/24");
	assert_int_equal(S.ops, 6);
	assert_int_equal(S.failed, 1);
	assert_int_equal(S.rolled_back, 5);
	assert_int_equal(S.rollback_failed, 0);
	assert_int_equal(S.batches, 4);
	assert_int_equal(S.messages, 11);
}

static void test_rollback_failure_is_warning(void **state)
{
	(void)state;
	add_route(VR_OP_ROUTE_ADD, "198.19.1.0/24", "198.18.0.2", "eth0");
	add_route(VR_OP_ROUTE_ADD, "198.19.2.0/24", "198.18.0.2", "eth0");
	add_route(VR_OP_ROUTE_ADD, "198.19.3.0/24", "198.18.0.2", "eth0");
	fail_at(0, 2, EEXIST, NULL, true);
	/* the undo of 198.19.2.0/24 fails; the other still goes */
	fail_at(1, 0, EPERM, "Operation not permitted here", true);
	assert_int_equal(vr_exec(&K, &fake_sys, &P, &E, &S), -EEXIST);
	assert_int_equal(E.n, 2);
	assert_err(0, -EEXIST, "route 198.19.3.0/24 table 100 (router red): File exists (EEXIST)");
	assert_err(1, -EPERM,
	           "route 198.19.2.0/24 table 100 (router red): "
	           "rollback failed: Operation not permitted here (EPERM)");
	assert_string_equal(batch_str(1), "DELROUTE 198.19.2.0/24,DELROUTE 198.19.1.0/24");
	assert_int_equal(S.rolled_back, 2);
	assert_int_equal(S.rollback_failed, 1);
}

static void test_delete_missing(void **state)
{
	(void)state;
	add_route(VR_OP_ROUTE_DEL, "198.19.0.0/16", NULL, NULL);
	add_addr(VR_OP_ADDR_DEL, "198.18.0.1/24", "eth0");
	add_addr(VR_OP_ADDR_DEL, "198.18.1.1/24", "gone0"); /* device gone: not even sent */
	add_rule_del(100, 100);
	add_link_op(VR_OP_LINK_DEL, VR_WAVE_DEL_LINK, "eth0", VR_LINK_OTHER);
	add_sys(VR_OP_NETNS_DEL, VR_WAVE_DEL_NETNS, "vrdx-gone");
	fail_at(0, 0, ESRCH, NULL, true);
	fail_at(1, 0, EADDRNOTAVAIL, NULL, true);
	fail_at(2, 0, ENOENT, "no such rule", true);
	fail_at(3, 0, ENODEV, NULL, true);
	kk.netns_del_ret = -ENOENT;
	assert_int_equal(vr_exec(&K, &fake_sys, &P, &E, &S), 0);
	assert_int_equal(E.n, 0);
	assert_int_equal(n_batches(), 4);
	assert_string_equal(batch_str(0), "DELROUTE 198.19.0.0/16");
	assert_string_equal(batch_str(1), "DELADDR 198.18.0.1/24");
	assert_string_equal(batch_str(2), "DELRULE 100");
	assert_string_equal(batch_str(3), "DELLINK #2");
	assert_string_equal(kk.syslog, "del vrdx-gone;");
	assert_int_equal(S.noop, 6);
	assert_int_equal(S.failed, 0);
	assert_int_equal(S.rolled_back, 0);
}

/* Proxy entries: one answered "not there" (ENOENT) is already deleted;
 * an added one is undone by a delete when a later wave fails. */
static void test_proxy_delete_missing_and_rollback(void **state)
{
	(void)state;
	add_proxy(VR_OP_PROXY_ADD, "2001:db8::9", "eth0");
	add_addr(VR_OP_ADDR_ADD, "198.18.0.1/24", "eth0");
	add_proxy(VR_OP_PROXY_DEL, "198.18.0.9", "eth0");
	add_proxy(VR_OP_PROXY_DEL, "198.18.0.10", "gone0"); /* device gone: not even sent */
	add_rule_del(100, 100);
	fail_at(1, 0, ENOENT, NULL, true);
	fail_at(2, 0, EPERM, "no", true);
	assert_int_equal(vr_exec(&K, &fake_sys, &P, &E, &S), -EPERM);
	assert_int_equal(E.n, 1);
	assert_err(0, -EPERM, "rule ipv4 pref 100 lookup 100 (router red): no (EPERM)");
	assert_int_equal(n_batches(), 4);
	assert_string_equal(batch_str(0), "NEWNEIGH 2001:db8::9/128,NEWADDR 198.18.0.1/24");
	assert_string_equal(batch_str(1), "DELNEIGH 198.18.0.9/32");
	assert_string_equal(batch_str(2), "DELRULE 100");
	/* the entries that were not there are not put back */
	assert_string_equal(batch_str(3), "DELADDR 198.18.0.1/24,DELNEIGH 2001:db8::9/128");
	assert_int_equal(S.noop, 2);
	assert_int_equal(S.rolled_back, 2);
	assert_int_equal(S.rollback_failed, 0);
}

static void test_barrier_fails(void **state)
{
	(void)state;
	add_route(VR_OP_ROUTE_ADD, "198.19.1.0/24", "198.18.0.2", "eth0");
	add_route(VR_OP_ROUTE_ADD, "198.19.2.0/24", "198.18.0.2", "eth0");
	/* the barrier itself fails: its error is the last answer */
	fail_at(0, 1, EEXIST, NULL, true);
	assert_int_equal(vr_exec(&K, &fake_sys, &P, &E, &S), -EEXIST);
	/* had the executor read on, the empty queue would have said EAGAIN */
	assert_int_equal(E.n, 1);
	assert_err(0, -EEXIST, "route 198.19.2.0/24 table 100 (router red): File exists (EEXIST)");
	assert_string_equal(batch_str(1), "DELROUTE 198.19.1.0/24");
}

static void test_stale_answers_ignored(void **state)
{
	(void)state;
	kk.stale = true;
	add_route(VR_OP_ROUTE_ADD, "198.19.1.0/24", "198.18.0.2", "eth0");
	add_route(VR_OP_ROUTE_ADD, "198.19.2.0/24", "198.18.0.2", "eth0");
	assert_int_equal(vr_exec(&K, &fake_sys, &P, &E, &S), 0);
	assert_int_equal(E.n, 0);
	assert_int_equal(n_batches(), 1);
}

static void test_enobufs_partial(void **state)
{
	(void)state;
	for (int i = 1; i <= 5; i++) {
		char dst[32];
		snprintf(dst, sizeof(dst), "198.19.%d.0/24", i);
		add_route(VR_OP_ROUTE_ADD, dst, "198.18.0.2", "eth0");
	}
	/* route 2 fails, then the queue overflows: the answers to 3..5 are lost */
	fail_at(0, 1, EEXIST, NULL, true);
	fail_at(0, 3, EINVAL, "lost", true);
	kk.lost_batch = 0;
	kk.lost_after = 1;
	assert_int_equal(vr_exec(&K, &fake_sys, &P, &E, &S), -EEXIST);
	assert_int_equal(E.n, 2);
	assert_err(0, -EEXIST, "route 198.19.2.0/24 table 100 (router red): File exists (EEXIST)");
	assert_err(1, -ENOBUFS,
	           "route 198.19.3.0/24 table 100 (router red): answers lost "
	           "(No buffer space available): 3 of 5 requests in unknown state "
	           "(ENOBUFS)");
	/* a fresh socket: late answers must not meet the next batch */
	assert_int_equal(mock.opens, 2);
	assert_int_equal(mock.closes, 1);
	/* only route 1 is known done; 3..5 are left to the next resync */
	assert_int_equal(n_batches(), 2);
	assert_string_equal(batch_str(1), "DELROUTE 198.19.1.0/24");
	assert_int_equal(S.failed, 4);
}

static void test_enobufs_all_lost(void **state)
{
	(void)state;
	add_route(VR_OP_ROUTE_ADD, "198.19.1.0/24", "198.18.0.2", "eth0");
	add_route(VR_OP_ROUTE_ADD, "198.19.2.0/24", "198.18.0.2", "eth0");
	kk.lost_batch = 0;
	kk.lost_after = 0;
	assert_int_equal(vr_exec(&K, &fake_sys, &P, &E, &S), -ENOBUFS);
	assert_int_equal(E.n, 1);
	assert_int_equal(n_batches(), 1); /* nothing known done: no undo */
}

static void test_sys_ops_and_rollback(void **state)
{
	struct vr_op op;

	(void)state;
	add_sys(VR_OP_NETNS_ADD, VR_WAVE_NETNS, "red");
	memset(&op, 0, sizeof(op));
	op.code = VR_OP_SYSCTL_SET;
	op.wave = VR_WAVE_SYSCTL;
	op.o.sysctl = (struct vr_sysctl){
	    .ns = HOST, .owner = RED, .key = "net/ipv4/ip_forward", .value = "1"};
	op.old.sysctl = op.o.sysctl;
	snprintf(op.old.sysctl.value, sizeof(op.old.sysctl.value), "0");
	op.has_old = true;
	vr_plan_add(&P, &op);
	add_route(VR_OP_ROUTE_ADD, "198.19.0.0/16", "198.18.0.2", "eth0");
	fail_at(0, 0, EINVAL, "Nexthop has invalid gateway", true);
	assert_int_equal(vr_exec(&K, &fake_sys, &P, &E, &S), -EINVAL);
	assert_string_equal(kk.syslog, "add red;sysctl -1 net/ipv4/ip_forward=1;"
	                               "sysctl -1 net/ipv4/ip_forward=0;del red;");
	assert_int_equal(S.rolled_back, 2);
	assert_int_equal(n_batches(), 1);
}

static void test_big_plan_flushes(void **state)
{
	const int n = 6000;

	(void)state;
	for (int i = 0; i < n; i++) {
		char dst[32];
		snprintf(dst, sizeof(dst), "198.19.%d.%d/32", i / 256, i % 256);
		add_route(VR_OP_ROUTE_ADD, dst, "198.18.0.2", "eth0");
	}
	assert_int_equal(vr_exec(&K, &fake_sys, &P, &E, &S), 0);
	assert_int_equal(E.n, 0);
	assert_int_equal(n_batches(), 2);
	assert_int_equal(batch_msgs(0) + batch_msgs(1), n);
	batch_str(0); /* barrier on the last of each, increasing seqs */
	batch_str(1);
	assert_true(batch(0)->len <= 256 * 1024);
	assert_int_equal(S.messages, n);
	assert_int_equal(S.batches, 2);
	assert_int_equal(S.sendmsg, 2);
}

static void test_enodev_retry_same_wave(void **state)
{
	struct vr_op *mv;

	(void)state;
	/* a macvlan on a link created in the same wave: the parent's index
	 * is known only once the first batch went out */
	add_link_op(VR_OP_LINK_ADD, VR_WAVE_LINK, "br0", VR_LINK_BRIDGE);
	mv = add_link_op(VR_OP_LINK_ADD, VR_WAVE_LINK, "mv0", VR_LINK_MACVLAN);
	snprintf(mv->o.link.u.macvlan.parent, IFNAMSIZ, "br0");
	assert_int_equal(vr_exec(&K, &fake_sys, &P, &E, &S), 0);
	assert_int_equal(E.n, 0);
	assert_int_equal(n_batches(), 2);
	assert_string_equal(batch_str(0), "NEWLINK br0");
	assert_string_equal(batch_str(1), "NEWLINK mv0");
	assert_int_equal(n_dumps(), 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_batch_success, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_built_hook, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_built_hook_not_on_failure, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_eexist_add, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_enodev_encoder, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_enodev_kernel_add, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_einval_extack, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_partial_batch_rollback, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_rollback_failure_is_warning, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_delete_missing, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_proxy_delete_missing_and_rollback, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_barrier_fails, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_stale_answers_ignored, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_enobufs_partial, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_enobufs_all_lost, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_sys_ops_and_rollback, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_big_plan_flushes, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_enodev_retry_same_wave, setup, teardown),
	};
	int ret = cmocka_run_group_tests(tests, NULL, NULL);

	vr_intern_free_all();
	return ret;
}
