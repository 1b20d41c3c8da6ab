/* Control protocol codec: framing (fed in pieces, over a socketpair), the
 * requests vrd accepts and the ones it refuses (with the path and reason
 * a user sees), replies and notifications as vrctl reads them. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <libyang/libyang.h>

#include "ctl.h"
#include "load.h"
#include "yang_ctx.h"


/* A frame as it travels: 4-byte big-endian length, then the bytes. */
static size_t frame(uint8_t *out, const char *msg)
{
	size_t n = strlen(msg);

	out[0] = (uint8_t)(n >> 24);
	out[1] = (uint8_t)(n >> 16);
	out[2] = (uint8_t)(n >> 8);
	out[3] = (uint8_t)n;
	memcpy(out + 4, msg, n);
	return n + 4;
}

static void expect_frame(struct vr_frames *f, const char *want)
{
	char *msg = NULL;
	size_t len = 0;

	assert_int_equal(vr_frames_next(f, &msg, &len), 1);
	assert_int_equal(len, strlen(want));
	assert_string_equal(msg, want);
	free(msg);
}

static void test_frames_bytewise(void **state)
{
	uint8_t buf[128];
	size_t n = frame(buf, "{\"vrd:get-status\":{}}");
	struct vr_frames f;
	char *msg;
	size_t len;

	(void)state;
	vr_frames_init(&f, 1024);
	for (size_t i = 0; i + 1 < n; i++) {
		vr_frames_feed(&f, buf + i, 1);
		assert_int_equal(vr_frames_next(&f, &msg, &len), 0);
		assert_int_equal(vr_frames_pending(&f), i + 1);
	}
	vr_frames_feed(&f, buf + n - 1, 1);
	expect_frame(&f, "{\"vrd:get-status\":{}}");
	assert_int_equal(vr_frames_pending(&f), 0);
	assert_int_equal(vr_frames_next(&f, &msg, &len), 0);
	vr_frames_free(&f);
}

static void test_frames_several(void **state)
{
	uint8_t buf[256];
	size_t n = 0;
	struct vr_frames f;
	char *msg;
	size_t len;

	(void)state;
	n += frame(buf + n, "a");
	n += frame(buf + n, "second");
	n += frame(buf + n, "{}");
	vr_frames_init(&f, 1024);
	vr_frames_feed(&f, buf, n - 1); /* the last one is one byte short */
	expect_frame(&f, "a");
	expect_frame(&f, "second");
	assert_int_equal(vr_frames_next(&f, &msg, &len), 0);
	assert_int_equal(vr_frames_pending(&f), 4 + 2 - 1);
	vr_frames_feed(&f, buf + n - 1, 1);
	expect_frame(&f, "{}");
	assert_int_equal(vr_frames_pending(&f), 0);
	vr_frames_free(&f);
}

static void test_frames_bad_length(void **state)
{
	static const uint8_t zero[] = {0, 0, 0, 0, 'x'};
	uint8_t buf[64];
	struct vr_frames f;
	char *msg;
	size_t len;

	(void)state;
	vr_frames_init(&f, 8);
	vr_frames_feed(&f, zero, sizeof(zero));
	assert_int_equal(vr_frames_next(&f, &msg, &len), -EMSGSIZE);
	vr_frames_free(&f);

	/* max is allowed, max + 1 is refused as soon as the header is in */
	vr_frames_feed(&f, buf, frame(buf, "12345678"));
	expect_frame(&f, "12345678");
	frame(buf, "123456789");
	vr_frames_feed(&f, buf, 4);
	assert_int_equal(vr_frames_next(&f, &msg, &len), -EMSGSIZE);
	vr_frames_free(&f);
}

/* ---- requests ---- */

static struct lyd_node *request_ok(const char *json, const char *rpc, struct lyd_node **op)
{
	struct lyd_node *tree = NULL;
	struct vr_errs e;
	int r;

	vr_errs_init(&e);
	r = vr_ctl_parse_request(ctx, json, &tree, op, &e);
	for (size_t i = 0; i < e.n; i++)
		print_error("unexpected: %s: %s\n", e.v[i].path ? e.v[i].path : "", e.v[i].msg);
	assert_int_equal(r, 0);
	assert_int_equal(e.n, 0);
	assert_non_null(*op);
	assert_string_equal(vr_ctl_name(*op), rpc);
	vr_errs_free(&e);
	return tree;
}

static void test_request_apply(void **state)
{
	struct lyd_node *op, *t;
	const struct lyd_node *vrs, *r;

	(void)state;
	t = request_ok("{\"vrd:apply\":{\"dry-run\":true,\"virtual-routers\":{\"router\":[{\"name\":"
		       "\"red\",\"table\":100,\"route\":[{\"prefix\":\"203.0.113.0/24\",\"type\":"
		       "\"blackhole\"}]}]}}}",
		       "apply", &op);
	assert_string_equal(vr_ctl_leaf(op, "dry-run"), "true");
	vrs = vr_ctl_next(op, "virtual-routers", NULL);
	assert_non_null(vrs);
	r = vr_ctl_next(vrs, "router", NULL);
	assert_non_null(r);
	assert_string_equal(vr_ctl_leaf(r, "name"), "red");
	assert_string_equal(vr_ctl_leaf(r, "table"), "100");
	assert_null(vr_ctl_next(vrs, "router", r));
	vr_ctl_free(t);
}

static void test_request_get_state(void **state)
{
	struct lyd_node *op, *t;

	(void)state;
	t = request_ok("{\"vrd:get-state\":{}}", "get-state", &op);
	assert_null(vr_ctl_leaf(op, "router"));
	vr_ctl_free(t);
	t = request_ok(" {\"vrd:get-state\" : {\"router\":\"red\"}}\n", "get-state", &op);
	assert_string_equal(vr_ctl_leaf(op, "router"), "red");
	vr_ctl_free(t);
}

static void test_request_route_add(void **state)
{
	struct lyd_node *op, *t;
	const struct lyd_node *via;

	(void)state;
	t = request_ok("{\"vrd:route-add\":{\"router\":\"red\",\"prefix\":\"198.18.2.0/24\",\"via\":"
		       "{\"address\":\"198.18.0.2\",\"interface\":\"red0\"},\"metric\":10}}",
		       "route-add", &op);
	via = vr_ctl_next(op, "via", NULL);
	assert_non_null(via);
	assert_string_equal(vr_ctl_leaf(via, "address"), "198.18.0.2");
	assert_string_equal(vr_ctl_leaf(via, "interface"), "red0");
	assert_string_equal(vr_ctl_leaf(op, "metric"), "10");
	assert_null(vr_ctl_leaf(op, "type"));
	vr_ctl_free(t);
	t = request_ok("{\"vrd:route-add\":{\"router\":\"red\",\"prefix\":\"2001:db8::/32\","
		       "\"type\":\"blackhole\"}}",
		       "route-add", &op);
	assert_string_equal(vr_ctl_leaf(op, "type"), "blackhole");
	assert_null(vr_ctl_next(op, "via", NULL));
	vr_ctl_free(t);
}

struct bad {
	const char *json;
	const char *path; /* NULL: the error has none */
	const char *msg;  /* a substring of the first error */
};

static const struct bad bad_requests[] = {
	{"{\"vrd:apply\":", NULL, "Missing the operation node"},
	{"{\"vrd:get-state\":{\"router\":}}", "/vrd:get-state", "expected a JSON value"},
	{"", NULL, "not an RPC of module vrd"},
	{"[]", NULL, "Expected top-level JSON object"},
	{"{\"vrd:nope\":{}}", NULL, "\"vrd:nope\" is not an RPC"},
	{"{\"foo:apply\":{}}", NULL, "\"foo:apply\" is not an RPC"},
	{"{\"apply\":{}}", NULL, "\"apply\" is not an RPC"},
	{"{\"@vrd:monitor\":{}}", NULL, "\"@vrd:monitor\" is not an RPC"},
	{"{\"vrd:get-state\":{\"bogus\":1}}", "/vrd:get-state", "Node \"bogus\" not found"},
	{"{\"vrd:apply\":{\"dry-run\":\"yes\"}}", "/vrd:apply/dry-run", "boolean value \"yes\""},
	{"{\"vrd:router-del\":{}}", "/vrd:router-del/name", "Mandatory node \"name\""},
	{"{\"vrd:route-add\":{\"router\":\"red\",\"prefix\":\"10.0.0.300/8\",\"type\":\"blackhole\"}}",
	 "/vrd:route-add/prefix", "\"10.0.0.300/8\""},
	{"{\"vrd:route-add\":{\"router\":\"red\",\"prefix\":\"10.0.0.0/8\"}}", "/vrd:route-add",
	 "Mandatory choice \"action\""},
	{"{\"vrd:route-add\":{\"router\":\"red\",\"prefix\":\"10.0.0.0/8\",\"type\":\"blackhole\","
	 "\"via\":{\"address\":\"10.1.1.1\"}}}",
	 "/vrd:route-add", "both cases"},
	/* libyang 2.1 puts only the operation's path on a mandatory node
	 * missing below it */
	{"{\"vrd:route-add\":{\"router\":\"red\",\"prefix\":\"10.0.0.0/8\",\"via\":{\"interface\":"
	 "\"eth0\"}}}",
	 "/vrd:route-add", "Mandatory node \"address\""},
	{"{\"vrd:migrate\":{\"router\":\"red\",\"placement\":\"elsewhere\"}}",
	 "/vrd:migrate/placement", "enumeration value \"elsewhere\""},
	{"{\"vrd:get-state\":{\"router\":\"a/b\"}}", "/vrd:get-state/router", "Unsatisfied pattern"},
	{"{\"vrd:apply\":{\"virtual-routers\":{\"router\":[{\"name\":\"red\",\"table\":\"x\"}]}}}",
	 "/vrd:apply/virtual-routers/router[name='red']/table", "uint32 value \"x\""},
	{"{\"vrd:apply\":{\"virtual-routers\":{\"router\":[{\"name\":\"much-too-long-name\"}]}}}",
	 "/vrd:apply/virtual-routers/router/name", "length"},
	{"{\"vrd:diff\":{\"virtual-routers\":{\"router\":[{\"name\":\"red\",\"interface\":[{"
	 "\"name\":\"red0\",\"address\":[\"198.18.1.1\"]}]}]}}}",
	 "/vrd:diff/virtual-routers/router[name='red']/interface[name='red0']/address",
	 "\"198.18.1.1\""},
	{"{\"vrd:apply\":{\"virtual-routers\":{\"router\":[{\"name\":\"red\",\"route\":[{"
	 "\"prefix\":\"10.0.0.0/8\"}]}]}}}",
	 "/vrd:apply", "Mandatory choice \"action\""},
	/* the shape checks (libyang 2.1 would leak or accept these) */
	{"{\"vrd:get-status\":{},\"vrd:get-state\":{}}", NULL, "more than one member"},
	{"{\"vrd:get-state\":{\"router\":\"a\"},\"vrd:virtual-routers\":{}}", NULL,
	 "more than one member"},
	{"{\"vrd:virtual-routers\":{\"router\":[{\"name\":\"a\"}]}}", NULL,
	 "\"vrd:virtual-routers\" is not an RPC"},
	{"{\"vrd:change\":{\"router\":\"red\"}}", NULL, "\"vrd:change\" is not an RPC"},
	{"{\"vrd:get-state\":{}} {\"vrd:get-state\":{}}", NULL, "text after the message"},
	{"{\"vrd:get-state\":{\"router\":\"red\"}", NULL, "not one JSON object"},
	{"{\"vrd:get-state\":{\"router\":\"red\"} \"x\"}", NULL, "not one JSON object"},
	{"{\"vrd\\u003aapply\":{}}", NULL, "escapes in the name"},
	{"{}", NULL, "not an RPC of module vrd"},
	{"{\"vrd:monitor\":{\"error\":[{\"message\":\"x\"}]}}", "/vrd:monitor",
	 "Node \"error\" not found"},
};

static void test_request_invalid(void **state)
{
	const struct bad *b = *state;
	struct lyd_node *tree = (void *)1, *op = (void *)1;
	struct vr_errs e;

	vr_errs_init(&e);
	assert_int_equal(vr_ctl_parse_request(ctx, b->json, &tree, &op, &e), -EINVAL);
	assert_null(tree);
	assert_null(op);
	assert_true(e.n >= 1);
	if (!strstr(e.v[0].msg, b->msg) ||
	    (b->path ? !e.v[0].path || strcmp(e.v[0].path, b->path) : !!e.v[0].path))
		fail_msg("%s: got [%s] %s", b->json, e.v[0].path ? e.v[0].path : "-", e.v[0].msg);
	vr_errs_free(&e);
}

static void test_config_request(void **state)
{
	struct lyd_node *op, *t;
	struct vr_errs e;
	char *req, *cfg;
	FILE *f;
	size_t n = 0;

	(void)state;
	vr_errs_init(&e);
	req = vr_ctl_config_request(ctx, "apply", "{}", false, &e);
	assert_string_equal(req, "{\"vrd:apply\":{\"dry-run\":false,\"virtual-routers\":{}}}");
	vr_ctl_free(request_ok(req, "apply", &op));
	free(req);
	req = vr_ctl_config_request(ctx, "diff", " { } ", true, &e);
	assert_string_equal(req, "{\"vrd:diff\":{\"virtual-routers\":{}}}");
	free(req);

	f = fopen(EXAMPLES "/red.json", "r");
	assert_non_null(f);
	cfg = calloc(1, 1 << 16);
	n = fread(cfg, 1, (1 << 16) - 1, f);
	fclose(f);
	assert_true(n > 0);
	req = vr_ctl_config_request(ctx, "apply", cfg, true, &e);
	assert_non_null(req);
	assert_int_equal(e.n, 0);
	assert_non_null(strstr(req, "{\"vrd:apply\":{\"dry-run\":true,\"virtual-routers\":{\"router\""));
	t = request_ok(req, "apply", &op);
	assert_string_equal(vr_ctl_leaf(op, "dry-run"), "true");
	assert_string_equal(
		vr_ctl_leaf(vr_ctl_next(vr_ctl_next(op, "virtual-routers", NULL), "router", NULL),
			    "name"),
		"red");
	vr_ctl_free(t);
	free(req);
	free(cfg);

	/* refused like vrctl validate: libyang's reasons, then the checks' */
	assert_null(vr_ctl_config_request(
		ctx, "apply", "{\"vrd:virtual-routers\":{\"router\":[{\"name\":\"red\",\"tabel\":1}]}}",
		false, &e));
	assert_true(e.n >= 1);
	assert_string_equal(e.v[0].path, "/vrd:virtual-routers/router[name='red']");
	vr_errs_clear(&e);
	assert_null(vr_ctl_config_request(ctx, "diff",
					  "{\"vrd:virtual-routers\":{\"router\":[{\"name\":\"red\","
					  "\"table\":100},{\"name\":\"blue\",\"table\":100}]}}",
					  false, &e));
	assert_true(e.n >= 1);
	assert_non_null(strstr(e.v[0].msg, "100"));
	vr_errs_clear(&e);
	assert_null(vr_ctl_config_request(ctx, "apply", "not json", false, &e));
	assert_true(e.n >= 1);
	vr_errs_free(&e);
}

static void test_request_set(void **state)
{
	struct lyd_node *req = vr_ctl_request_new(ctx, "route-add");
	struct lyd_node *tree, *op;
	struct vr_errs e;
	char *s;

	(void)state;
	vr_errs_init(&e);
	assert_non_null(req);
	assert_int_equal(vr_ctl_set(req, "router", "red", &e), 0);
	assert_int_equal(vr_ctl_set(req, "prefix", "10.0.0.0/8", &e), 0);
	assert_int_equal(vr_ctl_set(req, "via/address", "10.1.1.1", &e), 0);
	assert_int_equal(vr_ctl_set(req, "metric", "ten", &e), -EINVAL);
	assert_int_equal(e.n, 1);
	assert_non_null(strstr(e.v[0].msg, "ten"));
	s = vr_ctl_print(req);
	assert_string_equal(s, "{\"vrd:route-add\":{\"router\":\"red\",\"prefix\":\"10.0.0.0/8\","
			       "\"via\":{\"address\":\"10.1.1.1\"}}}");
	vr_errs_clear(&e);
	assert_int_equal(vr_ctl_parse_request(ctx, s, &tree, &op, &e), 0);
	vr_ctl_free(tree);
	free(s);
	vr_ctl_free(req);
	vr_errs_free(&e);
}

/* ---- replies and notifications ---- */

static struct lyd_node *reply_parse(const char *rpc, const char *json, int want,
				    struct lyd_node **node, struct vr_errs *e)
{
	struct lyd_node *tree = NULL;

	assert_int_equal(vr_ctl_parse_reply(ctx, rpc, json, &tree, node, e), want);
	if (want < 0) {
		assert_null(tree);
		assert_null(*node);
	}
	return tree;
}

static void test_reply_summary(void **state)
{
	struct lyd_node *reply = vr_ctl_reply_new(ctx, "apply"), *node, *tree;
	const struct lyd_node *op;
	struct vr_errs e;
	char *s;

	(void)state;
	vr_errs_init(&e);
	assert_int_equal(lyd_new_path(reply, NULL, "added", "3", LYD_NEW_PATH_OUTPUT, NULL), 0);
	assert_int_equal(lyd_new_path(reply, NULL, "deleted", "0", LYD_NEW_PATH_OUTPUT, NULL), 0);
	assert_int_equal(lyd_new_path(reply, NULL, "operation", "add link red", LYD_NEW_PATH_OUTPUT,
				      NULL),
			 0);
	/* a string that names a notification is still a reply */
	assert_int_equal(lyd_new_path(reply, NULL, "operation", "vrd:change", LYD_NEW_PATH_OUTPUT,
				      NULL),
			 0);
	s = vr_ctl_print(reply);
	vr_ctl_free(reply);
	tree = reply_parse("apply", s, 0, &node, &e);
	assert_string_equal(vr_ctl_name(node), "apply");
	assert_string_equal(vr_ctl_leaf(node, "added"), "3");
	assert_string_equal(vr_ctl_leaf(node, "deleted"), "0");
	assert_null(vr_ctl_leaf(node, "changed"));
	op = vr_ctl_next(node, "operation", NULL);
	assert_string_equal(vr_ctl_value(op), "add link red");
	op = vr_ctl_next(node, "operation", op);
	assert_string_equal(vr_ctl_value(op), "vrd:change");
	assert_null(vr_ctl_next(node, "operation", op));
	assert_int_equal(vr_ctl_reply_get_errors(node, &e), 0);
	vr_ctl_free(tree);

	/* the same text as the answer to another RPC is refused */
	tree = reply_parse("diff", s, -EINVAL, &node, &e);
	assert_int_equal(e.n, 1);
	assert_string_equal(e.v[0].msg, "the daemon answered apply to diff");
	vr_errs_free(&e);
	free(s);
}

static void test_reply_errors(void **state)
{
	struct lyd_node *reply = vr_ctl_reply_new(ctx, "route-add"), *node, *tree;
	struct vr_errs in, out;
	char *s;

	(void)state;
	vr_errs_init(&in);
	vr_errs_init(&out);
	vr_errs_add(&in, -ENOENT, "/vrd:route-add/router", "no router \"red\"");
	vr_errs_add(&in, -ENETUNREACH, NULL, "Nexthop has invalid gateway");
	vr_ctl_reply_errors(reply, &in);
	s = vr_ctl_print(reply);
	vr_ctl_free(reply);
	tree = reply_parse("route-add", s, 0, &node, &out);
	assert_int_equal(vr_ctl_reply_get_errors(node, &out), 2);
	assert_int_equal(out.n, 2);
	assert_string_equal(out.v[0].path, "/vrd:route-add/router");
	assert_string_equal(out.v[0].msg, "no router \"red\"");
	assert_null(out.v[1].path);
	assert_string_equal(out.v[1].msg, "Nexthop has invalid gateway");
	vr_ctl_free(tree);
	free(s);
	vr_errs_free(&in);
	vr_errs_free(&out);
}

static void test_reply_state(void **state)
{
	struct lyd_node *reply = vr_ctl_reply_new(ctx, "get-state"), *node, *tree;
	const struct lyd_node *r, *i, *a;
	struct vr_errs e;
	char *s;

	(void)state;
	vr_errs_init(&e);
#define P(path, v) assert_int_equal(lyd_new_path(reply, NULL, path, v, LYD_NEW_PATH_OUTPUT, NULL), 0)
	P("router[name='red']/table", "254");
	P("router[name='red']/backend", "netns");
	P("router[name='red']/interface[name='red-h1']/oper-status", "up");
	P("router[name='red']/interface[name='red-h1']/address", "198.18.1.1/24");
	P("router[name='red']/interface[name='red-h1']/address", "2001:db8:1::1/64");
	P("router[name='red']/route[prefix='198.18.2.0/24']/via", "198.18.0.2");
	P("router[name='blue']/placement", "domU");
#undef P
	s = vr_ctl_print(reply);
	vr_ctl_free(reply);
	tree = reply_parse("get-state", s, 0, &node, &e);
	r = vr_ctl_next(node, "router", NULL);
	assert_string_equal(vr_ctl_leaf(r, "name"), "red");
	assert_string_equal(vr_ctl_leaf(r, "table"), "254");
	i = vr_ctl_next(r, "interface", NULL);
	assert_string_equal(vr_ctl_leaf(i, "oper-status"), "up");
	a = vr_ctl_next(i, "address", NULL);
	assert_string_equal(vr_ctl_value(a), "198.18.1.1/24");
	a = vr_ctl_next(i, "address", a);
	assert_string_equal(vr_ctl_value(a), "2001:db8:1::1/64");
	assert_string_equal(vr_ctl_leaf(vr_ctl_next(r, "route", NULL), "via"), "198.18.0.2");
	r = vr_ctl_next(node, "router", r);
	assert_string_equal(vr_ctl_leaf(r, "placement"), "domU");
	assert_null(vr_ctl_next(node, "router", r));
	vr_ctl_free(tree);
	free(s);
	vr_errs_free(&e);
}

static void test_reply_invalid(void **state)
{
	static const char *const bad[] = {
		"",
		"{\"vrd:apply\":",
		"{\"vrd:apply\":{\"bogus\":1}}",
		"{\"vrd:apply\":{\"added\":\"many\"}}",
		"{\"vrd:virtual-routers\":{}}",
		"{\"vrd:change\":{\"nope\":1}}",
		"{\"vrd:apply\":{\"added\":1},\"vrd:apply\":{}}",
		"{\"vrd:apply\":{}} trailing",
		"{\"@vrd:get-status\":{\"uptime\":\"5\"}}",
		"{\"vrd:protocol-error\":{\"message\":\"m\"}",
		"{\"vrd:change\":{},\"vrd:change\":{}}",
		"{\"vrd:get-state\":{\"router\":[{\"name\":\"red\"}]},\"vrd:virtual-routers\":{}}",
	};
	struct lyd_node *node, *tree;
	struct vr_errs e;

	(void)state;
	vr_errs_init(&e);
	for (size_t k = 0; k < sizeof(bad) / sizeof(bad[0]); k++) {
		tree = reply_parse("apply", bad[k], -EINVAL, &node, &e);
		if (e.n < 1)
			fail_msg("%s: no error", bad[k]);
		vr_errs_clear(&e);
	}
	/* monitor's reply is empty */
	tree = reply_parse("monitor", "{\"vrd:monitor\":{}}", 0, &node, &e);
	assert_null(vr_ctl_next(node, "error", NULL));
	vr_ctl_free(tree);
	vr_errs_free(&e);
}

static void test_notifications(void **state)
{
	struct lyd_node *node, *tree;
	struct vr_errs e;
	char *s;

	(void)state;
	vr_errs_init(&e);
	s = vr_ctl_protocol_error(ctx, "request too large");
	tree = reply_parse("apply", s, 1, &node, &e);
	assert_string_equal(vr_ctl_name(node), "protocol-error");
	assert_string_equal(vr_ctl_leaf(node, "message"), "request too large");
	vr_ctl_free(tree);
	free(s);
	s = vr_ctl_change(ctx, "red", "add route 198.18.2.0/24 table 254");
	assert_string_equal(s, "{\"vrd:change\":{\"router\":\"red\",\"event\":"
			       "\"add route 198.18.2.0/24 table 254\"}}");
	tree = reply_parse("monitor", s, 1, &node, &e);
	assert_string_equal(vr_ctl_name(node), "change");
	assert_string_equal(vr_ctl_leaf(node, "router"), "red");
	assert_string_equal(vr_ctl_leaf(node, "event"), "add route 198.18.2.0/24 table 254");
	vr_ctl_free(tree);
	free(s);
	tree = reply_parse("monitor", " {\n \"vrd:change\" : {\"event\":\"resync\"}}", 1, &node, &e);
	assert_null(vr_ctl_leaf(node, "router"));
	vr_ctl_free(tree);
	assert_int_equal(e.n, 0);
	vr_errs_free(&e);
}

/* ---- blocking send/receive ---- */

static long long ms_since(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (t.tv_sec - t0->tv_sec) * 1000LL + (t.tv_nsec - t0->tv_nsec) / 1000000;
}

static void test_socket(void **state)
{
	struct vr_frames f;
	struct timespec t0;
	char *msg = NULL;
	size_t len;
	int sv[2];

	(void)state;
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	vr_frames_init(&f, 1024);
	assert_int_equal(vr_frame_send(sv[0], "one", 3), 0);
	assert_int_equal(vr_frame_send(sv[0], "two", 3), 0);
	assert_int_equal(vr_frame_recv(sv[1], &f, &msg, &len, 1000), 0);
	assert_string_equal(msg, "one");
	free(msg);
	assert_int_equal(vr_frame_recv(sv[1], &f, &msg, &len, 1000), 0);
	assert_string_equal(msg, "two");
	free(msg);
	assert_int_equal(vr_frame_send(sv[0], "", 0), -EMSGSIZE);

	/* nothing, then half a frame: a timeout either way */
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(vr_frame_recv(sv[1], &f, &msg, &len, 100), -ETIMEDOUT);
	assert_true(ms_since(&t0) >= 100);
	assert_int_equal(write(sv[0], "\0\0\0\5ab", 6), 6);
	assert_int_equal(vr_frame_recv(sv[1], &f, &msg, &len, 50), -ETIMEDOUT);
	assert_int_equal(vr_frames_pending(&f), 6);

	/* the rest arrives, then the peer goes away */
	assert_int_equal(write(sv[0], "cde", 3), 3);
	close(sv[0]);
	assert_int_equal(vr_frame_recv(sv[1], &f, &msg, &len, -1), 0);
	assert_string_equal(msg, "abcde");
	free(msg);
	assert_int_equal(vr_frame_recv(sv[1], &f, &msg, &len, 1000), -ECONNRESET);
	/* sending to a closed peer is an error, not SIGPIPE */
	assert_int_equal(vr_frame_send(sv[1], "x", 1), -EPIPE);
	close(sv[1]);
	vr_frames_free(&f);
}

static void test_socket_large(void **state)
{
	size_t big = 3u << 20;
	char *out = malloc(big + 1), *msg = NULL;
	struct vr_frames f;
	size_t len = 0;
	int sv[2], st;
	pid_t pid;

	(void)state;
	for (size_t i = 0; i < big; i++)
		out[i] = (char)('a' + i % 26);
	out[big] = 0;
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	/* larger than the socket buffer: the writer must block meanwhile */
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(sv[1]);
		_exit(vr_frame_send(sv[0], out, big) ? 1 : 0);
	}
	close(sv[0]);
	vr_frames_init(&f, big);
	assert_int_equal(vr_frame_recv(sv[1], &f, &msg, &len, 10000), 0);
	assert_int_equal(len, big);
	assert_memory_equal(msg, out, big);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	free(msg);
	vr_frames_free(&f);

	assert_int_equal(vr_frame_send(sv[1], "x", 1), -EPIPE);
	close(sv[1]);

	/* a reader whose limit is one byte lower refuses it from its header */
	vr_frames_init(&f, big - 1);
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	assert_int_equal(write(sv[0], "\0\x30\0\0", 4), 4);
	assert_int_equal(vr_frame_recv(sv[1], &f, &msg, &len, 1000), -EMSGSIZE);
	close(sv[0]);
	close(sv[1]);
	vr_frames_free(&f);
	free(out);
}

int main(void)
{
	struct CMUnitTest t[64];
	size_t n = 0;

	t[n++] = (struct CMUnitTest)cmocka_unit_test(test_frames_bytewise);
	t[n++] = (struct CMUnitTest)cmocka_unit_test(test_frames_several);
	t[n++] = (struct CMUnitTest)cmocka_unit_test(test_frames_bad_length);
	t[n++] = (struct CMUnitTest)cmocka_unit_test(test_request_apply);
	t[n++] = (struct CMUnitTest)cmocka_unit_test(test_request_get_state);
	t[n++] = (struct CMUnitTest)cmocka_unit_test(test_request_route_add);
	for (size_t i = 0; i < sizeof(bad_requests) / sizeof(bad_requests[0]); i++) {
		struct CMUnitTest u = {bad_requests[i].json, test_request_invalid, NULL, NULL,
				       (void *)&bad_requests[i]};
		t[n++] = u;
	}
	t[n++] = (struct CMUnitTest)cmocka_unit_test(test_config_request);
	t[n++] = (struct CMUnitTest)cmocka_unit_test(test_request_set);
	t[n++] = (struct CMUnitTest)cmocka_unit_test(test_reply_summary);
	t[n++] = (struct CMUnitTest)cmocka_unit_test(test_reply_errors);
	t[n++] = (struct CMUnitTest)cmocka_unit_test(test_reply_state);
	t[n++] = (struct CMUnitTest)cmocka_unit_test(test_reply_invalid);
	t[n++] = (struct CMUnitTest)cmocka_unit_test(test_notifications);
	t[n++] = (struct CMUnitTest)cmocka_unit_test(test_socket);
	t[n++] = (struct CMUnitTest)cmocka_unit_test(test_socket_large);
	return _cmocka_run_group_tests("ctl", t, n, vr_test_yang_setup, vr_test_yang_teardown);
}
