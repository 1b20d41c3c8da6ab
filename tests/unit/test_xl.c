/* The xl driver (dom0) and the xenstore channel (guest), against the fake
 * xl and xenstore-* of tests/unit/fake-xen/ first in PATH: the generated
 * xl.cfg, the exact sequence of tool calls, the xenstore nodes and their
 * permissions, errors that name the guest and quote the tool, and the
 * guest reading back what dom0 pushed.  The fakes keep their state (and a
 * log of every call) in a per-test temporary directory.
 *
 * No kernel: the vifs "exist" when the fake xl created links/<name>, seen
 * through the wrapped if_nametoindex() below.  Also vrd's vif hotplug
 * script (packaging/xen/vif-vrd) and the tool runner itself. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <net/if.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "place/chan.h"
#include "place/hv.h"
#include "place/tool.h"
#include "statedir.h"

#ifndef FAKE_XEN
#error FAKE_XEN: the directory of the fake tools
#endif
#ifndef VIF_VRD
#error VIF_VRD: packaging/xen/vif-vrd
#endif

static char dir[64];    /* the test's temporary directory = FAKE_XEN_DIR */
static char state[128]; /* the driver's state directory */
static char *saved_path;
static struct vr_chan *chan; /* a test's open channel: freed by teardown if the test failed */

/* ---- if_nametoindex: links the fake xl made ---- */

static int absent_polls; /* answer "no such device" this many times first */
static int name_calls;

unsigned int __wrap_if_nametoindex(const char *name);
unsigned int __wrap_if_nametoindex(const char *name)
{
	char p[PATH_MAX];

	name_calls++;
	if (absent_polls > 0) {
		absent_polls--;
		errno = ENODEV;
		return 0;
	}
	snprintf(p, sizeof(p), "%s/links/%s", dir, name);
	if (access(p, F_OK) == 0)
		return 7;
	errno = ENODEV;
	return 0;
}

/* ---- the fixture ---- */

static void rm_tree(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *de;

	if (!d) {
		unlink(path);
		return;
	}
	while ((de = readdir(d))) {
		char sub[PATH_MAX];
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		snprintf(sub, sizeof(sub), "%s/%s", path, de->d_name);
		rm_tree(sub);
	}
	closedir(d);
	rmdir(path);
}

static void set_path(const char *first)
{
	char *p;

	if (asprintf(&p, "%s:%s", first, saved_path) < 0)
		abort();
	setenv("PATH", p, 1);
	free(p);
}

static int setup(void **st)
{
	(void)st;
	snprintf(dir, sizeof(dir), "/tmp/vrd-xl-XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	snprintf(state, sizeof(state), "%s/state", dir);
	if (!saved_path)
		saved_path = strdup(getenv("PATH") ? getenv("PATH") : "/usr/bin:/bin");
	set_path(FAKE_XEN);
	setenv("FAKE_XEN_DIR", dir, 1);
	unsetenv("FAKE_XS_DOMID");
	absent_polls = 0;
	name_calls = 0;
	return 0;
}

static int teardown(void **st)
{
	(void)st;
	vr_chan_free(chan);
	chan = NULL;
	rm_tree(dir);
	setenv("PATH", saved_path, 1);
	return 0;
}

static char *slurp(const char *path)
{
	char *s = NULL;

	if (vr_file_read(path, &s, NULL) < 0)
		return NULL;
	return s;
}

/* The calls the fakes logged since the last call of this. */
static char *calls(void)
{
	char p[PATH_MAX], *s;

	snprintf(p, sizeof(p), "%s/calls", dir);
	s = slurp(p);
	unlink(p);
	return s ? s : strdup("");
}

static void flag(const char *name, const char *text)
{
	char p[PATH_MAX];

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	if (text) {
		char d[PATH_MAX];
		snprintf(d, sizeof(d), "%s/fail", dir);
		mkdir(d, 0755);
		assert_int_equal(vr_file_write_atomic(p, text, strlen(text)), 0);
	} else {
		unlink(p);
	}
}

/* A xenstore node's value (NULL when absent) and permissions. */
static char *xs_value(const char *path)
{
	char p[PATH_MAX];

	snprintf(p, sizeof(p), "%s/store%s/.value", dir, path);
	return slurp(p);
}

static char *xs_perms(const char *path)
{
	char p[PATH_MAX], *s;

	snprintf(p, sizeof(p), "%s/store%s/.perms", dir, path);
	s = slurp(p);
	if (s && *s && s[strlen(s) - 1] == '\n')
		s[strlen(s) - 1] = 0;
	return s;
}

static void xs_set(const char *path, const char *value)
{
	char p[PATH_MAX];

	snprintf(p, sizeof(p), "%s/store%s/.value", dir, path);
	assert_int_equal(vr_file_write_atomic(p, value, strlen(value)), 0);
}

#define assert_calls(expect)                                                                       \
	do {                                                                                       \
		char *c_ = calls();                                                                \
		assert_string_equal(c_, (expect));                                                 \
		free(c_);                                                                          \
	} while (0)

#define assert_xs(path, expect)                                                                    \
	do {                                                                                       \
		char *v_ = xs_value(path);                                                         \
		assert_non_null(v_);                                                               \
		assert_string_equal(v_, (expect));                                                 \
		free(v_);                                                                          \
	} while (0)

#define assert_perms(path, expect)                                                                 \
	do {                                                                                       \
		char *v_ = xs_perms(path);                                                         \
		assert_non_null(v_);                                                               \
		assert_string_equal(v_, (expect));                                                 \
		free(v_);                                                                          \
	} while (0)

static void assert_no_node(const char *path)
{
	char *v = xs_value(path);

	if (v)
		fail_msg("xenstore node %s exists (\"%s\")", path, v);
}

/* The one error in e, as vrctl would print it; e is cleared. */
static char *err_text(struct vr_errs *e)
{
	char *s;

	assert_int_equal(e->n, 1);
	s = vr_err_str(&e->v[0]);
	vr_errs_clear(e);
	return s;
}

#define assert_err(e, expect)                                                                      \
	do {                                                                                       \
		char *s_ = err_text(e);                                                            \
		assert_string_equal(s_, (expect));                                                 \
		free(s_);                                                                          \
	} while (0)

static struct vr_domu domu = {
    .hypervisor = VR_HV_XL,
    .vif_mode = VR_VIF_BRIDGED,
    .memory_mib = 256,
    .vcpus = 2,
    .kernel = "/boot/vmlinuz-6.1.0-vrd",
    .ramdisk = "/boot/initrd-vrd.img",
    .extra = "console=hvc0 vrd.note=\"a b\" path=C:\\x",
};

static void spec_of(struct vr_guest_spec *s, const char *router, size_t n_vifs)
{
	static const char *ifs[] = {"up0", "up1", "down0", "down1"};

	memset(s, 0, sizeof(*s));
	snprintf(s->router, sizeof(s->router), "%s", router);
	vr_guest_name(VR_HV_XL, router, s->name);
	s->gid = 1;
	s->domu = &domu;
	s->n_vifs = n_vifs;
	for (size_t i = 0; i < n_vifs; i++)
		vr_guest_mac(router, ifs[i], s->guest_mac[i]);
}

static struct vr_hv *driver(int timeout_ms)
{
	struct vr_hv_conf conf = {
	    .state_dir = state,
	    .vif_script = VIF_VRD,
	    .timeout_ms = timeout_ms,
	};
	struct vr_hv *hv = vr_hv_xl_new(&conf);

	assert_non_null(hv);
	assert_string_equal(hv->ops->name, "xl");
	return hv;
}

static char *strf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *strf(const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		abort();
	va_end(ap);
	return s;
}

static void mac_str(const uint8_t m[6], char out[18])
{
	snprintf(out, 18, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5]);
}

static void create_ok(struct vr_hv *hv, const char *router, size_t n_vifs, struct vr_guest *g)
{
	struct vr_guest_spec s;
	struct vr_errs e;

	spec_of(&s, router, n_vifs);
	vr_errs_init(&e);
	if (hv->ops->create(hv, &s, g, &e) != 0)
		fail_msg("create %s: %s", router, e.n ? e.v[0].msg : "?");
	vr_errs_free(&e);
}

/* ---- create ---- */

static void test_cfg_golden(void **st)
{
	struct vr_hv *hv = driver(5000);
	struct vr_guest g;
	char p[PATH_MAX], *want, *got, *at;
	char *golden = slurp(FIXTURES "/xl/vr-red.cfg");

	(void)st;
	assert_non_null(golden);
	create_ok(hv, "red", 2, &g);
	/* the fixture names the script @VIF_SCRIPT@: this checkout's path */
	at = strstr(golden, "@VIF_SCRIPT@");
	assert_non_null(at);
	*at = 0;
	want = strf("%s%s%s", golden, VIF_VRD, at + strlen("@VIF_SCRIPT@"));
	while ((at = strstr(want, "@VIF_SCRIPT@"))) {
		char *w2;
		*at = 0;
		w2 = strf("%s%s%s", want, VIF_VRD, at + strlen("@VIF_SCRIPT@"));
		free(want);
		want = w2;
	}
	snprintf(p, sizeof(p), "%s/xl/vr-red.cfg", state);
	got = slurp(p);
	assert_non_null(got);
	assert_string_equal(got, want);
	free(got);
	free(want);
	free(golden);
	vr_hv_free(hv);
}

static void test_create(void **st)
{
	struct vr_hv *hv = driver(5000);
	struct vr_guest g;
	char *want;

	(void)st;
	create_ok(hv, "red", 2, &g);
	want = strf("xl list\n"
	            "xl create %s/xl/vr-red.cfg\n"
	            "xenstore-write backend/vif/1/0/hotplug-status connected\n"
	            "xenstore-write backend/vif/1/1/hotplug-status connected\n"
	            "xl domid vr-red\n"
	            "xl network-list 1\n",
	            state);
	assert_calls(want);
	free(want);
	assert_string_equal(g.name, "vr-red");
	assert_string_equal(g.router, "red");
	assert_int_equal(g.domid, 1);
	assert_int_equal(g.n_vifs, 2);
	assert_string_equal(g.vif[0], "vif1.0");
	assert_string_equal(g.vif[1], "vif1.1");
	/* vif-vrd ran for each vif, and did nothing else */
	assert_xs("/local/domain/0/backend/vif/1/0/hotplug-status", "connected");
	assert_xs("/local/domain/0/backend/vif/1/1/hotplug-status", "connected");

	/* again: the running guest is only re-learned */
	create_ok(hv, "red", 2, &g);
	assert_calls("xl list\n"
	             "xl network-list 1\n");
	assert_int_equal(g.domid, 1);
	assert_int_equal(g.n_vifs, 2);
	assert_string_equal(g.vif[1], "vif1.1");

	/* a second guest gets its own domid and vifs */
	create_ok(hv, "blue", 1, &g);
	assert_int_equal(g.domid, 2);
	assert_int_equal(g.n_vifs, 1);
	assert_string_equal(g.vif[0], "vif2.0");
	vr_hv_free(hv);
}

/* The vif wait polls until the links exist, and is bounded. */
static void test_create_vif_wait(void **st)
{
	struct vr_hv *hv = driver(300);
	struct vr_guest_spec s;
	struct vr_guest g;
	struct vr_errs e;

	(void)st;
	absent_polls = 4;
	create_ok(hv, "red", 2, &g);
	assert_int_equal(absent_polls, 0);
	assert_true(name_calls >= 6); /* 4 misses, then both vifs */

	flag("no-links", "");
	spec_of(&s, "blue", 1);
	vr_errs_init(&e);
	assert_int_equal(hv->ops->create(hv, &s, &g, &e), -ETIMEDOUT);
	assert_err(&e, "vr-blue: vif2.0 did not appear in vrd's network namespace within 300 ms");
	vr_errs_free(&e);
	vr_hv_free(hv);
}

static void test_create_errors(void **st)
{
	struct vr_hv *hv = driver(5000);
	struct vr_guest_spec s;
	struct vr_guest g;
	struct vr_errs e;
	char *want;

	(void)st;
	vr_errs_init(&e);
	spec_of(&s, "red", 2);

	/* xl create fails: the guest named, xl's stderr quoted */
	flag("fail/xl-create", "Parsing config from x.cfg\n"
	                       "libxl: error: libxl_create.c:1640:domcreate_rebuild_done: Domain "
	                       "1:cannot (re-)build domain: -3\n");
	assert_int_equal(hv->ops->create(hv, &s, &g, &e), -EIO);
	want = strf("vr-red: `xl create %s/xl/vr-red.cfg` failed (exit status 1): Parsing config "
	            "from x.cfg; libxl: error: libxl_create.c:1640:domcreate_rebuild_done: Domain "
	            "1:cannot (re-)build domain: -3",
	            state);
	assert_err(&e, want);
	free(want);
	want = strf("xl list\nxl create %s/xl/vr-red.cfg\n", state);
	assert_calls(want);
	free(want);
	flag("fail/xl-create", NULL);

	/* xl list fails: nothing created */
	flag("fail/xl-list",
	     "libxl: error: libxl.c:102:libxl_ctx_alloc: cannot open libxc handle\n");
	assert_int_equal(hv->ops->create(hv, &s, &g, &e), -EIO);
	assert_err(&e, "vr-red: `xl list` failed (exit status 1): libxl: error: "
	               "libxl.c:102:libxl_ctx_alloc: cannot open libxc handle");
	assert_calls("xl list\n");
	flag("fail/xl-list", NULL);

	/* the hotplug script fails: xl create fails, with libxl's words */
	flag("fail/xenstore-write", "xenstore-write: could not write path x\n");
	assert_int_equal(hv->ops->create(hv, &s, &g, &e), -EIO);
	assert_true(strstr(e.v[0].msg,
	                   "libxl_device.c:1286:device_hotplug_child_death_cb: script: " VIF_VRD
	                   " failed") != NULL);
	assert_string_equal(e.v[0].path, "vr-red");
	vr_errs_clear(&e);
	flag("fail/xenstore-write", NULL);
	free(calls());

	/* no kernel: refused before xl runs */
	domu.kernel = NULL;
	assert_int_equal(hv->ops->create(hv, &s, &g, &e), -EINVAL);
	assert_err(&e,
	           "vr-red: router red: domu kernel is not set (the xl driver boots a PV kernel)");
	assert_calls("xl list\n");
	domu.kernel = "/boot/vmlinuz-6.1.0-vrd";

	/* a control character cannot be written into xl.cfg */
	domu.extra = "console=hvc0\nname=\"evil\"";
	assert_int_equal(hv->ops->create(hv, &s, &g, &e), -EINVAL);
	assert_err(&e, "vr-red: domu extra contains a control character: not usable in xl.cfg");
	domu.extra = "console=hvc0 vrd.note=\"a b\" path=C:\\x";
	free(calls());

	/* xl not installed */
	setenv("PATH", dir, 1);
	assert_int_equal(hv->ops->create(hv, &s, &g, &e), -ENOENT);
	assert_err(&e, "vr-red: `xl list`: xl not found in PATH");
	set_path(FAKE_XEN);

	/* xl hangs: killed at the bound */
	vr_hv_free(hv);
	hv = driver(300);
	flag("fail/xl-list", "HANG");
	assert_int_equal(hv->ops->create(hv, &s, &g, &e), -ETIMEDOUT);
	assert_err(&e, "vr-red: `xl list` did not finish within 300 ms");
	flag("fail/xl-list", NULL);
	vr_errs_free(&e);
	vr_hv_free(hv);
}

/* ---- attach ---- */

static void test_attach(void **st)
{
	struct vr_hv *hv = driver(5000);
	struct vr_guest_spec s;
	struct vr_guest g;
	struct vr_errs e;
	char mac[18], *want;

	(void)st;
	vr_errs_init(&e);
	create_ok(hv, "red", 2, &g);
	free(calls());

	/* the router got a third interface: create finds two of three */
	spec_of(&s, "red", 3);
	assert_int_equal(hv->ops->create(hv, &s, &g, &e), 0);
	assert_int_equal(g.n_vifs, 2);
	free(calls());
	assert_int_equal(hv->ops->attach(hv, &s, &g, &e), 0);
	assert_int_equal(g.n_vifs, 3);
	assert_string_equal(g.vif[2], "vif1.2");
	mac_str(s.guest_mac[2], mac);
	want = strf("xl network-list 1\n"
	            "xl network-attach 1 mac=%s script=%s\n"
	            "xenstore-write backend/vif/1/2/hotplug-status connected\n"
	            "xl network-list 1\n",
	            mac, VIF_VRD);
	assert_calls(want);
	free(want);
	assert_xs("/local/domain/0/backend/vif/1/2/hotplug-status", "connected");

	/* attached before (vrd stopped in between): only learned */
	g.n_vifs = 2;
	assert_int_equal(hv->ops->attach(hv, &s, &g, &e), 0);
	assert_int_equal(g.n_vifs, 3);
	assert_string_equal(g.vif[2], "vif1.2");
	assert_calls("xl network-list 1\n");

	/* nothing left to attach */
	assert_int_equal(hv->ops->attach(hv, &s, &g, &e), -EINVAL);
	assert_err(&e, "vr-red: no vif 3 to attach (the router has 3)");

	/* network-attach fails */
	spec_of(&s, "red", 4);
	flag("fail/xl-network-attach", "libxl_device_nic_add failed.\n");
	assert_int_equal(hv->ops->attach(hv, &s, &g, &e), -EIO);
	mac_str(s.guest_mac[3], mac);
	want = strf("vr-red: `xl network-attach 1 mac=%s script=%s` failed (exit status 1): "
	            "libxl_device_nic_add failed.",
	            mac, VIF_VRD);
	assert_err(&e, want);
	free(want);
	assert_int_equal(g.n_vifs, 3);
	vr_errs_free(&e);
	vr_hv_free(hv);
}

/* ---- list ---- */

static void test_list(void **st)
{
	struct vr_hv *hv = driver(5000);
	struct vr_guest g, *v;
	struct vr_errs e;
	char cfg[PATH_MAX];
	size_t n;
	const char *argv[] = {"xl", "create", cfg, NULL};
	struct vr_tool_res res;

	(void)st;
	vr_errs_init(&e);
	assert_int_equal(hv->ops->list(hv, &v, &n, &e), 0);
	assert_int_equal(n, 0);
	free(v);
	create_ok(hv, "red", 2, &g);
	create_ok(hv, "blue", 1, &g);
	/* somebody else's domain, and a name that only starts like ours */
	snprintf(cfg, sizeof(cfg), "%s/other.cfg", dir);
	assert_int_equal(vr_file_write_atomic(cfg, "name = \"web\"\n", 13), 0);
	assert_int_equal(vr_tool_run(argv, 5000, &res), 0);
	assert_int_equal(res.status, 0);
	vr_tool_res_free(&res);
	assert_int_equal(vr_file_write_atomic(cfg, "name = \"vr-\"\n", 13), 0);
	assert_int_equal(vr_tool_run(argv, 5000, &res), 0);
	vr_tool_res_free(&res);
	free(calls());

	assert_int_equal(hv->ops->list(hv, &v, &n, &e), 0);
	assert_int_equal(e.n, 0);
	assert_int_equal(n, 2);
	/* in xl list's order (the fake lists by name) */
	assert_string_equal(v[0].name, "vr-blue");
	assert_string_equal(v[0].router, "blue");
	assert_int_equal(v[0].domid, 2);
	assert_int_equal(v[0].n_vifs, 1);
	assert_string_equal(v[0].vif[0], "vif2.0");
	assert_string_equal(v[1].name, "vr-red");
	assert_string_equal(v[1].router, "red");
	assert_int_equal(v[1].domid, 1);
	assert_int_equal(v[1].n_vifs, 2);
	assert_string_equal(v[1].vif[0], "vif1.0");
	assert_string_equal(v[1].vif[1], "vif1.1");
	free(v);
	assert_calls("xl list\n"
	             "xl network-list 2\n"
	             "xl network-list 1\n");

	flag("fail/xl-network-list", "oops\n");
	assert_int_equal(hv->ops->list(hv, &v, &n, &e), -EIO);
	assert_null(v);
	assert_err(&e, "vr-blue: `xl network-list 2` failed (exit status 1): oops");
	vr_errs_free(&e);
	vr_hv_free(hv);
}

/* ---- push, status ---- */

/* A config of n bytes of JSON-ish text with the characters a shell or
 * xenstore-write without -R would mangle, and a chunk starting with '-'. */
static char *config_of(size_t n, char seed)
{
	static const char pat[] = "{\"a\\\\b\": [1, -2, \"x y\"], 'q': \"\\\"$HOME\\\"\"} ";
	char *c = malloc(n + 1);

	assert_non_null(c);
	for (size_t i = 0; i < n; i++)
		c[i] = pat[(i + (size_t)seed) % (sizeof(pat) - 1)];
	if (n > VR_XS_CHUNK)
		c[VR_XS_CHUNK] = '-';
	c[n] = 0;
	return c;
}

static char *chunk(const char *config, size_t i)
{
	return strf("%.*s", VR_XS_CHUNK, config + i * VR_XS_CHUNK);
}

static void test_push(void **st)
{
	struct vr_hv *hv = driver(5000);
	struct vr_guest g;
	struct vr_errs e;
	char gen[VR_GUEST_GEN_LEN], *cfg, *c0, *c1, *c2, *want;
	const char *nodes[] = {"/local/domain/1/vrd",           "/local/domain/1/vrd/config",
	                       "/local/domain/1/vrd/config/0",  "/local/domain/1/vrd/config/1",
	                       "/local/domain/1/vrd/config/2",  "/local/domain/1/vrd/config/count",
	                       "/local/domain/1/vrd/generation"};

	(void)st;
	vr_errs_init(&e);
	create_ok(hv, "red", 2, &g);
	free(calls());

	/* three chunks, the last one short */
	cfg = config_of(2 * VR_XS_CHUNK + 100, 0);
	vr_guest_gen(cfg, gen);
	assert_int_equal(hv->ops->push(hv, &g, cfg, gen, &e), 0);
	c0 = chunk(cfg, 0);
	c1 = chunk(cfg, 1);
	c2 = chunk(cfg, 2);
	assert_int_equal(c1[0], '-');
	want = strf("xenstore-read -- /local/domain/1/vrd/config/count\n"
	            "xenstore-write -R -- /local/domain/1/vrd/config/0 %s "
	            "/local/domain/1/vrd/config/1 %s /local/domain/1/vrd/config/2 %s "
	            "/local/domain/1/vrd/config/count 3\n"
	            "xenstore-chmod -r -- /local/domain/1/vrd n0 r1\n"
	            "xenstore-write -- /local/domain/1/vrd/generation %s\n"
	            "xenstore-chmod -- /local/domain/1/vrd/generation n0 r1\n",
	            c0, c1, c2, gen);
	assert_calls(want);
	free(want);
	assert_xs("/local/domain/1/vrd/config/0", c0);
	assert_xs("/local/domain/1/vrd/config/1", c1);
	assert_xs("/local/domain/1/vrd/config/2", c2);
	assert_xs("/local/domain/1/vrd/config/count", "3");
	assert_xs("/local/domain/1/vrd/generation", gen);
	/* dom0's, readable by guest 1 only */
	for (size_t i = 0; i < sizeof(nodes) / sizeof(nodes[0]); i++)
		assert_perms(nodes[i], "n0 r1");
	free(c0);
	free(c1);
	free(c2);
	free(cfg);

	/* a shorter config: the stale chunks go before the generation */
	cfg = config_of(VR_XS_CHUNK, 3);
	vr_guest_gen(cfg, gen);
	assert_int_equal(hv->ops->push(hv, &g, cfg, gen, &e), 0);
	want = strf("xenstore-read -- /local/domain/1/vrd/config/count\n"
	            "xenstore-write -R -- /local/domain/1/vrd/config/0 %s "
	            "/local/domain/1/vrd/config/count 1\n"
	            "xenstore-rm -- /local/domain/1/vrd/config/1 /local/domain/1/vrd/config/2\n"
	            "xenstore-chmod -r -- /local/domain/1/vrd n0 r1\n"
	            "xenstore-write -- /local/domain/1/vrd/generation %s\n"
	            "xenstore-chmod -- /local/domain/1/vrd/generation n0 r1\n",
	            cfg, gen);
	assert_calls(want);
	free(want);
	assert_xs("/local/domain/1/vrd/config/0", cfg);
	assert_no_node("/local/domain/1/vrd/config/1");
	assert_no_node("/local/domain/1/vrd/config/2");
	free(cfg);

	/* empty */
	vr_guest_gen("", gen);
	assert_int_equal(hv->ops->push(hv, &g, "", gen, &e), 0);
	assert_xs("/local/domain/1/vrd/config/count", "0");
	assert_no_node("/local/domain/1/vrd/config/0");
	free(calls());

	/* a failing xenstore-write names the guest and quotes it */
	flag("fail/xenstore-write", "xenstore-write: could not write path /local/domain/1/vrd\n");
	assert_int_equal(hv->ops->push(hv, &g, "{}", "0123456789abcdef", &e), -EIO);
	assert_err(&e, "vr-red: `xenstore-write -R -- /local/domain/1/vrd/config/0 {} "
	               "/local/domain/1/vrd/config/count 1` failed (exit status 1): "
	               "xenstore-write: could not write path /local/domain/1/vrd");
	flag("fail/xenstore-write", NULL);
	flag("fail/xenstore-chmod", "xenstore-chmod: Error occurred setting permissions on "
	                            "'/local/domain/1/vrd': Permission denied\n");
	assert_int_equal(hv->ops->push(hv, &g, "{}", "0123456789abcdef", &e), -EIO);
	assert_err(&e, "vr-red: `xenstore-chmod -r -- /local/domain/1/vrd n0 r1` failed (exit "
	               "status 1): xenstore-chmod: Error occurred setting permissions on "
	               "'/local/domain/1/vrd': Permission denied");
	vr_errs_free(&e);
	vr_hv_free(hv);
}

/* A large config goes in several xenstore-write calls, count last. */
static void test_push_batches(void **st)
{
	struct vr_hv *hv = driver(10000);
	struct vr_guest g;
	struct vr_errs e;
	char gen[VR_GUEST_GEN_LEN], *cfg, *log, *line, *save = NULL;
	size_t writes = 0, n = 150;

	(void)st;
	vr_errs_init(&e);
	create_ok(hv, "red", 1, &g);
	cfg = config_of(n * VR_XS_CHUNK - 7, 1);
	vr_guest_gen(cfg, gen);
	free(calls());
	assert_int_equal(hv->ops->push(hv, &g, cfg, gen, &e), 0);
	log = calls();
	for (line = strtok_r(log, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		if (!strncmp(line, "xenstore-write -R -- ", 21)) {
			/* 64 chunks a call, then the rest with the count */
			const char *count = strstr(line, "/local/domain/1/vrd/config/count ");
			writes++;
			assert_true(strstr(line, writes == 1   ? "/config/0 "
			                         : writes == 2 ? "/config/64 "
			                                       : "/config/128 ") != NULL);
			assert_true((count != NULL) == (writes == 3));
			assert_true(strstr(line, writes == 1 ? "/config/63 " : "/config/127 ") ||
			            writes == 3);
		}
	free(log);
	assert_int_equal(writes, 3);
	assert_xs("/local/domain/1/vrd/config/count", "150");
	{
		char *last = chunk(cfg, 149);
		assert_xs("/local/domain/1/vrd/config/149", last);
		assert_int_equal(strlen(last), VR_XS_CHUNK - 7);
		free(last);
	}
	free(cfg);
	vr_errs_free(&e);
	vr_hv_free(hv);
}

static void test_status(void **st)
{
	struct vr_hv *hv = driver(5000);
	struct vr_guest g;
	char buf[64], small[8];
	const char *argv[] = {"xenstore-write", "data/vrd-status", "0123456789abcdef ready", NULL};
	struct vr_tool_res res;

	(void)st;
	create_ok(hv, "red", 1, &g);
	free(calls());
	assert_int_equal(hv->ops->status(hv, &g, buf, sizeof(buf)), -ENOENT);
	assert_calls("xenstore-read -R -- /local/domain/1/data/vrd-status\n");

	/* the guest writes into its own data/ */
	setenv("FAKE_XS_DOMID", "1", 1);
	assert_int_equal(vr_tool_run(argv, 5000, &res), 0);
	assert_int_equal(res.status, 0);
	vr_tool_res_free(&res);
	unsetenv("FAKE_XS_DOMID");
	assert_int_equal(hv->ops->status(hv, &g, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "0123456789abcdef ready");
	assert_int_equal(vr_guest_status_parse(buf, "0123456789abcdef", NULL), 1);
	assert_int_equal(hv->ops->status(hv, &g, small, sizeof(small)), 0);
	assert_string_equal(small, "0123456");

	/* xenstore itself failing is not "no status yet" */
	flag("fail/xenstore-read", "xs_open: No such file or directory\n");
	assert_int_equal(hv->ops->status(hv, &g, buf, sizeof(buf)), -EIO);
	flag("fail/xenstore-read", NULL);
	vr_hv_free(hv);
}

/* ---- destroy ---- */

static void test_destroy(void **st)
{
	struct vr_hv *hv = driver(300);
	struct vr_guest g;
	struct vr_errs e;
	char p[PATH_MAX];

	(void)st;
	vr_errs_init(&e);
	create_ok(hv, "red", 2, &g);
	snprintf(p, sizeof(p), "%s/xl/vr-red.cfg", state);
	assert_int_equal(access(p, F_OK), 0);
	free(calls());

	/* xl destroy refuses: the guest still runs */
	flag("fail/xl-destroy", "libxl: error: libxl_domain.c:1137:domain_destroy_callback: Domain "
	                        "1:Unable to destroy guest\n");
	assert_int_equal(hv->ops->destroy(hv, &g, &e), -EIO);
	assert_err(&e,
	           "vr-red: `xl destroy vr-red` failed (exit status 1): libxl: error: "
	           "libxl_domain.c:1137:domain_destroy_callback: Domain 1:Unable to destroy guest");
	assert_calls("xl destroy vr-red\n"
	             "xl list\n");
	flag("fail/xl-destroy", NULL);
	assert_int_equal(access(p, F_OK), 0);

	assert_int_equal(hv->ops->destroy(hv, &g, &e), 0);
	assert_int_equal(e.n, 0);
	assert_calls("xl destroy vr-red\n"
	             "xenstore-rm backend/vif/1/0/hotplug-status\n"
	             "xenstore-rm backend/vif/1/1/hotplug-status\n");
	assert_int_equal(access(p, F_OK), -1);
	assert_no_node("/local/domain/1");
	assert_no_node("/local/domain/0/backend/vif/1/0/hotplug-status");

	/* gone already: fine ("vr-red is an invalid domain identifier") */
	assert_int_equal(hv->ops->destroy(hv, &g, &e), 0);
	assert_int_equal(e.n, 0);
	assert_calls("xl destroy vr-red\n"
	             "xl list\n");

	/* a vif that does not go away */
	create_ok(hv, "red", 1, &g);
	flag("keep-links", "");
	assert_int_equal(hv->ops->destroy(hv, &g, &e), -ETIMEDOUT);
	assert_err(&e, "vr-red: vif2.0 did not go away in vrd's network namespace within 300 ms");
	vr_errs_free(&e);
	vr_hv_free(hv);
}

/* ---- the guest's end ---- */

static void push_ok(struct vr_hv *hv, const struct vr_guest *g, const char *cfg)
{
	char gen[VR_GUEST_GEN_LEN];
	struct vr_errs e;
	const char *dom = getenv("FAKE_XS_DOMID");
	char *saved = dom ? strdup(dom) : NULL;

	unsetenv("FAKE_XS_DOMID"); /* dom0 pushes */
	vr_errs_init(&e);
	vr_guest_gen(cfg, gen);
	if (hv->ops->push(hv, g, cfg, gen, &e) != 0)
		fail_msg("push: %s", e.n ? e.v[0].msg : "?");
	vr_errs_free(&e);
	if (saved)
		setenv("FAKE_XS_DOMID", saved, 1);
	free(saved);
}

static bool readable(int fd, int ms)
{
	struct pollfd p = {.fd = fd, .events = POLLIN};

	return poll(&p, 1, ms) == 1;
}

/* Our children, from /proc (no guessing by name). */
static size_t n_children(void)
{
	char p[64], *s;
	size_t n = 0;

	snprintf(p, sizeof(p), "/proc/self/task/%ld/children", (long)syscall(SYS_gettid));
	s = slurp(p);
	if (!s)
		return 0;
	for (char *t = strtok(s, " \n"); t; t = strtok(NULL, " \n"))
		n++;
	free(s);
	return n;
}

static void test_chan_roundtrip(void **st)
{
	struct vr_hv *hv = driver(5000);
	struct vr_guest g;
	struct vr_errs e;
	struct vr_chan *c;
	char gen[VR_GUEST_GEN_LEN], want_gen[VR_GUEST_GEN_LEN], buf[128], *cfg, *got = NULL;

	(void)st;
	vr_errs_init(&e);
	create_ok(hv, "red", 2, &g);

	setenv("FAKE_XS_DOMID", "1", 1); /* we are guest 1 now */
	c = chan = vr_chan_open("xenstore", &e);
	assert_non_null(c);
	assert_int_equal(e.n, 0);
	assert_true(readable(c->ops->fd(c), 5000)); /* the watch fires at once */
	c->ops->drain(c);
	free(calls());

	/* nothing pushed yet */
	assert_int_equal(c->ops->read(c, &got, gen), -ENOENT);
	assert_null(got);
	assert_calls("xenstore-read -- vrd/generation vrd/config/count\n");

	cfg = config_of(2 * VR_XS_CHUNK + 1, 5);
	vr_guest_gen(cfg, want_gen);
	push_ok(hv, &g, cfg);
	free(calls());
	assert_int_equal(c->ops->read(c, &got, gen), 0);
	assert_string_equal(got, cfg);
	assert_string_equal(gen, want_gen);
	free(got);
	assert_calls("xenstore-read -- vrd/generation vrd/config/count\n"
	             "xenstore-read -R -- vrd/config/0 vrd/config/1 vrd/config/2\n");

	/* the status line comes back to dom0 */
	snprintf(buf, sizeof(buf), "%s ready", gen);
	assert_int_equal(c->ops->report(c, buf), 0);
	{
		char *want = strf("xenstore-write -R -- /local/domain/1/data/vrd-status %s\n", buf);
		assert_calls(want);
		free(want);
	}
	assert_perms("/local/domain/1/data/vrd-status", "n1"); /* the guest's own */
	unsetenv("FAKE_XS_DOMID");
	assert_int_equal(hv->ops->status(hv, &g, buf, sizeof(buf)), 0);
	assert_int_equal(vr_guest_status_parse(buf, want_gen, NULL), 1);
	setenv("FAKE_XS_DOMID", "1", 1);

	/* an empty config is a config */
	push_ok(hv, &g, "");
	assert_int_equal(c->ops->read(c, &got, gen), 0);
	assert_string_equal(got, "");
	free(got);

	/* another guest cannot read guest 1's config */
	{
		const char *argv[] = {"xenstore-read", "/local/domain/1/vrd/generation", NULL};
		struct vr_tool_res res;
		setenv("FAKE_XS_DOMID", "2", 1);
		assert_int_equal(vr_tool_run(argv, 5000, &res), 0);
		assert_int_equal(res.status, 1);
		assert_string_equal(
		    vr_tool_errtext(&res),
		    "xenstore-read: couldn't read path /local/domain/1/vrd/generation");
		vr_tool_res_free(&res);
		setenv("FAKE_XS_DOMID", "1", 1);
	}

	free(cfg);
	vr_chan_free(c);
	chan = NULL;
	assert_int_equal(n_children(), 0); /* the watch is gone */
	vr_errs_free(&e);
	vr_hv_free(hv);
}

/* Reads between dom0's writes are torn: -EAGAIN until dom0 is done. */
static void test_chan_torn(void **st)
{
	struct vr_hv *hv = driver(5000);
	struct vr_guest g;
	struct vr_errs e;
	struct vr_chan *c;
	char gen[VR_GUEST_GEN_LEN], *cfg, *next, *c1, *got = NULL;
	char p[PATH_MAX];

	(void)st;
	vr_errs_init(&e);
	create_ok(hv, "red", 1, &g);
	cfg = config_of(3 * VR_XS_CHUNK, 2);
	push_ok(hv, &g, cfg);
	setenv("FAKE_XS_DOMID", "1", 1);
	c = chan = vr_chan_open("xenstore", &e);
	assert_non_null(c);

	/* dom0 wrote a new chunk 1 but not yet the generation */
	next = config_of(3 * VR_XS_CHUNK, 9);
	c1 = chunk(next, 1);
	xs_set("/local/domain/1/vrd/config/1", c1);
	assert_int_equal(c->ops->read(c, &got, gen), -EAGAIN);
	assert_null(got);
	free(c1);

	/* ... the new count, one chunk gone */
	c1 = chunk(cfg, 1);
	xs_set("/local/domain/1/vrd/config/1", c1);
	free(c1);
	xs_set("/local/domain/1/vrd/config/count", "2");
	assert_int_equal(c->ops->read(c, &got, gen), -EAGAIN);
	xs_set("/local/domain/1/vrd/config/count", "3");
	assert_int_equal(c->ops->read(c, &got, gen), 0);
	free(got);
	snprintf(p, sizeof(p), "%s/store/local/domain/1/vrd/config/2", dir);
	rm_tree(p);
	assert_int_equal(c->ops->read(c, &got, gen), -EAGAIN);

	/* garbage in the generation or the count */
	push_ok(hv, &g, cfg);
	xs_set("/local/domain/1/vrd/generation", "zz");
	assert_int_equal(c->ops->read(c, &got, gen), -EAGAIN);
	push_ok(hv, &g, cfg);
	xs_set("/local/domain/1/vrd/config/count", "3x");
	assert_int_equal(c->ops->read(c, &got, gen), -EAGAIN);

	/* and when dom0 is done, the read is whole */
	push_ok(hv, &g, next);
	assert_int_equal(c->ops->read(c, &got, gen), 0);
	assert_string_equal(got, next);
	free(got);

	free(cfg);
	free(next);
	vr_chan_free(c);
	chan = NULL;
	vr_errs_free(&e);
	vr_hv_free(hv);
}

/* Each push makes the descriptor readable; a watch that dies is
 * restarted behind the same descriptor. */
static void test_chan_watch(void **st)
{
	struct vr_hv *hv = driver(5000);
	struct vr_guest g;
	struct vr_errs e;
	struct vr_chan *c;
	char gen[VR_GUEST_GEN_LEN], *got = NULL;
	int fd;
	bool live = false;

	(void)st;
	vr_errs_init(&e);
	create_ok(hv, "red", 1, &g);
	setenv("FAKE_XS_DOMID", "1", 1);
	c = chan = vr_chan_open("xenstore", &e);
	assert_non_null(c);
	fd = c->ops->fd(c);
	assert_true(readable(fd, 5000));
	c->ops->drain(c);
	assert_false(readable(fd, 200));

	push_ok(hv, &g, "{\"first\": 1}");
	assert_true(readable(fd, 5000));
	c->ops->drain(c);
	assert_int_equal(c->ops->read(c, &got, gen), 0);
	assert_string_equal(got, "{\"first\": 1}");
	free(got);

	/* the watch exits (its xenstore connection broke) */
	flag("watch-exit", "");
	assert_true(readable(fd, 5000));
	c->ops->drain(c);
	flag("watch-exit", NULL);
	/* restarted within a second (by the timer when it died young); the
	 * new watch fires at once */
	for (int i = 0; i < 50 && !live; i++) {
		if (readable(fd, 100))
			c->ops->drain(c);
		live = n_children() == 1;
	}
	assert_true(live);
	assert_int_equal(c->ops->fd(c), fd);
	while (readable(fd, 300))
		c->ops->drain(c);
	push_ok(hv, &g, "{\"second\": 2}");
	assert_true(readable(fd, 5000));
	c->ops->drain(c);
	assert_int_equal(c->ops->read(c, &got, gen), 0);
	assert_string_equal(got, "{\"second\": 2}");
	free(got);

	vr_chan_free(c);
	chan = NULL;
	assert_int_equal(n_children(), 0);
	vr_errs_free(&e);
	vr_hv_free(hv);
}

/* Running, not a zombie. */
static bool alive(pid_t pid)
{
	char p[64], *s, *st;
	bool r;

	snprintf(p, sizeof(p), "/proc/%d/stat", (int)pid);
	s = slurp(p);
	if (!s)
		return false;
	st = strrchr(s, ')');
	r = st && st[1] == ' ' && st[2] != 'Z' && st[2] != 'X';
	free(s);
	return r;
}

/* A guest vrd that dies without closing its channel takes the watch
 * along (and does not leave it holding its stderr). */
static void test_chan_dies_with_vrd(void **st)
{
	struct vr_hv *hv = driver(5000);
	struct vr_guest g;
	char p[PATH_MAX], *s;
	pid_t vrd, watch;
	int status;

	(void)st;
	create_ok(hv, "red", 1, &g);
	setenv("FAKE_XS_DOMID", "1", 1);
	vrd = fork();
	assert_true(vrd >= 0);
	if (vrd == 0) {
		struct vr_errs e;
		struct vr_chan *c;

		vr_errs_init(&e);
		c = vr_chan_open("xenstore", &e);
		_exit(c && readable(c->ops->fd(c), 5000) ? 0 : 1);
	}
	assert_int_equal(waitpid(vrd, &status, 0), vrd);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	snprintf(p, sizeof(p), "%s/watch.pid", dir);
	s = slurp(p);
	assert_non_null(s);
	watch = atoi(s);
	free(s);
	assert_true(watch > 0);
	for (int i = 0; i < 100 && alive(watch); i++)
		nanosleep(&(struct timespec){.tv_nsec = 20000000}, NULL);
	assert_false(alive(watch));
	vr_hv_free(hv);
}

static void test_chan_open_errors(void **st)
{
	struct vr_errs e;

	(void)st;
	vr_errs_init(&e);
	assert_null(vr_chan_open("xenbus", &e));
	assert_err(&e, "unknown guest channel \"xenbus\" (xenstore or lab:DIR)");
	assert_null(vr_chan_open("lab:", &e));
	assert_err(&e, "unknown guest channel \"lab:\" (xenstore or lab:DIR)");

	/* not in a Xen guest: xenstore says so */
	setenv("FAKE_XS_DOMID", "9", 1);
	assert_null(vr_chan_open("xenstore", &e));
	assert_err(&e, "xenstore: `xenstore-read domid` failed (exit status 1): xenstore-read: "
	               "couldn't read path domid: not a Xen guest?");
	assert_int_equal(n_children(), 0);
	vr_errs_free(&e);
}

/* ---- vif-vrd ---- */

static int vif_script(const char *cmd, struct vr_tool_res *res)
{
	const char *argv[] = {VIF_VRD, cmd, "type_if=vif", NULL};

	return vr_tool_run(argv, 5000, res);
}

static void test_vif_script(void **st)
{
	struct vr_tool_res res;

	(void)st;
	setenv("XENBUS_PATH", "backend/vif/7/0", 1);
	setenv("vif", "vif7.0", 1);
	assert_int_equal(vif_script("online", &res), 0);
	assert_int_equal(res.status, 0);
	vr_tool_res_free(&res);
	assert_xs("/local/domain/0/backend/vif/7/0/hotplug-status", "connected");
	assert_calls("xenstore-write backend/vif/7/0/hotplug-status connected\n");
	assert_int_equal(vif_script("offline", &res), 0);
	assert_int_equal(res.status, 0);
	vr_tool_res_free(&res);
	assert_no_node("/local/domain/0/backend/vif/7/0/hotplug-status");
	assert_calls("xenstore-rm backend/vif/7/0/hotplug-status\n");
	/* an emulated NIC's add/remove, and a remove of what is gone */
	assert_int_equal(vif_script("add", &res), 0);
	assert_int_equal(res.status, 0);
	vr_tool_res_free(&res);
	assert_xs("/local/domain/0/backend/vif/7/0/hotplug-status", "connected");
	assert_int_equal(vif_script("remove", &res), 0);
	assert_int_equal(res.status, 0);
	vr_tool_res_free(&res);
	assert_int_equal(vif_script("remove", &res), 0);
	assert_int_equal(res.status, 0);
	vr_tool_res_free(&res);
	free(calls());

	/* no plumbing whatsoever: only xenstore was touched */
	assert_int_equal(vif_script("frobnicate", &res), 0);
	assert_int_equal(res.status, 1);
	assert_string_equal(
	    vr_tool_errtext(&res),
	    "vif-vrd: unknown command 'frobnicate' (online, offline, add or remove)");
	vr_tool_res_free(&res);
	assert_calls("");

	/* the write fails: hotplug-status error, and a failure for libxl */
	flag("fail/xenstore-write", "xenstore-write: could not write path x\n");
	assert_int_equal(vif_script("online", &res), 0);
	assert_int_equal(res.status, 1);
	vr_tool_res_free(&res);
	assert_calls("xenstore-write backend/vif/7/0/hotplug-status connected\n"
	             "xenstore-write backend/vif/7/0/hotplug-error vif-vrd: cannot write "
	             "backend/vif/7/0/hotplug-status backend/vif/7/0/hotplug-status error\n");
	flag("fail/xenstore-write", NULL);

	unsetenv("XENBUS_PATH");
	assert_int_equal(vif_script("online", &res), 0);
	assert_int_equal(res.status, 1);
	assert_string_equal(vr_tool_errtext(&res), "vif-vrd: XENBUS_PATH is not set (libxl sets it "
	                                           "when it runs this script)");
	vr_tool_res_free(&res);
	unsetenv("vif");
}

/* ---- the tool runner ---- */

static double now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static void test_tool_run(void **st)
{
	struct vr_tool_res res;
	char cmd[32];
	double t0;

	(void)st;
	/* the run ends when the child exits, though a grandchild still
	 * holds the pipes */
	{
		const char *argv[] = {
		    "sh", "-c", "sleep 3 & echo out; echo one >&2; echo two >&2; exit 3", NULL};
		t0 = now_ms();
		assert_int_equal(vr_tool_run(argv, 5000, &res), 0);
		assert_true(now_ms() - t0 < 2000);
		assert_int_equal(res.status, 3);
		assert_string_equal(res.out, "out\n");
		assert_int_equal(res.out_len, 4);
		assert_string_equal(vr_tool_errtext(&res), "one; two");
		vr_tool_res_free(&res);
	}
	/* arguments travel as they are, no shell in between */
	{
		const char *argv[] = {"printf", "%s|", "a b", "$HOME", "'\"", "", NULL};
		assert_int_equal(vr_tool_run(argv, 5000, &res), 0);
		assert_int_equal(res.status, 0);
		assert_string_equal(res.out, "a b|$HOME|'\"||");
		vr_tool_res_free(&res);
	}
	/* a signal, a bound, a missing program */
	{
		const char *argv[] = {"sh", "-c", "kill -TERM $$", NULL};
		assert_int_equal(vr_tool_run(argv, 5000, &res), 0);
		assert_int_equal(res.status, 128 + 15);
		vr_tool_res_free(&res);
	}
	{
		const char *argv[] = {"sleep", "10", NULL};
		t0 = now_ms();
		assert_int_equal(vr_tool_run(argv, 200, &res), -ETIMEDOUT);
		assert_true(now_ms() - t0 < 1500);
		vr_tool_res_free(&res);
	}
	{
		const char *argv[] = {"vrd-no-such-tool", NULL};
		assert_int_equal(vr_tool_run(argv, 200, &res), -ENOENT);
		assert_string_equal(res.out, "");
		vr_tool_res_free(&res);
	}
	/* a blocked or ignored signal does not survive the exec */
	{
		const char *argv[] = {"sh", "-c", "kill -TERM $$; echo survived", NULL};
		sigset_t term, old;
		sigemptyset(&term);
		sigaddset(&term, SIGTERM);
		sigprocmask(SIG_BLOCK, &term, &old);
		assert_int_equal(vr_tool_run(argv, 5000, &res), 0);
		sigprocmask(SIG_SETMASK, &old, NULL);
		assert_int_equal(res.status, 128 + 15);
		assert_string_equal(res.out, "");
		vr_tool_res_free(&res);
	}
	{
		const char *argv[] = {"a", "bb", "ccc", NULL};
		vr_tool_cmdline(argv, cmd, sizeof(cmd));
		assert_string_equal(cmd, "a bb ccc");
		vr_tool_cmdline(argv, cmd, 7);
		assert_string_equal(cmd, "a b...");
	}
	assert_int_equal(n_children(), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_cfg_golden, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_create, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_create_vif_wait, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_create_errors, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_attach, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_list, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_push, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_push_batches, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_status, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_destroy, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_chan_roundtrip, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_chan_torn, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_chan_watch, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_chan_dies_with_vrd, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_chan_open_errors, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_vif_script, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_tool_run, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
