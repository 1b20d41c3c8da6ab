/* A router placed in a guest: names, MACs, generations, status lines, and
 * the config the guest gets (it must load as a valid one-router config
 * with the guest's interface names and the vif mode). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "load.h"
#include "place/domu.h"
#include "place/hv.h"
#include "yang_ctx.h"

static void test_names(void **state)
{
	char name[VR_GUEST_NAME_MAX], vif[IFNAMSIZ];

	(void)state;
	vr_guest_name(VR_HV_XL, "red", name);
	assert_string_equal(name, "vr-red");
	vr_guest_name(VR_HV_LAB, "red", name);
	assert_string_equal(name, "vrg-red");
	assert_string_equal(vr_guest_router(VR_HV_LAB, "vrg-red"), "red");
	assert_null(vr_guest_router(VR_HV_LAB, "vr-red"));
	assert_null(vr_guest_router(VR_HV_XL, "vr-"));
	assert_null(vr_guest_router(VR_HV_XL, "vr-abcdefghijklmnop")); /* no router name */
	vr_vif_name(12, 3, vif);
	assert_string_equal(vif, "vif12.3");
}

static void test_macs(void **state)
{
	uint8_t a[6], b[6], c[6];

	(void)state;
	vr_guest_mac("red", "red0", a);
	vr_guest_mac("red", "red0", b);
	assert_memory_equal(a, b, 6); /* stable */
	assert_int_equal(a[0], 0x00); /* Xen's OUI */
	assert_int_equal(a[1], 0x16);
	assert_int_equal(a[2], 0x3e);
	vr_guest_mac("red", "red1", c);
	assert_memory_not_equal(a, c, 6);
	vr_guest_mac("re", "dred0", c); /* the separator counts */
	assert_memory_not_equal(a, c, 6);
	vr_vif_mac("red", "red0", b);
	assert_int_equal(b[0] & 0x03, 0x02); /* locally administered unicast */
	assert_memory_not_equal(a, b, 6);
}

static void test_gen_status(void **state)
{
	char g1[VR_GUEST_GEN_LEN], g2[VR_GUEST_GEN_LEN];
	const char *why;

	(void)state;
	vr_guest_gen("{}", g1);
	vr_guest_gen("{}", g2);
	assert_string_equal(g1, g2);
	assert_int_equal(strlen(g1), 16);
	vr_guest_gen("{ }", g2);
	assert_string_not_equal(g1, g2);
	assert_int_equal(vr_guest_status_parse("abc ready", "abc", &why), 1);
	assert_int_equal(vr_guest_status_parse("abc ready\n", "abc", &why), 1);
	assert_int_equal(vr_guest_status_parse("abd ready", "abc", &why), 0);
	assert_int_equal(vr_guest_status_parse("abcd ready", "abc", &why), 0);
	assert_int_equal(vr_guest_status_parse("abc readyish", "abc", &why), 0);
	assert_int_equal(vr_guest_status_parse("abc failed no route", "abc", &why), -1);
	assert_string_equal(why, "no route");
	assert_int_equal(vr_guest_status_parse("", "abc", &why), 0);
}

static void guest_config(const char *mode)
{
	char path[512], *text;
	struct vr_config c, g;
	struct vr_errs e;
	const struct vr_router *r;

	vr_errs_init(&e);
	snprintf(path, sizeof(path), "%s/plan/domu-%s.json", FIXTURES, mode);
	assert_int_equal(vr_load_file(ctx, path, &c, &e), 0);
	text = vr_guest_config(&c.routers[0]);
	if (vr_load_mem(ctx, text, &g, &e) != 0) {
		for (size_t i = 0; i < e.n; i++)
			print_error("%s: %s\n", e.v[i].path ? e.v[i].path : "", e.v[i].msg);
		fail_msg("the guest config does not load: %s", text);
	}
	assert_int_equal(g.n_routers, 1);
	r = &g.routers[0];
	assert_string_equal(r->name, "red");
	assert_int_equal(r->placement, VR_PLACE_NATIVE);
	assert_false(r->has_table); /* the guest's own main table */
	assert_true(r->has_domu);
	assert_int_equal(r->domu.vif_mode, strcmp(mode, "routed") ? VR_VIF_BRIDGED : VR_VIF_ROUTED);
	assert_int_equal(r->n_ifaces, 2);
	assert_string_equal(r->ifaces[0].name, "eth0");
	assert_string_equal(r->ifaces[1].name, "eth1");
	assert_int_equal(r->ifaces[1].n_addrs, 2);
	assert_int_equal(r->n_routes, 3);
	assert_int_equal(r->routes[0].nhs[0].addr.family, AF_INET);
	assert_int_equal(r->routes[2].type, VR_RT_BLACKHOLE);
	free(text);
	vr_config_free(&g);
	vr_config_free(&c);
	vr_errs_free(&e);
}

static void test_guest_config_bridged(void **state)
{
	(void)state;
	guest_config("bridged");
}

static void test_guest_config_routed(void **state)
{
	(void)state;
	guest_config("routed");
}

/* An interface next hop names the guest's card. */
static void test_guest_config_iface(void **state)
{
	static const char doc[] =
	    "{\"vrd:virtual-routers\":{\"router\":[{\"name\":\"r\",\"placement\":\"domU\","
	    "\"interface\":[{\"name\":\"a\",\"address\":[\"198.18.1.1/24\"]},"
	    "{\"name\":\"b\",\"address\":[\"2001:db8:1::1/64\"]}],"
	    "\"route\":[{\"prefix\":\"2001:db8:9::/48\",\"next-hop\":[{\"address\":"
	    "\"fe80::1\",\"interface\":\"b\",\"weight\":3}]}]}]}}";
	struct vr_config c, g;
	struct vr_errs e;
	char *text;

	(void)state;
	vr_errs_init(&e);
	assert_int_equal(vr_load_mem(ctx, doc, &c, &e), 0);
	text = vr_guest_config(&c.routers[0]);
	assert_int_equal(vr_load_mem(ctx, text, &g, &e), 0);
	assert_string_equal(g.routers[0].routes[0].nhs[0].iface, "eth1");
	assert_int_equal(g.routers[0].routes[0].nhs[0].weight, 3);
	free(text);
	vr_config_free(&g);
	vr_config_free(&c);
	vr_errs_free(&e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_names),
	    cmocka_unit_test(test_macs),
	    cmocka_unit_test(test_gen_status),
	    cmocka_unit_test(test_guest_config_bridged),
	    cmocka_unit_test(test_guest_config_routed),
	    cmocka_unit_test(test_guest_config_iface),
	};

	return cmocka_run_group_tests(tests, vr_test_yang_setup, vr_test_yang_teardown);
}
