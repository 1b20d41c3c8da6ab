/* bench_nl.h - what the benchmark's libmnl programs share: a monotonic
 * clock, and reading a batch's answers up to its final ack. */
#ifndef BENCH_NL_H
#define BENCH_NL_H

#include <libmnl/libmnl.h>
#include <linux/netlink.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define RECV_SIZE (64 * 1024)

static inline double bench_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The kernel's extack text of an error answer, or "". */
static inline const char *bench_ext_msg(const struct nlmsghdr *nlh)
{
	const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);
	size_t off = sizeof(*e);
	const struct nlattr *a;

	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return "";
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		off += mnl_nlmsg_get_payload_len(&e->msg);
	mnl_attr_for_each(a, nlh, off)
		if (mnl_attr_get_type(a) == NLMSGERR_ATTR_MSG)
			return mnl_attr_get_str(a);
	return "";
}

/* Read answers until the one to seq `last`; count the errors on the way
 * (of this batch: the earlier messages carry no ack).  The first few are
 * printed, prefixed with who.  buf holds RECV_SIZE bytes. */
static inline unsigned bench_wait_ack(struct mnl_socket *nl, uint32_t last, char *buf,
				      const char *who)
{
	static unsigned shown;
	unsigned errors = 0;

	for (;;) {
		ssize_t n = mnl_socket_recvfrom(nl, buf, RECV_SIZE);
		const struct nlmsghdr *nlh = (const struct nlmsghdr *)buf;
		int len = (int)n;

		if (n < 0) {
			fprintf(stderr, "%s: netlink recv: %s\n", who, strerror(errno));
			exit(1);
		}
		for (; mnl_nlmsg_ok(nlh, len); nlh = mnl_nlmsg_next(nlh, &len)) {
			const struct nlmsgerr *e;

			if (nlh->nlmsg_type != NLMSG_ERROR)
				continue;
			e = mnl_nlmsg_get_payload(nlh);
			if (e->error) {
				errors++;
				if (++shown <= 5)
					fprintf(stderr, "%s: seq %u: %s %s\n", who, nlh->nlmsg_seq,
						strerror(-e->error), bench_ext_msg(nlh));
			}
			if (nlh->nlmsg_seq == last)
				return errors;
		}
	}
}

#endif
