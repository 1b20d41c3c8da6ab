/* diff.c - the reconcile step (see diff.h).
 *
 * Kernel quirks the plan accounts for:
 * - moving a port into another namespace drops its addresses and takes it
 *   down; enslaving a port into a VRF cycles it down and up, which deletes
 *   its global IPv6 addresses and every route through it.  Such a port is
 *   "reset": its desired addresses and its router's routes are written again
 *   (NLM_F_REPLACE, so the ones that survived are not disturbed).
 * - the kernel gives IPv6 routes without a metric 1024 (desired.c writes
 *   that explicitly so the keys compare equal). */
#include "diff.h"

#include <errno.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct dctx {
	const struct vr_state *want, *have;
	struct vr_plan *plan;
	struct vr_errs *e;
	/* reset ports (ns, name) and the routers they belong to */
	struct {
		const char *ns;
		char name[IFNAMSIZ];
		const char *owner;
	} *reset;
	size_t n_reset;
	int r;
};

static void add_op(struct dctx *d, enum vr_op_code code, enum vr_wave wave, const void *obj,
		   size_t size, const void *old, size_t old_size)
{
	struct vr_op op;

	memset(&op, 0, sizeof(op));
	op.code = code;
	op.wave = wave;
	memcpy(&op.o, obj, size);
	if (old) {
		memcpy(&op.old, old, old_size);
		op.has_old = true;
	}
	vr_plan_add(d->plan, &op);
}

static void mark_reset(struct dctx *d, const struct vr_link *l)
{
	void *v = realloc(d->reset, (d->n_reset + 1) * sizeof(*d->reset));

	if (!v)
		abort();
	d->reset = v;
	d->reset[d->n_reset].ns = l->ns;
	snprintf(d->reset[d->n_reset].name, IFNAMSIZ, "%s", l->name);
	d->reset[d->n_reset].owner = l->owner;
	d->n_reset++;
}

static bool is_reset_dev(const struct dctx *d, const char *ns, const char *dev)
{
	for (size_t i = 0; i < d->n_reset; i++)
		if (d->reset[i].ns == ns && !strcmp(d->reset[i].name, dev))
			return true;
	return false;
}

static bool is_reset_owner(const struct dctx *d, const char *owner)
{
	for (size_t i = 0; i < d->n_reset; i++)
		if (d->reset[i].owner == owner)
			return true;
	return false;
}

static bool link_differs(const struct vr_link *w, const struct vr_link *h)
{
	if (!w->keep_master && strcmp(w->master, h->master))
		return true;
	if (w->mtu && w->mtu != h->mtu)
		return true;
	if (w->noarp && w->noarp != h->noarp)
		return true;
	if (w->has_mac && (!h->has_mac || memcmp(w->mac, h->mac, 6)))
		return true;
	return w->up >= 0 && (w->up > 0) != (h->up > 0);
}

static const char *kind_name(enum vr_link_kind k)
{
	static const char *const s[] = {"port", "veth", "bridge", "macvlan", "vxlan", "vrf"};
	return s[k];
}

static const char *ns_label(const char *ns)
{
	return ns && *ns ? ns : "the host";
}

/* Settings of a link that now exists (or will, after the LINK/MOVE waves):
 * master in the ENSLAVE wave (with up and mtu in the same message: the
 * kernel handles IFLA_MASTER before the flags), the rest in SET. */
static void plan_set(struct dctx *d, const struct vr_link *w, const struct vr_link *old)
{
	enum vr_wave wave = w->master[0] ? VR_WAVE_ENSLAVE : VR_WAVE_SET;

	if (old && strcmp(old->master, w->master) && w->master[0])
		mark_reset(d, w);
	/* A new MAC on a link that is up: most drivers refuse it while the
	 * link runs (EBUSY: Xen's netback vif, physical ports; veth allows
	 * it), so it goes down first, in the same wave, and comes back up
	 * with the change. */
	if (old && w->has_mac && old->up > 0 && (!old->has_mac || memcmp(old->mac, w->mac, 6))) {
		struct vr_link down = *old;

		down.owner = w->owner;
		down.keep_master = true;
		down.mtu = 0;
		down.has_mac = false;
		down.noarp = 0;
		down.up = 0;
		add_op(d, VR_OP_LINK_SET, wave, &down, sizeof(down), old, sizeof(*old));
	}
	add_op(d, VR_OP_LINK_SET, wave, w, sizeof(*w), old, old ? sizeof(*old) : 0);
}

static void diff_created(struct dctx *d, const struct vr_link *w, const struct vr_link *h)
{
	if (!h) {
		struct vr_link add = *w;

		add.master[0] = 0;
		add.up = -1;
		/* macvlan and vxlan refer to a device of the host namespace:
		 * create them there, then move them. */
		if ((w->kind == VR_LINK_MACVLAN || w->kind == VR_LINK_VXLAN) && *w->ns) {
			struct vr_op op;

			add.ns = vr_intern("");
			add_op(d, VR_OP_LINK_ADD, VR_WAVE_LINK, &add, sizeof(add), NULL, 0);
			memset(&op, 0, sizeof(op));
			op.code = VR_OP_LINK_MOVE;
			op.wave = VR_WAVE_MOVE;
			op.o.link = add;
			op.to_ns = w->ns;
			vr_plan_add(d->plan, &op);
		} else {
			add_op(d, VR_OP_LINK_ADD, VR_WAVE_LINK, &add, sizeof(add), NULL, 0);
		}
		plan_set(d, w, NULL);
		return;
	}
	if (!h->created || !h->owner) {
		d->r = vr_errs_add(d->e, -EEXIST, w->name,
				   "a link named %s already exists in %s and is not vrd's; router %s "
				   "needs that name for its %s",
				   w->name, ns_label(w->ns), w->owner, kind_name(w->kind));
		return;
	}
	if (h->owner != w->owner) {
		d->r = vr_errs_add(d->e, -EEXIST, w->name,
				   "link %s belongs to router %s; remove it there first", w->name,
				   h->owner);
		return;
	}
	if (h->kind != w->kind) {
		d->r = vr_errs_add(d->e, -EEXIST, w->name,
				   "link %s is a %s; router %s wants a %s: remove the interface, "
				   "apply, then add it back",
				   w->name, kind_name(h->kind), w->owner, kind_name(w->kind));
		return;
	}
	if (w->kind == VR_LINK_VRF && w->u.vrf.table != h->u.vrf.table) {
		d->r = vr_errs_add(d->e, -EBUSY, w->name,
				   "VRF %s is bound to table %u; the kernel cannot rebind it to %u "
				   "(remove the router, apply, then add it back)",
				   w->name, h->u.vrf.table, w->u.vrf.table);
		return;
	}
	if (link_differs(w, h))
		plan_set(d, w, h);
}

/* Port name in the namespace of a router (vrd's netns backend), or NULL:
 * a port the host wants back, for a router now placed elsewhere (its
 * bridge in dom0, for placement domU).  lo stays. */
static const struct vr_link *in_router_ns(const struct vr_state *have, const char *name)
{
	if (!strcmp(name, "lo"))
		return NULL;
	for (size_t i = 0; i < have->links.n; i++) {
		const struct vr_link *l = &have->links.v[i];
		if (!*l->ns || strcmp(l->name, name))
			continue;
		for (size_t k = 0; k < have->netns.n; k++)
			if (have->netns.v[k].name == l->ns && have->netns.v[k].owner)
				return l;
	}
	return NULL;
}

/* Does the config want an existing link named name in a router's
 * namespace (moved there from vrd's)? */
static bool wanted_as_port(const struct vr_state *want, const char *name)
{
	for (size_t i = 0; i < want->links.n; i++) {
		const struct vr_link *w = &want->links.v[i];
		if (*w->ns && !w->created && !w->implicit && !strcmp(w->name, name))
			return true;
	}
	return false;
}

/* Does the config want port name in vrd's namespace (moved there now)? */
static bool wanted_in_host(const struct vr_state *want, const char *name)
{
	const struct vr_link *w = vr_state_find_link(want, vr_intern(""), name);

	return w && !w->created && !w->implicit;
}

static void diff_port(struct dctx *d, const struct vr_link *w, const struct vr_link *h)
{
	const struct vr_link *elsewhere;
	struct vr_op op;

	if (h) {
		if (link_differs(w, h))
			plan_set(d, w, h);
		return;
	}
	if (w->implicit) {
		plan_set(d, w, NULL);
		return;
	}
	elsewhere = *w->ns ? vr_state_find_link(d->have, vr_intern(""), w->name)
			   : in_router_ns(d->have, w->name);
	if (elsewhere) {
		memset(&op, 0, sizeof(op));
		op.code = VR_OP_LINK_MOVE;
		op.wave = VR_WAVE_MOVE;
		op.o.link = *elsewhere;
		op.o.link.owner = w->owner;
		op.to_ns = w->ns;
		vr_plan_add(d->plan, &op);
		mark_reset(d, w);
		plan_set(d, w, NULL);
		return;
	}
	d->r = vr_errs_add(d->e, -ENODEV, w->name,
			   "router %s: interface %s does not exist in %s (an existing port must be "
			   "there; declare a veth, bridge, macvlan or vxlan to have vrd create one)",
			   w->owner, w->name, ns_label(*w->ns ? "" : w->ns));
}

static bool owned_netns(const struct vr_state *have, const char *ns)
{
	for (size_t i = 0; i < have->netns.n; i++)
		if (have->netns.v[i].name == ns)
			return have->netns.v[i].owner != NULL;
	return false;
}

/* A link the config no longer wants: delete what vrd created, release
 * the ports it took, leave everything else alone. */
static void diff_unwanted_link(struct dctx *d, const struct vr_link *h)
{
	const struct vr_link *m;

	if (h->created && h->owner) {
		/* one vrd created for a router and the config now wants in
		 * another namespace (a guest's vif moving into the router's
		 * dom0 namespace) is moved by diff_port, not deleted */
		if (!*h->ns && wanted_as_port(d->want, h->name))
			return;
		add_op(d, VR_OP_LINK_DEL, VR_WAVE_DEL_LINK, h, sizeof(*h), NULL, 0);
		return;
	}
	if (h->master[0]) {
		m = vr_state_find_link(d->have, h->ns, h->master);
		if (m && m->created && m->owner && m->kind == VR_LINK_VRF) {
			struct vr_link rel = *h;

			rel.owner = m->owner;
			rel.master[0] = 0;
			rel.mtu = 0;
			rel.up = -1;
			rel.noarp = 0;
			add_op(d, VR_OP_LINK_SET, VR_WAVE_RELEASE, &rel, sizeof(rel), h, sizeof(*h));
			return;
		}
	}
	if (*h->ns && owned_netns(d->have, h->ns) && strcmp(h->name, "lo") &&
	    !wanted_in_host(d->want, h->name)) {
		struct vr_op op;

		memset(&op, 0, sizeof(op));
		op.code = VR_OP_LINK_MOVE;
		op.wave = VR_WAVE_RELEASE;
		op.o.link = *h;
		op.to_ns = vr_intern("");
		vr_plan_add(d->plan, &op);
	}
}

static void diff_links(struct dctx *d)
{
	const struct vr_state *w = d->want, *h = d->have;
	size_t i = 0, j = 0;

	while (i < w->links.n || j < h->links.n) {
		int c = i == w->links.n	  ? 1
			: j == h->links.n ? -1
					  : vr_link_key_cmp(&w->links.v[i], &h->links.v[j]);
		if (c < 0) {
			const struct vr_link *wl = &w->links.v[i++];
			if (wl->created)
				diff_created(d, wl, NULL);
			else
				diff_port(d, wl, NULL);
		} else if (c > 0) {
			diff_unwanted_link(d, &h->links.v[j++]);
		} else {
			const struct vr_link *wl = &w->links.v[i++], *hl = &h->links.v[j++];
			if (wl->created)
				diff_created(d, wl, hl);
			else
				diff_port(d, wl, hl);
		}
	}
}

static void diff_netns(struct dctx *d)
{
	const struct vr_state *w = d->want, *h = d->have;
	size_t i = 0, j = 0;

	while (i < w->netns.n || j < h->netns.n) {
		int c = i == w->netns.n	  ? 1
			: j == h->netns.n ? -1
					  : vr_netns_key_cmp(&w->netns.v[i], &h->netns.v[j]);
		if (c < 0)
			add_op(d, VR_OP_NETNS_ADD, VR_WAVE_NETNS, &w->netns.v[i++],
			       sizeof(struct vr_netns), NULL, 0);
		else if (c > 0) {
			const struct vr_netns *n = &h->netns.v[j++];
			if (n->owner)
				add_op(d, VR_OP_NETNS_DEL, VR_WAVE_DEL_NETNS, n, sizeof(*n), NULL, 0);
		} else {
			i++;
			j++;
		}
	}
}

static void diff_addrs(struct dctx *d)
{
	const struct vr_state *w = d->want, *h = d->have;
	size_t i = 0, j = 0;

	while (i < w->addrs.n || j < h->addrs.n) {
		int c = i == w->addrs.n	  ? 1
			: j == h->addrs.n ? -1
					  : vr_addr_key_cmp(&w->addrs.v[i], &h->addrs.v[j]);
		if (c < 0) {
			add_op(d, VR_OP_ADDR_ADD, VR_WAVE_ADDR, &w->addrs.v[i++],
			       sizeof(struct vr_addr), NULL, 0);
		} else if (c > 0) {
			const struct vr_addr *a = &h->addrs.v[j++];
			if (a->proto == VR_RTPROT)
				add_op(d, VR_OP_ADDR_DEL, VR_WAVE_DEL_ADDR, a, sizeof(*a), NULL, 0);
		} else {
			const struct vr_addr *a = &w->addrs.v[i++];
			j++;
			/* Present, by vrd or by hand: taken as is, unless the
			 * port is reset by this plan and loses it. */
			if (is_reset_dev(d, a->ns, a->dev))
				add_op(d, VR_OP_ADDR_ADD, VR_WAVE_ADDR, a, sizeof(*a), NULL, 0);
		}
	}
}

/* Proxy entries merge like addresses, but ownership is the owner
 * vr_state_attribute() (or the engine) gave them: an entry vrd does not
 * want goes when it belongs to a router, whatever its protocol.  A port
 * that goes down (moved, enslaved to a VRF) loses its proxy entries: a
 * reset port gets its desired ones again (an add of an existing entry
 * only updates it). */
static void diff_proxies(struct dctx *d)
{
	const struct vr_state *w = d->want, *h = d->have;
	size_t i = 0, j = 0;

	while (i < w->proxies.n || j < h->proxies.n) {
		int c = i == w->proxies.n   ? 1
		        : j == h->proxies.n ? -1
		                            : vr_proxy_key_cmp(&w->proxies.v[i], &h->proxies.v[j]);
		if (c < 0) {
			add_op(d, VR_OP_PROXY_ADD, VR_WAVE_ADDR, &w->proxies.v[i++],
			       sizeof(struct vr_proxy), NULL, 0);
		} else if (c > 0) {
			const struct vr_proxy *p = &h->proxies.v[j++];
			if (p->owner)
				add_op(d, VR_OP_PROXY_DEL, VR_WAVE_DEL_ADDR, p, sizeof(*p), NULL,
				       0);
		} else {
			const struct vr_proxy *p = &w->proxies.v[i++];
			j++;
			if (p->dev[0] && is_reset_dev(d, p->ns, p->dev))
				add_op(d, VR_OP_PROXY_ADD, VR_WAVE_ADDR, p, sizeof(*p), NULL, 0);
		}
	}
}

static int nh_cmp(const void *a, const void *b)
{
	const struct vr_nh *x = a, *y = b;
	int c = vr_ip_cmp(&x->gw, &y->gw);
	return c ? c : strcmp(x->dev, y->dev);
}

/* Same forwarding behaviour?  The kernel fills in what the model leaves
 * open (the device of a gateway), so only what is desired is compared. */
static bool route_same(const struct vr_route *w, const struct vr_route *h)
{
	struct vr_nh a[VR_MAX_NH], b[VR_MAX_NH];

	if (w->type != h->type)
		return false;
	/* Reject routes have no next hop (the kernel shows IPv6 ones with
	 * "dev lo"). */
	if (w->type != RTN_UNICAST)
		return true;
	if (w->n_nh != h->n_nh)
		return false;
	if (!w->n_nh)
		return true;
	memcpy(a, w->nh, w->n_nh * sizeof(*a));
	memcpy(b, h->nh, h->n_nh * sizeof(*b));
	qsort(a, w->n_nh, sizeof(*a), nh_cmp);
	qsort(b, h->n_nh, sizeof(*b), nh_cmp);
	for (size_t k = 0; k < w->n_nh; k++) {
		if (vr_ip_cmp(&a[k].gw, &b[k].gw))
			return false;
		if (a[k].dev[0] && strcmp(a[k].dev, b[k].dev))
			return false;
		if (w->n_nh > 1 && a[k].weight != b[k].weight)
			return false;
	}
	return true;
}

static void diff_routes(struct dctx *d)
{
	const struct vr_state *w = d->want, *h = d->have;
	size_t i = 0, j = 0;
	char buf[256];

	while (i < w->routes.n || j < h->routes.n) {
		int c = i == w->routes.n   ? 1
			: j == h->routes.n ? -1
					   : vr_route_key_cmp(&w->routes.v[i], &h->routes.v[j]);
		if (c < 0) {
			add_op(d, VR_OP_ROUTE_ADD, VR_WAVE_ROUTE, &w->routes.v[i++],
			       sizeof(struct vr_route), NULL, 0);
		} else if (c > 0) {
			const struct vr_route *r = &h->routes.v[j++];
			if (r->protocol == VR_RTPROT)
				add_op(d, VR_OP_ROUTE_DEL, VR_WAVE_DEL_ROUTE, r, sizeof(*r), NULL, 0);
		} else {
			const struct vr_route *wr = &w->routes.v[i++], *hr = &h->routes.v[j++];

			if (hr->protocol != VR_RTPROT) {
				struct vr_op op = {.code = VR_OP_ROUTE_ADD};
				op.o.route = *wr;
				vr_plan_add_conflict(d->plan,
						     "%s: a route with this key exists and is not "
						     "vrd's (protocol %u); it is left alone",
						     vr_op_obj(&op, buf, sizeof(buf)), hr->protocol);
				continue;
			}
			if (!route_same(wr, hr) || is_reset_owner(d, wr->owner))
				add_op(d, VR_OP_ROUTE_REPLACE, VR_WAVE_ROUTE, wr, sizeof(*wr), hr,
				       sizeof(*hr));
		}
	}
}

/* The local table's lookup in s (ns, family): the kernel's own rule at 0
 * (moved false), or vrd's after the l3mdev rule (moved true, desired.c). */
static bool has_local_rule(const struct vr_state *s, const char *ns, uint8_t family, bool moved)
{
	for (size_t i = 0; i < s->rules.n; i++) {
		const struct vr_rule *r = &s->rules.v[i];
		if (r->ns == ns && r->family == family && r->table == RT_TABLE_LOCAL &&
		    !r->l3mdev && !r->iif[0] &&
		    (moved ? r->priority && r->protocol == VR_RTPROT
		           : !r->priority && r->protocol == RTPROT_KERNEL))
			return true;
	}
	return false;
}

static bool plan_adds_vrf(const struct dctx *d, const char *ns)
{
	for (size_t i = 0; i < d->plan->n; i++) {
		const struct vr_op *op = &d->plan->v[i];
		if (op->code == VR_OP_LINK_ADD && op->o.link.kind == VR_LINK_VRF && op->o.link.ns == ns)
			return true;
	}
	return false;
}

static void diff_rules(struct dctx *d)
{
	const struct vr_state *w = d->want, *h = d->have;
	size_t i = 0, j = 0;

	while (i < w->rules.n || j < h->rules.n) {
		int c = i == w->rules.n	  ? 1
			: j == h->rules.n ? -1
					  : vr_rule_key_cmp(&w->rules.v[i], &h->rules.v[j]);
		if (c < 0) {
			const struct vr_rule *r = &w->rules.v[i++];
			/* The vrf driver adds the l3mdev rule (protocol kernel)
			 * with a namespace's first VRF device: adding ours in
			 * the same plan left two at 1000, and the verify round
			 * deleted ours again.  If the kernel does not add it,
			 * the verify round does. */
			if (!(r->l3mdev && plan_adds_vrf(d, r->ns)))
				add_op(d, VR_OP_RULE_ADD, VR_WAVE_RULE, r, sizeof(*r), NULL, 0);
		} else if (c > 0) {
			const struct vr_rule *r = &h->rules.v[j++];
			/* the kernel's local rule at 0 goes once vrd's moved
			 * one exists (RULE runs before DEL_RULE) */
			if (r->protocol == VR_RTPROT ||
			    (r->table == RT_TABLE_LOCAL && !r->priority && !r->l3mdev &&
			     !r->iif[0] && r->protocol == RTPROT_KERNEL &&
			     has_local_rule(w, r->ns, r->family, true)))
				add_op(d, VR_OP_RULE_DEL, VR_WAVE_DEL_RULE, r, sizeof(*r), NULL, 0);
		} else {
			i++;
			j++;
		}
	}
	/* vrd's moved local rule is going: the kernel's at 0 comes back first
	 * (without a local lookup the host delivers no packet at all). */
	for (size_t k = 0; k < h->rules.n; k++) {
		const struct vr_rule *r = &h->rules.v[k];
		struct vr_rule back = {.ns = r->ns, .family = r->family, .table = RT_TABLE_LOCAL,
				       .protocol = RTPROT_KERNEL};

		if (r->table == RT_TABLE_LOCAL && r->priority && !r->l3mdev && !r->iif[0] &&
		    r->protocol == VR_RTPROT && !has_local_rule(w, r->ns, r->family, true) &&
		    !has_local_rule(h, r->ns, r->family, false))
			add_op(d, VR_OP_RULE_ADD, VR_WAVE_RULE, &back, sizeof(back), NULL, 0);
	}
}

static void diff_sysctls(struct dctx *d)
{
	const struct vr_state *w = d->want, *h = d->have;
	size_t i = 0, j = 0;

	/* Only desired keys are observed; there is nothing to delete. */
	while (i < w->sysctls.n) {
		int c = j == h->sysctls.n ? -1 : vr_sysctl_key_cmp(&w->sysctls.v[i], &h->sysctls.v[j]);
		if (c < 0) {
			add_op(d, VR_OP_SYSCTL_SET, VR_WAVE_SYSCTL, &w->sysctls.v[i++],
			       sizeof(struct vr_sysctl), NULL, 0);
		} else if (c > 0) {
			j++;
		} else {
			const struct vr_sysctl *ws = &w->sysctls.v[i++], *hs = &h->sysctls.v[j++];
			if (strcmp(ws->value, hs->value))
				add_op(d, VR_OP_SYSCTL_SET, VR_WAVE_SYSCTL, ws, sizeof(*ws), hs,
				       sizeof(*hs));
		}
	}
}

/* A VRF's table must be its own: another VRF bound to it, or routes of
 * others in it before our VRF exists, are errors before any change. */
static void check_tables(struct dctx *d)
{
	for (size_t i = 0; i < d->want->links.n; i++) {
		const struct vr_link *w = &d->want->links.v[i];
		uint32_t t = w->u.vrf.table;
		size_t foreign = 0;
		const struct vr_route *example = NULL;

		if (w->kind != VR_LINK_VRF)
			continue;
		for (size_t j = 0; j < d->have->links.n; j++) {
			const struct vr_link *h = &d->have->links.v[j];
			if (h->kind == VR_LINK_VRF && h->ns == w->ns && h->u.vrf.table == t &&
			    strcmp(h->name, w->name))
				d->r = vr_errs_add(d->e, -EBUSY, w->name,
						   "router %s: table %u is already used by VRF %s", w->owner,
						   t, h->name);
		}
		if (vr_state_find_link(d->have, w->ns, w->name))
			continue; /* ours exists: foreign routes in it are conflicts */
		for (size_t j = 0; j < d->have->routes.n; j++) {
			const struct vr_route *r = &d->have->routes.v[j];
			if (r->ns == w->ns && r->table == t && r->protocol != VR_RTPROT) {
				foreign++;
				example = example ? example : r;
			}
		}
		if (foreign) {
			char a[VR_ADDR_STRLEN];
			d->r = vr_errs_add(d->e, -EBUSY, w->name,
					   "router %s: table %u already holds %zu route%s of others "
					   "(e.g. %s, protocol %u); choose another table",
					   w->owner, t, foreign, foreign == 1 ? "" : "s",
					   vr_ip_str(&example->dst, true, a, sizeof(a)), example->protocol);
		}
	}
}

int vr_diff(const struct vr_state *want, const struct vr_state *have, struct vr_plan *plan,
	    struct vr_errs *e)
{
	struct dctx d = {.want = want, .have = have, .plan = plan, .e = e};

	check_tables(&d);
	diff_netns(&d);
	diff_links(&d); /* before addresses and routes: it marks reset ports */
	diff_sysctls(&d);
	diff_rules(&d);
	diff_addrs(&d);
	diff_proxies(&d);
	diff_routes(&d);
	free(d.reset);
	return d.r;
}

static bool has_gateway(const struct vr_op *op)
{
	if (op->code != VR_OP_ROUTE_ADD && op->code != VR_OP_ROUTE_REPLACE)
		return false;
	for (size_t k = 0; k < op->o.route.n_nh; k++)
		if (op->o.route.nh[k].gw.family)
			return true;
	return false;
}

static void stable_gateways_last(struct vr_op *v, size_t n)
{
	struct vr_op *tmp;
	size_t k = 0;

	if (n < 2)
		return;
	tmp = malloc(n * sizeof(*tmp));
	if (!tmp)
		abort();
	for (size_t i = 0; i < n; i++)
		if (!has_gateway(&v[i]))
			tmp[k++] = v[i];
	for (size_t i = 0; i < n; i++)
		if (has_gateway(&v[i]))
			tmp[k++] = v[i];
	memcpy(v, tmp, n * sizeof(*v));
	free(tmp);
}

void vr_plan_order(struct vr_plan *p)
{
	size_t count[VR_WAVE_COUNT + 1] = {0};
	struct vr_op *sorted;

	if (p->n < 2)
		return;
	for (size_t i = 0; i < p->n; i++)
		count[p->v[i].wave + 1]++;
	for (int w = 1; w <= VR_WAVE_COUNT; w++)
		count[w] += count[w - 1];
	sorted = malloc(p->n * sizeof(*sorted));
	if (!sorted)
		abort();
	for (size_t i = 0; i < p->n; i++)
		sorted[count[p->v[i].wave]++] = p->v[i];
	/* In the route wave, routes without a gateway first: a gateway
	 * route may need one of them to be reachable (the kernel checks at
	 * once, and the wave is one batch). */
	/* count[w] is now the end of wave w, count[w - 1] its start */
	stable_gateways_last(sorted + count[VR_WAVE_ROUTE - 1],
			     count[VR_WAVE_ROUTE] - count[VR_WAVE_ROUTE - 1]);
	free(p->v);
	p->v = sorted;
	p->cap = p->n;
}

void vr_plan_summary(const struct vr_plan *p, struct vr_plan_summary *s)
{
	memset(s, 0, sizeof(*s));
	for (size_t i = 0; i < p->n; i++) {
		switch (p->v[i].code) {
		case VR_OP_NETNS_ADD:
		case VR_OP_LINK_ADD:
		case VR_OP_ADDR_ADD:
		case VR_OP_ROUTE_ADD:
		case VR_OP_RULE_ADD:
		case VR_OP_PROXY_ADD:
			s->added++;
			break;
		case VR_OP_NETNS_DEL:
		case VR_OP_LINK_DEL:
		case VR_OP_ADDR_DEL:
		case VR_OP_ROUTE_DEL:
		case VR_OP_RULE_DEL:
		case VR_OP_PROXY_DEL:
			s->deleted++;
			break;
		default:
			s->changed++;
		}
	}
}
