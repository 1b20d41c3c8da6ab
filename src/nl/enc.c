/* nl/enc.c - pure rtnetlink encoders: one planned op, or one dump request,
 * becomes one request message in the caller's buffer.  This file owns the
 * message layout and the request flags.  It does no I/O (device names and
 * namespaces go through the caller's resolver) and never writes past the
 * buffer: a message that does not fit yields 0, so the caller can flush its
 * batch and retry with an empty buffer. */
#include "nl/enc.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <libmnl/libmnl.h>
#include <linux/fib_rules.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <linux/version.h>

/* IFA_PROTO (u8) appeared in the 6.0 uapi headers. */
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 0, 0)
#define IFA_PROTO 11
#endif

#define ALIAS_MAX 256 /* IFALIASZ */

/* A message under construction.  Every put checks the space left first; the
 * first one that does not fit marks the message full and all later puts are
 * no-ops, so the encoders can be written straight through. */
struct msg {
	struct nlmsghdr *nlh;
	size_t len;
	bool full;
};

static void *msg_start(struct msg *m, void *buf, size_t len, uint16_t type, uint16_t flags,
                       uint32_t seq, size_t hdrlen)
{
	m->nlh = NULL;
	m->len = len;
	m->full = len < MNL_NLMSG_HDRLEN + MNL_ALIGN(hdrlen);
	if (m->full)
		return NULL;
	m->nlh = mnl_nlmsg_put_header(buf);
	m->nlh->nlmsg_type = type;
	m->nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	m->nlh->nlmsg_seq = seq;
	return mnl_nlmsg_put_extra_header(m->nlh, hdrlen);
}

static ssize_t msg_end(const struct msg *m)
{
	return m->full ? 0 : (ssize_t)m->nlh->nlmsg_len;
}

static void put(struct msg *m, uint16_t type, size_t len, const void *data)
{
	if (!m->full && !mnl_attr_put_check(m->nlh, m->len, type, len, data))
		m->full = true;
}

static void put_u8(struct msg *m, uint16_t type, uint8_t v)
{
	put(m, type, sizeof(v), &v);
}

static void put_u16(struct msg *m, uint16_t type, uint16_t v)
{
	put(m, type, sizeof(v), &v);
}

static void put_u32(struct msg *m, uint16_t type, uint32_t v)
{
	put(m, type, sizeof(v), &v);
}

static void put_strz(struct msg *m, uint16_t type, const char *s)
{
	put(m, type, strlen(s) + 1, s);
}

static struct nlattr *nest_start(struct msg *m, uint16_t type)
{
	struct nlattr *n = NULL;

	if (!m->full && !(n = mnl_attr_nest_start_check(m->nlh, m->len, type)))
		m->full = true;
	return n;
}

static void nest_end(struct msg *m, struct nlattr *n)
{
	if (!m->full)
		mnl_attr_nest_end(m->nlh, n);
}

/* Room for a fixed struct inside an attribute (veth peer's ifinfomsg, an
 * rtnexthop), zeroed. */
static void *reserve(struct msg *m, size_t size)
{
	void *p;

	if (m->full || m->nlh->nlmsg_len + MNL_ALIGN(size) > m->len) {
		m->full = true;
		return NULL;
	}
	p = mnl_nlmsg_get_payload_tail(m->nlh);
	memset(p, 0, MNL_ALIGN(size));
	m->nlh->nlmsg_len += MNL_ALIGN(size);
	return p;
}

static bool ns_same(const char *a, const char *b)
{
	return a == b || !strcmp(a ? a : "", b ? b : "");
}

static int resolve(const struct vr_resolve *r, const char *ns, const char *name)
{
	int idx = r && r->ifindex ? r->ifindex(r->ctx, ns, name) : -ENODEV;

	return idx > 0 ? idx : idx < 0 ? idx : -ENODEV;
}

static int nsfd(const struct vr_resolve *r, const char *ns)
{
	return r && r->nsfd ? r->nsfd(r->ctx, ns) : -EOPNOTSUPP;
}

/* Tables above 255 do not fit rtm_table / frh->table: the header then says
 * RT_TABLE_UNSPEC and the id travels as a u32 attribute. */
static uint8_t table_byte(uint32_t table)
{
	return table > 255 ? RT_TABLE_UNSPEC : (uint8_t)table;
}

/* ---- links ---- */

/* Everything a link message refers to, resolved before the message is
 * built, so a missing device is reported the same whatever the buffer. */
struct link_refs {
	int ifindex;
	int master;      /* 0: none */
	int parent;      /* macvlan */
	int vxlan_dev;   /* 0: none */
	int peer_nsfd;   /* -1: same namespace */
	int peer_master; /* 0: none */
};

static int resolve_opt(const struct vr_resolve *r, const char *ns, const char *name, int *idx)
{
	*idx = name[0] ? resolve(r, ns, name) : 0;
	return *idx < 0 ? *idx : 0;
}

static int link_add_refs(const struct vr_link *l, const struct vr_resolve *r,
                         struct link_refs *refs)
{
	const char *peer_ns;
	int err;

	memset(refs, 0, sizeof(*refs));
	refs->peer_nsfd = -1;
	if ((err = resolve_opt(r, l->ns, l->master, &refs->master)))
		return err;
	switch (l->kind) {
	case VR_LINK_MACVLAN:
		refs->parent = resolve(r, l->ns, l->u.macvlan.parent);
		return refs->parent < 0 ? refs->parent : 0;
	case VR_LINK_VXLAN:
		return resolve_opt(r, l->ns, l->u.vxlan.dev, &refs->vxlan_dev);
	case VR_LINK_VETH:
		peer_ns = l->u.veth.peer_ns ? l->u.veth.peer_ns : l->ns;
		if (!ns_same(peer_ns, l->ns)) {
			refs->peer_nsfd = nsfd(r, peer_ns);
			if (refs->peer_nsfd < 0)
				return refs->peer_nsfd;
		}
		/* The peer is created straight into peer_ns: its master is
		 * looked up there. */
		return resolve_opt(r, peer_ns, l->u.veth.peer_master, &refs->peer_master);
	case VR_LINK_BRIDGE:
	case VR_LINK_VRF:
		return 0;
	case VR_LINK_OTHER:
		break;
	}
	return -EINVAL; /* vrd cannot create a kind it does not know */
}

static int put_alias(struct msg *m, const struct vr_link *l)
{
	char alias[ALIAS_MAX];
	int n;

	if (!l->created || !l->owner)
		return 0;
	n = snprintf(alias, sizeof(alias), VR_ALIAS_PREFIX "%s", l->owner);
	if (n < 0 || (size_t)n >= sizeof(alias))
		return -EINVAL;
	/* Sent without the NUL, as iproute2 does: dev_set_alias() stores
	 * nla_len bytes and rejects IFALIASZ of them. */
	put(m, IFLA_IFALIAS, (size_t)n, alias);
	return 0;
}

static void put_ip(struct msg *m, const struct vr_ip *ip, uint16_t type4, uint16_t type6)
{
	if (ip->family == AF_INET)
		put(m, type4, 4, ip->a);
	else if (ip->family == AF_INET6)
		put(m, type6, 16, ip->a);
}

static void put_veth_peer(struct msg *m, const struct vr_link *l, const struct link_refs *refs)
{
	struct nlattr *peer = nest_start(m, VETH_INFO_PEER);
	struct ifinfomsg *ifm = reserve(m, sizeof(*ifm));

	/* VETH_INFO_PEER holds a whole second link request: its own
	 * ifinfomsg, then IFLA_* attributes for the peer. */
	if (ifm)
		ifm->ifi_family = AF_UNSPEC;
	if (l->u.veth.peer[0])
		put_strz(m, IFLA_IFNAME, l->u.veth.peer);
	if (l->u.veth.peer_has_mac)
		put(m, IFLA_ADDRESS, 6, l->u.veth.peer_mac);
	if (refs->peer_nsfd >= 0)
		put_u32(m, IFLA_NET_NS_FD, (uint32_t)refs->peer_nsfd);
	if (refs->peer_master)
		put_u32(m, IFLA_MASTER, (uint32_t)refs->peer_master);
	nest_end(m, peer);
}

static void put_linkinfo(struct msg *m, const struct vr_link *l, const struct link_refs *refs)
{
	static const char *const kinds[] = {
	    [VR_LINK_VETH] = "veth",   [VR_LINK_BRIDGE] = "bridge", [VR_LINK_MACVLAN] = "macvlan",
	    [VR_LINK_VXLAN] = "vxlan", [VR_LINK_VRF] = "vrf",
	};
	struct nlattr *info = nest_start(m, IFLA_LINKINFO), *data = NULL;

	put_strz(m, IFLA_INFO_KIND, kinds[l->kind]);
	if (l->kind != VR_LINK_BRIDGE)
		data = nest_start(m, IFLA_INFO_DATA);
	switch (l->kind) {
	case VR_LINK_VRF:
		put_u32(m, IFLA_VRF_TABLE, l->u.vrf.table);
		break;
	case VR_LINK_VETH:
		put_veth_peer(m, l, refs);
		break;
	case VR_LINK_MACVLAN:
		/* 0 is no mode: the kernel would reject it; let it default */
		if (l->u.macvlan.mode)
			put_u32(m, IFLA_MACVLAN_MODE, l->u.macvlan.mode);
		break;
	case VR_LINK_VXLAN:
		put_u32(m, IFLA_VXLAN_ID, l->u.vxlan.vni);
		put_ip(m, &l->u.vxlan.local, IFLA_VXLAN_LOCAL, IFLA_VXLAN_LOCAL6);
		/* "group" is the remote end, unicast or multicast */
		put_ip(m, &l->u.vxlan.remote, IFLA_VXLAN_GROUP, IFLA_VXLAN_GROUP6);
		if (l->u.vxlan.port)
			put_u16(m, IFLA_VXLAN_PORT, htons(l->u.vxlan.port));
		if (refs->vxlan_dev)
			put_u32(m, IFLA_VXLAN_LINK, (uint32_t)refs->vxlan_dev);
		break;
	case VR_LINK_BRIDGE:
	case VR_LINK_OTHER:
		break;
	}
	if (data)
		nest_end(m, data);
	nest_end(m, info);
}

static void set_up(struct ifinfomsg *ifm, int8_t up)
{
	if (up < 0)
		return;
	ifm->ifi_change |= IFF_UP;
	ifm->ifi_flags |= up ? IFF_UP : 0;
}

static void set_noarp(struct ifinfomsg *ifm, int8_t noarp)
{
	if (!noarp)
		return;
	ifm->ifi_change |= IFF_NOARP;
	ifm->ifi_flags |= noarp > 0 ? IFF_NOARP : 0;
}

static ssize_t enc_link_add(const struct vr_link *l, const struct vr_resolve *r, uint32_t seq,
                            void *buf, size_t len)
{
	struct link_refs refs;
	struct ifinfomsg *ifm;
	struct msg m;
	int err;

	if ((err = link_add_refs(l, r, &refs)))
		return err;
	ifm = msg_start(&m, buf, len, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, seq, sizeof(*ifm));
	if (!ifm)
		return 0;
	ifm->ifi_family = AF_UNSPEC;
	/* A new link is down: only "up" needs saying. */
	if (l->up == 1)
		set_up(ifm, 1);
	set_noarp(ifm, l->noarp);
	put_strz(&m, IFLA_IFNAME, l->name);
	/* rtnl_create_link() ignores IFLA_IFALIAS (only changelink applies
	 * it): the tag is sent here for the record, and must be set again by
	 * a LINK_SET once the link exists. */
	if ((err = put_alias(&m, l)))
		return err;
	if (l->mtu)
		put_u32(&m, IFLA_MTU, l->mtu);
	if (l->has_mac)
		put(&m, IFLA_ADDRESS, 6, l->mac);
	if (refs.master)
		put_u32(&m, IFLA_MASTER, (uint32_t)refs.master);
	if (refs.parent)
		put_u32(&m, IFLA_LINK, (uint32_t)refs.parent);
	put_linkinfo(&m, l, &refs);
	return msg_end(&m);
}

static ssize_t enc_link_del(const struct vr_link *l, const struct vr_resolve *r, uint32_t seq,
                            void *buf, size_t len)
{
	struct ifinfomsg *ifm;
	struct msg m;
	int idx = resolve(r, l->ns, l->name);

	if (idx < 0)
		return idx;
	ifm = msg_start(&m, buf, len, RTM_DELLINK, 0, seq, sizeof(*ifm));
	if (!ifm)
		return 0;
	ifm->ifi_family = AF_UNSPEC;
	ifm->ifi_index = idx;
	return msg_end(&m);
}

static ssize_t enc_link_set(const struct vr_link *l, const struct vr_resolve *r, uint32_t seq,
                            void *buf, size_t len)
{
	struct ifinfomsg *ifm;
	struct msg m;
	int idx, master = 0, err;

	if ((idx = resolve(r, l->ns, l->name)) < 0)
		return idx;
	if (!l->keep_master && (err = resolve_opt(r, l->ns, l->master, &master)))
		return err;
	ifm = msg_start(&m, buf, len, RTM_NEWLINK, 0, seq, sizeof(*ifm));
	if (!ifm)
		return 0;
	ifm->ifi_family = AF_UNSPEC;
	ifm->ifi_index = idx;
	set_up(ifm, l->up);
	set_noarp(ifm, l->noarp);
	if (l->mtu)
		put_u32(&m, IFLA_MTU, l->mtu);
	if (l->has_mac)
		put(&m, IFLA_ADDRESS, 6, l->mac);
	/* master is managed unless keep_master: "" means none, and
	 * IFLA_MASTER 0 releases the port (a no-op when it has no master). */
	if (!l->keep_master)
		put_u32(&m, IFLA_MASTER, (uint32_t)master);
	if ((err = put_alias(&m, l)))
		return err;
	return msg_end(&m);
}

static ssize_t enc_link_move(const struct vr_op *op, const struct vr_resolve *r, uint32_t seq,
                             void *buf, size_t len)
{
	const struct vr_link *l = &op->o.link;
	struct ifinfomsg *ifm;
	struct msg m;
	int idx, fd;

	if ((idx = resolve(r, l->ns, l->name)) < 0)
		return idx;
	if ((fd = nsfd(r, op->to_ns)) < 0)
		return fd;
	ifm = msg_start(&m, buf, len, RTM_NEWLINK, 0, seq, sizeof(*ifm));
	if (!ifm)
		return 0;
	ifm->ifi_family = AF_UNSPEC;
	ifm->ifi_index = idx;
	put_u32(&m, IFLA_NET_NS_FD, (uint32_t)fd);
	return msg_end(&m);
}

/* ---- addresses ---- */

static ssize_t enc_addr(const struct vr_op *op, const struct vr_resolve *r, uint32_t seq, void *buf,
                        size_t len)
{
	const struct vr_addr *a = &op->o.addr;
	bool add = op->code == VR_OP_ADDR_ADD;
	unsigned alen = vr_ip_len(&a->ip);
	struct ifaddrmsg *ifa;
	struct msg m;
	int idx;

	if (!alen || a->ip.plen > alen * 8)
		return -EINVAL;
	if ((idx = resolve(r, a->ns, a->dev)) < 0)
		return idx;
	/* CREATE|REPLACE: re-adding an existing address updates it (and its
	 * IFA_PROTO) instead of failing with EEXIST. */
	ifa = msg_start(&m, buf, len, add ? RTM_NEWADDR : RTM_DELADDR,
	                add ? NLM_F_CREATE | NLM_F_REPLACE : 0, seq, sizeof(*ifa));
	if (!ifa)
		return 0;
	ifa->ifa_family = a->ip.family;
	ifa->ifa_prefixlen = a->ip.plen;
	ifa->ifa_scope = RT_SCOPE_UNIVERSE;
	ifa->ifa_index = (uint32_t)idx;
	/* IFA_ADDRESS differing from IFA_LOCAL would mean a point-to-point
	 * peer; equal, it is a plain address in both families. */
	put(&m, IFA_LOCAL, alen, a->ip.a);
	put(&m, IFA_ADDRESS, alen, a->ip.a);
	if (add && a->proto)
		put_u8(&m, IFA_PROTO, a->proto);
	return msg_end(&m);
}

/* ---- routes ---- */

static uint8_t route_scope(const struct vr_route *rt)
{
	/* IPv6 has no route scopes: the kernel ignores rtm_scope and reports
	 * universe, so say universe to keep desired and observed equal. */
	if (rt->dst.family != AF_INET || rt->type != RTN_UNICAST || !rt->n_nh)
		return RT_SCOPE_UNIVERSE;
	for (unsigned i = 0; i < rt->n_nh; i++)
		if (rt->nh[i].gw.family)
			return RT_SCOPE_UNIVERSE;
	return RT_SCOPE_LINK;
}

static void put_gw(struct msg *m, uint8_t family, const struct vr_ip *gw)
{
	/* struct rtvia ends in a flexible array: spelled out here */
	struct {
		__kernel_sa_family_t family;
		uint8_t addr[16];
	} via;

	_Static_assert(offsetof(struct rtvia, rtvia_addr) == sizeof(via.family), "rtvia layout");
	if (!gw->family)
		return;
	if (gw->family == family) {
		put(m, RTA_GATEWAY, vr_ip_len(gw), gw->a);
		return;
	}
	/* A gateway of the other family (IPv4 over an IPv6 next hop, RFC
	 * 8950) only fits RTA_VIA, which carries its own family. */
	via.family = gw->family;
	memcpy(via.addr, gw->a, vr_ip_len(gw));
	put(m, RTA_VIA, sizeof(via.family) + vr_ip_len(gw), &via);
}

static void put_multipath(struct msg *m, const struct vr_route *rt, const int *oif)
{
	struct nlattr *mp = nest_start(m, RTA_MULTIPATH);

	/* RTA_MULTIPATH is an array of rtnexthop, not a nest: the kernel
	 * sends it without NLA_F_NESTED and so does iproute2. */
	if (mp)
		mp->nla_type &= (uint16_t)~NLA_F_NESTED;
	for (unsigned i = 0; i < rt->n_nh; i++) {
		struct rtnexthop *nh = reserve(m, sizeof(*nh));

		if (!nh)
			return;
		nh->rtnh_hops = rt->nh[i].weight ? (uint8_t)(rt->nh[i].weight - 1) : 0;
		nh->rtnh_ifindex = oif[i];
		put_gw(m, rt->dst.family, &rt->nh[i].gw);
		if (m->full)
			return;
		nh->rtnh_len =
		    (unsigned short)((char *)mnl_nlmsg_get_payload_tail(m->nlh) - (char *)nh);
	}
	nest_end(m, mp);
}

static ssize_t enc_route(const struct vr_op *op, const struct vr_resolve *r, uint32_t seq,
                         void *buf, size_t len)
{
	static const uint16_t flags[] = {
	    [VR_OP_ROUTE_ADD] = NLM_F_CREATE | NLM_F_EXCL,
	    [VR_OP_ROUTE_REPLACE] = NLM_F_CREATE | NLM_F_REPLACE,
	    [VR_OP_ROUTE_DEL] = 0,
	};
	const struct vr_route *rt = &op->o.route;
	bool del = op->code == VR_OP_ROUTE_DEL;
	unsigned alen = vr_ip_len(&rt->dst);
	int oif[VR_MAX_NH] = {0};
	struct rtmsg *rtm;
	struct msg m;

	if (!alen || rt->dst.plen > alen * 8 || rt->n_nh > VR_MAX_NH || (rt->n_nh && !rt->nh))
		return -EINVAL;
	for (unsigned i = 0; !del && i < rt->n_nh; i++) {
		if (rt->nh[i].gw.family && !vr_ip_len(&rt->nh[i].gw))
			return -EINVAL;
		if (resolve_opt(r, rt->ns, rt->nh[i].dev, &oif[i]))
			return oif[i];
	}
	rtm = msg_start(&m, buf, len, del ? RTM_DELROUTE : RTM_NEWROUTE, flags[op->code], seq,
	                sizeof(*rtm));
	if (!rtm)
		return 0;
	rtm->rtm_family = rt->dst.family;
	rtm->rtm_dst_len = rt->dst.plen;
	rtm->rtm_table = table_byte(rt->table);
	rtm->rtm_protocol = rt->protocol;
	rtm->rtm_type = rt->type;
	/* NOWHERE is the delete wildcard: match whatever scope it has. */
	rtm->rtm_scope = del ? RT_SCOPE_NOWHERE : route_scope(rt);
	if (rt->dst.plen)
		put(&m, RTA_DST, alen, rt->dst.a);
	if (rt->table > 255)
		put_u32(&m, RTA_TABLE, rt->table);
	if (rt->metric)
		put_u32(&m, RTA_PRIORITY, rt->metric);
	/* A delete names the route by its key only; without next hops the
	 * kernel removes the route with all of them. */
	if (del || !rt->n_nh)
		return msg_end(&m);
	if (rt->n_nh == 1) {
		if (oif[0])
			put_u32(&m, RTA_OIF, (uint32_t)oif[0]);
		put_gw(&m, rt->dst.family, &rt->nh[0].gw);
	} else {
		put_multipath(&m, rt, oif);
	}
	return msg_end(&m);
}

/* ---- rules ---- */

static ssize_t enc_rule(const struct vr_op *op, uint32_t seq, void *buf, size_t len)
{
	const struct vr_rule *ru = &op->o.rule;
	bool add = op->code == VR_OP_RULE_ADD;
	struct fib_rule_hdr *frh;
	struct msg m;

	if (ru->family != AF_INET && ru->family != AF_INET6)
		return -EINVAL;
	frh = msg_start(&m, buf, len, add ? RTM_NEWRULE : RTM_DELRULE,
	                add ? NLM_F_CREATE | NLM_F_EXCL : 0, seq, sizeof(*frh));
	if (!frh)
		return 0;
	frh->family = ru->family;
	frh->action = FR_ACT_TO_TBL;
	/* Always sent, even 0: a delete without it would match any rule. */
	put_u32(&m, FRA_PRIORITY, ru->priority);
	if (ru->l3mdev) {
		/* the kernel rejects l3mdev together with a table */
		put_u8(&m, FRA_L3MDEV, 1);
	} else {
		frh->table = table_byte(ru->table);
		if (ru->table > 255)
			put_u32(&m, FRA_TABLE, ru->table);
	}
	/* By name: the kernel keeps the rule while the device is away.  A
	 * delete without it is a wildcard that may hit a rule with one (of
	 * the same protocol: FRA_PROTOCOL narrows deletes too). */
	if (ru->iif[0])
		put_strz(&m, FRA_IIFNAME, ru->iif);
	if (ru->protocol)
		put_u8(&m, FRA_PROTOCOL, ru->protocol);
	return msg_end(&m);
}

/* ---- neighbour proxy entries ---- */

static ssize_t enc_proxy(const struct vr_op *op, const struct vr_resolve *r, uint32_t seq,
                         void *buf, size_t len)
{
	const struct vr_proxy *p = &op->o.proxy;
	bool add = op->code == VR_OP_PROXY_ADD;
	unsigned alen = vr_ip_len(&p->ip);
	struct ndmsg *ndm;
	struct msg m;
	int idx, err;

	/* an entry is for one address, never a prefix */
	if (!alen || p->ip.plen != alen * 8)
		return -EINVAL;
	if ((err = resolve_opt(r, p->ns, p->dev, &idx)))
		return err;
	/* The kernel ignores CREATE/EXCL/REPLACE for proxy entries: adding
	 * one that exists succeeds and only updates it (its protocol when one
	 * is given).  REPLACE says so; the planner adds only missing entries
	 * (and those of ports that lost theirs), so undoing an add with a
	 * delete is exact. */
	ndm = msg_start(&m, buf, len, add ? RTM_NEWNEIGH : RTM_DELNEIGH,
	                add ? NLM_F_CREATE | NLM_F_REPLACE : 0, seq, sizeof(*ndm));
	if (!ndm)
		return 0;
	ndm->ndm_family = p->ip.family;
	ndm->ndm_ifindex = idx;
	ndm->ndm_flags = NTF_PROXY;
	/* as iproute2: a permanent entry survives a carrier loss (an
	 * administrative down removes it anyway) */
	if (add)
		ndm->ndm_state = NUD_PERMANENT;
	put(&m, NDA_DST, alen, p->ip.a);
	/* kernel >= 5.11 keeps a protocol for proxy entries too */
	if (add && p->proto)
		put_u8(&m, NDA_PROTOCOL, p->proto);
	return msg_end(&m);
}

ssize_t vr_enc_op(const struct vr_op *op, const struct vr_resolve *r, uint32_t seq, void *buf,
                  size_t len)
{
	switch (op->code) {
	case VR_OP_LINK_ADD:
		return enc_link_add(&op->o.link, r, seq, buf, len);
	case VR_OP_LINK_DEL:
		return enc_link_del(&op->o.link, r, seq, buf, len);
	case VR_OP_LINK_SET:
		return enc_link_set(&op->o.link, r, seq, buf, len);
	case VR_OP_LINK_MOVE:
		return enc_link_move(op, r, seq, buf, len);
	case VR_OP_ADDR_ADD:
	case VR_OP_ADDR_DEL:
		return enc_addr(op, r, seq, buf, len);
	case VR_OP_ROUTE_ADD:
	case VR_OP_ROUTE_REPLACE:
	case VR_OP_ROUTE_DEL:
		return enc_route(op, r, seq, buf, len);
	case VR_OP_RULE_ADD:
	case VR_OP_RULE_DEL:
		return enc_rule(op, seq, buf, len);
	case VR_OP_PROXY_ADD:
	case VR_OP_PROXY_DEL:
		return enc_proxy(op, r, seq, buf, len);
	case VR_OP_NETNS_ADD:
	case VR_OP_NETNS_DEL:
	case VR_OP_SYSCTL_SET:
		return -EOPNOTSUPP;
	}
	return -EINVAL;
}

/* ---- dump requests ----
 * With NETLINK_GET_STRICT_CHK the kernel rejects a dump request whose
 * header carries anything but the fields it can filter on, so everything
 * else stays zero. */

size_t vr_enc_dump_links(void *buf, size_t len, uint32_t seq)
{
	struct ifinfomsg *ifm;
	struct msg m;

	ifm = msg_start(&m, buf, len, RTM_GETLINK, NLM_F_DUMP, seq, sizeof(*ifm));
	if (!ifm)
		return 0;
	ifm->ifi_family = AF_UNSPEC;
	put_u32(&m, IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS);
	return (size_t)msg_end(&m);
}

size_t vr_enc_dump_addrs(void *buf, size_t len, uint32_t seq, uint8_t family)
{
	struct ifaddrmsg *ifa;
	struct msg m;

	ifa = msg_start(&m, buf, len, RTM_GETADDR, NLM_F_DUMP, seq, sizeof(*ifa));
	if (!ifa)
		return 0;
	ifa->ifa_family = family;
	return (size_t)msg_end(&m);
}

size_t vr_enc_dump_routes(void *buf, size_t len, uint32_t seq, uint8_t family, uint32_t table,
                          uint8_t protocol)
{
	struct rtmsg *rtm;
	struct msg m;

	rtm = msg_start(&m, buf, len, RTM_GETROUTE, NLM_F_DUMP, seq, sizeof(*rtm));
	if (!rtm)
		return 0;
	rtm->rtm_family = family;
	rtm->rtm_table = table_byte(table);
	rtm->rtm_protocol = protocol;
	if (table > 255)
		put_u32(&m, RTA_TABLE, table);
	return (size_t)msg_end(&m);
}

size_t vr_enc_dump_rules(void *buf, size_t len, uint32_t seq, uint8_t family)
{
	struct fib_rule_hdr *frh;
	struct msg m;

	frh = msg_start(&m, buf, len, RTM_GETRULE, NLM_F_DUMP, seq, sizeof(*frh));
	if (!frh)
		return 0;
	frh->family = family;
	return (size_t)msg_end(&m);
}

size_t vr_enc_dump_proxies(void *buf, size_t len, uint32_t seq, uint8_t family)
{
	struct ndmsg *ndm;
	struct msg m;

	ndm = msg_start(&m, buf, len, RTM_GETNEIGH, NLM_F_DUMP, seq, sizeof(*ndm));
	if (!ndm)
		return 0;
	/* exactly NTF_PROXY: the kernel then walks the proxy tables
	 * (pneigh_dump_table) instead of the neighbour caches */
	ndm->ndm_family = family;
	ndm->ndm_flags = NTF_PROXY;
	return (size_t)msg_end(&m);
}
