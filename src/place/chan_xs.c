/* chan_xs.c - the guest's end of the xenstore channel (see chan.h).
 *
 * Reads what the dom0 vrd pushed (xl.c) with the xenstore-* tools, writes
 * the status line back, and turns a `xenstore-watch vrd/generation` child
 * into a readable descriptor.  Paths without a leading '/' are resolved
 * by xenstored against the caller's home, /local/domain/<own domid>.
 *
 * The descriptor fd() gives is an epoll set, not the watch's pipe itself,
 * so that it stays the same when the watch has to be restarted (a watch
 * whose xenstore connection broke exits): a dead watch is restarted at
 * once, or, when it died within WATCH_RETRY_MS of its start, by a timer
 * in the same set.  A new watch fires once at once, so nothing that
 * changed meanwhile is missed. */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "place/chan.h"
#include "place/tool.h"

#define XS_TIMEOUT_MS  10000
#define WATCH_RETRY_MS 1000
#define XS_MAX_CHUNKS  4096 /* 8 MB of config */
#define WATCH_PATH     "vrd/generation"

struct xs {
	struct vr_chan c;
	int domid;
	int ep;   /* what fd() gives: the watch's pipe and the retry timer */
	int pipe; /* the watch's stdout, -1 while none runs */
	pid_t pid;
	int timer; /* timerfd: restart a watch that died */
	double started;
};

static double now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static int watch_start(struct xs *x)
{
	const char *argv[] = {"xenstore-watch", WATCH_PATH, NULL};
	struct epoll_event ev = {.events = EPOLLIN};
	int r;

	r = vr_tool_spawn(argv, &x->pid, &x->pipe);
	if (r < 0) {
		x->pid = -1;
		x->pipe = -1;
		return r;
	}
	ev.data.fd = x->pipe;
	if (epoll_ctl(x->ep, EPOLL_CTL_ADD, x->pipe, &ev) < 0) {
		r = -errno;
		close(x->pipe);
		vr_tool_stop(x->pid, 200);
		x->pid = -1;
		x->pipe = -1;
		return r;
	}
	x->started = now_ms();
	return 0;
}

static void watch_stop(struct xs *x)
{
	if (x->pipe >= 0) {
		epoll_ctl(x->ep, EPOLL_CTL_DEL, x->pipe, NULL);
		close(x->pipe);
		x->pipe = -1;
	}
	if (x->pid > 0)
		vr_tool_stop(x->pid, 200);
	x->pid = -1;
}

static void retry_in(struct xs *x, int ms)
{
	struct itimerspec t = {
	    .it_value = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L}};

	timerfd_settime(x->timer, 0, &t, NULL);
}

static void xs_drain(struct vr_chan *c)
{
	struct xs *x = c->priv;
	bool dead = false, due = false;
	uint64_t expired;
	char buf[512];

	while (x->pipe >= 0) {
		ssize_t n = read(x->pipe, buf, sizeof(buf));
		if (n > 0 || (n < 0 && errno == EINTR))
			continue;
		dead = n == 0 || errno != EAGAIN;
		break;
	}
	if (read(x->timer, &expired, sizeof(expired)) == (ssize_t)sizeof(expired))
		due = true;
	if (dead) {
		watch_stop(x);
		if (now_ms() - x->started < WATCH_RETRY_MS) {
			retry_in(x, WATCH_RETRY_MS);
			return;
		}
		due = true;
	}
	if (due && x->pipe < 0 && watch_start(x) < 0)
		retry_in(x, WATCH_RETRY_MS);
}

static int xs_fd(struct vr_chan *c)
{
	return ((struct xs *)c->priv)->ep;
}

/* A failed xenstore-read: -ENOENT for a node that is not there (or not
 * ours to read: xenstore_client.c says "couldn't read path" for both),
 * -EIO for xenstore itself failing. */
static int read_failed(const struct vr_tool_res *res)
{
	return strstr(res->err, "couldn't read path") ? -ENOENT : -EIO;
}

static bool is_gen(const char *s, size_t n)
{
	if (n != VR_GUEST_GEN_LEN - 1)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!strchr("0123456789abcdef", s[i]) || !s[i])
			return false;
	return true;
}

static int xs_read(struct vr_chan *c, char **config, char gen[VR_GUEST_GEN_LEN])
{
	const char *argv1[] = {"xenstore-read", "--", WATCH_PATH, "vrd/config/count", NULL};
	struct vr_tool_res res;
	char mine[VR_GUEST_GEN_LEN], want[VR_GUEST_GEN_LEN], *nl, *end;
	const char **argv;
	char(*paths)[32];
	unsigned long count;
	int r;

	(void)c;
	*config = NULL;
	/* both in one call: one transaction */
	r = vr_tool_run(argv1, XS_TIMEOUT_MS, &res);
	if (r == 0 && res.status != 0)
		r = read_failed(&res);
	else if (r == -ENOENT)
		r = -EIO; /* no xenstore-read: not "no config yet" */
	if (r < 0) {
		vr_tool_res_free(&res);
		return r;
	}
	nl = strchr(res.out, '\n');
	if (!nl || !is_gen(res.out, (size_t)(nl - res.out))) {
		vr_tool_res_free(&res);
		return -EAGAIN;
	}
	memcpy(want, res.out, VR_GUEST_GEN_LEN - 1);
	want[VR_GUEST_GEN_LEN - 1] = 0;
	errno = 0;
	count = strtoul(nl + 1, &end, 10);
	if (errno || end == nl + 1 || (*end && *end != '\n') || count > XS_MAX_CHUNKS) {
		vr_tool_res_free(&res);
		return -EAGAIN;
	}
	vr_tool_res_free(&res);

	if (count == 0) {
		res.out = strdup("");
		if (!res.out)
			abort();
	} else {
		argv = calloc(count + 4, sizeof(*argv));
		paths = calloc(count, sizeof(*paths));
		if (!argv || !paths)
			abort();
		argv[0] = "xenstore-read";
		argv[1] = "-R"; /* raw: the chunks concatenated, as written */
		argv[2] = "--";
		for (unsigned long i = 0; i < count; i++) {
			snprintf(paths[i], sizeof(paths[i]), "vrd/config/%lu", i);
			argv[3 + i] = paths[i];
		}
		r = vr_tool_run(argv, XS_TIMEOUT_MS, &res);
		free(argv);
		free(paths);
		if (r == 0 && res.status != 0)
			r = read_failed(&res) == -ENOENT ? -EAGAIN : -EIO; /* a chunk went away */
		else if (r == -ENOENT)
			r = -EIO;
		if (r < 0) {
			vr_tool_res_free(&res);
			return r;
		}
		free(res.err);
	}
	vr_guest_gen(res.out, mine);
	if (strcmp(mine, want)) {
		/* read between dom0's writes: the generation's watch fires
		 * again when dom0 is done */
		free(res.out);
		return -EAGAIN;
	}
	*config = res.out;
	memcpy(gen, want, VR_GUEST_GEN_LEN);
	return 0;
}

static int xs_report(struct vr_chan *c, const char *status)
{
	struct xs *x = c->priv;
	char path[64];
	const char *argv[] = {"xenstore-write", "-R", "--", path, status, NULL};
	struct vr_tool_res res;
	int r;

	snprintf(path, sizeof(path), "/local/domain/%d/data/vrd-status", x->domid);
	r = vr_tool_run(argv, XS_TIMEOUT_MS, &res);
	if (r == 0 && res.status != 0)
		r = -EIO;
	vr_tool_res_free(&res);
	return r;
}

static void xs_free(struct vr_chan *c)
{
	struct xs *x = c->priv;

	watch_stop(x);
	if (x->timer >= 0)
		close(x->timer);
	if (x->ep >= 0)
		close(x->ep);
	free(x);
}

static const struct vr_chan_ops xs_ops = {
    .read = xs_read,
    .report = xs_report,
    .fd = xs_fd,
    .drain = xs_drain,
    .free = xs_free,
};

/* The guest's own domid: also proves that xenstore answers. */
static int own_domid(int *domid, struct vr_errs *e)
{
	const char *argv[] = {"xenstore-read", "domid", NULL};
	struct vr_tool_res res;
	char *end;
	long id;
	int r;

	r = vr_tool_run(argv, XS_TIMEOUT_MS, &res);
	if (r == -ENOENT) {
		r = vr_errs_add(e, r, "xenstore", "xenstore-read not found in PATH");
	} else if (r < 0) {
		r = vr_errs_add(e, r, "xenstore", "cannot run `xenstore-read domid`: %s",
		                strerror(-r));
	} else if (res.status != 0) {
		const char *t = vr_tool_errtext(&res);
		r = vr_errs_add(
		    e, -EIO, "xenstore",
		    "`xenstore-read domid` failed (exit status %d)%s%s: not a Xen guest?",
		    res.status, *t ? ": " : "", t);
	} else {
		errno = 0;
		id = strtol(res.out, &end, 10);
		if (errno || end == res.out || (*end && *end != '\n') || id <= 0 || id >= 0x7ff0)
			r = vr_errs_add(e, -EPROTO, "xenstore",
			                "`xenstore-read domid` printed \"%s\", not a guest's domid",
			                res.out);
		else
			*domid = (int)id;
	}
	vr_tool_res_free(&res);
	return r;
}

struct vr_chan *vr_chan_xs_new(struct vr_errs *e)
{
	struct epoll_event ev = {.events = EPOLLIN};
	struct xs *x = calloc(1, sizeof(*x));
	int r;

	if (!x)
		abort();
	x->c.ops = &xs_ops;
	x->c.priv = x;
	x->pipe = -1;
	x->pid = -1;
	x->timer = -1;
	x->ep = epoll_create1(EPOLL_CLOEXEC);
	if (x->ep >= 0)
		x->timer = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (x->ep < 0 || x->timer < 0) {
		vr_errs_add(e, -errno, "xenstore", "cannot set up the watch: %s", strerror(errno));
		xs_free(&x->c);
		return NULL;
	}
	ev.data.fd = x->timer;
	if (epoll_ctl(x->ep, EPOLL_CTL_ADD, x->timer, &ev) < 0) {
		vr_errs_add(e, -errno, "xenstore", "cannot set up the watch: %s", strerror(errno));
		xs_free(&x->c);
		return NULL;
	}
	if (own_domid(&x->domid, e) < 0) {
		xs_free(&x->c);
		return NULL;
	}
	r = watch_start(x);
	if (r < 0) {
		if (r == -ENOENT)
			vr_errs_add(e, r, "xenstore", "xenstore-watch not found in PATH");
		else
			vr_errs_add(e, r, "xenstore", "cannot start `xenstore-watch %s`: %s",
			            WATCH_PATH, strerror(-r));
		xs_free(&x->c);
		return NULL;
	}
	return &x->c;
}
