/* rtt - round-trip times through the system under test: ICMP (or ICMPv6)
 * echo requests at a fixed interval, answered by the sink's kernel.
 *
 *   rtt --dst ADDR [--count N (1000)] [--interval-ms MS (1)] [--timeout-ms MS (1000)]
 *       [--cpu C] [--size BYTES (56)]
 *
 * Send time: CLOCK_REALTIME just before sendto; receive time: the kernel's
 * time stamp of the reply (SO_TIMESTAMPNS, the same clock), so a reply that
 * waits for this process to be scheduled (the generator shares its CPU) is
 * not counted as network delay.  Percentiles are nearest-rank over the
 * replies received; a probe without a reply within --timeout-ms after the
 * last one was sent is lost.  One line on stdout, key=value:
 *   rtt dst=ADDR sent= received= lost= min_us= p50_us= p99_us= max_us= mean_us= */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/ip_icmp.h>
#include <poll.h>
#include <sched.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_PAYLOAD 1400

static uint64_t ns_of(const struct timespec *ts)
{
	return (uint64_t)ts->tv_sec * 1000000000ull + (uint64_t)ts->tv_nsec;
}

static uint64_t now(clockid_t c)
{
	struct timespec ts;

	clock_gettime(c, &ts);
	return ns_of(&ts);
}

static uint16_t icmp_csum(const void *data, size_t len)
{
	const uint8_t *p = data;
	uint32_t sum = 0;

	for (; len > 1; p += 2, len -= 2)
		sum += (uint32_t)p[0] << 8 | p[1];
	if (len)
		sum += (uint32_t)p[0] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return htons((uint16_t)~sum);
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static void usage(FILE *f)
{
	fprintf(f, "usage: rtt --dst ADDR [--count N] [--interval-ms MS] [--timeout-ms MS] "
	           "[--cpu C] [--size BYTES]\n");
}

struct probe {
	int fd, af;
	uint16_t id;
	uint64_t *tx, *rtt;
	bool *got;
	unsigned count, received;
};

/* Read every reply waiting on the socket; record the matching ones. */
static void drain(struct probe *p)
{
	for (;;) {
		uint8_t buf[2048];
		char cbuf[256];
		struct iovec iov = {.iov_base = buf, .iov_len = sizeof(buf)};
		struct msghdr mh = {.msg_iov = &iov,
		                    .msg_iovlen = 1,
		                    .msg_control = cbuf,
		                    .msg_controllen = sizeof(cbuf)};
		uint64_t rx = 0;
		const uint8_t *icmp = buf;
		uint16_t id, seq;
		ssize_t n = recvmsg(p->fd, &mh, MSG_DONTWAIT);

		if (n < 0)
			return;
		for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c))
			if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SO_TIMESTAMPNS) {
				struct timespec ts;

				memcpy(&ts, CMSG_DATA(c), sizeof(ts));
				rx = ns_of(&ts);
			}
		if (!rx)
			rx = now(CLOCK_REALTIME);
		if (p->af == AF_INET) {
			/* a raw IPv4 socket hands over the IP header too */
			size_t hl = (size_t)(buf[0] & 0x0f) * 4;

			if ((size_t)n < hl + 8)
				continue;
			icmp = buf + hl;
			n -= (ssize_t)hl;
			if (icmp[0] != ICMP_ECHOREPLY)
				continue;
		} else if (n < 8 || icmp[0] != ICMP6_ECHO_REPLY)
			continue;
		memcpy(&id, icmp + 4, 2);
		memcpy(&seq, icmp + 6, 2);
		id = ntohs(id);
		seq = ntohs(seq);
		if (id != p->id || seq >= p->count || p->got[seq] || !p->tx[seq])
			continue;
		p->got[seq] = true;
		p->rtt[p->received++] = rx > p->tx[seq] ? rx - p->tx[seq] : 0;
	}
}

static void wait_until(struct probe *p, uint64_t mono_deadline)
{
	for (;;) {
		uint64_t t = now(CLOCK_MONOTONIC);
		struct pollfd pfd = {.fd = p->fd, .events = POLLIN};
		struct timespec ts;

		if (t >= mono_deadline)
			return;
		ts.tv_sec = (time_t)((mono_deadline - t) / 1000000000ull);
		ts.tv_nsec = (long)((mono_deadline - t) % 1000000000ull);
		if (ppoll(&pfd, 1, &ts, NULL) > 0)
			drain(p);
	}
}

int main(int argc, char **argv)
{
	static const struct option lopts[] = {
	    {"dst", required_argument, NULL, 'd'},
	    {"count", required_argument, NULL, 'n'},
	    {"interval-ms", required_argument, NULL, 'i'},
	    {"timeout-ms", required_argument, NULL, 't'},
	    {"cpu", required_argument, NULL, 'c'},
	    {"size", required_argument, NULL, 's'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	const char *dst = NULL;
	double interval_ms = 1, timeout_ms = 1000;
	long count = 1000, size = 56, cpu = -1;
	struct sockaddr_storage sa;
	socklen_t salen;
	struct probe p = {0};
	uint8_t pkt[8 + MAX_PAYLOAD];
	uint64_t t0, sum = 0;
	int opt, one = 1;

	while ((opt = getopt_long(argc, argv, "h", lopts, NULL)) != -1) {
		switch (opt) {
		case 'd':
			dst = optarg;
			break;
		case 'n':
			count = strtol(optarg, NULL, 10);
			break;
		case 'i':
			interval_ms = strtod(optarg, NULL);
			break;
		case 't':
			timeout_ms = strtod(optarg, NULL);
			break;
		case 'c':
			cpu = strtol(optarg, NULL, 10);
			break;
		case 's':
			size = strtol(optarg, NULL, 10);
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (!dst || optind != argc || count < 1 || count > 65535 || interval_ms <= 0 ||
	    timeout_ms <= 0 || size < 0 || size > MAX_PAYLOAD) {
		usage(stderr);
		return 2;
	}
	memset(&sa, 0, sizeof(sa));
	if (inet_pton(AF_INET, dst, &((struct sockaddr_in *)&sa)->sin_addr) == 1) {
		sa.ss_family = AF_INET;
		salen = sizeof(struct sockaddr_in);
	} else if (inet_pton(AF_INET6, dst, &((struct sockaddr_in6 *)&sa)->sin6_addr) == 1) {
		sa.ss_family = AF_INET6;
		salen = sizeof(struct sockaddr_in6);
	} else {
		fprintf(stderr, "rtt: %s is not an IP address\n", dst);
		return 2;
	}
	if (cpu >= 0) {
		cpu_set_t set;

		CPU_ZERO(&set);
		CPU_SET((int)cpu, &set);
		if (sched_setaffinity(0, sizeof(set), &set) < 0) {
			fprintf(stderr, "rtt: pin to CPU %ld: %s\n", cpu, strerror(errno));
			return 1;
		}
	}
	p.af = sa.ss_family;
	p.fd = socket(p.af, SOCK_RAW, p.af == AF_INET ? IPPROTO_ICMP : IPPROTO_ICMPV6);
	if (p.fd < 0) {
		fprintf(stderr, "rtt: raw ICMP socket: %s\n", strerror(errno));
		return 1;
	}
	if (p.af == AF_INET6) {
		struct icmp6_filter filt;

		ICMP6_FILTER_SETBLOCKALL(&filt);
		ICMP6_FILTER_SETPASS(ICMP6_ECHO_REPLY, &filt);
		setsockopt(p.fd, IPPROTO_ICMPV6, ICMP6_FILTER, &filt, sizeof(filt));
	}
	if (setsockopt(p.fd, SOL_SOCKET, SO_TIMESTAMPNS, &one, sizeof(one)) < 0)
		fprintf(stderr, "rtt: SO_TIMESTAMPNS: %s (user-space receive times)\n",
		        strerror(errno));
	p.id = (uint16_t)getpid();
	p.count = (unsigned)count;
	p.tx = calloc((size_t)count, sizeof(*p.tx));
	p.rtt = calloc((size_t)count, sizeof(*p.rtt));
	p.got = calloc((size_t)count, sizeof(*p.got));
	if (!p.tx || !p.rtt || !p.got) {
		fprintf(stderr, "rtt: out of memory\n");
		return 1;
	}
	memset(pkt, 0xa5, sizeof(pkt));
	t0 = now(CLOCK_MONOTONIC);
	for (unsigned seq = 0; seq < p.count; seq++) {
		uint16_t id = htons(p.id), nseq = htons((uint16_t)seq);
		size_t len = 8 + (size_t)size;

		wait_until(&p, t0 + (uint64_t)(seq * interval_ms * 1e6));
		pkt[0] = p.af == AF_INET ? ICMP_ECHO : ICMP6_ECHO_REQUEST;
		pkt[1] = 0;
		pkt[2] = pkt[3] = 0;
		memcpy(pkt + 4, &id, 2);
		memcpy(pkt + 6, &nseq, 2);
		if (p.af == AF_INET) {
			uint16_t c = icmp_csum(pkt, len);

			memcpy(pkt + 2, &c, 2);
		} /* ICMPv6: the kernel fills the checksum in */
		p.tx[seq] = now(CLOCK_REALTIME);
		if (sendto(p.fd, pkt, len, 0, (struct sockaddr *)&sa, salen) < 0)
			p.tx[seq] = 0; /* not sent: counted lost */
		drain(&p);
	}
	wait_until(&p, now(CLOCK_MONOTONIC) + (uint64_t)(timeout_ms * 1e6));
	for (unsigned k = 0; k < p.received; k++)
		sum += p.rtt[k];
	qsort(p.rtt, p.received, sizeof(*p.rtt), cmp_u64);
	if (p.received) {
		size_t n = p.received, i50 = (n * 50 + 99) / 100, i99 = (n * 99 + 99) / 100;

		printf("rtt dst=%s sent=%u received=%u lost=%u min_us=%.1f p50_us=%.1f "
		       "p99_us=%.1f max_us=%.1f mean_us=%.1f\n",
		       dst, p.count, p.received, p.count - p.received, p.rtt[0] / 1e3,
		       p.rtt[i50 - 1] / 1e3, p.rtt[i99 - 1] / 1e3, p.rtt[n - 1] / 1e3,
		       (double)sum / (double)n / 1e3);
	} else {
		printf("rtt dst=%s sent=%u received=0 lost=%u min_us=nan p50_us=nan p99_us=nan "
		       "max_us=nan mean_us=nan\n",
		       dst, p.count, p.count);
	}
	free(p.tx);
	free(p.rtt);
	free(p.got);
	close(p.fd);
	return p.received ? 0 : 1;
}
