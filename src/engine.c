/* engine.c - one reconcile pass (see engine.h).  Glue only: the decisions
 * are in desired.c and diff.c, the kernel I/O in observe.c and exec.c. */
#include "engine.h"

#include <errno.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "observe.h"
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
		ri->backend = vr_engine_backend(eng, rt->backend);
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
static int observe(struct vr_engine *eng, const struct vr_state *want, struct vr_state *have,
		   struct vr_errs *e)
{
	const char *host = vr_intern("");
	struct vr_state probe;
	uint32_t *tables;
	size_t n_tables = 0, cap;
	char **names = NULL;
	size_t n_names = 0;
	int r;

	/* Namespaces: ours are those with our prefix. */
	r = vr_netns_list(eng->netns_prefix, &names, &n_names);
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
	cap = want->links.n + probe.links.n + 1;
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
	r = vr_observe_ns(&eng->k, host, tables, n_tables, have, e);
	free(tables);
	if (r < 0)
		return r;

	/* The routers' namespaces that exist. */
	for (size_t i = 0; i < have->netns.n; i++) {
		uint32_t main_table = VR_TABLE_MAIN;
		r = vr_observe_ns(&eng->k, have->netns.v[i].name, &main_table, 1, have, e);
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
	return 0;
}

/* Observe and diff.  0 with the plan, or -errno (errors in e). */
static int plan_once(struct vr_engine *eng, const struct vr_state *want, struct vr_plan *plan,
		     struct vr_errs *e)
{
	struct vr_state have;
	int r;

	vr_state_init(&have);
	r = observe(eng, want, &have, e);
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
 * starts from.  want comes out sorted. */
static int prepare(struct vr_engine *eng, const struct vr_config *c, struct vr_realm *m,
		   struct vr_tables *tables, bool *tables_changed, struct vr_state *want,
		   struct vr_errs *e)
{
	int r = vr_tables_load(tables, eng->state_dir, e);

	if (r == -ENOENT)
		r = 0;
	if (r == 0)
		r = make_realm(eng, c, m, tables, tables_changed, e);
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
	r = prepare(eng, c, m, &tables, &changed, &want, e);
	if (r == 0)
		r = observe(eng, &want, have, e);
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
	int r;

	memset(res, 0, sizeof(*res));
	vr_plan_init(&res->plan);
	vr_plan_init(&res->skipped);
	vr_tables_init(&tables);
	vr_state_init(&want);
	r = prepare(eng, c, &m, &tables, &tables_changed, &want, e);
	if (r == 0)
		r = plan_once(eng, &want, &res->plan, e);
	if (r == 0)
		filter_plan(&res->plan, how, &res->skipped);
	if (r < 0 || dry_run)
		goto out;
	vr_plan_summary(&res->plan, &res->summary);

	/* Execute, then look again until nothing is left to do.  A plan that
	 * is empty from the start costs one observation and no write. */
	if (res->plan.n) {
		r = vr_exec(&eng->k, &sys_ops, &res->plan, e, &res->stats);
		res->rounds++;
	}
	while (r == 0 && res->rounds) {
		struct vr_plan next;
		char line[512];

		vr_plan_init(&next);
		r = plan_once(eng, &want, &next, e);
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
		}
		if (r == 0 && !next.n) {
			vr_plan_free(&next);
			break;
		}
		vr_plan_free(&next);
	}
	if (r == 0)
		r = persist(eng, &want, &tables, tables_changed, e);
out:
	vr_state_free(&want);
	vr_tables_free(&tables);
	free(m.v);
	return r;
}
