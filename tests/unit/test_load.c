/* Loader and semantic checks: every valid fixture loads into the structs
 * we expect; every invalid one is refused with its data path and reason. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <linux/if_link.h>

#include "load.h"
#include "yang_ctx.h"


static void load_ok(const char *name, struct vr_config *c)
{
	char path[512];
	struct vr_errs e;
	int r;

	snprintf(path, sizeof(path), "%s/valid/%s", FIXTURES, name);
	vr_errs_init(&e);
	r = vr_load_file(ctx, path, c, &e);
	for (size_t i = 0; i < e.n; i++)
		print_error("unexpected: %s: %s\n", e.v[i].path ? e.v[i].path : "", e.v[i].msg);
	assert_int_equal(r, 0);
	assert_int_equal(e.n, 0);
	vr_errs_free(&e);
}

static const char *ipstr(const struct vr_ip *ip)
{
	static char buf[VR_ADDR_STRLEN];
	return vr_ip_str(ip, true, buf, sizeof(buf));
}

static void test_basic(void **state)
{
	struct vr_config c;
	const struct vr_router *r;

	(void)state;
	load_ok("basic.json", &c);
	assert_int_equal(c.n_routers, 1);
	r = &c.routers[0];
	assert_string_equal(r->name, "red");
	assert_true(r->has_table);
	assert_int_equal(r->table, 100);
	assert_int_equal(r->placement, VR_PLACE_NATIVE);
	assert_int_equal(r->backend, VR_BACKEND_AUTO);
	assert_int_equal(r->drift, VR_DRIFT_ENFORCE);
	assert_true(r->forwarding);
	assert_false(r->has_domu);
	assert_int_equal(r->n_ifaces, 2);
	assert_int_equal(r->ifaces[0].kind, VR_IF_PORT);
	assert_true(r->ifaces[0].enabled);
	assert_int_equal(r->ifaces[1].n_addrs, 2);
	assert_string_equal(ipstr(&r->ifaces[1].addrs[1]), "2001:db8:2::1/64");
	assert_int_equal(r->n_routes, 3);
	assert_string_equal(ipstr(&r->routes[0].prefix), "198.19.0.0/16");
	assert_int_equal(r->routes[0].type, VR_RT_UNICAST);
	assert_int_equal(r->routes[0].n_nhs, 1);
	assert_int_equal(r->routes[0].nhs[0].weight, 1);
	assert_int_equal(r->routes[2].type, VR_RT_BLACKHOLE);
	assert_int_equal(r->routes[2].n_nhs, 0);
	vr_config_free(&c);
}

static void test_kinds(void **state)
{
	struct vr_config c;
	const struct vr_router *r, *b;
	const struct vr_iface *i;

	(void)state;
	load_ok("kinds.json", &c);
	r = vr_config_router(&c, "red");
	b = vr_config_router(&c, "blue");
	assert_non_null(r);
	assert_non_null(b);
	assert_false(r->has_table);
	assert_int_equal(r->backend, VR_BACKEND_NETNS);
	assert_int_equal(r->drift, VR_DRIFT_REPORT);
	assert_false(b->forwarding);
	assert_int_equal(b->table, 1000);
	assert_int_equal(vr_router_iface(r, "red0")->mtu, 9000);
	i = vr_router_iface(r, "rv0");
	assert_int_equal(i->kind, VR_IF_VETH);
	assert_string_equal(i->u.veth.peer, "hv0");
	assert_int_equal(i->u.veth.where, VR_PEER_HOST);
	i = vr_router_iface(r, "rv1");
	assert_int_equal(i->u.veth.where, VR_PEER_ROUTER);
	assert_string_equal(i->u.veth.where_name, "blue");
	i = vr_router_iface(r, "rv2");
	assert_int_equal(i->u.veth.where, VR_PEER_BRIDGE);
	assert_string_equal(i->u.veth.where_name, "br-lab");
	assert_false(i->enabled);
	i = vr_router_iface(r, "rbr");
	assert_int_equal(i->kind, VR_IF_BRIDGE);
	assert_int_equal(i->u.bridge.n_members, 2);
	assert_string_equal(i->u.bridge.members[1], "red6");
	i = vr_router_iface(r, "rmv");
	assert_int_equal(i->kind, VR_IF_MACVLAN);
	assert_string_equal(i->u.macvlan.parent, "eth9");
	assert_int_equal(i->u.macvlan.mode, VR_MACVLAN_PRIVATE);
	i = vr_router_iface(r, "rvx");
	assert_int_equal(i->kind, VR_IF_VXLAN);
	assert_int_equal(i->u.vxlan.vni, 16777215);
	assert_int_equal(i->u.vxlan.port, 8472);
	assert_string_equal(ipstr(&i->u.vxlan.remote), "198.18.9.2/32");
	assert_string_equal(i->u.vxlan.device, "red0");
	vr_config_free(&c);
}

static void test_routes(void **state)
{
	struct vr_config c;
	const struct vr_router *r;
	const struct vr_static_route *rt;

	(void)state;
	load_ok("routes.json", &c);
	r = vr_config_router(&c, "red");
	assert_int_equal(r->n_routes, 6);
	rt = &r->routes[0];
	assert_true(rt->has_metric);
	assert_int_equal(rt->metric, 20);
	assert_int_equal(rt->n_nhs, 2);
	assert_int_equal(rt->nhs[0].weight, 3);
	assert_string_equal(rt->nhs[1].iface, "red1");
	rt = &r->routes[1];
	assert_string_equal(rt->nhs[0].router, "blue");
	assert_string_equal(rt->nhs[0].iface, "blue0");
	rt = &r->routes[2];
	assert_int_equal(rt->prefix.family, AF_INET6);
	assert_int_equal(rt->prefix.plen, 48);
	assert_int_equal(r->routes[3].type, VR_RT_UNREACHABLE);
	assert_int_equal(r->routes[3].prefix.plen, 0);
	assert_int_equal(r->routes[4].type, VR_RT_PROHIBIT);
	assert_int_equal(r->routes[5].type, VR_RT_BLACKHOLE);
	vr_config_free(&c);
}

static void test_domu(void **state)
{
	struct vr_config c;
	const struct vr_router *r;

	(void)state;
	load_ok("domu.json", &c);
	r = vr_config_router(&c, "green");
	assert_int_equal(r->placement, VR_PLACE_DOMU);
	assert_true(r->has_domu);
	assert_int_equal(r->domu.hypervisor, VR_HV_LAB);
	assert_int_equal(r->domu.vif_mode, VR_VIF_ROUTED);
	assert_int_equal(r->domu.memory_mib, 128);
	assert_int_equal(r->domu.vcpus, 2);
	assert_string_equal(r->domu.kernel, "/boot/vmlinuz");
	assert_string_equal(r->domu.ramdisk, "/boot/initrd.img");
	assert_string_equal(r->domu.extra, "console=hvc0");
	assert_string_equal(vr_router_iface(r, "eth1")->upstream, "up1");
	r = vr_config_router(&c, "dz");
	assert_int_equal(r->placement, VR_PLACE_DOM0);
	vr_config_free(&c);
}

/* Guest settings are kept with any placement: they say where the router
 * goes when it is migrated to domU. */
static void test_domu_kept(void **state)
{
	struct vr_config c;
	const struct vr_router *r;

	(void)state;
	load_ok("domu-on-native.json", &c);
	r = vr_config_router(&c, "red");
	assert_int_equal(r->placement, VR_PLACE_NATIVE);
	assert_true(r->has_domu);
	assert_int_equal(r->domu.vif_mode, VR_VIF_ROUTED);
	vr_config_free(&c);
	load_ok("upstream-on-dom0.json", &c);
	assert_string_equal(vr_router_iface(vr_config_router(&c, "red"), "red0")->upstream, "eth0");
	vr_config_free(&c);
}

static void test_empty(void **state)
{
	struct vr_config c;

	(void)state;
	load_ok("empty.json", &c);
	assert_int_equal(c.n_routers, 0);
	vr_config_free(&c);
}

static void test_examples(void **state)
{
	static const char *const ex[] = {"red.json", "demo.json"};
	struct vr_config c;
	struct vr_errs e;
	char path[512];

	(void)state;
	for (size_t i = 0; i < sizeof(ex) / sizeof(ex[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", EXAMPLES, ex[i]);
		vr_errs_init(&e);
		assert_int_equal(vr_load_file(ctx, path, &c, &e), 0);
		vr_config_free(&c);
		vr_errs_free(&e);
	}
}

/* Each invalid fixture: the one error we expect, by data path and by a
 * piece of its reason. */
struct bad_case {
	const char *file, *path, *reason;
};

static const struct bad_case bad_cases[] = {
	{"malformed.json", "/vrd:virtual-routers/router[name='red']", "(line 4)"},
	{"unknown-node.json", "/vrd:virtual-routers/router[name='red']", "\"colour\" not found"},
	{"wrong-type.json", "/vrd:virtual-routers/router[name='red']/table", "uint32 value \"hundred\""},
	{"bad-pattern.json", "/vrd:virtual-routers/router[name='red']/interface[name='red0']/address",
	 "\"198.18.1.300/24\""},
	{"bad-ipv6.json",
	 "/vrd:virtual-routers/router[name='red']/interface[name='red0']/address[.='2001:db8:::1/64']",
	 "not an address with a prefix length"},
	{"missing-key.json", "/vrd:virtual-routers/router", "missing its key \"name\""},
	{"dup-table.json", "/vrd:virtual-routers/router[name='blue']/table",
	 "table 100 is already used by router red"},
	{"name-too-long.json", "/vrd:virtual-routers/router/name", "\"a-very-long-router\" length"},
	{"family-mismatch.json",
	 "/vrd:virtual-routers/router[name='red']/route[prefix='198.19.0.0/16']/"
	 "next-hop[address='2001:db8::2']",
	 "the families must match"},
	{"unknown-leak.json",
	 "/vrd:virtual-routers/router[name='red']/route[prefix='198.19.0.0/16']/"
	 "next-hop[address='198.18.2.2']/router",
	 "unknown router blue"},
	{"leak-self.json",
	 "/vrd:virtual-routers/router[name='red']/route[prefix='198.19.0.0/16']/"
	 "next-hop[address='198.18.2.2']/router",
	 "another router than red"},
	{"domu-veth.json", "/vrd:virtual-routers/router[name='red']/interface[name='red0']",
	 "declared as plain ports"},
	{"domu-leak.json",
	 "/vrd:virtual-routers/router[name='blue']/route[prefix='198.19.0.0/16']/"
	 "next-hop[address='198.18.1.2']/router",
	 "no route leaking between blue and red"},
	{"upstream-taken.json",
	 "/vrd:virtual-routers/router[name='red']/interface[name='red0']/upstream",
	 "is an interface of router blue"},
	{"reserved-table.json", "/vrd:virtual-routers/router[name='red']/table", "254 is reserved"},
	{"host-bits.json", "/vrd:virtual-routers/router[name='red']/route[prefix='198.19.0.1/16']/prefix",
	 "host bits are set"},
	{"vni-range.json", "/vrd:virtual-routers/router[name='red']/interface[name='vx0']/vxlan/vni",
	 "out of range"},
	{"iface-two-routers.json", "/vrd:virtual-routers/router[name='blue']/interface[name='eth1']",
	 "already in router red"},
	{"no-action.json", "/vrd:virtual-routers/router/route/action", "Mandatory choice"},
};

static void test_invalid(void **state)
{
	const struct bad_case *bc = *state;
	struct vr_config c;
	struct vr_errs e;
	char path[512];

	snprintf(path, sizeof(path), "%s/invalid/%s", FIXTURES, bc->file);
	vr_errs_init(&e);
	assert_int_equal(vr_load_file(ctx, path, &c, &e), -EINVAL);
	for (size_t i = 0; i < e.n; i++)
		print_message("%s: %s: %s\n", bc->file, e.v[i].path ? e.v[i].path : "(none)",
			      e.v[i].msg);
	assert_int_equal(e.n, 1);
	assert_non_null(e.v[0].path);
	assert_string_equal(e.v[0].path, bc->path);
	assert_non_null(strstr(e.v[0].msg, bc->reason));
	assert_null(strchr(e.v[0].msg, '\n'));
	vr_errs_free(&e);
}

/* A truncated (empty) file must not read as "no routers". */
static void test_blank(void **state)
{
	struct vr_config c;
	struct vr_errs e;

	(void)state;
	vr_errs_init(&e);
	assert_int_equal(vr_load_mem(ctx, " \n\t", &c, &e), -EINVAL);
	assert_int_equal(e.n, 1);
	assert_non_null(strstr(e.v[0].msg, "empty document"));
	vr_errs_free(&e);
}

static void test_unreadable(void **state)
{
	struct vr_config c;
	struct vr_errs e;

	(void)state;
	vr_errs_init(&e);
	assert_int_equal(vr_load_file(ctx, "/nonexistent/vrd.json", &c, &e), -ENOENT);
	assert_int_equal(e.n, 1);
	assert_string_equal(e.v[0].path, "/nonexistent/vrd.json");
	assert_non_null(strstr(e.v[0].msg, "No such file"));
	vr_errs_free(&e);
}

/* Several semantic problems in one document are all reported. */
static void test_all_reported(void **state)
{
	static const char doc[] =
		"{\"vrd:virtual-routers\":{\"router\":["
		"{\"name\":\"a\",\"table\":255,\"route\":[{\"prefix\":\"198.19.0.0/16\","
		"\"next-hop\":[{\"address\":\"2001:db8::1\"}]}]},"
		"{\"name\":\"b\",\"placement\":\"domU\",\"interface\":[{\"name\":\"x\","
		"\"veth\":{\"peer\":\"y\"}}]}]}}";
	struct vr_config c;
	struct vr_errs e;

	(void)state;
	vr_errs_init(&e);
	assert_int_equal(vr_load_mem(ctx, doc, &c, &e), -EINVAL);
	assert_int_equal(e.n, 3);
	vr_errs_free(&e);
}

int main(void)
{
	struct CMUnitTest t[64];
	size_t n = 0;

	t[n++] = (struct CMUnitTest)cmocka_unit_test(test_basic);
	t[n++] = (struct CMUnitTest)cmocka_unit_test(test_kinds);
	t[n++] = (struct CMUnitTest)cmocka_unit_test(test_routes);
	t[n++] = (struct CMUnitTest)cmocka_unit_test(test_domu);
	t[n++] = (struct CMUnitTest)cmocka_unit_test(test_domu_kept);
	t[n++] = (struct CMUnitTest)cmocka_unit_test(test_empty);
	t[n++] = (struct CMUnitTest)cmocka_unit_test(test_examples);
	t[n++] = (struct CMUnitTest)cmocka_unit_test(test_unreadable);
	t[n++] = (struct CMUnitTest)cmocka_unit_test(test_blank);
	t[n++] = (struct CMUnitTest)cmocka_unit_test(test_all_reported);
	for (size_t i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		struct CMUnitTest u = {bad_cases[i].file, test_invalid, NULL, NULL,
				       (void *)&bad_cases[i]};
		t[n++] = u;
	}
	return _cmocka_run_group_tests("load", t, n, vr_test_yang_setup, vr_test_yang_teardown);
}
