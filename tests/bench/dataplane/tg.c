/* tg - the data-plane bench's traffic generator: prebuilt minimum-size UDP
 * frames sent on AF_PACKET sockets in sendmmsg batches, paced by
 * CLOCK_MONOTONIC so that the average rate is exact.
 *
 *   tg --flow DEV,DSTMAC,SRC,DST [--flow ...] --rate PPS [--count N] [--seconds S]
 *      [--cpu C] [--sut-cpu C] [--batch B] [--size BYTES] [--dport P]
 *
 * Frame i goes out through flow i % nflows (round robin), so several flows
 * (one per parallel router) share one generator and one total rate.  SRC and
 * DST are both IPv4 or both IPv6.  --size is the frame as handed to the
 * kernel: 60 bytes by default (the 64-byte Ethernet minimum less the FCS a
 * veth does not carry); IPv6 needs at least 62.  The UDP source port cycles
 * over 8 values.  The run ends after N frames or S seconds, whichever comes
 * first; by count it ends at the due time of frame N, so that the elapsed
 * time is exact too.
 *
 * Batch k is sent when its first frame is due (sleeping, or spinning for the
 * last 30 us); a generator that falls behind sends back to back until it has
 * caught up.  Counts: offered = frames due by the end, sent = accepted by the
 * kernel, refused = frames of a batch from the first one the kernel refused
 * (ENOBUFS: the receiving veth's backlog was full; EAGAIN) to the batch's end.
 * offered - sent - refused > 0 means the generator could not keep up.
 *
 * One machine-readable line on stdout, key=value:
 *   tg target=PPS offered= sent= refused= elapsed=S rate=PPS batch= tg_cpu=%
 *      tg_send=% sut_busy=% sut_sirq=% others_user=% others_gen=%
 * tg_cpu is this process's CPU time over the run (the pacing spins, so it is
 * high at any rate); tg_send the share of the run spent inside sendmmsg
 * (near 100: the generator is at its limit).  sut_busy/sut_sirq: the
 * non-idle and softirq share of CPU --sut-cpu (default 1) from /proc/stat
 * over the run (tick-sampled: a CPU that is mostly idle between interrupts
 * is under-counted; near saturation it is right).  Another program running
 * during the measurement shows as others_user (user+nice time of all CPUs
 * less this process's own, in % of one CPU) or, with --cpu, as others_gen
 * (the busy time of the generator's CPU less this process's CPU time). */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <netinet/ip.h>
#include <netinet/ip6.h>
#include <netinet/udp.h>
#include <sched.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_FLOWS 64
#define MAX_BATCH 32
#define PORTS     8 /* frames per flow: UDP source ports 40000..40007 */
#define MAX_FRAME 1514
#define SPIN_NS   30000
#define CPU_MAX   256

struct flow {
	char dev[IF_NAMESIZE];
	int ifindex;
	uint8_t smac[6], dmac[6];
	int af;
	struct in6_addr src, dst; /* IPv4 in the first 4 bytes */
	uint8_t frame[PORTS][MAX_FRAME];
	struct sockaddr_ll sll;
};

struct cpustat {
	unsigned long long user, nice, sys, idle, iowait, irq, sirq, steal;
};

static struct flow flows[MAX_FLOWS];
static int nflows;

static void usage(FILE *f)
{
	fprintf(f, "usage: tg --flow DEV,DSTMAC,SRC,DST [--flow ...] --rate PPS [--count N]\n"
	           "          [--seconds S] [--cpu C] [--sut-cpu C] [--batch B (1..32)]\n"
	           "          [--size BYTES] [--dport P (9)]\n");
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void sleep_until(uint64_t t)
{
	struct timespec ts = {.tv_sec = (time_t)(t / 1000000000ull),
	                      .tv_nsec = (long)(t % 1000000000ull)};

	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
		;
}

static uint32_t csum_add(uint32_t sum, const void *data, size_t len)
{
	const uint8_t *p = data;

	for (; len > 1; p += 2, len -= 2)
		sum += (uint32_t)p[0] << 8 | p[1];
	if (len)
		sum += (uint32_t)p[0] << 8;
	return sum;
}

static uint16_t csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static int parse_mac(const char *s, uint8_t mac[6])
{
	unsigned v[6];
	char end;

	if (sscanf(s, "%x:%x:%x:%x:%x:%x%c", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &end) != 6)
		return -EINVAL;
	for (int i = 0; i < 6; i++) {
		if (v[i] > 0xff)
			return -EINVAL;
		mac[i] = (uint8_t)v[i];
	}
	return 0;
}

static int parse_flow(char *arg)
{
	char *dev = strtok(arg, ","), *mac = strtok(NULL, ","), *src = strtok(NULL, ","),
	     *dst = strtok(NULL, ",");
	struct flow *f;

	if (!dst || strtok(NULL, ",")) {
		fprintf(stderr, "tg: --flow wants DEV,DSTMAC,SRC,DST\n");
		return -EINVAL;
	}
	if (nflows == MAX_FLOWS) {
		fprintf(stderr, "tg: at most %d flows\n", MAX_FLOWS);
		return -E2BIG;
	}
	f = &flows[nflows];
	if (strlen(dev) >= IF_NAMESIZE || parse_mac(mac, f->dmac) < 0) {
		fprintf(stderr, "tg: bad device or MAC in --flow %s,%s\n", dev, mac);
		return -EINVAL;
	}
	strcpy(f->dev, dev);
	if (inet_pton(AF_INET, src, &f->src) == 1 && inet_pton(AF_INET, dst, &f->dst) == 1)
		f->af = AF_INET;
	else if (inet_pton(AF_INET6, src, &f->src) == 1 && inet_pton(AF_INET6, dst, &f->dst) == 1)
		f->af = AF_INET6;
	else {
		fprintf(stderr, "tg: %s and %s: not two IPv4 or two IPv6 addresses\n", src, dst);
		return -EINVAL;
	}
	nflows++;
	return 0;
}

static int resolve_dev(int fd, struct flow *f)
{
	struct ifreq ifr;

	f->ifindex = (int)if_nametoindex(f->dev);
	if (!f->ifindex) {
		fprintf(stderr, "tg: %s: %s\n", f->dev, strerror(errno));
		return -errno;
	}
	memset(&ifr, 0, sizeof(ifr));
	strcpy(ifr.ifr_name, f->dev);
	if (ioctl(fd, SIOCGIFHWADDR, &ifr) < 0) {
		fprintf(stderr, "tg: %s: no hardware address: %s\n", f->dev, strerror(errno));
		return -errno;
	}
	memcpy(f->smac, ifr.ifr_hwaddr.sa_data, 6);
	memset(&f->sll, 0, sizeof(f->sll));
	f->sll.sll_family = AF_PACKET;
	f->sll.sll_ifindex = f->ifindex;
	f->sll.sll_halen = 6;
	memcpy(f->sll.sll_addr, f->dmac, 6);
	return 0;
}

/* One frame: Ethernet, IPv4 (checksummed; UDP checksum 0, allowed in IPv4)
 * or IPv6 (UDP checksum mandatory), UDP, zero payload up to size. */
static void build_frame(struct flow *f, int port, size_t size, uint16_t dport)
{
	uint8_t *b = f->frame[port];
	struct ether_header *eth = (struct ether_header *)b;
	struct udphdr *udp;
	size_t l3 = size - sizeof(*eth), l4;

	memset(b, 0, size);
	memcpy(eth->ether_dhost, f->dmac, 6);
	memcpy(eth->ether_shost, f->smac, 6);
	if (f->af == AF_INET) {
		struct iphdr *ip = (struct iphdr *)(eth + 1);

		eth->ether_type = htons(ETHERTYPE_IP);
		ip->version = 4;
		ip->ihl = 5;
		ip->tot_len = htons((uint16_t)l3);
		ip->ttl = 64;
		ip->protocol = IPPROTO_UDP;
		memcpy(&ip->saddr, &f->src, 4);
		memcpy(&ip->daddr, &f->dst, 4);
		ip->check = htons(csum_fold(csum_add(0, ip, sizeof(*ip))));
		udp = (struct udphdr *)(ip + 1);
		l4 = l3 - sizeof(*ip);
	} else {
		struct ip6_hdr *ip6 = (struct ip6_hdr *)(eth + 1);

		eth->ether_type = htons(ETHERTYPE_IPV6);
		ip6->ip6_flow = htonl(6u << 28);
		l4 = l3 - sizeof(*ip6);
		ip6->ip6_plen = htons((uint16_t)l4);
		ip6->ip6_nxt = IPPROTO_UDP;
		ip6->ip6_hlim = 64;
		memcpy(&ip6->ip6_src, &f->src, 16);
		memcpy(&ip6->ip6_dst, &f->dst, 16);
		udp = (struct udphdr *)(ip6 + 1);
	}
	udp->source = htons((uint16_t)(40000 + port));
	udp->dest = htons(dport);
	udp->len = htons((uint16_t)l4);
	if (f->af == AF_INET6) {
		uint32_t sum = csum_add(0, &f->src, 16);

		sum = csum_add(sum, &f->dst, 16);
		sum += (uint32_t)l4 + IPPROTO_UDP;
		sum = csum_add(sum, udp, l4);
		udp->check = htons(csum_fold(sum));
		if (!udp->check)
			udp->check = 0xffff;
	}
}

static int read_cpustat(struct cpustat *st, int ncpu)
{
	FILE *f = fopen("/proc/stat", "r");
	char line[512];
	int n = 0;

	if (!f)
		return -errno;
	memset(st, 0, sizeof(*st) * (size_t)ncpu);
	while (fgets(line, sizeof(line), f)) {
		struct cpustat s;
		int cpu;

		if (strncmp(line, "cpu", 3) || line[3] < '0' || line[3] > '9')
			continue;
		if (sscanf(line + 3, "%d %llu %llu %llu %llu %llu %llu %llu %llu", &cpu, &s.user,
		           &s.nice, &s.sys, &s.idle, &s.iowait, &s.irq, &s.sirq, &s.steal) != 9)
			continue;
		if (cpu >= 0 && cpu < ncpu) {
			st[cpu] = s;
			n = cpu + 1 > n ? cpu + 1 : n;
		}
	}
	fclose(f);
	return n;
}

static unsigned long long total(const struct cpustat *s)
{
	return s->user + s->nice + s->sys + s->idle + s->iowait + s->irq + s->sirq + s->steal;
}

static bool parse_u64(const char *s, uint64_t *v)
{
	char *end;

	errno = 0;
	*v = strtoull(s, &end, 10);
	return !errno && end != s && !*end;
}

int main(int argc, char **argv)
{
	static const struct option lopts[] = {
	    {"flow", required_argument, NULL, 'f'},
	    {"rate", required_argument, NULL, 'r'},
	    {"count", required_argument, NULL, 'n'},
	    {"seconds", required_argument, NULL, 's'},
	    {"cpu", required_argument, NULL, 'c'},
	    {"sut-cpu", required_argument, NULL, 'u'},
	    {"batch", required_argument, NULL, 'b'},
	    {"size", required_argument, NULL, 'z'},
	    {"dport", required_argument, NULL, 'd'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	uint64_t rate = 0, count = UINT64_MAX, batch = 0, size = 0, dport = 9, v;
	double seconds = 0;
	int cpu = -1, sut_cpu = 1, opt, fd, one = 1, sndbuf = 4 << 20;
	static struct cpustat st0[CPU_MAX], st1[CPU_MAX];
	struct mmsghdr msgs[MAX_BATCH];
	struct iovec iov[MAX_BATCH];
	uint64_t t0, tend, limit_ns, i = 0, sent = 0, refused = 0, offered, elapsed, in_send = 0;
	struct rusage ru;
	int ncpu;

	while ((opt = getopt_long(argc, argv, "h", lopts, NULL)) != -1) {
		switch (opt) {
		case 'f':
			if (parse_flow(optarg) < 0)
				return 2;
			break;
		case 'r':
		case 'n':
		case 'c':
		case 'u':
		case 'b':
		case 'z':
		case 'd':
			if (!parse_u64(optarg, &v)) {
				fprintf(stderr, "tg: bad number %s\n", optarg);
				return 2;
			}
			if (opt == 'r')
				rate = v;
			else if (opt == 'n')
				count = v;
			else if (opt == 'c')
				cpu = v < CPU_MAX ? (int)v : -2;
			else if (opt == 'u')
				sut_cpu = v < CPU_MAX ? (int)v : -2;
			else if (opt == 'b')
				batch = v;
			else if (opt == 'z')
				size = v;
			else
				dport = v;
			break;
		case 's':
			seconds = strtod(optarg, NULL);
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc || !nflows || !rate || (count == UINT64_MAX && seconds <= 0) ||
	    batch > MAX_BATCH || dport > 65535 || cpu == -2 || sut_cpu < 0) {
		usage(stderr);
		return 2;
	}
	if (!size)
		size = flows[0].af == AF_INET6 ? 62 : 60;
	for (int k = 0; k < nflows; k++) {
		size_t min = flows[k].af == AF_INET6 ? 62 : 42;

		if (size < min || size > MAX_FRAME) {
			fprintf(stderr, "tg: --size %" PRIu64 " outside %zu..%d\n", size, min,
			        MAX_FRAME);
			return 2;
		}
	}
	/* Default batch: about 20k batches/s at low rates (smooth CBR),
	 * 32 from 640k pps up (fewest system calls). */
	if (!batch) {
		batch = rate / 20000;
		batch = batch < 1 ? 1 : batch > MAX_BATCH ? MAX_BATCH : batch;
	}

	if (cpu >= 0) {
		cpu_set_t set;

		CPU_ZERO(&set);
		CPU_SET(cpu, &set);
		if (sched_setaffinity(0, sizeof(set), &set) < 0) {
			fprintf(stderr, "tg: pin to CPU %d: %s\n", cpu, strerror(errno));
			return 1;
		}
	}
	/* clock_nanosleep would otherwise wake up to 50 us late */
	prctl(PR_SET_TIMERSLACK, 1UL, 0UL, 0UL, 0UL);

	fd = socket(AF_PACKET, SOCK_RAW, 0);
	if (fd < 0) {
		fprintf(stderr, "tg: AF_PACKET socket: %s\n", strerror(errno));
		return 1;
	}
	/* straight to the driver: no qdisc, and a veth's ENOBUFS reaches us */
	if (setsockopt(fd, SOL_PACKET, PACKET_QDISC_BYPASS, &one, sizeof(one)) < 0)
		fprintf(stderr, "tg: PACKET_QDISC_BYPASS: %s (continuing)\n", strerror(errno));
	if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &sndbuf, sizeof(sndbuf)) < 0)
		setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof(sndbuf));
	for (int k = 0; k < nflows; k++) {
		if (resolve_dev(fd, &flows[k]) < 0)
			return 1;
		for (int p = 0; p < PORTS; p++)
			build_frame(&flows[k], p, size, (uint16_t)dport);
	}

	limit_ns = seconds > 0 ? (uint64_t)(seconds * 1e9) : UINT64_MAX;
	if (count != UINT64_MAX) {
		/* ending by count: at the due time of frame N */
		uint64_t by_count = (uint64_t)((double)count * 1e9 / (double)rate);

		limit_ns = by_count < limit_ns ? by_count : limit_ns;
	}
	ncpu = read_cpustat(st0, CPU_MAX);
	if (ncpu <= sut_cpu) {
		fprintf(stderr, "tg: no CPU %d in /proc/stat\n", sut_cpu);
		return 1;
	}
	t0 = now_ns();
	for (;;) {
		uint64_t due = t0 + (uint64_t)((double)i * 1e9 / (double)rate), now = now_ns();
		unsigned b, k;
		int ret;

		/* a lagging generator's due times are in the past: the clock
		 * bounds the run as well */
		if (i >= count || due >= t0 + limit_ns || now >= t0 + limit_ns)
			break;
		if (now < due) {
			if (due - now > SPIN_NS)
				sleep_until(due - SPIN_NS);
			while (now_ns() < due)
				;
		}
		b = (unsigned)(count - i < batch ? count - i : batch);
		for (k = 0; k < b; k++) {
			uint64_t seq = i + k;
			struct flow *f = &flows[seq % (uint64_t)nflows];

			iov[k].iov_base = f->frame[(seq / (uint64_t)nflows) % PORTS];
			iov[k].iov_len = size;
			memset(&msgs[k], 0, sizeof(msgs[k]));
			msgs[k].msg_hdr.msg_name = &f->sll;
			msgs[k].msg_hdr.msg_namelen = sizeof(f->sll);
			msgs[k].msg_hdr.msg_iov = &iov[k];
			msgs[k].msg_hdr.msg_iovlen = 1;
		}
		now = now_ns();
		ret = sendmmsg(fd, msgs, b, MSG_DONTWAIT);
		in_send += now_ns() - now;
		if (ret < 0) {
			if (errno != ENOBUFS && errno != EAGAIN && errno != EINTR) {
				fprintf(stderr, "tg: sendmmsg: %s\n", strerror(errno));
				return 1;
			}
			refused += b;
		} else {
			sent += (unsigned)ret;
			if ((unsigned)ret < b) {
				int err;
				socklen_t len = sizeof(err);

				refused += b - (unsigned)ret;
				/* sendmmsg parks the error of a partial batch in
				 * sk_err, which would fail the next send: clear it */
				getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
			}
		}
		i += b;
	}
	/* by count, the run lasts until frame N is due */
	if (i >= count && count != UINT64_MAX)
		sleep_until(t0 + limit_ns);
	tend = now_ns();
	read_cpustat(st1, CPU_MAX);
	getrusage(RUSAGE_SELF, &ru);

	elapsed = tend - t0;
	offered = (uint64_t)((double)elapsed * (double)rate / 1e9);
	offered = offered > count ? count : offered;
	offered = offered < i ? i : offered;
	{
		double el = (double)elapsed / 1e9, hz = (double)sysconf(_SC_CLK_TCK);
		double tg_user = (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6;
		double tg_cpu = tg_user + (double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
		const struct cpustat *a = &st0[sut_cpu], *z = &st1[sut_cpu];
		double tot = (double)(total(z) - total(a));
		double idle = (double)((z->idle - a->idle) + (z->iowait - a->iowait));
		double users = 0, gen = 0;

		for (int c = 0; c < ncpu; c++)
			users +=
			    (double)((st1[c].user - st0[c].user) + (st1[c].nice - st0[c].nice));
		users = users / hz - tg_user;
		if (cpu >= 0 && cpu < ncpu) {
			const struct cpustat *g0 = &st0[cpu], *g1 = &st1[cpu];

			gen = (double)((total(g1) - total(g0)) - (g1->idle - g0->idle) -
			               (g1->iowait - g0->iowait)) /
			          hz -
			      tg_cpu;
		}
		printf("tg target=%" PRIu64 " offered=%" PRIu64 " sent=%" PRIu64 " refused=%" PRIu64
		       " elapsed=%.6f rate=%.0f batch=%" PRIu64 " tg_cpu=%.1f tg_send=%.1f"
		       " sut_busy=%.1f sut_sirq=%.1f others_user=%.1f others_gen=%.1f\n",
		       rate, offered, sent, refused, el, (double)sent / el, batch,
		       100.0 * tg_cpu / el, 100.0 * (double)in_send / (double)elapsed,
		       tot > 0 ? 100.0 * (tot - idle) / tot : 0.0,
		       tot > 0 ? 100.0 * (double)(z->sirq - a->sirq) / tot : 0.0,
		       users > 0 ? 100.0 * users / el : 0.0, gen > 0 ? 100.0 * gen / el : 0.0);
	}
	close(fd);
	return 0;
}
