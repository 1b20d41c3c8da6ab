/* Diff + plan golden tests: a config and a recorded observed state give
 * exactly the expected plan text (or the expected errors).  A NAME.desired
 * file, when there is one, adds objects to the desired state in the same
 * line format (what the engine adds beyond desired.c).  Regenerate a
 * golden file with VRD_UPDATE_GOLDEN=1 and review the difference. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "desired.h"
#include "diff.h"
#include "place/domu.h"
#include "load.h"
#include "yang_ctx.h"
#include "state_text.h"


struct golden {
	const char *name;    /* tests/fixtures/plan/NAME.{observed,plan} */
	const char *config;  /* under tests/fixtures/ or yang/examples/ */
	enum vr_backend backend;
};

static const struct golden cases[] = {
	{"netns-fresh", EXAMPLES "/demo.json", VR_BACKEND_NETNS},
	{"netns-converged", EXAMPLES "/demo.json", VR_BACKEND_NETNS},
	{"netns-drift", EXAMPLES "/demo.json", VR_BACKEND_NETNS},
	{"netns-remove", FIXTURES "/valid/empty.json", VR_BACKEND_NETNS},
	{"vrf-fresh", EXAMPLES "/red.json", VR_BACKEND_VRF},
	{"vrf-converged", EXAMPLES "/red.json", VR_BACKEND_VRF},
	{"vrf-conflicts", EXAMPLES "/red.json", VR_BACKEND_VRF},
	{"vrf-remove", FIXTURES "/valid/empty.json", VR_BACKEND_VRF},
	{"vrf-kinds", FIXTURES "/plan/kinds.json", VR_BACKEND_VRF},
	{"netns-kinds", FIXTURES "/plan/kinds.json", VR_BACKEND_NETNS},
	{"errors", FIXTURES "/plan/errors.json", VR_BACKEND_VRF},
	{"vrf-table-taken", EXAMPLES "/red.json", VR_BACKEND_VRF},
	{"netns-proxy", EXAMPLES "/demo.json", VR_BACKEND_NETNS},
	{"vrf-proxy", EXAMPLES "/red.json", VR_BACKEND_VRF},
	/* native -> domU (lab guest, gid 1000): dom0's side of the switch */
	{"netns-domu-bridged", FIXTURES "/plan/domu-bridged.json", VR_BACKEND_NETNS},
	{"netns-domu-routed", FIXTURES "/plan/domu-routed.json", VR_BACKEND_NETNS},
	{"vrf-domu-routed", FIXTURES "/plan/domu-routed.json", VR_BACKEND_VRF},
	{"vrf-domu-bridged", FIXTURES "/plan/domu-bridged.json", VR_BACKEND_VRF},
};

/* A domU router as the engine realises it: guest id 1000 (vifs
 * vif1000.<n>), dom0's side in vrd's namespace, pair tables 2000.. */
static void domu_realm(struct vr_rinfo *ri)
{
	bool routed = ri->r->domu.vif_mode == VR_VIF_ROUTED;

	if (ri->r->placement != VR_PLACE_DOMU)
		return;
	ri->gid = 1000;
	ri->ns = vr_intern("");
	for (uint32_t k = 0; routed && k < 2 * VR_GUEST_MAX_VIFS; k++)
		ri->pair_table[k] = 2000 + k;
}

static char *render(const struct golden *g)
{
	struct vr_config c;
	struct vr_errs e;
	struct vr_state want, have;
	struct vr_plan plan;
	struct vr_realm m = {.netns_prefix = "vr-"};
	char path[512], line[1024], *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);

	vr_errs_init(&e);
	assert_int_equal(vr_load_file(ctx, g->config, &c, &e), 0);
	m.v = calloc(c.n_routers + 1, sizeof(*m.v));
	m.n = c.n_routers;
	for (size_t i = 0; i < c.n_routers; i++) {
		m.v[i].r = &c.routers[i];
		m.v[i].backend = g->backend;
		m.v[i].table = g->backend == VR_BACKEND_NETNS ? VR_TABLE_MAIN
			       : c.routers[i].has_table       ? c.routers[i].table
							      : (uint32_t)(1000 + i);
		m.v[i].ns = g->backend == VR_BACKEND_NETNS ? vr_realm_netns(&m, c.routers[i].name)
							   : vr_intern("");
		domu_realm(&m.v[i]);
	}
	vr_state_init(&want);
	vr_state_init(&have);
	vr_plan_init(&plan);
	if (vr_desired_build(&m, &want, &e) == 0) {
		snprintf(path, sizeof(path), "%s/plan/%s.desired", FIXTURES, g->name);
		if (!access(path, F_OK))
			assert_int_equal(vr_state_text_load(&want, path), 0);
		snprintf(path, sizeof(path), "%s/plan/%s.observed", FIXTURES, g->name);
		assert_int_equal(vr_state_text_load(&have, path), 0);
		vr_state_sort(&want);
		vr_state_sort(&have);
		vr_state_attribute(&have);
		vr_diff(&want, &have, &plan, &e);
		vr_plan_order(&plan);
	}
	/* With errors the plan is discarded: show only them. */
	for (size_t i = 0; !e.n && i < plan.n; i++)
		fprintf(f, "%s\n", vr_op_str(&plan.v[i], line, sizeof(line)));
	for (size_t i = 0; i < plan.n_conflicts; i++)
		fprintf(f, "conflict: %s\n", plan.conflicts[i]);
	for (size_t i = 0; i < e.n; i++) {
		char *s = vr_err_str(&e.v[i]);
		fprintf(f, "error: %s\n", s);
		free(s);
	}
	fclose(f);
	vr_plan_free(&plan);
	vr_state_free(&want);
	vr_state_free(&have);
	vr_config_free(&c);
	vr_errs_free(&e);
	free(m.v);
	return out;
}

static void test_golden(void **state)
{
	const struct golden *g = *state;
	char path[512], *got = render(g), *want = NULL;
	size_t len = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/plan/%s.plan", FIXTURES, g->name);
	if (getenv("VRD_UPDATE_GOLDEN")) {
		f = fopen(path, "we");
		assert_non_null(f);
		fputs(got, f);
		fclose(f);
	}
	f = fopen(path, "re");
	assert_non_null(f);
	if (getdelim(&want, &len, 0, f) < 0)
		want[0] = 0; /* an empty plan */
	fclose(f);
	if (strcmp(got, want))
		print_error("%s: plan differs.\n--- expected\n%s--- got\n%s", g->name, want, got);
	assert_string_equal(got, want);
	free(got);
	free(want);
}

/* Diffing a state against itself is always empty: equal objects never
 * give an operation (no flaps on re-apply). */
static void test_self_empty(void **state)
{
	const struct golden *g = *state;
	struct vr_config c;
	struct vr_errs e;
	struct vr_state want;
	struct vr_plan plan;
	struct vr_realm m = {.netns_prefix = "vr-"};
	struct vr_rinfo ri[8];

	vr_errs_init(&e);
	assert_int_equal(vr_load_file(ctx, g->config, &c, &e), 0);
	assert_true(c.n_routers <= 8);
	for (size_t i = 0; i < c.n_routers; i++) {
		ri[i].r = &c.routers[i];
		ri[i].backend = g->backend;
		ri[i].table = 1000 + (uint32_t)i;
		ri[i].ns = g->backend == VR_BACKEND_NETNS ? vr_realm_netns(&m, c.routers[i].name)
							  : vr_intern("");
		domu_realm(&ri[i]);
	}
	m.v = ri;
	m.n = c.n_routers;
	vr_state_init(&want);
	vr_plan_init(&plan);
	assert_int_equal(vr_desired_build(&m, &want, &e), 0);
	vr_state_sort(&want);
	/* observed links carry the kernel's view of "created": tagged */
	assert_int_equal(vr_diff(&want, &want, &plan, &e), 0);
	assert_int_equal(plan.n, 0);
	assert_int_equal(plan.n_conflicts, 0);
	vr_plan_free(&plan);
	vr_state_free(&want);
	vr_config_free(&c);
	vr_errs_free(&e);
}

int main(void)
{
	struct CMUnitTest t[64];
	size_t n = 0;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct CMUnitTest u = {cases[i].name, test_golden, NULL, NULL, (void *)&cases[i]};
		t[n++] = u;
	}
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (strstr(cases[i].name, "fresh") || strstr(cases[i].name, "kinds")) {
			struct CMUnitTest u = {"self-empty", test_self_empty, NULL, NULL,
					       (void *)&cases[i]};
			t[n++] = u;
		}
	}
	return _cmocka_run_group_tests("plan", t, n, vr_test_yang_setup, vr_test_yang_teardown);
}
