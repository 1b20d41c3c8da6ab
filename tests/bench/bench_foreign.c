/* bench_foreign - fill the kernel with routes that are not vrd's, fast.
 *
 *   bench_foreign --start PFX --count N [--table T] [--proto P]
 *                 [--dev IF --gw ADDR] [--batch M]
 *
 * Installs N routes START, START+1, ... (bench_addr.h: consecutive
 * prefixes of START's length, inside 198.18.0.0/15 or 2001:db8::/32) into
 * table T (default 254, main; ids above 255 go in RTA_TABLE) of the
 * current network namespace, with rtnetlink protocol P (default 4,
 * "static": anything but vrd's 77 makes them foreign).  With --dev and
 * --gw each route is unicast via GW on IF (RTA_GATEWAY + RTA_OIF, the way
 * a routing daemon without nexthop objects writes them), else a blackhole.
 *
 * Batches of M requests (64..2048, default 1024), an ack asked only on
 * the last one of a batch (errors come back anyway), each batch's ack
 * awaited before the next is sent.  Used by tests/bench/daemon-plane for
 * C5 (daemon start with 1M foreign routes).  Prints one line
 *   routes=N seconds=S rate=R errors=E
 * and exits 1 on any netlink error, 2 on bad usage. */
#include <errno.h>
#include <getopt.h>
#include <net/if.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libmnl/libmnl.h>
#include <linux/rtnetlink.h>

#include "bench_addr.h"
#include "bench_nl.h"

#define REQ_MAX	  128 /* bytes of one request, rounded up */

struct fopts {
	const char *start, *dev, *gw;
	uint64_t count;
	unsigned table, proto, batch;
};

/* One RTM_NEWROUTE for dst at p; its length. */
static size_t put_req(char *p, uint32_t seq, const struct fopts *o, const struct bench_pfx *dst,
		      const struct bench_pfx *gw, uint32_t oif)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(p);
	struct rtmsg *rtm;

	nlh->nlmsg_type = RTM_NEWROUTE;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_CREATE | NLM_F_EXCL;
	nlh->nlmsg_seq = seq;
	rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = (unsigned char)dst->family;
	rtm->rtm_dst_len = (unsigned char)dst->plen;
	rtm->rtm_table = o->table > 255 ? RT_TABLE_UNSPEC : (unsigned char)o->table;
	rtm->rtm_protocol = (unsigned char)o->proto;
	rtm->rtm_scope = RT_SCOPE_UNIVERSE;
	rtm->rtm_type = gw ? RTN_UNICAST : RTN_BLACKHOLE;
	mnl_attr_put(nlh, RTA_DST, bench_alen(dst->family), dst->a);
	if (o->table > 255)
		mnl_attr_put_u32(nlh, RTA_TABLE, o->table);
	if (gw) {
		mnl_attr_put(nlh, RTA_GATEWAY, bench_alen(gw->family), gw->a);
		mnl_attr_put_u32(nlh, RTA_OIF, oif);
	}
	return nlh->nlmsg_len;
}

static int install(const struct fopts *o)
{
	struct bench_pfx start, gw, dst, *gwp = NULL;
	struct mnl_socket *nl;
	char *buf, *rbuf;
	uint32_t oif = 0, seq = 1;
	unsigned errors = 0;
	double t0, t1;

	if (bench_pfx_parse(o->start, &start) < 0 || !bench_pfx_allowed(&start) ||
	    bench_pfx_nth(&start, o->count - 1, &dst) < 0) {
		fprintf(stderr, "bench_foreign: %llu routes from %s do not fit in 198.18.0.0/15 "
				"or 2001:db8::/32\n",
			(unsigned long long)o->count, o->start);
		return 2;
	}
	if (o->gw) {
		if (bench_pfx_parse(o->gw, &gw) < 0 || gw.family != start.family) {
			fprintf(stderr, "bench_foreign: bad --gw %s\n", o->gw);
			return 2;
		}
		oif = if_nametoindex(o->dev);
		if (!oif) {
			fprintf(stderr, "bench_foreign: no interface %s\n", o->dev);
			return 1;
		}
		gwp = &gw;
	}
	buf = malloc((size_t)o->batch * REQ_MAX);
	rbuf = malloc(RECV_SIZE);
	if (!buf || !rbuf)
		abort();
	nl = mnl_socket_open(NETLINK_ROUTE);
	if (!nl || mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		perror("bench_foreign: netlink socket");
		return 1;
	}
	t0 = bench_now();
	for (uint64_t i = 0; i < o->count;) {
		size_t len = 0, last = 0;

		for (unsigned k = 0; k < o->batch && i < o->count; k++, i++) {
			bench_pfx_nth(&start, i, &dst);
			last = len;
			len += put_req(buf + len, seq++, o, &dst, gwp, oif);
		}
		((struct nlmsghdr *)(buf + last))->nlmsg_flags |= NLM_F_ACK;
		if (mnl_socket_sendto(nl, buf, len) != (ssize_t)len) {
			perror("bench_foreign: netlink send");
			return 1;
		}
		errors += bench_wait_ack(nl, seq - 1, rbuf, "bench_foreign");
	}
	t1 = bench_now();
	mnl_socket_close(nl);
	printf("routes=%llu seconds=%.6f rate=%.0f errors=%u\n", (unsigned long long)o->count,
	       t1 - t0, (double)o->count / (t1 - t0), errors);
	free(buf);
	free(rbuf);
	return errors ? 1 : 0;
}

static void usage(FILE *f)
{
	fprintf(f, "usage: bench_foreign --start PFX --count N [--table T (254)] [--proto P (4)]\n"
		   "                     [--dev IF --gw ADDR] [--batch M (64..2048, 1024)]\n");
}

int main(int argc, char **argv)
{
	static const struct option lopts[] = {
		{"start", required_argument, NULL, 's'}, {"count", required_argument, NULL, 'n'},
		{"table", required_argument, NULL, 't'}, {"proto", required_argument, NULL, 'p'},
		{"dev", required_argument, NULL, 'd'},	 {"gw", required_argument, NULL, 'g'},
		{"batch", required_argument, NULL, 'b'}, {"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct fopts o = {.table = RT_TABLE_MAIN, .proto = RTPROT_STATIC, .batch = 1024};
	int c;

	while ((c = getopt_long(argc, argv, "h", lopts, NULL)) != -1) {
		switch (c) {
		case 's':
			o.start = optarg;
			break;
		case 'n':
			o.count = strtoull(optarg, NULL, 0);
			break;
		case 't':
			o.table = (unsigned)strtoul(optarg, NULL, 0);
			break;
		case 'p':
			o.proto = (unsigned)strtoul(optarg, NULL, 0);
			break;
		case 'd':
			o.dev = optarg;
			break;
		case 'g':
			o.gw = optarg;
			break;
		case 'b':
			o.batch = (unsigned)strtoul(optarg, NULL, 0);
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc || !o.start || !o.count || !o.table || o.proto > 255 ||
	    o.batch < 64 || o.batch > 2048 || !o.dev != !o.gw) {
		usage(stderr);
		return 2;
	}
	return install(&o);
}
