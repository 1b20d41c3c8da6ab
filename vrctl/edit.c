/* edit.c - small changes to the running config without a file: router
 * del, route add/del, migrate.  Arguments become request leaves, so
 * libyang checks their values here before vrd sees them. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vrctl.h"

/* A request for rpc from (path, value) pairs, sent; the exit status. */
static int edit(const struct vrctl *v, const char *rpc, const char *const *kv, size_t n,
		int timeout_ms, vrctl_show_fn show)
{
	struct lyd_node *req = vr_ctl_request_new(v->ctx, rpc);
	struct vr_errs e;
	int r = 0;

	if (!req)
		abort();
	vr_errs_init(&e);
	for (size_t i = 0; i + 1 < n; i += 2)
		if (kv[i + 1] && vr_ctl_set(req, kv[i], kv[i + 1], &e) < 0)
			r = 1;
	if (r) {
		vrctl_print_errors(v, &e);
		vr_ctl_free(req);
	} else {
		r = vrctl_run_tree(v, req, timeout_ms, show, NULL);
	}
	vr_errs_free(&e);
	return r;
}

int vrctl_cmd_router(const struct vrctl *v, int argc, char **argv)
{
	const char *kv[2] = {"name"};

	if (argc != 3 || (strcmp(argv[1], "del") && strcmp(argv[1], "delete")))
		return VRCTL_USAGE;
	kv[1] = argv[2];
	return edit(v, "router-del", kv, 2, VRCTL_TIMEOUT_MS, vrctl_show_summary);
}

/* route add ROUTER PREFIX (via ADDR [dev IF] | TYPE) [metric N] */
static int route_add(const struct vrctl *v, int argc, char **argv)
{
	const char *via = NULL, *dev = NULL, *type = NULL, *metric = NULL;

	for (int i = 4; i < argc; i++) {
		const char *w = argv[i];

		const char **slot = !strcmp(w, "via")	   ? &via
				    : !strcmp(w, "dev")	   ? &dev
				    : !strcmp(w, "metric") ? &metric
							   : NULL;

		if (!strcmp(w, "blackhole") || !strcmp(w, "unreachable") || !strcmp(w, "prohibit"))
			slot = &type;
		if (!slot || *slot) {
			fprintf(stderr, "vrctl: route add: unexpected '%s'\n", w);
			return VRCTL_USAGE;
		}
		if (slot == &type) {
			*slot = w;
		} else if (i + 1 < argc) {
			*slot = argv[++i];
		} else {
			fprintf(stderr, "vrctl: route add: '%s' needs a value\n", w);
			return VRCTL_USAGE;
		}
	}
	if (via && type) {
		fprintf(stderr, "vrctl: route add: either 'via' or '%s', not both\n", type);
		return VRCTL_USAGE;
	}
	if ((!via && !type) || (dev && !via)) {
		fprintf(stderr, "vrctl: route add: give 'via ADDR [dev IF]' or a type "
				"(blackhole, unreachable, prohibit)\n");
		return VRCTL_USAGE;
	}
	{
		const char *kv[] = {"router",	 argv[2], "prefix", argv[3], "via/address",
				    via,	 "via/interface", dev, "type", type,
				    "metric", metric};

		return edit(v, "route-add", kv, sizeof(kv) / sizeof(kv[0]), VRCTL_TIMEOUT_MS,
			    vrctl_show_summary);
	}
}

int vrctl_cmd_route(const struct vrctl *v, int argc, char **argv)
{
	if (argc >= 2 && !strcmp(argv[1], "add") && argc >= 5)
		return route_add(v, argc, argv);
	if (argc == 4 && (!strcmp(argv[1], "del") || !strcmp(argv[1], "delete"))) {
		const char *kv[] = {"router", argv[2], "prefix", argv[3]};

		return edit(v, "route-del", kv, 4, VRCTL_TIMEOUT_MS, vrctl_show_summary);
	}
	return VRCTL_USAGE;
}

/* The plan, then how long forwarding stopped. */
static int show_migrate(const struct vrctl *v, const struct lyd_node *out, void *arg)
{
	const char *us = vr_ctl_leaf(out, "interruption-us");

	(void)v;
	(void)arg;
	if (!vrctl_print_operations(out))
		printf("no changes\n");
	if (us) {
		unsigned long long n = strtoull(us, NULL, 10);

		printf("interruption: %llu.%03llu ms\n", n / 1000, n % 1000);
	}
	return 0;
}

int vrctl_cmd_migrate(const struct vrctl *v, int argc, char **argv)
{
	const char *kv[4] = {"router", NULL, "placement"};

	if (argc != 3)
		return VRCTL_USAGE;
	kv[1] = argv[1];
	kv[3] = argv[2];
	return edit(v, "migrate", kv, 4, VRCTL_FOREVER, show_migrate);
}
