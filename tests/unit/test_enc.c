/* Netlink encoders: every op kind is encoded with a fake resolver, parsed
 * back with libmnl and checked attribute by attribute; buffers that are
 * too small give 0 and are never overrun. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/fib_rules.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <linux/version.h>

#include "nl/enc.h"
#include "nl_check.h"

#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 0, 0)
#define IFA_PROTO 11
#endif

static uint8_t buf[8192] __attribute__((aligned(8)));

/* Encode op; the message must fill exactly the length returned. */
static const struct nlmsghdr *enc(const struct vr_op *op, uint16_t type, uint16_t flags)
{
	const struct nlmsghdr *nlh = (const void *)buf;
	ssize_t n;

	memset(buf, 0xa5, sizeof(buf));
	n = vr_enc_op(op, &nlt_res, 1234, buf, sizeof(buf));
	assert_true(n > 0);
	assert_int_equal(nlh->nlmsg_len, n);
	assert_int_equal(nlh->nlmsg_type, type);
	assert_int_equal(nlh->nlmsg_flags, NLM_F_REQUEST | flags);
	assert_int_equal(nlh->nlmsg_seq, 1234);
	return nlh;
}

/* ---- links ---- */

static struct vr_op link_op(enum vr_op_code code, const char *name, enum vr_link_kind kind)
{
	struct vr_op op;

	memset(&op, 0, sizeof(op));
	op.code = code;
	op.o.link.ns = "";
	op.o.link.kind = kind;
	op.o.link.up = -1;
	strcpy(op.o.link.name, name);
	return op;
}

/* The IFLA_INFO_DATA of a link message of kind. */
static void kind_data(const struct nlmsghdr *nlh, const char *kind, nlt_tb data)
{
	nlt_tb tb, info;

	nlt_msg_attrs(nlh, sizeof(struct ifinfomsg), tb);
	nlt_nest_attrs(tb[IFLA_LINKINFO], info);
	nlt_str(info[IFLA_INFO_KIND], kind);
	nlt_nest_attrs(info[IFLA_INFO_DATA], data);
}

static void test_link_add_vrf(void **state)
{
	struct vr_op op = link_op(VR_OP_LINK_ADD, "vrf-red", VR_LINK_VRF);
	nlt_tb tb, data;
	const struct nlmsghdr *nlh;
	const struct ifinfomsg *ifm;

	(void)state;
	op.o.link.created = true;
	op.o.link.owner = "red";
	op.o.link.up = 1;
	op.o.link.mtu = 9000;
	op.o.link.u.vrf.table = 100;
	nlh = enc(&op, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL);
	ifm = mnl_nlmsg_get_payload(nlh);
	assert_int_equal(ifm->ifi_family, AF_UNSPEC);
	assert_int_equal(ifm->ifi_index, 0);
	assert_int_equal(ifm->ifi_flags, IFF_UP);
	assert_int_equal(ifm->ifi_change, IFF_UP);
	nlt_msg_attrs(nlh, sizeof(*ifm), tb);
	nlt_str(tb[IFLA_IFNAME], "vrf-red");
	nlt_bin(tb[IFLA_IFALIAS], "vrd:red", 7);
	assert_int_equal(nlt_u32(tb[IFLA_MTU]), 9000);
	assert_null(tb[IFLA_MASTER]);
	kind_data(nlh, "vrf", data);
	assert_int_equal(nlt_u32(data[IFLA_VRF_TABLE]), 100);
}

static void test_link_add_bridge(void **state)
{
	struct vr_op op = link_op(VR_OP_LINK_ADD, "br0", VR_LINK_BRIDGE);
	nlt_tb tb, info;
	const struct nlmsghdr *nlh;
	const struct ifinfomsg *ifm;

	(void)state;
	op.o.link.up = 0;
	strcpy(op.o.link.master, "vrf-red");
	nlh = enc(&op, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL);
	ifm = mnl_nlmsg_get_payload(nlh);
	assert_int_equal(ifm->ifi_change, 0); /* created down anyway */
	nlt_msg_attrs(nlh, sizeof(*ifm), tb);
	assert_int_equal(nlt_u32(tb[IFLA_MASTER]), 10);
	assert_null(tb[IFLA_IFALIAS]); /* not created by vrd: no tag */
	assert_null(tb[IFLA_MTU]);
	nlt_nest_attrs(tb[IFLA_LINKINFO], info);
	nlt_str(info[IFLA_INFO_KIND], "bridge");
	assert_null(info[IFLA_INFO_DATA]);
}

/* The peer nest: an ifinfomsg, then the peer's own attributes. */
static void peer_attrs(const struct nlmsghdr *nlh, nlt_tb tb)
{
	nlt_tb data;
	const struct nlattr *peer;
	const struct ifinfomsg *ifm;

	kind_data(nlh, "veth", data);
	peer = data[VETH_INFO_PEER];
	assert_non_null(peer);
	assert_true(mnl_attr_get_payload_len(peer) >= sizeof(*ifm));
	ifm = mnl_attr_get_payload(peer);
	assert_int_equal(ifm->ifi_family, AF_UNSPEC);
	assert_int_equal(ifm->ifi_index, 0);
	nlt_attrs((const char *)ifm + sizeof(*ifm), mnl_attr_get_payload_len(peer) - sizeof(*ifm),
	          tb);
}

static void test_link_add_veth(void **state)
{
	struct vr_op op = link_op(VR_OP_LINK_ADD, "veth-red", VR_LINK_VETH);
	nlt_tb tb, peer;
	const struct nlmsghdr *nlh;

	(void)state;
	strcpy(op.o.link.u.veth.peer, "veth-red-p");
	strcpy(op.o.link.u.veth.peer_master, "br0");
	op.o.link.has_mac = op.o.link.u.veth.peer_has_mac = true;
	memcpy(op.o.link.mac, "\x02\0\0\0\0\x01", 6);
	memcpy(op.o.link.u.veth.peer_mac, "\x02\0\0\0\0\x02", 6);
	nlh = enc(&op, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL);
	nlt_msg_attrs(nlh, sizeof(struct ifinfomsg), tb);
	nlt_str(tb[IFLA_IFNAME], "veth-red");
	nlt_bin(tb[IFLA_ADDRESS], op.o.link.mac, 6);
	peer_attrs(nlh, peer);
	nlt_bin(peer[IFLA_ADDRESS], op.o.link.u.veth.peer_mac, 6);
	nlt_str(peer[IFLA_IFNAME], "veth-red-p");
	assert_null(peer[IFLA_NET_NS_FD]); /* same namespace */
	assert_int_equal(nlt_u32(peer[IFLA_MASTER]), 11);

	/* peer in another namespace: its fd, and its master found there */
	op.o.link.u.veth.peer_ns = "guest";
	strcpy(op.o.link.u.veth.peer_master, "br-g");
	nlh = enc(&op, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL);
	nlt_msg_attrs(nlh, sizeof(struct ifinfomsg), tb);
	peer_attrs(nlh, peer);
	assert_int_equal(nlt_u32(peer[IFLA_NET_NS_FD]), 42);
	assert_int_equal(nlt_u32(peer[IFLA_MASTER]), 20);
	/* br0 exists in "" only: not a master for a peer in "guest" */
	strcpy(op.o.link.u.veth.peer_master, "br0");
	assert_int_equal(vr_enc_op(&op, &nlt_res, 1, buf, sizeof(buf)), -ENODEV);
	op.o.link.u.veth.peer_ns = "nowhere";
	op.o.link.u.veth.peer_master[0] = '\0';
	assert_int_equal(vr_enc_op(&op, &nlt_res, 1, buf, sizeof(buf)), -ENOENT);
}

static void test_link_add_macvlan(void **state)
{
	struct vr_op op = link_op(VR_OP_LINK_ADD, "mv0", VR_LINK_MACVLAN);
	nlt_tb tb, data;
	const struct nlmsghdr *nlh;

	(void)state;
	strcpy(op.o.link.u.macvlan.parent, "eth0");
	op.o.link.u.macvlan.mode = MACVLAN_MODE_BRIDGE;
	nlh = enc(&op, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL);
	nlt_msg_attrs(nlh, sizeof(struct ifinfomsg), tb);
	assert_int_equal(nlt_u32(tb[IFLA_LINK]), 2);
	kind_data(nlh, "macvlan", data);
	assert_int_equal(nlt_u32(data[IFLA_MACVLAN_MODE]), MACVLAN_MODE_BRIDGE);
	strcpy(op.o.link.u.macvlan.parent, "nope");
	assert_int_equal(vr_enc_op(&op, &nlt_res, 1, buf, sizeof(buf)), -ENODEV);
}

static void test_link_add_vxlan(void **state)
{
	struct vr_op op = link_op(VR_OP_LINK_ADD, "vx42", VR_LINK_VXLAN);
	nlt_tb data;
	struct vr_ip a;
	uint16_t port = htons(4789);

	(void)state;
	op.o.link.u.vxlan.vni = 42;
	op.o.link.u.vxlan.local = nlt_ip("192.0.2.1");
	op.o.link.u.vxlan.remote = nlt_ip("198.51.100.1");
	op.o.link.u.vxlan.port = 4789;
	strcpy(op.o.link.u.vxlan.dev, "eth1");
	kind_data(enc(&op, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL), "vxlan", data);
	assert_int_equal(nlt_u32(data[IFLA_VXLAN_ID]), 42);
	a = nlt_ip("192.0.2.1");
	nlt_bin(data[IFLA_VXLAN_LOCAL], a.a, 4);
	a = nlt_ip("198.51.100.1");
	nlt_bin(data[IFLA_VXLAN_GROUP], a.a, 4);
	nlt_bin(data[IFLA_VXLAN_PORT], &port, 2); /* network order */
	assert_int_equal(nlt_u32(data[IFLA_VXLAN_LINK]), 3);
	assert_null(data[IFLA_VXLAN_LOCAL6]);

	op.o.link.u.vxlan.local = nlt_ip("2001:db8::1");
	op.o.link.u.vxlan.remote = nlt_ip("ff05::42");
	op.o.link.u.vxlan.dev[0] = '\0';
	kind_data(enc(&op, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL), "vxlan", data);
	a = nlt_ip("2001:db8::1");
	nlt_bin(data[IFLA_VXLAN_LOCAL6], a.a, 16);
	a = nlt_ip("ff05::42");
	nlt_bin(data[IFLA_VXLAN_GROUP6], a.a, 16);
	assert_null(data[IFLA_VXLAN_LOCAL]);
	assert_null(data[IFLA_VXLAN_LINK]);
}

static void test_errors(void **state)
{
	static const enum vr_op_code codes[] = {VR_OP_NETNS_ADD, VR_OP_NETNS_DEL, VR_OP_SYSCTL_SET};
	struct vr_op op = link_op(VR_OP_LINK_ADD, "eth9", VR_LINK_OTHER);

	(void)state;
	/* vrd cannot create a kind it has no name for */
	assert_int_equal(vr_enc_op(&op, &nlt_res, 1, buf, sizeof(buf)), -EINVAL);
	op = link_op(VR_OP_LINK_ADD, "br9", VR_LINK_BRIDGE);
	strcpy(op.o.link.master, "vrf-blue");
	assert_int_equal(vr_enc_op(&op, &nlt_res, 1, buf, sizeof(buf)), -ENODEV);
	/* not netlink */
	for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
		op.code = codes[i];
		assert_int_equal(vr_enc_op(&op, &nlt_res, 1, buf, sizeof(buf)), -EOPNOTSUPP);
	}
}

static void test_link_del(void **state)
{
	struct vr_op op = link_op(VR_OP_LINK_DEL, "eth0", VR_LINK_OTHER);
	const struct nlmsghdr *nlh;
	const struct ifinfomsg *ifm;

	(void)state;
	nlh = enc(&op, RTM_DELLINK, 0);
	ifm = mnl_nlmsg_get_payload(nlh);
	assert_int_equal(ifm->ifi_index, 2);
	assert_int_equal(nlh->nlmsg_len, mnl_nlmsg_size(sizeof(*ifm)));
	strcpy(op.o.link.name, "gone0");
	assert_int_equal(vr_enc_op(&op, &nlt_res, 1, buf, sizeof(buf)), -ENODEV);
}

static void test_link_set(void **state)
{
	struct vr_op op = link_op(VR_OP_LINK_SET, "br0", VR_LINK_BRIDGE);
	const struct nlmsghdr *nlh;
	const struct ifinfomsg *ifm;
	nlt_tb tb;

	(void)state;
	op.o.link.mtu = 1400;
	op.o.link.up = 0;
	op.o.link.created = true;
	op.o.link.owner = "red";
	strcpy(op.o.link.master, "vrf-red");
	nlh = enc(&op, RTM_NEWLINK, 0);
	ifm = mnl_nlmsg_get_payload(nlh);
	assert_int_equal(ifm->ifi_index, 11);
	assert_int_equal(ifm->ifi_change, IFF_UP);
	assert_int_equal(ifm->ifi_flags, 0);
	nlt_msg_attrs(nlh, sizeof(*ifm), tb);
	assert_int_equal(nlt_u32(tb[IFLA_MTU]), 1400);
	assert_int_equal(nlt_u32(tb[IFLA_MASTER]), 10);
	nlt_bin(tb[IFLA_IFALIAS], "vrd:red", 7);
	assert_null(tb[IFLA_LINKINFO]);
	assert_null(tb[IFLA_IFNAME]); /* by index: a name would rename */

	/* nothing managed but the master, which is "none" */
	op = link_op(VR_OP_LINK_SET, "eth1", VR_LINK_OTHER);
	nlh = enc(&op, RTM_NEWLINK, 0);
	ifm = mnl_nlmsg_get_payload(nlh);
	assert_int_equal(ifm->ifi_index, 3);
	assert_int_equal(ifm->ifi_change, 0);
	assert_int_equal(ifm->ifi_flags, 0);
	nlt_msg_attrs(nlh, sizeof(*ifm), tb);
	assert_int_equal(nlt_u32(tb[IFLA_MASTER]), 0);
	assert_null(tb[IFLA_MTU]);
	assert_null(tb[IFLA_IFALIAS]);
	assert_null(tb[IFLA_ADDRESS]);
	/* a master vrd does not manage is neither sent nor looked up */
	op.o.link.keep_master = true;
	strcpy(op.o.link.master, "vrf-blue");
	nlt_msg_attrs(enc(&op, RTM_NEWLINK, 0), sizeof(*ifm), tb);
	assert_null(tb[IFLA_MASTER]);
	op.o.link.keep_master = false;
	op.o.link.master[0] = '\0';

	op.o.link.up = 1;
	nlh = enc(&op, RTM_NEWLINK, 0);
	ifm = mnl_nlmsg_get_payload(nlh);
	assert_int_equal(ifm->ifi_change, IFF_UP);
	assert_int_equal(ifm->ifi_flags, IFF_UP);
	strcpy(op.o.link.master, "vrf-blue");
	assert_int_equal(vr_enc_op(&op, &nlt_res, 1, buf, sizeof(buf)), -ENODEV);
}

static void test_link_move(void **state)
{
	struct vr_op op = link_op(VR_OP_LINK_MOVE, "eth1", VR_LINK_OTHER);
	const struct nlmsghdr *nlh;
	nlt_tb tb;

	(void)state;
	op.to_ns = "guest";
	nlh = enc(&op, RTM_NEWLINK, 0);
	assert_int_equal(((const struct ifinfomsg *)mnl_nlmsg_get_payload(nlh))->ifi_index, 3);
	nlt_msg_attrs(nlh, sizeof(struct ifinfomsg), tb);
	assert_int_equal(nlt_u32(tb[IFLA_NET_NS_FD]), 42);
	/* back home: the device is looked up in the namespace it is in */
	op.o.link.ns = "guest";
	strcpy(op.o.link.name, "eth0");
	op.to_ns = "";
	nlh = enc(&op, RTM_NEWLINK, 0);
	assert_int_equal(((const struct ifinfomsg *)mnl_nlmsg_get_payload(nlh))->ifi_index, 21);
	nlt_msg_attrs(nlh, sizeof(struct ifinfomsg), tb);
	assert_int_equal(nlt_u32(tb[IFLA_NET_NS_FD]), 7);
	op.to_ns = "nowhere";
	assert_int_equal(vr_enc_op(&op, &nlt_res, 1, buf, sizeof(buf)), -ENOENT);
}

/* ---- addresses ---- */

static struct vr_op addr_op(enum vr_op_code code, const char *dev, const char *prefix)
{
	struct vr_op op;

	memset(&op, 0, sizeof(op));
	op.code = code;
	op.o.addr.ns = "";
	strcpy(op.o.addr.dev, dev);
	op.o.addr.ip = nlt_ip(prefix);
	op.o.addr.proto = VR_RTPROT;
	return op;
}

static void test_addr(void **state)
{
	struct vr_op op = addr_op(VR_OP_ADDR_ADD, "eth0", "198.18.1.1/24");
	const struct nlmsghdr *nlh;
	const struct ifaddrmsg *ifa;
	nlt_tb tb;

	(void)state;
	nlh = enc(&op, RTM_NEWADDR, NLM_F_CREATE | NLM_F_REPLACE);
	ifa = mnl_nlmsg_get_payload(nlh);
	assert_int_equal(ifa->ifa_family, AF_INET);
	assert_int_equal(ifa->ifa_prefixlen, 24);
	assert_int_equal(ifa->ifa_index, 2);
	assert_int_equal(ifa->ifa_scope, RT_SCOPE_UNIVERSE);
	nlt_msg_attrs(nlh, sizeof(*ifa), tb);
	nlt_bin(tb[IFA_LOCAL], op.o.addr.ip.a, 4);
	nlt_bin(tb[IFA_ADDRESS], op.o.addr.ip.a, 4);
	assert_int_equal(nlt_u8(tb[IFA_PROTO]), VR_RTPROT);
	assert_null(tb[IFA_BROADCAST]);

	op = addr_op(VR_OP_ADDR_DEL, "eth1", "2001:db8:2::1/64");
	nlh = enc(&op, RTM_DELADDR, 0);
	ifa = mnl_nlmsg_get_payload(nlh);
	assert_int_equal(ifa->ifa_family, AF_INET6);
	assert_int_equal(ifa->ifa_prefixlen, 64);
	assert_int_equal(ifa->ifa_index, 3);
	nlt_msg_attrs(nlh, sizeof(*ifa), tb);
	nlt_bin(tb[IFA_LOCAL], op.o.addr.ip.a, 16);
	nlt_bin(tb[IFA_ADDRESS], op.o.addr.ip.a, 16);
	assert_null(tb[IFA_PROTO]);

	strcpy(op.o.addr.dev, "gone0");
	assert_int_equal(vr_enc_op(&op, &nlt_res, 1, buf, sizeof(buf)), -ENODEV);
}

/* ---- routes ---- */

#define rtm_of(nlh) ((const struct rtmsg *)mnl_nlmsg_get_payload(nlh))

static void test_route_single(void **state)
{
	struct vr_op op = nlt_route_op(VR_OP_ROUTE_ADD, "198.19.0.0/16", 100);
	const struct nlmsghdr *nlh;
	const struct rtmsg *rtm;
	struct vr_ip gw = nlt_ip("198.18.2.2");
	nlt_tb tb;

	(void)state;
	op.o.route.metric = 20;
	nlt_add_nh(&op, "198.18.2.2", "eth0", 1);
	nlh = enc(&op, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL);
	rtm = rtm_of(nlh);
	assert_int_equal(rtm->rtm_family, AF_INET);
	assert_int_equal(rtm->rtm_dst_len, 16);
	assert_int_equal(rtm->rtm_table, 100);
	assert_int_equal(rtm->rtm_protocol, VR_RTPROT);
	assert_int_equal(rtm->rtm_type, RTN_UNICAST);
	assert_int_equal(rtm->rtm_scope, RT_SCOPE_UNIVERSE);
	nlt_msg_attrs(nlh, sizeof(*rtm), tb);
	nlt_bin(tb[RTA_DST], op.o.route.dst.a, 4);
	assert_null(tb[RTA_TABLE]);
	assert_int_equal(nlt_u32(tb[RTA_PRIORITY]), 20);
	assert_int_equal(nlt_u32(tb[RTA_OIF]), 2);
	nlt_bin(tb[RTA_GATEWAY], gw.a, 4);
	assert_null(tb[RTA_VIA]);
	assert_null(tb[RTA_MULTIPATH]);

	/* device only, big table, replace */
	op = nlt_route_op(VR_OP_ROUTE_REPLACE, "198.20.0.0/24", 1000);
	nlt_add_nh(&op, NULL, "eth1", 1);
	nlh = enc(&op, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_REPLACE);
	rtm = rtm_of(nlh);
	assert_int_equal(rtm->rtm_table, RT_TABLE_UNSPEC);
	assert_int_equal(rtm->rtm_scope, RT_SCOPE_LINK);
	nlt_msg_attrs(nlh, sizeof(*rtm), tb);
	assert_int_equal(nlt_u32(tb[RTA_TABLE]), 1000);
	assert_int_equal(nlt_u32(tb[RTA_OIF]), 3);
	assert_null(tb[RTA_GATEWAY]);
	assert_null(tb[RTA_PRIORITY]);

	/* IPv6 has no scopes: universe even device-only */
	op = nlt_route_op(VR_OP_ROUTE_ADD, "2001:db8:5::/64", 100);
	nlt_add_nh(&op, NULL, "eth1", 1);
	nlh = enc(&op, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL);
	assert_int_equal(rtm_of(nlh)->rtm_scope, RT_SCOPE_UNIVERSE);

	op = nlt_route_op(VR_OP_ROUTE_ADD, "198.19.0.0/16", 100);
	nlt_add_nh(&op, "198.18.2.2", "gone0", 1);
	assert_int_equal(vr_enc_op(&op, &nlt_res, 1, buf, sizeof(buf)), -ENODEV);

	/* no next hop, no RTA_DST for /0, universe */
	op = nlt_route_op(VR_OP_ROUTE_ADD, "::/0", 100);
	op.o.route.type = RTN_BLACKHOLE;
	nlh = enc(&op, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL);
	assert_int_equal(rtm_of(nlh)->rtm_family, AF_INET6);
	assert_int_equal(rtm_of(nlh)->rtm_dst_len, 0);
	assert_int_equal(rtm_of(nlh)->rtm_type, RTN_BLACKHOLE);
	assert_int_equal(rtm_of(nlh)->rtm_scope, RT_SCOPE_UNIVERSE);
	nlt_msg_attrs(nlh, sizeof(struct rtmsg), tb);
	assert_null(tb[RTA_DST]);
	assert_null(tb[RTA_OIF]);
	assert_null(tb[RTA_GATEWAY]);

	op = nlt_route_op(VR_OP_ROUTE_ADD, "0.0.0.0/0", 100);
	op.o.route.type = RTN_UNREACHABLE;
	nlh = enc(&op, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL);
	assert_int_equal(rtm_of(nlh)->rtm_scope, RT_SCOPE_UNIVERSE);
	nlt_msg_attrs(nlh, sizeof(struct rtmsg), tb);
	assert_null(tb[RTA_DST]);
}

/* rtnexthop i of an RTA_MULTIPATH, with its attributes in tb. */
static const struct rtnexthop *mp_nh(const struct nlattr *mp, unsigned i, nlt_tb tb)
{
	const struct rtnexthop *rtnh = mnl_attr_get_payload(mp);
	int rem = mnl_attr_get_payload_len(mp);

	for (; i; i--) {
		assert_true(RTNH_OK(rtnh, rem));
		rem -= RTNH_ALIGN(rtnh->rtnh_len);
		rtnh = RTNH_NEXT(rtnh);
	}
	assert_true(RTNH_OK(rtnh, rem));
	nlt_attrs(RTNH_DATA(rtnh), rtnh->rtnh_len - RTNH_LENGTH(0), tb);
	return rtnh;
}

static void test_route_multipath(void **state)
{
	struct vr_op op = nlt_route_op(VR_OP_ROUTE_ADD, "198.19.0.0/16", 100);
	struct vr_ip g1 = nlt_ip("fe80::1"), g2 = nlt_ip("fe80::2"), g4 = nlt_ip("198.18.2.2");
	const struct nlmsghdr *nlh;
	const struct rtnexthop *rtnh;
	const struct nlattr *mp;
	const struct rtvia *via;
	nlt_tb tb, nt;

	(void)state;
	/* one next hop of the other family: RTA_VIA */
	nlt_add_nh(&op, "fe80::1", "eth0", 1);
	nlh = enc(&op, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL);
	assert_int_equal(rtm_of(nlh)->rtm_scope, RT_SCOPE_UNIVERSE);
	nlt_msg_attrs(nlh, sizeof(struct rtmsg), tb);
	assert_null(tb[RTA_GATEWAY]);
	assert_non_null(tb[RTA_VIA]);
	assert_int_equal(mnl_attr_get_payload_len(tb[RTA_VIA]), 2 + 16);
	via = mnl_attr_get_payload(tb[RTA_VIA]);
	assert_int_equal(via->rtvia_family, AF_INET6);
	assert_memory_equal(via->rtvia_addr, g1.a, 16);
	assert_int_equal(nlt_u32(tb[RTA_OIF]), 2);

	op = nlt_route_op(VR_OP_ROUTE_ADD, "2001:db8:1::/48", 100);
	op.o.route.metric = 1024;
	nlt_add_nh(&op, "fe80::1", "eth0", 1);
	nlt_add_nh(&op, "fe80::2", "eth1", 3);
	nlh = enc(&op, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL);
	nlt_msg_attrs(nlh, sizeof(struct rtmsg), tb);
	assert_null(tb[RTA_OIF]);
	assert_null(tb[RTA_GATEWAY]);
	mp = tb[RTA_MULTIPATH];
	assert_non_null(mp);
	assert_int_equal(mp->nla_type, RTA_MULTIPATH); /* no NLA_F_NESTED */
	rtnh = mp_nh(mp, 0, nt);
	assert_int_equal(rtnh->rtnh_hops, 0);
	assert_int_equal(rtnh->rtnh_ifindex, 2);
	assert_int_equal(rtnh->rtnh_flags, 0);
	nlt_bin(nt[RTA_GATEWAY], g1.a, 16);
	rtnh = mp_nh(mp, 1, nt);
	assert_int_equal(rtnh->rtnh_hops, 2);
	assert_int_equal(rtnh->rtnh_ifindex, 3);
	nlt_bin(nt[RTA_GATEWAY], g2.a, 16);
	/* exactly two entries fill the attribute */
	assert_int_equal(mnl_attr_get_payload_len(mp),
	                 RTNH_ALIGN(RTNH_LENGTH(4 + 16)) + RTNH_ALIGN(RTNH_LENGTH(4 + 16)));

	/* IPv4 over one IPv4 and one IPv6 next hop */
	op = nlt_route_op(VR_OP_ROUTE_REPLACE, "198.19.0.0/16", 100);
	nlt_add_nh(&op, "198.18.2.2", "eth0", 1);
	nlt_add_nh(&op, "fe80::2", "eth1", 1);
	nlh = enc(&op, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_REPLACE);
	nlt_msg_attrs(nlh, sizeof(struct rtmsg), tb);
	rtnh = mp_nh(tb[RTA_MULTIPATH], 0, nt);
	nlt_bin(nt[RTA_GATEWAY], g4.a, 4);
	assert_null(nt[RTA_VIA]);
	rtnh = mp_nh(tb[RTA_MULTIPATH], 1, nt);
	assert_int_equal(rtnh->rtnh_ifindex, 3);
	assert_null(nt[RTA_GATEWAY]);
	assert_non_null(nt[RTA_VIA]);
	via = mnl_attr_get_payload(nt[RTA_VIA]);
	assert_int_equal(via->rtvia_family, AF_INET6);
	assert_memory_equal(via->rtvia_addr, g2.a, 16);

	op.o.route.n_nh = VR_MAX_NH + 1;
	assert_int_equal(vr_enc_op(&op, &nlt_res, 1, buf, sizeof(buf)), -EINVAL);
}

static void test_route_del(void **state)
{
	struct vr_op op = nlt_route_op(VR_OP_ROUTE_DEL, "198.19.0.0/16", 1000);
	const struct nlmsghdr *nlh;
	const struct rtmsg *rtm;
	nlt_tb tb;

	(void)state;
	op.o.route.metric = 20;
	/* next hops are not part of the key: not even resolved */
	nlt_add_nh(&op, "198.18.2.2", "gone0", 1);
	nlt_add_nh(&op, "198.18.3.2", "gone1", 1);
	nlh = enc(&op, RTM_DELROUTE, 0);
	rtm = rtm_of(nlh);
	assert_int_equal(rtm->rtm_scope, RT_SCOPE_NOWHERE);
	assert_int_equal(rtm->rtm_protocol, VR_RTPROT);
	assert_int_equal(rtm->rtm_table, RT_TABLE_UNSPEC);
	assert_int_equal(rtm->rtm_dst_len, 16);
	nlt_msg_attrs(nlh, sizeof(*rtm), tb);
	nlt_bin(tb[RTA_DST], op.o.route.dst.a, 4);
	assert_int_equal(nlt_u32(tb[RTA_TABLE]), 1000);
	assert_int_equal(nlt_u32(tb[RTA_PRIORITY]), 20);
	assert_null(tb[RTA_OIF]);
	assert_null(tb[RTA_GATEWAY]);
	assert_null(tb[RTA_MULTIPATH]);
}

/* ---- rules ---- */

static void test_rule(void **state)
{
	struct vr_op op;
	const struct nlmsghdr *nlh;
	const struct fib_rule_hdr *frh;
	nlt_tb tb;

	(void)state;
	memset(&op, 0, sizeof(op));
	op.code = VR_OP_RULE_ADD;
	op.o.rule.ns = "";
	op.o.rule.family = AF_INET6;
	op.o.rule.priority = VR_L3MDEV_PRIO;
	op.o.rule.l3mdev = true;
	op.o.rule.protocol = VR_RTPROT;
	nlh = enc(&op, RTM_NEWRULE, NLM_F_CREATE | NLM_F_EXCL);
	frh = mnl_nlmsg_get_payload(nlh);
	assert_int_equal(frh->family, AF_INET6);
	assert_int_equal(frh->action, FR_ACT_TO_TBL);
	assert_int_equal(frh->table, 0);
	assert_int_equal(frh->dst_len + frh->src_len + frh->tos + frh->flags, 0);
	nlt_msg_attrs(nlh, sizeof(*frh), tb);
	assert_int_equal(nlt_u32(tb[FRA_PRIORITY]), VR_L3MDEV_PRIO);
	assert_int_equal(nlt_u8(tb[FRA_L3MDEV]), 1);
	assert_null(tb[FRA_TABLE]);
	assert_int_equal(nlt_u8(tb[FRA_PROTOCOL]), VR_RTPROT);

	op.code = VR_OP_RULE_DEL;
	op.o.rule.family = AF_INET;
	op.o.rule.l3mdev = false;
	op.o.rule.table = 1000;
	op.o.rule.priority = 0;
	nlh = enc(&op, RTM_DELRULE, 0);
	frh = mnl_nlmsg_get_payload(nlh);
	assert_int_equal(frh->table, RT_TABLE_UNSPEC);
	nlt_msg_attrs(nlh, sizeof(*frh), tb);
	assert_int_equal(nlt_u32(tb[FRA_TABLE]), 1000);
	assert_int_equal(nlt_u32(tb[FRA_PRIORITY]), 0); /* exact, never a wildcard */
	assert_null(tb[FRA_L3MDEV]);

	op.o.rule.table = 100;
	nlh = enc(&op, RTM_DELRULE, 0);
	frh = mnl_nlmsg_get_payload(nlh);
	assert_int_equal(frh->table, 100);
	nlt_msg_attrs(nlh, sizeof(*frh), tb);
	assert_null(tb[FRA_TABLE]);

	op.o.rule.family = 0;
	assert_int_equal(vr_enc_op(&op, &nlt_res, 1, buf, sizeof(buf)), -EINVAL);
}

static void test_rule_iif(void **state)
{
	struct vr_op op;
	const struct nlmsghdr *nlh;
	const struct fib_rule_hdr *frh;
	nlt_tb tb;

	(void)state;
	memset(&op, 0, sizeof(op));
	op.code = VR_OP_RULE_ADD;
	op.o.rule.ns = "";
	op.o.rule.family = AF_INET;
	op.o.rule.priority = 900;
	op.o.rule.table = 101;
	op.o.rule.protocol = VR_RTPROT;
	strcpy(op.o.rule.iif, "up0");
	nlh = enc(&op, RTM_NEWRULE, NLM_F_CREATE | NLM_F_EXCL);
	frh = mnl_nlmsg_get_payload(nlh);
	assert_int_equal(frh->table, 101);
	nlt_msg_attrs(nlh, sizeof(*frh), tb);
	nlt_str(tb[FRA_IIFNAME], "up0");
	assert_int_equal(nlt_u32(tb[FRA_PRIORITY]), 900);
	assert_int_equal(nlt_u8(tb[FRA_PROTOCOL]), VR_RTPROT);
	assert_null(tb[FRA_OIFNAME]);

	/* a delete names the device too, and needs no such device: the
	 * kernel keeps rules by name */
	op.code = VR_OP_RULE_DEL;
	strcpy(op.o.rule.iif, "gone0");
	nlh = enc(&op, RTM_DELRULE, 0);
	nlt_msg_attrs(nlh, sizeof(*frh), tb);
	nlt_str(tb[FRA_IIFNAME], "gone0");
}

/* ---- neighbour proxy entries ---- */

static struct vr_op proxy_op(enum vr_op_code code, const char *dev, const char *ip)
{
	struct vr_op op;

	memset(&op, 0, sizeof(op));
	op.code = code;
	op.o.proxy.ns = "";
	strcpy(op.o.proxy.dev, dev);
	op.o.proxy.ip = nlt_ip(ip);
	op.o.proxy.proto = VR_RTPROT;
	return op;
}

static void test_proxy(void **state)
{
	struct vr_op op = proxy_op(VR_OP_PROXY_ADD, "eth1", "2001:db8:1::1");
	const struct nlmsghdr *nlh;
	const struct ndmsg *ndm;
	nlt_tb tb;

	(void)state;
	nlh = enc(&op, RTM_NEWNEIGH, NLM_F_CREATE | NLM_F_REPLACE);
	ndm = mnl_nlmsg_get_payload(nlh);
	assert_int_equal(ndm->ndm_family, AF_INET6);
	assert_int_equal(ndm->ndm_ifindex, 3);
	assert_int_equal(ndm->ndm_flags, NTF_PROXY);
	assert_int_equal(ndm->ndm_state, NUD_PERMANENT);
	assert_int_equal(ndm->ndm_type, 0);
	nlt_msg_attrs(nlh, sizeof(*ndm), tb);
	nlt_bin(tb[NDA_DST], op.o.proxy.ip.a, 16);
	assert_int_equal(nlt_u8(tb[NDA_PROTOCOL]), VR_RTPROT);
	assert_null(tb[NDA_LLADDR]);

	/* a delete: the key only */
	op = proxy_op(VR_OP_PROXY_DEL, "eth0", "198.18.1.1");
	nlh = enc(&op, RTM_DELNEIGH, 0);
	ndm = mnl_nlmsg_get_payload(nlh);
	assert_int_equal(ndm->ndm_family, AF_INET);
	assert_int_equal(ndm->ndm_ifindex, 2);
	assert_int_equal(ndm->ndm_flags, NTF_PROXY);
	nlt_msg_attrs(nlh, sizeof(*ndm), tb);
	nlt_bin(tb[NDA_DST], op.o.proxy.ip.a, 4);
	assert_null(tb[NDA_PROTOCOL]);

	/* no device: an entry for all of them (ifindex 0), in a namespace
	 * of its own */
	op = proxy_op(VR_OP_PROXY_ADD, "", "198.18.1.2");
	op.o.proxy.proto = 0;
	nlh = enc(&op, RTM_NEWNEIGH, NLM_F_CREATE | NLM_F_REPLACE);
	ndm = mnl_nlmsg_get_payload(nlh);
	assert_int_equal(ndm->ndm_ifindex, 0);
	nlt_msg_attrs(nlh, sizeof(*ndm), tb);
	assert_null(tb[NDA_PROTOCOL]);
	op = proxy_op(VR_OP_PROXY_ADD, "eth0", "198.18.1.2");
	op.o.proxy.ns = "guest";
	ndm = mnl_nlmsg_get_payload(enc(&op, RTM_NEWNEIGH, NLM_F_CREATE | NLM_F_REPLACE));
	assert_int_equal(ndm->ndm_ifindex, 21);

	/* errors: a device that is not there, a prefix, no family */
	op = proxy_op(VR_OP_PROXY_ADD, "gone0", "198.18.1.1");
	assert_int_equal(vr_enc_op(&op, &nlt_res, 1, buf, sizeof(buf)), -ENODEV);
	op.code = VR_OP_PROXY_DEL;
	assert_int_equal(vr_enc_op(&op, &nlt_res, 1, buf, sizeof(buf)), -ENODEV);
	op = proxy_op(VR_OP_PROXY_ADD, "eth0", "198.18.1.0/24");
	assert_int_equal(vr_enc_op(&op, &nlt_res, 1, buf, sizeof(buf)), -EINVAL);
	op.o.proxy.ip.family = 0;
	assert_int_equal(vr_enc_op(&op, &nlt_res, 1, buf, sizeof(buf)), -EINVAL);
}

/* ---- buffer bounds ---- */

#define CANARY 64

/* Every length short of the message gives 0 and leaves the bytes after the
 * buffer alone; the exact length is enough. */
static void check_bounds(const struct vr_op *op)
{
	ssize_t full = vr_enc_op(op, &nlt_res, 1, buf, sizeof(buf));

	assert_true(full > 0);
	for (size_t len = 0; len <= (size_t)full; len++) {
		uint8_t *b = malloc(len + CANARY);

		assert_non_null(b);
		memset(b, 0xa5, len + CANARY);
		assert_int_equal(vr_enc_op(op, &nlt_res, 1, b, len),
		                 len == (size_t)full ? full : 0);
		for (size_t i = len; i < len + CANARY; i++)
			assert_int_equal(b[i], 0xa5);
		free(b);
	}
}

static void test_too_small(void **state)
{
	struct vr_op op;

	(void)state;
	op = link_op(VR_OP_LINK_ADD, "veth-red", VR_LINK_VETH);
	op.o.link.created = true;
	op.o.link.owner = "red";
	op.o.link.mtu = 1400;
	strcpy(op.o.link.master, "vrf-red");
	strcpy(op.o.link.u.veth.peer, "veth-red-p");
	op.o.link.u.veth.peer_ns = "guest";
	strcpy(op.o.link.u.veth.peer_master, "br-g");
	check_bounds(&op);
	op = link_op(VR_OP_LINK_ADD, "vx42", VR_LINK_VXLAN);
	op.o.link.u.vxlan.local = nlt_ip("2001:db8::1");
	op.o.link.u.vxlan.remote = nlt_ip("2001:db8::2");
	op.o.link.u.vxlan.port = 4789;
	check_bounds(&op);
	op = link_op(VR_OP_LINK_SET, "br0", VR_LINK_BRIDGE);
	op.o.link.created = true;
	op.o.link.owner = "red";
	check_bounds(&op);
	op = link_op(VR_OP_LINK_DEL, "br0", VR_LINK_BRIDGE);
	check_bounds(&op);
	op = link_op(VR_OP_LINK_MOVE, "eth1", VR_LINK_OTHER);
	op.to_ns = "guest";
	check_bounds(&op);
	op = addr_op(VR_OP_ADDR_ADD, "eth0", "2001:db8::1/64");
	check_bounds(&op);
	op = nlt_route_op(VR_OP_ROUTE_ADD, "2001:db8:1::/48", 1000);
	op.o.route.metric = 1024;
	nlt_add_nh(&op, "fe80::1", "eth0", 1);
	nlt_add_nh(&op, "198.18.2.2", "eth1", 2);
	nlt_add_nh(&op, NULL, "eth1", 3);
	check_bounds(&op);
	op.code = VR_OP_ROUTE_DEL;
	check_bounds(&op);
	memset(&op, 0, sizeof(op));
	op.code = VR_OP_RULE_ADD;
	op.o.rule.family = AF_INET;
	op.o.rule.table = 1000;
	op.o.rule.protocol = VR_RTPROT;
	strcpy(op.o.rule.iif, "eth0");
	check_bounds(&op);
	op = proxy_op(VR_OP_PROXY_ADD, "eth0", "2001:db8::1");
	check_bounds(&op);
	op.code = VR_OP_PROXY_DEL;
	check_bounds(&op);
}

/* ---- dump requests ---- */

static void test_dumps(void **state)
{
	const struct nlmsghdr *nlh = (const void *)buf;
	const struct ifinfomsg *ifm;
	const struct rtmsg *rtm;
	const struct fib_rule_hdr *frh;
	uint8_t zero[sizeof(struct ifinfomsg)] = {0};
	size_t n;
	nlt_tb tb;

	(void)state;
	memset(buf, 0xa5, sizeof(buf));
	n = vr_enc_dump_links(buf, sizeof(buf), 7);
	assert_int_equal(n, nlh->nlmsg_len);
	assert_int_equal(nlh->nlmsg_type, RTM_GETLINK);
	assert_int_equal(nlh->nlmsg_flags, NLM_F_REQUEST | NLM_F_DUMP);
	assert_int_equal(nlh->nlmsg_seq, 7);
	ifm = mnl_nlmsg_get_payload(nlh);
	assert_memory_equal(ifm, zero, sizeof(*ifm));
	nlt_msg_attrs(nlh, sizeof(*ifm), tb);
	assert_int_equal(nlt_u32(tb[IFLA_EXT_MASK]), RTEXT_FILTER_SKIP_STATS);
	assert_int_equal(vr_enc_dump_links(buf, n - 1, 7), 0);

	n = vr_enc_dump_addrs(buf, sizeof(buf), 8, AF_INET6);
	assert_int_equal(n, mnl_nlmsg_size(sizeof(struct ifaddrmsg)));
	assert_int_equal(nlh->nlmsg_type, RTM_GETADDR);
	assert_int_equal(nlh->nlmsg_flags, NLM_F_REQUEST | NLM_F_DUMP);
	assert_int_equal(((const struct ifaddrmsg *)mnl_nlmsg_get_payload(nlh))->ifa_family,
	                 AF_INET6);
	assert_int_equal(vr_enc_dump_addrs(buf, n - 1, 8, AF_INET6), 0);

	n = vr_enc_dump_routes(buf, sizeof(buf), 9, AF_UNSPEC, 0, 0);
	assert_int_equal(n, mnl_nlmsg_size(sizeof(*rtm)));
	assert_int_equal(nlh->nlmsg_type, RTM_GETROUTE);
	assert_memory_equal(mnl_nlmsg_get_payload(nlh), zero, sizeof(*rtm));
	n = vr_enc_dump_routes(buf, sizeof(buf), 9, AF_INET, 100, VR_RTPROT);
	rtm = mnl_nlmsg_get_payload(nlh);
	assert_int_equal(rtm->rtm_family, AF_INET);
	assert_int_equal(rtm->rtm_table, 100);
	assert_int_equal(rtm->rtm_protocol, VR_RTPROT);
	assert_int_equal(rtm->rtm_scope + rtm->rtm_type + rtm->rtm_dst_len + rtm->rtm_flags, 0);
	assert_int_equal(n, mnl_nlmsg_size(sizeof(*rtm)));
	n = vr_enc_dump_routes(buf, sizeof(buf), 9, AF_INET6, 1000, 0);
	assert_int_equal(rtm->rtm_table, RT_TABLE_UNSPEC);
	nlt_msg_attrs(nlh, sizeof(*rtm), tb);
	assert_int_equal(nlt_u32(tb[RTA_TABLE]), 1000);
	assert_int_equal(vr_enc_dump_routes(buf, n - 1, 9, AF_INET6, 1000, 0), 0);

	n = vr_enc_dump_rules(buf, sizeof(buf), 10, AF_INET);
	assert_int_equal(n, mnl_nlmsg_size(sizeof(*frh)));
	assert_int_equal(nlh->nlmsg_type, RTM_GETRULE);
	frh = mnl_nlmsg_get_payload(nlh);
	assert_int_equal(frh->family, AF_INET);
	assert_int_equal(frh->table + frh->action + frh->flags, 0);
	assert_int_equal(vr_enc_dump_rules(buf, 3, 10, AF_INET), 0);

	/* the proxy tables: ndm_flags exactly NTF_PROXY, the rest zero (a
	 * strict socket rejects anything else in a neighbour dump header) */
	n = vr_enc_dump_proxies(buf, sizeof(buf), 11, AF_UNSPEC);
	assert_int_equal(n, mnl_nlmsg_size(sizeof(struct ndmsg)));
	assert_int_equal(nlh->nlmsg_type, RTM_GETNEIGH);
	assert_int_equal(nlh->nlmsg_flags, NLM_F_REQUEST | NLM_F_DUMP);
	assert_int_equal(nlh->nlmsg_seq, 11);
	{
		const struct ndmsg *ndm = mnl_nlmsg_get_payload(nlh);
		struct ndmsg want = {.ndm_family = AF_UNSPEC, .ndm_flags = NTF_PROXY};
		assert_memory_equal(ndm, &want, sizeof(want));
	}
	n = vr_enc_dump_proxies(buf, sizeof(buf), 11, AF_INET6);
	assert_int_equal(((const struct ndmsg *)mnl_nlmsg_get_payload(nlh))->ndm_family, AF_INET6);
	assert_int_equal(vr_enc_dump_proxies(buf, n - 1, 11, AF_INET6), 0);
}

int main(void)
{
	/* clang-format off */
	const struct CMUnitTest t[] = {
		cmocka_unit_test(test_link_add_vrf),
		cmocka_unit_test(test_link_add_bridge),
		cmocka_unit_test(test_link_add_veth),
		cmocka_unit_test(test_link_add_macvlan),
		cmocka_unit_test(test_link_add_vxlan),
		cmocka_unit_test(test_link_del),
		cmocka_unit_test(test_link_set),
		cmocka_unit_test(test_link_move),
		cmocka_unit_test(test_addr),
		cmocka_unit_test(test_route_single),
		cmocka_unit_test(test_route_multipath),
		cmocka_unit_test(test_route_del),
		cmocka_unit_test(test_rule),
		cmocka_unit_test(test_rule_iif),
		cmocka_unit_test(test_proxy),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_too_small),
		cmocka_unit_test(test_dumps),
	};
	/* clang-format on */
	return cmocka_run_group_tests(t, NULL, NULL);
}
