/* check.c - semantic checks (see check.h). */
#include "check.h"

#include "place/hv.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


static bool reserved_table(uint32_t t)
{
	return t == 0 || (t >= 253 && t <= 255);
}

/* Report at path (owned by this function). */
static int bad(struct vr_errs *e, char *path, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int bad(struct vr_errs *e, char *path, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	vr_errs_add(e, -EINVAL, path, "%s", msg);
	free(path);
	return -EINVAL;
}

static const char *fam(const struct vr_ip *ip)
{
	return ip->family == AF_INET ? "IPv4" : "IPv6";
}

/* Where else is this interface name used?  Each router's interfaces, veth
 * peers living in the host or in a bridge, and bridge members share one
 * namespace of names (they may all end up in the same kernel namespace). */
static void check_iface_names(const struct vr_config *c, struct vr_errs *e, int *r)
{
	for (size_t a = 0; a < c->n_routers; a++) {
		const struct vr_router *ra = &c->routers[a];
		for (size_t i = 0; i < ra->n_ifaces; i++) {
			const struct vr_iface *ia = &ra->ifaces[i];
			for (size_t b = a + 1; b < c->n_routers; b++) {
				const struct vr_router *rb = &c->routers[b];
				if (vr_router_iface(rb, ia->name))
					*r = bad(e, vr_path_iface(rb, vr_router_iface(rb, ia->name), NULL),
						 "interface %s is already in router %s; an interface "
						 "belongs to one router only",
						 ia->name, ra->name);
			}
			if (ia->kind == VR_IF_VETH) {
				for (size_t b = 0; b < c->n_routers; b++) {
					const struct vr_router *rb = &c->routers[b];
					if (vr_router_iface(rb, ia->u.veth.peer) &&
					    !(ia->u.veth.where == VR_PEER_ROUTER &&
					      !strcmp(ia->u.veth.where_name, rb->name)))
						*r = bad(e, vr_path_iface(ra, ia, "veth/peer"),
							 "veth peer %s is also an interface of router %s",
							 ia->u.veth.peer, rb->name);
				}
			}
		}
	}
}

static void check_veth(const struct vr_config *c, const struct vr_router *rt,
		       const struct vr_iface *i, struct vr_errs *e, int *r)
{
	const struct vr_router *peer;

	if (!strcmp(i->u.veth.peer, i->name))
		*r = bad(e, vr_path_iface(rt, i, "veth/peer"), "a veth's peer needs another name than %s",
			 i->name);
	if (i->u.veth.where != VR_PEER_ROUTER)
		return;
	peer = vr_config_router(c, i->u.veth.where_name);
	if (!peer) {
		*r = bad(e, vr_path_iface(rt, i, "veth/peer-router"), "unknown router %s",
			 i->u.veth.where_name);
		return;
	}
	if (peer == rt)
		*r = bad(e, vr_path_iface(rt, i, "veth/peer-router"),
			 "the peer must be in another router than %s", rt->name);
	else if (!vr_router_iface(peer, i->u.veth.peer))
		*r = bad(e, vr_path_iface(rt, i, "veth/peer"),
			 "router %s has no interface %s for this veth's peer (declare it there "
			 "without a kind)",
			 peer->name, i->u.veth.peer);
}

static void check_iface(const struct vr_config *c, const struct vr_router *rt,
			const struct vr_iface *i, struct vr_errs *e, int *r)
{
	for (size_t k = 0; k < i->n_addrs; k++) {
		for (size_t m = 0; m < k; m++)
			if (!vr_ip_cmp(&i->addrs[k], &i->addrs[m]))
				*r = bad(e, vr_path_iface(rt, i, "address"),
					 "address listed twice");
	}
	switch (i->kind) {
	case VR_IF_VETH:
		check_veth(c, rt, i, e, r);
		break;
	case VR_IF_VXLAN:
		if (i->u.vxlan.vni > 0xffffff)
			*r = bad(e, vr_path_iface(rt, i, "vxlan/vni"),
				 "VNI %u is out of range (0-16777215: 24 bits)", i->u.vxlan.vni);
		if (i->u.vxlan.local.family && i->u.vxlan.remote.family &&
		    i->u.vxlan.local.family != i->u.vxlan.remote.family)
			*r = bad(e, vr_path_iface(rt, i, "vxlan/remote"),
				 "local and remote are of different address families");
		break;
	case VR_IF_BRIDGE:
		for (size_t k = 0; k < i->u.bridge.n_members; k++)
			if (!strcmp(i->u.bridge.members[k], i->name))
				*r = bad(e, vr_path_iface(rt, i, "bridge/member"),
					 "a bridge cannot be its own member");
		break;
	case VR_IF_MACVLAN:
		if (!strcmp(i->u.macvlan.parent, i->name))
			*r = bad(e, vr_path_iface(rt, i, "macvlan/parent"),
				 "a macvlan cannot be its own parent");
		break;
	case VR_IF_PORT:
		break;
	}
	/* upstream and domu are kept with any placement: they say where the
	 * router goes when it is migrated to domU. */
	if (rt->placement == VR_PLACE_DOMU && i->kind != VR_IF_PORT)
		*r = bad(e, vr_path_iface(rt, i, NULL),
			 "router %s runs in a guest (placement domU): its interfaces are the "
			 "guest's network cards, declared as plain ports, not created links",
			 rt->name);
	for (size_t b = 0; i->upstream[0] && b < c->n_routers; b++) {
		const struct vr_router *o = &c->routers[b];
		const struct vr_iface *f = vr_router_iface(o, i->upstream);
		if (o != rt && f)
			*r = bad(e, vr_path_iface(rt, i, "upstream"),
				 "upstream port %s is an interface of router %s", i->upstream,
				 o->name);
		for (size_t k = 0; o != rt && k < o->n_ifaces; k++)
			if (!strcmp(o->ifaces[k].upstream, i->upstream))
				*r = bad(e, vr_path_iface(rt, i, "upstream"),
					 "upstream port %s is also the upstream of router %s",
					 i->upstream, o->name);
	}
}

static bool link_local6(const struct vr_ip *ip)
{
	return ip->family == AF_INET6 && ip->a[0] == 0xfe && (ip->a[1] & 0xc0) == 0x80;
}

static void check_route(const struct vr_config *c, const struct vr_router *rt,
			const struct vr_static_route *ro, struct vr_errs *e, int *r)
{
	if (!vr_ip_is_network(&ro->prefix))
		*r = bad(e, vr_path_route(rt, ro, "prefix"),
			 "host bits are set beyond the prefix length /%u", ro->prefix.plen);
	for (size_t k = 0; k < ro->n_nhs; k++) {
		const struct vr_nexthop *nh = &ro->nhs[k];
		const struct vr_router *where = rt;
		char a[VR_ADDR_STRLEN], *p;

		if (asprintf(&p, "next-hop[address='%s']",
			     vr_ip_str(&nh->addr, false, a, sizeof(a))) < 0)
			abort();
		if (nh->addr.family != ro->prefix.family) {
			*r = bad(e, vr_path_route(rt, ro, p),
				 "%s next-hop %s for an %s prefix: the families must match",
				 fam(&nh->addr), a, fam(&ro->prefix));
		}
		if (nh->router[0]) {
			where = vr_config_router(c, nh->router);
			if (!where) {
				char *q;
				if (asprintf(&q, "%s/router", p) < 0)
					abort();
				*r = bad(e, vr_path_route(rt, ro, q),
					 "unknown router %s: a leaking next-hop must name another "
					 "router of this config",
					 nh->router);
				free(q);
			} else if (where != rt && (rt->placement == VR_PLACE_DOMU ||
						   where->placement == VR_PLACE_DOMU)) {
				char *q;
				if (asprintf(&q, "%s/router", p) < 0)
					abort();
				*r = bad(e, vr_path_route(rt, ro, q),
					 "no route leaking between %s and %s: a router in a guest "
					 "(placement domU) shares no table with the others",
					 rt->name, where->name);
				free(q);
				where = NULL;
			} else if (where == rt) {
				char *q;
				if (asprintf(&q, "%s/router", p) < 0)
					abort();
				*r = bad(e, vr_path_route(rt, ro, q),
					 "a leaking next-hop must name another router than %s",
					 rt->name);
				free(q);
				where = NULL;
			}
		}
		if (nh->iface[0] && where && !vr_router_iface(where, nh->iface)) {
			char *q;
			if (asprintf(&q, "%s/interface", p) < 0)
				abort();
			*r = bad(e, vr_path_route(rt, ro, q), "router %s has no interface %s",
				 where->name, nh->iface);
			free(q);
		}
		if (link_local6(&nh->addr) && !nh->iface[0])
			*r = bad(e, vr_path_route(rt, ro, p),
				 "a link-local next-hop needs an interface");
		free(p);
	}
}

static void check_router(const struct vr_config *c, const struct vr_router *rt,
			 struct vr_errs *e, int *r)
{
	if (rt->has_table && reserved_table(rt->table))
		*r = bad(e, vr_path_router(rt, "table"),
			 "table %u is reserved (0 unspec, 253 default, 254 main, 255 local)",
			 rt->table);
	if (rt->placement == VR_PLACE_DOMU && rt->n_ifaces > VR_GUEST_MAX_VIFS)
		*r = bad(e, vr_path_router(rt, "interface"),
			 "a guest has at most %d network cards; router %s has %zu interfaces",
			 VR_GUEST_MAX_VIFS, rt->name, rt->n_ifaces);
	for (size_t i = 0; i < rt->n_ifaces; i++)
		check_iface(c, rt, &rt->ifaces[i], e, r);
	for (size_t i = 0; i < rt->n_routes; i++)
		check_route(c, rt, &rt->routes[i], e, r);
}

int vr_check(const struct vr_config *c, struct vr_errs *e)
{
	int r = 0;

	for (size_t a = 0; a < c->n_routers; a++) {
		const struct vr_router *ra = &c->routers[a];

		check_router(c, ra, e, &r);
		if (!ra->has_table)
			continue;
		for (size_t b = 0; b < a; b++) {
			const struct vr_router *rb = &c->routers[b];
			if (rb->has_table && rb->table == ra->table)
				r = bad(e, vr_path_router(ra, "table"),
					"table %u is already used by router %s", ra->table,
					rb->name);
		}
	}
	check_iface_names(c, e, &r);
	return r;
}
