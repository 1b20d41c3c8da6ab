/* vrd - the virtual-router daemon. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "load.h"

static void usage(FILE *f)
{
	fprintf(f, "usage: vrd --check --config FILE\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"config", required_argument, NULL, 'c'},
		{"check", no_argument, NULL, 'n'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *config = NULL;
	bool check = false;
	struct vr_errs e;
	struct vr_config c;
	struct ly_ctx *ctx;
	int o, r;

	while ((o = getopt_long(argc, argv, "c:nh", opts, NULL)) != -1) {
		switch (o) {
		case 'c':
			config = optarg;
			break;
		case 'n':
			check = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (!config || !check) {
		usage(stderr);
		return 2;
	}
	vr_errs_init(&e);
	ctx = vr_yang_ctx_new(&e);
	r = ctx ? vr_load_file(ctx, config, &c, &e) : -EINVAL;
	for (size_t i = 0; i < e.n; i++) {
		char *s = vr_err_str(&e.v[i]);
		fprintf(stderr, "vrd: %s\n", s);
		free(s);
	}
	if (r == 0)
		vr_config_free(&c);
	vr_yang_ctx_free(ctx);
	vr_errs_free(&e);
	return r < 0 ? 1 : 0;
}
