/* bench_routes - the raw libmnl baseline of the control-plane bench.
 *
 *   bench_routes [--no-nh] --dev IF --gw ADDR --start PFX --count N
 *                [--batch M] [--proto P] [--nhid ID]
 *       install N routes START, START+1, ... into the main table of the
 *       current network namespace: by default through one nexthop object
 *       (RTM_NEWNEXTHOP, then RTA_NH_ID per route), with --no-nh with
 *       RTA_GATEWAY + RTA_OIF per route.  Batches of M messages (64..2048,
 *       default 1024), NLM_F_ACK only on the last message of a batch (errors
 *       still come back), each batch's ack awaited before the next.
 *   bench_routes --dump [--family 4|6|all] [--proto P]
 *       dump the main table once (NETLINK_GET_STRICT_CHK, filtered by table
 *       in the kernel) and count its routes, and those of protocol P.
 *
 * Prints one line of key=value (routes, seconds, rate, ...).  Exit 1 on any
 * netlink error, 2 on bad usage. */
#include <errno.h>
#include <getopt.h>
#include <net/if.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libmnl/libmnl.h>
#include <linux/nexthop.h>
#include <linux/rtnetlink.h>

#include "bench_addr.h"
#include "bench_nl.h"

#define MSG_MAX 128		/* bytes of one route request, rounded up */

struct opts {
	const char *dev, *gw, *start, *family;
	uint64_t count;
	unsigned batch, proto, nhid;
	bool no_nh, dump;
};

static struct mnl_socket *nl_open(bool strict)
{
	struct mnl_socket *nl = mnl_socket_open(NETLINK_ROUTE);
	int one = 1;

	if (!nl || mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		perror("netlink socket");
		exit(1);
	}
	/* errors without the request echoed back, with the kernel's text */
	mnl_socket_setsockopt(nl, NETLINK_CAP_ACK, &one, sizeof(one));
	mnl_socket_setsockopt(nl, NETLINK_EXT_ACK, &one, sizeof(one));
	if (strict && mnl_socket_setsockopt(nl, NETLINK_GET_STRICT_CHK, &one, sizeof(one)) < 0) {
		perror("NETLINK_GET_STRICT_CHK");
		exit(1);
	}
	return nl;
}

static void send_all(struct mnl_socket *nl, const void *buf, size_t len)
{
	if (mnl_socket_sendto(nl, buf, len) != (ssize_t)len) {
		perror("netlink send");
		exit(1);
	}
}

static struct nlmsghdr *put_route(char *p, uint32_t seq, const struct bench_pfx *dst,
				  const struct opts *o, const struct bench_pfx *gw, uint32_t oif)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(p);
	struct rtmsg *rtm;

	nlh->nlmsg_type = RTM_NEWROUTE;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_CREATE | NLM_F_EXCL;
	nlh->nlmsg_seq = seq;
	rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = (unsigned char)dst->family;
	rtm->rtm_dst_len = (unsigned char)dst->plen;
	rtm->rtm_table = RT_TABLE_MAIN;
	rtm->rtm_protocol = (unsigned char)o->proto;
	rtm->rtm_scope = RT_SCOPE_UNIVERSE;
	rtm->rtm_type = RTN_UNICAST;
	mnl_attr_put(nlh, RTA_DST, bench_alen(dst->family), dst->a);
	if (o->no_nh) {
		mnl_attr_put(nlh, RTA_GATEWAY, bench_alen(gw->family), gw->a);
		mnl_attr_put_u32(nlh, RTA_OIF, oif);
	} else {
		mnl_attr_put_u32(nlh, RTA_NH_ID, o->nhid);
	}
	return nlh;
}

static int do_install(const struct opts *o)
{
	struct bench_pfx start, gw, dst;
	struct mnl_socket *nl;
	struct nlmsghdr *nlh;
	char *buf, *rbuf, *p;
	uint32_t oif, seq = 1;
	unsigned errors = 0, batches = 0;
	double t0, t1;

	if (bench_pfx_parse(o->start, &start) < 0 || bench_pfx_parse(o->gw, &gw) < 0 ||
	    gw.family != start.family || !bench_pfx_allowed(&start)) {
		fprintf(stderr, "bench_routes: bad --start or --gw (198.18.0.0/15, 2001:db8::/32)\n");
		return 2;
	}
	if (bench_pfx_nth(&start, o->count ? o->count - 1 : 0, &dst) < 0) {
		fprintf(stderr, "bench_routes: %llu routes from %s leave the allowed range\n",
			(unsigned long long)o->count, o->start);
		return 2;
	}
	oif = if_nametoindex(o->dev);
	if (!oif) {
		fprintf(stderr, "bench_routes: no interface %s\n", o->dev);
		return 1;
	}
	buf = malloc((size_t)o->batch * MSG_MAX);
	rbuf = malloc(RECV_SIZE);
	if (!buf || !rbuf)
		abort();
	t0 = bench_now();
	nl = nl_open(false);

	if (!o->no_nh) {
		struct nhmsg *nhm;

		nlh = mnl_nlmsg_put_header(buf);
		nlh->nlmsg_type = RTM_NEWNEXTHOP;
		nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_CREATE | NLM_F_EXCL | NLM_F_ACK;
		nlh->nlmsg_seq = seq;
		nhm = mnl_nlmsg_put_extra_header(nlh, sizeof(*nhm));
		nhm->nh_family = (unsigned char)gw.family;
		nhm->nh_protocol = (unsigned char)o->proto;
		mnl_attr_put_u32(nlh, NHA_ID, o->nhid);
		mnl_attr_put_u32(nlh, NHA_OIF, oif);
		mnl_attr_put(nlh, NHA_GATEWAY, bench_alen(gw.family), gw.a);
		send_all(nl, buf, nlh->nlmsg_len);
		if (bench_wait_ack(nl, seq++, rbuf, "bench_routes"))
			return 1;
	}

	for (uint64_t i = 0; i < o->count;) {
		p = buf;
		nlh = NULL;
		for (unsigned k = 0; k < o->batch && i < o->count; k++, i++) {
			bench_pfx_nth(&start, i, &dst);
			nlh = put_route(p, seq++, &dst, o, &gw, oif);
			p += nlh->nlmsg_len;
		}
		nlh->nlmsg_flags |= NLM_F_ACK;
		send_all(nl, buf, (size_t)(p - buf));
		errors += bench_wait_ack(nl, seq - 1, rbuf, "bench_routes");
		batches++;
	}
	t1 = bench_now();
	mnl_socket_close(nl);
	printf("mode=%s routes=%llu seconds=%.6f rate=%.0f batches=%u errors=%u\n",
	       o->no_nh ? "gateway" : "nexthop", (unsigned long long)o->count, t1 - t0,
	       (double)o->count / (t1 - t0), batches, errors);
	free(buf);
	free(rbuf);
	return errors ? 1 : 0;
}

struct dump_ctx {
	uint64_t routes, owned;
	unsigned proto;
};

static int dump_cb(const struct nlmsghdr *nlh, void *data)
{
	struct dump_ctx *c = data;
	const struct rtmsg *rtm = mnl_nlmsg_get_payload(nlh);

	if (nlh->nlmsg_type != RTM_NEWROUTE)
		return MNL_CB_OK;
	c->routes++;
	c->owned += rtm->rtm_protocol == c->proto;
	return MNL_CB_OK;
}

static int dump_family(struct mnl_socket *nl, int family, struct dump_ctx *c, char *buf)
{
	uint32_t seq = (uint32_t)time(NULL), portid = mnl_socket_get_portid(nl);
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct rtmsg *rtm;
	ssize_t n;
	int r;

	nlh->nlmsg_type = RTM_GETROUTE;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nlh->nlmsg_seq = seq;
	rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = (unsigned char)family;
	rtm->rtm_table = RT_TABLE_MAIN;
	mnl_attr_put_u32(nlh, RTA_TABLE, RT_TABLE_MAIN);
	send_all(nl, buf, nlh->nlmsg_len);
	do {
		n = mnl_socket_recvfrom(nl, buf, RECV_SIZE);
		if (n < 0) {
			perror("netlink recv");
			return -1;
		}
		r = mnl_cb_run(buf, (size_t)n, seq, portid, dump_cb, c);
	} while (r > 0);
	if (r < 0) {
		perror("route dump");
		return -1;
	}
	return 0;
}

static int do_dump(const struct opts *o)
{
	struct dump_ctx c = {.proto = o->proto};
	struct mnl_socket *nl;
	char *buf = malloc(RECV_SIZE);
	bool v4 = strcmp(o->family, "6") != 0, v6 = strcmp(o->family, "4") != 0;
	double t0, t1;

	if (!buf)
		abort();
	t0 = bench_now();
	nl = nl_open(true);
	if ((v4 && dump_family(nl, AF_INET, &c, buf) < 0) ||
	    (v6 && dump_family(nl, AF_INET6, &c, buf) < 0))
		return 1;
	t1 = bench_now();
	mnl_socket_close(nl);
	printf("mode=dump routes=%llu owned=%llu seconds=%.6f rate=%.0f\n",
	       (unsigned long long)c.routes, (unsigned long long)c.owned, t1 - t0,
	       (double)c.routes / (t1 - t0));
	free(buf);
	return 0;
}

static void usage(FILE *f)
{
	fprintf(f, "usage: bench_routes [--no-nh] --dev IF --gw ADDR --start PFX --count N\n"
		   "                    [--batch M (64..2048, 1024)] [--proto P (77)] [--nhid ID (1)]\n"
		   "       bench_routes --dump [--family 4|6|all] [--proto P (77)]\n");
}

int main(int argc, char **argv)
{
	static const struct option lopts[] = {
		{"dev", required_argument, NULL, 'd'},	 {"gw", required_argument, NULL, 'g'},
		{"start", required_argument, NULL, 's'}, {"count", required_argument, NULL, 'n'},
		{"batch", required_argument, NULL, 'b'}, {"proto", required_argument, NULL, 'p'},
		{"nhid", required_argument, NULL, 'i'},	 {"no-nh", no_argument, NULL, 'G'},
		{"dump", no_argument, NULL, 'D'},	 {"family", required_argument, NULL, 'f'},
		{"help", no_argument, NULL, 'h'},	 {NULL, 0, NULL, 0},
	};
	struct opts o = {.batch = 1024, .proto = 77, .nhid = 1, .family = "all"};
	int c;

	while ((c = getopt_long(argc, argv, "h", lopts, NULL)) != -1) {
		switch (c) {
		case 'd':
			o.dev = optarg;
			break;
		case 'g':
			o.gw = optarg;
			break;
		case 's':
			o.start = optarg;
			break;
		case 'n':
			o.count = strtoull(optarg, NULL, 0);
			break;
		case 'b':
			o.batch = (unsigned)strtoul(optarg, NULL, 0);
			break;
		case 'p':
			o.proto = (unsigned)strtoul(optarg, NULL, 0);
			break;
		case 'i':
			o.nhid = (unsigned)strtoul(optarg, NULL, 0);
			break;
		case 'G':
			o.no_nh = true;
			break;
		case 'D':
			o.dump = true;
			break;
		case 'f':
			o.family = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc || o.proto > 255) {
		usage(stderr);
		return 2;
	}
	if (o.dump)
		return do_dump(&o);
	if (!o.dev || !o.gw || !o.start || !o.count || o.batch < 64 || o.batch > 2048 || !o.nhid) {
		usage(stderr);
		return 2;
	}
	return do_install(&o);
}
