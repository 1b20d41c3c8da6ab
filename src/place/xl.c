/* xl.c - the xl hypervisor driver: real Xen guests through the xl and
 * xenstore-* command-line tools (see hv.h; the tools run through tool.h).
 *
 * Owns the generated xl.cfg files (<xl_dir>/<guest>.cfg) and the guest's
 * /local/domain/<domid>/vrd subtree in xenstore; plumbs nothing (domu.c
 * does, once the vifs exist).  What it relies on in Xen 4.17:
 *
 * - `xl list` prints a header line, then "NAME ID MEM VCPUS STATE TIME"
 *   per domain; `xl domid NAME` prints the domid; `xl network-list DOMID`
 *   prints a header, then "IDX BE MAC HANDLE STATE ..." per vif.  The
 *   dom0 side of vif IDX is the netback device vif<domid>.<IDX>.
 * - `xl create` returns once the domain runs and its vifs' hotplug
 *   scripts have finished; it leaves a monitoring daemon behind whose
 *   stdout and stderr go to xl's log file, not to our pipes.  libxl numbers
 *   the vifs of a new domain 0..n-1 in cfg order; `xl network-attach`
 *   takes the next free number, hence vifs are found by MAC.  Its vif
 *   settings are one key=value per argument (not xl.cfg's comma list).
 * - libxl creates /local/domain/<domid> as "n0 r<domid>" (dom0's, read by
 *   the guest) and xenstored gives a node dom0 creates its parent's
 *   permissions, so the vrd subtree starts out right; it is chmod'ed
 *   explicitly all the same, the generation node last.
 * - xenstore-write and xenstore-read -R pass values raw (without -R they
 *   (un)escape backslashes); "--" keeps a chunk starting with '-' from
 *   being taken for an option.  Several pairs in one xenstore-write are one
 *   transaction. */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "place/chan.h"
#include "place/hv.h"
#include "place/tool.h"
#include "statedir.h"

#define XL_TIMEOUT_MS 120000 /* default bound of one driver call */
#define VIF_POLL_MS   20
#define XS_BATCH      64 /* chunks per xenstore-write: argv stays ~130 KB */

struct xl {
	struct vr_hv hv;
	char *dir;    /* xl.cfg files */
	char *script; /* the vif hotplug script */
	int timeout_ms;
};

/* One driver call: the guest it is about, its deadline, its errors. */
struct op {
	struct xl *x;
	const char *guest; /* path of the errors; NULL for list */
	double end;
	struct vr_errs *e;
};

static double now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static struct op op_begin(struct vr_hv *hv, const char *guest, struct vr_errs *e)
{
	struct xl *x = hv->priv;

	return (struct op){.x = x, .guest = guest, .end = now_ms() + x->timeout_ms, .e = e};
}

/* ---- argument vectors ---- */

struct args {
	const char *v[2 * XS_BATCH + 8];
	char *own[2 * XS_BATCH + 8];
	size_t n, n_own;
};

static void arg(struct args *a, const char *s)
{
	a->v[a->n++] = s;
	a->v[a->n] = NULL;
}

static void argf(struct args *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void argf(struct args *a, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		abort();
	va_end(ap);
	a->own[a->n_own++] = s;
	arg(a, s);
}

static void args_reset(struct args *a)
{
	for (size_t i = 0; i < a->n_own; i++)
		free(a->own[i]);
	a->n = a->n_own = 0;
	a->v[0] = NULL;
}

/* ---- running tools ---- */

/* Run argv within the call's deadline: 0 when it ran (res->status says
 * how it ended), else -errno with the reason in o->e.  res is always
 * filled in. */
static int run(struct op *o, const char *const argv[], struct vr_tool_res *res)
{
	int left = (int)(o->end - now_ms()), r;
	char cmd[160];

	vr_tool_cmdline(argv, cmd, sizeof(cmd));
	if (left <= 0) {
		memset(res, 0, sizeof(*res));
		res->status = -1;
		return vr_errs_add(o->e, -ETIMEDOUT, o->guest,
		                   "no time left for `%s` (bound %d ms)", cmd, o->x->timeout_ms);
	}
	r = vr_tool_run(argv, left, res);
	if (r == -ENOENT)
		return vr_errs_add(o->e, r, o->guest, "`%s`: %s not found in PATH", cmd, argv[0]);
	if (r == -ETIMEDOUT)
		return vr_errs_add(o->e, r, o->guest, "`%s` did not finish within %d ms", cmd,
		                   o->x->timeout_ms);
	if (r < 0)
		return vr_errs_add(o->e, r, o->guest, "cannot run `%s`: %s", cmd, strerror(-r));
	return 0;
}

static int failed(struct op *o, const char *const argv[], const struct vr_tool_res *res)
{
	const char *t = vr_tool_errtext(res);
	char cmd[160];

	vr_tool_cmdline(argv, cmd, sizeof(cmd));
	return vr_errs_add(o->e, -EIO, o->guest, "`%s` failed (exit status %d)%s%s", cmd,
	                   res->status, *t ? ": " : "", t);
}

/* Run argv; a non-zero exit is an error quoting its stderr.  The output
 * goes to *out (caller frees) when out is not NULL. */
static int must(struct op *o, const char *const argv[], char **out)
{
	struct vr_tool_res res;
	int r = run(o, argv, &res);

	if (r == 0 && res.status != 0)
		r = failed(o, argv, &res);
	if (r == 0 && out) {
		*out = res.out;
		res.out = NULL;
	}
	vr_tool_res_free(&res);
	return r;
}

/* ---- what xl says ---- */

struct dom {
	char name[VR_GUEST_NAME_MAX];
	int domid;
	int dying;
};

/* `xl list`: the domains (malloc'd, caller frees). */
static int domains(struct op *o, struct dom **v, size_t *n)
{
	const char *argv[] = {"xl", "list", NULL};
	size_t cnt = 0, cap = 0;
	struct dom *d = NULL;
	char *out, *line, *save = NULL;
	int r;

	*v = NULL;
	*n = 0;
	r = must(o, argv, &out);
	if (r < 0)
		return r;
	for (line = strtok_r(out, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char name[256], state[16] = "";
		int domid;

		/* the header's "ID" is no number: skipped like any other
		 * line that is not a domain */
		if (sscanf(line, "%255s %d %*d %*d %15s", name, &domid, state) < 2 ||
		    strlen(name) >= VR_GUEST_NAME_MAX)
			continue;
		if (cnt == cap) {
			cap = cap ? cap * 2 : 8;
			d = realloc(d, cap * sizeof(*d));
			if (!d)
				abort();
		}
		memcpy(d[cnt].name, name, strlen(name) + 1); /* fits: checked above */
		d[cnt].domid = domid;
		d[cnt].dying = strlen(state) >= 6 && state[5] == 'd';
		cnt++;
	}
	free(out);
	*v = d;
	*n = cnt;
	return 0;
}

/* The running domain called name: 1 with *domid, 0 when there is none. */
static int find_domain(struct op *o, const char *name, int *domid)
{
	struct dom *v;
	size_t n;
	int r = domains(o, &v, &n);

	if (r < 0)
		return r;
	for (size_t i = 0; i < n; i++)
		if (!strcmp(v[i].name, name) && !v[i].dying) {
			*domid = v[i].domid;
			r = 1;
			break;
		}
	free(v);
	return r;
}

static int domid_of(struct op *o, const char *name, int *domid)
{
	const char *argv[] = {"xl", "domid", name, NULL};
	char *out, *end;
	long id;
	int r = must(o, argv, &out);

	if (r < 0)
		return r;
	errno = 0;
	id = strtol(out, &end, 10);
	while (*end == '\n' || *end == ' ')
		end++;
	if (errno || end == out || *end || id <= 0 || id >= 0x7ff0)
		r = vr_errs_add(o->e, -EPROTO, o->guest,
		                "`xl domid %s` printed \"%s\", not a domid", name, out);
	else
		*domid = (int)id;
	free(out);
	return r;
}

struct nic {
	int devid;
	uint8_t mac[6];
};

static int nic_cmp(const void *a, const void *b)
{
	return ((const struct nic *)a)->devid - ((const struct nic *)b)->devid;
}

/* `xl network-list DOMID`: the guest's vifs, by devid. */
static int nics(struct op *o, int domid, struct nic **v, size_t *n)
{
	struct args a = {.n = 0};
	size_t cnt = 0, cap = 0;
	struct nic *d = NULL;
	char *out, *line, *save = NULL;
	int r;

	*v = NULL;
	*n = 0;
	arg(&a, "xl");
	arg(&a, "network-list");
	argf(&a, "%d", domid);
	r = must(o, a.v, &out);
	args_reset(&a);
	if (r < 0)
		return r;
	for (line = strtok_r(out, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		struct nic c;
		int be;

		if (sscanf(line, "%d %d %hhx:%hhx:%hhx:%hhx:%hhx:%hhx", &c.devid, &be, &c.mac[0],
		           &c.mac[1], &c.mac[2], &c.mac[3], &c.mac[4], &c.mac[5]) != 8 ||
		    c.devid < 0)
			continue;
		if (cnt == cap) {
			cap = cap ? cap * 2 : 8;
			d = realloc(d, cap * sizeof(*d));
			if (!d)
				abort();
		}
		d[cnt++] = c;
	}
	free(out);
	if (cnt > 1)
		qsort(d, cnt, sizeof(*d), nic_cmp);
	*v = d;
	*n = cnt;
	return 0;
}

static const struct nic *nic_by_mac(const struct nic *v, size_t n, const uint8_t mac[6])
{
	for (size_t i = 0; i < n; i++)
		if (!memcmp(v[i].mac, mac, 6))
			return &v[i];
	return NULL;
}

/* The vifs of s that g runs: the longest prefix of s's vifs found by MAC. */
static int learn_vifs(struct op *o, const struct vr_guest_spec *s, struct vr_guest *g)
{
	struct nic *v;
	size_t n;
	int r = nics(o, g->domid, &v, &n);

	if (r < 0)
		return r;
	g->n_vifs = 0;
	for (size_t i = 0; i < s->n_vifs && i < VR_GUEST_MAX_VIFS; i++) {
		const struct nic *c = nic_by_mac(v, n, s->guest_mac[i]);
		if (!c)
			break;
		vr_vif_name(g->domid, (size_t)c->devid, g->vif[i]);
		g->n_vifs = i + 1;
	}
	free(v);
	return 0;
}

/* ---- vifs in vrd's namespace ---- */

/* Wait until each of names exists (present) or none does.  Polls
 * if_nametoindex(): netback creates vif<domid>.<n> in dom0's namespace
 * when the backend device appears, before `xl create` returns, so this
 * rarely waits at all. */
static int wait_links(struct op *o, char (*names)[IFNAMSIZ], size_t n, bool present)
{
	for (;;) {
		size_t i;

		for (i = 0; i < n; i++)
			if ((if_nametoindex(names[i]) != 0) != present)
				break;
		if (i == n)
			return 0;
		if (now_ms() >= o->end)
			return vr_errs_add(o->e, -ETIMEDOUT, o->guest,
			                   "%s did not %s in vrd's network namespace within %d ms",
			                   names[i], present ? "appear" : "go away",
			                   o->x->timeout_ms);
		nanosleep(&(struct timespec){.tv_nsec = VIF_POLL_MS * 1000000L}, NULL);
	}
}

/* ---- xl.cfg ---- */

/* key = "value" with the xl.cfg escapes for '"' and '\'; control
 * characters have no place in these values. */
static int cfg_str(struct op *o, FILE *f, const char *key, const char *val, const char *what)
{
	for (const char *c = val; *c; c++)
		if ((unsigned char)*c < ' ' || *c == 0x7f)
			return vr_errs_add(o->e, -EINVAL, o->guest,
			                   "%s contains a control character: not usable in xl.cfg",
			                   what);
	fprintf(f, "%-11s = \"", key);
	for (const char *c = val; *c; c++) {
		if (*c == '"' || *c == '\\')
			fputc('\\', f);
		fputc(*c, f);
	}
	fputs("\"\n", f);
	return 0;
}

static char *cfg_text(struct op *o, const struct vr_guest_spec *s)
{
	const struct vr_domu *d = s->domu;
	const char *script = o->x->script;
	char *text = NULL;
	size_t len = 0;
	FILE *f;
	int r = 0;

	if (!d) {
		vr_errs_add(o->e, -EINVAL, o->guest, "router %s has no domu settings", s->router);
		return NULL;
	}
	if (!d->kernel || !*d->kernel) {
		vr_errs_add(o->e, -EINVAL, o->guest,
		            "router %s: domu kernel is not set (the xl driver boots a PV kernel)",
		            s->router);
		return NULL;
	}
	if (s->n_vifs > VR_GUEST_MAX_VIFS) {
		vr_errs_add(o->e, -E2BIG, o->guest,
		            "router %s: %zu interfaces, a guest has at most %d", s->router,
		            s->n_vifs, VR_GUEST_MAX_VIFS);
		return NULL;
	}
	if (!*script || strpbrk(script, ",'\"\\ \t\n")) {
		vr_errs_add(o->e, -EINVAL, o->guest,
		            "vif script \"%s\" is not usable in an xl vif spec (empty, or a "
		            "comma, quote, backslash or blank in it)",
		            script);
		return NULL;
	}
	f = open_memstream(&text, &len);
	if (!f)
		abort();
	fprintf(f, "# %s: the Xen guest of vrd's router %s.\n", s->name, s->router);
	fprintf(f, "# Generated by vrd, rewritten whenever vrd creates the guest.\n");
	r = cfg_str(o, f, "name", s->name, "the guest name");
	fprintf(f, "%-11s = \"pv\"\n", "type");
	if (r == 0)
		r = cfg_str(o, f, "kernel", d->kernel, "domu kernel");
	if (r == 0 && d->ramdisk && *d->ramdisk)
		r = cfg_str(o, f, "ramdisk", d->ramdisk, "domu ramdisk");
	if (r == 0 && d->extra && *d->extra)
		r = cfg_str(o, f, "cmdline", d->extra, "domu extra");
	fprintf(f, "%-11s = %u\n", "memory", (unsigned)d->memory_mib);
	fprintf(f, "%-11s = %u\n", "maxmem", (unsigned)d->memory_mib);
	fprintf(f, "%-11s = %u\n", "vcpus", (unsigned)d->vcpus);
	/* no bridge: the hotplug script only reports the vif connected,
	 * vrd plumbs it */
	fprintf(f, "%-11s = [", "vif");
	for (size_t i = 0; i < s->n_vifs; i++) {
		const uint8_t *m = s->guest_mac[i];
		fprintf(f, "%s'mac=%02x:%02x:%02x:%02x:%02x:%02x,script=%s'",
		        i ? ",\n               " : " ", m[0], m[1], m[2], m[3], m[4], m[5], script);
	}
	fprintf(f, " ]\n");
	fprintf(f, "%-11s = \"destroy\"\n", "on_poweroff");
	fprintf(f, "%-11s = \"restart\"\n", "on_reboot");
	fprintf(f, "%-11s = \"destroy\"\n", "on_watchdog");
	fprintf(f, "%-11s = \"destroy\"\n", "on_crash");
	fclose(f);
	if (r < 0) {
		free(text);
		return NULL;
	}
	return text;
}

static char *cfg_path(const struct xl *x, const char *guest)
{
	char *p;

	if (asprintf(&p, "%s/%s.cfg", x->dir, guest) < 0)
		abort();
	return p;
}

/* ---- the driver ---- */

static int xl_list(struct vr_hv *hv, struct vr_guest **out, size_t *n_out, struct vr_errs *e)
{
	struct op o = op_begin(hv, NULL, e);
	struct vr_guest *v = NULL;
	struct dom *d;
	size_t n, cnt = 0;
	int r;

	*out = NULL;
	*n_out = 0;
	r = domains(&o, &d, &n);
	if (r < 0)
		return r;
	for (size_t i = 0; i < n && r == 0; i++) {
		const char *router = vr_guest_router(VR_HV_XL, d[i].name);
		struct vr_guest *g;
		struct nic *c;
		size_t nc;

		if (!router || d[i].dying)
			continue;
		v = realloc(v, (cnt + 1) * sizeof(*v));
		if (!v)
			abort();
		g = &v[cnt++];
		memset(g, 0, sizeof(*g));
		snprintf(g->name, sizeof(g->name), "%s", d[i].name);
		snprintf(g->router, sizeof(g->router), "%s", router);
		g->domid = d[i].domid;
		o.guest = g->name;
		r = nics(&o, g->domid, &c, &nc);
		for (size_t k = 0; r == 0 && k < nc && k < VR_GUEST_MAX_VIFS; k++)
			vr_vif_name(g->domid, (size_t)c[k].devid, g->vif[g->n_vifs++]);
		if (r == 0)
			free(c);
	}
	free(d);
	if (r < 0) {
		free(v);
		return r;
	}
	*out = v;
	*n_out = cnt;
	return 0;
}

static int write_cfg(struct op *o, const struct vr_guest_spec *s)
{
	char *text = cfg_text(o, s), *path;
	int r;

	if (!text)
		return -EINVAL;
	path = cfg_path(o->x, s->name);
	r = vr_statedir_init(o->x->dir);
	if (r == 0)
		r = vr_file_write_atomic(path, text, strlen(text));
	if (r < 0)
		vr_errs_add(o->e, r, o->guest, "cannot write %s: %s", path, strerror(-r));
	free(path);
	free(text);
	return r;
}

static int xl_create(struct vr_hv *hv, const struct vr_guest_spec *s, struct vr_guest *g,
                     struct vr_errs *e)
{
	struct op o = op_begin(hv, s->name, e);
	int domid, r;

	memset(g, 0, sizeof(*g));
	snprintf(g->name, sizeof(g->name), "%s", s->name);
	snprintf(g->router, sizeof(g->router), "%s", s->router);
	r = find_domain(&o, s->name, &domid);
	if (r == 0) {
		char *path = cfg_path(o.x, s->name);
		const char *argv[] = {"xl", "create", path, NULL};

		r = write_cfg(&o, s);
		if (r == 0)
			r = must(&o, argv, NULL);
		free(path);
		if (r == 0)
			r = domid_of(&o, s->name, &domid);
		if (r < 0)
			return r;
	} else if (r < 0) {
		return r;
	}
	/* a running guest is only re-learned: attach adds what it lacks */
	g->domid = domid;
	r = learn_vifs(&o, s, g);
	if (r < 0)
		return r;
	return wait_links(&o, g->vif, g->n_vifs, true);
}

static int xl_attach(struct vr_hv *hv, const struct vr_guest_spec *s, struct vr_guest *g,
                     struct vr_errs *e)
{
	struct op o = op_begin(hv, g->name, e);
	size_t k = g->n_vifs;
	const uint8_t *m;
	const struct nic *c;
	struct nic *v;
	size_t n;
	int r;

	if (k >= s->n_vifs || k >= VR_GUEST_MAX_VIFS)
		return vr_errs_add(e, -EINVAL, g->name, "no vif %zu to attach (the router has %zu)",
		                   k, s->n_vifs);
	m = s->guest_mac[k];
	r = nics(&o, g->domid, &v, &n);
	if (r < 0)
		return r;
	c = nic_by_mac(v, n, m);
	if (!c) {
		struct args a = {.n = 0};

		free(v);
		arg(&a, "xl");
		arg(&a, "network-attach");
		argf(&a, "%d", g->domid);
		/* one key=value an argument: xl's parse_nic_config() takes
		 * "mac=M,script=S" for a MAC and drops the script */
		argf(&a, "mac=%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5]);
		argf(&a, "script=%s", o.x->script);
		r = must(&o, a.v, NULL);
		args_reset(&a);
		if (r == 0)
			r = nics(&o, g->domid, &v, &n);
		if (r < 0)
			return r;
		c = nic_by_mac(v, n, m);
		if (!c) {
			free(v);
			return vr_errs_add(e, -EPROTO, g->name,
			                   "xl network-attach succeeded but `xl network-list %d` "
			                   "shows no vif with MAC %02x:%02x:%02x:%02x:%02x:%02x",
			                   g->domid, m[0], m[1], m[2], m[3], m[4], m[5]);
		}
	}
	vr_vif_name(g->domid, (size_t)c->devid, g->vif[k]);
	free(v);
	r = wait_links(&o, &g->vif[k], 1, true);
	if (r == 0)
		g->n_vifs = k + 1;
	return r;
}

static int xl_push(struct vr_hv *hv, const struct vr_guest *g, const char *config, const char *gen,
                   struct vr_errs *e)
{
	struct op o = op_begin(hv, g->name, e);
	size_t len = strlen(config), n = (len + VR_XS_CHUNK - 1) / VR_XS_CHUNK, old = 0;
	struct args a = {.n = 0};
	struct vr_tool_res res;
	char base[64];
	int r;

	snprintf(base, sizeof(base), "/local/domain/%d/vrd", g->domid);

	/* the previous config's length: its chunks beyond ours go */
	arg(&a, "xenstore-read");
	arg(&a, "--");
	argf(&a, "%s/config/count", base);
	r = run(&o, a.v, &res);
	args_reset(&a);
	if (r < 0)
		return r;
	if (res.status == 0)
		old = strtoul(res.out, NULL, 10);
	vr_tool_res_free(&res);

	/* chunks, at most XS_BATCH a call; count with the last ones */
	for (size_t i = 0; r == 0 && (i < n || i == 0); i += XS_BATCH) {
		arg(&a, "xenstore-write");
		arg(&a, "-R");
		arg(&a, "--");
		for (size_t k = i; k < n && k < i + XS_BATCH; k++) {
			size_t off = k * VR_XS_CHUNK;
			size_t cl = len - off < VR_XS_CHUNK ? len - off : VR_XS_CHUNK;
			argf(&a, "%s/config/%zu", base, k);
			argf(&a, "%.*s", (int)cl, config + off);
		}
		if (i + XS_BATCH >= n) {
			argf(&a, "%s/config/count", base);
			argf(&a, "%zu", n);
		}
		r = must(&o, a.v, NULL);
		args_reset(&a);
		if (n == 0)
			break;
	}
	for (size_t i = n; r == 0 && i < old && i < n + (1u << 16); i += XS_BATCH) {
		arg(&a, "xenstore-rm");
		arg(&a, "--");
		for (size_t k = i; k < old && k < i + XS_BATCH; k++)
			argf(&a, "%s/config/%zu", base, k);
		r = must(&o, a.v, NULL);
		args_reset(&a);
	}
	/* dom0's, readable by this guest only */
	if (r == 0) {
		arg(&a, "xenstore-chmod");
		arg(&a, "-r");
		arg(&a, "--");
		arg(&a, base);
		arg(&a, "n0");
		argf(&a, "r%d", g->domid);
		r = must(&o, a.v, NULL);
		args_reset(&a);
	}
	/* last: what the guest watches */
	if (r == 0) {
		arg(&a, "xenstore-write");
		arg(&a, "--");
		argf(&a, "%s/generation", base);
		arg(&a, gen);
		r = must(&o, a.v, NULL);
		args_reset(&a);
	}
	if (r == 0) {
		arg(&a, "xenstore-chmod");
		arg(&a, "--");
		argf(&a, "%s/generation", base);
		arg(&a, "n0");
		argf(&a, "r%d", g->domid);
		r = must(&o, a.v, NULL);
		args_reset(&a);
	}
	return r;
}

static int xl_status(struct vr_hv *hv, const struct vr_guest *g, char *buf, size_t len)
{
	struct vr_errs e;
	struct op o;
	struct args a = {.n = 0};
	struct vr_tool_res res;
	int r;

	vr_errs_init(&e);
	o = op_begin(hv, g->name, &e);
	arg(&a, "xenstore-read");
	arg(&a, "-R");
	arg(&a, "--");
	argf(&a, "/local/domain/%d/data/vrd-status", g->domid);
	r = run(&o, a.v, &res);
	args_reset(&a);
	vr_errs_free(&e);
	if (r < 0) {
		vr_tool_res_free(&res);
		return r == -ETIMEDOUT ? r : -EIO;
	}
	if (res.status != 0) {
		/* xenstore_client.c: "couldn't read path P" for a missing
		 * (or unreadable) node; anything else is xenstore itself */
		r = strstr(res.err, "couldn't read path") ? -ENOENT : -EIO;
	} else {
		size_t n = res.out_len;
		while (n && (res.out[n - 1] == '\n' || res.out[n - 1] == '\r'))
			n--;
		if (len) {
			if (n >= len)
				n = len - 1;
			memcpy(buf, res.out, n);
			buf[n] = 0;
		}
	}
	vr_tool_res_free(&res);
	return r;
}

static int xl_destroy(struct vr_hv *hv, const struct vr_guest *g, struct vr_errs *e)
{
	struct op o = op_begin(hv, g->name, e);
	const char *argv[] = {"xl", "destroy", g->name, NULL};
	struct vr_tool_res res;
	char *path;
	int r, domid;

	r = run(&o, argv, &res);
	if (r == 0 && res.status != 0) {
		/* "NAME is an invalid domain identifier" when it is gone
		 * already: ask xl list rather than trust the wording */
		struct vr_errs tmp;
		struct op q = o;

		vr_errs_init(&tmp);
		q.e = &tmp;
		r = find_domain(&q, g->name, &domid);
		if (r != 0) {
			r = failed(&o, argv, &res);
			vr_errs_move(e, &tmp);
		}
		vr_errs_free(&tmp);
	}
	vr_tool_res_free(&res);
	if (r < 0)
		return r;
	r = wait_links(&o, (char(*)[IFNAMSIZ])g->vif, g->n_vifs, false);
	path = cfg_path(o.x, g->name);
	if (unlink(path) < 0 && errno != ENOENT && r == 0)
		r = vr_errs_add(e, -errno, g->name, "cannot remove %s: %s", path, strerror(errno));
	free(path);
	return r;
}

static void xl_free(struct vr_hv *hv)
{
	struct xl *x = hv->priv;

	free(x->dir);
	free(x->script);
	free(x);
}

static const struct vr_hv_ops xl_ops = {
    .name = "xl",
    .list = xl_list,
    .create = xl_create,
    .attach = xl_attach,
    .push = xl_push,
    .status = xl_status,
    .destroy = xl_destroy,
    .free = xl_free,
};

struct vr_hv *vr_hv_xl_new(const struct vr_hv_conf *conf)
{
	static const struct vr_hv_conf none;
	struct xl *x = calloc(1, sizeof(*x));
	int r;

	if (!x)
		return NULL;
	if (!conf)
		conf = &none;
	if (conf->xl_dir)
		r = asprintf(&x->dir, "%s", conf->xl_dir);
	else
		r = asprintf(&x->dir, "%s/xl",
		             conf->state_dir ? conf->state_dir : VR_STATEDIR_DEFAULT);
	x->script = strdup(conf->vif_script ? conf->vif_script : VR_VIF_SCRIPT);
	if (r < 0 || !x->script) {
		free(x->script);
		free(x);
		return NULL;
	}
	x->timeout_ms = conf->timeout_ms > 0 ? conf->timeout_ms : XL_TIMEOUT_MS;
	x->hv.ops = &xl_ops;
	x->hv.conf = *conf;
	x->hv.conf.xl_dir = x->dir;
	x->hv.conf.vif_script = x->script;
	x->hv.conf.timeout_ms = x->timeout_ms;
	x->hv.priv = x;
	return &x->hv;
}
