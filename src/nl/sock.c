/* nl/sock.c - rtnetlink sockets: open (in a namespace), send, receive, dump.
 * The only file that calls mnl_socket_*: the unit tests replace those calls
 * with -Wl,--wrap and feed scripted kernel answers.  It knows nothing about
 * vrd's objects; message contents belong to nl/enc.c and nl/dec.c. */
#include "nl/sock.h"

#include <errno.h>
#include <fcntl.h>
#include <libmnl/libmnl.h>
#include <sched.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

struct vr_nl {
	struct mnl_socket *sock;
	uint32_t portid;
	uint32_t seq;
};

/* Receive buffer: the kernel sizes dump skbs after the largest recvmsg()
 * buffer it has seen, capped near 32 KiB; 64 KiB never truncates. */
#define VR_NL_RECV_BUF 65536
/* Socket buffers.  A batch of errors-only requests can still produce one
 * error per message; 8 MiB keeps thousands of them.  The send buffer
 * must exceed the largest batch (the kernel refuses len > sndbuf - 32). */
#define VR_NL_RCVBUF (8 << 20)
#define VR_NL_SNDBUF (1 << 20)
/* rtnetlink handles a request inside sendmsg() and produces dump parts
 * inside recvmsg(): an answer that is not queued after a few seconds is
 * never coming (a lost barrier ack).  Better an error than a hang. */
#define VR_NL_RCVTIMEO_S 30

static int sockopt_buf(struct vr_nl *nl, int force, int plain, int bytes)
{
	int fd = mnl_socket_get_fd(nl->sock);

	/* *BUFFORCE ignores the rmem/wmem_max limits but needs CAP_NET_ADMIN. */
	if (setsockopt(fd, SOL_SOCKET, force, &bytes, sizeof(bytes)) == 0)
		return 0;
	if (setsockopt(fd, SOL_SOCKET, plain, &bytes, sizeof(bytes)) == 0)
		return 0;
	return -errno;
}

int vr_nl_set_rcvbuf(struct vr_nl *nl, int bytes)
{
	return sockopt_buf(nl, SO_RCVBUFFORCE, SO_RCVBUF, bytes);
}

static int nl_flag(struct vr_nl *nl, int opt)
{
	int one = 1;

	if (mnl_socket_setsockopt(nl->sock, opt, &one, sizeof(one)) < 0)
		return -errno;
	return 0;
}

static struct vr_nl *open_here(void)
{
	struct vr_nl *nl = calloc(1, sizeof(*nl));
	int err;

	if (!nl)
		return NULL;
	nl->sock = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC);
	if (!nl->sock) {
		err = errno;
		goto fail;
	}
	if (mnl_socket_bind(nl->sock, 0, MNL_SOCKET_AUTOPID) < 0) {
		err = errno;
		goto fail;
	}
	/* Without strict checking the kernel ignores dump filters and sends
	 * every table: required.  Extended acks (error text) and capped acks
	 * (errors without the echoed request) are nice to have. */
	err = -nl_flag(nl, NETLINK_GET_STRICT_CHK);
	if (err)
		goto fail;
	(void)nl_flag(nl, NETLINK_EXT_ACK);
	(void)nl_flag(nl, NETLINK_CAP_ACK);
	(void)vr_nl_set_rcvbuf(nl, VR_NL_RCVBUF);
	(void)sockopt_buf(nl, SO_SNDBUFFORCE, SO_SNDBUF, VR_NL_SNDBUF);
	(void)setsockopt(mnl_socket_get_fd(nl->sock), SOL_SOCKET, SO_RCVTIMEO,
	                 &(struct timeval){.tv_sec = VR_NL_RCVTIMEO_S}, sizeof(struct timeval));
	nl->portid = mnl_socket_get_portid(nl->sock);
	nl->seq = 0;
	return nl;
fail:
	if (nl->sock)
		mnl_socket_close(nl->sock);
	free(nl);
	errno = err ? err : EINVAL;
	return NULL;
}

struct vr_nl *vr_nl_open(int nsfd)
{
	struct vr_nl *nl;
	int self, err;

	if (nsfd < 0)
		return open_here();
	/* A socket belongs to the namespace it was created in, whatever the
	 * thread does afterwards: enter, create, come back. */
	self = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	if (self < 0)
		return NULL;
	if (setns(nsfd, CLONE_NEWNET) < 0) {
		err = errno;
		close(self);
		errno = err;
		return NULL;
	}
	nl = open_here();
	err = errno;
	/* Staying in the wrong namespace would silently misdirect every later
	 * operation of this thread. */
	if (setns(self, CLONE_NEWNET) < 0)
		abort();
	close(self);
	errno = err;
	return nl;
}

void vr_nl_close(struct vr_nl *nl)
{
	if (!nl)
		return;
	mnl_socket_close(nl->sock);
	free(nl);
}

int vr_nl_fd(const struct vr_nl *nl)
{
	return mnl_socket_get_fd(nl->sock);
}

uint32_t vr_nl_portid(const struct vr_nl *nl)
{
	return nl->portid;
}

uint32_t vr_nl_next_seq(struct vr_nl *nl)
{
	/* 0 is a wildcard in libmnl's checks: never use it. */
	if (++nl->seq == 0)
		nl->seq = 1;
	return nl->seq;
}

int vr_nl_send(struct vr_nl *nl, const void *buf, size_t len)
{
	ssize_t n;

	do
		n = mnl_socket_sendto(nl->sock, buf, len);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	/* Netlink is a datagram socket: all or nothing. */
	return (size_t)n == len ? 0 : -EMSGSIZE;
}

ssize_t vr_nl_recv(struct vr_nl *nl, void *buf, size_t len)
{
	ssize_t n;

	do
		n = mnl_socket_recvfrom(nl->sock, buf, len);
	while (n < 0 && errno == EINTR);
	return n < 0 ? -errno : n;
}

int vr_nl_join(struct vr_nl *nl, unsigned group)
{
	int g = (int)group;

	if (mnl_socket_setsockopt(nl->sock, NETLINK_ADD_MEMBERSHIP, &g, sizeof(g)) < 0)
		return -errno;
	return 0;
}

/* The error code carried by NLMSG_DONE or NLMSG_ERROR (0 when absent). */
static int ctl_error(const struct nlmsghdr *nlh)
{
	int e;

	if (nlh->nlmsg_len < NLMSG_HDRLEN + sizeof(int))
		return nlh->nlmsg_type == NLMSG_ERROR ? -EBADMSG : 0;
	memcpy(&e, NLMSG_DATA(nlh), sizeof(e));
	return e > 0 ? -e : e;
}

/* Not mnl_cb_run(): it returns at the first NLM_F_DUMP_INTR message, before
 * it has seen NLMSG_DONE (the caller could then not drain the rest of the
 * dump), and it drops the error code the kernel puts into NLMSG_DONE when a
 * dump fails after it started (e.g. a filter rejected by strict checking). */
int vr_nl_dump(struct vr_nl *nl, const void *req, size_t len,
               int (*cb)(const struct nlmsghdr *nlh, void *data), void *data)
{
	const struct nlmsghdr *rq = req;
	uint32_t seq = rq->nlmsg_seq;
	char *buf;
	int ret = 0, cb_ret = 0, intr = 0;
	bool done = false;

	buf = malloc(VR_NL_RECV_BUF);
	if (!buf)
		return -ENOMEM;
	ret = vr_nl_send(nl, req, len);
	while (!ret && !done) {
		ssize_t n = vr_nl_recv(nl, buf, VR_NL_RECV_BUF);
		const struct nlmsghdr *nlh = (const struct nlmsghdr *)buf;
		int rest;

		if (n < 0) {
			ret = (int)n;
			break;
		}
		rest = (int)n;
		for (; mnl_nlmsg_ok(nlh, rest); nlh = mnl_nlmsg_next(nlh, &rest)) {
			/* Stale answers (an earlier request given up on) and
			 * anything not for this port are skipped, not fatal. */
			if (nlh->nlmsg_seq != seq ||
			    (nlh->nlmsg_pid && nl->portid && nlh->nlmsg_pid != nl->portid))
				continue;
			if (nlh->nlmsg_flags & NLM_F_DUMP_INTR)
				intr = 1;
			if (nlh->nlmsg_type == NLMSG_DONE || nlh->nlmsg_type == NLMSG_ERROR) {
				int e = ctl_error(nlh);
				if (e && !cb_ret)
					cb_ret = e;
				done = true;
				break;
			}
			/* After a callback stopped us, keep draining to
			 * NLMSG_DONE (callbacks off): the rest of this dump
			 * must not be read as the answer to the next request. */
			if (nlh->nlmsg_type < NLMSG_MIN_TYPE || cb_ret)
				continue;
			cb_ret = cb(nlh, data);
			if (cb_ret > 0)
				cb_ret = 0;
		}
	}
	free(buf);
	if (!ret)
		ret = cb_ret;
	if (!ret && intr)
		ret = -EINTR;
	return ret;
}
