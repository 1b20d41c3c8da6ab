/* domu.c - a router placed in a guest: dom0's objects and the guest's
 * config (see domu.h).  Pure. */
#include "place/domu.h"

#include <errno.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

const char *vr_domu_upstream(const struct vr_iface *f)
{
	return f->upstream[0] ? f->upstream : f->name;
}

static void copy_name(char dst[IFNAMSIZ], const char *s)
{
	snprintf(dst, IFNAMSIZ, "%s", s);
}

static void vif_of(const struct vr_rinfo *ri, size_t n, char out[IFNAMSIZ])
{
	if (ri->guest && n < ri->guest->n_vifs)
		copy_name(out, ri->guest->vif[n]);
	else
		vr_vif_name((int)ri->gid, n, out);
}

static struct vr_ip network_of(const struct vr_ip *a)
{
	struct vr_ip n = *a;
	unsigned len = vr_ip_len(a);

	for (unsigned i = 0; i < len; i++) {
		int bits = (int)n.plen - (int)(8 * i);
		if (bits <= 0)
			n.a[i] = 0;
		else if (bits < 8)
			n.a[i] &= (uint8_t)(0xff << (8 - bits));
	}
	return n;
}

static struct vr_ip host_of(const struct vr_ip *a)
{
	struct vr_ip h = *a;

	h.plen = a->family == AF_INET ? 32 : 128;
	return h;
}

static void add_sysctl(struct vr_state *s, const char *ns, const char *owner, const char *fmt,
                       const char *dev, const char *val)
{
	struct vr_sysctl c = {.ns = ns, .owner = owner};

	snprintf(c.key, sizeof(c.key), fmt, dev);
	snprintf(c.value, sizeof(c.value), "%s", val);
	vr_state_add_sysctl(s, &c);
}

/* A sysctl once per (ns, key): shared keys may come from several routers. */
static void add_key(struct vr_state *s, const char *ns, const char *owner, const char *key,
                    const char *val)
{
	for (size_t i = 0; i < s->sysctls.n; i++)
		if (s->sysctls.v[i].ns == ns && !strcmp(s->sysctls.v[i].key, key))
			return;
	add_sysctl(s, ns, owner, "%s", key, val);
}

static bool route_known(const struct vr_state *s, const char *ns, uint32_t table,
                        const struct vr_ip *dst, size_t from)
{
	for (size_t i = from; i < s->routes.n; i++) {
		const struct vr_route *o = &s->routes.v[i];
		if (o->ns == ns && o->table == table && !vr_ip_cmp(&o->dst, dst))
			return true;
	}
	return false;
}

/* Route dst in table t: on dev (gw NULL) or via gw on dev.  Skipped when
 * the table already has dst (a static route equal to a network). */
static void add_route(struct vr_state *s, const struct vr_rinfo *ri, uint32_t t,
                      const struct vr_ip *dst, const struct vr_ip *gw, const char *dev, size_t from)
{
	struct vr_nh nh = {.weight = 1};
	struct vr_route o = {.ns = ri->ns,
	                     .owner = vr_intern(ri->r->name),
	                     .table = t,
	                     .protocol = VR_RTPROT,
	                     .type = RTN_UNICAST,
	                     .scope = gw ? RT_SCOPE_UNIVERSE : RT_SCOPE_LINK,
	                     .dst = *dst,
	                     .n_nh = 1,
	                     .nh = &nh};

	if (route_known(s, ri->ns, t, dst, from))
		return;
	if (dst->family == AF_INET6) {
		o.metric = VR_IP6_METRIC_DEFAULT;
		o.scope = RT_SCOPE_UNIVERSE; /* IPv6 routes have no link scope */
	}
	if (gw)
		nh.gw = host_of(gw);
	copy_name(nh.dev, dev);
	vr_state_add_route(s, &o);
}

static void add_bridged(const struct vr_rinfo *ri, size_t n, struct vr_state *s)
{
	const struct vr_iface *f = &ri->r->ifaces[n];
	const char *owner = vr_intern(ri->r->name), *host = vr_intern("");
	struct vr_link br = {
	    .ns = host, .owner = owner, .created = true, .kind = VR_LINK_BRIDGE, .up = 1};
	struct vr_link up = {.ns = host, .owner = owner, .up = 1};
	struct vr_link vif = {.ns = host, .owner = owner, .up = 1, .has_mac = true, .noarp = -1};

	/* gid <= 65535 (the tables pool), n < 16: at most 11 bytes */
	snprintf(br.name, IFNAMSIZ, "vrb%u.%u", (unsigned)(uint16_t)ri->gid, (unsigned)(n % 100));
	vr_state_add_link(s, &br);
	copy_name(up.name, vr_domu_upstream(f));
	copy_name(up.master, br.name);
	vr_state_add_link(s, &up);
	vif_of(ri, n, vif.name);
	copy_name(vif.master, br.name);
	vr_vif_mac(ri->r->name, f->name, vif.mac);
	vr_state_add_link(s, &vif);
}

static void add_pair_rules(const struct vr_rinfo *ri, uint32_t t_in, uint32_t t_out, const char *up,
                           const char *vif, struct vr_state *s)
{
	static const uint8_t fams[] = {AF_INET, AF_INET6};

	for (size_t k = 0; k < 2; k++)
		for (int side = 0; side < 2; side++) {
			struct vr_rule ru = {.ns = ri->ns,
			                     .owner = vr_intern(ri->r->name),
			                     .family = fams[k],
			                     .priority = VR_DOMU_RULE_PRIO + (uint32_t)side,
			                     .table = side ? t_out : t_in,
			                     .protocol = VR_RTPROT};
			copy_name(ru.iif, side ? vif : up);
			vr_state_add_rule(s, &ru);
		}
}

/* The first address of f whose network holds a, or NULL. */
static const struct vr_ip *net_of(const struct vr_iface *f, const struct vr_ip *a)
{
	for (size_t k = 0; k < f->n_addrs; k++)
		if (vr_ip_in_prefix(a, &f->addrs[k]))
			return &f->addrs[k];
	return NULL;
}

static void add_routed(const struct vr_rinfo *ri, size_t n, struct vr_state *s)
{
	const struct vr_router *r = ri->r;
	const struct vr_iface *f = &r->ifaces[n];
	const char *owner = vr_intern(r->name);
	uint32_t t_in = ri->pair_table[2 * n], t_out = ri->pair_table[2 * n + 1];
	size_t from = s->routes.n; /* this pair's routes start here */
	struct vr_link up = {.ns = ri->ns, .owner = owner, .up = 1};
	/* the vif: no ARP/NDP, and the guest's MAC, as the guest's end
	 * (vr_guest_config): each end sends to its own MAC, which is the
	 * other end's too, so neither needs to resolve the other */
	struct vr_link vif = {.ns = ri->ns, .owner = owner, .up = 1, .has_mac = true, .noarp = 1};

	copy_name(up.name, vr_domu_upstream(f));
	vr_state_add_link(s, &up);
	vif_of(ri, n, vif.name);
	vr_guest_mac(r->name, f->name, vif.mac);
	vr_state_add_link(s, &vif);
	add_pair_rules(ri, t_in, t_out, up.name, vif.name, s);

	/* forwarding on these two ports only (vrd's namespace is shared) */
	add_sysctl(s, ri->ns, owner, "net/ipv4/conf/%s/forwarding", up.name, "1");
	add_sysctl(s, ri->ns, owner, "net/ipv4/conf/%s/forwarding", vif.name, "1");
	add_sysctl(s, ri->ns, owner, "net/ipv6/conf/%s/forwarding", up.name, "1");
	add_sysctl(s, ri->ns, owner, "net/ipv6/conf/%s/forwarding", vif.name, "1");
	/* the upstream port answers for the guest's addresses, at once (not
	 * after a random delay of up to 0.8 s) */
	add_sysctl(s, ri->ns, owner, "net/ipv4/conf/%s/proxy_arp", up.name, "1");
	add_sysctl(s, ri->ns, owner, "net/ipv4/neigh/%s/proxy_delay", up.name, "0");
	add_sysctl(s, ri->ns, owner, "net/ipv6/conf/%s/proxy_ndp", up.name, "1");
	add_sysctl(s, ri->ns, owner, "net/ipv6/neigh/%s/proxy_delay", up.name, "0");

	/* in (from the upstream port): the guest's addresses on this
	 * network, and everything else the router reaches, into the vif (a
	 * point-to-point link: the guest is the only one there, so no
	 * gateway is named; with one, a route would also be refused while
	 * the old placement still holds the address, as during a migrate) */
	for (size_t k = 0; k < f->n_addrs; k++) {
		struct vr_ip host = host_of(&f->addrs[k]);

		add_route(s, ri, t_in, &host, NULL, vif.name, from);
		if (f->addrs[k].family == AF_INET6) {
			struct vr_proxy p = {
			    .ns = ri->ns, .owner = owner, .ip = host, .proto = VR_RTPROT};
			copy_name(p.dev, up.name);
			vr_state_add_proxy(s, &p);
		}
	}
	for (size_t j = 0; j < r->n_ifaces; j++) {
		if (j == n)
			continue;
		for (size_t k = 0; k < r->ifaces[j].n_addrs; k++) {
			const struct vr_ip *a = &r->ifaces[j].addrs[k];
			struct vr_ip net = network_of(a);
			add_route(s, ri, t_in, &net, NULL, vif.name, from);
		}
	}
	for (size_t j = 0; j < r->n_routes; j++)
		add_route(s, ri, t_in, &r->routes[j].prefix, NULL, vif.name, from);

	/* out (what the guest sends out of this interface): its network on
	 * the upstream port, and the static routes whose gateways are there */
	for (size_t k = 0; k < f->n_addrs; k++) {
		struct vr_ip net = network_of(&f->addrs[k]);
		add_route(s, ri, t_out, &net, NULL, up.name, from);
	}
	for (size_t j = 0; j < r->n_routes; j++) {
		const struct vr_static_route *rt = &r->routes[j];
		for (size_t h = 0; h < rt->n_nhs; h++)
			if (!rt->nhs[h].router[0] && net_of(f, &rt->nhs[h].addr)) {
				add_route(s, ri, t_out, &rt->prefix, &rt->nhs[h].addr, up.name,
				          from);
				break; /* one gateway per prefix and pair */
			}
	}
}

int vr_domu_desired(const struct vr_realm *m, const struct vr_rinfo *ri, struct vr_state *s,
                    struct vr_errs *e)
{
	const struct vr_router *r = ri->r;
	bool routed = r->domu.vif_mode == VR_VIF_ROUTED;

	(void)m;
	if (r->n_ifaces > VR_GUEST_MAX_VIFS) {
		char *p = vr_path_router(r, "interface");
		vr_errs_add(e, -EINVAL, p, "a guest has at most %d network cards",
		            VR_GUEST_MAX_VIFS);
		free(p);
		return -EINVAL;
	}
	if (routed) {
		/* vrd's namespace: IPv4 forwarding per port; IPv6 forwards only
		 * with the host-wide switch (see desired.c), and unicast
		 * neighbour solicitations for a proxied address (NUD probes)
		 * are answered by dom0 instead of forwarded to the guest only
		 * with the host-wide proxy_ndp (ip6_forward).  Shared: never
		 * reset. */
		add_key(s, ri->ns, NULL, "net/ipv6/conf/all/forwarding", "1");
		add_key(s, ri->ns, NULL, "net/ipv6/conf/all/proxy_ndp", "1");
	}
	for (size_t n = 0; n < r->n_ifaces; n++) {
		if (routed)
			add_routed(ri, n, s);
		else
			add_bridged(ri, n, s);
	}
	return 0;
}

/* ---- the guest's config ---- */

static void jstr(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fputc('\\', f);
		if ((unsigned char)*s < 0x20)
			fprintf(f, "\\u%04x", *s);
		else
			fputc(*s, f);
	}
	fputc('"', f);
}

static void guest_ifname(const struct vr_router *r, const char *iface, char out[IFNAMSIZ])
{
	for (size_t n = 0; n < r->n_ifaces; n++)
		if (!strcmp(r->ifaces[n].name, iface)) {
			snprintf(out, IFNAMSIZ, "eth%u", (unsigned)(n % 1000));
			return;
		}
	copy_name(out, iface);
}

static const char *rt_type(enum vr_route_type t)
{
	switch (t) {
	case VR_RT_BLACKHOLE:
		return "blackhole";
	case VR_RT_UNREACHABLE:
		return "unreachable";
	case VR_RT_PROHIBIT:
		return "prohibit";
	case VR_RT_UNICAST:
		break;
	}
	return NULL;
}

char *vr_guest_config(const struct vr_router *r)
{
	char *text = NULL, a[VR_ADDR_STRLEN], name[IFNAMSIZ];
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	const char *sep = "";

	if (!f)
		abort();
	fputs("{\"vrd:virtual-routers\":{\"router\":[{\"name\":", f);
	jstr(f, r->name);
	fprintf(f, ",\"placement\":\"native\",\"forwarding\":%s,\"drift\":\"%s\",\"interface\":[",
	        r->forwarding ? "true" : "false",
	        r->drift == VR_DRIFT_REPORT ? "report" : "enforce");
	for (size_t n = 0; n < r->n_ifaces; n++) {
		const struct vr_iface *i = &r->ifaces[n];

		fprintf(f, "%s{\"name\":\"eth%zu\",\"enabled\":%s", n ? "," : "", n,
		        i->enabled ? "true" : "false");
		if (i->mtu)
			fprintf(f, ",\"mtu\":%u", i->mtu);
		if (i->n_addrs) {
			fputs(",\"address\":[", f);
			for (size_t k = 0; k < i->n_addrs; k++)
				fprintf(f, "%s\"%s\"", k ? "," : "",
				        vr_ip_str(&i->addrs[k], true, a, sizeof(a)));
			fputc(']', f);
		}
		fputc('}', f);
	}
	fputs("]", f);
	/* the guest marks its ports NOARP in routed mode (see domu.h) */
	fprintf(f, ",\"domu\":{\"vif-mode\":\"%s\"}",
	        r->domu.vif_mode == VR_VIF_ROUTED ? "routed" : "bridged");
	fputs(",\"route\":[", f);
	for (size_t j = 0; j < r->n_routes; j++) {
		const struct vr_static_route *rt = &r->routes[j];
		const char *type = rt_type(rt->type);

		fprintf(f, "%s{\"prefix\":\"%s\"", sep, vr_ip_str(&rt->prefix, true, a, sizeof(a)));
		sep = ",";
		if (type)
			fprintf(f, ",\"type\":\"%s\"", type);
		if (rt->has_metric)
			fprintf(f, ",\"metric\":%u", rt->metric);
		if (rt->n_nhs) {
			fputs(",\"next-hop\":[", f);
			for (size_t k = 0; k < rt->n_nhs; k++) {
				const struct vr_nexthop *nh = &rt->nhs[k];
				fprintf(f, "%s{\"address\":\"%s\"", k ? "," : "",
				        vr_ip_str(&nh->addr, false, a, sizeof(a)));
				if (nh->iface[0]) {
					guest_ifname(r, nh->iface, name);
					fputs(",\"interface\":", f);
					jstr(f, name);
				}
				if (nh->weight)
					fprintf(f, ",\"weight\":%u", nh->weight);
				fputc('}', f);
			}
			fputc(']', f);
		}
		fputc('}', f);
	}
	fputs("]}]}}\n", f);
	if (fclose(f))
		abort();
	return text;
}
