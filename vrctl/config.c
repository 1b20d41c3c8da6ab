/* config.c - the commands that take a whole config file: validate
 * (offline), apply and diff.  A file is checked here exactly as validate
 * checks it, and vrd is not asked when it is invalid. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "load.h"
#include "vrctl.h"

int vrctl_cmd_validate(const struct vrctl *v, int argc, char **argv)
{
	struct vr_errs e;
	struct vr_config c;
	int r;

	if (argc != 2)
		return VRCTL_USAGE;
	vr_errs_init(&e);
	r = vr_load_file(v->ctx, argv[1], &c, &e);
	if (r < 0) {
		vrctl_print_errors(v, &e);
	} else {
		printf(v->json ? "{\"ok\":true}\n" : "ok\n");
		vr_config_free(&c);
	}
	vr_errs_free(&e);
	return r < 0 ? 1 : 0;
}

/* The whole file ("-": standard input), NUL-terminated; NULL with the
 * reason in e. */
static char *read_file(const char *path, struct vr_errs *e)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "re") : stdin;
	char *buf = NULL, chunk[65536];
	size_t len = 0, n;
	FILE *m;
	int err = 0;

	if (!f) {
		vr_errs_add(e, -errno, path, "cannot read: %s", strerror(errno));
		return NULL;
	}
	m = open_memstream(&buf, &len);
	if (!m)
		abort();
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		fwrite(chunk, 1, n, m);
	if (ferror(f))
		err = errno ? errno : EIO;
	fclose(m);
	if (f != stdin)
		fclose(f);
	if (err) {
		vr_errs_add(e, -err, path, "cannot read: %s", strerror(err));
		free(buf);
		return NULL;
	}
	return buf;
}

/* "apply" or "diff" of the config in path. */
static int send_config(const struct vrctl *v, const char *rpc, const char *path, bool dry_run)
{
	vrctl_show_fn show;
	struct vr_errs e;
	char *cfg, *req = NULL;
	int r;

	vr_errs_init(&e);
	cfg = read_file(path, &e);
	if (cfg)
		req = vr_ctl_config_request(v->ctx, rpc, cfg, dry_run, &e);
	free(cfg);
	if (!req) {
		vrctl_print_errors(v, &e);
		vr_errs_free(&e);
		return 1;
	}
	vr_errs_free(&e);
	if (strcmp(rpc, "apply"))
		show = vrctl_show_plan;
	else
		show = dry_run ? vrctl_show_dry_run : vrctl_show_summary;
	r = vrctl_run(v, rpc, req, VRCTL_FOREVER, show, NULL);
	free(req);
	return r;
}

int vrctl_cmd_apply(const struct vrctl *v, int argc, char **argv)
{
	const char *file = NULL;
	bool dry_run = false;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--dry-run") || !strcmp(argv[i], "-n")) {
			dry_run = true;
		} else if (argv[i][0] == '-' && argv[i][1]) {
			fprintf(stderr, "vrctl: apply: unknown option '%s'\n", argv[i]);
			return VRCTL_USAGE;
		} else if (file) {
			return VRCTL_USAGE;
		} else {
			file = argv[i];
		}
	}
	if (!file)
		return VRCTL_USAGE;
	return send_config(v, "apply", file, dry_run);
}

int vrctl_cmd_diff(const struct vrctl *v, int argc, char **argv)
{
	if (argc != 2)
		return VRCTL_USAGE;
	return send_config(v, "diff", argv[1], false);
}
