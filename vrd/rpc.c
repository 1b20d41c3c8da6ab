/* rpc.c - the control protocol's RPCs (yang/vrd.yang): each request is
 * parsed and validated by libyang (ctl.c), answered with its output.
 * Changes go through vrd_apply(): validate -> plan -> execute -> persist,
 * or roll back and report every error. */
#include "vrd.h"


#include <errno.h>
#include <libyang/libyang.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl.h"
#include "load.h"
#include "place/domu.h"

static const char *leaf(const struct lyd_node *op, const char *name)
{
	struct lyd_node *n = NULL;

	if (lyd_find_path(op, name, 0, &n) != LY_SUCCESS || !n)
		return NULL;
	return lyd_get_value(n);
}

static void out_u64(struct lyd_node *reply, const char *name, unsigned long long v)
{
	char s[32];

	snprintf(s, sizeof(s), "%llu", v);
	lyd_new_term(reply, NULL, name, s, 1, NULL);
}

static void out_summary(struct lyd_node *reply, const struct vr_plan *p)
{
	struct vr_plan_summary s;
	char line[1024];

	vr_plan_summary(p, &s);
	out_u64(reply, "added", s.added);
	out_u64(reply, "changed", s.changed);
	out_u64(reply, "deleted", s.deleted);
	for (size_t i = 0; i < p->n; i++)
		lyd_new_term(reply, NULL, "operation", vr_op_str(&p->v[i], line, sizeof(line)), 1,
			     NULL);
}

/* The running config as a new data tree to edit (an empty container
 * when there is none). */
static struct lyd_node *running_copy(struct vrd *d)
{
	struct lyd_node *t = NULL;

	if (d->running)
		lyd_dup_single(d->running, NULL, LYD_DUP_RECURSIVE, &t);
	else
		lyd_new_path(NULL, d->ctx, "/vrd:virtual-routers", NULL, 0, &t);
	return t;
}

/* The config carried by an apply/diff request, as a data tree of
 * /vrd:virtual-routers (NULL: an empty config).  libyang prints the RPC's
 * container exactly like the top-level one, so it parses back as data. */
static int request_config(struct vrd *d, struct lyd_node *op, struct lyd_node **tree,
			  struct vr_errs *e)
{
	struct lyd_node *vr = NULL;
	char *json = NULL;
	LY_ERR r;

	*tree = NULL;
	if (lyd_find_path(op, "virtual-routers", 0, &vr) != LY_SUCCESS || !vr)
		return 0;
	json = vr_yang_print(vr, LYD_PRINT_SHRINK);
	r = lyd_parse_data_mem(d->ctx, json ? json : "{}", LYD_JSON, LYD_PARSE_STRICT,
			       LYD_VALIDATE_NO_STATE, tree);
	free(json);
	if (r != LY_SUCCESS) {
		vr_yang_errors(d->ctx, e);
		return -EINVAL;
	}
	return 0;
}

/* Apply an edited copy of the running config. */
static void apply_edit(struct vrd *d, struct lyd_node *tree, struct lyd_node *reply,
		       struct vr_errs *e, struct vr_engine_result *out)
{
	struct vr_engine_result res;

	memset(&res, 0, sizeof(res));
	if (lyd_validate_all(&tree, d->ctx, LYD_VALIDATE_NO_STATE, NULL) != LY_SUCCESS) {
		vr_yang_errors(d->ctx, e);
		lyd_free_all(tree);
		return;
	}
	if (vrd_apply(d, tree, false, &res, e) == 0)
		out_summary(reply, &res.plan);
	if (out) {
		out->exec_us = res.exec_us;
		out->guests_us = res.guests_us;
	}
	vr_engine_result_free(&res);
}

static void rpc_apply(struct vrd *d, struct lyd_node *op, struct lyd_node *reply, bool dry,
		      struct vr_errs *e)
{
	struct vr_engine_result res;
	struct lyd_node *tree;

	memset(&res, 0, sizeof(res));
	if (request_config(d, op, &tree, e) < 0)
		return;
	if (vrd_apply(d, tree, dry, &res, e) == 0)
		out_summary(reply, &res.plan);
	vr_engine_result_free(&res);
}

static struct lyd_node *find_router(struct lyd_node *tree, const char *name)
{
	char path[128];
	struct lyd_node *n = NULL;

	snprintf(path, sizeof(path), "router[name='%s']", name);
	if (lyd_find_path(tree, path, 0, &n) != LY_SUCCESS)
		return NULL;
	return n;
}

static void rpc_router_del(struct vrd *d, struct lyd_node *op, struct lyd_node *reply,
			   struct vr_errs *e)
{
	const char *name = leaf(op, "name");
	struct lyd_node *tree = running_copy(d), *r = find_router(tree, name);

	if (!r) {
		vr_errs_add(e, -ENOENT, name, "no router %s", name);
		lyd_free_all(tree);
		return;
	}
	lyd_free_tree(r);
	apply_edit(d, tree, reply, e, NULL);
}

static void rpc_route(struct vrd *d, struct lyd_node *op, struct lyd_node *reply, bool add,
		      struct vr_errs *e)
{
	const char *name = leaf(op, "router"), *prefix = leaf(op, "prefix");
	struct lyd_node *tree = running_copy(d), *r = find_router(tree, name), *rt = NULL;
	char path[256];

	if (!r) {
		vr_errs_add(e, -ENOENT, name, "no router %s", name);
		lyd_free_all(tree);
		return;
	}
	snprintf(path, sizeof(path), "route[prefix='%s']", prefix);
	lyd_find_path(r, path, 0, &rt);
	if (!add && !rt) {
		vr_errs_add(e, -ENOENT, prefix, "router %s has no route %s", name, prefix);
		lyd_free_all(tree);
		return;
	}
	if (rt)
		lyd_free_tree(rt); /* add replaces */
	if (add) {
		const char *via = leaf(op, "via/address"), *dev = leaf(op, "via/interface");
		const char *type = leaf(op, "type"), *metric = leaf(op, "metric");
		struct lyd_node *n = NULL;

		lyd_new_path(r, NULL, path, NULL, 0, &n);
		lyd_find_path(r, path, 0, &n);
		if (via) {
			snprintf(path, sizeof(path), "next-hop[address='%s']", via);
			lyd_new_path(n, NULL, path, NULL, 0, NULL);
			if (dev) {
				snprintf(path, sizeof(path), "next-hop[address='%s']/interface", via);
				lyd_new_path(n, NULL, path, dev, 0, NULL);
			}
		} else if (type) {
			lyd_new_path(n, NULL, "type", type, 0, NULL);
		}
		if (metric)
			lyd_new_path(n, NULL, "metric", metric, 0, NULL);
	}
	apply_edit(d, tree, reply, e, NULL);
}

static void rpc_migrate(struct vrd *d, struct lyd_node *op, struct lyd_node *reply,
			struct vr_errs *e)
{
	const char *name = leaf(op, "router"), *placement = leaf(op, "placement");
	struct lyd_node *tree, *r, *p = NULL;
	struct vr_engine_result res;
	const struct vr_router *now = vr_config_router(&d->config, name);

	enum vr_placement from = now ? now->placement : VR_PLACE_NATIVE;

	memset(&res, 0, sizeof(res));
	tree = running_copy(d);
	r = find_router(tree, name);
	if (!r || !now) {
		vr_errs_add(e, -ENOENT, name, "no router %s", name);
		lyd_free_all(tree);
		return;
	}
	/* Make before break, in one apply: the engine brings a new guest up
	 * and waits for it before dom0 is re-plumbed, then re-plumbs dom0 in
	 * one transaction (the interruption), then destroys a guest no longer
	 * needed; a guest that does not become ready fails the apply and the
	 * old placement stays.  native <-> dom0 are the same kernel objects
	 * (dom0 is native on a Xen host): a change of the model only. */
	lyd_find_path(r, "placement", 0, &p);
	if (p)
		lyd_free_tree(p);
	lyd_new_path(r, NULL, "placement", placement, 0, NULL);
	apply_edit(d, tree, reply, e, &res);
	if (!e->n) {
		vrd_log(VRD_LOG_INFO,
			"migrated %s from %s to %s: guest ready after %.1f ms, dom0 switched in "
			"%.1f ms",
			name, vr_placement_str(from), placement, res.guests_us / 1e3,
			res.exec_us / 1e3);
		out_u64(reply, "interruption-us", (unsigned long long)res.exec_us);
	}
}

static const struct vr_route *find_route(const struct vr_state *have, const struct vr_route *key)
{
	size_t lo = 0, hi = have->routes.n;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = vr_route_key_cmp(&have->routes.v[mid], key);
		if (!c)
			return &have->routes.v[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* A domU router: its guest as its driver sees it, its interfaces as dom0
 * sees their upstream ports, its routes as the guest reports them. */
static void state_domu(struct vrd *d, const struct vr_rinfo *ri, const struct vr_state *have,
		       struct lyd_node *rn)
{
	const struct vr_router *r = ri->r;
	const struct vr_guest *g = NULL;
	struct vr_hv *hv = vr_place_hv(&d->place, r->domu.hypervisor);
	struct lyd_node *gn = NULL;
	char line[1024] = "", gen[VR_GUEST_GEN_LEN], *cfg;
	bool ready = false;
	char a[VR_ADDR_STRLEN];
	const char *dom0_ns = r->domu.vif_mode == VR_VIF_ROUTED ? ri->ns : vr_intern("");

	for (size_t i = 0; i < d->place.n_guests; i++)
		if (!strcmp(d->place.guests[i].router, r->name))
			g = &d->place.guests[i];
	cfg = vr_guest_config(r);
	vr_guest_gen(cfg, gen);
	free(cfg);
	if (g && hv && hv->ops->status(hv, g, line, sizeof(line)) == 0)
		ready = vr_guest_status_parse(line, gen, NULL) == 1;
	if (lyd_new_inner(rn, NULL, "guest", 0, &gn) == LY_SUCCESS) {
		char name[VR_GUEST_NAME_MAX];

		vr_guest_name(r->domu.hypervisor, r->name, name);
		lyd_new_term(gn, NULL, "name", name, 1, NULL);
		lyd_new_term(gn, NULL, "hypervisor", r->domu.hypervisor == VR_HV_LAB ? "lab" : "xl",
			     1, NULL);
		if (g) {
			snprintf(a, sizeof(a), "%d", g->domid);
			lyd_new_term(gn, NULL, "domid", a, 1, NULL);
		}
		lyd_new_term(gn, NULL, "vif-mode",
			     r->domu.vif_mode == VR_VIF_ROUTED ? "routed" : "bridged", 1, NULL);
		if (*line)
			lyd_new_term(gn, NULL, "status", line, 1, NULL);
		lyd_new_term(gn, NULL, "ready", ready ? "true" : "false", 1, NULL);
	}
	for (size_t i = 0; i < r->n_ifaces; i++) {
		const char *up = vr_domu_upstream(&r->ifaces[i]);
		const struct vr_link *l = vr_state_find_link(have, dom0_ns, up);
		struct lyd_node *in = NULL;

		if (lyd_new_list(rn, NULL, "interface", 1, &in, r->ifaces[i].name) != LY_SUCCESS)
			continue;
		lyd_new_term(in, NULL, "oper-status",
			     !l ? "missing" : (l->flags & IFF_UP) ? "up" : "down", 1, NULL);
		for (size_t k = 0; k < r->ifaces[i].n_addrs; k++)
			lyd_new_term(in, NULL, "address",
				     vr_ip_str(&r->ifaces[i].addrs[k], true, a, sizeof(a)), 1, NULL);
		lyd_new_term(in, NULL, "upstream", up, 1, NULL);
		if (g && i < g->n_vifs)
			lyd_new_term(in, NULL, "vif", g->vif[i], 1, NULL);
	}
	for (size_t i = 0; i < r->n_routes; i++) {
		struct lyd_node *rt = NULL;

		if (lyd_new_list(rn, NULL, "route", 1, &rt,
				 vr_ip_str(&r->routes[i].prefix, true, a, sizeof(a))) == LY_SUCCESS)
			lyd_new_term(rt, NULL, "status", ready ? "in-guest" : "pending", 1, NULL);
	}
}

static void state_router(struct vrd *d, const struct vr_rinfo *ri, const struct vr_state *have,
			 struct lyd_node *reply)
{
	const struct vr_router *r = ri->r;
	struct lyd_node *rn = NULL;
	char a[VR_ADDR_STRLEN], via[512];

	if (lyd_new_list(reply, NULL, "router", 1, &rn, r->name) != LY_SUCCESS)
		return;
	lyd_new_term(rn, NULL, "placement", vr_placement_str(r->placement), 1, NULL);
	lyd_new_term(rn, NULL, "backend", vr_backend_str(ri->backend), 1, NULL);
	out_u64(rn, "table", ri->table);
	for (size_t i = 0; i < d->n_stats; i++)
		if (!strcmp(d->stats[i].name, r->name)) {
			out_u64(rn, "drift-corrected", d->stats[i].corrected);
			out_u64(rn, "drift-reported", d->stats[i].reported);
		}
	if (r->placement == VR_PLACE_DOMU) {
		state_domu(d, ri, have, rn);
		return;
	}
	for (size_t i = 0; i < r->n_ifaces; i++) {
		const struct vr_link *l = vr_state_find_link(have, ri->ns, r->ifaces[i].name);
		struct lyd_node *in = NULL;

		if (lyd_new_list(rn, NULL, "interface", 1, &in, r->ifaces[i].name) != LY_SUCCESS)
			continue;
		lyd_new_term(in, NULL, "oper-status",
			     !l ? "missing" : (l->flags & IFF_UP) ? "up" : "down", 1, NULL);
		for (size_t k = 0; k < have->addrs.n; k++) {
			const struct vr_addr *ad = &have->addrs.v[k];
			if (ad->ns == ri->ns && !strcmp(ad->dev, r->ifaces[i].name))
				lyd_new_term(in, NULL, "address", vr_ip_str(&ad->ip, true, a, sizeof(a)),
					     1, NULL);
		}
	}
	for (size_t i = 0; i < r->n_routes; i++) {
		const struct vr_static_route *sr = &r->routes[i];
		struct vr_route key = {.ns = ri->ns, .table = ri->table, .dst = sr->prefix,
				       .metric = sr->has_metric ? sr->metric : 0};
		const struct vr_route *o;
		struct lyd_node *rt = NULL;
		size_t off = 0;

		if (sr->prefix.family == AF_INET6 && !key.metric)
			key.metric = VR_IP6_METRIC_DEFAULT;
		o = find_route(have, &key);
		if (lyd_new_list(rn, NULL, "route", 1, &rt, vr_ip_str(&sr->prefix, true, a, sizeof(a))) !=
		    LY_SUCCESS)
			continue;
		lyd_new_term(rt, NULL, "status", o && o->protocol == VR_RTPROT ? "installed" : "failed",
			     1, NULL);
		via[0] = 0;
		if (sr->type != VR_RT_UNICAST)
			snprintf(via, sizeof(via), "%s",
				 sr->type == VR_RT_BLACKHOLE     ? "blackhole"
				 : sr->type == VR_RT_UNREACHABLE ? "unreachable"
								 : "prohibit");
		for (size_t k = 0; k < sr->n_nhs && off < sizeof(via); k++) {
			int n = snprintf(via + off, sizeof(via) - off, "%s%s%s%s", k ? " " : "",
					 vr_ip_str(&sr->nhs[k].addr, false, a, sizeof(a)),
					 sr->nhs[k].router[0] ? "@" : "", sr->nhs[k].router);
			if (n > 0)
				off += (size_t)n;
		}
		lyd_new_term(rt, NULL, "via", via, 1, NULL);
	}
}

static void rpc_get_state(struct vrd *d, struct lyd_node *op, struct lyd_node *reply,
			  struct vr_errs *e)
{
	const char *only = leaf(op, "router");
	struct vr_realm m;
	struct vr_state have;

	if (only && !vr_config_router(&d->config, only)) {
		vr_errs_add(e, -ENOENT, only, "no router %s", only);
		return;
	}
	vr_state_init(&have);
	if (vr_engine_observe(&d->eng, &d->config, &m, &have, e) == 0)
		for (size_t i = 0; i < m.n; i++)
			if (!only || !strcmp(only, m.v[i].r->name))
				state_router(d, &m.v[i], &have, reply);
	vr_state_free(&have);
	free(m.v);
}

static void rpc_get_status(struct vrd *d, struct lyd_node *reply)
{
	unsigned long long routes = 0;

	for (size_t i = 0; i < d->config.n_routers; i++)
		routes += d->config.routers[i].n_routes;
	lyd_new_term(reply, NULL, "version", VRD_VERSION, 1, NULL);
	out_u64(reply, "uptime", (unsigned long long)(ev_now(d->loop) - d->started));
	out_u64(reply, "routers", d->config.n_routers);
	out_u64(reply, "routes", routes);
	if (d->last_error[0])
		lyd_new_term(reply, NULL, "last-error", d->last_error, 1, NULL);
	out_u64(reply, "drift-corrected", d->drift_corrected);
	out_u64(reply, "drift-reported", d->drift_reported);
	out_u64(reply, "resyncs", d->resyncs);
}

/* One line out of libyang's errors, for a protocol-error. */
static char *join(const struct vr_errs *e)
{
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);

	for (size_t i = 0; i < e->n; i++) {
		char *s = vr_err_str(&e->v[i]);
		fprintf(f, "%s%s", i ? "; " : "", s);
		free(s);
	}
	fclose(f);
	return out;
}

char *vrd_rpc(struct vrd *d, const char *json, bool may_write, bool *subscribe)
{
	struct lyd_node *tree = NULL, *op = NULL, *reply;
	struct vr_errs e;
	const char *name;
	bool dry, writes;
	char *out;

	vr_errs_init(&e);
	if (vr_ctl_parse_request(d->ctx, json, &tree, &op, &e) < 0) {
		char *msg = join(&e);
		out = vr_ctl_protocol_error(d->ctx, msg);
		free(msg);
		vr_errs_free(&e);
		return out;
	}
	name = LYD_NAME(op);
	reply = vr_ctl_reply_new(d->ctx, name);
	dry = !strcmp(name, "apply") && leaf(op, "dry-run") && !strcmp(leaf(op, "dry-run"), "true");
	writes = !dry && (!strcmp(name, "apply") || !strcmp(name, "router-del") ||
			  !strcmp(name, "route-add") || !strcmp(name, "route-del") ||
			  !strcmp(name, "migrate"));
	if (writes && !may_write) {
		vr_errs_add(&e, -EPERM, NULL,
			    "permission denied: %s changes state, which needs root or group vrd", name);
	} else if (!strcmp(name, "apply")) {
		rpc_apply(d, op, reply, dry, &e);
	} else if (!strcmp(name, "diff")) {
		rpc_apply(d, op, reply, true, &e);
	} else if (!strcmp(name, "get-state")) {
		rpc_get_state(d, op, reply, &e);
	} else if (!strcmp(name, "get-status")) {
		rpc_get_status(d, reply);
	} else if (!strcmp(name, "router-del")) {
		rpc_router_del(d, op, reply, &e);
	} else if (!strcmp(name, "route-add") || !strcmp(name, "route-del")) {
		rpc_route(d, op, reply, !strcmp(name, "route-add"), &e);
	} else if (!strcmp(name, "migrate")) {
		rpc_migrate(d, op, reply, &e);
	} else if (!strcmp(name, "monitor")) {
		*subscribe = true;
	}
	if (e.n) {
		/* a failed RPC answers with its errors only */
		lyd_free_all(reply);
		reply = vr_ctl_reply_new(d->ctx, name);
		vr_ctl_reply_errors(reply, &e);
	}
	out = vr_ctl_print(reply);
	lyd_free_all(reply);
	lyd_free_all(tree);
	vr_errs_free(&e);
	return out;
}
