/* vrd - the virtual-router daemon.
 *
 *   vrd [--config FILE] [--socket PATH] ...   run in the foreground (systemd)
 *   vrd --check --config FILE                 validate and exit (like bgpd -n)
 *   vrd --once [--dry-run] --config FILE      converge the kernel to FILE, exit */
#include <errno.h>
#include <execinfo.h>
#include <signal.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine.h"
#include "ctl.h"
#include "load.h"
#include "vrd.h"

struct main_opts {
	struct vrd_opts d;
	bool check, once, dry_run, resync_set;
};

static void usage(FILE *f)
{
	fprintf(f, "usage: vrd [--config FILE] [--socket PATH] [options]    (the daemon)\n"
		   "       vrd --once [--dry-run] --config FILE [options]\n"
		   "       vrd --check --config FILE\n"
		   "  --config FILE        initial config (daemon: else the persisted running one)\n"
		   "  --once               converge the kernel to FILE, exit 0; on failure roll back, exit 1\n"
		   "  --dry-run            with --once: print the plan, change nothing\n"
		   "  --socket PATH        control socket [%s]\n"
		   "  --state-dir DIR      persisted state (running config, tables, links) [%s]\n"
		   "  --netns-prefix P     names of routers' namespaces (backend netns) [%s]\n"
		   "  --log-level L        error, warning, info, debug [info]\n"
		   "  --flush-on-exit      remove every router when stopping (default: they keep forwarding)\n"
		   "  --resync-interval S  full resync period in seconds [300]\n"
		   "  --max-clients N      control connections [64]\n"
		   "domU routers (placement domU):\n"
		   "  --guest-timeout S    a guest must be ready within S seconds [60]\n"
		   "  --lab-vrd PATH       the vrd run in lab guests [this program]\n"
		   "  --xl-dir DIR         generated xl.cfg files [STATE-DIR/xl]\n"
		   "  --vif-script PATH    vif hotplug script for xl guests [%s]\n"
		   "  --guest SPEC         be the vrd inside a guest: SPEC is \"xenstore\" or \"lab:DIR\"\n",
		VR_CTL_SOCKET_DEFAULT, VR_STATE_DIR_DEFAULT, VR_NETNS_PREFIX_DEFAULT, VR_VIF_SCRIPT);
}

static void print_errors(const struct vr_errs *e)
{
	for (size_t i = 0; i < e->n; i++) {
		char *s = vr_err_str(&e->v[i]);
		fprintf(stderr, "vrd: %s\n", s);
		free(s);
	}
}

static int run_once(const struct main_opts *o, const struct vr_config *c, struct vr_errs *e)
{
	struct vr_engine eng;
	struct vr_engine_result res;
	int r;

	struct vr_converge how = {.dry_run = o->dry_run};
	struct vr_hv_conf hc;
	struct vr_place place;

	vr_engine_init(&eng, o->d.state_dir, o->d.netns_prefix);
	vrd_place_conf(&o->d, &hc);
	vr_place_init(&place, &hc);
	eng.place = &place;

	r = vr_engine_converge(&eng, c, &how, &res, e);
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
	vr_place_free(&place);
	return r;
}

void vrd_place_conf(const struct vrd_opts *o, struct vr_hv_conf *conf)
{
	static char self[4096];
	ssize_t n;

	memset(conf, 0, sizeof(*conf));
	conf->state_dir = o->state_dir;
	conf->vrd_path = o->lab_vrd;
	if (!conf->vrd_path) {
		n = readlink("/proc/self/exe", self, sizeof(self) - 1);
		self[n > 0 ? n : 0] = 0;
		conf->vrd_path = n > 0 ? self : "vrd";
	}
	conf->xl_dir = o->xl_dir;
	conf->vif_script = o->vif_script ? o->vif_script : VR_VIF_SCRIPT;
	conf->timeout_ms = (int)(o->guest_timeout * 1000);
}

/* A crash leaves its backtrace in the log (offsets into the binary, for
 * addr2line), then dies of the same signal (core dump, exit status). */
static void on_fatal(int sig)
{
	static const char msg[] = "vrd: fatal signal, backtrace:\n";
	void *frames[64];
	int n = backtrace(frames, 64);

	if (write(STDERR_FILENO, msg, sizeof(msg) - 1) < 0)
		_exit(128 + sig);
	backtrace_symbols_fd(frames, n, STDERR_FILENO);
	signal(sig, SIG_DFL);
	raise(sig);
}

static void crash_reports(void)
{
	static const int sigs[] = {SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT};
	void *warm[1];

	backtrace(warm, 1); /* loads libgcc now, not in the handler */
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		signal(sigs[i], on_fatal);
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
		{"socket", required_argument, NULL, 's'},
		{"log-level", required_argument, NULL, 'L'},
		{"flush-on-exit", no_argument, NULL, 'F'},
		{"resync-interval", required_argument, NULL, 'R'},
		{"max-clients", required_argument, NULL, 'M'},
		{"monitor-rcvbuf", required_argument, NULL, 'B'}, /* tests: force ENOBUFS */
		{"guest", required_argument, NULL, 'G'},
		{"guest-timeout", required_argument, NULL, 'T'},
		{"lab-vrd", required_argument, NULL, 'V'},
		{"xl-dir", required_argument, NULL, 'X'},
		{"vif-script", required_argument, NULL, 'W'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct main_opts o = {.d = {.socket = VR_CTL_SOCKET_DEFAULT,
				    .state_dir = VR_STATE_DIR_DEFAULT,
				    .netns_prefix = VR_NETNS_PREFIX_DEFAULT,
				    .resync_interval = 300,
				    .debounce = 0.05,
				    .max_clients = 64,
				    .guest_timeout = 60}};
	struct vr_errs e;
	struct vr_config c;
	struct ly_ctx *ctx;
	int opt, r;

	crash_reports();

	while ((opt = getopt_long(argc, argv, "c:nh", opts, NULL)) != -1) {
		switch (opt) {
		case 'c':
			o.d.config = optarg;
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
			o.d.state_dir = optarg;
			break;
		case 'P':
			o.d.netns_prefix = optarg;
			break;
		case 's':
			o.d.socket = optarg;
			break;
		case 'L':
			if (!strcmp(optarg, "error"))
				vrd_log_level = VRD_LOG_ERROR;
			else if (!strcmp(optarg, "warning"))
				vrd_log_level = VRD_LOG_WARN;
			else if (!strcmp(optarg, "info"))
				vrd_log_level = VRD_LOG_INFO;
			else if (!strcmp(optarg, "debug"))
				vrd_log_level = VRD_LOG_DEBUG;
			else {
				usage(stderr);
				return 2;
			}
			break;
		case 'F':
			o.d.flush_on_exit = true;
			break;
		case 'R':
			o.d.resync_interval = atof(optarg);
			o.resync_set = true;
			if (o.d.resync_interval <= 0) {
				usage(stderr);
				return 2;
			}
			break;
		case 'M':
			o.d.max_clients = atoi(optarg);
			if (o.d.max_clients < 1) {
				usage(stderr);
				return 2;
			}
			break;
		case 'B':
			o.d.monitor_rcvbuf = atoi(optarg);
			break;
		case 'G':
			o.d.guest = optarg;
			break;
		case 'T':
			o.d.guest_timeout = atof(optarg);
			if (o.d.guest_timeout <= 0) {
				usage(stderr);
				return 2;
			}
			break;
		case 'V':
			o.d.lab_vrd = optarg;
			break;
		case 'X':
			o.d.xl_dir = optarg;
			break;
		case 'W':
			o.d.vif_script = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc || (o.check && o.once) || (o.dry_run && !o.once) ||
	    ((o.check || o.once) && !o.d.config)) {
		usage(stderr);
		return 2;
	}
	if (o.d.guest) {
		if (o.check || o.once || o.d.config) {
			usage(stderr);
			return 2;
		}
		if (!o.resync_set)
			o.d.resync_interval = 30;
		r = vrd_guest_run(&o.d);
		vr_intern_free_all();
		return r;
	}
	if (!o.check && !o.once) {
		r = vrd_run(&o.d);
		vr_intern_free_all();
		return r;
	}
	vr_errs_init(&e);
	ctx = vr_yang_ctx_new(&e);
	r = ctx ? vr_load_file(ctx, o.d.config, &c, &e) : -EINVAL;
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
