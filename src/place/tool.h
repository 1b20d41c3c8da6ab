/* tool.h - running the hypervisor's command-line tools (xl, xenstore-*).
 *
 * A tool is found through PATH and run with fork/execvp, never through a
 * shell: arguments travel as they are.  stdin is /dev/null, stdout and
 * stderr are captured.  The child starts with an empty signal mask and
 * default dispositions, whatever the daemon set up for itself (an ignored
 * SIGPIPE or a blocked SIGTERM would otherwise survive the exec).
 *
 * Used by the xl driver (dom0) and the xenstore channel (guest). */
#ifndef VR_PLACE_TOOL_H
#define VR_PLACE_TOOL_H

#include <stddef.h>
#include <sys/types.h>

#define VR_TOOL_OUT_MAX (16u << 20) /* bytes of stdout kept; more is an error */

struct vr_tool_res {
	int status; /* exit code; 128 + signal when a signal ended it */
	char *out;  /* stdout, NUL-terminated (out_len excludes the NUL) */
	size_t out_len;
	char *err; /* stderr, NUL-terminated */
	size_t err_len;
};

/* Run argv (argv[0] looked up in PATH) and wait at most timeout_ms.
 * 0 when it ran to its end (whatever its exit status, see res->status);
 * -ENOENT when argv[0] is not found, another -errno when it cannot be
 * started, -ETIMEDOUT when it was killed at the deadline, -EFBIG when it
 * wrote more than VR_TOOL_OUT_MAX.  res is filled in every case (free it
 * with vr_tool_res_free). */
int vr_tool_run(const char *const argv[], int timeout_ms, struct vr_tool_res *res);
void vr_tool_res_free(struct vr_tool_res *res);

/* stderr for a message: trimmed, lines joined by "; ", at most the last
 * ~600 bytes; "" when there was none.  Points into res or a static
 * buffer: use it before the next call. */
const char *vr_tool_errtext(const struct vr_tool_res *res);

/* "argv[0] argv[1] ..." for a message, shortened with "..." to fit len. */
void vr_tool_cmdline(const char *const argv[], char *buf, size_t len);

/* Start argv with its stdout on a pipe whose read end (non-blocking,
 * close-on-exec) goes to *fd; stderr is inherited.  The child gets SIGTERM
 * when the calling thread dies (PR_SET_PDEATHSIG: call it from vrd's main
 * thread).  0 or -errno (as vr_tool_run). */
int vr_tool_spawn(const char *const argv[], pid_t *pid, int *fd);
/* Stop a child started by vr_tool_spawn: SIGTERM, up to grace_ms for it
 * to exit, then SIGKILL.  Always reaped. */
void vr_tool_stop(pid_t pid, int grace_ms);

#endif
