/* vrctl - the operator's CLI.  Offline commands (validate) run here; the
 * others talk to vrd over its UNIX socket. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "load.h"

#define EXIT_USAGE 2

struct vrctl {
	const char *socket;
	bool json;
};

static void usage(FILE *f)
{
	fprintf(f, "usage: vrctl [--socket PATH] [-j|--json] COMMAND\n"
		   "commands:\n"
		   "  validate FILE             check a config offline (no daemon, no root)\n");
}

/* JSON string body with the escapes RFC 8259 requires. */
static void json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; s && *s; s++) {
		unsigned char ch = (unsigned char)*s;
		if (ch == '"' || ch == '\\')
			fprintf(f, "\\%c", ch);
		else if (ch < 0x20)
			fprintf(f, "\\u%04x", ch);
		else
			fputc(ch, f);
	}
	fputc('"', f);
}

static void print_errors(const struct vrctl *v, const struct vr_errs *e)
{
	if (v->json) {
		printf("{\"ok\":false,\"errors\":[");
		for (size_t i = 0; i < e->n; i++) {
			printf("%s{\"path\":", i ? "," : "");
			json_str(stdout, e->v[i].path ? e->v[i].path : "");
			printf(",\"message\":");
			json_str(stdout, e->v[i].msg);
			printf("}");
		}
		printf("]}\n");
		return;
	}
	for (size_t i = 0; i < e->n; i++) {
		char *s = vr_err_str(&e->v[i]);
		fprintf(stderr, "%s\n", s);
		free(s);
	}
}

static int cmd_validate(const struct vrctl *v, int argc, char **argv)
{
	struct vr_errs e;
	struct vr_config c;
	struct ly_ctx *ctx;
	int r;

	if (argc != 2) {
		fprintf(stderr, "usage: vrctl validate FILE\n");
		return EXIT_USAGE;
	}
	vr_errs_init(&e);
	ctx = vr_yang_ctx_new(&e);
	r = ctx ? vr_load_file(ctx, argv[1], &c, &e) : -EINVAL;
	if (r < 0) {
		print_errors(v, &e);
	} else {
		printf(v->json ? "{\"ok\":true}\n" : "ok\n");
		vr_config_free(&c);
	}
	vr_yang_ctx_free(ctx);
	vr_errs_free(&e);
	return r < 0 ? 1 : 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"socket", required_argument, NULL, 's'},
		{"json", no_argument, NULL, 'j'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct vrctl v = {.socket = "/run/vrd/vrd.sock"};
	int o;

	while ((o = getopt_long(argc, argv, "+s:jh", opts, NULL)) != -1) {
		switch (o) {
		case 's':
			v.socket = optarg;
			break;
		case 'j':
			v.json = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 1) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[0], "validate"))
		return cmd_validate(&v, argc, argv);
	fprintf(stderr, "vrctl: unknown command '%s'\n", argv[0]);
	usage(stderr);
	return EXIT_USAGE;
}
