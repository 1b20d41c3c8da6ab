/* show.c - human output of replies: change summaries (apply, diff, the
 * edits), "show" (get-state) as aligned tables in the manner of ip(8), and
 * "status" (get-status).  Absent values print as "-". */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vrctl.h"

static const char *or_dash(const char *s)
{
	return s && *s ? s : "-";
}

static const char *or_zero(const char *s)
{
	return s && *s ? s : "0";
}

static int width(int w, const char *s)
{
	int n = (int)strlen(or_dash(s));

	return n > w ? n : w;
}

size_t vrctl_print_operations(const struct lyd_node *out)
{
	const struct lyd_node *op = NULL;
	size_t n = 0;

	while ((op = vr_ctl_next(out, "operation", op))) {
		printf("%s\n", vr_ctl_value(op));
		n++;
	}
	return n;
}

int vrctl_show_summary(const struct vrctl *v, const struct lyd_node *out, void *arg)
{
	(void)v;
	(void)arg;
	vrctl_print_operations(out);
	printf("%s added, %s changed, %s deleted\n", or_zero(vr_ctl_leaf(out, "added")),
	       or_zero(vr_ctl_leaf(out, "changed")), or_zero(vr_ctl_leaf(out, "deleted")));
	return 0;
}

int vrctl_show_plan(const struct vrctl *v, const struct lyd_node *out, void *arg)
{
	(void)v;
	(void)arg;
	if (!vrctl_print_operations(out))
		printf("no changes\n");
	return 0;
}

int vrctl_show_dry_run(const struct vrctl *v, const struct lyd_node *out, void *arg)
{
	vrctl_show_plan(v, out, arg);
	printf("(dry run: nothing changed)\n");
	return 0;
}

static void show_interfaces(const struct lyd_node *r)
{
	const struct lyd_node *i = NULL, *a;
	int wn = (int)strlen("interface"), ws = (int)strlen("state");

	while ((i = vr_ctl_next(r, "interface", i))) {
		wn = width(wn, vr_ctl_leaf(i, "name"));
		ws = width(ws, vr_ctl_leaf(i, "oper-status"));
	}
	if (!vr_ctl_next(r, "interface", NULL))
		return;
	printf("  %-*s  %-*s  addresses\n", wn, "interface", ws, "state");
	while ((i = vr_ctl_next(r, "interface", i))) {
		printf("  %-*s  %-*s  ", wn, or_dash(vr_ctl_leaf(i, "name")), ws,
		       or_dash(vr_ctl_leaf(i, "oper-status")));
		a = vr_ctl_next(i, "address", NULL);
		if (!a)
			printf("-");
		for (; a; a = vr_ctl_next(i, "address", a))
			printf("%s%s", vr_ctl_value(a), vr_ctl_next(i, "address", a) ? " " : "");
		if (vr_ctl_leaf(i, "upstream"))
			printf("  (dom0: %s, vif %s)", vr_ctl_leaf(i, "upstream"),
			       or_dash(vr_ctl_leaf(i, "vif")));
		printf("\n");
	}
}

/* placement domU: "  guest vr-red (xl, domid 3, vif-mode routed): ready" */
static void show_guest(const struct lyd_node *r)
{
	const struct lyd_node *g = vr_ctl_next(r, "guest", NULL);
	const char *ready, *status;

	if (!g)
		return;
	ready = vr_ctl_leaf(g, "ready");
	status = vr_ctl_leaf(g, "status");
	printf("  guest %s (%s, id %s, vif-mode %s): %s", or_dash(vr_ctl_leaf(g, "name")),
	       or_dash(vr_ctl_leaf(g, "hypervisor")), or_dash(vr_ctl_leaf(g, "domid")),
	       or_dash(vr_ctl_leaf(g, "vif-mode")),
	       ready && !strcmp(ready, "true") ? "ready" : "not ready");
	if (status && !(ready && !strcmp(ready, "true")))
		printf(" (last report: %s)", status);
	printf("\n");
}

static void show_routes(const struct lyd_node *r)
{
	const struct lyd_node *rt = NULL;
	int wp = (int)strlen("route"), wv = (int)strlen("via");

	while ((rt = vr_ctl_next(r, "route", rt))) {
		wp = width(wp, vr_ctl_leaf(rt, "prefix"));
		wv = width(wv, vr_ctl_leaf(rt, "via"));
	}
	if (!vr_ctl_next(r, "route", NULL))
		return;
	printf("  %-*s  %-*s  status\n", wp, "route", wv, "via");
	while ((rt = vr_ctl_next(r, "route", rt)))
		printf("  %-*s  %-*s  %s\n", wp, or_dash(vr_ctl_leaf(rt, "prefix")), wv,
		       or_dash(vr_ctl_leaf(rt, "via")), or_dash(vr_ctl_leaf(rt, "status")));
}

int vrctl_show_state(const struct vrctl *v, const struct lyd_node *out, void *arg)
{
	static const char *const cols[] = {"name", "placement", "backend", "table"};
	const char *only = arg;
	const struct lyd_node *r = NULL;
	int w[4] = {0};

	(void)v;
	if (!vr_ctl_next(out, "router", NULL)) {
		if (only) {
			fprintf(stderr, "vrctl: no router %s\n", only);
			return 1;
		}
		printf("no routers\n");
		return 0;
	}
	/* one header line a router, its fields aligned across routers */
	while ((r = vr_ctl_next(out, "router", r)))
		for (int k = 0; k < 4; k++)
			w[k] = width(w[k], vr_ctl_leaf(r, cols[k]));
	while ((r = vr_ctl_next(out, "router", r))) {
		printf("router %-*s  placement %-*s  backend %-*s  table %-*s  "
		       "drift: %s corrected, %s reported\n",
		       w[0], or_dash(vr_ctl_leaf(r, "name")), w[1],
		       or_dash(vr_ctl_leaf(r, "placement")), w[2], or_dash(vr_ctl_leaf(r, "backend")),
		       w[3], or_dash(vr_ctl_leaf(r, "table")), or_zero(vr_ctl_leaf(r, "drift-corrected")),
		       or_zero(vr_ctl_leaf(r, "drift-reported")));
		show_guest(r);
		show_interfaces(r);
		show_routes(r);
		if (vr_ctl_next(out, "router", r))
			printf("\n");
	}
	return 0;
}

/* 93784 -> "1d 2h 3m 4s"; leading zero units are left out. */
static void print_uptime(const char *s)
{
	unsigned long long t = s ? strtoull(s, NULL, 10) : 0;
	unsigned long long d = t / 86400, h = t / 3600 % 24, m = t / 60 % 60;

	if (!s) {
		printf("-\n");
		return;
	}
	if (d)
		printf("%llud ", d);
	if (d || h)
		printf("%lluh ", h);
	if (d || h || m)
		printf("%llum ", m);
	printf("%llus\n", t % 60);
}

int vrctl_show_status(const struct vrctl *v, const struct lyd_node *out, void *arg)
{
	(void)v;
	(void)arg;
	printf("version     %s\n", or_dash(vr_ctl_leaf(out, "version")));
	printf("uptime      ");
	print_uptime(vr_ctl_leaf(out, "uptime"));
	printf("routers     %s\n", or_zero(vr_ctl_leaf(out, "routers")));
	printf("routes      %s\n", or_zero(vr_ctl_leaf(out, "routes")));
	printf("resyncs     %s\n", or_zero(vr_ctl_leaf(out, "resyncs")));
	printf("drift       %s corrected, %s reported\n",
	       or_zero(vr_ctl_leaf(out, "drift-corrected")),
	       or_zero(vr_ctl_leaf(out, "drift-reported")));
	printf("last error  %s\n", or_dash(vr_ctl_leaf(out, "last-error")));
	return 0;
}

int vrctl_cmd_show(const struct vrctl *v, int argc, char **argv)
{
	struct lyd_node *req;
	struct vr_errs e;

	if (argc > 2)
		return VRCTL_USAGE;
	req = vr_ctl_request_new(v->ctx, "get-state");
	if (!req)
		abort();
	vr_errs_init(&e);
	if (argc == 2 && vr_ctl_set(req, "router", argv[1], &e) < 0) {
		vrctl_print_errors(v, &e);
		vr_errs_free(&e);
		vr_ctl_free(req);
		return 1;
	}
	vr_errs_free(&e);
	return vrctl_run_tree(v, req, VRCTL_TIMEOUT_MS, vrctl_show_state,
			      argc == 2 ? argv[1] : NULL);
}

int vrctl_cmd_status(const struct vrctl *v, int argc, char **argv)
{
	(void)argv;
	if (argc != 1)
		return VRCTL_USAGE;
	return vrctl_run(v, "get-status", "{\"vrd:get-status\":{}}", VRCTL_TIMEOUT_MS,
			 vrctl_show_status, NULL);
}
