/* state.c - object arrays of struct vr_state and their key orders. */
#include "state.h"

#include <stdlib.h>
#include <string.h>

#define GROW(arr)                                                                  \
	do {                                                                       \
		if ((arr).n == (arr).cap) {                                        \
			size_t c_ = (arr).cap ? (arr).cap * 2 : 16;                \
			void *v_ = realloc((arr).v, c_ * sizeof(*(arr).v));        \
			if (!v_)                                                   \
				abort();                                           \
			(arr).v = v_;                                              \
			(arr).cap = c_;                                            \
		}                                                                  \
	} while (0)

void vr_state_init(struct vr_state *s)
{
	memset(s, 0, sizeof(*s));
}

void vr_state_free(struct vr_state *s)
{
	for (size_t i = 0; i < s->routes.n; i++)
		free(s->routes.v[i].nh);
	free(s->netns.v);
	free(s->links.v);
	free(s->addrs.v);
	free(s->routes.v);
	free(s->rules.v);
	free(s->sysctls.v);
	free(s->proxies.v);
	vr_state_init(s);
}

struct vr_netns *vr_state_add_netns(struct vr_state *s, const struct vr_netns *o)
{
	GROW(s->netns);
	s->netns.v[s->netns.n] = *o;
	return &s->netns.v[s->netns.n++];
}

struct vr_link *vr_state_add_link(struct vr_state *s, const struct vr_link *o)
{
	GROW(s->links);
	s->links.v[s->links.n] = *o;
	return &s->links.v[s->links.n++];
}

struct vr_addr *vr_state_add_addr(struct vr_state *s, const struct vr_addr *o)
{
	GROW(s->addrs);
	s->addrs.v[s->addrs.n] = *o;
	return &s->addrs.v[s->addrs.n++];
}

struct vr_route *vr_state_add_route(struct vr_state *s, const struct vr_route *o)
{
	struct vr_route *r;

	GROW(s->routes);
	r = &s->routes.v[s->routes.n++];
	*r = *o;
	if (o->n_nh) {
		r->nh = malloc(o->n_nh * sizeof(*r->nh));
		if (!r->nh)
			abort();
		memcpy(r->nh, o->nh, o->n_nh * sizeof(*r->nh));
	} else {
		r->nh = NULL;
	}
	return r;
}

struct vr_rule *vr_state_add_rule(struct vr_state *s, const struct vr_rule *o)
{
	GROW(s->rules);
	s->rules.v[s->rules.n] = *o;
	return &s->rules.v[s->rules.n++];
}

struct vr_sysctl *vr_state_add_sysctl(struct vr_state *s, const struct vr_sysctl *o)
{
	GROW(s->sysctls);
	s->sysctls.v[s->sysctls.n] = *o;
	return &s->sysctls.v[s->sysctls.n++];
}

struct vr_proxy *vr_state_add_proxy(struct vr_state *s, const struct vr_proxy *o)
{
	GROW(s->proxies);
	s->proxies.v[s->proxies.n] = *o;
	return &s->proxies.v[s->proxies.n++];
}

int vr_ns_cmp(const char *a, const char *b)
{
	if (a == b)
		return 0;
	return strcmp(a ? a : "", b ? b : "");
}

#define CMP(x, y)                                                                  \
	do {                                                                       \
		if ((x) != (y))                                                    \
			return (x) < (y) ? -1 : 1;                                 \
	} while (0)

int vr_netns_key_cmp(const struct vr_netns *a, const struct vr_netns *b)
{
	return vr_ns_cmp(a->name, b->name);
}

int vr_link_key_cmp(const struct vr_link *a, const struct vr_link *b)
{
	int c = vr_ns_cmp(a->ns, b->ns);
	return c ? c : strcmp(a->name, b->name);
}

int vr_addr_key_cmp(const struct vr_addr *a, const struct vr_addr *b)
{
	int c = vr_ns_cmp(a->ns, b->ns);
	if (c)
		return c;
	c = strcmp(a->dev, b->dev);
	return c ? c : vr_ip_cmp(&a->ip, &b->ip);
}

int vr_route_key_cmp(const struct vr_route *a, const struct vr_route *b)
{
	int c = vr_ns_cmp(a->ns, b->ns);
	if (c)
		return c;
	CMP(a->table, b->table);
	CMP(a->dst.family, b->dst.family);
	CMP(a->metric, b->metric);
	return -vr_ip_cmp(&a->dst, &b->dst);
}

int vr_rule_key_cmp(const struct vr_rule *a, const struct vr_rule *b)
{
	int c = vr_ns_cmp(a->ns, b->ns);
	if (c)
		return c;
	CMP(a->family, b->family);
	CMP(a->priority, b->priority);
	CMP(a->l3mdev, b->l3mdev);
	CMP(a->table, b->table);
	return strcmp(a->iif, b->iif);
}

int vr_sysctl_key_cmp(const struct vr_sysctl *a, const struct vr_sysctl *b)
{
	int c = vr_ns_cmp(a->ns, b->ns);
	return c ? c : strcmp(a->key, b->key);
}

int vr_proxy_key_cmp(const struct vr_proxy *a, const struct vr_proxy *b)
{
	int c = vr_ns_cmp(a->ns, b->ns);
	if (c)
		return c;
	c = strcmp(a->dev, b->dev);
	return c ? c : vr_ip_cmp(&a->ip, &b->ip);
}

#define QCMP(name, type, fn)                                                       \
	static int name(const void *a, const void *b)                              \
	{                                                                          \
		return fn((const type *)a, (const type *)b);                       \
	}
QCMP(q_netns, struct vr_netns, vr_netns_key_cmp)
QCMP(q_link, struct vr_link, vr_link_key_cmp)
QCMP(q_addr, struct vr_addr, vr_addr_key_cmp)
QCMP(q_route, struct vr_route, vr_route_key_cmp)
QCMP(q_rule, struct vr_rule, vr_rule_key_cmp)
QCMP(q_sysctl, struct vr_sysctl, vr_sysctl_key_cmp)
QCMP(q_proxy, struct vr_proxy, vr_proxy_key_cmp)

/* qsort's arguments are declared nonnull, even for zero elements. */
#define SORT(arr, fn)                                                              \
	do {                                                                       \
		if ((arr).n > 1)                                                   \
			qsort((arr).v, (arr).n, sizeof(*(arr).v), fn);             \
	} while (0)

void vr_state_sort(struct vr_state *s)
{
	SORT(s->netns, q_netns);
	SORT(s->links, q_link);
	SORT(s->addrs, q_addr);
	SORT(s->routes, q_route);
	SORT(s->rules, q_rule);
	SORT(s->sysctls, q_sysctl);
	SORT(s->proxies, q_proxy);
}

static const char *netns_owner(const struct vr_state *s, const char *ns)
{
	for (size_t i = 0; i < s->netns.n; i++)
		if (s->netns.v[i].name == ns)
			return s->netns.v[i].owner;
	return NULL;
}

const struct vr_link *vr_state_find_link(const struct vr_state *s, const char *ns, const char *name)
{
	struct vr_link k = {.ns = ns};
	size_t lo = 0, hi = s->links.n;

	strncpy(k.name, name, IFNAMSIZ - 1);
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = vr_link_key_cmp(&s->links.v[mid], &k);
		if (!c)
			return &s->links.v[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

static const char *vrf_owner(const struct vr_state *s, const char *ns, const char *name)
{
	const struct vr_link *m = name[0] ? vr_state_find_link(s, ns, name) : NULL;

	return m && m->kind == VR_LINK_VRF && m->created ? m->owner : NULL;
}

static const char *table_owner(const struct vr_state *s, const char *ns, uint32_t table)
{
	for (size_t i = 0; i < s->links.n; i++) {
		const struct vr_link *l = &s->links.v[i];
		if (l->kind == VR_LINK_VRF && l->created && l->ns == ns && l->u.vrf.table == table)
			return l->owner;
	}
	return NULL;
}

void vr_state_attribute(struct vr_state *s)
{
	const char *last_ns = NULL, *last_owner = NULL;
	uint32_t last_table = 0;

	for (size_t i = 0; i < s->links.n; i++) {
		struct vr_link *l = &s->links.v[i];
		if (!l->owner)
			l->owner = netns_owner(s, l->ns);
		if (!l->owner)
			l->owner = vrf_owner(s, l->ns, l->master);
	}
	for (size_t i = 0; i < s->addrs.n; i++) {
		struct vr_addr *a = &s->addrs.v[i];
		const struct vr_link *l;
		if (a->owner)
			continue;
		a->owner = netns_owner(s, a->ns);
		if (!a->owner && (l = vr_state_find_link(s, a->ns, a->dev)))
			a->owner = l->created ? l->owner : vrf_owner(s, l->ns, l->master);
	}
	/* Routes come sorted by namespace and table: look each pair up once. */
	for (size_t i = 0; i < s->routes.n; i++) {
		struct vr_route *r = &s->routes.v[i];
		if (r->owner)
			continue;
		if (r->ns != last_ns || r->table != last_table || !i) {
			last_ns = r->ns;
			last_table = r->table;
			last_owner = netns_owner(s, r->ns);
			if (!last_owner)
				last_owner = table_owner(s, r->ns, r->table);
		}
		r->owner = last_owner;
	}
	for (size_t i = 0; i < s->sysctls.n; i++)
		if (!s->sysctls.v[i].owner)
			s->sysctls.v[i].owner = netns_owner(s, s->sysctls.v[i].ns);
	/* Only by namespace, not by device: in a shared namespace the
	 * protocol says an entry is vrd's, not which router's (the engine
	 * knows). */
	for (size_t i = 0; i < s->proxies.n; i++)
		if (!s->proxies.v[i].owner)
			s->proxies.v[i].owner = netns_owner(s, s->proxies.v[i].ns);
}
