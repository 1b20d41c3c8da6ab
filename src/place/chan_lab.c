/* chan_lab.c - the guest's end of a lab channel (see chan.h): files in a
 * directory the dom0 vrd writes (config, then generation, each atomically)
 * and the guest answers in (status, atomically).  Change notification is
 * inotify on the directory.
 *
 * Wakeups are a hint, not a change: the dom0's temporary files and the
 * guest's own status writes fire the same events.  The reader compares the
 * generation it gets with the one it applied. */
#include "place/chan.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include "statedir.h"

struct chan_lab {
	char *dir;
	int ifd; /* inotify */
};

static void path_of(const struct chan_lab *c, const char *file, char *buf, size_t len)
{
	snprintf(buf, len, "%s/%s", c->dir, file);
}

/* A generation file: 16 hex digits, maybe a newline. */
static bool gen_parse(const char *text, char gen[VR_GUEST_GEN_LEN])
{
	size_t n = strspn(text, "0123456789abcdef");

	if (n != VR_GUEST_GEN_LEN - 1 || (text[n] && strcmp(text + n, "\n")))
		return false;
	memcpy(gen, text, n);
	gen[n] = 0;
	return true;
}

static int lab_read(struct vr_chan *ch, char **config, char gen[VR_GUEST_GEN_LEN])
{
	struct chan_lab *c = ch->priv;
	char path[PATH_MAX], want[VR_GUEST_GEN_LEN], *text = NULL, *cfg = NULL;
	size_t len;
	int r;

	*config = NULL;
	gen[0] = 0;
	path_of(c, "config", path, sizeof(path));
	if ((r = vr_file_read(path, &cfg, &len)) < 0)
		return r;
	path_of(c, "generation", path, sizeof(path));
	r = vr_file_read(path, &text, NULL);
	/* No generation yet: the dom0 is between its two writes. */
	if (r == -ENOENT)
		r = -EAGAIN;
	if (r < 0)
		goto out;
	vr_guest_gen(cfg, want);
	/* A NUL inside would hide the rest of the text from the hash. */
	if (strlen(cfg) != len || !gen_parse(text, gen) || strcmp(gen, want)) {
		gen[0] = 0;
		r = -EAGAIN;
		goto out;
	}
	*config = cfg;
	cfg = NULL;
out:
	free(cfg);
	free(text);
	return r;
}

static int lab_report(struct vr_chan *ch, const char *status)
{
	struct chan_lab *c = ch->priv;
	size_t n = strcspn(status, "\n");
	char path[PATH_MAX], *line;
	int r;

	/* One line, as the dom0 reads it. */
	if (asprintf(&line, "%.*s\n", (int)n, status) < 0)
		return -ENOMEM;
	path_of(c, "status", path, sizeof(path));
	r = vr_file_write_atomic(path, line, n + 1);
	free(line);
	return r;
}

static int lab_fd(struct vr_chan *ch)
{
	struct chan_lab *c = ch->priv;

	return c->ifd;
}

static void lab_drain(struct vr_chan *ch)
{
	struct chan_lab *c = ch->priv;
	char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));

	/* Non-blocking: read until empty.  An overflow (IN_Q_OVERFLOW) loses
	 * nothing that matters: the caller reads the files again anyway. */
	while (read(c->ifd, buf, sizeof(buf)) > 0)
		;
}

static void lab_free(struct vr_chan *ch)
{
	struct chan_lab *c = ch->priv;

	if (c->ifd >= 0)
		close(c->ifd);
	free(c->dir);
	free(c);
	free(ch);
}

static const struct vr_chan_ops chan_lab_ops = {
    .read = lab_read,
    .report = lab_report,
    .fd = lab_fd,
    .drain = lab_drain,
    .free = lab_free,
};

struct vr_chan *vr_chan_lab_new(const char *dir, struct vr_errs *e)
{
	struct vr_chan *ch;
	struct chan_lab *c;
	struct stat st;
	int ifd, r;

	if (!dir || !*dir) {
		vr_errs_add(e, -EINVAL, "lab:", "no channel directory");
		return NULL;
	}
	r = stat(dir, &st) < 0 ? -errno : S_ISDIR(st.st_mode) ? 0 : -ENOTDIR;
	if (r < 0) {
		vr_errs_add(e, r, dir, "not a channel directory: %s", strerror(-r));
		return NULL;
	}
	ifd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (ifd < 0 || inotify_add_watch(ifd, dir, IN_CLOSE_WRITE | IN_MOVED_TO) < 0) {
		r = -errno;
		vr_errs_add(e, r, dir, "inotify: %s", strerror(-r));
		if (ifd >= 0)
			close(ifd);
		return NULL;
	}
	ch = calloc(1, sizeof(*ch));
	c = calloc(1, sizeof(*c));
	if (!ch || !c || !(c->dir = strdup(dir)))
		abort();
	c->ifd = ifd;
	ch->ops = &chan_lab_ops;
	ch->priv = c;
	return ch;
}
