/* bench_gen - write the inputs of the control-plane bench to stdout.
 *
 *   bench_gen json --router R --port IF --addr ADDR/LEN --gw GW --start PFX --count N
 *       a vrd model: one router (backend netns) whose port IF has ADDR and
 *       N routes START, START+1, ... via GW (N may be 0)
 *   bench_gen ip --gw GW --start PFX --count N [--proto P]
 *       the same routes as an `ip -batch` file: route add PFX via GW proto P
 *
 * Destinations follow bench_addr.h, like bench_routes.  Exit 2 on bad
 * usage or when the routes would leave 198.18.0.0/15 / 2001:db8::/32. */
#include <getopt.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_addr.h"

struct opts {
	const char *router, *port, *addr, *gw, *start;
	uint64_t count;
	unsigned proto;
};

static void usage(FILE *f)
{
	fprintf(f, "usage: bench_gen json --router R --port IF --addr ADDR/LEN --gw GW --start PFX "
		   "--count N\n"
		   "       bench_gen ip --gw GW --start PFX --count N [--proto P (77)]\n");
}

int main(int argc, char **argv)
{
	static const struct option lopts[] = {
		{"router", required_argument, NULL, 'r'}, {"port", required_argument, NULL, 'i'},
		{"addr", required_argument, NULL, 'a'},	  {"gw", required_argument, NULL, 'g'},
		{"start", required_argument, NULL, 's'},  {"count", required_argument, NULL, 'n'},
		{"proto", required_argument, NULL, 'p'},  {NULL, 0, NULL, 0},
	};
	struct opts o = {.proto = 77};
	struct bench_pfx start, gw, dst;
	char s[INET6_ADDRSTRLEN + 8], g[INET6_ADDRSTRLEN + 8];
	const char *mode;
	bool json;
	int c;

	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	mode = argv[1];
	json = !strcmp(mode, "json");
	if (!json && strcmp(mode, "ip")) {
		usage(stderr);
		return 2;
	}
	optind = 2;
	while ((c = getopt_long(argc, argv, "", lopts, NULL)) != -1) {
		switch (c) {
		case 'r':
			o.router = optarg;
			break;
		case 'i':
			o.port = optarg;
			break;
		case 'a':
			o.addr = optarg;
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
		case 'p':
			o.proto = (unsigned)strtoul(optarg, NULL, 0);
			break;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc || !o.gw || !o.start || (json && (!o.router || !o.port || !o.addr))) {
		usage(stderr);
		return 2;
	}
	if (bench_pfx_parse(o.start, &start) < 0 || bench_pfx_parse(o.gw, &gw) < 0 ||
	    gw.family != start.family || !bench_pfx_allowed(&start) ||
	    (o.count && bench_pfx_nth(&start, o.count - 1, &dst) < 0)) {
		fprintf(stderr, "bench_gen: %llu routes from %s via %s: outside 198.18.0.0/15 or "
				"2001:db8::/32, or malformed\n",
			(unsigned long long)o.count, o.start, o.gw);
		return 2;
	}
	inet_ntop(gw.family, gw.a, g, sizeof(g));
	if (json)
		printf("{\"vrd:virtual-routers\":{\"router\":[{\"name\":\"%s\",\"backend\":\"netns\",\n"
		       "\"interface\":[{\"name\":\"%s\",\"address\":[\"%s\"]}]%s\n",
		       o.router, o.port, o.addr, o.count ? ",\"route\":[" : "");
	for (uint64_t i = 0; i < o.count; i++) {
		bench_pfx_nth(&start, i, &dst);
		bench_pfx_str(&dst, s, sizeof(s));
		if (json)
			printf("%s{\"prefix\":\"%s\",\"next-hop\":[{\"address\":\"%s\"}]}\n",
			       i ? "," : "", s, g);
		else
			printf("route add %s via %s proto %u\n", s, g, o.proto);
	}
	if (json)
		printf("%s}]}}\n", o.count ? "]" : "");
	if (fflush(stdout) || ferror(stdout)) {
		perror("bench_gen: write");
		return 1;
	}
	return 0;
}
