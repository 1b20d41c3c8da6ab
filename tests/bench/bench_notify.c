/* bench_notify - when did a daemon say READY=1 (sd_notify), by the kernel's
 * clock rather than by whoever read its log first?
 *
 *   bench_notify SOCKET TIMEOUT_S
 *
 * Binds a datagram socket at path SOCKET (what NOTIFY_SOCKET names for the
 * daemon), prints "listening" on stdout once bound, then waits (at most
 * TIMEOUT_S seconds) for a datagram with a "READY=1" line and prints
 *   ready_us=MICROSECONDS
 * the kernel's receive time stamp (SO_TIMESTAMP, CLOCK_REALTIME, the clock
 * of bash's $EPOCHREALTIME).  Other datagrams (STATUS=..., ...) are read
 * and ignored.  Removes SOCKET when done.  Exit 1 on timeout or error, 2 on
 * bad usage.  Used by tests/bench/daemon-plane (C5). */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

/* Does a notify message carry the line READY=1? */
static int says_ready(const char *msg)
{
	const char *p = msg;

	while (p && *p) {
		if (!strncmp(p, "READY=1", 7) && (p[7] == '\n' || p[7] == '\0'))
			return 1;
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return 0;
}

static double mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	double deadline;
	int fd, one = 1, ret = 1;

	if (argc != 3 || strlen(argv[1]) >= sizeof(sa.sun_path) || atof(argv[2]) <= 0) {
		fprintf(stderr, "usage: bench_notify SOCKET TIMEOUT_S\n");
		return 2;
	}
	strcpy(sa.sun_path, argv[1]);
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_TIMESTAMP, &one, sizeof(one)) < 0) {
		perror("bench_notify: socket");
		return 1;
	}
	unlink(sa.sun_path);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		perror("bench_notify: bind");
		return 1;
	}
	printf("listening\n");
	fflush(stdout);
	deadline = mono() + atof(argv[2]);

	for (;;) {
		char buf[4096], cbuf[CMSG_SPACE(sizeof(struct timeval))];
		struct iovec iov = {.iov_base = buf, .iov_len = sizeof(buf) - 1};
		struct msghdr mh = {.msg_iov = &iov,
				    .msg_iovlen = 1,
				    .msg_control = cbuf,
				    .msg_controllen = sizeof(cbuf)};
		struct pollfd pfd = {.fd = fd, .events = POLLIN};
		struct cmsghdr *c;
		struct timeval tv;
		double left = deadline - mono();
		ssize_t n;
		int r;

		if (left <= 0) {
			fprintf(stderr, "bench_notify: no READY=1 within %s s\n", argv[2]);
			break;
		}
		r = poll(&pfd, 1, (int)(left * 1000) + 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			perror("bench_notify: poll");
			break;
		}
		if (r == 0)
			continue;
		n = recvmsg(fd, &mh, 0);
		if (n < 0) {
			perror("bench_notify: recvmsg");
			break;
		}
		buf[n] = '\0';
		if (!says_ready(buf))
			continue;
		gettimeofday(&tv, NULL); /* no stamp: the best we have */
		for (c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c))
			if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMP)
				memcpy(&tv, CMSG_DATA(c), sizeof(tv));
		printf("ready_us=%lld\n", (long long)tv.tv_sec * 1000000 + tv.tv_usec);
		ret = 0;
		break;
	}
	close(fd);
	unlink(sa.sun_path);
	return ret;
}
