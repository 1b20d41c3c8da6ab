/* The guest's end of a lab channel: reads that check the generation,
 * status reports, and the inotify descriptor.  Each test works in its own
 * mkdtemp directory, written the way the dom0's lab driver writes it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "place/chan.h"
#include "statedir.h"

struct fx {
	char dir[64];
	struct vr_errs e;
	struct vr_chan *c;
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	if (!f)
		return -1;
	snprintf(f->dir, sizeof(f->dir), "/tmp/vrd-chan-lab-XXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	vr_errs_init(&f->e);
	f->c = vr_chan_lab_new(f->dir, &f->e);
	if (!f->c)
		return -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	struct dirent *de;
	DIR *d = opendir(f->dir);

	vr_chan_free(f->c);
	while (d && (de = readdir(d))) {
		char p[PATH_MAX];
		if (de->d_name[0] == '.')
			continue;
		snprintf(p, sizeof(p), "%s/%s", f->dir, de->d_name);
		unlink(p);
	}
	if (d)
		closedir(d);
	rmdir(f->dir);
	vr_errs_free(&f->e);
	free(f);
	return 0;
}

static void put(struct fx *f, const char *file, const char *text)
{
	char p[PATH_MAX];

	snprintf(p, sizeof(p), "%s/%s", f->dir, file);
	assert_int_equal(vr_file_write_atomic(p, text, strlen(text)), 0);
}

static char *get(struct fx *f, const char *file)
{
	char p[PATH_MAX], *text = NULL;

	snprintf(p, sizeof(p), "%s/%s", f->dir, file);
	assert_int_equal(vr_file_read(p, &text, NULL), 0);
	return text;
}

/* What the dom0 does: config, then its generation. */
static void push(struct fx *f, const char *config)
{
	char gen[VR_GUEST_GEN_LEN], line[VR_GUEST_GEN_LEN + 1];

	vr_guest_gen(config, gen);
	snprintf(line, sizeof(line), "%s\n", gen);
	put(f, "config", config);
	put(f, "generation", line);
}

static bool readable(struct vr_chan *c)
{
	struct pollfd p = {.fd = c->ops->fd(c), .events = POLLIN};

	assert_true(p.fd >= 0);
	assert_int_not_equal(poll(&p, 1, 0), -1);
	return p.revents & POLLIN;
}

static void test_open_missing_dir(void **state)
{
	struct vr_errs e;

	(void)state;
	vr_errs_init(&e);
	assert_null(vr_chan_lab_new("/nonexistent/vrd-chan-lab", &e));
	assert_int_equal(e.n, 1);
	assert_int_equal(e.v[0].code, -ENOENT);
	assert_string_equal(e.v[0].path, "/nonexistent/vrd-chan-lab");
	vr_errs_clear(&e);
	/* a file is not a channel directory */
	assert_null(vr_chan_lab_new("/dev/null", &e));
	assert_int_equal(e.n, 1);
	assert_int_equal(e.v[0].code, -ENOTDIR);
	vr_errs_free(&e);
}

static void test_read_nothing_yet(void **state)
{
	struct fx *f = *state;
	char gen[VR_GUEST_GEN_LEN] = "x", *config = (char *)1;

	assert_int_equal(f->c->ops->read(f->c, &config, gen), -ENOENT);
	assert_null(config);
	assert_string_equal(gen, "");
}

static void test_read_current(void **state)
{
	struct fx *f = *state;
	const char *text = "{\"vrd:routers\":{\"router\":[{\"name\":\"red\"}]}}\n";
	char gen[VR_GUEST_GEN_LEN], want[VR_GUEST_GEN_LEN], *config = NULL;

	push(f, text);
	vr_guest_gen(text, want);
	assert_int_equal(f->c->ops->read(f->c, &config, gen), 0);
	assert_string_equal(config, text);
	assert_string_equal(gen, want);
	free(config);

	/* a generation written without its newline is the same */
	put(f, "generation", want);
	assert_int_equal(f->c->ops->read(f->c, &config, gen), 0);
	assert_string_equal(gen, want);
	free(config);
}

static void test_read_torn(void **state)
{
	struct fx *f = *state;
	char gen[VR_GUEST_GEN_LEN], *config = NULL;

	/* config written, its generation not yet */
	put(f, "config", "{\"a\":1}");
	assert_int_equal(f->c->ops->read(f->c, &config, gen), -EAGAIN);
	assert_null(config);

	/* the next config written over the one the generation names */
	push(f, "{\"a\":1}");
	put(f, "config", "{\"a\":2}");
	assert_int_equal(f->c->ops->read(f->c, &config, gen), -EAGAIN);
	assert_null(config);
	assert_string_equal(gen, "");

	/* then its generation arrives */
	push(f, "{\"a\":2}");
	assert_int_equal(f->c->ops->read(f->c, &config, gen), 0);
	assert_string_equal(config, "{\"a\":2}");
	free(config);
}

static void test_read_bad_generation(void **state)
{
	struct fx *f = *state;
	char gen[VR_GUEST_GEN_LEN], want[VR_GUEST_GEN_LEN + 8], *config = NULL;

	put(f, "config", "{}");
	vr_guest_gen("{}", want);
	/* upper case, short, trailing junk: never taken as the generation */
	for (char *s = want; *s; s++)
		*s = (char)(*s >= 'a' && *s <= 'f' ? *s - 'a' + 'A' : *s);
	put(f, "generation", want);
	assert_int_equal(f->c->ops->read(f->c, &config, gen), -EAGAIN);
	put(f, "generation", "0123");
	assert_int_equal(f->c->ops->read(f->c, &config, gen), -EAGAIN);
	vr_guest_gen("{}", want);
	strcat(want, " x");
	put(f, "generation", want);
	assert_int_equal(f->c->ops->read(f->c, &config, gen), -EAGAIN);
	assert_null(config);
}

static void test_report(void **state)
{
	struct fx *f = *state;
	char *text;

	assert_int_equal(f->c->ops->report(f->c, "0123456789abcdef ready"), 0);
	text = get(f, "status");
	assert_string_equal(text, "0123456789abcdef ready\n");
	free(text);
	/* replaced, one line only */
	assert_int_equal(f->c->ops->report(f->c, "0123456789abcdef failed no\nsuch"), 0);
	text = get(f, "status");
	assert_string_equal(text, "0123456789abcdef failed no\n");
	free(text);
}

static void test_fd_wakes_on_push(void **state)
{
	struct fx *f = *state;

	assert_false(readable(f->c));
	push(f, "{\"b\":1}");
	assert_true(readable(f->c));
	f->c->ops->drain(f->c);
	assert_false(readable(f->c));
	/* drain with nothing pending does not block */
	f->c->ops->drain(f->c);
	assert_false(readable(f->c));
	/* a file written in place (no rename) wakes it too */
	{
		char p[PATH_MAX];
		FILE *fp;
		snprintf(p, sizeof(p), "%s/generation", f->dir);
		fp = fopen(p, "w");
		assert_non_null(fp);
		fputs("0\n", fp);
		fclose(fp);
	}
	assert_true(readable(f->c));
	f->c->ops->drain(f->c);
	assert_false(readable(f->c));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_open_missing_dir),
	    cmocka_unit_test_setup_teardown(test_read_nothing_yet, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_read_current, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_read_torn, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_read_bad_generation, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_report, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_fd_wakes_on_push, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
