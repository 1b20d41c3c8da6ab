/* mock_mnl.c - the scripted kernel of mock_mnl.h. */
#include "mock_mnl.h"

#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <sys/socket.h>
#include <stdlib.h>
#include <string.h>

struct mock mock;

struct answer {
	void *buf;
	size_t len;
	int err;
	struct answer *next;
};
static struct answer *head, **tail = &head;

/* Any non-NULL pointer will do: the real libmnl never sees it. */
static char fake_socket[16];

void mock_reset(mock_responder r, void *ctx)
{
	for (size_t i = 0; i < mock.n_sent; i++)
		free(mock.sent[i].buf);
	while (head) {
		struct answer *a = head;
		head = a->next;
		free(a->buf);
		free(a);
	}
	tail = &head;
	memset(&mock, 0, sizeof(mock));
	mock.responder = r;
	mock.ctx = ctx;
}

static void queue(const void *buf, size_t len, int err)
{
	struct answer *a = calloc(1, sizeof(*a));

	a->err = err;
	if (len) {
		a->buf = malloc(len);
		memcpy(a->buf, buf, len);
		a->len = len;
	}
	*tail = a;
	tail = &a->next;
}

void mock_push(const struct mock_chunk *c)
{
	queue(c->buf, c->len, 0);
}

void mock_push_errno(int err)
{
	queue(NULL, 0, err);
}

void *mock_msg(struct mock_chunk *c, uint16_t type, uint16_t flags, uint32_t seq, size_t hdrlen)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(c->buf + c->len);

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = flags;
	nlh->nlmsg_seq = seq;
	nlh->nlmsg_pid = MOCK_PORTID;
	return hdrlen ? mnl_nlmsg_put_extra_header(nlh, hdrlen) : NULL;
}

struct nlmsghdr *mock_last(struct mock_chunk *c)
{
	return (struct nlmsghdr *)(c->buf + c->len);
}

void mock_end(struct mock_chunk *c)
{
	c->len += NLMSG_ALIGN(mock_last(c)->nlmsg_len);
}

void mock_err(struct mock_chunk *c, const struct nlmsghdr *req, int error, const char *extack,
              bool capped)
{
	struct nlmsghdr *nlh;
	struct nlmsgerr *e;
	size_t plen = capped || !error ? sizeof(*e) : sizeof(int) + req->nlmsg_len;

	e = mock_msg(c, NLMSG_ERROR, 0, req->nlmsg_seq, plen);
	nlh = mock_last(c);
	e->error = error > 0 ? -error : error;
	if (capped || !error) {
		memcpy(&e->msg, req, sizeof(*req));
		nlh->nlmsg_flags |= NLM_F_CAPPED;
	} else {
		memcpy(&e->msg, req, req->nlmsg_len);
	}
	if (extack) {
		mnl_attr_put_strz(nlh, NLMSGERR_ATTR_MSG, extack);
		/* an attribute the parser must skip */
		mnl_attr_put_u32(nlh, NLMSGERR_ATTR_OFFS, 20);
		nlh->nlmsg_flags |= NLM_F_ACK_TLVS;
	}
	mock_end(c);
}

void mock_done(struct mock_chunk *c, uint32_t seq, int error)
{
	int *e = mock_msg(c, NLMSG_DONE, NLM_F_MULTI, seq, sizeof(int));

	*e = error;
	mock_end(c);
}

void mock_link(struct mock_chunk *c, uint32_t seq, int ifindex, const char *name, const char *kind,
               int master, int link, int netnsid)
{
	struct ifinfomsg *ifm = mock_msg(c, RTM_NEWLINK, NLM_F_MULTI, seq, sizeof(*ifm));
	struct nlmsghdr *nlh = mock_last(c);

	ifm->ifi_family = AF_UNSPEC;
	ifm->ifi_index = ifindex;
	ifm->ifi_flags = IFF_UP;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	mnl_attr_put_u32(nlh, IFLA_MTU, 1500);
	if (master)
		mnl_attr_put_u32(nlh, IFLA_MASTER, (uint32_t)master);
	if (link)
		mnl_attr_put_u32(nlh, IFLA_LINK, (uint32_t)link);
	if (netnsid >= 0)
		mnl_attr_put_u32(nlh, IFLA_LINK_NETNSID, (uint32_t)netnsid);
	if (kind) {
		struct nlattr *info = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
		mnl_attr_put_strz(nlh, IFLA_INFO_KIND, kind);
		mnl_attr_nest_end(nlh, info);
	}
	mock_end(c);
}

const struct nlattr *mock_attr(const struct nlmsghdr *nlh, size_t hdrlen, uint16_t type)
{
	const struct nlattr *a;

	mnl_attr_for_each(a, nlh, hdrlen) if (mnl_attr_get_type(a) == type) return a;
	return NULL;
}

/* --- the wrapped libmnl calls ------------------------------------------ */

struct mnl_socket *__wrap_mnl_socket_open2(int bus, int flags);
int __wrap_mnl_socket_bind(struct mnl_socket *nl, unsigned int groups, pid_t pid);
int __wrap_mnl_socket_setsockopt(const struct mnl_socket *nl, int type, void *buf, socklen_t len);
unsigned int __wrap_mnl_socket_get_portid(const struct mnl_socket *nl);
int __wrap_mnl_socket_get_fd(const struct mnl_socket *nl);
int __wrap_mnl_socket_close(struct mnl_socket *nl);
ssize_t __wrap_mnl_socket_sendto(const struct mnl_socket *nl, const void *buf, size_t len);
ssize_t __wrap_mnl_socket_recvfrom(const struct mnl_socket *nl, void *buf, size_t len);

struct mnl_socket *__wrap_mnl_socket_open2(int bus, int flags)
{
	(void)bus;
	(void)flags;
	mock.opens++;
	return (struct mnl_socket *)fake_socket;
}

int __wrap_mnl_socket_bind(struct mnl_socket *nl, unsigned int groups, pid_t pid)
{
	(void)nl;
	(void)groups;
	(void)pid;
	return 0;
}

int __wrap_mnl_socket_setsockopt(const struct mnl_socket *nl, int type, void *buf, socklen_t len)
{
	(void)nl;
	(void)type;
	(void)buf;
	(void)len;
	return 0;
}

unsigned int __wrap_mnl_socket_get_portid(const struct mnl_socket *nl)
{
	(void)nl;
	return MOCK_PORTID;
}

int __wrap_mnl_socket_get_fd(const struct mnl_socket *nl)
{
	(void)nl;
	return -1; /* SOL_SOCKET options then fail with EBADF: ignored */
}

int __wrap_mnl_socket_close(struct mnl_socket *nl)
{
	(void)nl;
	mock.closes++;
	return 0;
}

ssize_t __wrap_mnl_socket_sendto(const struct mnl_socket *nl, const void *buf, size_t len)
{
	(void)nl;
	if (mock.n_sent < sizeof(mock.sent) / sizeof(mock.sent[0])) {
		struct mock_sent *s = &mock.sent[mock.n_sent++];
		s->buf = malloc(len);
		memcpy(s->buf, buf, len);
		s->len = len;
	}
	if (mock.responder)
		mock.responder(buf, len, mock.ctx);
	return (ssize_t)len;
}

ssize_t __wrap_mnl_socket_recvfrom(const struct mnl_socket *nl, void *buf, size_t len)
{
	struct answer *a = head;
	ssize_t n;

	(void)nl;
	if (!a) {
		/* what the real socket does with its receive timeout */
		errno = EAGAIN;
		return -1;
	}
	head = a->next;
	if (!head)
		tail = &head;
	if (a->err) {
		errno = a->err;
		n = -1;
	} else if (a->len > len) {
		errno = ENOSPC;
		n = -1;
	} else {
		memcpy(buf, a->buf, a->len);
		n = (ssize_t)a->len;
	}
	free(a->buf);
	free(a);
	return n;
}
