/* nlmon.c - the netlink monitor: one rtnetlink socket per namespace that
 * holds routers (vrd's own, and each router's with backend netns), joined
 * to the link, address, route and rule groups.  Any event arms the
 * debounce timer; the reconcile pass that follows compares the whole
 * kernel with the model, so no event needs decoding here.  Lost events
 * (ENOBUFS) are never ignored: they force a full resync. */
#include "vrd.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/rtnetlink.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "nl/sock.h"
#include "sys.h"

struct vrd_mon {
	const char *ns; /* interned */
	struct vr_nl *nl;
	ev_io w;
	struct vrd *d;
};

static const unsigned groups[] = {
	RTNLGRP_LINK,	    RTNLGRP_IPV4_IFADDR, RTNLGRP_IPV6_IFADDR, RTNLGRP_IPV4_ROUTE,
	RTNLGRP_IPV6_ROUTE, RTNLGRP_IPV4_RULE,	 RTNLGRP_IPV6_RULE,
};

static void arm(struct vrd *d)
{
	if (!ev_is_active(&d->debounce_w)) {
		ev_timer_set(&d->debounce_w, d->o.debounce, 0);
		ev_timer_start(d->loop, &d->debounce_w);
	}
}

/* Drain everything queued, then arm one pass.  Reading one datagram per
 * wakeup made a large apply's own echoes (tens of thousands) each start a
 * full pass once the loop got back to them. */
#define DRAIN_MAX 65536

static void on_event(struct ev_loop *loop, ev_io *w, int revents)
{
	struct vrd_mon *m = w->data;
	char buf[65536];
	ssize_t n = 0;
	int i;

	(void)loop;
	(void)revents;
	for (i = 0; i < DRAIN_MAX; i++) {
		n = vr_nl_recv(m->nl, buf, sizeof(buf));
		if (n == -ENOBUFS) {
			vrd_log(VRD_LOG_WARN,
				"netlink monitor of %s lost events (ENOBUFS): full resync",
				*m->ns ? m->ns : "the host");
			m->d->resync_pending = true;
			continue;
		}
		if (n < 0)
			break;
	}
	if (n < 0 && n != -EAGAIN && n != -EWOULDBLOCK && n != -EINTR)
		vrd_log(VRD_LOG_WARN, "netlink monitor of %s: %s", *m->ns ? m->ns : "the host",
			strerror((int)-n));
	arm(m->d);
}

static void close_mon(struct vrd *d, struct vrd_mon *m)
{
	ev_io_stop(d->loop, &m->w);
	vr_nl_close(m->nl);
}

static int open_mon(struct vrd *d, const char *ns, struct vrd_mon *m)
{
	int fd = -1;

	if (*ns) {
		fd = vr_netns_open(ns);
		if (fd < 0)
			return fd;
	}
	m->nl = vr_nl_open(fd);
	if (fd >= 0)
		close(fd);
	if (!m->nl)
		return -errno;
	for (size_t i = 0; i < sizeof(groups) / sizeof(groups[0]); i++)
		vr_nl_join(m->nl, groups[i]);
	if (d->o.monitor_rcvbuf)
		vr_nl_set_rcvbuf(m->nl, d->o.monitor_rcvbuf);
	/* non-blocking: on_event drains until EAGAIN */
	fcntl(vr_nl_fd(m->nl), F_SETFL, fcntl(vr_nl_fd(m->nl), F_GETFL) | O_NONBLOCK);
	m->ns = ns;
	m->d = d;
	ev_io_init(&m->w, on_event, vr_nl_fd(m->nl), EV_READ);
	m->w.data = m;
	ev_io_start(d->loop, &m->w);
	return 0;
}

/* The namespaces to watch: vrd's, and those of routers with backend
 * netns (the ones that exist). */
static size_t wanted(struct vrd *d, const char **out, size_t max)
{
	size_t n = 0;

	out[n++] = vr_intern("");
	for (size_t i = 0; i < d->config.n_routers && n < max; i++) {
		const struct vr_router *r = &d->config.routers[i];
		char name[256];

		if (vr_engine_backend(&d->eng, r->backend) != VR_BACKEND_NETNS)
			continue;
		snprintf(name, sizeof(name), "%s%s", d->o.netns_prefix, r->name);
		out[n++] = vr_intern(name);
	}
	return n;
}

void vrd_nlmon_sync(struct vrd *d)
{
	size_t max = d->config.n_routers + 1, n_want;
	const char **want = calloc(max, sizeof(*want));
	struct vrd_mon *mons;
	size_t n = 0;

	if (!want)
		abort();
	n_want = wanted(d, want, max);
	mons = calloc(n_want, sizeof(*mons));
	if (!mons)
		abort();
	/* keep what is still wanted; a namespace that does not exist yet
	 * is picked up at the next sync */
	for (size_t i = 0; i < n_want; i++) {
		bool found = false;
		for (size_t j = 0; j < d->n_mons; j++)
			if (d->mons[j].ns == want[i] && d->mons[j].nl) {
				/* stop before copying: libev holds the
				 * watcher's address */
				ev_io_stop(d->loop, &d->mons[j].w);
				mons[n] = d->mons[j];
				d->mons[j].nl = NULL;
				found = true;
				break;
			}
		if (!found && open_mon(d, want[i], &mons[n]) < 0)
			continue;
		n++;
	}
	for (size_t j = 0; j < d->n_mons; j++)
		if (d->mons[j].nl)
			close_mon(d, &d->mons[j]);
	free(d->mons);
	d->mons = mons;
	d->n_mons = n;
	/* watchers moved with their structs: re-point them */
	for (size_t i = 0; i < n; i++) {
		if (ev_is_active(&mons[i].w))
			ev_io_stop(d->loop, &mons[i].w);
		ev_io_init(&mons[i].w, on_event, vr_nl_fd(mons[i].nl), EV_READ);
		mons[i].w.data = &mons[i];
		ev_io_start(d->loop, &mons[i].w);
	}
	free(want);
}

void vrd_nlmon_stop(struct vrd *d)
{
	for (size_t i = 0; i < d->n_mons; i++)
		close_mon(d, &d->mons[i]);
	free(d->mons);
	d->mons = NULL;
	d->n_mons = 0;
}
