/* sys.h - the kernel edges that are not netlink: named network namespaces
 * (the /run/netns convention of iproute2) and sysctls under /proc/sys.
 *
 * These are the only kernel writes outside the netlink executor.  Nothing
 * here changes the namespace of the calling thread for longer than one
 * call.  All functions return 0 (or a value) on success and -errno on
 * failure. */
#ifndef VR_SYS_H
#define VR_SYS_H

#include <stdbool.h>
#include <stddef.h>

/* Where named namespaces live, shared with iproute2 (`ip netns`). */
#define VR_NETNS_DIR "/run/netns"

/* A name usable under VR_NETNS_DIR: 1..NAME_MAX bytes, no '/', not "." or
 * "..".  "" is not valid here (it means vrd's own namespace elsewhere). */
bool vr_netns_name_valid(const char *name);

/* Create the named namespace NAME, the way `ip netns add` does, so that
 * `ip netns exec NAME` works on it.  The caller's namespace is untouched.
 * -EEXIST when NAME already exists; on failure nothing is left behind. */
int vr_netns_add(const char *name);
/* Detach and remove NAME; the namespace itself dies with its last user.
 * -ENOENT when absent. */
int vr_netns_del(const char *name);
/* An O_RDONLY|O_CLOEXEC descriptor of namespace NAME, or of the namespace
 * vrd runs in (the process's, i.e. its main thread's) for "". */
int vr_netns_open(const char *name);
/* The names under VR_NETNS_DIR starting with prefix ("" or NULL: all),
 * sorted by strcmp.  No directory means no names.  Free with
 * vr_netns_list_free(). */
int vr_netns_list(const char *prefix, char ***names, size_t *n);
void vr_netns_list_free(char **names, size_t n);
/* Run fn(arg) with the calling thread in namespace nsfd, then return the
 * thread to its previous namespace.  Returns fn's result, or -errno when
 * the namespace could not be entered (fn not called).  Aborts if the
 * thread cannot get back: it must never carry on in the wrong namespace. */
int vr_netns_run(int nsfd, int (*fn)(void *), void *arg);

/* Sysctls by key, the path below /proc/sys ("net/ipv4/ip_forward").
 * nsfd -1: the calling thread's namespace, else that of nsfd.  read
 * strips the trailing newline; -EOVERFLOW when the value does not fit in
 * len bytes with its NUL. */
int vr_sysctl_read(int nsfd, const char *key, char *buf, size_t len);
int vr_sysctl_write(int nsfd, const char *key, const char *value);

#endif
