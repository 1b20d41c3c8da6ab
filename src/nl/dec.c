/* nl/dec.c - pure rtnetlink decoders: one link, address, route, rule or
 * neighbour proxy message (RTM_NEW* or RTM_DEL*, dump answer or
 * notification) -> one state object.  This file owns the validation of
 * what the kernel sends: every attribute vrd reads is checked for its exact
 * length, and a message that is malformed anywhere is rejected whole with
 * -EINVAL, never half-decoded.  Attributes vrd does not read, and attribute
 * types newer than the headers it was built with, are skipped. */
#include "nl/dec.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include <libmnl/libmnl.h>
#include <linux/fib_rules.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>
#include <linux/version.h>

/* IFA_PROTO (u8) appeared in the 6.0 uapi headers. */
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 0, 0)
#define IFA_PROTO 11
#endif
#define ADDR_MAX (IFA_MAX > IFA_PROTO ? IFA_MAX : IFA_PROTO)

#define ALIAS_MAX 256 /* IFALIASZ */

typedef enum mnl_attr_data_type pol_t; /* MNL_TYPE_UNSPEC: not read, skipped */

/* Fill tb[0..max] from a stream of attributes.  Unlike mnl_attr_parse(),
 * which silently stops at the first attribute that does not fit, bytes that
 * do not form a whole attribute make the message malformed. */
static int parse(const void *data, size_t len, const struct nlattr **tb, uint16_t max,
                 const pol_t *pol)
{
	const struct nlattr *a = data;
	size_t rem = len;

	memset(tb, 0, (max + 1u) * sizeof(*tb));
	while (rem) {
		size_t step;
		uint16_t t;

		if (rem < MNL_ATTR_HDRLEN || a->nla_len < MNL_ATTR_HDRLEN || a->nla_len > rem)
			return -EINVAL;
		t = mnl_attr_get_type(a);
		if (t <= max && pol[t] != MNL_TYPE_UNSPEC) {
			if (mnl_attr_validate(a, pol[t]) < 0)
				return -EINVAL;
			tb[t] = a;
		}
		/* the last attribute's padding may be cut off */
		step = MNL_ALIGN((size_t)a->nla_len);
		if (step >= rem)
			break;
		rem -= step;
		a = mnl_attr_next(a);
	}
	return 0;
}

static int parse_nested(const struct nlattr *nest, const struct nlattr **tb, uint16_t max,
                        const pol_t *pol)
{
	return parse(mnl_attr_get_payload(nest), mnl_attr_get_payload_len(nest), tb, max, pol);
}

/* The fixed header after nlmsghdr, when nlh is one of the two types and
 * long enough to hold it; its attributes follow at *attrs, *alen bytes. */
static const void *msg_hdr(const struct nlmsghdr *nlh, uint16_t t_new, uint16_t t_del,
                           size_t hdrlen, const void **attrs, size_t *alen)
{
	size_t off = MNL_NLMSG_HDRLEN + MNL_ALIGN(hdrlen);

	if (!nlh || (nlh->nlmsg_type != t_new && nlh->nlmsg_type != t_del) || nlh->nlmsg_len < off)
		return NULL;
	*attrs = (const char *)nlh + off;
	*alen = nlh->nlmsg_len - off;
	return mnl_nlmsg_get_payload(nlh);
}

static unsigned family_len(unsigned family)
{
	return family == AF_INET ? 4 : family == AF_INET6 ? 16 : 0;
}

/* An address attribute of family: exactly its length.  plen is the host
 * length, as vr_ip_parse() gives for a plain address. */
static int get_ip(const struct nlattr *a, unsigned family, struct vr_ip *ip)
{
	unsigned alen = family_len(family);

	if (!alen || mnl_attr_get_payload_len(a) != alen)
		return -EINVAL;
	memset(ip, 0, sizeof(*ip));
	ip->family = (uint8_t)family;
	ip->plen = (uint8_t)(alen * 8);
	memcpy(ip->a, mnl_attr_get_payload(a), alen);
	return 0;
}

/* A non-empty string that fits size with its NUL; the kernel's own NUL is
 * optional (requests built by iproute2 often omit it). */
static int get_str(const struct nlattr *a, char *dst, size_t size)
{
	const char *s = mnl_attr_get_payload(a);
	size_t n = strnlen(s, mnl_attr_get_payload_len(a));

	if (!n || n >= size)
		return -EINVAL;
	memcpy(dst, s, n);
	dst[n] = '\0';
	return 0;
}

/* ---- links ---- */

static const pol_t link_pol[IFLA_MAX + 1] = {
    [IFLA_IFNAME] = MNL_TYPE_STRING,    [IFLA_MTU] = MNL_TYPE_U32,
    [IFLA_LINK] = MNL_TYPE_U32,         [IFLA_MASTER] = MNL_TYPE_U32,
    [IFLA_LINKINFO] = MNL_TYPE_NESTED,  [IFLA_IFALIAS] = MNL_TYPE_BINARY,
    [IFLA_LINK_NETNSID] = MNL_TYPE_U32, [IFLA_ADDRESS] = MNL_TYPE_BINARY,
};
static const pol_t info_pol[IFLA_INFO_MAX + 1] = {
    [IFLA_INFO_KIND] = MNL_TYPE_STRING,
    [IFLA_INFO_DATA] = MNL_TYPE_NESTED,
};
static const pol_t vrf_pol[IFLA_VRF_MAX + 1] = {
    [IFLA_VRF_TABLE] = MNL_TYPE_U32,
};
static const pol_t macvlan_pol[IFLA_MACVLAN_MAX + 1] = {
    [IFLA_MACVLAN_MODE] = MNL_TYPE_U32,
};
static const pol_t vxlan_pol[IFLA_VXLAN_MAX + 1] = {
    [IFLA_VXLAN_ID] = MNL_TYPE_U32,       [IFLA_VXLAN_LINK] = MNL_TYPE_U32,
    [IFLA_VXLAN_GROUP] = MNL_TYPE_BINARY, [IFLA_VXLAN_GROUP6] = MNL_TYPE_BINARY,
    [IFLA_VXLAN_LOCAL] = MNL_TYPE_BINARY, [IFLA_VXLAN_LOCAL6] = MNL_TYPE_BINARY,
    [IFLA_VXLAN_PORT] = MNL_TYPE_U16,
};

static int dec_vxlan(const struct nlattr *data, struct vr_link *l)
{
	const struct nlattr *tb[IFLA_VXLAN_MAX + 1];
	int err;

	if ((err = parse_nested(data, tb, IFLA_VXLAN_MAX, vxlan_pol)))
		return err;
	if (tb[IFLA_VXLAN_ID])
		l->u.vxlan.vni = mnl_attr_get_u32(tb[IFLA_VXLAN_ID]);
	/* the kernel leaves out an unset (any) address */
	if (tb[IFLA_VXLAN_LOCAL] &&
	    (err = get_ip(tb[IFLA_VXLAN_LOCAL], AF_INET, &l->u.vxlan.local)))
		return err;
	if (tb[IFLA_VXLAN_LOCAL6] &&
	    (err = get_ip(tb[IFLA_VXLAN_LOCAL6], AF_INET6, &l->u.vxlan.local)))
		return err;
	if (tb[IFLA_VXLAN_GROUP] &&
	    (err = get_ip(tb[IFLA_VXLAN_GROUP], AF_INET, &l->u.vxlan.remote)))
		return err;
	if (tb[IFLA_VXLAN_GROUP6] &&
	    (err = get_ip(tb[IFLA_VXLAN_GROUP6], AF_INET6, &l->u.vxlan.remote)))
		return err;
	if (tb[IFLA_VXLAN_PORT])
		l->u.vxlan.port = ntohs(mnl_attr_get_u16(tb[IFLA_VXLAN_PORT]));
	/* A vxlan has no IFLA_LINK (its iflink is itself): the underlay is
	 * only known from here. */
	if (tb[IFLA_VXLAN_LINK] && mnl_attr_get_u32(tb[IFLA_VXLAN_LINK]))
		l->link_index = (int)mnl_attr_get_u32(tb[IFLA_VXLAN_LINK]);
	return 0;
}

static int dec_linkinfo(const struct nlattr *info, struct vr_link *l)
{
	static const struct {
		const char *name;
		enum vr_link_kind kind;
	} kinds[] = {
	    {"vrf", VR_LINK_VRF},         {"bridge", VR_LINK_BRIDGE}, {"veth", VR_LINK_VETH},
	    {"macvlan", VR_LINK_MACVLAN}, {"vxlan", VR_LINK_VXLAN},
	};
	const struct nlattr *tb[IFLA_INFO_MAX + 1], *dtb[IFLA_VXLAN_MAX + 1];
	const struct nlattr *data;
	char kind[32];
	int err;

	if ((err = parse_nested(info, tb, IFLA_INFO_MAX, info_pol)))
		return err;
	/* a kind vrd has no name for is just another port */
	if (!tb[IFLA_INFO_KIND] || get_str(tb[IFLA_INFO_KIND], kind, sizeof(kind)))
		return 0;
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (!strcmp(kind, kinds[i].name))
			l->kind = kinds[i].kind;
	data = tb[IFLA_INFO_DATA];
	if (!data)
		return 0;
	switch (l->kind) {
	case VR_LINK_VRF:
		if ((err = parse_nested(data, dtb, IFLA_VRF_MAX, vrf_pol)))
			return err;
		if (dtb[IFLA_VRF_TABLE])
			l->u.vrf.table = mnl_attr_get_u32(dtb[IFLA_VRF_TABLE]);
		return 0;
	case VR_LINK_MACVLAN:
		if ((err = parse_nested(data, dtb, IFLA_MACVLAN_MAX, macvlan_pol)))
			return err;
		if (dtb[IFLA_MACVLAN_MODE])
			l->u.macvlan.mode = mnl_attr_get_u32(dtb[IFLA_MACVLAN_MODE]);
		return 0;
	case VR_LINK_VXLAN:
		return dec_vxlan(data, l);
	case VR_LINK_VETH: /* the kernel dumps no veth data: the peer is IFLA_LINK */
	case VR_LINK_BRIDGE:
	case VR_LINK_OTHER:
		break;
	}
	return 0;
}

/* "vrd:<router>" -> created, owner.  Anything else is not ours. */
static void dec_alias(const struct nlattr *a, struct vr_link *l)
{
	const size_t plen = sizeof(VR_ALIAS_PREFIX) - 1;
	const char *s = mnl_attr_get_payload(a);
	size_t n = strnlen(s, mnl_attr_get_payload_len(a));
	char owner[ALIAS_MAX];

	if (n <= plen || n - plen >= sizeof(owner) || memcmp(s, VR_ALIAS_PREFIX, plen))
		return;
	memcpy(owner, s + plen, n - plen);
	owner[n - plen] = '\0';
	l->created = true;
	l->owner = vr_intern(owner);
}

int vr_dec_link(const struct nlmsghdr *nlh, struct vr_link *out)
{
	const struct nlattr *tb[IFLA_MAX + 1];
	const struct ifinfomsg *ifm;
	struct vr_link l;
	const void *attrs;
	size_t alen;
	int err;

	ifm = msg_hdr(nlh, RTM_NEWLINK, RTM_DELLINK, sizeof(*ifm), &attrs, &alen);
	/* AF_BRIDGE messages on the same group are bridge port events, with
	 * no link info and no alias: not a link description. */
	if (!ifm || ifm->ifi_family != AF_UNSPEC || ifm->ifi_index <= 0)
		return -EINVAL;
	if ((err = parse(attrs, alen, tb, IFLA_MAX, link_pol)))
		return err;
	memset(&l, 0, sizeof(l));
	if (!tb[IFLA_IFNAME] || get_str(tb[IFLA_IFNAME], l.name, sizeof(l.name)))
		return -EINVAL;
	l.ifindex = ifm->ifi_index;
	l.flags = ifm->ifi_flags;
	l.up = (ifm->ifi_flags & IFF_UP) ? 1 : 0;
	l.noarp = (ifm->ifi_flags & IFF_NOARP) ? 1 : -1;
	l.kind = VR_LINK_OTHER;
	if (tb[IFLA_MTU])
		l.mtu = mnl_attr_get_u32(tb[IFLA_MTU]);
	if (tb[IFLA_ADDRESS] && mnl_attr_get_payload_len(tb[IFLA_ADDRESS]) == 6) {
		memcpy(l.mac, mnl_attr_get_payload(tb[IFLA_ADDRESS]), 6);
		l.has_mac = true;
	}
	if (tb[IFLA_MASTER])
		l.master_index = (int)mnl_attr_get_u32(tb[IFLA_MASTER]);
	if (tb[IFLA_LINK])
		l.link_index = (int)mnl_attr_get_u32(tb[IFLA_LINK]);
	/* the netnsid names the peer's namespace as seen from here; its
	 * mere presence says link_index is not an index of ours */
	l.link_other_ns = tb[IFLA_LINK_NETNSID] != NULL;
	if (tb[IFLA_LINKINFO] && (err = dec_linkinfo(tb[IFLA_LINKINFO], &l)))
		return err;
	if (tb[IFLA_IFALIAS])
		dec_alias(tb[IFLA_IFALIAS], &l);
	*out = l;
	return 0;
}

/* ---- addresses ---- */

static const pol_t addr_pol[ADDR_MAX + 1] = {
    [IFA_ADDRESS] = MNL_TYPE_BINARY,
    [IFA_LOCAL] = MNL_TYPE_BINARY,
    [IFA_PROTO] = MNL_TYPE_U8,
};

int vr_dec_addr(const struct nlmsghdr *nlh, struct vr_addr *out)
{
	const struct nlattr *tb[ADDR_MAX + 1];
	const struct ifaddrmsg *ifa;
	struct vr_addr a;
	struct vr_ip peer;
	const void *attrs;
	size_t alen;
	int err;

	ifa = msg_hdr(nlh, RTM_NEWADDR, RTM_DELADDR, sizeof(*ifa), &attrs, &alen);
	if (!ifa || !family_len(ifa->ifa_family) ||
	    ifa->ifa_prefixlen > family_len(ifa->ifa_family) * 8)
		return -EINVAL;
	if ((err = parse(attrs, alen, tb, ADDR_MAX, addr_pol)))
		return err;
	memset(&a, 0, sizeof(a));
	/* IFA_LOCAL is the address itself; IFA_ADDRESS is the peer on a
	 * point-to-point link, and the only one IPv6 sends otherwise. */
	if (tb[IFA_ADDRESS] && (err = get_ip(tb[IFA_ADDRESS], ifa->ifa_family, &peer)))
		return err;
	if (tb[IFA_LOCAL]) {
		if ((err = get_ip(tb[IFA_LOCAL], ifa->ifa_family, &a.ip)))
			return err;
	} else if (tb[IFA_ADDRESS]) {
		a.ip = peer;
	} else {
		return -EINVAL;
	}
	a.ip.plen = ifa->ifa_prefixlen;
	a.ifindex = (int)ifa->ifa_index;
	if (tb[IFA_PROTO])
		a.proto = mnl_attr_get_u8(tb[IFA_PROTO]);
	*out = a;
	return 0;
}

/* ---- routes ---- */

static const pol_t route_pol[RTA_MAX + 1] = {
    [RTA_DST] = MNL_TYPE_BINARY,       [RTA_OIF] = MNL_TYPE_U32,
    [RTA_GATEWAY] = MNL_TYPE_BINARY,   [RTA_PRIORITY] = MNL_TYPE_U32,
    [RTA_MULTIPATH] = MNL_TYPE_BINARY, [RTA_TABLE] = MNL_TYPE_U32,
    [RTA_VIA] = MNL_TYPE_BINARY,
};

/* One next hop's gateway: RTA_GATEWAY in the route's family, or RTA_VIA
 * with a family of its own. */
static int dec_gw(const struct nlattr *const *tb, unsigned family, struct vr_nh *nh)
{
	const struct nlattr *via = tb[RTA_VIA];
	const uint8_t *p;
	uint16_t vfam;

	if (tb[RTA_GATEWAY])
		return get_ip(tb[RTA_GATEWAY], family, &nh->gw);
	if (!via)
		return 0;
	if (mnl_attr_get_payload_len(via) < sizeof(vfam))
		return -EINVAL;
	p = mnl_attr_get_payload(via);
	memcpy(&vfam, p, sizeof(vfam));
	if (!family_len(vfam) || mnl_attr_get_payload_len(via) != sizeof(vfam) + family_len(vfam))
		return -EINVAL;
	memset(&nh->gw, 0, sizeof(nh->gw));
	nh->gw.family = (uint8_t)vfam;
	nh->gw.plen = (uint8_t)(family_len(vfam) * 8);
	memcpy(nh->gw.a, p + sizeof(vfam), family_len(vfam));
	return 0;
}

static int dec_multipath(const struct nlattr *mp, unsigned family, struct vr_nh *nh, uint16_t *n)
{
	const struct rtnexthop *rtnh = mnl_attr_get_payload(mp);
	size_t rem = mnl_attr_get_payload_len(mp);
	const struct nlattr *tb[RTA_MAX + 1];
	size_t step;
	int err;

	*n = 0;
	while (rem) {
		if (rem < sizeof(*rtnh) || rtnh->rtnh_len < sizeof(*rtnh) || rtnh->rtnh_len > rem)
			return -EINVAL;
		if (*n == VR_MAX_NH)
			return -EINVAL;
		if ((err = parse((const char *)rtnh + RTNH_LENGTH(0),
		                 rtnh->rtnh_len - RTNH_LENGTH(0), tb, RTA_MAX, route_pol)))
			return err;
		memset(&nh[*n], 0, sizeof(nh[*n]));
		if ((err = dec_gw(tb, family, &nh[*n])))
			return err;
		nh[*n].ifindex = rtnh->rtnh_ifindex;
		/* the kernel allows weight 256 (hops 255); vrd's weights stop
		 * at 255 */
		nh[*n].weight = rtnh->rtnh_hops == 255 ? 255 : (uint8_t)(rtnh->rtnh_hops + 1);
		(*n)++;
		step = RTNH_ALIGN((size_t)rtnh->rtnh_len);
		if (step >= rem)
			break;
		rem -= step;
		rtnh = RTNH_NEXT(rtnh);
	}
	return *n ? 0 : -EINVAL;
}

int vr_dec_route(const struct nlmsghdr *nlh, struct vr_route *out, struct vr_nh *nh)
{
	const struct nlattr *tb[RTA_MAX + 1];
	const struct rtmsg *rtm;
	struct vr_route r;
	const void *attrs;
	size_t alen;
	int err;

	rtm = msg_hdr(nlh, RTM_NEWROUTE, RTM_DELROUTE, sizeof(*rtm), &attrs, &alen);
	/* AF_UNSPEC dumps also bring ipmr/ip6mr/mpls families: not ours */
	if (!rtm || !family_len(rtm->rtm_family) ||
	    rtm->rtm_dst_len > family_len(rtm->rtm_family) * 8)
		return -EINVAL;
	if ((err = parse(attrs, alen, tb, RTA_MAX, route_pol)))
		return err;
	memset(&r, 0, sizeof(r));
	r.dst.family = rtm->rtm_family;
	if (tb[RTA_DST] && (err = get_ip(tb[RTA_DST], rtm->rtm_family, &r.dst)))
		return err;
	if (!tb[RTA_DST] && rtm->rtm_dst_len)
		return -EINVAL;
	r.dst.plen = rtm->rtm_dst_len;
	r.table = tb[RTA_TABLE] ? mnl_attr_get_u32(tb[RTA_TABLE]) : rtm->rtm_table;
	r.protocol = rtm->rtm_protocol;
	r.type = rtm->rtm_type;
	r.scope = rtm->rtm_scope;
	if (tb[RTA_PRIORITY])
		r.metric = mnl_attr_get_u32(tb[RTA_PRIORITY]);
	if (tb[RTA_MULTIPATH]) {
		if ((err = dec_multipath(tb[RTA_MULTIPATH], rtm->rtm_family, nh, &r.n_nh)))
			return err;
	} else if (tb[RTA_OIF] || tb[RTA_GATEWAY] || tb[RTA_VIA]) {
		memset(&nh[0], 0, sizeof(nh[0]));
		if ((err = dec_gw(tb, rtm->rtm_family, &nh[0])))
			return err;
		if (tb[RTA_OIF])
			nh[0].ifindex = (int)mnl_attr_get_u32(tb[RTA_OIF]);
		nh[0].weight = 1;
		r.n_nh = 1;
	}
	r.nh = nh;
	*out = r;
	return 0;
}

/* ---- rules ---- */

static const pol_t rule_pol[FRA_MAX + 1] = {
    [FRA_PRIORITY] = MNL_TYPE_U32, [FRA_TABLE] = MNL_TYPE_U32,      [FRA_L3MDEV] = MNL_TYPE_U8,
    [FRA_PROTOCOL] = MNL_TYPE_U8,  [FRA_IIFNAME] = MNL_TYPE_STRING,
};

int vr_dec_rule(const struct nlmsghdr *nlh, struct vr_rule *out)
{
	const struct nlattr *tb[FRA_MAX + 1];
	const struct fib_rule_hdr *frh;
	struct vr_rule r;
	const void *attrs;
	size_t alen;
	int err;

	frh = msg_hdr(nlh, RTM_NEWRULE, RTM_DELRULE, sizeof(*frh), &attrs, &alen);
	if (!frh || !family_len(frh->family))
		return -EINVAL;
	if ((err = parse(attrs, alen, tb, FRA_MAX, rule_pol)))
		return err;
	memset(&r, 0, sizeof(r));
	r.family = frh->family;
	/* the kernel leaves out FRA_PRIORITY for priority 0 */
	if (tb[FRA_PRIORITY])
		r.priority = mnl_attr_get_u32(tb[FRA_PRIORITY]);
	r.table = tb[FRA_TABLE] ? mnl_attr_get_u32(tb[FRA_TABLE]) : frh->table;
	r.l3mdev = tb[FRA_L3MDEV] && mnl_attr_get_u8(tb[FRA_L3MDEV]);
	if (tb[FRA_PROTOCOL])
		r.protocol = mnl_attr_get_u8(tb[FRA_PROTOCOL]);
	if (tb[FRA_IIFNAME] && (err = get_str(tb[FRA_IIFNAME], r.iif, sizeof(r.iif))))
		return err;
	*out = r;
	return 0;
}

/* ---- neighbour proxy entries ---- */

static const pol_t neigh_pol[NDA_MAX + 1] = {
    [NDA_DST] = MNL_TYPE_BINARY,
    [NDA_PROTOCOL] = MNL_TYPE_U8,
};

int vr_dec_proxy(const struct nlmsghdr *nlh, struct vr_proxy *out)
{
	const struct nlattr *tb[NDA_MAX + 1];
	const struct ndmsg *ndm;
	struct vr_proxy p;
	const void *attrs;
	size_t alen;
	int err;

	ndm = msg_hdr(nlh, RTM_NEWNEIGH, RTM_DELNEIGH, sizeof(*ndm), &attrs, &alen);
	/* entries of the neighbour cache share the message type */
	if (!ndm || !(ndm->ndm_flags & NTF_PROXY) || !family_len(ndm->ndm_family) ||
	    ndm->ndm_ifindex < 0)
		return -EINVAL;
	if ((err = parse(attrs, alen, tb, NDA_MAX, neigh_pol)))
		return err;
	memset(&p, 0, sizeof(p));
	if (!tb[NDA_DST] || (err = get_ip(tb[NDA_DST], ndm->ndm_family, &p.ip)))
		return -EINVAL;
	/* 0: an entry for every device */
	p.ifindex = ndm->ndm_ifindex;
	if (tb[NDA_PROTOCOL])
		p.proto = mnl_attr_get_u8(tb[NDA_PROTOCOL]);
	*out = p;
	return 0;
}
