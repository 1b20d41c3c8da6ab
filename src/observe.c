/* observe.c - dump one namespace into the observed state.  Decoding is
 * nl/dec.c's (pure); this file sends the dump requests, tags objects with
 * their namespace and turns ifindexes into names once all links are known.
 * It never writes to the kernel and never judges ownership. */
#include "observe.h"

#include <errno.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "nl/dec.h"
#include "nl/enc.h"

/* Array lengths before a dump: to undo it. */
struct mark {
	size_t links, addrs, routes, rules, proxies;
};

struct obs {
	struct vr_state *st;
	const char *ns; /* interned */
	uint32_t table; /* route dumps: the table asked for */
};

static struct mark mark_of(const struct vr_state *st)
{
	struct mark m = {st->links.n, st->addrs.n, st->routes.n, st->rules.n, st->proxies.n};
	return m;
}

static void truncate_to(struct vr_state *st, const struct mark *m)
{
	for (size_t i = m->routes; i < st->routes.n; i++)
		free(st->routes.v[i].nh);
	st->links.n = m->links;
	st->addrs.n = m->addrs;
	st->routes.n = m->routes;
	st->rules.n = m->rules;
	st->proxies.n = m->proxies;
}

/* Messages the decoders reject (say a foreign route with more nexthops
 * than vrd handles) are skipped: they cannot be vrd's. */
static int link_cb(const struct nlmsghdr *nlh, void *data)
{
	struct obs *o = data;
	struct vr_link l;

	if (nlh->nlmsg_type != RTM_NEWLINK)
		return 0;
	memset(&l, 0, sizeof(l));
	if (vr_dec_link(nlh, &l) < 0)
		return 0;
	l.ns = o->ns;
	vr_state_add_link(o->st, &l);
	return 0;
}

static bool ipv6_link_local(const struct vr_ip *ip)
{
	return ip->family == AF_INET6 && ip->a[0] == 0xfe && (ip->a[1] & 0xc0) == 0x80;
}

static int addr_cb(const struct nlmsghdr *nlh, void *data)
{
	struct obs *o = data;
	struct vr_addr a;

	if (nlh->nlmsg_type != RTM_NEWADDR)
		return 0;
	memset(&a, 0, sizeof(a));
	if (vr_dec_addr(nlh, &a) < 0)
		return 0;
	/* fe80::/10 is the kernel's, on every IPv6 link. */
	if (ipv6_link_local(&a.ip))
		return 0;
	a.ns = o->ns;
	vr_state_add_addr(o->st, &a);
	return 0;
}

static int route_cb(const struct nlmsghdr *nlh, void *data)
{
	struct obs *o = data;
	struct vr_nh nh[VR_MAX_NH];
	struct vr_route r;

	if (nlh->nlmsg_type != RTM_NEWROUTE)
		return 0;
	memset(&r, 0, sizeof(r));
	memset(nh, 0, sizeof(nh));
	if (vr_dec_route(nlh, &r, nh) < 0)
		return 0;
	/* The kernel filtered by table; checked again because a socket
	 * without strict checking would have sent every table. */
	if (r.table != o->table)
		return 0;
	r.ns = o->ns;
	vr_state_add_route(o->st, &r);
	return 0;
}

static int rule_cb(const struct nlmsghdr *nlh, void *data)
{
	struct obs *o = data;
	struct vr_rule r;

	if (nlh->nlmsg_type != RTM_NEWRULE)
		return 0;
	memset(&r, 0, sizeof(r));
	if (vr_dec_rule(nlh, &r) < 0)
		return 0;
	r.ns = o->ns;
	vr_state_add_rule(o->st, &r);
	return 0;
}

static int proxy_cb(const struct nlmsghdr *nlh, void *data)
{
	struct obs *o = data;
	struct vr_proxy p;

	if (nlh->nlmsg_type != RTM_NEWNEIGH)
		return 0;
	memset(&p, 0, sizeof(p));
	if (vr_dec_proxy(nlh, &p) < 0)
		return 0;
	p.ns = o->ns;
	vr_state_add_proxy(o->st, &p);
	return 0;
}

static const char *fam_str(uint8_t family)
{
	return family == AF_INET ? "ipv4" : family == AF_INET6 ? "ipv6" : "all";
}

/* Send one dump request and collect its answer.  An inconsistent dump
 * (NLM_F_DUMP_INTR: the object set changed while it was read) is redone. */
static int dump(struct vr_nl *nl, struct obs *o, int (*cb)(const struct nlmsghdr *, void *),
                size_t (*enc)(void *buf, size_t len, uint32_t seq, const void *arg),
                const void *arg)
{
	char req[512];
	struct mark m = mark_of(o->st);
	int ret = -EINTR;

	for (int tries = 0; tries < 4 && ret == -EINTR; tries++) {
		size_t len = enc(req, sizeof(req), vr_nl_next_seq(nl), arg);
		if (!len)
			return -EMSGSIZE;
		truncate_to(o->st, &m);
		ret = vr_nl_dump(nl, req, len, cb, o);
	}
	return ret;
}

struct route_req {
	uint8_t family;
	uint32_t table;
};

static size_t enc_links(void *buf, size_t len, uint32_t seq, const void *arg)
{
	(void)arg;
	return vr_enc_dump_links(buf, len, seq);
}

static size_t enc_addrs(void *buf, size_t len, uint32_t seq, const void *arg)
{
	return vr_enc_dump_addrs(buf, len, seq, *(const uint8_t *)arg);
}

static size_t enc_rules(void *buf, size_t len, uint32_t seq, const void *arg)
{
	return vr_enc_dump_rules(buf, len, seq, *(const uint8_t *)arg);
}

static size_t enc_proxies(void *buf, size_t len, uint32_t seq, const void *arg)
{
	(void)arg;
	return vr_enc_dump_proxies(buf, len, seq, AF_UNSPEC);
}

static size_t enc_routes(void *buf, size_t len, uint32_t seq, const void *arg)
{
	const struct route_req *r = arg;
	return vr_enc_dump_routes(buf, len, seq, r->family, r->table, 0);
}

/* ifindex -> link, for the links of this namespace. */
struct ifent {
	int ifindex;
	size_t pos;
};

static int ifent_cmp(const void *a, const void *b)
{
	int x = ((const struct ifent *)a)->ifindex, y = ((const struct ifent *)b)->ifindex;
	return (x > y) - (x < y);
}

struct idxmap {
	struct ifent *v;
	size_t n;
	const struct vr_link *links;
};

static const struct vr_link *if_lookup(const struct idxmap *m, int ifindex)
{
	struct ifent key = {.ifindex = ifindex}, *hit;

	if (ifindex <= 0 || !m->n)
		return NULL;
	hit = bsearch(&key, m->v, m->n, sizeof(key), ifent_cmp);
	return hit ? &m->links[hit->pos] : NULL;
}

static void set_name(char dst[IFNAMSIZ], const struct idxmap *m, int ifindex)
{
	const struct vr_link *l = if_lookup(m, ifindex);

	snprintf(dst, IFNAMSIZ, "%s", l ? l->name : "");
}

static void resolve(struct vr_state *st, const struct mark *m)
{
	struct idxmap map = {.links = st->links.v + m->links, .n = st->links.n - m->links};
	size_t w;

	map.v = calloc(map.n ? map.n : 1, sizeof(*map.v));
	if (!map.v)
		abort();
	for (size_t i = 0; i < map.n; i++) {
		map.v[i].ifindex = map.links[i].ifindex;
		map.v[i].pos = i;
	}
	if (map.n > 1)
		qsort(map.v, map.n, sizeof(*map.v), ifent_cmp);

	for (size_t i = m->links; i < st->links.n; i++) {
		struct vr_link *l = &st->links.v[i];
		const struct vr_link *peer;

		set_name(l->master, &map, l->master_index);
		/* IFLA_LINK_NETNSID: the index is another namespace's, where
		 * it may name an unrelated device here. */
		if (l->link_other_ns || l->link_index <= 0)
			continue;
		switch (l->kind) {
		case VR_LINK_VETH:
			peer = if_lookup(&map, l->link_index);
			if (!peer)
				break;
			snprintf(l->u.veth.peer, IFNAMSIZ, "%s", peer->name);
			l->u.veth.peer_ns = l->ns;
			set_name(l->u.veth.peer_master, &map, peer->master_index);
			break;
		case VR_LINK_MACVLAN:
			set_name(l->u.macvlan.parent, &map, l->link_index);
			break;
		case VR_LINK_VXLAN:
			set_name(l->u.vxlan.dev, &map, l->link_index);
			break;
		default:
			break;
		}
	}

	w = m->addrs;
	for (size_t i = m->addrs; i < st->addrs.n; i++) {
		struct vr_addr *a = &st->addrs.v[i];
		const struct vr_link *l = if_lookup(&map, a->ifindex);

		if (!l)
			continue; /* on a link born after the link dump */
		snprintf(a->dev, IFNAMSIZ, "%s", l->name);
		st->addrs.v[w++] = *a;
	}
	st->addrs.n = w;

	for (size_t i = m->routes; i < st->routes.n; i++) {
		struct vr_route *r = &st->routes.v[i];
		for (size_t j = 0; j < r->n_nh; j++)
			if (r->nh[j].ifindex > 0)
				set_name(r->nh[j].dev, &map, r->nh[j].ifindex);
	}

	w = m->proxies;
	for (size_t i = m->proxies; i < st->proxies.n; i++) {
		struct vr_proxy *p = &st->proxies.v[i];
		const struct vr_link *l = if_lookup(&map, p->ifindex);

		/* ifindex 0: an entry for every device, dev "" */
		if (p->ifindex && !l)
			continue;
		snprintf(p->dev, IFNAMSIZ, "%s", l ? l->name : "");
		st->proxies.v[w++] = *p;
	}
	st->proxies.n = w;
	free(map.v);
}

int vr_observe_ns(struct vr_kernel *k, const char *ns, const uint32_t *tables, size_t n_tables,
                  struct vr_state *st, struct vr_errs *errs)
{
	static const uint8_t fams[] = {AF_INET, AF_INET6};
	struct obs o = {.st = st, .ns = vr_intern(ns ? ns : "")};
	struct mark m = mark_of(st);
	char path[300], what[64];
	struct vr_nl *nl;
	int ret;

	snprintf(path, sizeof(path), "%s%s", *o.ns ? "netns " : "host namespace", o.ns);
	nl = vr_kernel_nl(k, o.ns);
	if (!nl)
		return vr_errs_add(errs, -errno, path, "cannot open a netlink socket: %s",
		                   strerror(errno));

	snprintf(what, sizeof(what), "links");
	ret = dump(nl, &o, link_cb, enc_links, NULL);
	for (size_t f = 0; !ret && f < 2; f++) {
		snprintf(what, sizeof(what), "%s addresses", fam_str(fams[f]));
		ret = dump(nl, &o, addr_cb, enc_addrs, &fams[f]);
	}
	for (size_t t = 0; !ret && t < n_tables; t++) {
		for (size_t f = 0; !ret && f < 2; f++) {
			struct route_req rq = {fams[f], tables[t]};
			snprintf(what, sizeof(what), "%s routes of table %u", fam_str(fams[f]),
			         tables[t]);
			o.table = tables[t];
			ret = dump(nl, &o, route_cb, enc_routes, &rq);
			/* A table nobody created yet is empty, not an error
			 * (the kernel says so only to AF_UNSPEC dumps, but
			 * be lenient). */
			if (ret == -ENOENT)
				ret = 0;
		}
	}
	for (size_t f = 0; !ret && f < 2; f++) {
		snprintf(what, sizeof(what), "%s rules", fam_str(fams[f]));
		ret = dump(nl, &o, rule_cb, enc_rules, &fams[f]);
	}
	/* few and cheap: one dump brings both families' proxy tables */
	if (!ret) {
		snprintf(what, sizeof(what), "neighbour proxy entries");
		ret = dump(nl, &o, proxy_cb, enc_proxies, NULL);
	}
	if (ret < 0) {
		truncate_to(st, &m);
		if (ret == -ENOBUFS || ret == -EINTR)
			/* a half-read answer may still be queued */
			vr_kernel_reset_nl(k, o.ns);
		return vr_errs_add(errs, ret, path, "dump of %s failed: %s", what, strerror(-ret));
	}
	resolve(st, &m);
	vr_kernel_learn_links(k, o.ns, st->links.v + m.links, st->links.n - m.links);
	return 0;
}
