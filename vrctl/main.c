/* vrctl - the operator's CLI: options, the command table and dispatch.
 * validate runs offline (config.c); the other commands talk to vrd over
 * its UNIX socket (client.c).  Exit status: 0 done, 1 failed (vrd or the
 * input said why), 2 usage. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "load.h"
#include "vrctl.h"

struct vrctl_cmd {
	const char *name;
	const char *args;
	const char *help;
	int (*run)(const struct vrctl *v, int argc, char **argv);
};

static const struct vrctl_cmd cmds[] = {
	{"validate", "FILE", "check a config offline (no daemon, no root)", vrctl_cmd_validate},
	{"apply", "[--dry-run] FILE", "make FILE the running config (--dry-run: plan only)",
	 vrctl_cmd_apply},
	{"diff", "FILE", "the plan that applying FILE would execute", vrctl_cmd_diff},
	{"show", "[ROUTER]", "routers, their interfaces and routes, as in the kernel",
	 vrctl_cmd_show},
	{"status", "", "the daemon: version, uptime, counters, last error", vrctl_cmd_status},
	{"router", "del NAME", "remove a router", vrctl_cmd_router},
	{"route", "add ROUTER PREFIX (via ADDR [dev IF] | blackhole | unreachable | prohibit)"
		  " [metric N]",
	 "add a route to a router", vrctl_cmd_route},
	{"route", "del ROUTER PREFIX", "remove a route", vrctl_cmd_route},
	{"migrate", "ROUTER native|dom0|domU", "move a router, make before break",
	 vrctl_cmd_migrate},
	{"monitor", "", "print each change vrd makes or sees, until interrupted",
	 vrctl_cmd_monitor},
};

#define NCMDS (sizeof(cmds) / sizeof(cmds[0]))

static void usage(FILE *f)
{
	fprintf(f, "usage: vrctl [--socket PATH] [-j|--json] COMMAND\n"
		   "commands:\n");
	for (size_t i = 0; i < NCMDS; i++) {
		char line[256];

		snprintf(line, sizeof(line), "%s %s", cmds[i].name, cmds[i].args);
		if (strlen(line) > 32)
			fprintf(f, "  %s\n  %-32s  %s\n", line, "", cmds[i].help);
		else
			fprintf(f, "  %-32s  %s\n", line, cmds[i].help);
	}
	fprintf(f, "options:\n"
		   "  -s, --socket PATH   vrd's control socket (default %s)\n"
		   "  -j, --json          print vrd's reply as JSON, one line\n"
		   "  -h, --help          this help\n",
		   VR_CTL_SOCKET_DEFAULT);
}

/* The usage lines of one command (route has two). */
static void usage_of(const char *name)
{
	for (size_t i = 0; i < NCMDS; i++)
		if (!strcmp(cmds[i].name, name))
			fprintf(stderr, "usage: vrctl %s%s%s\n", name, *cmds[i].args ? " " : "",
				cmds[i].args);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"socket", required_argument, NULL, 's'},
		{"json", no_argument, NULL, 'j'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct vrctl v = {.socket = VR_CTL_SOCKET_DEFAULT};
	const struct vrctl_cmd *cmd = NULL;
	struct vr_errs e;
	int o, r;

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
			return VRCTL_USAGE;
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 1) {
		usage(stderr);
		return VRCTL_USAGE;
	}
	for (size_t i = 0; i < NCMDS && !cmd; i++)
		if (!strcmp(argv[0], cmds[i].name))
			cmd = &cmds[i];
	if (!cmd) {
		fprintf(stderr, "vrctl: unknown command '%s'\n", argv[0]);
		usage(stderr);
		return VRCTL_USAGE;
	}
	vr_errs_init(&e);
	v.ctx = vr_yang_ctx_new(&e);
	if (!v.ctx) {
		vrctl_print_errors(&v, &e);
		vr_errs_free(&e);
		return 1;
	}
	vr_errs_free(&e);
	r = cmd->run(&v, argc, argv);
	if (r == VRCTL_USAGE)
		usage_of(cmd->name);
	vr_yang_ctx_free(v.ctx);
	return r;
}
