/* tool.c - running command-line tools, bounded (see tool.h).
 *
 * Owns the fork/exec of xl and xenstore-* and the capture of their
 * output; knows nothing of what the tools mean.  Notes:
 *
 * - An exec failure travels back over a close-on-exec pipe: the parent
 *   reads EOF when the exec succeeded, an errno when it did not.
 * - Descriptors the daemon left inheritable are made close-on-exec in the
 *   child: `xl create` leaves a monitoring daemon behind that would keep
 *   vrd's sockets open for the guest's whole life.
 * - The run ends when the child exits, not at EOF: that same xl daemon, or
 *   a hotplug script's background child, may hold a pipe open for long.
 *   What the child wrote before it exited is still in the pipe and is
 *   read then.
 * - waitpid() may find the child already reaped (ECHILD) by an event
 *   loop's SIGCHLD handler that waits for any child; that counts as
 *   exited. */
#include "place/tool.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

#define ERR_MAX (64u << 10)

static double now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static void sleep_ms(int ms)
{
	nanosleep(&(struct timespec){.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L}, NULL);
}

/* A pipe whose two ends are >= 3, so that the child's dup2() onto 0..2
 * never overwrites one of them. */
static int pipe_high(int p[2])
{
	if (pipe2(p, O_CLOEXEC) < 0)
		return -errno;
	for (int i = 0; i < 2; i++)
		if (p[i] < 3) {
			int fd = fcntl(p[i], F_DUPFD_CLOEXEC, 3);
			if (fd < 0) {
				int r = -errno;
				close(p[0]);
				close(p[1]);
				return r;
			}
			close(p[i]);
			p[i] = fd;
		}
	return 0;
}

/* fd on target, inheritable. */
static void child_fd(int fd, int target)
{
	if (fd == target)
		fcntl(fd, F_SETFD, 0);
	else
		dup2(fd, target);
}

/* In the child: only async-signal-safe calls.  A tied child gets
 * SIGTERM when vrd dies (a watch must not outlive it). */
static void child_exec(const char *const argv[], int out, int err, int report, pid_t tied_to)
{
	struct sigaction dfl;
	sigset_t none;
	int null, e;

	memset(&dfl, 0, sizeof(dfl));
	dfl.sa_handler = SIG_DFL;
	for (int s = 1; s < NSIG; s++)
		sigaction(s, &dfl, NULL); /* EINVAL for KILL, STOP and libc's own */
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	if (tied_to > 0) {
		if (prctl(PR_SET_PDEATHSIG, SIGTERM) < 0)
			goto fail;
		if (getppid() != tied_to) {
			errno = ESRCH; /* vrd died before the prctl */
			goto fail;
		}
	}
	null = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (null < 0)
		goto fail;
	child_fd(null, 0);
	child_fd(out, 1);
	child_fd(err, 2);
	close_range(3, ~0U, CLOSE_RANGE_CLOEXEC); /* best effort: ENOSYS before 5.11 */
	execvp(argv[0], (char *const *)argv);
fail:
	e = errno;
	if (write(report, &e, sizeof(e)) < 0)
		_exit(126);
	_exit(127);
}

static int start(const char *const argv[], int out, int err, bool tied, pid_t *pid)
{
	pid_t self = getpid(), p;
	int rep[2], e = 0, r;
	ssize_t n;

	r = pipe_high(rep);
	if (r < 0)
		return r;
	p = fork();
	if (p < 0) {
		r = -errno;
		close(rep[0]);
		close(rep[1]);
		return r;
	}
	if (p == 0)
		child_exec(argv, out, err, rep[1], tied ? self : 0);
	close(rep[1]);
	do
		n = read(rep[0], &e, sizeof(e));
	while (n < 0 && errno == EINTR);
	close(rep[0]);
	if (n == (ssize_t)sizeof(e)) {
		while (waitpid(p, NULL, 0) < 0 && errno == EINTR)
			;
		return e > 0 ? -e : -EIO;
	}
	*pid = p;
	return 0;
}

struct buf {
	char *p;
	size_t len, cap, max;
	bool over;
};

/* Read what fd has: 0 when it would block, 1 at EOF, -errno. */
static int drain_into(int fd, struct buf *b)
{
	char tmp[16384];

	for (;;) {
		ssize_t n = read(fd, tmp, sizeof(tmp));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return errno == EAGAIN ? 0 : -errno;
		if (n == 0)
			return 1;
		if (b->len + (size_t)n > b->max) {
			b->over = true;
			n = (ssize_t)(b->max - b->len);
		}
		if (b->len + (size_t)n + 1 > b->cap) {
			size_t cap = b->cap ? b->cap : 4096;
			while (cap < b->len + (size_t)n + 1)
				cap *= 2;
			b->p = realloc(b->p, cap);
			if (!b->p)
				abort();
			b->cap = cap;
		}
		memcpy(b->p + b->len, tmp, (size_t)n);
		b->len += (size_t)n;
	}
}

static char *buf_take(struct buf *b, size_t *len)
{
	char *s = b->p ? b->p : malloc(1);

	if (!s)
		abort();
	s[b->len] = 0;
	*len = b->len;
	return s;
}

/* 1 when pid has exited (status in *st, or unknown: 0), 0 when not yet. */
static int reaped(pid_t pid, int *st, int flags)
{
	for (;;) {
		pid_t w = waitpid(pid, st, flags);
		if (w == pid)
			return 1;
		if (w == 0)
			return 0;
		if (errno == EINTR)
			continue;
		*st = 0; /* ECHILD: someone else reaped it */
		return 1;
	}
}

int vr_tool_run(const char *const argv[], int timeout_ms, struct vr_tool_res *res)
{
	struct buf out = {.max = VR_TOOL_OUT_MAX}, err = {.max = ERR_MAX};
	int po[2] = {-1, -1}, pe[2] = {-1, -1}, st = 0, r;
	double end = now_ms() + (timeout_ms > 0 ? timeout_ms : 0);
	bool exited = false;
	pid_t pid;

	memset(res, 0, sizeof(*res));
	res->status = -1;
	r = pipe_high(po);
	if (r == 0) {
		r = pipe_high(pe);
		if (r < 0) {
			close(po[0]);
			close(po[1]);
		}
	}
	if (r == 0) {
		r = start(argv, po[1], pe[1], false, &pid);
		close(po[1]);
		close(pe[1]);
		if (r < 0) {
			close(po[0]);
			close(pe[0]);
		}
	}
	if (r < 0) {
		res->out = buf_take(&out, &res->out_len);
		res->err = buf_take(&err, &res->err_len);
		return r;
	}
	fcntl(po[0], F_SETFL, O_NONBLOCK);
	fcntl(pe[0], F_SETFL, O_NONBLOCK);

	int fds[2] = {po[0], pe[0]};
	struct buf *bufs[2] = {&out, &err};
	for (;;) {
		struct pollfd pfd[2];
		nfds_t n = 0;
		double left = end - now_ms();
		int slice;

		if (left <= 0) {
			kill(pid, SIGKILL);
			reaped(pid, &st, 0);
			r = -ETIMEDOUT;
			break;
		}
		for (int i = 0; i < 2; i++)
			if (fds[i] >= 0)
				pfd[n++] = (struct pollfd){.fd = fds[i], .events = POLLIN};
		/* with the pipes open, wake for their data and now and then
		 * for the child's exit (a grandchild may hold them open) */
		slice = n ? 50 : 2;
		if (slice > left)
			slice = (int)left + 1;
		if (poll(pfd, n, slice) < 0 && errno != EINTR) {
			r = -errno;
			kill(pid, SIGKILL);
			reaped(pid, &st, 0);
			break;
		}
		exited = reaped(pid, &st, WNOHANG);
		for (int i = 0; i < 2; i++) {
			int d;
			if (fds[i] < 0)
				continue;
			d = drain_into(fds[i], bufs[i]);
			if (d != 0) {
				close(fds[i]);
				fds[i] = -1;
			}
		}
		if (out.over) {
			kill(pid, SIGKILL);
			reaped(pid, &st, 0);
			r = -EFBIG;
			break;
		}
		if (exited)
			break;
	}
	for (int i = 0; i < 2; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	if (r == 0)
		res->status = WIFSIGNALED(st) ? 128 + WTERMSIG(st) : WEXITSTATUS(st);
	res->out = buf_take(&out, &res->out_len);
	res->err = buf_take(&err, &res->err_len);
	return r;
}

void vr_tool_res_free(struct vr_tool_res *res)
{
	free(res->out);
	free(res->err);
	res->out = res->err = NULL;
	res->out_len = res->err_len = 0;
}

const char *vr_tool_errtext(const struct vr_tool_res *res)
{
	static char text[700];
	const char *s = res->err ? res->err : "", *e = s + res->err_len;
	size_t n = 0;

	while (e > s && (e[-1] == '\n' || e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
		e--;
	while (s < e && (*s == '\n' || *s == ' ' || *s == '\t' || *s == '\r'))
		s++;
	if (e - s > 600) {
		s = e - 600;
		n = (size_t)snprintf(text, sizeof(text), "...");
	}
	for (; s < e && n + 3 < sizeof(text); s++) {
		if (*s == '\r')
			continue;
		if (*s == '\n') {
			if (n && text[n - 1] != ' ') {
				text[n++] = ';';
				text[n++] = ' ';
			}
			continue;
		}
		text[n++] = (unsigned char)*s < ' ' ? ' ' : *s;
	}
	text[n] = 0;
	return text;
}

void vr_tool_cmdline(const char *const argv[], char *buf, size_t len)
{
	size_t n = 0;

	if (!len)
		return;
	buf[0] = 0;
	for (size_t i = 0; argv[i]; i++) {
		int w = snprintf(buf + n, len - n, "%s%s", i ? " " : "", argv[i]);
		if (w < 0 || (size_t)w >= len - n) {
			if (len > 4)
				strcpy(buf + len - 4, "...");
			return;
		}
		n += (size_t)w;
	}
}

int vr_tool_spawn(const char *const argv[], pid_t *pid, int *fd)
{
	int p[2], r;

	r = pipe_high(p);
	if (r < 0)
		return r;
	r = start(argv, p[1], 2, true, pid);
	close(p[1]);
	if (r < 0) {
		close(p[0]);
		return r;
	}
	fcntl(p[0], F_SETFL, O_NONBLOCK);
	*fd = p[0];
	return 0;
}

void vr_tool_stop(pid_t pid, int grace_ms)
{
	double end = now_ms() + grace_ms;
	int st;

	if (pid <= 0)
		return;
	kill(pid, SIGTERM);
	while (!reaped(pid, &st, WNOHANG)) {
		if (now_ms() >= end) {
			kill(pid, SIGKILL);
			reaped(pid, &st, 0);
			return;
		}
		sleep_ms(5);
	}
}
