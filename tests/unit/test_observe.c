/* The observer against recorded dump answers (mock_mnl.c): one dump per
 * object type and family, one per route table, indexes turned into names,
 * link-local addresses skipped, interrupted dumps redone, failures leaving
 * the state untouched. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/fib_rules.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "kernel.h"
#include "mock_mnl.h"
#include "observe.h"

static struct vr_kernel K;
static struct vr_state ST;
static struct vr_errs E;
static const char *HOST;

/* What the scripted kernel does differently. */
static struct {
	int link_dumps;       /* answered so far */
	bool intr_first_link; /* flag the first link dump NLM_F_DUMP_INTR */
	int fail_family;      /* route dumps of this family end with fail_err */
	int fail_err;
	bool enobufs_rules;
	int fail_proxies; /* the proxy dump ends with this error */
} sc;

/* ---- recorded answers ---- */

static void put_ip(struct nlmsghdr *nlh, uint16_t type, int family, const char *s)
{
	uint8_t a[16];

	assert_int_equal(inet_pton(family, s, a), 1);
	mnl_attr_put(nlh, type, family == AF_INET ? 4 : 16, a);
}

static void addr_msg(struct mock_chunk *c, uint32_t seq, int family, const char *ip, int plen,
                     int ifindex, uint8_t proto)
{
	struct ifaddrmsg *ifa = mock_msg(c, RTM_NEWADDR, NLM_F_MULTI, seq, sizeof(*ifa));
	struct nlmsghdr *nlh = mock_last(c);

	ifa->ifa_family = (uint8_t)family;
	ifa->ifa_prefixlen = (uint8_t)plen;
	ifa->ifa_index = (uint32_t)ifindex;
	put_ip(nlh, IFA_ADDRESS, family, ip);
	if (family == AF_INET)
		put_ip(nlh, IFA_LOCAL, family, ip);
	if (proto)
		mnl_attr_put_u8(nlh, 11 /* IFA_PROTO */, proto);
	mock_end(c);
}

static struct nlmsghdr *route_msg(struct mock_chunk *c, uint32_t seq, int family, const char *dst,
                                  int plen, uint32_t table, uint8_t type)
{
	struct rtmsg *rtm = mock_msg(c, RTM_NEWROUTE, NLM_F_MULTI, seq, sizeof(*rtm));
	struct nlmsghdr *nlh = mock_last(c);

	rtm->rtm_family = (uint8_t)family;
	rtm->rtm_dst_len = (uint8_t)plen;
	rtm->rtm_table = table > 255 ? RT_TABLE_COMPAT : (uint8_t)table;
	rtm->rtm_protocol = 77;
	rtm->rtm_type = type;
	rtm->rtm_scope = RT_SCOPE_UNIVERSE;
	put_ip(nlh, RTA_DST, family, dst);
	mnl_attr_put_u32(nlh, RTA_TABLE, table);
	return nlh;
}

static void multipath_nh(struct nlmsghdr *nlh, int family, const char *gw, int ifindex, int weight)
{
	struct rtnexthop *rtnh = (struct rtnexthop *)((char *)nlh + nlh->nlmsg_len);
	size_t start = nlh->nlmsg_len;

	memset(rtnh, 0, sizeof(*rtnh));
	rtnh->rtnh_ifindex = ifindex;
	rtnh->rtnh_hops = (uint8_t)(weight - 1);
	nlh->nlmsg_len += RTNH_ALIGN(sizeof(*rtnh));
	put_ip(nlh, RTA_GATEWAY, family, gw);
	rtnh->rtnh_len = (unsigned short)(nlh->nlmsg_len - start);
}

static void rule_msg(struct mock_chunk *c, uint32_t seq, int family, uint32_t prio, uint32_t table,
                     bool l3mdev)
{
	struct fib_rule_hdr *frh = mock_msg(c, RTM_NEWRULE, NLM_F_MULTI, seq, sizeof(*frh));
	struct nlmsghdr *nlh = mock_last(c);

	frh->family = (uint8_t)family;
	frh->action = FR_ACT_TO_TBL;
	frh->table = (uint8_t)table;
	mnl_attr_put_u32(nlh, FRA_PRIORITY, prio);
	if (l3mdev)
		mnl_attr_put_u8(nlh, FRA_L3MDEV, 1);
	else
		mnl_attr_put_u32(nlh, FRA_TABLE, table);
	mock_end(c);
}

static void neigh_msg(struct mock_chunk *c, uint32_t seq, int family, const char *ip, int ifindex,
                      uint8_t flags, uint8_t proto)
{
	struct ndmsg *ndm = mock_msg(c, RTM_NEWNEIGH, NLM_F_MULTI, seq, sizeof(*ndm));
	struct nlmsghdr *nlh = mock_last(c);

	ndm->ndm_family = (uint8_t)family;
	ndm->ndm_ifindex = ifindex;
	ndm->ndm_flags = flags;
	put_ip(nlh, NDA_DST, family, ip);
	if (proto)
		mnl_attr_put_u8(nlh, NDA_PROTOCOL, proto);
	mock_end(c);
}

/* The table a route dump asks for: RTA_TABLE, else the header byte. */
static uint32_t req_table(const struct nlmsghdr *req)
{
	const struct rtmsg *rtm = mnl_nlmsg_get_payload(req);
	const struct nlattr *a = mock_attr(req, sizeof(*rtm), RTA_TABLE);

	return a ? mnl_attr_get_u32(a) : rtm->rtm_table;
}

static void links(struct mock_chunk *c, uint32_t seq)
{
	mock_link(c, seq, 1, "lo", NULL, 0, 0, -1);
	mock_link(c, seq, 2, "eth0", NULL, 0, 0, -1);
	mock_link(c, seq, 3, "red0", "veth", 0, 4, -1);
	mock_link(c, seq, 4, "red1", "veth", 5, 3, -1);
	mock_link(c, seq, 5, "br0", "bridge", 0, 0, -1);
	/* its peer is index 3 of another namespace, not red0 */
	mock_link(c, seq, 6, "ext0", "veth", 0, 3, 0);
	mock_link(c, seq, 7, "mv0", "macvlan", 0, 2, -1);
}

static void kernel_dump(const void *buf, size_t len, void *ctx)
{
	const struct nlmsghdr *req = buf;
	uint32_t seq = req->nlmsg_seq;
	uint8_t family = *(const uint8_t *)mnl_nlmsg_get_payload(req);
	struct mock_chunk c = {.len = 0};
	int done_err = 0;

	(void)ctx;
	(void)len;
	assert_true(mock_is_dump(req));
	switch (req->nlmsg_type) {
	case RTM_GETLINK:
		links(&c, seq);
		if (sc.link_dumps++ == 0 && sc.intr_first_link) {
			/* the kernel flags the part where its sequence moved;
			 * this one arrives in two chunks */
			((struct nlmsghdr *)c.buf)->nlmsg_flags |= NLM_F_DUMP_INTR;
			mock_push(&c);
			c.len = 0;
		}
		break;
	case RTM_GETADDR:
		if (family == AF_INET) {
			addr_msg(&c, seq, AF_INET, "198.18.0.1", 24, 2, 77);
			/* on a link born after the link dump */
			addr_msg(&c, seq, AF_INET, "198.18.9.1", 24, 99, 0);
		} else {
			assert_int_equal(family, AF_INET6);
			addr_msg(&c, seq, AF_INET6, "2001:db8::1", 64, 2, 0);
			addr_msg(&c, seq, AF_INET6, "fe80::1", 64, 2, 0);
		}
		break;
	case RTM_GETROUTE: {
		uint32_t table = req_table(req);
		struct nlmsghdr *nlh;

		if (sc.fail_family == family) {
			done_err = sc.fail_err;
			break;
		}
		if (family == AF_INET && table == 100) {
			nlh = route_msg(&c, seq, AF_INET, "198.19.0.0", 16, 100, RTN_UNICAST);
			put_ip(nlh, RTA_GATEWAY, AF_INET, "198.18.0.2");
			mnl_attr_put_u32(nlh, RTA_OIF, 2);
			mock_end(&c);
			/* as a kernel that ignored the filter would send */
			route_msg(&c, seq, AF_INET, "198.18.200.0", 24, 200, RTN_UNICAST);
			mock_end(&c);
		} else if (family == AF_INET6 && table == 100) {
			struct nlattr *mp;
			nlh = route_msg(&c, seq, AF_INET6, "2001:db8:1::", 48, 100, RTN_UNICAST);
			mp = mnl_attr_nest_start(nlh, RTA_MULTIPATH);
			multipath_nh(nlh, AF_INET6, "fe80::1", 2, 1);
			multipath_nh(nlh, AF_INET6, "fe80::2", 3, 2);
			mnl_attr_nest_end(nlh, mp);
			mock_end(&c);
		} else if (family == AF_INET && table == 1000) {
			route_msg(&c, seq, AF_INET, "198.18.128.0", 17, 1000, RTN_BLACKHOLE);
			mock_end(&c);
		}
		break;
	}
	case RTM_GETRULE:
		if (sc.enobufs_rules) {
			mock_push_errno(ENOBUFS);
			return;
		}
		if (family == AF_INET) {
			rule_msg(&c, seq, AF_INET, 1000, 0, true);
			rule_msg(&c, seq, AF_INET, 32766, RT_TABLE_MAIN, false);
		}
		break;
	case RTM_GETNEIGH: {
		const struct ndmsg *ndm = mnl_nlmsg_get_payload(req);

		/* the proxy tables, both families in one dump */
		assert_int_equal(ndm->ndm_flags, NTF_PROXY);
		assert_int_equal(family, AF_UNSPEC);
		if (sc.fail_proxies) {
			done_err = sc.fail_proxies;
			break;
		}
		neigh_msg(&c, seq, AF_INET, "198.18.0.9", 2, NTF_PROXY, 77);
		/* on a link born after the link dump */
		neigh_msg(&c, seq, AF_INET, "198.18.9.9", 99, NTF_PROXY, 77);
		/* not bound to a device */
		neigh_msg(&c, seq, AF_INET6, "2001:db8::9", 0, NTF_PROXY, 0);
		/* a cache entry, as a kernel ignoring the flag would send */
		neigh_msg(&c, seq, AF_INET6, "2001:db8::2", 2, 0, 0);
		break;
	}
	default:
		fail_msg("unexpected request type %u", req->nlmsg_type);
	}
	mock_done(&c, seq, done_err);
	mock_push(&c);
}

/* ---- fixture ---- */

static int setup(void **state)
{
	(void)state;
	memset(&sc, 0, sizeof(sc));
	sc.fail_family = -1;
	mock_reset(kernel_dump, NULL);
	vr_kernel_init(&K);
	vr_state_init(&ST);
	vr_errs_init(&E);
	HOST = vr_intern("");
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	vr_kernel_free(&K);
	vr_state_free(&ST);
	vr_errs_free(&E);
	mock_reset(NULL, NULL);
	return 0;
}

static const uint32_t tables[] = {100, 1000};

static const struct vr_link *link_named(const char *name)
{
	for (size_t i = 0; i < ST.links.n; i++)
		if (!strcmp(ST.links.v[i].name, name))
			return &ST.links.v[i];
	fail_msg("no link %s", name);
	return NULL;
}

static const char *ip_str(const struct vr_ip *ip, bool plen)
{
	static char buf[4][VR_ADDR_STRLEN];
	static int n;

	return vr_ip_str(ip, plen, buf[n++ % 4], VR_ADDR_STRLEN);
}

/* ---- tests ---- */

static void test_namespace(void **state)
{
	const struct vr_link *l;
	const struct vr_route *r;
	size_t sent;

	(void)state;
	assert_int_equal(vr_observe_ns(&K, "", tables, 2, &ST, &E), 0);
	assert_int_equal(E.n, 0);

	/* one dump per type and family, one per table and family, one of
	 * proxy entries */
	assert_int_equal(mock.n_sent, 1 + 2 + 2 * 2 + 2 + 1);
	assert_int_equal(((struct nlmsghdr *)mock.sent[0].buf)->nlmsg_type, RTM_GETLINK);
	for (size_t i = 3; i < 7; i++) {
		const struct nlmsghdr *req = mock.sent[i].buf;
		assert_int_equal(req->nlmsg_type, RTM_GETROUTE);
		assert_int_equal(req_table(req), tables[(i - 3) / 2]);
	}

	assert_int_equal(ST.links.n, 7);
	for (size_t i = 0; i < ST.links.n; i++)
		assert_ptr_equal(ST.links.v[i].ns, HOST);
	l = link_named("red0");
	assert_int_equal(l->kind, VR_LINK_VETH);
	assert_string_equal(l->u.veth.peer, "red1");
	assert_ptr_equal(l->u.veth.peer_ns, HOST);
	assert_string_equal(l->u.veth.peer_master, "br0");
	assert_string_equal(l->master, "");
	l = link_named("red1");
	assert_string_equal(l->master, "br0");
	assert_string_equal(l->u.veth.peer, "red0");
	assert_string_equal(l->u.veth.peer_master, "");
	l = link_named("ext0");
	assert_string_equal(l->u.veth.peer, "");
	assert_null(l->u.veth.peer_ns);
	l = link_named("mv0");
	assert_int_equal(l->kind, VR_LINK_MACVLAN);
	assert_string_equal(l->u.macvlan.parent, "eth0");
	assert_int_equal(link_named("br0")->kind, VR_LINK_BRIDGE);

	/* fe80::/10 and the address on an unknown link are left out */
	assert_int_equal(ST.addrs.n, 2);
	assert_string_equal(ST.addrs.v[0].dev, "eth0");
	assert_string_equal(ip_str(&ST.addrs.v[0].ip, true), "198.18.0.1/24");
	assert_int_equal(ST.addrs.v[0].proto, 77);
	assert_ptr_equal(ST.addrs.v[0].ns, HOST);
	assert_string_equal(ST.addrs.v[1].dev, "eth0");
	assert_string_equal(ip_str(&ST.addrs.v[1].ip, true), "2001:db8::1/64");

	/* table 200 was not asked for */
	assert_int_equal(ST.routes.n, 3);
	r = &ST.routes.v[0];
	assert_ptr_equal(r->ns, HOST);
	assert_int_equal(r->table, 100);
	assert_int_equal(r->protocol, 77);
	assert_string_equal(ip_str(&r->dst, true), "198.19.0.0/16");
	assert_int_equal(r->n_nh, 1);
	assert_string_equal(ip_str(&r->nh[0].gw, false), "198.18.0.2");
	assert_string_equal(r->nh[0].dev, "eth0");
	r = &ST.routes.v[1];
	assert_string_equal(ip_str(&r->dst, true), "2001:db8:1::/48");
	assert_int_equal(r->n_nh, 2);
	assert_string_equal(r->nh[0].dev, "eth0");
	assert_string_equal(ip_str(&r->nh[0].gw, false), "fe80::1");
	assert_string_equal(r->nh[1].dev, "red0");
	assert_int_equal(r->nh[1].weight, 2);
	r = &ST.routes.v[2];
	assert_int_equal(r->table, 1000);
	assert_int_equal(r->type, RTN_BLACKHOLE);
	assert_int_equal(r->n_nh, 0);

	assert_int_equal(ST.rules.n, 2);
	assert_true(ST.rules.v[0].l3mdev);
	assert_int_equal(ST.rules.v[0].priority, 1000);
	assert_int_equal(ST.rules.v[1].table, RT_TABLE_MAIN);
	assert_ptr_equal(ST.rules.v[1].ns, HOST);

	/* the unknown link's entry and the cache entry are left out */
	assert_int_equal(ST.proxies.n, 2);
	assert_string_equal(ST.proxies.v[0].dev, "eth0");
	assert_string_equal(ip_str(&ST.proxies.v[0].ip, false), "198.18.0.9");
	assert_int_equal(ST.proxies.v[0].proto, 77);
	assert_ptr_equal(ST.proxies.v[0].ns, HOST);
	assert_string_equal(ST.proxies.v[1].dev, "");
	assert_string_equal(ip_str(&ST.proxies.v[1].ip, false), "2001:db8::9");
	assert_int_equal(ST.proxies.v[1].proto, 0);

	/* the link dump filled the executor's cache: no dump to resolve */
	sent = mock.n_sent;
	assert_int_equal(vr_kernel_ifindex(&K, "", "mv0"), 7);
	assert_int_equal(vr_kernel_ifindex(&K, "", "nosuch"), -ENODEV);
	assert_int_equal(mock.n_sent, sent);
}

static void test_interrupted_dump_redone(void **state)
{
	(void)state;
	sc.intr_first_link = true;
	assert_int_equal(vr_observe_ns(&K, "", tables, 1, &ST, &E), 0);
	assert_int_equal(sc.link_dumps, 2);
	assert_int_equal(ST.links.n, 7); /* the first, inconsistent answer is gone */
	assert_string_equal(link_named("red1")->master, "br0");
}

static void test_failure_leaves_state(void **state)
{
	struct vr_link old = {.ns = HOST, .name = "old0"};

	(void)state;
	vr_state_add_link(&ST, &old);
	sc.fail_family = AF_INET6;
	sc.fail_err = -EINVAL;
	assert_int_equal(vr_observe_ns(&K, "", tables, 2, &ST, &E), -EINVAL);
	assert_int_equal(ST.links.n, 1);
	assert_string_equal(ST.links.v[0].name, "old0");
	assert_int_equal(ST.addrs.n, 0);
	assert_int_equal(ST.routes.n, 0);
	assert_int_equal(E.n, 1);
	assert_string_equal(E.v[0].path, "host namespace");
	assert_string_equal(E.v[0].msg,
	                    "dump of ipv6 routes of table 100 failed: Invalid argument");
}

static void test_missing_table_is_empty(void **state)
{
	(void)state;
	sc.fail_family = AF_INET6;
	sc.fail_err = -ENOENT;
	assert_int_equal(vr_observe_ns(&K, "", tables, 2, &ST, &E), 0);
	assert_int_equal(ST.routes.n, 2); /* the IPv4 ones */
}

/* The last dump fails: everything before it is dropped too. */
static void test_proxy_failure_leaves_state(void **state)
{
	(void)state;
	sc.fail_proxies = -EOPNOTSUPP;
	assert_int_equal(vr_observe_ns(&K, "", tables, 2, &ST, &E), -EOPNOTSUPP);
	assert_int_equal(ST.links.n + ST.addrs.n + ST.routes.n + ST.rules.n + ST.proxies.n, 0);
	assert_int_equal(E.n, 1);
	assert_string_equal(E.v[0].msg,
	                    "dump of neighbour proxy entries failed: Operation not supported");
}

static void test_enobufs(void **state)
{
	(void)state;
	sc.enobufs_rules = true;
	assert_int_equal(vr_observe_ns(&K, "", tables, 2, &ST, &E), -ENOBUFS);
	assert_int_equal(ST.links.n + ST.addrs.n + ST.routes.n + ST.rules.n + ST.proxies.n, 0);
	assert_int_equal(mock.closes, 1); /* the half-read socket is replaced */
	assert_int_equal(E.n, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_namespace, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_interrupted_dump_redone, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_failure_leaves_state, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_missing_table_is_empty, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_proxy_failure_leaves_state, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_enobufs, setup, teardown),
	};
	int ret = cmocka_run_group_tests(tests, NULL, NULL);

	vr_intern_free_all();
	return ret;
}
