/* mock_mnl.h - a scripted kernel behind -Wl,--wrap of the mnl_socket_*
 * calls of src/nl/sock.c.  Every sendto() is recorded and handed to the
 * test's responder, which queues answers; recvfrom() pops them one chunk
 * at a time (one chunk = what one recvmsg() returns).  No socket is ever
 * opened.
 *
 * Link with: WRAP mnl_socket_open2 mnl_socket_bind mnl_socket_setsockopt
 * mnl_socket_get_portid mnl_socket_get_fd mnl_socket_close
 * mnl_socket_sendto mnl_socket_recvfrom */
#ifndef VR_MOCK_MNL_H
#define VR_MOCK_MNL_H

#include <linux/netlink.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MOCK_PORTID 4242

struct mock_sent {
	void *buf;
	size_t len;
};

/* Called for every sendto (after it is recorded). */
typedef void (*mock_responder)(const void *buf, size_t len, void *ctx);

struct mock {
	int opens, closes;
	struct mock_sent sent[64];
	size_t n_sent;
	mock_responder responder;
	void *ctx;
};

extern struct mock mock;

/* Reset everything (frees recorded messages and queued answers). */
void mock_reset(mock_responder r, void *ctx);

/* A chunk under construction: messages appended back to back. */
struct mock_chunk {
	char buf[16384];
	size_t len;
};
/* Start a message of type/flags/seq with a family header of hdrlen bytes
 * (returned, zeroed).  The message is the last one of the chunk; add
 * attributes with libmnl on mock_last(c). */
void *mock_msg(struct mock_chunk *c, uint16_t type, uint16_t flags, uint32_t seq, size_t hdrlen);
struct nlmsghdr *mock_last(struct mock_chunk *c);
/* Close the last message (its length joins the chunk). */
void mock_end(struct mock_chunk *c);
/* Queue the chunk as one recvmsg() answer. */
void mock_push(const struct mock_chunk *c);
/* Queue an errno for one recvfrom() (e.g. ENOBUFS). */
void mock_push_errno(int err);

/* Append an NLMSG_ERROR answering req (error 0 = ack).  capped: as with
 * NETLINK_CAP_ACK, else the request is echoed.  extack: NLMSGERR_ATTR_MSG
 * or NULL. */
void mock_err(struct mock_chunk *c, const struct nlmsghdr *req, int error, const char *extack,
              bool capped);
/* Append NLMSG_DONE (with the error code int). */
void mock_done(struct mock_chunk *c, uint32_t seq, int error);

/* Append an RTM_NEWLINK as a link dump answers it.  kind NULL: no
 * IFLA_LINKINFO; master/link 0: none; netnsid >= 0: IFLA_LINK_NETNSID. */
void mock_link(struct mock_chunk *c, uint32_t seq, int ifindex, const char *name, const char *kind,
               int master, int link, int netnsid);
/* The first attribute of type in a request (NULL if none). */
const struct nlattr *mock_attr(const struct nlmsghdr *nlh, size_t hdrlen, uint16_t type);

/* A dump request (RTM_GET* with NLM_F_DUMP).  The flag alone says
 * nothing: NLM_F_MATCH is NLM_F_EXCL's bit in a new-request. */
static inline bool mock_is_dump(const struct nlmsghdr *nlh)
{
	return nlh->nlmsg_type >= 16 && (nlh->nlmsg_type & 3) == 2 &&
	       (nlh->nlmsg_flags & NLM_F_DUMP) == NLM_F_DUMP;
}

/* Iterate over the messages of a sent buffer. */
#define mock_for_each(nlh, buf, len)                                                               \
	for (const struct nlmsghdr *nlh = (buf);                                                   \
	     NLMSG_OK(nlh, (int)(len) - (int)((const char *)nlh - (const char *)(buf)));           \
	     nlh = (const struct nlmsghdr *)((const char *)nlh + NLMSG_ALIGN(nlh->nlmsg_len)))

#endif
