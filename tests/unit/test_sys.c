/* Named namespaces and sysctls.  The kernel parts need root and are
 * skipped without it.  They create one namespace, vrdt-sys-<pid>, and
 * write sysctls only inside it; the teardown deletes it whatever happened.
 * Nothing of the namespace the test runs in is written. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sys.h"

static char ns_name[64];

static int ns_teardown(void **state)
{
	(void)state;
	vr_netns_del(ns_name); /* -ENOENT when the test got that far */
	return 0;
}

static ino_t fd_ino(int fd)
{
	struct stat st;

	assert_int_equal(fstat(fd, &st), 0);
	return st.st_ino;
}

static ino_t path_ino(const char *path)
{
	struct stat st;

	assert_int_equal(stat(path, &st), 0);
	return st.st_ino;
}

static bool listed(const char *prefix, const char *name)
{
	char **names;
	size_t n;
	bool found = false;

	assert_int_equal(vr_netns_list(prefix, &names, &n), 0);
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(strncmp(names[i], prefix, strlen(prefix)), 0);
		if (i > 0)
			assert_true(strcmp(names[i - 1], names[i]) < 0);
		if (!strcmp(names[i], name))
			found = true;
	}
	vr_netns_list_free(names, n);
	return found;
}

/* Runs inside the namespace: the thread's namespace must be nsfd's. */
static int in_ns(void *arg)
{
	return path_ino("/proc/thread-self/ns/net") == fd_ino(*(int *)arg) ? 42 : -1;
}

static void test_netns_lifecycle(void **state)
{
	char cmd[256], before[16], v[16], want[2];
	const char *ip;
	ino_t self_ino;
	int fd, self;

	(void)state;
	if (getuid() != 0)
		skip();
	self_ino = path_ino("/proc/thread-self/ns/net");
	assert_false(listed("vrdt-sys-", ns_name));
	assert_int_equal(vr_netns_add(ns_name), 0);
	assert_int_equal(vr_netns_add(ns_name), -EEXIST);
	assert_true(listed("vrdt-sys-", ns_name));
	assert_true(listed("", ns_name));
	assert_false(listed("vrdt-sys-x", ns_name));
	/* The caller's thread did not move. */
	assert_int_equal(path_ino("/proc/thread-self/ns/net"), self_ino);

	fd = vr_netns_open(ns_name);
	assert_true(fd >= 0);
	self = vr_netns_open("");
	assert_true(self >= 0);
	assert_int_equal(fd_ino(self), self_ino);
	assert_int_not_equal(fd_ino(fd), self_ino);
	assert_true(fcntl(fd, F_GETFD) & FD_CLOEXEC);

	/* iproute2 sees the same namespace (when installed). */
	ip = access("/usr/sbin/ip", X_OK) == 0 ? "/usr/sbin/ip"
	     : access("/sbin/ip", X_OK) == 0   ? "/sbin/ip"
	                                       : NULL;
	if (ip) {
		snprintf(cmd, sizeof(cmd),
		         "%s netns exec %s sh -c 'test $(stat -L -c %%i /proc/self/ns/net) = %lu'",
		         ip, ns_name, (unsigned long)fd_ino(fd));
		assert_int_equal(system(cmd), 0);
	}

	assert_int_equal(vr_netns_run(fd, in_ns, &fd), 42);
	assert_int_equal(path_ino("/proc/thread-self/ns/net"), self_ino);

	/* ip_forward: flipped inside only.  The new namespace may have
	 * inherited the host's value, hence the flip. */
	assert_int_equal(vr_sysctl_read(-1, "net/ipv4/ip_forward", before, sizeof(before)), 0);
	assert_int_equal(vr_sysctl_read(fd, "net/ipv4/ip_forward", v, sizeof(v)), 0);
	want[0] = strcmp(v, "0") ? '0' : '1';
	want[1] = 0;
	assert_int_equal(vr_sysctl_write(fd, "net/ipv4/ip_forward", want), 0);
	assert_int_equal(vr_sysctl_read(fd, "net/ipv4/ip_forward", v, sizeof(v)), 0);
	assert_string_equal(v, want);
	assert_int_equal(vr_sysctl_read(-1, "net/ipv4/ip_forward", v, sizeof(v)), 0);
	assert_string_equal(v, before);
	assert_int_equal(vr_sysctl_read(self, "net/ipv4/ip_forward", v, sizeof(v)), 0);
	assert_string_equal(v, before);
	/* A per-namespace IPv6 key too, when the kernel has IPv6. */
	if (vr_sysctl_read(fd, "net/ipv6/conf/all/forwarding", v, sizeof(v)) == 0) {
		assert_int_equal(vr_sysctl_write(fd, "net/ipv6/conf/all/forwarding", "1"), 0);
		assert_int_equal(vr_sysctl_read(fd, "net/ipv6/conf/all/forwarding", v, sizeof(v)),
		                 0);
		assert_string_equal(v, "1");
	}
	assert_int_equal(vr_sysctl_write(fd, "net/ipv4/no_such_key", "1"), -ENOENT);
	assert_int_equal(path_ino("/proc/thread-self/ns/net"), self_ino);
	close(self);

	/* Deleting the name while fd is open: the namespace lives on for fd,
	 * the name is gone. */
	assert_int_equal(vr_netns_del(ns_name), 0);
	assert_int_equal(vr_netns_del(ns_name), -ENOENT);
	assert_false(listed("vrdt-sys-", ns_name));
	assert_int_equal(vr_netns_open(ns_name), -ENOENT);
	assert_int_equal(vr_sysctl_read(fd, "net/ipv4/ip_forward", v, sizeof(v)), 0);
	assert_string_equal(v, want);
	close(fd);
}

/* A stale file with nothing mounted on it (a crash between create and
 * mount) blocks add and is removed by del. */
static void test_netns_stale_file(void **state)
{
	char path[128];
	int fd;

	(void)state;
	if (getuid() != 0)
		skip();
	assert_int_equal(vr_netns_add(ns_name), 0); /* makes /run/netns */
	assert_int_equal(vr_netns_del(ns_name), 0);
	snprintf(path, sizeof(path), "%s/%s", VR_NETNS_DIR, ns_name);
	fd = open(path, O_RDONLY | O_CREAT | O_EXCL, 0);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(vr_netns_add(ns_name), -EEXIST);
	assert_int_equal(vr_netns_del(ns_name), 0);
	assert_int_equal(access(path, F_OK), -1);
}

/* Argument checks and reads of the current namespace: no root needed,
 * nothing written. */
static void test_args(void **state)
{
	char v[16];

	(void)state;
	assert_false(vr_netns_name_valid(""));
	assert_false(vr_netns_name_valid("a/b"));
	assert_false(vr_netns_name_valid("."));
	assert_false(vr_netns_name_valid(".."));
	assert_true(vr_netns_name_valid("vrd-red"));
	assert_int_equal(vr_netns_add(""), -EINVAL);
	assert_int_equal(vr_netns_add("../etc"), -EINVAL);
	assert_int_equal(vr_netns_del(".."), -EINVAL);
	assert_int_equal(vr_netns_open("a/b"), -EINVAL);

	assert_int_equal(vr_sysctl_read(-1, "", v, sizeof(v)), -EINVAL);
	assert_int_equal(vr_sysctl_read(-1, "/net/ipv4/ip_forward", v, sizeof(v)), -EINVAL);
	assert_int_equal(vr_sysctl_read(-1, "net//ipv4/ip_forward", v, sizeof(v)), -EINVAL);
	assert_int_equal(vr_sysctl_read(-1, "net/ipv4/", v, sizeof(v)), -EINVAL);
	assert_int_equal(vr_sysctl_read(-1, "net/../../etc/passwd", v, sizeof(v)), -EINVAL);
	assert_int_equal(vr_sysctl_read(-1, "net/./ipv4/ip_forward", v, sizeof(v)), -EINVAL);
	assert_int_equal(vr_sysctl_write(-1, "../x", "1"), -EINVAL);
	assert_int_equal(vr_sysctl_read(-1, "net/ipv4/no_such_key", v, sizeof(v)), -ENOENT);

	/* ip_forward is "0\n" or "1\n": 2 bytes hold it without the newline,
	 * 1 byte does not. */
	assert_int_equal(vr_sysctl_read(-1, "net/ipv4/ip_forward", v, sizeof(v)), 0);
	assert_int_equal(strlen(v), 1);
	assert_int_equal(vr_sysctl_read(-1, "net/ipv4/ip_forward", v, 2), 0);
	assert_int_equal(strlen(v), 1);
	assert_int_equal(vr_sysctl_read(-1, "net/ipv4/ip_forward", v, 1), -EOVERFLOW);
	assert_int_equal(vr_sysctl_read(-1, "net/ipv4/ip_forward", v, 0), -EINVAL);
	/* A longer value, read whole. */
	{
		char big[256];
		assert_int_equal(
		    vr_sysctl_read(-1, "net/ipv4/ip_local_port_range", big, sizeof(big)), 0);
		assert_non_null(strchr(big, '\t'));
		assert_null(strchr(big, '\n'));
	}
	assert_int_equal(vr_netns_run(-1, NULL, NULL), -EBADF);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_args),
	    cmocka_unit_test_teardown(test_netns_lifecycle, ns_teardown),
	    cmocka_unit_test_teardown(test_netns_stale_file, ns_teardown),
	};

	snprintf(ns_name, sizeof(ns_name), "vrdt-sys-%ld", (long)getpid());
	return cmocka_run_group_tests_name("sys", tests, NULL, NULL);
}
