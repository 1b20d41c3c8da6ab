/* sys.c - named network namespaces and sysctls (see sys.h).
 *
 * Owns the /run/netns entries vrd creates and the sysctl files it writes;
 * must not touch links, addresses or routes (that is netlink's job) and
 * must never leave a thread in a namespace other than the one it came in
 * with.  Kernel behaviour this file relies on:
 *
 * - A named namespace is nothing but a bind mount of an nsfs file
 *   (/proc/<tid>/ns/net) onto an empty file in /run/netns: the mount keeps
 *   the namespace alive with no process in it.
 * - /run/netns must be a mount point with shared propagation.  Otherwise
 *   every mount namespace created later (`ip netns exec` unshares one,
 *   systemd units with PrivateTmp do too) gets a private copy of our nsfs
 *   mounts, our umount does not reach those copies, and the namespace can
 *   never be freed.  Shared, the umount propagates to the copies.
 * - Network namespaces are per thread.  unshare(CLONE_NEWNET) and
 *   setns(CLONE_NEWNET) are allowed in a multi-threaded process (unlike the
 *   user and mount namespaces) and move only the calling thread.
 * - /proc/sys/net/... resolves to the network namespace of the thread that
 *   opens the file (at lookup time, kept for the life of the descriptor),
 *   whereas /proc/net is a symlink to /proc/self/net, which follows the
 *   main thread.  So sysctls are opened inside the namespace and read or
 *   written after coming back.
 */
#include "sys.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

bool vr_netns_name_valid(const char *name)
{
	size_t n = name ? strlen(name) : 0;

	if (n == 0 || n > NAME_MAX || strchr(name, '/'))
		return false;
	return strcmp(name, ".") && strcmp(name, "..");
}

static int netns_path(char *buf, size_t len, const char *name)
{
	if (!vr_netns_name_valid(name))
		return -EINVAL;
	if ((size_t)snprintf(buf, len, "%s/%s", VR_NETNS_DIR, name) >= len)
		return -ENAMETOOLONG;
	return 0;
}

/* Make VR_NETNS_DIR exist and be a shared mount point (see the top of the
 * file for why).  MS_SHARED on a directory that is not a mount point fails
 * with EINVAL: bind it onto itself once to make it one, then retry. */
static int netns_dir_prepare(void)
{
	bool bound = false;

	if (mkdir(VR_NETNS_DIR, 0755) < 0 && errno != EEXIST)
		return -errno;
	for (;;) {
		if (mount("", VR_NETNS_DIR, "none", MS_SHARED | MS_REC, NULL) == 0)
			return 0;
		if (errno != EINVAL || bound)
			return -errno;
		if (mount(VR_NETNS_DIR, VR_NETNS_DIR, "none", MS_BIND | MS_REC, NULL) < 0)
			return -errno;
		bound = true;
	}
}

struct netns_add_ctx {
	const char *path;
	int err;
};

/* Runs in a short-lived thread: the new namespace is the thread's only,
 * so the caller's thread never changes namespace, and nothing needs
 * restoring when the thread exits.  The mount is the namespace's only
 * reference after that. */
static void *netns_add_thread(void *p)
{
	struct netns_add_ctx *c = p;

	if (unshare(CLONE_NEWNET) < 0)
		c->err = -errno;
	else if (mount("/proc/thread-self/ns/net", c->path, "none", MS_BIND, NULL) < 0)
		c->err = -errno;
	return NULL;
}

int vr_netns_add(const char *name)
{
	char path[PATH_MAX];
	struct netns_add_ctx c = {.path = path};
	pthread_t th;
	int fd, r;

	r = netns_path(path, sizeof(path), name);
	if (r < 0)
		return r;
	r = netns_dir_prepare();
	if (r < 0)
		return r;
	/* O_EXCL: an existing name is never reused or shadowed. */
	fd = open(path, O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	close(fd);
	r = -pthread_create(&th, NULL, netns_add_thread, &c);
	if (r == 0) {
		pthread_join(th, NULL);
		r = c.err;
	}
	if (r < 0)
		unlink(path);
	return r;
}

int vr_netns_del(const char *name)
{
	char path[PATH_MAX];
	int r;

	r = netns_path(path, sizeof(path), name);
	if (r < 0)
		return r;
	/* MNT_DETACH: processes still inside keep the namespace alive; the
	 * name goes away now.  EINVAL: a file that is not mounted (left by
	 * a crash between create and mount), removed all the same. */
	if (umount2(path, MNT_DETACH) < 0 && errno != EINVAL)
		return -errno;
	if (unlink(path) < 0)
		return -errno;
	return 0;
}

int vr_netns_open(const char *name)
{
	char path[PATH_MAX];
	int fd, r;

	if (name && !*name) {
		/* /proc/self, not thread-self: the namespace vrd runs in,
		 * even from inside vr_netns_run(). */
		snprintf(path, sizeof(path), "/proc/self/ns/net");
	} else {
		r = netns_path(path, sizeof(path), name);
		if (r < 0)
			return r;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

static int str_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void vr_netns_list_free(char **names, size_t n)
{
	if (!names)
		return;
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

int vr_netns_list(const char *prefix, char ***names, size_t *n)
{
	size_t plen = prefix ? strlen(prefix) : 0, cap = 0, cnt = 0;
	char **v = NULL;
	struct dirent *de;
	DIR *d;
	int r = 0;

	*names = NULL;
	*n = 0;
	d = opendir(VR_NETNS_DIR);
	if (!d)
		return errno == ENOENT ? 0 : -errno;
	for (;;) {
		errno = 0;
		de = readdir(d);
		if (!de) {
			r = -errno;
			break;
		}
		if (!vr_netns_name_valid(de->d_name) ||
		    strncmp(de->d_name, prefix ? prefix : "", plen))
			continue;
		if (cnt == cap) {
			size_t ncap = cap ? cap * 2 : 16;
			char **nv = realloc(v, ncap * sizeof(*nv));
			if (!nv) {
				r = -ENOMEM;
				break;
			}
			v = nv;
			cap = ncap;
		}
		v[cnt] = strdup(de->d_name);
		if (!v[cnt]) {
			r = -ENOMEM;
			break;
		}
		cnt++;
	}
	closedir(d);
	if (r < 0) {
		vr_netns_list_free(v, cnt);
		return r;
	}
	if (cnt)
		qsort(v, cnt, sizeof(*v), str_cmp);
	*names = v;
	*n = cnt;
	return 0;
}

int vr_netns_run(int nsfd, int (*fn)(void *), void *arg)
{
	int self, r;

	/* thread-self: namespaces are per thread, and this thread may not be
	 * in the process's namespace. */
	self = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	if (self < 0)
		return -errno;
	if (setns(nsfd, CLONE_NEWNET) < 0) {
		r = -errno;
		close(self);
		return r;
	}
	r = fn(arg);
	if (setns(self, CLONE_NEWNET) < 0)
		abort();
	close(self);
	return r;
}

/* A relative path of non-empty components, none "." or "..": the key
 * cannot leave /proc/sys. */
static bool sysctl_key_valid(const char *key)
{
	const char *c = key, *e;

	if (!key || !*key)
		return false;
	for (;;) {
		e = strchrnul(c, '/');
		if (e == c || (e - c == 1 && c[0] == '.') ||
		    (e - c == 2 && c[0] == '.' && c[1] == '.'))
			return false;
		if (!*e)
			return true;
		c = e + 1;
	}
}

struct sysctl_open_ctx {
	const char *path;
	int flags;
};

static int sysctl_open_cb(void *p)
{
	const struct sysctl_open_ctx *c = p;
	int fd = open(c->path, c->flags | O_CLOEXEC);

	return fd < 0 ? -errno : fd;
}

/* Open inside nsfd's namespace: the descriptor stays bound to it. */
static int sysctl_open(int nsfd, const char *key, int flags)
{
	char path[PATH_MAX];
	struct sysctl_open_ctx c = {.path = path, .flags = flags};

	if (!sysctl_key_valid(key))
		return -EINVAL;
	if ((size_t)snprintf(path, sizeof(path), "/proc/sys/%s", key) >= sizeof(path))
		return -ENAMETOOLONG;
	if (nsfd < 0)
		return sysctl_open_cb(&c);
	return vr_netns_run(nsfd, sysctl_open_cb, &c);
}

static ssize_t read_full(int fd, char *buf, size_t len)
{
	size_t got = 0;

	while (got < len) {
		ssize_t r = read(fd, buf + got, len - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		if (r == 0)
			break;
		got += (size_t)r;
	}
	return (ssize_t)got;
}

int vr_sysctl_read(int nsfd, const char *key, char *buf, size_t len)
{
	ssize_t got;
	char extra;
	int fd;

	if (len == 0)
		return -EINVAL;
	fd = sysctl_open(nsfd, key, O_RDONLY);
	if (fd < 0)
		return fd;
	got = read_full(fd, buf, len);
	if (got == (ssize_t)len) {
		/* Full: fits only if that was the end and the last byte is
		 * the newline that the NUL replaces. */
		ssize_t more = read_full(fd, &extra, 1);
		if (more < 0)
			got = more;
		else if (more > 0 || buf[len - 1] != '\n')
			got = -EOVERFLOW;
	}
	close(fd);
	if (got < 0) {
		buf[0] = 0;
		return (int)got;
	}
	if (got > 0 && buf[got - 1] == '\n')
		got--;
	buf[got] = 0;
	return 0;
}

int vr_sysctl_write(int nsfd, const char *key, const char *value)
{
	size_t len = strlen(value);
	ssize_t w;
	int fd, r = 0;

	fd = sysctl_open(nsfd, key, O_WRONLY);
	if (fd < 0)
		return fd;
	/* One write at offset 0: proc handlers parse each write on its own,
	 * so a value split over two writes would be two values. */
	do
		w = write(fd, value, len);
	while (w < 0 && errno == EINTR);
	if (w < 0)
		r = -errno;
	else if ((size_t)w != len)
		r = -EIO;
	if (close(fd) < 0 && r == 0)
		r = -errno;
	return r;
}
