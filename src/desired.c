/* desired.c - model -> desired kernel objects (see desired.h).
 *
 * Backend vrf: a VRF device named after the router, bound to its table, in
 * the namespace vrd runs in; ports enslaved to it; routes in its table; the
 * l3mdev rule; forwarding enabled per port.
 * Backend netns: a namespace prefix+router; ports moved into it; routes in
 * its main table; forwarding enabled in it. */
#include "desired.h"

#include <errno.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

const struct vr_rinfo *vr_realm_find(const struct vr_realm *m, const char *router)
{
	for (size_t i = 0; i < m->n; i++)
		if (!strcmp(m->v[i].r->name, router))
			return &m->v[i];
	return NULL;
}

const char *vr_realm_netns(const struct vr_realm *m, const char *router)
{
	char name[256];

	snprintf(name, sizeof(name), "%s%s", m->netns_prefix, router);
	return vr_intern(name);
}

static void copy_name(char dst[IFNAMSIZ], const char *s)
{
	snprintf(dst, IFNAMSIZ, "%s", s);
}

static void add_sysctl(struct vr_state *s, const char *ns, const char *owner, const char *key,
		       const char *val)
{
	struct vr_sysctl c = {.ns = ns, .owner = owner};

	snprintf(c.key, sizeof(c.key), "%s", key);
	snprintf(c.value, sizeof(c.value), "%s", val);
	vr_state_add_sysctl(s, &c);
}

static uint32_t macvlan_mode(enum vr_macvlan_mode m)
{
	switch (m) {
	case VR_MACVLAN_PRIVATE:
		return MACVLAN_MODE_PRIVATE;
	case VR_MACVLAN_VEPA:
		return MACVLAN_MODE_VEPA;
	case VR_MACVLAN_PASSTHRU:
		return MACVLAN_MODE_PASSTHRU;
	case VR_MACVLAN_BRIDGE:
		break;
	}
	return MACVLAN_MODE_BRIDGE;
}

/* Where does the bridge named br live, and who owns it?  A bridge declared
 * as an interface of some router lives with that router; any other name is
 * a bridge of the host. */
static const struct vr_rinfo *bridge_router(const struct vr_realm *m, const char *br)
{
	for (size_t i = 0; i < m->n; i++) {
		const struct vr_iface *f = vr_router_iface(m->v[i].r, br);
		if (f && f->kind == VR_IF_BRIDGE)
			return &m->v[i];
	}
	return NULL;
}

/* The master a port of router ri gets: the VRF device, or none. */
static void router_master(const struct vr_rinfo *ri, char master[IFNAMSIZ])
{
	if (ri->backend == VR_BACKEND_VRF)
		copy_name(master, ri->r->name);
	else
		master[0] = 0;
}

/* Is iface the peer of a veth vrd creates (declared in another router)? */
static bool is_pair_peer(const struct vr_realm *m, const struct vr_router *r, const char *iface)
{
	for (size_t i = 0; i < m->n; i++) {
		const struct vr_router *o = m->v[i].r;
		for (size_t k = 0; k < o->n_ifaces; k++) {
			const struct vr_iface *f = &o->ifaces[k];
			if (f->kind == VR_IF_VETH && f->u.veth.where == VR_PEER_ROUTER &&
			    !strcmp(f->u.veth.where_name, r->name) && !strcmp(f->u.veth.peer, iface))
				return true;
		}
	}
	return false;
}

static int add_iface(const struct vr_realm *m, const struct vr_rinfo *ri, const struct vr_iface *f,
		     struct vr_state *s, struct vr_errs *e)
{
	const char *owner = vr_intern(ri->r->name);
	struct vr_link l = {.ns = ri->ns, .owner = owner, .up = f->enabled ? 1 : 0, .mtu = f->mtu};

	copy_name(l.name, f->name);
	router_master(ri, l.master);
	switch (f->kind) {
	case VR_IF_PORT:
		l.kind = VR_LINK_OTHER;
		l.implicit = is_pair_peer(m, ri->r, f->name);
		break;
	case VR_IF_VETH: {
		const struct vr_rinfo *pr;

		l.created = true;
		l.kind = VR_LINK_VETH;
		copy_name(l.u.veth.peer, f->u.veth.peer);
		l.u.veth.peer_ns = vr_intern("");
		if (f->u.veth.where == VR_PEER_ROUTER) {
			pr = vr_realm_find(m, f->u.veth.where_name);
			if (!pr) {
				char *p = vr_path_iface(ri->r, f, "veth/peer-router");
				vr_errs_add(e, -EINVAL, p, "unknown router %s", f->u.veth.where_name);
				free(p);
				return -EINVAL;
			}
			l.u.veth.peer_ns = pr->ns;
			/* The peer's master is set by the peer router's own port
			 * entry (a SET after the pair exists). */
		} else {
			/* A peer in the host or in a bridge is up; in a bridge
			 * its master is managed, in the host it is the host's. */
			struct vr_link p = {.owner = owner, .up = 1, .implicit = true};

			if (f->u.veth.where == VR_PEER_BRIDGE) {
				pr = bridge_router(m, f->u.veth.where_name);
				if (pr)
					l.u.veth.peer_ns = pr->ns;
				copy_name(l.u.veth.peer_master, f->u.veth.where_name);
				copy_name(p.master, f->u.veth.where_name);
			} else {
				p.keep_master = true;
			}
			p.ns = l.u.veth.peer_ns;
			copy_name(p.name, f->u.veth.peer);
			vr_state_add_link(s, &p);
		}
		break;
	}
	case VR_IF_BRIDGE:
		l.created = true;
		l.kind = VR_LINK_BRIDGE;
		for (size_t k = 0; k < f->u.bridge.n_members; k++) {
			struct vr_link mb = {.ns = ri->ns, .owner = owner, .up = 1};
			copy_name(mb.name, f->u.bridge.members[k]);
			copy_name(mb.master, f->name);
			vr_state_add_link(s, &mb);
		}
		break;
	case VR_IF_MACVLAN:
		l.created = true;
		l.kind = VR_LINK_MACVLAN;
		copy_name(l.u.macvlan.parent, f->u.macvlan.parent);
		l.u.macvlan.mode = macvlan_mode(f->u.macvlan.mode);
		break;
	case VR_IF_VXLAN:
		l.created = true;
		l.kind = VR_LINK_VXLAN;
		l.u.vxlan.vni = f->u.vxlan.vni;
		l.u.vxlan.local = f->u.vxlan.local;
		l.u.vxlan.remote = f->u.vxlan.remote;
		l.u.vxlan.port = f->u.vxlan.port;
		copy_name(l.u.vxlan.dev, f->u.vxlan.device);
		break;
	}
	vr_state_add_link(s, &l);

	for (size_t k = 0; k < f->n_addrs; k++) {
		struct vr_addr a = {.ns = ri->ns, .owner = owner, .ip = f->addrs[k],
				    .proto = VR_RTPROT};
		copy_name(a.dev, f->name);
		vr_state_add_addr(s, &a);
	}
	if (ri->backend == VR_BACKEND_VRF) {
		char key[96];
		const char *v = ri->r->forwarding ? "1" : "0";

		snprintf(key, sizeof(key), "net/ipv4/conf/%s/forwarding", f->name);
		add_sysctl(s, ri->ns, owner, key, v);
		snprintf(key, sizeof(key), "net/ipv6/conf/%s/forwarding", f->name);
		add_sysctl(s, ri->ns, owner, key, v);
	}
	return 0;
}

static uint8_t rtn_type(enum vr_route_type t)
{
	switch (t) {
	case VR_RT_BLACKHOLE:
		return RTN_BLACKHOLE;
	case VR_RT_UNREACHABLE:
		return RTN_UNREACHABLE;
	case VR_RT_PROHIBIT:
		return RTN_PROHIBIT;
	case VR_RT_UNICAST:
		break;
	}
	return RTN_UNICAST;
}

static int add_route(const struct vr_realm *m, const struct vr_rinfo *ri, const struct vr_static_route *rt,
		     struct vr_state *s, struct vr_errs *e)
{
	struct vr_nh nh[VR_MAX_NH];
	struct vr_route o = {
		.ns = ri->ns,
		.owner = vr_intern(ri->r->name),
		.table = ri->table,
		.protocol = VR_RTPROT,
		.type = rtn_type(rt->type),
		.scope = RT_SCOPE_UNIVERSE,
		.dst = rt->prefix,
		.metric = rt->has_metric ? rt->metric : 0,
		.nh = nh,
	};

	if (rt->prefix.family == AF_INET6 && !o.metric)
		o.metric = VR_IP6_METRIC_DEFAULT;
	if (rt->n_nhs > VR_MAX_NH) {
		char *p = vr_path_route(ri->r, rt, "next-hop");
		vr_errs_add(e, -EINVAL, p, "at most %d next-hops", VR_MAX_NH);
		free(p);
		return -EINVAL;
	}
	for (size_t k = 0; k < rt->n_nhs; k++) {
		const struct vr_nexthop *n = &rt->nhs[k];

		memset(&nh[k], 0, sizeof(nh[k]));
		nh[k].gw = n->addr;
		nh[k].weight = n->weight ? n->weight : 1;
		copy_name(nh[k].dev, n->iface);
		if (n->router[0]) {
			const struct vr_rinfo *to = vr_realm_find(m, n->router);

			if (!to)
				continue; /* refused by vr_check already */
			if (ri->backend != VR_BACKEND_VRF || to->backend != VR_BACKEND_VRF) {
				char *p = vr_path_route(ri->r, rt, NULL);
				vr_errs_add(e, -EOPNOTSUPP, p,
					    "route leaking between %s and %s needs backend vrf for "
					    "both routers",
					    ri->r->name, to->r->name);
				free(p);
				return -EOPNOTSUPP;
			}
			/* The gateway is resolved in the other VRF through the
			 * given port, or the lookup continues in the other VRF's
			 * table through its device. */
			if (!n->iface[0]) {
				memset(&nh[k].gw, 0, sizeof(nh[k].gw));
				copy_name(nh[k].dev, to->r->name);
			}
		}
	}
	o.n_nh = (uint16_t)rt->n_nhs;
	vr_state_add_route(s, &o);
	return 0;
}

static void add_router(const struct vr_realm *m, const struct vr_rinfo *ri, struct vr_state *s,
		       struct vr_errs *e, int *r)
{
	const char *owner = vr_intern(ri->r->name);

	if (ri->backend == VR_BACKEND_VRF) {
		struct vr_link vrf = {.ns = ri->ns, .owner = owner, .created = true,
				      .kind = VR_LINK_VRF, .up = 1};

		copy_name(vrf.name, ri->r->name);
		vrf.u.vrf.table = ri->table;
		vr_state_add_link(s, &vrf);
	} else {
		struct vr_netns n = {.name = ri->ns, .owner = owner};
		struct vr_link lo = {.ns = ri->ns, .owner = owner, .up = 1, .name = "lo",
				     .implicit = true};
		const char *v = ri->r->forwarding ? "1" : "0";

		vr_state_add_netns(s, &n);
		vr_state_add_link(s, &lo);
		add_sysctl(s, ri->ns, owner, "net/ipv4/ip_forward", v);
		add_sysctl(s, ri->ns, owner, "net/ipv6/conf/all/forwarding", v);
	}
	for (size_t k = 0; k < ri->r->n_ifaces; k++)
		if (add_iface(m, ri, &ri->r->ifaces[k], s, e) < 0)
			*r = -EINVAL;
	for (size_t k = 0; k < ri->r->n_routes; k++)
		if (add_route(m, ri, &ri->r->routes[k], s, e) < 0)
			*r = -EINVAL;
}

int vr_desired_build(const struct vr_realm *m, struct vr_state *out, struct vr_errs *e)
{
	bool any_vrf = false;
	int r = 0;

	for (size_t i = 0; i < m->n; i++) {
		add_router(m, &m->v[i], out, e, &r);
		any_vrf |= m->v[i].backend == VR_BACKEND_VRF;
	}
	if (any_vrf) {
		/* The rule that sends lookups of enslaved ports to their VRF's
		 * table.  The vrf driver installs it with the first VRF device;
		 * vrd puts it back if it is missing, and never removes it
		 * (others' VRFs need it too). */
		static const uint8_t fams[] = {AF_INET, AF_INET6};
		for (size_t k = 0; k < 2; k++) {
			struct vr_rule ru = {.ns = vr_intern(""), .family = fams[k],
					     .priority = VR_L3MDEV_PRIO, .l3mdev = true,
					     .protocol = VR_RTPROT};
			vr_state_add_rule(out, &ru);
		}
	}
	return r;
}
