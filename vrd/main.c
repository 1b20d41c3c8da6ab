/* vrd - the virtual-router daemon.
 *
 *   vrd --check --config FILE          validate and exit (like bgpd -n)
 *   vrd --once [--dry-run] --config FILE
 *                                      converge the kernel to FILE and exit */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "load.h"

struct vrd_opts {
	const char *config, *state_dir, *netns_prefix;
	bool check, once, dry_run;
};

static void usage(FILE *f)
{
	fprintf(f, "usage: vrd --once [--dry-run] --config FILE [--state-dir DIR] [--netns-prefix P]\n"
		   "       vrd --check --config FILE\n"
		   "  --once          converge the kernel to FILE, exit 0; on failure roll back, exit 1\n"
		   "  --dry-run       with --once: print the plan, change nothing\n"
		   "  --state-dir     persisted state (table allocations, links) [%s]\n"
		   "  --netns-prefix  names of routers' namespaces (backend netns) [%s]\n",
		VR_STATE_DIR_DEFAULT, VR_NETNS_PREFIX_DEFAULT);
}

static void print_errors(const struct vr_errs *e)
{
	for (size_t i = 0; i < e->n; i++) {
		char *s = vr_err_str(&e->v[i]);
		fprintf(stderr, "vrd: %s\n", s);
		free(s);
	}
}

static int run_once(const struct vrd_opts *o, const struct vr_config *c, struct vr_errs *e)
{
	struct vr_engine eng;
	struct vr_engine_result res;
	int r;

	vr_engine_init(&eng, o->state_dir, o->netns_prefix);
	r = vr_engine_converge(&eng, c, o->dry_run, &res, e);
	if (r == 0 && o->dry_run) {
		vr_plan_print(&res.plan, stdout);
	} else if (r == 0) {
		printf("converged: %u added, %u changed, %u deleted (%zu messages in %zu batches, "
		       "%u round%s)\n",
		       res.summary.added, res.summary.changed, res.summary.deleted,
		       res.stats.messages, res.stats.batches, res.rounds, res.rounds == 1 ? "" : "s");
	}
	vr_engine_result_free(&res);
	vr_engine_free(&eng);
	return r;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"config", required_argument, NULL, 'c'},
		{"check", no_argument, NULL, 'n'},
		{"once", no_argument, NULL, 'o'},
		{"dry-run", no_argument, NULL, 'd'},
		{"state-dir", required_argument, NULL, 'S'},
		{"netns-prefix", required_argument, NULL, 'P'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct vrd_opts o = {0};
	struct vr_errs e;
	struct vr_config c;
	struct ly_ctx *ctx;
	int opt, r;

	while ((opt = getopt_long(argc, argv, "c:nh", opts, NULL)) != -1) {
		switch (opt) {
		case 'c':
			o.config = optarg;
			break;
		case 'n':
			o.check = true;
			break;
		case 'o':
			o.once = true;
			break;
		case 'd':
			o.dry_run = true;
			break;
		case 'S':
			o.state_dir = optarg;
			break;
		case 'P':
			o.netns_prefix = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc || !o.config || (o.check == o.once) || (o.dry_run && !o.once)) {
		usage(stderr);
		return 2;
	}
	vr_errs_init(&e);
	ctx = vr_yang_ctx_new(&e);
	r = ctx ? vr_load_file(ctx, o.config, &c, &e) : -EINVAL;
	vr_yang_ctx_free(ctx);
	if (r == 0) {
		if (o.once)
			r = run_once(&o, &c, &e);
		vr_config_free(&c);
	}
	print_errors(&e);
	vr_errs_free(&e);
	vr_intern_free_all();
	return r < 0 ? 1 : 0;
}
