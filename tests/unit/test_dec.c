/* Netlink decoders: messages shaped like the kernel's (dumps and
 * notifications) decode to the expected objects; malformed ones are
 * rejected whole; encode -> decode round trips give the object back. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/fib_rules.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>
#include <linux/version.h>

#include "nl/dec.h"
#include "nl/enc.h"
#include "nl_check.h"

#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 0, 0)
#define IFA_PROTO 11
#endif

static uint8_t buf[16384] __attribute__((aligned(8)));

/* ---- links ---- */

static void test_link_veth(void **state)
{
	struct nlmsghdr *nlh = nlt_link_msg("veth-red", 5, IFF_UP | IFF_BROADCAST | IFF_RUNNING);
	struct nlattr *info, *af;
	struct vr_link l;

	(void)state;
	mnl_attr_put_u32(nlh, IFLA_MTU, 1500);
	mnl_attr_put_u32(nlh, IFLA_MASTER, 10);
	mnl_attr_put_u32(nlh, IFLA_LINK, 6);
	mnl_attr_put_u32(nlh, IFLA_LINK_NETNSID, 0);
	mnl_attr_put_strz(nlh, IFLA_IFALIAS, "vrd:red");
	info = nlt_nest(nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "veth");
	mnl_attr_nest_end(nlh, info);
	af = nlt_nest(nlh, IFLA_AF_SPEC);
	mnl_attr_put_u32(nlh, 1, 0xdeadbeef);
	mnl_attr_nest_end(nlh, af);
	assert_int_equal(vr_dec_link(nlh, &l), 0);
	assert_string_equal(l.name, "veth-red");
	assert_int_equal(l.ifindex, 5);
	assert_int_equal(l.flags, IFF_UP | IFF_BROADCAST | IFF_RUNNING);
	assert_int_equal(l.up, 1);
	assert_int_equal(l.mtu, 1500);
	assert_int_equal(l.master_index, 10);
	assert_int_equal(l.link_index, 6);
	assert_true(l.link_other_ns);
	assert_int_equal(l.kind, VR_LINK_VETH);
	assert_true(l.created);
	assert_ptr_equal(l.owner, vr_intern("red"));
	assert_null(l.ns);
	assert_string_equal(l.master, "");
	assert_true(l.has_mac); /* nlt_link_msg's IFLA_ADDRESS */
	assert_memory_equal(l.mac, "\x02\0\0\0\0\x01", 6);

	/* a DELLINK notification has the same layout */
	nlh->nlmsg_type = RTM_DELLINK;
	assert_int_equal(vr_dec_link(nlh, &l), 0);
	assert_string_equal(l.name, "veth-red");
}

static void test_link_vrf(void **state)
{
	struct nlmsghdr *nlh = nlt_link_msg("vrf-red", 10, IFF_NOARP);
	struct nlattr *info, *data;
	struct vr_link l;

	(void)state;
	mnl_attr_put_u32(nlh, IFLA_MTU, 65575);
	info = nlt_nest(nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "vrf");
	data = nlt_nest(nlh, IFLA_INFO_DATA);
	mnl_attr_put_u32(nlh, IFLA_VRF_TABLE, 100);
	mnl_attr_nest_end(nlh, data);
	mnl_attr_nest_end(nlh, info);
	assert_int_equal(vr_dec_link(nlh, &l), 0);
	assert_int_equal(l.kind, VR_LINK_VRF);
	assert_int_equal(l.u.vrf.table, 100);
	assert_int_equal(l.up, 0);
	assert_false(l.created);
	assert_null(l.owner);
	assert_false(l.link_other_ns);
	assert_int_equal(l.link_index, 0);
}

static void test_link_vxlan(void **state)
{
	struct nlmsghdr *nlh = nlt_link_msg("vx42", 12, IFF_UP);
	struct nlattr *info, *data;
	struct vr_link l;

	(void)state;
	info = nlt_nest(nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "vxlan");
	data = nlt_nest(nlh, IFLA_INFO_DATA);
	mnl_attr_put_u32(nlh, IFLA_VXLAN_ID, 42);
	nlt_put_ip(nlh, IFLA_VXLAN_GROUP, "198.51.100.1");
	mnl_attr_put_u32(nlh, IFLA_VXLAN_LINK, 3);
	nlt_put_ip(nlh, IFLA_VXLAN_LOCAL, "192.0.2.1");
	mnl_attr_put_u8(nlh, IFLA_VXLAN_TTL, 0);
	mnl_attr_put_u8(nlh, IFLA_VXLAN_LEARNING, 1);
	mnl_attr_put_u16(nlh, IFLA_VXLAN_PORT, htons(4789));
	mnl_attr_nest_end(nlh, data);
	mnl_attr_nest_end(nlh, info);
	assert_int_equal(vr_dec_link(nlh, &l), 0);
	assert_int_equal(l.kind, VR_LINK_VXLAN);
	assert_int_equal(l.u.vxlan.vni, 42);
	nlt_assert_ip(&l.u.vxlan.local, "192.0.2.1");
	nlt_assert_ip(&l.u.vxlan.remote, "198.51.100.1");
	assert_int_equal(l.u.vxlan.port, 4789);
	assert_int_equal(l.link_index, 3);

	nlh = nlt_link_msg("vx43", 13, IFF_UP);
	info = nlt_nest(nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "vxlan");
	data = nlt_nest(nlh, IFLA_INFO_DATA);
	mnl_attr_put_u32(nlh, IFLA_VXLAN_ID, 43);
	nlt_put_ip(nlh, IFLA_VXLAN_GROUP6, "ff05::42");
	nlt_put_ip(nlh, IFLA_VXLAN_LOCAL6, "2001:db8::1");
	mnl_attr_put_u16(nlh, IFLA_VXLAN_PORT, htons(8472));
	mnl_attr_nest_end(nlh, data);
	mnl_attr_nest_end(nlh, info);
	assert_int_equal(vr_dec_link(nlh, &l), 0);
	nlt_assert_ip(&l.u.vxlan.local, "2001:db8::1");
	nlt_assert_ip(&l.u.vxlan.remote, "ff05::42");
	assert_int_equal(l.u.vxlan.port, 8472);
	assert_int_equal(l.link_index, 0);
}

static void test_link_macvlan(void **state)
{
	struct nlmsghdr *nlh = nlt_link_msg("mv0", 14, IFF_UP);
	struct nlattr *info, *data;
	struct vr_link l;

	(void)state;
	mnl_attr_put_u32(nlh, IFLA_LINK, 2);
	info = nlt_nest(nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "macvlan");
	data = nlt_nest(nlh, IFLA_INFO_DATA);
	mnl_attr_put_u32(nlh, IFLA_MACVLAN_MODE, MACVLAN_MODE_BRIDGE);
	mnl_attr_put_u16(nlh, IFLA_MACVLAN_FLAGS, 0);
	mnl_attr_nest_end(nlh, data);
	mnl_attr_nest_end(nlh, info);
	assert_int_equal(vr_dec_link(nlh, &l), 0);
	assert_int_equal(l.kind, VR_LINK_MACVLAN);
	assert_int_equal(l.u.macvlan.mode, MACVLAN_MODE_BRIDGE);
	assert_int_equal(l.link_index, 2);
	assert_false(l.link_other_ns);
}

static void test_link_other(void **state)
{
	struct nlmsghdr *nlh;
	struct nlattr *info, *data;
	struct vr_link l;

	(void)state;
	/* a physical port: no link info at all */
	nlh = nlt_link_msg("eth0", 2, IFF_UP);
	mnl_attr_put_strz(nlh, IFLA_IFALIAS, "uplink to the core");
	assert_int_equal(vr_dec_link(nlh, &l), 0);
	assert_int_equal(l.kind, VR_LINK_OTHER);
	assert_false(l.created);
	assert_null(l.owner);

	/* a kind vrd does not manage, with data it does not read */
	nlh = nlt_link_msg("dummy0", 7, 0);
	mnl_attr_put_strz(nlh, IFLA_IFALIAS, "vrd:");
	info = nlt_nest(nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "dummy");
	data = nlt_nest(nlh, IFLA_INFO_DATA);
	mnl_attr_put_u16(nlh, 1, 7); /* would be a bad vrf table */
	mnl_attr_nest_end(nlh, data);
	mnl_attr_nest_end(nlh, info);
	assert_int_equal(vr_dec_link(nlh, &l), 0);
	assert_int_equal(l.kind, VR_LINK_OTHER);
	assert_false(l.created); /* "vrd:" names no router */

	/* an alias set by iproute2 has no NUL */
	nlh = nlt_link_msg("br0", 11, IFF_UP);
	mnl_attr_put_str(nlh, IFLA_IFALIAS, "vrd:blue");
	assert_int_equal(vr_dec_link(nlh, &l), 0);
	assert_true(l.created);
	assert_ptr_equal(l.owner, vr_intern("blue"));
}

enum kind { LINK, ADDR, ROUTE, RULE, PROXY };

/* Decoding must fail with -EINVAL and leave the output alone. */
static void bad(const struct nlmsghdr *nlh, enum kind k)
{
	static struct vr_nh nhs[VR_MAX_NH];
	union {
		struct vr_link l;
		struct vr_addr a;
		struct vr_route r;
		struct vr_rule ru;
		struct vr_proxy p;
	} o, before;
	int err;

	memset(&o, 0x5a, sizeof(o));
	before = o;
	err = k == LINK    ? vr_dec_link(nlh, &o.l)
	      : k == ADDR  ? vr_dec_addr(nlh, &o.a)
	      : k == ROUTE ? vr_dec_route(nlh, &o.r, nhs)
	      : k == RULE  ? vr_dec_rule(nlh, &o.ru)
	                   : vr_dec_proxy(nlh, &o.p);
	assert_int_equal(err, -EINVAL);
	assert_memory_equal(&o, &before, sizeof(o));
}

static void test_link_malformed(void **state)
{
	struct nlmsghdr *nlh;
	struct nlattr *info, *data, *last;
	uint16_t short_mtu = 1500;

	(void)state;
	nlh = nlt_link_msg("eth0", 2, 0);
	nlh->nlmsg_len = MNL_NLMSG_HDRLEN + 8; /* half an ifinfomsg */
	bad(nlh, LINK);

	nlh = nlt_link_msg("eth0", 2, 0);
	mnl_attr_put(nlh, IFLA_MTU, sizeof(short_mtu), &short_mtu);
	bad(nlh, LINK);

	nlh = nlt_link_msg("eth0", 2, 0);
	last = mnl_nlmsg_get_payload_tail(nlh);
	mnl_attr_put_u32(nlh, IFLA_MTU, 1500);
	last->nla_len += 8; /* runs past the message */
	bad(nlh, LINK);

	/* the same with an attribute vrd does not even read (IFLA_ADDRESS,
	 * last in link_msg) */
	nlh = nlt_link_msg("eth0", 2, 0);
	last = (struct nlattr *)((char *)mnl_nlmsg_get_payload_tail(nlh) -
	                         MNL_ALIGN(MNL_ATTR_HDRLEN + 6));
	assert_int_equal(mnl_attr_get_type(last), IFLA_ADDRESS);
	last->nla_len += 8;
	bad(nlh, LINK);

	nlh = nlt_link_msg("eth0", 2, 0);
	nlh->nlmsg_len += 2; /* trailing bytes that are no attribute */
	bad(nlh, LINK);

	nlh = nlt_link_msg("eth0", 2, 0);
	last = mnl_nlmsg_get_payload_tail(nlh);
	mnl_attr_put_u32(nlh, IFLA_MTU, 1500);
	last->nla_len = 2; /* shorter than its own header */
	bad(nlh, LINK);

	bad(nlt_link_msg(NULL, 2, 0), LINK);
	bad(nlt_link_msg("", 2, 0), LINK);
	bad(nlt_link_msg("a-name-too-long0", 2, 0), LINK);
	bad(nlt_link_msg("eth0", 0, 0), LINK);

	nlh = nlt_link_msg("eth0", 2, 0);
	((struct ifinfomsg *)mnl_nlmsg_get_payload(nlh))->ifi_family = AF_BRIDGE;
	bad(nlh, LINK);

	nlh = nlt_link_msg("eth0", 2, 0);
	nlh->nlmsg_type = RTM_NEWADDR;
	bad(nlh, LINK);

	nlh = nlt_link_msg("vrf-red", 10, 0);
	info = nlt_nest(nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "vrf");
	data = nlt_nest(nlh, IFLA_INFO_DATA);
	mnl_attr_put_u16(nlh, IFLA_VRF_TABLE, 100);
	mnl_attr_nest_end(nlh, data);
	mnl_attr_nest_end(nlh, info);
	bad(nlh, LINK);

	nlh = nlt_link_msg("vx42", 12, 0);
	info = nlt_nest(nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "vxlan");
	data = nlt_nest(nlh, IFLA_INFO_DATA);
	nlt_put_ip(nlh, IFLA_VXLAN_LOCAL, "2001:db8::1"); /* v6 bytes in the v4 slot */
	mnl_attr_nest_end(nlh, data);
	mnl_attr_nest_end(nlh, info);
	bad(nlh, LINK);
}

/* ---- addresses ---- */

static void test_addr(void **state)
{
	struct ifa_cacheinfo ci = {0};
	struct nlmsghdr *nlh;
	struct vr_addr a;

	(void)state;
	nlh = nlt_addr_msg(AF_INET, 24, 2);
	nlt_put_ip(nlh, IFA_ADDRESS, "198.18.1.1");
	nlt_put_ip(nlh, IFA_LOCAL, "198.18.1.1");
	nlt_put_ip(nlh, IFA_BROADCAST, "198.18.1.255");
	mnl_attr_put_strz(nlh, IFA_LABEL, "eth0");
	mnl_attr_put_u32(nlh, IFA_FLAGS, IFA_F_PERMANENT);
	mnl_attr_put_u8(nlh, IFA_PROTO, VR_RTPROT);
	mnl_attr_put(nlh, IFA_CACHEINFO, sizeof(ci), &ci);
	assert_int_equal(vr_dec_addr(nlh, &a), 0);
	nlt_assert_ip(&a.ip, "198.18.1.1/24");
	assert_int_equal(a.ifindex, 2);
	assert_int_equal(a.proto, VR_RTPROT);
	assert_string_equal(a.dev, "");
	assert_null(a.ns);
	assert_null(a.owner);

	/* point-to-point: IFA_ADDRESS is the peer, IFA_LOCAL ours */
	nlh = nlt_addr_msg(AF_INET, 32, 4);
	nlt_put_ip(nlh, IFA_ADDRESS, "10.0.0.2");
	nlt_put_ip(nlh, IFA_LOCAL, "10.0.0.1");
	assert_int_equal(vr_dec_addr(nlh, &a), 0);
	nlt_assert_ip(&a.ip, "10.0.0.1/32");
	assert_int_equal(a.proto, 0);

	/* IPv6 sends IFA_ADDRESS only */
	nlh = nlt_addr_msg(AF_INET6, 64, 3);
	nlt_put_ip(nlh, IFA_ADDRESS, "2001:db8:2::1");
	mnl_attr_put(nlh, IFA_CACHEINFO, sizeof(ci), &ci);
	mnl_attr_put_u32(nlh, IFA_FLAGS, IFA_F_PERMANENT | IFA_F_NODAD);
	mnl_attr_put_u8(nlh, IFA_PROTO, 3);
	nlh->nlmsg_type = RTM_DELADDR;
	assert_int_equal(vr_dec_addr(nlh, &a), 0);
	nlt_assert_ip(&a.ip, "2001:db8:2::1/64");
	assert_int_equal(a.ifindex, 3);
	assert_int_equal(a.proto, 3);
}

static void test_addr_malformed(void **state)
{
	struct nlmsghdr *nlh;
	uint16_t proto = VR_RTPROT;

	(void)state;
	nlh = nlt_addr_msg(AF_INET, 24, 2);
	nlt_put_ip(nlh, IFA_LOCAL, "2001:db8::1");
	bad(nlh, ADDR);
	nlh = nlt_addr_msg(AF_INET6, 64, 2);
	nlt_put_ip(nlh, IFA_LOCAL, "2001:db8::1");
	nlt_put_ip(nlh, IFA_ADDRESS, "198.18.1.1"); /* wrong length even if unused */
	bad(nlh, ADDR);
	bad(nlt_addr_msg(AF_INET, 24, 2), ADDR); /* no address at all */
	nlh = nlt_addr_msg(AF_PACKET, 24, 2);
	nlt_put_ip(nlh, IFA_LOCAL, "198.18.1.1");
	bad(nlh, ADDR);
	nlh = nlt_addr_msg(AF_INET, 33, 2);
	nlt_put_ip(nlh, IFA_LOCAL, "198.18.1.1");
	bad(nlh, ADDR);
	nlh = nlt_addr_msg(AF_INET, 24, 2);
	nlt_put_ip(nlh, IFA_LOCAL, "198.18.1.1");
	mnl_attr_put(nlh, IFA_PROTO, sizeof(proto), &proto);
	bad(nlh, ADDR);
	nlh = nlt_addr_msg(AF_INET, 24, 2);
	nlh->nlmsg_len = MNL_NLMSG_HDRLEN + 4;
	bad(nlh, ADDR);
}

/* ---- routes ---- */

static struct vr_nh nh[VR_MAX_NH];

static void test_route_v4(void **state)
{
	struct nlmsghdr *nlh;
	struct vr_route r;

	(void)state;
	nlh = nlt_route_msg(AF_INET, 16, 100, VR_RTPROT, RTN_UNICAST);
	mnl_attr_put_u32(nlh, RTA_TABLE, 100);
	nlt_put_ip(nlh, RTA_DST, "198.19.0.0");
	mnl_attr_put_u32(nlh, RTA_PRIORITY, 20);
	nlt_put_ip(nlh, RTA_GATEWAY, "198.18.2.2");
	mnl_attr_put_u32(nlh, RTA_OIF, 2);
	assert_int_equal(vr_dec_route(nlh, &r, nh), 0);
	nlt_assert_ip(&r.dst, "198.19.0.0/16");
	assert_int_equal(r.table, 100);
	assert_int_equal(r.protocol, VR_RTPROT);
	assert_int_equal(r.type, RTN_UNICAST);
	assert_int_equal(r.scope, RT_SCOPE_UNIVERSE);
	assert_int_equal(r.metric, 20);
	assert_int_equal(r.n_nh, 1);
	assert_ptr_equal(r.nh, nh);
	nlt_assert_ip(&nh[0].gw, "198.18.2.2");
	assert_int_equal(nh[0].ifindex, 2);
	assert_int_equal(nh[0].weight, 1);
	assert_null(r.ns);
	assert_null(r.owner);

	/* big table: RTA_TABLE wins over whatever the header byte says */
	nlh = nlt_route_msg(AF_INET, 24, RT_TABLE_COMPAT, RTPROT_KERNEL, RTN_UNICAST);
	mnl_attr_put_u32(nlh, RTA_TABLE, 1000);
	nlt_put_ip(nlh, RTA_DST, "198.18.2.0");
	nlt_put_ip(nlh, RTA_PREFSRC, "198.18.2.1");
	mnl_attr_put_u32(nlh, RTA_OIF, 3);
	((struct rtmsg *)mnl_nlmsg_get_payload(nlh))->rtm_scope = RT_SCOPE_LINK;
	assert_int_equal(vr_dec_route(nlh, &r, nh), 0);
	assert_int_equal(r.table, 1000);
	assert_int_equal(r.scope, RT_SCOPE_LINK);
	assert_int_equal(r.n_nh, 1);
	assert_int_equal(nh[0].gw.family, 0);
	assert_int_equal(nh[0].ifindex, 3);

	/* no RTA_TABLE (old kernels): the header byte */
	nlh = nlt_route_msg(AF_INET, 0, RT_TABLE_MAIN, RTPROT_BOOT, RTN_BLACKHOLE);
	nlh->nlmsg_type = RTM_DELROUTE;
	assert_int_equal(vr_dec_route(nlh, &r, nh), 0);
	assert_int_equal(r.table, RT_TABLE_MAIN);
	nlt_assert_ip(&r.dst, "0.0.0.0/0");
	assert_int_equal(r.type, RTN_BLACKHOLE);
	assert_int_equal(r.n_nh, 0);
	assert_int_equal(r.metric, 0);
}

static void test_route_v6_multipath(void **state)
{
	struct rta_cacheinfo ci = {0};
	struct nlmsghdr *nlh;
	struct nlattr *mp;
	struct rtnexthop *rtnh;
	struct vr_route r;

	(void)state;
	nlh = nlt_route_msg(AF_INET6, 48, RT_TABLE_MAIN, RTPROT_STATIC, RTN_UNICAST);
	mnl_attr_put_u32(nlh, RTA_TABLE, RT_TABLE_MAIN);
	nlt_put_ip(nlh, RTA_DST, "2001:db8:1::");
	mnl_attr_put_u32(nlh, RTA_PRIORITY, 1024);
	mnl_attr_put_u8(nlh, RTA_PREF, 0);
	mp = nlt_nest(nlh, RTA_MULTIPATH);
	rtnh = nlt_mp_nh(nlh, 0, 2);
	nlt_put_ip(nlh, RTA_GATEWAY, "fe80::1");
	nlt_mp_nh_end(nlh, rtnh);
	rtnh = nlt_mp_nh(nlh, 4, 3);
	rtnh->rtnh_flags = RTNH_F_LINKDOWN;
	nlt_put_ip(nlh, RTA_GATEWAY, "fe80::2");
	nlt_mp_nh_end(nlh, rtnh);
	rtnh = nlt_mp_nh(nlh, 254, 4); /* device only */
	nlt_mp_nh_end(nlh, rtnh);
	mnl_attr_nest_end(nlh, mp);
	mnl_attr_put(nlh, RTA_CACHEINFO, sizeof(ci), &ci);
	assert_int_equal(vr_dec_route(nlh, &r, nh), 0);
	nlt_assert_ip(&r.dst, "2001:db8:1::/48");
	assert_int_equal(r.table, RT_TABLE_MAIN);
	assert_int_equal(r.metric, 1024);
	assert_int_equal(r.protocol, RTPROT_STATIC);
	assert_int_equal(r.n_nh, 3);
	nlt_assert_ip(&nh[0].gw, "fe80::1");
	assert_int_equal(nh[0].ifindex, 2);
	assert_int_equal(nh[0].weight, 1);
	nlt_assert_ip(&nh[1].gw, "fe80::2");
	assert_int_equal(nh[1].ifindex, 3);
	assert_int_equal(nh[1].weight, 5);
	assert_int_equal(nh[2].gw.family, 0);
	assert_int_equal(nh[2].ifindex, 4);
	assert_int_equal(nh[2].weight, 255);
}

static void test_route_via(void **state)
{
	struct {
		uint16_t family;
		uint8_t addr[16];
	} via = {AF_INET6, {0}};
	struct vr_ip gw = nlt_ip("fe80::1");
	struct nlmsghdr *nlh;
	struct nlattr *mp;
	struct rtnexthop *rtnh;
	struct vr_route r;

	(void)state;
	memcpy(via.addr, gw.a, 16);
	nlh = nlt_route_msg(AF_INET, 16, 100, VR_RTPROT, RTN_UNICAST);
	nlt_put_ip(nlh, RTA_DST, "198.19.0.0");
	mnl_attr_put(nlh, RTA_VIA, 18, &via);
	mnl_attr_put_u32(nlh, RTA_OIF, 2);
	assert_int_equal(vr_dec_route(nlh, &r, nh), 0);
	assert_int_equal(r.n_nh, 1);
	nlt_assert_ip(&nh[0].gw, "fe80::1");
	assert_int_equal(nh[0].ifindex, 2);

	nlh = nlt_route_msg(AF_INET, 16, 100, VR_RTPROT, RTN_UNICAST);
	nlt_put_ip(nlh, RTA_DST, "198.19.0.0");
	mp = nlt_nest(nlh, RTA_MULTIPATH);
	rtnh = nlt_mp_nh(nlh, 0, 2);
	nlt_put_ip(nlh, RTA_GATEWAY, "198.18.2.2");
	nlt_mp_nh_end(nlh, rtnh);
	rtnh = nlt_mp_nh(nlh, 1, 3);
	mnl_attr_put(nlh, RTA_VIA, 18, &via);
	nlt_mp_nh_end(nlh, rtnh);
	mnl_attr_nest_end(nlh, mp);
	assert_int_equal(vr_dec_route(nlh, &r, nh), 0);
	assert_int_equal(r.n_nh, 2);
	nlt_assert_ip(&nh[0].gw, "198.18.2.2");
	nlt_assert_ip(&nh[1].gw, "fe80::1");
	assert_int_equal(nh[1].weight, 2);
}

/* A v6 route with n next hops. */
static struct nlmsghdr *route_n(unsigned n)
{
	struct nlmsghdr *nlh = nlt_route_msg(AF_INET6, 48, 100, VR_RTPROT, RTN_UNICAST);
	struct nlattr *mp;

	nlt_put_ip(nlh, RTA_DST, "2001:db8:1::");
	mp = nlt_nest(nlh, RTA_MULTIPATH);
	for (unsigned i = 0; i < n; i++) {
		struct rtnexthop *rtnh = nlt_mp_nh(nlh, 0, 2);

		nlt_put_ip(nlh, RTA_GATEWAY, "fe80::1");
		nlt_mp_nh_end(nlh, rtnh);
	}
	mnl_attr_nest_end(nlh, mp);
	return nlh;
}

static void test_route_malformed(void **state)
{
	struct nlmsghdr *nlh;
	struct nlattr *mp;
	struct rtnexthop *rtnh;
	struct vr_route r;
	uint8_t via[6] = {AF_INET6, 0, 1, 2, 3, 4};

	(void)state;
	assert_int_equal(vr_dec_route(route_n(VR_MAX_NH), &r, nh), 0);
	assert_int_equal(r.n_nh, VR_MAX_NH);
	bad(route_n(VR_MAX_NH + 1), ROUTE);
	bad(route_n(0), ROUTE);

	nlh = route_n(2);
	rtnh =
	    (struct rtnexthop *)((char *)mnl_nlmsg_get_payload_offset(nlh, sizeof(struct rtmsg)) +
	                         MNL_ATTR_HDRLEN + 16 + MNL_ATTR_HDRLEN);
	rtnh->rtnh_len = 200; /* past the attribute */
	bad(nlh, ROUTE);

	/* the last next hop claims the (valid) attribute after RTA_MULTIPATH */
	nlh = nlt_route_msg(AF_INET, 16, 100, VR_RTPROT, RTN_UNICAST);
	nlt_put_ip(nlh, RTA_DST, "198.19.0.0");
	mp = nlt_nest(nlh, RTA_MULTIPATH);
	rtnh = nlt_mp_nh(nlh, 0, 2);
	nlt_put_ip(nlh, RTA_GATEWAY, "198.18.2.2");
	nlt_mp_nh_end(nlh, rtnh);
	mnl_attr_nest_end(nlh, mp);
	mnl_attr_put_u32(nlh, RTA_PRIORITY, 20);
	rtnh->rtnh_len += MNL_ATTR_HDRLEN + 4;
	bad(nlh, ROUTE);

	nlh = nlt_route_msg(AF_INET6, 48, 100, VR_RTPROT, RTN_UNICAST);
	nlt_put_ip(nlh, RTA_DST, "2001:db8:1::");
	nlt_put_ip(nlh, RTA_GATEWAY, "198.18.2.2"); /* 4 bytes in a v6 route */
	bad(nlh, ROUTE);

	nlh = nlt_route_msg(AF_INET, 16, 100, VR_RTPROT, RTN_UNICAST);
	nlt_put_ip(nlh, RTA_DST, "198.19.0.0");
	mnl_attr_put(nlh, RTA_VIA, sizeof(via), via); /* v6 family, 4 bytes */
	bad(nlh, ROUTE);

	nlh = nlt_route_msg(AF_INET, 16, 100, VR_RTPROT, RTN_UNICAST);
	nlt_put_ip(nlh, RTA_DST, "198.19.0.0");
	mp = nlt_nest(nlh, RTA_MULTIPATH);
	rtnh = nlt_mp_nh(nlh, 0, 2);
	mnl_attr_put_u16(nlh, RTA_GATEWAY, 1);
	nlt_mp_nh_end(nlh, rtnh);
	mnl_attr_nest_end(nlh, mp);
	bad(nlh, ROUTE);

	bad(nlt_route_msg(AF_INET, 16, 100, VR_RTPROT, RTN_UNICAST),
	    ROUTE); /* /16 without RTA_DST */
	nlh = nlt_route_msg(AF_INET, 33, 100, VR_RTPROT, RTN_UNICAST);
	nlt_put_ip(nlh, RTA_DST, "198.19.0.0");
	bad(nlh, ROUTE);
	nlh = nlt_route_msg(RTNL_FAMILY_IPMR, 32, 100, RTPROT_UNSPEC, RTN_MULTICAST);
	nlt_put_ip(nlh, RTA_DST, "239.1.1.1");
	bad(nlh, ROUTE);
	nlh = nlt_route_msg(AF_INET, 0, 100, VR_RTPROT, RTN_UNICAST);
	mnl_attr_put_u16(nlh, RTA_PRIORITY, 20);
	bad(nlh, ROUTE);
	nlh = nlt_route_msg(AF_INET, 0, 100, VR_RTPROT, RTN_UNICAST);
	nlh->nlmsg_len = MNL_NLMSG_HDRLEN + 8;
	bad(nlh, ROUTE);
}

/* ---- rules ---- */

static void test_rule(void **state)
{
	struct nlmsghdr *nlh;
	struct vr_rule r;

	(void)state;
	/* the kernel's l3mdev rule, as it dumps it: FRA_TABLE 0 included */
	nlh = nlt_rule_msg(AF_INET, 0);
	mnl_attr_put_u32(nlh, FRA_TABLE, 0);
	mnl_attr_put_u32(nlh, FRA_PRIORITY, VR_L3MDEV_PRIO);
	mnl_attr_put_u8(nlh, FRA_L3MDEV, 1);
	mnl_attr_put_u8(nlh, FRA_PROTOCOL, RTPROT_KERNEL);
	assert_int_equal(vr_dec_rule(nlh, &r), 0);
	assert_int_equal(r.family, AF_INET);
	assert_int_equal(r.priority, VR_L3MDEV_PRIO);
	assert_true(r.l3mdev);
	assert_int_equal(r.table, 0);
	assert_int_equal(r.protocol, RTPROT_KERNEL);
	assert_null(r.ns);

	/* big tables read RT_TABLE_COMPAT in the header */
	nlh = nlt_rule_msg(AF_INET6, RT_TABLE_COMPAT);
	mnl_attr_put_u32(nlh, FRA_TABLE, 1000);
	mnl_attr_put_u32(nlh, FRA_PRIORITY, 32000);
	assert_int_equal(vr_dec_rule(nlh, &r), 0);
	assert_int_equal(r.table, 1000);
	assert_false(r.l3mdev);
	assert_int_equal(r.protocol, 0);

	/* priority 0 (the local rule) comes without FRA_PRIORITY */
	nlh = nlt_rule_msg(AF_INET, RT_TABLE_LOCAL);
	nlh->nlmsg_type = RTM_DELRULE;
	assert_int_equal(vr_dec_rule(nlh, &r), 0);
	assert_int_equal(r.priority, 0);
	assert_int_equal(r.table, RT_TABLE_LOCAL);

	/* a rule with an input device, and an output one vrd does not read */
	nlh = nlt_rule_msg(AF_INET, 101);
	mnl_attr_put_u32(nlh, FRA_PRIORITY, 900);
	mnl_attr_put_strz(nlh, FRA_IIFNAME, "up0");
	mnl_attr_put_strz(nlh, FRA_OIFNAME, "up1");
	mnl_attr_put_u8(nlh, FRA_PROTOCOL, VR_RTPROT);
	assert_int_equal(vr_dec_rule(nlh, &r), 0);
	assert_string_equal(r.iif, "up0");
	assert_int_equal(r.table, 101);
	assert_int_equal(r.priority, 900);
	/* none: "" */
	nlh = nlt_rule_msg(AF_INET, RT_TABLE_MAIN);
	assert_int_equal(vr_dec_rule(nlh, &r), 0);
	assert_string_equal(r.iif, "");

	nlh = nlt_rule_msg(AF_INET, 0);
	mnl_attr_put_u16(nlh, FRA_PRIORITY, 1000);
	bad(nlh, RULE);
	nlh = nlt_rule_msg(AF_INET, 0);
	mnl_attr_put_strz(nlh, FRA_IIFNAME, "");
	bad(nlh, RULE);
	nlh = nlt_rule_msg(AF_INET, 0);
	mnl_attr_put_strz(nlh, FRA_IIFNAME, "a-name-of-16-chr"); /* IFNAMSIZ with its NUL */
	bad(nlh, RULE);
	bad(nlt_rule_msg(RTNL_FAMILY_IPMR, 0), RULE);
	nlh = nlt_rule_msg(AF_INET, 0);
	nlh->nlmsg_type = RTM_NEWROUTE;
	bad(nlh, RULE);
}

/* ---- neighbour proxy entries ---- */

static void test_proxy(void **state)
{
	struct nlmsghdr *nlh;
	struct vr_proxy p;
	uint32_t ext = 0;

	(void)state;
	nlh = nlt_proxy_msg(AF_INET6, 3);
	nlt_put_ip(nlh, NDA_DST, "2001:db8:1::1");
	mnl_attr_put_u8(nlh, NDA_PROTOCOL, VR_RTPROT);
	mnl_attr_put(nlh, NDA_FLAGS_EXT, sizeof(ext), &ext); /* not read */
	memset(&p, 0x5a, sizeof(p));
	assert_int_equal(vr_dec_proxy(nlh, &p), 0);
	nlt_assert_ip(&p.ip, "2001:db8:1::1");
	assert_int_equal(p.ifindex, 3);
	assert_int_equal(p.proto, VR_RTPROT);
	assert_string_equal(p.dev, "");
	assert_null(p.ns);
	assert_null(p.owner);

	/* no device, no protocol (added by an older tool), a delete */
	nlh = nlt_proxy_msg(AF_INET, 0);
	nlh->nlmsg_type = RTM_DELNEIGH;
	nlt_put_ip(nlh, NDA_DST, "198.18.1.1");
	assert_int_equal(vr_dec_proxy(nlh, &p), 0);
	nlt_assert_ip(&p.ip, "198.18.1.1");
	assert_int_equal(p.ifindex, 0);
	assert_int_equal(p.proto, 0);
}

static void test_proxy_malformed(void **state)
{
	struct nlmsghdr *nlh;
	struct ndmsg *ndm;
	uint8_t mac[6] = {2, 0, 0, 0, 0, 9};
	uint16_t proto = VR_RTPROT;

	(void)state;
	/* an entry of the neighbour cache is not a proxy entry */
	nlh = nlt_proxy_msg(AF_INET, 2);
	ndm = mnl_nlmsg_get_payload(nlh);
	ndm->ndm_flags = NTF_ROUTER;
	ndm->ndm_state = NUD_REACHABLE;
	nlt_put_ip(nlh, NDA_DST, "198.18.1.1");
	mnl_attr_put(nlh, NDA_LLADDR, sizeof(mac), mac);
	bad(nlh, PROXY);
	/* a bridge's fdb (AF_BRIDGE) has no IP */
	nlh = nlt_proxy_msg(AF_BRIDGE, 2);
	mnl_attr_put(nlh, NDA_LLADDR, sizeof(mac), mac);
	bad(nlh, PROXY);
	bad(nlt_proxy_msg(AF_INET, 2), PROXY); /* no NDA_DST */
	nlh = nlt_proxy_msg(AF_INET, 2);
	nlt_put_ip(nlh, NDA_DST, "2001:db8::1"); /* of the other family */
	bad(nlh, PROXY);
	nlh = nlt_proxy_msg(AF_INET6, 2);
	nlt_put_ip(nlh, NDA_DST, "2001:db8::1");
	mnl_attr_put(nlh, NDA_PROTOCOL, sizeof(proto), &proto);
	bad(nlh, PROXY);
	nlh = nlt_proxy_msg(AF_INET, -1);
	nlt_put_ip(nlh, NDA_DST, "198.18.1.1");
	bad(nlh, PROXY);
	nlh = nlt_proxy_msg(AF_INET, 2);
	nlt_put_ip(nlh, NDA_DST, "198.18.1.1");
	nlh->nlmsg_type = RTM_NEWADDR;
	bad(nlh, PROXY);
	nlh = nlt_proxy_msg(AF_INET, 2);
	nlh->nlmsg_len = MNL_NLMSG_HDRLEN + 4; /* a third of an ndmsg */
	bad(nlh, PROXY);
	/* an attribute cut short */
	nlh = nlt_proxy_msg(AF_INET, 2);
	nlt_put_ip(nlh, NDA_DST, "198.18.1.1");
	nlh->nlmsg_len -= 2;
	bad(nlh, PROXY);
}

/* ---- round trips: a request has the layout of a notification ---- */

static void round_trip_route(const char *dst, uint32_t table, uint8_t type, uint8_t scope,
                             unsigned n, const char *const *gw, const char *const *dev)
{
	struct vr_op op = nlt_route_op(VR_OP_ROUTE_ADD, dst, table);
	const struct vr_nh *in = op.o.route.nh;
	struct vr_nh out[VR_MAX_NH];
	struct vr_route r;

	op.o.route.type = type;
	op.o.route.metric = 20;
	for (unsigned i = 0; i < n; i++)
		nlt_add_nh(&op, gw[i], dev[i], (uint8_t)(i + 1));
	assert_true(vr_enc_op(&op, &nlt_res, 1, buf, sizeof(buf)) > 0);
	assert_int_equal(vr_dec_route((const void *)buf, &r, out), 0);
	assert_int_equal(vr_ip_cmp(&r.dst, &op.o.route.dst), 0);
	assert_int_equal(r.table, table);
	assert_int_equal(r.protocol, VR_RTPROT);
	assert_int_equal(r.type, type);
	assert_int_equal(r.scope, scope);
	assert_int_equal(r.metric, 20);
	assert_int_equal(r.n_nh, n);
	for (unsigned i = 0; i < n; i++) {
		assert_int_equal(vr_ip_cmp(&out[i].gw, &in[i].gw), 0);
		assert_int_equal(out[i].ifindex, nlt_res.ifindex(NULL, "", in[i].dev));
		/* a single next hop has no weight on the wire */
		assert_int_equal(out[i].weight, n == 1 ? 1 : in[i].weight);
	}
}

static void test_round_trip(void **state)
{
	static const char *const gw6[] = {"fe80::1", "fe80::2"}, *const dev2[] = {"eth0", "eth1"};
	static const char *const gw4[] = {"198.18.2.2", "fe80::2"}, *const none[] = {NULL};
	struct vr_op op;
	struct vr_addr a;
	struct vr_rule ru;
	struct vr_proxy px;

	(void)state;
	round_trip_route("2001:db8:1::/48", 100, RTN_UNICAST, RT_SCOPE_UNIVERSE, 2, gw6, dev2);
	round_trip_route("198.19.0.0/16", 1000, RTN_UNICAST, RT_SCOPE_UNIVERSE, 2, gw4, dev2);
	round_trip_route("198.19.0.0/16", 100, RTN_UNICAST, RT_SCOPE_UNIVERSE, 1, gw4 + 1, dev2);
	round_trip_route("198.20.0.0/24", 100, RTN_UNICAST, RT_SCOPE_LINK, 1, none, dev2 + 1);
	round_trip_route("0.0.0.0/0", 300, RTN_BLACKHOLE, RT_SCOPE_UNIVERSE, 0, NULL, NULL);

	memset(&op, 0, sizeof(op));
	op.code = VR_OP_ADDR_ADD;
	strcpy(op.o.addr.dev, "eth1");
	op.o.addr.ip = nlt_ip("2001:db8:2::1/64");
	op.o.addr.proto = VR_RTPROT;
	assert_true(vr_enc_op(&op, &nlt_res, 1, buf, sizeof(buf)) > 0);
	assert_int_equal(vr_dec_addr((const void *)buf, &a), 0);
	assert_int_equal(vr_ip_cmp(&a.ip, &op.o.addr.ip), 0);
	assert_int_equal(a.ifindex, 3);
	assert_int_equal(a.proto, VR_RTPROT);

	memset(&op, 0, sizeof(op));
	op.code = VR_OP_RULE_ADD;
	op.o.rule.family = AF_INET6;
	op.o.rule.priority = 2000;
	op.o.rule.table = 1000;
	op.o.rule.protocol = VR_RTPROT;
	assert_true(vr_enc_op(&op, &nlt_res, 1, buf, sizeof(buf)) > 0);
	assert_int_equal(vr_dec_rule((const void *)buf, &ru), 0);
	assert_int_equal(ru.family, AF_INET6);
	assert_int_equal(ru.priority, 2000);
	assert_int_equal(ru.table, 1000);
	assert_false(ru.l3mdev);
	assert_int_equal(ru.protocol, VR_RTPROT);
	assert_string_equal(ru.iif, "");
	strcpy(op.o.rule.iif, "up0");
	assert_true(vr_enc_op(&op, &nlt_res, 1, buf, sizeof(buf)) > 0);
	assert_int_equal(vr_dec_rule((const void *)buf, &ru), 0);
	assert_string_equal(ru.iif, "up0");

	memset(&op, 0, sizeof(op));
	op.code = VR_OP_PROXY_ADD;
	strcpy(op.o.proxy.dev, "eth1");
	op.o.proxy.ip = nlt_ip("2001:db8:2::9");
	op.o.proxy.proto = VR_RTPROT;
	assert_true(vr_enc_op(&op, &nlt_res, 1, buf, sizeof(buf)) > 0);
	assert_int_equal(vr_dec_proxy((const void *)buf, &px), 0);
	assert_int_equal(vr_ip_cmp(&px.ip, &op.o.proxy.ip), 0);
	assert_int_equal(px.ifindex, 3);
	assert_int_equal(px.proto, VR_RTPROT);
}

static int teardown(void **state)
{
	(void)state;
	vr_intern_free_all();
	return 0;
}

int main(void)
{
	/* clang-format off */
	const struct CMUnitTest t[] = {
		cmocka_unit_test(test_link_veth),
		cmocka_unit_test(test_link_vrf),
		cmocka_unit_test(test_link_vxlan),
		cmocka_unit_test(test_link_macvlan),
		cmocka_unit_test(test_link_other),
		cmocka_unit_test(test_link_malformed),
		cmocka_unit_test(test_addr),
		cmocka_unit_test(test_addr_malformed),
		cmocka_unit_test(test_route_v4),
		cmocka_unit_test(test_route_v6_multipath),
		cmocka_unit_test(test_route_via),
		cmocka_unit_test(test_route_malformed),
		cmocka_unit_test(test_rule),
		cmocka_unit_test(test_proxy),
		cmocka_unit_test(test_proxy_malformed),
		cmocka_unit_test(test_round_trip),
	};
	/* clang-format on */
	return cmocka_run_group_tests(t, NULL, teardown);
}
