/* engine.c - one reconcile pass (see engine.h).  Glue only: the decisions
 * are in desired.c and diff.c, the kernel I/O in observe.c and exec.c. */
#include "engine.h"

#include <errno.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "announce.h"
#include "observe.h"
#include "place/domu.h"
#include "statedir.h"
#include "sys.h"

/* Verify rounds after the first execution: the kernel changes things on
 * its own (enslaving drops IPv6 addresses); the plan accounts for what we
 * know, a second look catches the rest. */
#define VERIFY_ROUNDS 2

void vr_engine_init(struct vr_engine *eng, const char *state_dir, const char *netns_prefix)
{
	memset(eng, 0, sizeof(*eng));
	vr_kernel_init(&eng->k);
	eng->state_dir = state_dir ? state_dir : VR_STATE_DIR_DEFAULT;
	eng->netns_prefix = netns_prefix ? netns_prefix : VR_NETNS_PREFIX_DEFAULT;
	eng->vrf_ok = -1;
}

void vr_engine_free(struct vr_engine *eng)
{
	vr_kernel_free(&eng->k);
}

void vr_engine_result_free(struct vr_engine_result *res)
{
	vr_plan_free(&res->plan);
	vr_plan_free(&res->skipped);
}

/* Move the ops of skipped owners out of p (into skipped, when given). */
static void filter_plan(struct vr_plan *p, const struct vr_converge *how, struct vr_plan *skipped)
{
	size_t keep = 0;

	if (!how->skip)
		return;
	for (size_t i = 0; i < p->n; i++) {
		const char *owner = vr_op_owner(&p->v[i]);
		if (owner && how->skip(owner, how->arg)) {
			if (skipped)
				vr_plan_add(skipped, &p->v[i]);
			if (p->v[i].code == VR_OP_ROUTE_ADD || p->v[i].code == VR_OP_ROUTE_DEL ||
			    p->v[i].code == VR_OP_ROUTE_REPLACE) {
				free(p->v[i].o.route.nh);
				if (p->v[i].has_old)
					free(p->v[i].old.route.nh);
			}
			continue;
		}
		p->v[keep++] = p->v[i];
	}
	p->n = keep;
}

void vr_plan_print(const struct vr_plan *p, FILE *f)
{
	char line[1024];

	for (size_t i = 0; i < p->n; i++)
		fprintf(f, "%s\n", vr_op_str(&p->v[i], line, sizeof(line)));
}

static double now_us(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e6 + (double)t.tv_nsec / 1e3;
}

/* Can this kernel create a VRF device?  Try it in a child process inside
 * a fresh network namespace, so nothing of the probe is ever visible. */
static int probe_vrf(void)
{
	pid_t pid = fork();
	int status;

	if (pid < 0)
		return 0;
	if (pid == 0) {
		struct vr_kernel k;
		struct vr_plan p;
		struct vr_op op = {.code = VR_OP_LINK_ADD, .wave = VR_WAVE_LINK};
		struct vr_errs e;
		int r;

		if (unshare(CLONE_NEWNET) < 0)
			_exit(1);
		op.o.link.ns = vr_intern("");
		op.o.link.kind = VR_LINK_VRF;
		op.o.link.up = -1;
		op.o.link.u.vrf.table = 1000;
		strcpy(op.o.link.name, "vrdprobe");
		vr_kernel_init(&k);
		vr_plan_init(&p);
		vr_errs_init(&e);
		vr_plan_add(&p, &op);
		r = vr_exec(&k, NULL, &p, &e, NULL);
		_exit(r == 0 ? 0 : 1);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return 0;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

enum vr_backend vr_engine_backend(struct vr_engine *eng, enum vr_backend asked)
{
	if (asked != VR_BACKEND_AUTO)
		return asked;
	if (eng->vrf_ok < 0)
		eng->vrf_ok = probe_vrf();
	return eng->vrf_ok ? VR_BACKEND_VRF : VR_BACKEND_NETNS;
}

static const struct vr_sys_ops sys_ops = {
	.netns_add = vr_netns_add,
	.netns_del = vr_netns_del,
	.sysctl_write = vr_sysctl_write,
};

/* An id of the tables file under key (a table, or a guest id). */
static int alloc_id(struct vr_tables *tables, bool *changed, const char *key, const uint32_t *in_use,
		    size_t n_in_use, const struct vr_router *rt, uint32_t *out, struct vr_errs *e)
{
	if (!vr_tables_get(tables, key))
		*changed = true;
	if (vr_tables_alloc(tables, key, in_use, n_in_use, out) < 0) {
		char *p = vr_path_router(rt, NULL);
		int r = vr_errs_add(e, -ENOSPC, p, "no free id left in the pool %u-%u for %s",
				    VR_TABLE_POOL_MIN, VR_TABLE_POOL_MAX, key);
		free(p);
		return r;
	}
	return 0;
}

/* A domU router: its guest id, its dom0 context (routed: the router's
 * namespace for backend netns, vrd's own for vrf), the table of each
 * interface pair, and its guest if it is known. */
static int domu_realm(struct vr_engine *eng, struct vr_rinfo *ri, struct vr_tables *tables,
		      bool *changed, const uint32_t *in_use, size_t n_in_use, struct vr_errs *e)
{
	const struct vr_router *rt = ri->r;
	bool routed = rt->domu.vif_mode == VR_VIF_ROUTED;
	char key[IFNAMSIZ + 8];
	uint32_t id;

	if (!eng->place) {
		char *p = vr_path_router(rt, "placement");
		int r = vr_errs_add(e, -EOPNOTSUPP, p, "placement domU needs the guest drivers, "
						       "which this program does not run");
		free(p);
		return r;
	}
	vr_place_gid_key(rt->domu.hypervisor, rt->name, key);
	if (alloc_id(tables, changed, key, in_use, n_in_use, rt, &id, e) < 0)
		return -ENOSPC;
	ri->gid = id;
	/* dom0's side lives in vrd's namespace with either backend: the
	 * vifs stay where the hypervisor made them (see place/domu.h) */
	ri->ns = vr_intern("");
	for (size_t n = 0; routed && n < 2 * rt->n_ifaces && n < 2 * VR_GUEST_MAX_VIFS; n++) {
		snprintf(key, sizeof(key), "%s/%zu", rt->name, n);
		if (alloc_id(tables, changed, key, in_use, n_in_use, rt, &ri->pair_table[n], e) < 0)
			return -ENOSPC;
	}
	for (size_t g = 0; g < eng->place->n_guests; g++)
		if (!strcmp(eng->place->guests[g].router, rt->name))
			ri->guest = &eng->place->guests[g];
	return 0;
}

/* Backends, tables and namespaces of every router.  Tables of vrf routers
 * without one come from the state directory's pool and stay stable. */
static int make_realm(struct vr_engine *eng, const struct vr_config *c, struct vr_realm *m,
		      struct vr_tables *tables, bool *tables_changed, struct vr_errs *e)
{
	uint32_t *in_use = calloc(c->n_routers + 1, sizeof(*in_use));
	size_t n_in_use = 0;
	int r = 0;

	if (!in_use)
		abort();
	m->netns_prefix = eng->netns_prefix;
	m->guest = eng->guest;
	m->n = c->n_routers;
	m->v = calloc(c->n_routers + 1, sizeof(*m->v));
	if (!m->v)
		abort();
	for (size_t i = 0; i < c->n_routers; i++)
		if (c->routers[i].has_table)
			in_use[n_in_use++] = c->routers[i].table;
	for (size_t i = 0; i < c->n_routers; i++) {
		const struct vr_router *rt = &c->routers[i];
		struct vr_rinfo *ri = &m->v[i];

		ri->r = rt;
		if (eng->guest) {
			/* the guest is the router: its whole stack, main table */
			ri->backend = VR_BACKEND_NETNS;
			ri->table = VR_TABLE_MAIN;
			ri->ns = vr_intern("");
			continue;
		}
		ri->backend = vr_engine_backend(eng, rt->backend);
		if (rt->placement == VR_PLACE_DOMU) {
			if (domu_realm(eng, ri, tables, tables_changed, in_use, n_in_use, e) < 0)
				r = -EINVAL;
			continue;
		}
		if (ri->backend == VR_BACKEND_VRF && !eng->vrf_ok && rt->backend == VR_BACKEND_VRF) {
			char *p = vr_path_router(rt, "backend");
			/* asked for explicitly: say so before anything changes */
			if (eng->vrf_ok < 0)
				eng->vrf_ok = probe_vrf();
			if (!eng->vrf_ok)
				r = vr_errs_add(e, -EOPNOTSUPP, p,
						"this kernel cannot create VRF devices "
						"(CONFIG_NET_VRF); use backend netns or auto");
			free(p);
		}
		if (ri->backend == VR_BACKEND_NETNS) {
			ri->table = VR_TABLE_MAIN;
			ri->ns = vr_realm_netns(m, rt->name);
			continue;
		}
		ri->ns = vr_intern("");
		if (rt->has_table) {
			ri->table = rt->table;
			continue;
		}
		if (vr_tables_get(tables, rt->name) == 0)
			*tables_changed = true;
		if (vr_tables_alloc(tables, rt->name, in_use, n_in_use, &ri->table) < 0) {
			char *p = vr_path_router(rt, "table");
			r = vr_errs_add(e, -ENOSPC, p, "no free table id left in the pool %u-%u",
					VR_TABLE_POOL_MIN, VR_TABLE_POOL_MAX);
			free(p);
		}
	}
	free(in_use);
	return r;
}

static bool has_table(const uint32_t *t, size_t n, uint32_t x)
{
	for (size_t i = 0; i < n; i++)
		if (t[i] == x)
			return true;
	return false;
}

struct sysctl_read_ctx {
	const struct vr_state *want;
	struct vr_state *have;
	const char *ns;
};

/* Observe the kernel: vrd's namespace (links, addresses, rules, and the
 * route tables of desired and owned VRFs), the routers' namespaces, the
 * desired sysctls. */
/* The router a pair table or guest id of t belongs to ("red/0" -> red). */
static const char *key_router(const char *key, char out[IFNAMSIZ])
{
	const char *slash = strchr(key, '/');

	if (!slash || (size_t)(slash - key) >= IFNAMSIZ)
		return NULL;
	memcpy(out, key, (size_t)(slash - key));
	out[slash - key] = 0;
	return out;
}

/* Owners the kernel cannot tell: vrd's routes and rules in the pair
 * tables of routed domU routers (vrd's namespace), its proxy entries
 * there (by the port's record), and, in a guest, all of vrd's routes and
 * proxies (the guest is the router). */
static void attribute_more(const struct vr_engine *eng, const struct vr_tables *t,
			   const struct vr_realm *m, struct vr_state *have)
{
	const char *host = vr_intern("");
	char name[IFNAMSIZ];

	if (eng->guest) {
		const char *owner = m->n == 1 ? vr_intern(m->v[0].r->name) : NULL;
		for (size_t i = 0; owner && i < have->routes.n; i++)
			if (have->routes.v[i].ns == host && have->routes.v[i].protocol == VR_RTPROT)
				have->routes.v[i].owner = owner;
		for (size_t i = 0; owner && i < have->proxies.n; i++)
			if (have->proxies.v[i].proto == VR_RTPROT)
				have->proxies.v[i].owner = owner;
		return;
	}
	for (size_t k = 0; k < t->n; k++) {
		const char *rt = key_router(t->v[k].router, name);
		uint32_t table = t->v[k].table;

		if (!rt)
			continue;
		for (size_t i = 0; i < have->routes.n; i++) {
			struct vr_route *o = &have->routes.v[i];
			if (!o->owner && o->ns == host && o->table == table &&
			    o->protocol == VR_RTPROT)
				o->owner = vr_intern(rt);
		}
		for (size_t i = 0; i < have->rules.n; i++) {
			struct vr_rule *o = &have->rules.v[i];
			if (!o->owner && o->ns == host && o->table == table &&
			    o->protocol == VR_RTPROT)
				o->owner = vr_intern(rt);
		}
	}
	if (have->proxies.n) {
		struct vr_links links;

		vr_links_init(&links);
		if (vr_links_load(&links, eng->state_dir, NULL) == 0)
			for (size_t i = 0; i < have->proxies.n; i++) {
				struct vr_proxy *o = &have->proxies.v[i];
				const struct vr_link_rec *rec;
				if (!o->owner && o->proto == VR_RTPROT &&
				    (rec = vr_links_find(&links, o->ns, o->dev)))
					o->owner = vr_intern(rec->router);
			}
		vr_links_free(&links);
	}
}

static int observe(struct vr_engine *eng, const struct vr_realm *m, const struct vr_tables *t,
		   const struct vr_state *want, struct vr_state *have, struct vr_errs *e)
{
	const char *host = vr_intern("");
	struct vr_state probe;
	uint32_t *tables;
	size_t n_tables = 0, cap;
	char **names = NULL;
	size_t n_names = 0;
	int r;

	/* Namespaces: ours are those with our prefix (a guest has none: it
	 * may share /run/netns with dom0, as lab guests do). */
	r = eng->guest ? 0 : vr_netns_list(eng->netns_prefix, &names, &n_names);
	if (r < 0)
		return vr_errs_add(e, r, VR_NETNS_DIR, "cannot list namespaces: %s", strerror(-r));
	for (size_t i = 0; i < n_names; i++) {
		struct vr_netns n = {.name = vr_intern(names[i]),
				     .owner = vr_intern(names[i] + strlen(eng->netns_prefix))};
		vr_state_add_netns(have, &n);
	}
	vr_netns_list_free(names, n_names);

	/* Tables: desired VRFs' and those of VRF devices vrd created. */
	vr_state_init(&probe);
	r = vr_observe_ns(&eng->k, host, NULL, 0, &probe, e);
	if (r < 0) {
		vr_state_free(&probe);
		return r;
	}
	cap = want->links.n + probe.links.n + t->n + 1;
	tables = calloc(cap, sizeof(*tables));
	if (!tables)
		abort();
	for (size_t i = 0; i < want->links.n; i++)
		if (want->links.v[i].kind == VR_LINK_VRF && !has_table(tables, n_tables, want->links.v[i].u.vrf.table))
			tables[n_tables++] = want->links.v[i].u.vrf.table;
	for (size_t i = 0; i < probe.links.n; i++)
		if (probe.links.v[i].kind == VR_LINK_VRF && probe.links.v[i].created &&
		    !has_table(tables, n_tables, probe.links.v[i].u.vrf.table))
			tables[n_tables++] = probe.links.v[i].u.vrf.table;
	vr_state_free(&probe);
	/* the interface-pair tables of routed domU routers */
	for (size_t i = 0; i < t->n; i++)
		if (strchr(t->v[i].router, '/') && !has_table(tables, n_tables, t->v[i].table))
			tables[n_tables++] = t->v[i].table;
	if (eng->guest)
		tables[n_tables++] = VR_TABLE_MAIN;
	r = vr_observe_ns(&eng->k, host, tables, n_tables, have, e);
	free(tables);
	if (r < 0)
		return r;

	/* The routers' namespaces that exist. */
	for (size_t i = 0; i < have->netns.n; i++) {
		/* main, and the tables desired there (the pair tables of a
		 * routed domU router: the namespace goes with the router) */
		const char *ns = have->netns.v[i].name;
		uint32_t ns_tables[1 + 2 * VR_GUEST_MAX_VIFS] = {VR_TABLE_MAIN};
		size_t n_ns_tables = 1;
		for (size_t k = 0; k < want->routes.n; k++)
			if (want->routes.v[k].ns == ns && n_ns_tables < 1 + 2 * VR_GUEST_MAX_VIFS &&
			    !has_table(ns_tables, n_ns_tables, want->routes.v[k].table))
				ns_tables[n_ns_tables++] = want->routes.v[k].table;
		r = vr_observe_ns(&eng->k, ns, ns_tables, n_ns_tables, have, e);
		if (r < 0)
			return r;
	}

	/* Sysctls: only the desired keys, where their namespace exists. */
	for (size_t i = 0; i < want->sysctls.n; i++) {
		const struct vr_sysctl *w = &want->sysctls.v[i];
		struct vr_sysctl o = {.ns = w->ns};
		int fd = -1;

		if (*w->ns) {
			bool exists = false;
			for (size_t j = 0; j < have->netns.n; j++)
				exists |= have->netns.v[j].name == w->ns;
			if (!exists)
				continue;
			fd = vr_kernel_nsfd(&eng->k, w->ns);
			if (fd < 0)
				continue;
		}
		snprintf(o.key, sizeof(o.key), "%s", w->key);
		if (vr_sysctl_read(fd, w->key, o.value, sizeof(o.value)) == 0)
			vr_state_add_sysctl(have, &o);
	}
	vr_state_sort(have);
	vr_state_attribute(have);
	attribute_more(eng, t, m, have);
	return 0;
}

/* ---- announcing moved addresses ---- */

struct announce_job {
	const char *dev;
	const uint8_t *mac;
	const struct vr_ip *ips;
	size_t n;
	int router;
};

static int announce_in(void *arg)
{
	const struct announce_job *j = arg;

	return vr_announce(j->dev, j->mac, j->ips, j->n, j->router);
}

static bool link_touched(const struct vr_plan *p, const char *ns, const char *name)
{
	for (size_t i = 0; i < p->n; i++)
		if (p->v[i].code == VR_OP_LINK_ADD && !strcmp(p->v[i].o.link.name, name))
			return false; /* created now (or its peer): see below */
	for (size_t i = 0; i < p->n; i++) {
		const struct vr_op *op = &p->v[i];
		/* moved or re-mastered ports, not links created now: nobody
		 * has an entry for those, and an AF_PACKET socket per link
		 * costs an RCU grace period on close (1000 routers: 4 s ->
		 * 29 s, C8) */
		bool is_link = op->code == VR_OP_LINK_SET || op->code == VR_OP_LINK_MOVE;
		const char *where = op->code == VR_OP_LINK_MOVE ? op->to_ns : op->o.link.ns;
		if (is_link && where == ns && !strcmp(op->o.link.name, name))
			return true;
	}
	return false;
}

/* After a pass that moved ports (a placement switch, a port newly taken):
 * tell the neighbours where the router's addresses are now.  Best effort:
 * a failure only delays the neighbours until their entries expire. */
static void announce_moves(struct vr_engine *eng, const struct vr_realm *m,
			   const struct vr_plan *p)
{
	for (size_t i = 0; i < m->n; i++) {
		const struct vr_rinfo *ri = &m->v[i];
		const struct vr_router *r = ri->r;
		bool domu = r->placement == VR_PLACE_DOMU && !m->guest;

		for (size_t n = 0; n < r->n_ifaces; n++) {
			const struct vr_iface *f = &r->ifaces[n];
			struct announce_job j = {.ips = f->addrs, .n = f->n_addrs,
						 .router = r->forwarding};
			uint8_t mac[6];
			const char *ns = ri->ns;

			if (!f->n_addrs)
				continue;
			j.dev = domu ? vr_domu_upstream(f) : f->name;
			if (domu && r->domu.vif_mode == VR_VIF_BRIDGED) {
				/* the guest's card answers now: its MAC, sent
				 * from the upstream port */
				ns = vr_intern("");
				vr_guest_mac(r->name, f->name, mac);
				j.mac = mac;
			}
			if (!link_touched(p, ns, j.dev))
				continue;
			vr_kernel_run_in(&eng->k, ns, announce_in, &j);
		}
	}
}

struct announce_ctx {
	struct vr_engine *eng;
	const struct vr_realm *m;
	const struct vr_plan *p;
};

static void announce_built(void *arg)
{
	struct announce_ctx *a = arg;

	announce_moves(a->eng, a->m, a->p);
}

/* Observe and diff.  0 with the plan, or -errno (errors in e). */
static int plan_once(struct vr_engine *eng, const struct vr_realm *m, const struct vr_tables *t,
		     const struct vr_state *want, struct vr_plan *plan, struct vr_errs *e)
{
	struct vr_state have;
	int r;

	vr_state_init(&have);
	r = observe(eng, m, t, want, &have, e);
	if (r == 0)
		r = vr_diff(want, &have, plan, e);
	vr_state_free(&have);
	if (r < 0)
		return r;
	for (size_t i = 0; i < plan->n_conflicts; i++)
		r = vr_errs_add(e, -EEXIST, NULL, "%s", plan->conflicts[i]);
	vr_plan_order(plan);
	return r;
}

static void record_links(const struct vr_state *want, struct vr_links *links)
{
	for (size_t i = 0; i < want->links.n; i++) {
		const struct vr_link *l = &want->links.v[i];
		if (l->owner && (l->created || !l->implicit))
			vr_links_add(links, l->owner, l->ns, l->name, l->created);
	}
}

static int persist(struct vr_engine *eng, const struct vr_state *want, const struct vr_tables *t,
		   bool tables_changed, struct vr_errs *e)
{
	struct vr_links links;
	int r;

	r = vr_statedir_init(eng->state_dir);
	if (r == 0 && tables_changed)
		r = vr_tables_save(t, eng->state_dir);
	if (r == 0) {
		vr_links_init(&links);
		record_links(want, &links);
		r = vr_links_save(&links, eng->state_dir);
		vr_links_free(&links);
	}
	if (r < 0)
		return vr_errs_add(e, r, eng->state_dir, "cannot write the state directory: %s",
				   strerror(-r));
	return 0;
}

/* Table allocations, realm and desired state of config c: what every pass
 * starts from; with up, the guests of domU routers are brought up first
 * (their vif names are part of the desired state).  want comes out
 * sorted. */
static int prepare(struct vr_engine *eng, const struct vr_config *c, bool up, struct vr_realm *m,
		   struct vr_tables *tables, bool *tables_changed, struct vr_state *want,
		   struct vr_errs *e)
{
	int r = vr_tables_load(tables, eng->state_dir, e);

	if (r == -ENOENT)
		r = 0;
	if (r == 0)
		r = make_realm(eng, c, m, tables, tables_changed, e);
	if (r == 0 && up && eng->place && !eng->guest) {
		/* the guest ids just allocated name the vifs: keep them */
		if (*tables_changed)
			r = vr_statedir_init(eng->state_dir);
		if (r == 0 && *tables_changed)
			r = vr_tables_save(tables, eng->state_dir);
		if (r < 0)
			r = vr_errs_add(e, r, eng->state_dir, "cannot write the state directory: %s",
					strerror(-r));
		if (r == 0)
			r = vr_place_up(eng->place, m, e);
	}
	if (r == 0)
		r = vr_desired_build(m, want, e);
	vr_state_sort(want);
	return r;
}

int vr_engine_observe(struct vr_engine *eng, const struct vr_config *c, struct vr_realm *m,
		      struct vr_state *have, struct vr_errs *e)
{
	struct vr_tables tables;
	struct vr_state want;
	bool changed = false;
	int r;

	memset(m, 0, sizeof(*m));
	vr_tables_init(&tables);
	vr_state_init(&want);
	r = prepare(eng, c, false, m, &tables, &changed, &want, e);
	if (r == 0)
		r = observe(eng, m, &tables, &want, have, e);
	vr_state_free(&want);
	vr_tables_free(&tables);
	return r;
}

int vr_engine_converge(struct vr_engine *eng, const struct vr_config *c,
		       const struct vr_converge *how, struct vr_engine_result *res,
		       struct vr_errs *e)
{
	bool dry_run = how->dry_run;
	struct vr_realm m = {0};
	struct vr_tables tables;
	struct vr_state want;
	bool tables_changed = false;
	double t_first = 0, t_last = 0;
	int r;

	memset(res, 0, sizeof(*res));
	vr_plan_init(&res->plan);
	vr_plan_init(&res->skipped);
	vr_tables_init(&tables);
	vr_state_init(&want);
	r = prepare(eng, c, !dry_run, &m, &tables, &tables_changed, &want, e);
	if (r == 0)
		r = plan_once(eng, &m, &tables, &want, &res->plan, e);
	if (r == 0)
		filter_plan(&res->plan, how, &res->skipped);
	if (r < 0 || dry_run)
		goto out;
	vr_plan_summary(&res->plan, &res->summary);

	/* Execute, then look again until nothing is left to do.  A plan that
	 * is empty from the start costs one observation and no write. */
	if (eng->place && !eng->guest)
		res->guests_us = eng->place->ready_ms * 1e3;
	t_first = now_us();
	if (res->plan.n) {
		struct announce_ctx ac = {eng, &m, &res->plan};
		struct vr_sys_ops first = sys_ops;

		first.built = announce_built;
		first.arg = &ac;
		r = vr_exec(&eng->k, &first, &res->plan, e, &res->stats);
		res->rounds++;
		t_last = now_us();
	}
	while (r == 0 && res->rounds) {
		struct vr_plan next;
		char line[512];

		vr_plan_init(&next);
		r = plan_once(eng, &m, &tables, &want, &next, e);
		if (r == 0)
			filter_plan(&next, how, NULL);
		if (r == 0 && next.n && res->rounds > VERIFY_ROUNDS)
			r = vr_errs_add(e, -EAGAIN, NULL,
					"the kernel does not keep what vrd wrote: after %u rounds "
					"still to do: %s",
					res->rounds, vr_op_str(&next.v[0], line, sizeof(line)));
		else if (r == 0 && next.n) {
			r = vr_exec(&eng->k, &sys_ops, &next, e, &res->stats);
			res->rounds++;
			t_last = now_us();
		}
		if (r == 0 && !next.n) {
			vr_plan_free(&next);
			break;
		}
		vr_plan_free(&next);
	}
	/* the switch: from the first write until the new state stood (the
	 * deletes after that only clear what is left of the old one) */
	if (res->stats.t_built_us > res->stats.t_begin_us)
		res->exec_us = res->stats.t_built_us - res->stats.t_begin_us;
	else if (t_last > t_first)
		res->exec_us = t_last - t_first;

	/* break after make: guests no longer needed go now, not before */
	if (r == 0 && eng->place && !eng->guest) {
		int rd = vr_place_down(eng->place, &m, &tables, &tables_changed, e);
		r = persist(eng, &want, &tables, tables_changed, e);
		if (r == 0)
			r = rd;
		goto done; /* the kernel pass succeeded: keep the guests it uses */
	}
	if (r == 0)
		r = persist(eng, &want, &tables, tables_changed, e);
out:
	if (r < 0 && eng->place && !dry_run && !eng->guest)
		vr_place_rollback(eng->place);
done:
	vr_state_free(&want);
	vr_tables_free(&tables);
	free(m.v);
	return r;
}
