/* op.c - plans: storage, inverses for rollback, and the stable one-line
 * text of each op (dry-run output and golden tests depend on it). */
#include "op.h"

#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

void vr_plan_init(struct vr_plan *p)
{
	memset(p, 0, sizeof(*p));
}

static bool op_has_route(const struct vr_op *op)
{
	return op->code == VR_OP_ROUTE_ADD || op->code == VR_OP_ROUTE_REPLACE ||
	       op->code == VR_OP_ROUTE_DEL;
}

void vr_plan_free(struct vr_plan *p)
{
	for (size_t i = 0; i < p->n; i++) {
		if (op_has_route(&p->v[i])) {
			free(p->v[i].o.route.nh);
			if (p->v[i].has_old)
				free(p->v[i].old.route.nh);
		}
	}
	for (size_t i = 0; i < p->n_conflicts; i++)
		free(p->conflicts[i]);
	free(p->conflicts);
	free(p->v);
	vr_plan_init(p);
}

static struct vr_nh *nh_dup(const struct vr_nh *nh, size_t n)
{
	struct vr_nh *c;

	if (!n)
		return NULL;
	c = malloc(n * sizeof(*c));
	if (!c)
		abort();
	memcpy(c, nh, n * sizeof(*c));
	return c;
}

struct vr_op *vr_plan_add(struct vr_plan *p, const struct vr_op *op)
{
	struct vr_op *o;

	if (p->n == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 64;
		struct vr_op *v = realloc(p->v, cap * sizeof(*v));
		if (!v)
			abort();
		p->v = v;
		p->cap = cap;
	}
	o = &p->v[p->n++];
	*o = *op;
	if (op_has_route(op)) {
		o->o.route.nh = nh_dup(op->o.route.nh, op->o.route.n_nh);
		if (op->has_old)
			o->old.route.nh = nh_dup(op->old.route.nh, op->old.route.n_nh);
	}
	return o;
}

void vr_plan_add_conflict(struct vr_plan *p, const char *fmt, ...)
{
	va_list ap;
	char *s;
	char **v = realloc(p->conflicts, (p->n_conflicts + 1) * sizeof(*v));

	if (!v)
		abort();
	p->conflicts = v;
	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		abort();
	va_end(ap);
	p->conflicts[p->n_conflicts++] = s;
}

const char *vr_op_ns(const struct vr_op *op)
{
	switch (op->code) {
	case VR_OP_NETNS_ADD:
	case VR_OP_NETNS_DEL:
		return "";
	case VR_OP_LINK_ADD:
	case VR_OP_LINK_DEL:
	case VR_OP_LINK_SET:
	case VR_OP_LINK_MOVE:
		return op->o.link.ns;
	case VR_OP_ADDR_ADD:
	case VR_OP_ADDR_DEL:
		return op->o.addr.ns;
	case VR_OP_ROUTE_ADD:
	case VR_OP_ROUTE_REPLACE:
	case VR_OP_ROUTE_DEL:
		return op->o.route.ns;
	case VR_OP_RULE_ADD:
	case VR_OP_RULE_DEL:
		return op->o.rule.ns;
	case VR_OP_SYSCTL_SET:
		return op->o.sysctl.ns;
	case VR_OP_PROXY_ADD:
	case VR_OP_PROXY_DEL:
		return op->o.proxy.ns;
	}
	return "";
}

bool vr_op_inverse(const struct vr_op *op, struct vr_op *inv)
{
	*inv = *op;
	inv->has_old = false;
	switch (op->code) {
	case VR_OP_NETNS_ADD:
		inv->code = VR_OP_NETNS_DEL;
		return true;
	case VR_OP_NETNS_DEL:
		inv->code = VR_OP_NETNS_ADD;
		return true;
	case VR_OP_LINK_ADD:
		inv->code = VR_OP_LINK_DEL;
		return true;
	case VR_OP_LINK_DEL:
		inv->code = VR_OP_LINK_ADD;
		return true;
	case VR_OP_LINK_SET:
		if (!op->has_old)
			return false;
		inv->o.link = op->old.link;
		return true;
	case VR_OP_LINK_MOVE:
		inv->o.link.ns = op->to_ns;
		inv->to_ns = op->o.link.ns;
		return true;
	case VR_OP_ADDR_ADD:
		inv->code = VR_OP_ADDR_DEL;
		return true;
	case VR_OP_ADDR_DEL:
		inv->code = VR_OP_ADDR_ADD;
		return true;
	case VR_OP_ROUTE_ADD:
		inv->code = VR_OP_ROUTE_DEL;
		return true;
	case VR_OP_ROUTE_DEL:
		inv->code = VR_OP_ROUTE_ADD;
		return true;
	case VR_OP_ROUTE_REPLACE:
		if (!op->has_old)
			return false;
		inv->o.route = op->old.route;
		return true;
	case VR_OP_RULE_ADD:
		inv->code = VR_OP_RULE_DEL;
		return true;
	case VR_OP_RULE_DEL:
		inv->code = VR_OP_RULE_ADD;
		return true;
	case VR_OP_SYSCTL_SET:
		if (!op->has_old)
			return false;
		inv->o.sysctl = op->old.sysctl;
		return true;
	case VR_OP_PROXY_ADD:
		inv->code = VR_OP_PROXY_DEL;
		return true;
	case VR_OP_PROXY_DEL:
		inv->code = VR_OP_PROXY_ADD;
		return true;
	}
	return false;
}

/* A bounded appender: text past the end is dropped, never overflows. */
struct sbuf {
	char *p;
	size_t len, off;
};

static void sb_add(struct sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void sb_add(struct sbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (b->off >= b->len)
		return;
	va_start(ap, fmt);
	n = vsnprintf(b->p + b->off, b->len - b->off, fmt, ap);
	va_end(ap);
	if (n > 0)
		b->off += (size_t)n;
}

static void sb_ns(struct sbuf *b, const char *ns)
{
	if (ns && *ns)
		sb_add(b, " netns %s", ns);
}

static const char *kind_str(enum vr_link_kind k)
{
	static const char *const s[] = {
		[VR_LINK_OTHER] = "port",     [VR_LINK_VETH] = "veth",
		[VR_LINK_BRIDGE] = "bridge",  [VR_LINK_MACVLAN] = "macvlan",
		[VR_LINK_VXLAN] = "vxlan",    [VR_LINK_VRF] = "vrf",
	};
	return s[k];
}

static const char *macvlan_mode_str(uint32_t m)
{
	switch (m) {
	case MACVLAN_MODE_PRIVATE:
		return "private";
	case MACVLAN_MODE_VEPA:
		return "vepa";
	case MACVLAN_MODE_PASSTHRU:
		return "passthru";
	default:
		return "bridge";
	}
}

/* old: for a SET, the link as it was (NULL when it does not exist yet). */
static void sb_link(struct sbuf *b, const struct vr_link *l, bool with_kind,
		    const struct vr_link *old)
{
	char a[VR_ADDR_STRLEN];

	sb_add(b, "link %s", l->name);
	if (with_kind) {
		sb_add(b, " type %s", kind_str(l->kind));
		switch (l->kind) {
		case VR_LINK_VETH:
			sb_add(b, " peer %s", l->u.veth.peer);
			if (l->u.veth.peer_ns && vr_ns_cmp(l->u.veth.peer_ns, l->ns))
				sb_add(b, " peer-netns %s",
				       *l->u.veth.peer_ns ? l->u.veth.peer_ns : "host");
			if (l->u.veth.peer_master[0])
				sb_add(b, " peer-master %s", l->u.veth.peer_master);
			break;
		case VR_LINK_VRF:
			sb_add(b, " table %u", l->u.vrf.table);
			break;
		case VR_LINK_MACVLAN:
			sb_add(b, " parent %s mode %s", l->u.macvlan.parent,
			       macvlan_mode_str(l->u.macvlan.mode));
			break;
		case VR_LINK_VXLAN:
			sb_add(b, " vni %u", l->u.vxlan.vni);
			if (l->u.vxlan.local.family)
				sb_add(b, " local %s",
				       vr_ip_str(&l->u.vxlan.local, false, a, sizeof(a)));
			if (l->u.vxlan.remote.family)
				sb_add(b, " remote %s",
				       vr_ip_str(&l->u.vxlan.remote, false, a, sizeof(a)));
			sb_add(b, " dstport %u", l->u.vxlan.port);
			if (l->u.vxlan.dev[0])
				sb_add(b, " dev %s", l->u.vxlan.dev);
			break;
		default:
			break;
		}
	}
	if (l->keep_master)
		;
	else if (old && strcmp(old->master, l->master))
		sb_add(b, l->master[0] ? " master %s" : " nomaster", l->master);
	else if (!old && l->master[0])
		sb_add(b, " master %s", l->master);
	if (l->mtu)
		sb_add(b, " mtu %u", l->mtu);
	if (l->has_mac)
		sb_add(b, " address %02x:%02x:%02x:%02x:%02x:%02x", l->mac[0], l->mac[1], l->mac[2],
		       l->mac[3], l->mac[4], l->mac[5]);
	if (l->noarp)
		sb_add(b, " arp %s", l->noarp > 0 ? "off" : "on");
	if (l->up >= 0)
		sb_add(b, " %s", l->up ? "up" : "down");
	sb_ns(b, l->ns);
}

static const char *rtype_str(uint8_t t)
{
	switch (t) {
	case RTN_BLACKHOLE:
		return "blackhole";
	case RTN_UNREACHABLE:
		return "unreachable";
	case RTN_PROHIBIT:
		return "prohibit";
	default:
		return NULL;
	}
}

static void sb_route_key(struct sbuf *b, const struct vr_route *r)
{
	char a[VR_ADDR_STRLEN];

	sb_add(b, "route %s table %u", vr_ip_str(&r->dst, true, a, sizeof(a)), r->table);
	if (r->metric)
		sb_add(b, " metric %u", r->metric);
}

static void sb_route(struct sbuf *b, const struct vr_route *r)
{
	char a[VR_ADDR_STRLEN];
	const char *t = rtype_str(r->type);

	sb_route_key(b, r);
	if (t)
		sb_add(b, " %s", t);
	for (size_t i = 0; i < r->n_nh; i++) {
		const struct vr_nh *nh = &r->nh[i];
		if (r->n_nh > 1)
			sb_add(b, " nexthop");
		if (nh->gw.family)
			sb_add(b, " via %s%s", nh->gw.family != r->dst.family ? "inet6 " : "",
			       vr_ip_str(&nh->gw, false, a, sizeof(a)));
		if (nh->dev[0])
			sb_add(b, " dev %s", nh->dev);
		if (r->n_nh > 1)
			sb_add(b, " weight %u", nh->weight);
	}
	sb_ns(b, r->ns);
}

static void sb_rule(struct sbuf *b, const struct vr_rule *r)
{
	sb_add(b, "rule %s pref %u", r->family == AF_INET6 ? "ipv6" : "ipv4", r->priority);
	if (r->iif[0])
		sb_add(b, " iif %s", r->iif);
	if (r->l3mdev)
		sb_add(b, " l3mdev");
	else
		sb_add(b, " lookup %u", r->table);
	sb_ns(b, r->ns);
}

static void sb_proxy(struct sbuf *b, const struct vr_proxy *p)
{
	char a[VR_ADDR_STRLEN];

	sb_add(b, "proxy %s", vr_ip_str(&p->ip, false, a, sizeof(a)));
	if (p->dev[0])
		sb_add(b, " dev %s", p->dev);
	sb_ns(b, p->ns);
}

const char *vr_op_owner(const struct vr_op *op)
{
	switch (op->code) {
	case VR_OP_NETNS_ADD:
	case VR_OP_NETNS_DEL:
		return op->o.netns.owner;
	case VR_OP_LINK_ADD:
	case VR_OP_LINK_DEL:
	case VR_OP_LINK_SET:
	case VR_OP_LINK_MOVE:
		return op->o.link.owner;
	case VR_OP_ADDR_ADD:
	case VR_OP_ADDR_DEL:
		return op->o.addr.owner;
	case VR_OP_ROUTE_ADD:
	case VR_OP_ROUTE_REPLACE:
	case VR_OP_ROUTE_DEL:
		return op->o.route.owner;
	case VR_OP_RULE_ADD:
	case VR_OP_RULE_DEL:
		return op->o.rule.owner;
	case VR_OP_SYSCTL_SET:
		return op->o.sysctl.owner;
	case VR_OP_PROXY_ADD:
	case VR_OP_PROXY_DEL:
		return op->o.proxy.owner;
	}
	return NULL;
}

char *vr_op_str(const struct vr_op *op, char *buf, size_t len)
{
	struct sbuf b = {buf, len, 0};
	char a[VR_ADDR_STRLEN];
	const char *owner = vr_op_owner(op);

	buf[0] = 0;
	sb_add(&b, "[%s] ", owner ? owner : "-");
	switch (op->code) {
	case VR_OP_NETNS_ADD:
	case VR_OP_NETNS_DEL:
		sb_add(&b, "%s netns %s", op->code == VR_OP_NETNS_ADD ? "add" : "del",
		       op->o.netns.name);
		break;
	case VR_OP_LINK_ADD:
		sb_add(&b, "add ");
		sb_link(&b, &op->o.link, true, NULL);
		break;
	case VR_OP_LINK_DEL:
		sb_add(&b, "del link %s", op->o.link.name);
		sb_ns(&b, op->o.link.ns);
		break;
	case VR_OP_LINK_SET:
		sb_add(&b, "set ");
		sb_link(&b, &op->o.link, false, op->has_old ? &op->old.link : NULL);
		break;
	case VR_OP_LINK_MOVE:
		sb_add(&b, "move link %s", op->o.link.name);
		sb_ns(&b, op->o.link.ns);
		sb_add(&b, " to netns %s", op->to_ns && *op->to_ns ? op->to_ns : "host");
		break;
	case VR_OP_ADDR_ADD:
	case VR_OP_ADDR_DEL:
		sb_add(&b, "%s address %s dev %s", op->code == VR_OP_ADDR_ADD ? "add" : "del",
		       vr_ip_str(&op->o.addr.ip, true, a, sizeof(a)), op->o.addr.dev);
		sb_ns(&b, op->o.addr.ns);
		break;
	case VR_OP_ROUTE_ADD:
	case VR_OP_ROUTE_REPLACE:
		sb_add(&b, "%s ", op->code == VR_OP_ROUTE_ADD ? "add" : "replace");
		sb_route(&b, &op->o.route);
		break;
	case VR_OP_ROUTE_DEL:
		sb_add(&b, "del ");
		sb_route_key(&b, &op->o.route);
		sb_ns(&b, op->o.route.ns);
		break;
	case VR_OP_RULE_ADD:
	case VR_OP_RULE_DEL:
		sb_add(&b, "%s ", op->code == VR_OP_RULE_ADD ? "add" : "del");
		sb_rule(&b, &op->o.rule);
		break;
	case VR_OP_SYSCTL_SET:
		sb_add(&b, "set sysctl %s=%s", op->o.sysctl.key, op->o.sysctl.value);
		sb_ns(&b, op->o.sysctl.ns);
		break;
	case VR_OP_PROXY_ADD:
	case VR_OP_PROXY_DEL:
		sb_add(&b, "%s ", op->code == VR_OP_PROXY_ADD ? "add" : "del");
		sb_proxy(&b, &op->o.proxy);
		break;
	}
	return buf;
}

char *vr_op_obj(const struct vr_op *op, char *buf, size_t len)
{
	struct sbuf b = {buf, len, 0};
	char a[VR_ADDR_STRLEN];
	const char *owner = vr_op_owner(op);

	buf[0] = 0;
	switch (op->code) {
	case VR_OP_NETNS_ADD:
	case VR_OP_NETNS_DEL:
		sb_add(&b, "netns %s", op->o.netns.name);
		break;
	case VR_OP_LINK_ADD:
	case VR_OP_LINK_DEL:
	case VR_OP_LINK_SET:
	case VR_OP_LINK_MOVE:
		sb_add(&b, "link %s", op->o.link.name);
		sb_ns(&b, op->o.link.ns);
		break;
	case VR_OP_ADDR_ADD:
	case VR_OP_ADDR_DEL:
		sb_add(&b, "address %s dev %s", vr_ip_str(&op->o.addr.ip, true, a, sizeof(a)),
		       op->o.addr.dev);
		sb_ns(&b, op->o.addr.ns);
		break;
	case VR_OP_ROUTE_ADD:
	case VR_OP_ROUTE_REPLACE:
	case VR_OP_ROUTE_DEL:
		sb_route_key(&b, &op->o.route);
		sb_ns(&b, op->o.route.ns);
		break;
	case VR_OP_RULE_ADD:
	case VR_OP_RULE_DEL:
		sb_rule(&b, &op->o.rule);
		break;
	case VR_OP_SYSCTL_SET:
		sb_add(&b, "sysctl %s", op->o.sysctl.key);
		sb_ns(&b, op->o.sysctl.ns);
		break;
	case VR_OP_PROXY_ADD:
	case VR_OP_PROXY_DEL:
		sb_proxy(&b, &op->o.proxy);
		break;
	}
	if (owner)
		sb_add(&b, " (router %s)", owner);
	return buf;
}
