/* control.c - the control socket: a UNIX stream listener and one watcher
 * per client.  Frames in, replies out (ctl.h); requests are answered by
 * rpc.c.  Limits: a client count, a frame size, 10 s to finish a frame
 * once it started (a client that stalls mid-message is dropped, and never
 * blocks others: all I/O is non-blocking), and a bound on unsent output.
 *
 * Who may do what: the peer's credentials (SO_PEERCRED).  uid 0 or members
 * of group "vrd" may change state; anyone who can open the socket (mode
 * 0660, group vrd) may read. */
#include "vrd.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <arpa/inet.h>
#include <libgen.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "ctl.h"

#define STALL_TIMEOUT 10.0    /* seconds to complete a started frame */
#define IDLE_TIMEOUT 300.0    /* seconds a silent client (not a monitor) may stay */
#define MAX_OUTPUT (64u << 20) /* unsent bytes before a slow reader is dropped */
#define GROUP "vrd"

struct vrd_client {
	struct vrd_client *next;
	struct vrd *d;
	int fd;
	uid_t uid;
	pid_t pid;
	bool may_write, monitor, closing;
	struct vr_frames in;
	char *out;
	size_t out_len, out_off;
	ev_io r, w;
	ev_timer timer;
	ev_tstamp last;
};

static void client_close(struct vrd_client *c)
{
	struct vrd *d = c->d;
	struct vrd_client **pp;

	for (pp = &d->clients; *pp; pp = &(*pp)->next)
		if (*pp == c) {
			*pp = c->next;
			break;
		}
	d->n_clients--;
	ev_io_stop(d->loop, &c->r);
	ev_io_stop(d->loop, &c->w);
	ev_timer_stop(d->loop, &c->timer);
	close(c->fd);
	vr_frames_free(&c->in);
	free(c->out);
	free(c);
}

/* Write what we can; keep the rest for the write watcher.  -1 when the
 * client was closed (and freed). */
static int client_flush(struct vrd_client *c)
{
	while (c->out_off < c->out_len) {
		ssize_t n = write(c->fd, c->out + c->out_off, c->out_len - c->out_off);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN) {
				ev_io_start(c->d->loop, &c->w);
				return 0;
			}
			client_close(c);
			return -1;
		}
		c->out_off += (size_t)n;
	}
	c->out_off = c->out_len = 0;
	ev_io_stop(c->d->loop, &c->w);
	if (c->closing) {
		client_close(c);
		return -1;
	}
	return 0;
}

static int client_send(struct vrd_client *c, const char *json)
{
	size_t len = strlen(json);
	uint32_t n = htonl((uint32_t)len);

	if (c->out_len - c->out_off + len + 4 > MAX_OUTPUT) {
		vrd_log(VRD_LOG_WARN, "client pid %d reads too slowly: dropped", (int)c->pid);
		client_close(c);
		return -1;
	}
	if (c->out_off) {
		memmove(c->out, c->out + c->out_off, c->out_len - c->out_off);
		c->out_len -= c->out_off;
		c->out_off = 0;
	}
	c->out = realloc(c->out, c->out_len + 4 + len);
	if (!c->out)
		abort();
	memcpy(c->out + c->out_len, &n, 4);
	memcpy(c->out + c->out_len + 4, json, len);
	c->out_len += 4 + len;
	return client_flush(c);
}

static int send_protocol_error(struct vrd_client *c, const char *msg)
{
	char *j = vr_ctl_protocol_error(c->d->ctx, msg);
	int r = client_send(c, j);

	free(j);
	return r;
}

static void on_write(struct ev_loop *loop, ev_io *w, int revents)
{
	(void)loop;
	(void)revents;
	(void)client_flush(w->data);
}

static void on_timer(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct vrd_client *c = w->data;
	ev_tstamp now = ev_now(loop), limit;

	(void)revents;
	limit = vr_frames_pending(&c->in) ? STALL_TIMEOUT : IDLE_TIMEOUT;
	if (c->monitor && !vr_frames_pending(&c->in))
		limit = 1e9;
	if (now - c->last >= limit) {
		vrd_log(VRD_LOG_INFO, "client pid %d %s: closed", (int)c->pid,
			vr_frames_pending(&c->in) ? "stalled in the middle of a message" : "idle");
		client_close(c);
		return;
	}
	ev_timer_set(w, c->last + limit - now + 0.01, 0);
	ev_timer_start(loop, w);
}

static void on_read(struct ev_loop *loop, ev_io *w, int revents)
{
	struct vrd_client *c = w->data;
	char buf[65536], *msg;
	size_t len;
	ssize_t n;
	int r;

	(void)revents;
	n = read(c->fd, buf, sizeof(buf));
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		client_close(c);
		return;
	}
	c->last = ev_now(loop);
	if (!ev_is_active(&c->timer)) {
		ev_timer_set(&c->timer, STALL_TIMEOUT, 0);
		ev_timer_start(loop, &c->timer);
	}
	vr_frames_feed(&c->in, buf, (size_t)n);
	while ((r = vr_frames_next(&c->in, &msg, &len)) == 1) {
		bool subscribe = false;
		char *reply = vrd_rpc(c->d, msg, c->may_write, &subscribe);

		free(msg);
		if (subscribe)
			c->monitor = true;
		r = client_send(c, reply);
		free(reply);
		if (r < 0)
			return; /* closed while sending */
	}
	if (r < 0) {
		/* the stream cannot be resynchronised: answer and close */
		ev_io_stop(loop, &c->r);
		c->closing = true;
		send_protocol_error(c, "bad frame: a message must be 1 byte to 256 MiB, preceded "
				       "by its length in 4 bytes, big-endian");
	}
}

static bool in_group(uid_t uid, gid_t gid)
{
	struct group *g = getgrnam(GROUP);
	struct passwd *pw;
	gid_t groups[256];
	int n = 256;

	if (!g)
		return false;
	if (gid == g->gr_gid)
		return true;
	pw = getpwuid(uid);
	if (!pw || getgrouplist(pw->pw_name, pw->pw_gid, groups, &n) < 0)
		return false;
	for (int i = 0; i < n; i++)
		if (groups[i] == g->gr_gid)
			return true;
	return false;
}

static void on_accept(struct ev_loop *loop, ev_io *w, int revents)
{
	struct vrd *d = w->data;
	struct vrd_client *c;
	struct ucred cred;
	socklen_t cl = sizeof(cred);
	int fd;

	(void)revents;
	fd = accept4(d->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (fd < 0)
		return;
	c = calloc(1, sizeof(*c));
	if (!c)
		abort();
	c->d = d;
	c->fd = fd;
	c->last = ev_now(loop);
	vr_frames_init(&c->in, VR_CTL_MAX_FRAME);
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &cl) == 0) {
		c->uid = cred.uid;
		c->pid = cred.pid;
		c->may_write = cred.uid == 0 || in_group(cred.uid, cred.gid);
	}
	ev_io_init(&c->r, on_read, fd, EV_READ);
	ev_io_init(&c->w, on_write, fd, EV_WRITE);
	ev_init(&c->timer, on_timer);
	c->r.data = c->w.data = c->timer.data = c;
	c->next = d->clients;
	d->clients = c;
	d->n_clients++;
	if (d->n_clients > d->o.max_clients) {
		vrd_log(VRD_LOG_WARN, "client pid %d refused: %d clients already", (int)c->pid,
			d->o.max_clients);
		c->closing = true;
		send_protocol_error(c, "too many clients");
		return;
	}
	ev_io_start(loop, &c->r);
	ev_timer_set(&c->timer, IDLE_TIMEOUT, 0);
	ev_timer_start(loop, &c->timer);
}

void vrd_control_broadcast(struct vrd *d, const char *json)
{
	struct vrd_client *c = d->clients, *next;

	for (; c; c = next) {
		next = c->next;
		if (c->monitor && !c->closing)
			(void)client_send(c, json);
	}
}

/* A socket file left by a vrd that died: nobody accepts on it. */
static int clear_stale(const char *path)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int fd, r;

	if (access(path, F_OK) < 0)
		return 0;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	r = connect(fd, (struct sockaddr *)&sa, sizeof(sa));
	close(fd);
	if (r == 0)
		return -EADDRINUSE;
	return unlink(path) < 0 ? -errno : 0;
}

int vrd_control_start(struct vrd *d)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	char dir[sizeof(sa.sun_path)];
	struct group *g;
	int r;

	if (strlen(d->o.socket) >= sizeof(sa.sun_path)) {
		vrd_log(VRD_LOG_ERROR, "socket path too long: %s", d->o.socket);
		return -ENAMETOOLONG;
	}
	snprintf(dir, sizeof(dir), "%s", d->o.socket);
	mkdir(dirname(dir), 0755);
	r = clear_stale(d->o.socket);
	if (r < 0) {
		vrd_log(VRD_LOG_ERROR, "%s: %s", d->o.socket,
			r == -EADDRINUSE ? "another vrd is listening there" : strerror(-r));
		return r;
	}
	d->listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (d->listen_fd < 0)
		return -errno;
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", d->o.socket);
	if (bind(d->listen_fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    listen(d->listen_fd, 128) < 0) {
		r = -errno;
		vrd_log(VRD_LOG_ERROR, "%s: %s", d->o.socket, strerror(errno));
		close(d->listen_fd);
		d->listen_fd = -1;
		return r;
	}
	chmod(d->o.socket, 0660);
	if ((g = getgrnam(GROUP)) != NULL && chown(d->o.socket, (uid_t)-1, g->gr_gid) < 0)
		vrd_log(VRD_LOG_WARN, "cannot give %s to group %s: %s", d->o.socket, GROUP,
			strerror(errno));
	ev_io_init(&d->listen_w, on_accept, d->listen_fd, EV_READ);
	d->listen_w.data = d;
	ev_io_start(d->loop, &d->listen_w);
	return 0;
}

void vrd_control_stop(struct vrd *d)
{
	while (d->clients)
		client_close(d->clients);
	if (d->listen_fd >= 0) {
		ev_io_stop(d->loop, &d->listen_w);
		close(d->listen_fd);
		unlink(d->o.socket);
		d->listen_fd = -1;
	}
}
