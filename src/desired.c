/* desired.c - model -> desired kernel objects (see desired.h).
 *
 * Backend vrf: a VRF device named after the router, bound to its table, in
 * the namespace vrd runs in; ports enslaved to it; routes in its table; the
 * l3mdev rule; forwarding enabled per port.
 * Backend netns: a namespace prefix+router; ports moved into it; routes in
 * its main table; forwarding enabled in it. */
#include "desired.h"

#include "place/domu.h"

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

static bool has_sysctl(const struct vr_state *s, const char *ns, const char *key)
{
	for (size_t i = 0; i < s->sysctls.n; i++)
		if (s->sysctls.v[i].ns == ns && !strcmp(s->sysctls.v[i].key, key))
			return true;
	return false;
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
		/* a guest's network card on a routed vif: point to point with
		 * dom0, no neighbour discovery (place/domu.h) */
		if (m->guest && ri->r->has_domu)
			l.noarp = ri->r->domu.vif_mode == VR_VIF_ROUTED ? 1 : -1;
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

/* ---- leaking between routers ----
 * vrf: the route's next hop is the gateway on the other router's port
 * (the kernel resolves a gateway through a port of another VRF), or, when
 * no port of the other router has the gateway's network, the other VRF's
 * device (the lookup continues in its table).
 * netns: the two namespaces get a veth pair "lk-<other router>" with
 * fixed MACs; the route points at the other end's EUI-64 link-local
 * address (IPv4 routes too, RTA_VIA), and the other router gets a route to
 * the gateway's target unless one of its networks already covers it. */

static void leak_name(char out[IFNAMSIZ], const char *to)
{
	snprintf(out, IFNAMSIZ, "lk-%.12s", to); /* IFNAMSIZ: 3 + 12 + NUL */
}

/* The MAC of router from's end of the pair towards router to: locally
 * administered, unicast, stable (FNV-1a of the two names). */
static void leak_mac(uint8_t mac[6], const char *from, const char *to)
{
	uint64_t h = 0xcbf29ce484222325ull;

	for (const char *s = from; *s; s++)
		h = (h ^ (uint8_t)*s) * 0x100000001b3ull;
	h = (h ^ '>') * 0x100000001b3ull;
	for (const char *s = to; *s; s++)
		h = (h ^ (uint8_t)*s) * 0x100000001b3ull;
	mac[0] = 0x02;
	for (int i = 1; i < 6; i++)
		mac[i] = (uint8_t)(h >> (8 * i));
}

static void mac_link_local(const uint8_t mac[6], struct vr_ip *ip)
{
	memset(ip, 0, sizeof(*ip));
	ip->family = AF_INET6;
	ip->plen = 128;
	ip->a[0] = 0xfe;
	ip->a[1] = 0x80;
	ip->a[8] = mac[0] ^ 0x02;
	ip->a[9] = mac[1];
	ip->a[10] = mac[2];
	ip->a[11] = 0xff;
	ip->a[12] = 0xfe;
	ip->a[13] = mac[3];
	ip->a[14] = mac[4];
	ip->a[15] = mac[5];
}

/* The port of router r whose network holds address a, or NULL. */
static const struct vr_iface *iface_for(const struct vr_router *r, const struct vr_ip *a)
{
	for (size_t i = 0; i < r->n_ifaces; i++)
		for (size_t k = 0; k < r->ifaces[i].n_addrs; k++)
			if (vr_ip_in_prefix(a, &r->ifaces[i].addrs[k]))
				return &r->ifaces[i];
	return NULL;
}

/* Does one of r's networks, or one of its own routes, cover prefix p? */
static bool router_reaches(const struct vr_router *r, const struct vr_ip *p)
{
	for (size_t i = 0; i < r->n_ifaces; i++)
		for (size_t k = 0; k < r->ifaces[i].n_addrs; k++) {
			const struct vr_ip *n = &r->ifaces[i].addrs[k];
			if (p->plen >= n->plen && vr_ip_in_prefix(p, n))
				return true;
		}
	for (size_t i = 0; i < r->n_routes; i++)
		if (!vr_ip_cmp(&r->routes[i].prefix, p))
			return true;
	return false;
}

/* The veth pairs of netns leaks, once per pair of routers. */
static void add_leak_links(const struct vr_realm *m, struct vr_state *s)
{
	for (size_t i = 0; i < m->n; i++) {
		const struct vr_rinfo *a = &m->v[i];
		if (a->backend != VR_BACKEND_NETNS)
			continue;
		for (size_t j = 0; j < m->n; j++) {
			const struct vr_rinfo *b = &m->v[j];
			bool leaks = false;

			if (j == i || b->backend != VR_BACKEND_NETNS)
				continue;
			/* a route of either router into the other */
			for (int dir = 0; dir < 2 && !leaks; dir++) {
				const struct vr_router *from = dir ? b->r : a->r;
				const char *to = dir ? a->r->name : b->r->name;
				for (size_t k = 0; k < from->n_routes && !leaks; k++)
					for (size_t h = 0; h < from->routes[k].n_nhs; h++)
						leaks |= !strcmp(from->routes[k].nhs[h].router, to);
			}
			if (!leaks || strcmp(a->r->name, b->r->name) > 0)
				continue; /* the pair is made by the first of the two */
			{
				struct vr_link l = {.ns = a->ns, .owner = vr_intern(a->r->name),
						    .created = true, .kind = VR_LINK_VETH, .up = 1,
						    .has_mac = true};
				struct vr_link p = {.ns = b->ns, .owner = vr_intern(b->r->name),
						    .implicit = true, .up = 1, .has_mac = true};

				leak_name(l.name, b->r->name);
				leak_mac(l.mac, a->r->name, b->r->name);
				leak_name(l.u.veth.peer, a->r->name);
				l.u.veth.peer_ns = b->ns;
				l.u.veth.peer_has_mac = true;
				leak_mac(l.u.veth.peer_mac, b->r->name, a->r->name);
				vr_state_add_link(s, &l);
				leak_name(p.name, a->r->name);
				memcpy(p.mac, l.u.veth.peer_mac, 6);
				vr_state_add_link(s, &p);
			}
		}
	}
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
			const struct vr_iface *port;

			if (!to)
				continue; /* refused by vr_check already */
			if (ri->backend != to->backend) {
				char *p = vr_path_route(ri->r, rt, NULL);
				vr_errs_add(e, -EOPNOTSUPP, p,
					    "route leaking between %s (backend %s) and %s (backend "
					    "%s) needs the same backend for both",
					    ri->r->name, vr_backend_str(ri->backend), to->r->name,
					    vr_backend_str(to->backend));
				free(p);
				return -EOPNOTSUPP;
			}
			if (ri->backend == VR_BACKEND_NETNS) {
				uint8_t mac[6];

				leak_mac(mac, to->r->name, ri->r->name);
				mac_link_local(mac, &nh[k].gw);
				leak_name(nh[k].dev, to->r->name);
				if (!router_reaches(to->r, &rt->prefix)) {
					struct vr_nh there = {.gw = n->addr, .weight = 1};
					struct vr_route o2 = o;

					copy_name(there.dev, n->iface);
					o2.ns = to->ns;
					o2.table = to->table;
					o2.nh = &there;
					o2.n_nh = 1;
					vr_state_add_route(s, &o2);
				}
				continue;
			}
			port = n->iface[0] ? vr_router_iface(to->r, n->iface)
					   : iface_for(to->r, &n->addr);
			if (port) {
				copy_name(nh[k].dev, port->name);
			} else {
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

	if (ri->r->placement == VR_PLACE_DOMU && !m->guest) {
		if (vr_domu_desired(m, ri, s, e) < 0)
			*r = -EINVAL;
		return;
	}
	if (ri->backend == VR_BACKEND_VRF) {
		struct vr_link vrf = {.ns = ri->ns, .owner = owner, .created = true,
				      .kind = VR_LINK_VRF, .up = 1};

		copy_name(vrf.name, ri->r->name);
		vrf.u.vrf.table = ri->table;
		vr_state_add_link(s, &vrf);
		/* The VRF's lookup ends in its table (vrf.rst): without a
		 * default there, a miss falls through to the next rules,
		 * the host's local and main tables (seen in the VM: a VRF's
		 * host pinged an address of the host).  The metric leaves
		 * room for any default route of the model or of others. */
		for (int k = 0; k < 2; k++) {
			struct vr_route u = {.ns = ri->ns, .owner = owner, .table = ri->table,
					     .protocol = VR_RTPROT, .type = RTN_UNREACHABLE,
					     .scope = RT_SCOPE_UNIVERSE, .metric = 4278198272u};

			u.dst.family = k ? AF_INET6 : AF_INET;
			vr_state_add_route(s, &u);
		}
	} else {
		struct vr_netns n = {.name = ri->ns, .owner = owner};
		struct vr_link lo = {.ns = ri->ns, .owner = owner, .up = 1, .name = "lo",
				     .implicit = true};
		const char *v = ri->r->forwarding ? "1" : "0";

		/* vrd --guest: the router is the whole namespace "" */
		if (*ri->ns) {
			vr_state_add_netns(s, &n);
			vr_state_add_link(s, &lo);
		}
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
	bool any_vrf = false, vrf_fwd = false;
	int r = 0;

	for (size_t i = 0; i < m->n; i++) {
		add_router(m, &m->v[i], out, e, &r);
		if (m->v[i].r->placement == VR_PLACE_DOMU && !m->guest)
			continue; /* no VRF device in dom0 (see place/domu.h) */
		any_vrf |= m->v[i].backend == VR_BACKEND_VRF;
		vrf_fwd |= m->v[i].backend == VR_BACKEND_VRF && m->v[i].r->forwarding;
	}
	add_leak_links(m, out);
	if (vrf_fwd)
		/* IPv6 forwards only with conf/all/forwarding on: the per-port
		 * key only picks host or router behaviour (ND, RAs), unlike
		 * IPv4's (seen on 6.1: ping6 across two VRFs failed with every
		 * port and VRF at 1 and "all" at 0).  VRFs share vrd's
		 * namespace, so this is host-wide; set once, never reset. */
		if (!has_sysctl(out, vr_intern(""), "net/ipv6/conf/all/forwarding"))
			add_sysctl(out, vr_intern(""), NULL, "net/ipv6/conf/all/forwarding", "1");
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
			/* The local table's lookup after the l3mdev rule, as
			 * the kernel's vrf.rst asks: at 0 it answers for
			 * VRFs too, so a VRF's packet to an address local in
			 * the host (the host end of a veth into the VRF, or
			 * any host address) was delivered to the host (seen
			 * in the VM: host -> VRF veth ping had no reply).
			 * diff.c removes the kernel's rule at 0 once this one
			 * exists, and puts it back before removing this. */
			struct vr_rule lo = {.ns = ru.ns, .family = fams[k], .priority = 32765,
					     .table = RT_TABLE_LOCAL, .protocol = VR_RTPROT};

			vr_state_add_rule(out, &ru);
			vr_state_add_rule(out, &lo);
		}
	}
	return r;
}
