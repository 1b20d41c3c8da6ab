/* lab.c - the "lab" hypervisor driver (see hv.h): a network namespace
 * stands in for a Xen domU, so the whole domU path runs on any Linux host.
 *
 *   guest      namespace vrg-<router> (vr_guest_name)
 *   vif n      a veth pair: vif<gid>.<n> in vrd's namespace (tagged with the
 *              ifalias vrd:<router>, left down: vrd's dom0 plumbing sets its
 *              master, MAC and state) and eth<n> in the guest (MAC
 *              spec->guest_mac[n], up when created, the guest's from then on)
 *   channel    <state_dir>/guests/<router>/: config, generation, status
 *              (chan.h), plus this driver's records: gid, vifs (one dom0
 *              vif name a line), pid, vrd.log, and the guest vrd's state/
 *              and vrd.sock
 *   guest vrd  `<vrd_path> --guest lab:<dir> --state-dir <dir>/state
 *              --socket <dir>/vrd.sock` inside the guest namespace
 *
 * The guest vrd is started with a double fork: init is its parent at once,
 * so it outlives `vrd --once` and daemon restarts, and no caller ever has a
 * zombie to reap (with a single fork the daemon's SIGCHLD watcher would
 * have to, and --once has none).  Supervision is create() again: it is
 * idempotent and repairs (missing vifs added, a dead guest vrd restarted).
 * A guest vrd is recognised by its command line ("--guest lab:<dir>"), never
 * by its pid alone: a stale pid file must not get another process killed.
 *
 * This file must not touch a link that is not a guest's vif (checked by
 * kind, ifalias and peer), nor anything in the guest namespace once the
 * guest's own vrd has it (eth<n> is set up only when created). */
#include "place/hv.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <linux/rtnetlink.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "exec.h"
#include "kernel.h"
#include "nl/dec.h"
#include "statedir.h"
#include "sys.h"

#define DEFAULT_TIMEOUT_MS 5000
#define MAX_PROCS          16

struct lab {
	char *state_dir; /* absolute */
	char *vrd_path;  /* absolute when it has a '/' (the child chdirs to /) */
};

/* ---- paths ---------------------------------------------------------- */

static char *absolute(const char *p)
{
	char cwd[PATH_MAX], *out;

	if (p[0] == '/' || !getcwd(cwd, sizeof(cwd)))
		return strdup(p);
	if (asprintf(&out, "%s/%s", cwd, p) < 0)
		return NULL;
	return out;
}

/* A router name usable as a directory name. */
static bool router_ok(const char *r)
{
	return r && *r && strlen(r) < IFNAMSIZ && !strchr(r, '/') && strcmp(r, ".") &&
	       strcmp(r, "..");
}

/* <state_dir>/guests/<router>[/file] */
static int gpath(const struct vr_hv *hv, const char *router, const char *file, char *buf,
                 size_t len)
{
	const struct lab *lab = hv->priv;
	int n;

	if (!router_ok(router))
		return -EINVAL;
	n = snprintf(buf, len, "%s/guests/%s%s%s", lab->state_dir, router, file ? "/" : "",
	             file ? file : "");
	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

/* The router of a guest (its name when router is unset), or NULL. */
static const char *guest_router(const struct vr_guest *g)
{
	const char *r = g->router[0] ? g->router : vr_guest_router(VR_HV_LAB, g->name);

	return router_ok(r) ? r : NULL;
}

static int mkdir_p(const char *path)
{
	char buf[PATH_MAX];

	if ((size_t)snprintf(buf, sizeof(buf), "%s", path) >= sizeof(buf))
		return -ENAMETOOLONG;
	for (char *s = buf + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = 0;
		if (mkdir(buf, 0755) < 0 && errno != EEXIST)
			return -errno;
		*s = '/';
	}
	return mkdir(buf, 0755) < 0 && errno != EEXIST ? -errno : 0;
}

static int rm_cb(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path) < 0 && errno != ENOENT ? -errno : 0;
}

static int rm_tree(const char *path)
{
	int r = nftw(path, rm_cb, 16, FTW_DEPTH | FTW_PHYS);

	if (r < 0 && errno == ENOENT)
		return 0;
	return r < 0 ? -errno : r;
}

/* ---- links ---------------------------------------------------------- */

struct links {
	struct vr_link *v;
	size_t n, cap;
};

static int links_cb(const struct nlmsghdr *nlh, void *data)
{
	struct links *ls = data;
	struct vr_link l;

	if (nlh->nlmsg_type != RTM_NEWLINK || vr_dec_link(nlh, &l) < 0)
		return 0;
	if (ls->n == ls->cap) {
		ls->cap = ls->cap ? 2 * ls->cap : 32;
		ls->v = realloc(ls->v, ls->cap * sizeof(*ls->v));
		if (!ls->v)
			abort();
	}
	ls->v[ls->n++] = l;
	return 0;
}

/* Every link of namespace ns. */
static int links_dump(struct vr_kernel *k, const char *ns, struct links *ls)
{
	struct vr_nl *nl = vr_kernel_nl(k, ns);
	char req[256];
	size_t len;
	int r = -EINTR;

	if (!nl)
		return -errno;
	for (int tries = 0; tries < 4 && r == -EINTR; tries++) {
		ls->n = 0;
		len = vr_enc_dump_links(req, sizeof(req), vr_nl_next_seq(nl));
		if (!len)
			return -EMSGSIZE;
		r = vr_nl_dump(nl, req, len, links_cb, ls);
	}
	return r;
}

static const struct vr_link *links_find(const struct links *ls, const char *name)
{
	for (size_t i = 0; i < ls->n; i++)
		if (!strcmp(ls->v[i].name, name))
			return &ls->v[i];
	return NULL;
}

/* A vif of router's guest: a veth tagged vrd:<router> whose peer is in
 * another namespace. */
static bool vif_ours(const struct vr_link *l, const char *router)
{
	return l && l->kind == VR_LINK_VETH && l->created && l->owner &&
	       !strcmp(l->owner, router) && l->link_other_ns;
}

/* Its peer is a veth of the guest's namespace (dump gl). */
static bool vif_paired(const struct vr_link *l, const struct links *gl)
{
	for (size_t i = 0; i < gl->n; i++)
		if (gl->v[i].kind == VR_LINK_VETH && gl->v[i].link_other_ns &&
		    gl->v[i].link_index == l->ifindex)
			return true;
	return false;
}

static void plan_link(struct vr_plan *p, enum vr_op_code code, enum vr_wave w,
                      const struct vr_link *l)
{
	struct vr_op op = {.code = code, .wave = w};

	op.o.link = *l;
	vr_plan_add(p, &op);
}

/* Delete dom0 link name, alone in its plan: a failure must not make the
 * executor "undo" other deletes by adding links back. */
static int link_del(struct vr_kernel *k, const char *name, struct vr_errs *e)
{
	struct vr_link l = {.ns = vr_intern(""), .kind = VR_LINK_VETH, .up = -1};
	struct vr_plan p;
	int r;

	snprintf(l.name, sizeof(l.name), "%s", name);
	vr_plan_init(&p);
	plan_link(&p, VR_OP_LINK_DEL, VR_WAVE_DEL_LINK, &l);
	r = vr_exec(k, NULL, &p, e, NULL);
	vr_plan_free(&p);
	return r;
}

/* Make vifs [from, to) of s exist, each paired with eth<n> in the guest
 * namespace (which exists).  A vif that is ours but lost its peer (the
 * namespace was replaced under it) is replaced; a link of that name that
 * is not ours is an error.  lo is brought up when it is down. */
static int vifs_ensure(const struct vr_guest_spec *s, const char *router, size_t from, size_t to,
                       struct vr_errs *e)
{
	const char *gns = vr_intern(s->name), *own = vr_intern(router);
	struct links dl = {0}, gl = {0};
	struct vr_kernel k;
	struct vr_plan add, set;
	const struct vr_link *l;
	int r;

	vr_kernel_init(&k);
	vr_plan_init(&add);
	vr_plan_init(&set);
	if ((r = links_dump(&k, "", &dl)) < 0 || (r = links_dump(&k, gns, &gl)) < 0) {
		vr_errs_add(e, r, s->name, "cannot list links: %s", strerror(-r));
		goto out;
	}
	for (size_t n = from; n < to; n++) {
		struct vr_link v = {.ns = vr_intern(""), .owner = own, .created = true, .up = -1};
		struct vr_link ge = {.ns = gns, .keep_master = true, .up = 1};

		vr_vif_name(s->gid, n, v.name);
		l = links_find(&dl, v.name);
		if (l && !vif_ours(l, router)) {
			r = vr_errs_add(e, -EEXIST, s->name,
			                "%s exists and is not this guest's vif", v.name);
			goto out;
		}
		if (l && vif_paired(l, &gl))
			continue;
		if (l && (r = link_del(&k, v.name, e)) < 0)
			goto out;
		v.kind = VR_LINK_VETH;
		snprintf(v.u.veth.peer, IFNAMSIZ, "eth%u", (unsigned)n);
		v.u.veth.peer_ns = gns;
		v.u.veth.peer_has_mac = true;
		memcpy(v.u.veth.peer_mac, s->guest_mac[n], 6);
		plan_link(&add, VR_OP_LINK_ADD, VR_WAVE_LINK, &v);
		/* The kernel ignores IFLA_IFALIAS in a create (see nl/enc.c):
		 * the tag needs a set once the link exists. */
		v.keep_master = true;
		plan_link(&set, VR_OP_LINK_SET, VR_WAVE_SET, &v);
		snprintf(ge.name, IFNAMSIZ, "eth%u", (unsigned)n);
		plan_link(&set, VR_OP_LINK_SET, VR_WAVE_SET, &ge);
	}
	l = links_find(&gl, "lo");
	if (l && !l->up) {
		struct vr_link lo = {.ns = gns, .keep_master = true, .up = 1, .name = "lo"};
		plan_link(&set, VR_OP_LINK_SET, VR_WAVE_SET, &lo);
	}
	for (size_t i = 0; i < set.n; i++)
		vr_plan_add(&add, &set.v[i]);
	r = vr_exec(&k, NULL, &add, e, NULL);
out:
	vr_plan_free(&add);
	vr_plan_free(&set);
	free(dl.v);
	free(gl.v);
	/* Closes our descriptors of the guest namespace: they would keep it
	 * alive after its name is deleted. */
	vr_kernel_free(&k);
	return r;
}

/* ---- records: gid, vifs ----------------------------------------------- */

struct names {
	char (*v)[IFNAMSIZ];
	size_t n;
};

static void names_add(struct names *ns, const char *name)
{
	for (size_t i = 0; i < ns->n; i++)
		if (!strcmp(ns->v[i], name))
			return;
	ns->v = realloc(ns->v, (ns->n + 1) * sizeof(*ns->v));
	if (!ns->v)
		abort();
	snprintf(ns->v[ns->n++], IFNAMSIZ, "%s", name);
}

/* The names in <dir>/vifs (none when absent). */
static int vifs_load(struct vr_hv *hv, const char *router, struct names *out)
{
	char path[PATH_MAX], *text, *line, *save = NULL;
	int r;

	if ((r = gpath(hv, router, "vifs", path, sizeof(path))) < 0)
		return r;
	r = vr_file_read(path, &text, NULL);
	if (r == -ENOENT)
		return 0;
	if (r < 0)
		return r;
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		if (*line && strlen(line) < IFNAMSIZ)
			names_add(out, line);
	free(text);
	return 0;
}

/* Record vif<gid>.0 .. vif<gid>.<n-1>, then the earlier records (a create
 * never removes vifs: destroy must still find them). */
static int records_save(struct vr_hv *hv, const char *router, unsigned gid, size_t n)
{
	struct names old = {0}, all = {0};
	char path[PATH_MAX], name[IFNAMSIZ], num[16];
	char *text = NULL;
	size_t len = 0;
	FILE *f;
	int r;

	if ((r = gpath(hv, router, "gid", path, sizeof(path))) < 0)
		return r;
	snprintf(num, sizeof(num), "%u\n", gid);
	if ((r = vr_file_write_atomic(path, num, strlen(num))) < 0)
		return r;
	if ((r = vifs_load(hv, router, &old)) < 0)
		return r;
	for (size_t i = 0; i < n; i++) {
		vr_vif_name((int)gid, i, name);
		names_add(&all, name);
	}
	for (size_t i = 0; i < old.n; i++)
		names_add(&all, old.v[i]);
	f = open_memstream(&text, &len);
	if (!f)
		abort();
	for (size_t i = 0; i < all.n; i++)
		fprintf(f, "%s\n", all.v[i]);
	fclose(f);
	if ((r = gpath(hv, router, "vifs", path, sizeof(path))) == 0)
		r = vr_file_write_atomic(path, text, len);
	free(text);
	free(old.v);
	free(all.v);
	return r;
}

static int gid_load(struct vr_hv *hv, const char *router)
{
	char path[PATH_MAX], *text, *end;
	long v;
	int r;

	if ((r = gpath(hv, router, "gid", path, sizeof(path))) < 0)
		return r;
	if ((r = vr_file_read(path, &text, NULL)) < 0)
		return r;
	v = strtol(text, &end, 10);
	r = end == text || v < 1 || v > 32767 ? -EINVAL : (int)v;
	free(text);
	return r;
}

/* ---- the guest's vrd ------------------------------------------------- */

/* Its command line holds "--guest" "lab:<dir>" (chan). */
static bool proc_ours(pid_t pid, const char *chan)
{
	char path[64], buf[8192];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/cmdline", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return false; /* gone, a zombie, or a kernel thread */
	buf[n] = 0;
	for (const char *a = buf, *end = buf + n; a < end; a += strlen(a) + 1) {
		const char *b = a + strlen(a) + 1;
		if (!strcmp(a, "--guest") && b < end && !strcmp(b, chan))
			return true;
	}
	return false;
}

/* It runs in namespace name (and not in one that had that name before). */
static bool proc_in_ns(pid_t pid, const char *name)
{
	char path[PATH_MAX];
	struct stat a, b;

	snprintf(path, sizeof(path), "/proc/%d/ns/net", (int)pid);
	if (stat(path, &a) < 0)
		return false;
	snprintf(path, sizeof(path), "%s/%s", VR_NETNS_DIR, name);
	return stat(path, &b) == 0 && a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

static pid_t pidfile_read(const char *dir)
{
	char path[PATH_MAX], *text;
	long v;

	snprintf(path, sizeof(path), "%s/pid", dir);
	if (vr_file_read(path, &text, NULL) < 0)
		return 0;
	v = strtol(text, NULL, 10);
	free(text);
	return v > 1 && v < INT_MAX ? (pid_t)v : 0;
}

/* The processes running router's guest vrd: the pid file's if it is one,
 * and any other (a start interrupted before the pid file was written). */
static size_t guest_procs(const char *dir, const char *chan, pid_t *out)
{
	pid_t pf = pidfile_read(dir);
	struct dirent *de;
	size_t n = 0;
	DIR *d;

	if (pf && proc_ours(pf, chan))
		out[n++] = pf;
	d = opendir("/proc");
	if (!d)
		return n;
	while ((de = readdir(d)) && n < MAX_PROCS) {
		char *end;
		long v = strtol(de->d_name, &end, 10);
		if (*end || v <= 1 || v == pf || !proc_ours((pid_t)v, chan))
			continue;
		out[n++] = (pid_t)v;
	}
	closedir(d);
	return n;
}

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Signal the guest vrd's processes with sig and wait up to ms for them to
 * go.  Returns how many are left. */
static size_t procs_stop(const char *dir, const char *chan, int sig, int ms)
{
	pid_t p[MAX_PROCS];
	size_t n = guest_procs(dir, chan, p);
	long end = now_ms() + ms;

	for (size_t i = 0; i < n; i++)
		kill(p[i], sig);
	while (n) {
		size_t left = 0;
		/* A zombie has an empty command line: gone for us, reaped by
		 * init (the double fork made init its parent). */
		for (size_t i = 0; i < n; i++)
			if (proc_ours(p[i], chan))
				p[left++] = p[i];
		n = left;
		if (!n || now_ms() >= end)
			break;
		nanosleep(&(struct timespec){.tv_nsec = 10 * 1000000}, NULL);
	}
	return n;
}

/* In the grandchild, after fork: only async-signal-safe calls.  Reports
 * errno on p (close-on-exec: EOF means exec succeeded). */
static void guest_exec(int nsfd, int nullfd, int logfd, int p, const char *path, char *const *argv)
{
	struct sigaction sa = {.sa_handler = SIG_DFL};
	sigset_t none;
	pid_t self = getpid();
	int err;

	(void)!write(p, &self, sizeof(self));
	/* Ignored signals and the mask survive exec: the dom0 vrd's (SIGPIPE
	 * ignored, signals libev blocks) must not become the guest's. */
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	for (int sig = 1; sig < NSIG; sig++)
		sigaction(sig, &sa, NULL);
	if (setns(nsfd, CLONE_NEWNET) < 0 || setsid() < 0 || dup2(nullfd, 0) < 0 ||
	    dup2(logfd, 1) < 0 || dup2(logfd, 2) < 0 || chdir("/") < 0)
		goto fail;
	for (int fd = 0; fd < 3; fd++)
		fcntl(fd, F_SETFD, 0);
	/* Everything else closes at exec; p stays usable until then. */
	if (close_range(3, ~0U, CLOSE_RANGE_CLOEXEC) < 0)
		for (int fd = 3; fd < 1024; fd++)
			if (fd != p)
				close(fd);
	if (strchr(path, '/'))
		execv(path, argv);
	else
		execvp(path, argv);
fail:
	err = errno;
	(void)!write(p, &err, sizeof(err));
	_exit(127);
}

static ssize_t read_full(int fd, void *buf, size_t len)
{
	size_t got = 0;

	while (got < len) {
		ssize_t r = read(fd, (char *)buf + got, len - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		if (r == 0)
			break;
		got += (size_t)r;
	}
	return (ssize_t)got;
}

/* Start the guest vrd in namespace name; its pid into <dir>/pid. */
static int guest_start(const struct lab *lab, const char *name, const char *dir, const char *chan,
                       struct vr_errs *e)
{
	char sdir[PATH_MAX], sock[PATH_MAX], logp[PATH_MAX], pidp[PATH_MAX], num[32];
	char *argv[] = {lab->vrd_path, "--guest",  (char *)chan, "--state-dir",
	                sdir,          "--socket", sock,         NULL};
	int nsfd = -1, nullfd = -1, logfd = -1, p[2] = {-1, -1}, err = 0, r;
	pid_t c, pid = 0;
	ssize_t got;

	if (snprintf(sdir, sizeof(sdir), "%s/state", dir) >= (int)sizeof(sdir) ||
	    snprintf(sock, sizeof(sock), "%s/vrd.sock", dir) >= (int)sizeof(sock) ||
	    snprintf(logp, sizeof(logp), "%s/vrd.log", dir) >= (int)sizeof(logp) ||
	    snprintf(pidp, sizeof(pidp), "%s/pid", dir) >= (int)sizeof(pidp))
		return vr_errs_add(e, -ENAMETOOLONG, name, "the guest directory %s is too long", dir);
	if ((r = mkdir_p(sdir)) < 0)
		return vr_errs_add(e, r, name, "cannot create %s: %s", sdir, strerror(-r));
	nsfd = vr_netns_open(name);
	nullfd = open("/dev/null", O_RDWR | O_CLOEXEC);
	logfd = open(logp, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (nsfd < 0 || nullfd < 0 || logfd < 0 || pipe2(p, O_CLOEXEC) < 0) {
		r = nsfd < 0 ? nsfd : -errno;
		vr_errs_add(e, r, name, "cannot start the guest vrd: %s", strerror(-r));
		goto out;
	}
	c = fork();
	if (c == 0) {
		close(p[0]);
		pid_t g = fork();
		if (g == 0)
			guest_exec(nsfd, nullfd, logfd, p[1], lab->vrd_path, argv);
		if (g < 0) {
			err = errno;
			(void)!write(p[1], &g, sizeof(g));
			(void)!write(p[1], &err, sizeof(err));
		}
		_exit(g < 0);
	}
	close(p[1]);
	p[1] = -1;
	if (c < 0) {
		r = -errno;
		vr_errs_add(e, r, name, "fork: %s", strerror(-r));
		goto out;
	}
	got = read_full(p[0], &pid, sizeof(pid));
	if (got == sizeof(pid))
		got = read_full(p[0], &err, sizeof(err));
	else
		err = got < 0 ? (int)-got : ECHILD;
	while (waitpid(c, NULL, 0) < 0 && errno == EINTR)
		;
	if (got == sizeof(err) || pid <= 0) {
		r = -(err ? err : EIO);
		vr_errs_add(e, r, name, "cannot start %s: %s", lab->vrd_path, strerror(-r));
		goto out;
	}
	snprintf(num, sizeof(num), "%d\n", (int)pid);
	r = vr_file_write_atomic(pidp, num, strlen(num));
	if (r < 0)
		vr_errs_add(e, r, name, "cannot write %s: %s", pidp, strerror(-r));
out:
	if (nsfd >= 0)
		close(nsfd);
	if (nullfd >= 0)
		close(nullfd);
	if (logfd >= 0)
		close(logfd);
	if (p[0] >= 0)
		close(p[0]);
	if (p[1] >= 0)
		close(p[1]);
	return r;
}

/* The guest vrd runs, in the guest namespace: started when it does not;
 * one left in a namespace that lost the name (deleted by hand, then
 * created again) is stopped first. */
static int guest_ensure(struct vr_hv *hv, const char *name, const char *dir, const char *chan,
                        struct vr_errs *e)
{
	pid_t p[MAX_PROCS];
	size_t n = guest_procs(dir, chan, p), in = 0;

	for (size_t i = 0; i < n; i++)
		in += proc_in_ns(p[i], name);
	if (n && in == n)
		return 0;
	if (n && procs_stop(dir, chan, SIGTERM, hv->conf.timeout_ms) &&
	    procs_stop(dir, chan, SIGKILL, hv->conf.timeout_ms))
		return vr_errs_add(e, -ETIMEDOUT, name, "a stale guest vrd does not die");
	return guest_start(hv->priv, name, dir, chan, e);
}

/* ---- driver ops ------------------------------------------------------ */

static int spec_check(const struct vr_guest_spec *s, struct vr_errs *e)
{
	const char *r = vr_guest_router(VR_HV_LAB, s->name);

	if (!r || !router_ok(s->router) || strcmp(r, s->router))
		return vr_errs_add(e, -EINVAL, s->name, "not the lab guest name of router %s",
		                   s->router);
	if (s->gid < 1 || s->gid > 32767 || s->n_vifs > VR_GUEST_MAX_VIFS)
		return vr_errs_add(e, -EINVAL, s->name, "guest id %u or %zu vifs out of range",
		                   s->gid, s->n_vifs);
	return 0;
}

static void guest_fill(const struct vr_guest_spec *s, size_t n, struct vr_guest *g)
{
	memset(g, 0, sizeof(*g));
	snprintf(g->name, sizeof(g->name), "%s", s->name);
	snprintf(g->router, sizeof(g->router), "%s", s->router);
	g->domid = (int)s->gid;
	g->n_vifs = n;
	for (size_t i = 0; i < n; i++)
		vr_vif_name(g->domid, i, g->vif[i]);
}

static int lab_destroy(struct vr_hv *hv, const struct vr_guest *g, struct vr_errs *e);

static int lab_create(struct vr_hv *hv, const struct vr_guest_spec *s, struct vr_guest *g,
                      struct vr_errs *e)
{
	char dir[PATH_MAX], chan[PATH_MAX + 8], status[PATH_MAX];
	bool fresh = false;
	int r;

	if ((r = spec_check(s, e)) < 0)
		return r;
	if ((r = gpath(hv, s->router, NULL, dir, sizeof(dir))) < 0 ||
	    (r = gpath(hv, s->router, "status", status, sizeof(status))) < 0)
		return vr_errs_add(e, r, s->name, "bad state directory: %s", strerror(-r));
	snprintf(chan, sizeof(chan), "lab:%s", dir);
	/* The directory first: list() knows guests by it. */
	if ((r = mkdir_p(dir)) < 0)
		return vr_errs_add(e, r, s->name, "cannot create %s: %s", dir, strerror(-r));
	r = vr_netns_add(s->name);
	if (r == 0) {
		/* A status left by an earlier guest of that name describes a
		 * kernel that no longer exists. */
		fresh = true;
		unlink(status);
	} else if (r != -EEXIST) {
		return vr_errs_add(e, r, s->name, "cannot create the namespace: %s", strerror(-r));
	}
	if ((r = vifs_ensure(s, s->router, 0, s->n_vifs, e)) < 0)
		goto fail;
	if ((r = records_save(hv, s->router, s->gid, s->n_vifs)) < 0) {
		vr_errs_add(e, r, s->name, "cannot record the vifs: %s", strerror(-r));
		goto fail;
	}
	if ((r = guest_ensure(hv, s->name, dir, chan, e)) < 0)
		goto fail;
	guest_fill(s, s->n_vifs, g);
	return 0;
fail:
	/* A guest this call began is not left half made. */
	if (fresh) {
		struct vr_errs ignored;
		struct vr_guest gone;
		vr_errs_init(&ignored);
		guest_fill(s, s->n_vifs, &gone);
		lab_destroy(hv, &gone, &ignored);
		vr_errs_free(&ignored);
	}
	return r;
}

static int lab_attach(struct vr_hv *hv, const struct vr_guest_spec *s, struct vr_guest *g,
                      struct vr_errs *e)
{
	size_t n = g->n_vifs;
	char path[PATH_MAX];
	int r;

	if ((r = spec_check(s, e)) < 0)
		return r;
	if (n >= s->n_vifs || (int)s->gid != g->domid)
		return vr_errs_add(e, -EINVAL, s->name, "vif %zu is not in the spec (%zu vifs)", n,
		                   s->n_vifs);
	snprintf(path, sizeof(path), "%s/%s", VR_NETNS_DIR, s->name);
	if (access(path, F_OK) < 0)
		return vr_errs_add(e, -ENOENT, s->name, "no such guest");
	if ((r = vifs_ensure(s, s->router, n, n + 1, e)) < 0)
		return r;
	if ((r = records_save(hv, s->router, s->gid, n + 1)) < 0)
		return vr_errs_add(e, r, s->name, "cannot record the vifs: %s", strerror(-r));
	vr_vif_name(g->domid, n, g->vif[n]);
	g->n_vifs = n + 1;
	return 0;
}

static int lab_list(struct vr_hv *hv, struct vr_guest **v, size_t *n, struct vr_errs *e)
{
	struct lab *lab = hv->priv;
	struct vr_guest *out = NULL;
	char dir[PATH_MAX];
	struct vr_kernel k;
	struct links dl = {0};
	struct dirent *de;
	size_t cnt = 0;
	DIR *d;
	int r;

	*v = NULL;
	*n = 0;
	snprintf(dir, sizeof(dir), "%s/guests", lab->state_dir);
	/* By channel directory, not by namespace name alone: another vrd
	 * (another state directory) has vrg- namespaces too, and a guest
	 * half destroyed may have lost its namespace but not its process. */
	d = opendir(dir);
	if (!d)
		return errno == ENOENT ? 0 : vr_errs_add(e, -errno, dir, "%s", strerror(errno));
	vr_kernel_init(&k);
	if ((r = links_dump(&k, "", &dl)) < 0) {
		vr_errs_add(e, r, NULL, "cannot list links: %s", strerror(-r));
		goto out;
	}
	while ((de = readdir(d))) {
		struct vr_guest *g;
		struct names vifs = {0};
		int gid;

		if (de->d_name[0] == '.' || !router_ok(de->d_name))
			continue;
		out = realloc(out, (cnt + 1) * sizeof(*out));
		if (!out)
			abort();
		g = &out[cnt++];
		memset(g, 0, sizeof(*g));
		vr_guest_name(VR_HV_LAB, de->d_name, g->name);
		snprintf(g->router, sizeof(g->router), "%.*s", IFNAMSIZ - 1, de->d_name);
		gid = gid_load(hv, g->router);
		g->domid = gid > 0 ? gid : -1;
		vifs_load(hv, g->router, &vifs);
		/* In order, up to the first one missing: vif[i] is always
		 * the guest's eth<i>. */
		for (size_t i = 0; i < vifs.n && i < VR_GUEST_MAX_VIFS; i++) {
			if (!vif_ours(links_find(&dl, vifs.v[i]), g->router))
				break;
			snprintf(g->vif[g->n_vifs++], IFNAMSIZ, "%s", vifs.v[i]);
		}
		free(vifs.v);
	}
	*v = out;
	*n = cnt;
	out = NULL;
	r = 0;
out:
	free(out);
	free(dl.v);
	vr_kernel_free(&k);
	closedir(d);
	return r;
}

static int lab_push(struct vr_hv *hv, const struct vr_guest *g, const char *config, const char *gen,
                    struct vr_errs *e)
{
	const char *router = guest_router(g);
	char want[VR_GUEST_GEN_LEN], path[PATH_MAX], line[VR_GUEST_GEN_LEN + 1];
	int r;

	vr_guest_gen(config, want);
	if (strcmp(want, gen))
		return vr_errs_add(e, -EINVAL, g->name, "generation %s is not the config's (%s)",
		                   gen, want);
	if (!router || gpath(hv, router, NULL, path, sizeof(path)) < 0)
		return vr_errs_add(e, -EINVAL, g->name, "not a lab guest");
	if (access(path, F_OK) < 0)
		return vr_errs_add(e, -ENOENT, g->name, "no such guest");
	/* config before generation: a reader that sees the new generation
	 * finds the config it names. */
	gpath(hv, router, "config", path, sizeof(path));
	if ((r = vr_file_write_atomic(path, config, strlen(config))) < 0)
		return vr_errs_add(e, r, g->name, "cannot write %s: %s", path, strerror(-r));
	gpath(hv, router, "generation", path, sizeof(path));
	snprintf(line, sizeof(line), "%s\n", gen);
	if ((r = vr_file_write_atomic(path, line, strlen(line))) < 0)
		return vr_errs_add(e, r, g->name, "cannot write %s: %s", path, strerror(-r));
	return 0;
}

static int lab_status(struct vr_hv *hv, const struct vr_guest *g, char *buf, size_t len)
{
	const char *router = guest_router(g);
	char path[PATH_MAX], *text;
	int r;

	if (!len)
		return -EINVAL;
	buf[0] = 0;
	if (!router || gpath(hv, router, "status", path, sizeof(path)) < 0)
		return -EINVAL;
	if ((r = vr_file_read(path, &text, NULL)) < 0)
		return r;
	text[strcspn(text, "\n")] = 0;
	snprintf(buf, len, "%s", text);
	free(text);
	return 0;
}

static int lab_destroy(struct vr_hv *hv, const struct vr_guest *g, struct vr_errs *e)
{
	const char *router = guest_router(g);
	const int ms = hv->conf.timeout_ms;
	char dir[PATH_MAX], chan[PATH_MAX + 8], name[VR_GUEST_NAME_MAX];
	struct names vifs = {0};
	struct links dl = {0};
	struct vr_kernel k;
	int r, ret = 0;

	if (!router || gpath(hv, router, NULL, dir, sizeof(dir)) < 0)
		return vr_errs_add(e, -EINVAL, g->name, "not a lab guest");
	vr_guest_name(VR_HV_LAB, router, name);
	snprintf(chan, sizeof(chan), "lab:%s", dir);
	/* 1. The guest vrd: TERM, then KILL. */
	if (procs_stop(dir, chan, SIGTERM, ms) && procs_stop(dir, chan, SIGKILL, ms))
		ret = vr_errs_add(e, -ETIMEDOUT, name, "the guest vrd does not die");
	/* 2. The vifs, now: a namespace is dismantled asynchronously after
	 * its deletion, and deleting one end of a veth deletes both. */
	for (size_t i = 0; i < g->n_vifs; i++)
		names_add(&vifs, g->vif[i]);
	vifs_load(hv, router, &vifs);
	vr_kernel_init(&k);
	if ((r = links_dump(&k, "", &dl)) < 0)
		ret = vr_errs_add(e, r, name, "cannot list links: %s", strerror(-r));
	for (size_t i = 0; i < vifs.n; i++) {
		if (!vif_ours(links_find(&dl, vifs.v[i]), router))
			continue;
		if ((r = link_del(&k, vifs.v[i], e)) < 0 && !ret)
			ret = r;
	}
	free(dl.v);
	free(vifs.v);
	vr_kernel_free(&k);
	/* 3. The namespace, 4. the directory (last: list() finds a guest
	 * whose destroy was interrupted by it). */
	r = vr_netns_del(name);
	if (r < 0 && r != -ENOENT)
		ret = vr_errs_add(e, r, name, "cannot delete the namespace: %s", strerror(-r));
	if (ret == 0 && (r = rm_tree(dir)) < 0)
		ret = vr_errs_add(e, r, name, "cannot remove %s: %s", dir, strerror(-r));
	return ret;
}

static void lab_free(struct vr_hv *hv)
{
	struct lab *lab = hv->priv;

	free(lab->state_dir);
	free(lab->vrd_path);
	free(lab);
	free(hv);
}

static const struct vr_hv_ops lab_ops = {
    .name = "lab",
    .list = lab_list,
    .create = lab_create,
    .attach = lab_attach,
    .push = lab_push,
    .status = lab_status,
    .destroy = lab_destroy,
    .free = lab_free,
};

struct vr_hv *vr_hv_lab_new(const struct vr_hv_conf *conf)
{
	struct vr_hv *hv = calloc(1, sizeof(*hv));
	struct lab *lab = calloc(1, sizeof(*lab));

	if (!hv || !lab)
		abort();
	lab->state_dir = absolute(conf->state_dir ? conf->state_dir : VR_STATEDIR_DEFAULT);
	if (!conf->vrd_path)
		lab->vrd_path = strdup("vrd"); /* found in PATH */
	else if (strchr(conf->vrd_path, '/'))
		lab->vrd_path = absolute(conf->vrd_path);
	else
		lab->vrd_path = strdup(conf->vrd_path);
	if (!lab->state_dir || !lab->vrd_path)
		abort();
	hv->ops = &lab_ops;
	hv->priv = lab;
	hv->conf = *conf;
	hv->conf.state_dir = lab->state_dir;
	hv->conf.vrd_path = lab->vrd_path;
	if (hv->conf.timeout_ms <= 0)
		hv->conf.timeout_ms = DEFAULT_TIMEOUT_MS;
	return hv;
}
