/* bench_run - run a command, report its cost.
 *
 *   bench_run [-o FILE] -- CMD [ARG...]
 *
 * Runs CMD (its stdin/stdout/stderr are ours) and writes one line
 *   wall=SECONDS maxrss_kb=KB user=SECONDS sys=SECONDS status=N
 * to FILE (default stderr): wall time on CLOCK_MONOTONIC, the peak RSS,
 * user and system CPU of CMD and the descendants it waited for
 * (wait4's rusage).  INT and TERM are passed on to CMD.  Exits with CMD's status (128+signal if killed). */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double ts(const struct timespec *t)
{
	return (double)t->tv_sec + (double)t->tv_nsec / 1e9;
}

static double tv(const struct timeval *t)
{
	return (double)t->tv_sec + (double)t->tv_usec / 1e6;
}

static volatile pid_t child;

static void forward(int sig)
{
	if (child > 0)
		kill(child, sig);
}

int main(int argc, char **argv)
{
	const char *out = NULL;
	struct timespec t0, t1;
	struct rusage ru;
	int c, status, code;
	pid_t pid;
	FILE *f = stderr;

	while ((c = getopt(argc, argv, "+o:")) != -1) {
		if (c != 'o') {
			fprintf(stderr, "usage: bench_run [-o FILE] -- CMD [ARG...]\n");
			return 2;
		}
		out = optarg;
	}
	if (optind >= argc) {
		fprintf(stderr, "usage: bench_run [-o FILE] -- CMD [ARG...]\n");
		return 2;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	pid = fork();
	if (pid < 0) {
		perror("bench_run: fork");
		return 1;
	}
	if (pid == 0) {
		execvp(argv[optind], argv + optind);
		fprintf(stderr, "bench_run: %s: %s\n", argv[optind], strerror(errno));
		_exit(127);
	}
	/* INT and TERM go on to the command; we outlive it to report */
	child = pid;
	signal(SIGINT, forward);
	signal(SIGTERM, forward);
	while (wait4(pid, &status, 0, &ru) < 0) {
		if (errno != EINTR) {
			perror("bench_run: wait4");
			return 1;
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	if (out && !(f = fopen(out, "w"))) {
		perror(out);
		return 1;
	}
	fprintf(f, "wall=%.6f maxrss_kb=%ld user=%.3f sys=%.3f status=%d\n", ts(&t1) - ts(&t0),
		ru.ru_maxrss, tv(&ru.ru_utime), tv(&ru.ru_stime), code);
	if (f != stderr)
		fclose(f);
	return code;
}
