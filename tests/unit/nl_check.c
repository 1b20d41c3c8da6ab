/* nl_check.c (tests only) - see nl_check.h. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <errno.h>
#include <linux/fib_rules.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>

#include "nl_check.h"

struct vr_ip nlt_ip(const char *s)
{
	struct vr_ip r;

	if (strchr(s, '/'))
		assert_int_equal(vr_ip_parse_prefix(s, &r), 0);
	else
		assert_int_equal(vr_ip_parse(s, &r), 0);
	return r;
}

void nlt_assert_ip(const struct vr_ip *got, const char *want)
{
	struct vr_ip w = nlt_ip(want);

	assert_int_equal(vr_ip_cmp(got, &w), 0);
}

static const struct {
	const char *ns, *name;
	int idx;
} devs[] = {
    {"", "eth0", 2}, {"", "eth1", 3},       {"", "vrf-red", 10},
    {"", "br0", 11}, {"guest", "br-g", 20}, {"guest", "eth0", 21},
};

static int fake_ifindex(void *ctx, const char *ns, const char *name)
{
	(void)ctx;
	for (size_t i = 0; i < sizeof(devs) / sizeof(devs[0]); i++)
		if (!strcmp(devs[i].ns, ns ? ns : "") && !strcmp(devs[i].name, name))
			return devs[i].idx;
	return -ENODEV;
}

static int fake_nsfd(void *ctx, const char *ns)
{
	(void)ctx;
	if (!ns || !*ns)
		return 7;
	return !strcmp(ns, "guest") ? 42 : -ENOENT;
}

const struct vr_resolve nlt_res = {fake_ifindex, fake_nsfd, NULL};

/* the next hops of the last nlt_route_op (one spare for overflow tests) */
static struct vr_nh nhs[VR_MAX_NH + 1];

struct vr_op nlt_route_op(enum vr_op_code code, const char *dst, uint32_t table)
{
	struct vr_op op;

	memset(&op, 0, sizeof(op));
	memset(nhs, 0, sizeof(nhs));
	op.code = code;
	op.o.route.ns = "";
	op.o.route.dst = nlt_ip(dst);
	op.o.route.table = table;
	op.o.route.protocol = VR_RTPROT;
	op.o.route.type = RTN_UNICAST;
	op.o.route.nh = nhs;
	return op;
}

void nlt_add_nh(struct vr_op *op, const char *gw, const char *dev, uint8_t weight)
{
	struct vr_nh *nh = &nhs[op->o.route.n_nh++];

	if (gw)
		nh->gw = nlt_ip(gw);
	if (dev)
		strcpy(nh->dev, dev);
	nh->weight = weight;
}

struct walk {
	const struct nlattr **tb;
	size_t used;
};

static int walk_cb(const struct nlattr *a, void *data)
{
	struct walk *w = data;
	uint16_t t = mnl_attr_get_type(a);

	assert_true(t < NLT_TB_MAX);
	assert_null(w->tb[t]);
	w->tb[t] = a;
	w->used += MNL_ALIGN(a->nla_len);
	return MNL_CB_OK;
}

/* mnl alone stops quietly at the first broken attribute: count the bytes. */
void nlt_attrs(const void *p, size_t len, nlt_tb tb)
{
	struct walk w = {tb, 0};

	memset(tb, 0, sizeof(nlt_tb));
	assert_int_equal(mnl_attr_parse_payload(p, len, walk_cb, &w), MNL_CB_OK);
	assert_int_equal(w.used, len);
}

void nlt_msg_attrs(const struct nlmsghdr *nlh, size_t hdrlen, nlt_tb tb)
{
	nlt_attrs(mnl_nlmsg_get_payload_offset(nlh, hdrlen),
	          nlh->nlmsg_len - MNL_NLMSG_HDRLEN - MNL_ALIGN(hdrlen), tb);
}

void nlt_nest_attrs(const struct nlattr *n, nlt_tb tb)
{
	assert_non_null(n);
	nlt_attrs(mnl_attr_get_payload(n), mnl_attr_get_payload_len(n), tb);
}

uint32_t nlt_u32(const struct nlattr *a)
{
	assert_non_null(a);
	assert_int_equal(mnl_attr_get_payload_len(a), 4);
	return mnl_attr_get_u32(a);
}

uint8_t nlt_u8(const struct nlattr *a)
{
	assert_non_null(a);
	assert_int_equal(mnl_attr_get_payload_len(a), 1);
	return mnl_attr_get_u8(a);
}

void nlt_str(const struct nlattr *a, const char *s)
{
	assert_non_null(a);
	assert_int_equal(mnl_attr_validate(a, MNL_TYPE_NUL_STRING), 0);
	assert_string_equal(mnl_attr_get_str(a), s);
}

void nlt_bin(const struct nlattr *a, const void *data, size_t len)
{
	assert_non_null(a);
	assert_int_equal(mnl_attr_get_payload_len(a), len);
	assert_memory_equal(mnl_attr_get_payload(a), data, len);
}

/* One message at a time, as the kernel would send it. */
static uint8_t kbuf[16384] __attribute__((aligned(8)));

struct nlmsghdr *nlt_msg(uint16_t type, size_t hdrlen, void **hdr)
{
	struct nlmsghdr *nlh;

	memset(kbuf, 0, sizeof(kbuf));
	nlh = mnl_nlmsg_put_header(kbuf);
	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_MULTI;
	nlh->nlmsg_seq = 1;
	*hdr = mnl_nlmsg_put_extra_header(nlh, hdrlen);
	return nlh;
}

struct nlattr *nlt_nest(struct nlmsghdr *nlh, uint16_t type)
{
	struct nlattr *n = mnl_attr_nest_start(nlh, type);

	n->nla_type = type;
	return n;
}

void nlt_put_ip(struct nlmsghdr *nlh, uint16_t type, const char *s)
{
	struct vr_ip a = nlt_ip(s);

	mnl_attr_put(nlh, type, vr_ip_len(&a), a.a);
}

/* Kernel-shaped messages with the attributes vrd does not read. */

struct nlmsghdr *nlt_link_msg(const char *name, int index, unsigned flags)
{
	struct ifinfomsg *ifm;
	struct nlmsghdr *nlh = nlt_msg(RTM_NEWLINK, sizeof(*ifm), (void **)&ifm);
	uint8_t mac[6] = {2, 0, 0, 0, 0, 1};

	ifm->ifi_family = AF_UNSPEC;
	ifm->ifi_type = 1; /* ARPHRD_ETHER */
	ifm->ifi_index = index;
	ifm->ifi_flags = flags;
	if (name)
		mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	mnl_attr_put_u32(nlh, IFLA_TXQLEN, 1000);
	mnl_attr_put_u8(nlh, IFLA_OPERSTATE, 6);
	mnl_attr_put(nlh, IFLA_ADDRESS, sizeof(mac), mac);
	return nlh;
}

struct nlmsghdr *nlt_addr_msg(uint8_t family, uint8_t plen, int index)
{
	struct ifaddrmsg *ifa;
	struct nlmsghdr *nlh = nlt_msg(RTM_NEWADDR, sizeof(*ifa), (void **)&ifa);

	ifa->ifa_family = family;
	ifa->ifa_prefixlen = plen;
	ifa->ifa_flags = IFA_F_PERMANENT;
	ifa->ifa_index = (uint32_t)index;
	return nlh;
}

struct nlmsghdr *nlt_route_msg(uint8_t family, uint8_t dst_len, uint8_t table, uint8_t proto,
                               uint8_t type)
{
	struct rtmsg *rtm;
	struct nlmsghdr *nlh = nlt_msg(RTM_NEWROUTE, sizeof(*rtm), (void **)&rtm);

	rtm->rtm_family = family;
	rtm->rtm_dst_len = dst_len;
	rtm->rtm_table = table;
	rtm->rtm_protocol = proto;
	rtm->rtm_type = type;
	rtm->rtm_scope = RT_SCOPE_UNIVERSE;
	return nlh;
}

/* One rtnexthop, filled by the caller's attributes until nlt_mp_nh_end. */
struct rtnexthop *nlt_mp_nh(struct nlmsghdr *nlh, uint8_t hops, int ifindex)
{
	struct rtnexthop *rtnh = mnl_nlmsg_get_payload_tail(nlh);

	nlh->nlmsg_len += RTNH_ALIGN(sizeof(*rtnh));
	rtnh->rtnh_hops = hops;
	rtnh->rtnh_ifindex = ifindex;
	return rtnh;
}

void nlt_mp_nh_end(struct nlmsghdr *nlh, struct rtnexthop *rtnh)
{
	rtnh->rtnh_len = (unsigned short)((char *)mnl_nlmsg_get_payload_tail(nlh) - (char *)rtnh);
}

struct nlmsghdr *nlt_rule_msg(uint8_t family, uint8_t table)
{
	struct fib_rule_hdr *frh;
	struct nlmsghdr *nlh = nlt_msg(RTM_NEWRULE, sizeof(*frh), (void **)&frh);

	frh->family = family;
	frh->table = table;
	frh->action = FR_ACT_TO_TBL;
	return nlh;
}

struct nlmsghdr *nlt_proxy_msg(uint8_t family, int ifindex)
{
	struct ndmsg *ndm;
	struct nlmsghdr *nlh = nlt_msg(RTM_NEWNEIGH, sizeof(*ndm), (void **)&ndm);

	ndm->ndm_family = family;
	ndm->ndm_ifindex = ifindex;
	ndm->ndm_flags = NTF_PROXY;
	ndm->ndm_type = RTN_UNICAST;
	ndm->ndm_state = NUD_NONE;
	return nlh;
}
