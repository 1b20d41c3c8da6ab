/* The state directory: atomic files, table allocation and link records.
 * Every test that touches files works in its own mkdtemp directory. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "statedir.h"

/* Per-test temporary directory, removed with its files by the teardown. */
static int dir_setup(void **state)
{
	char *d = strdup("/tmp/vrd-statedir-XXXXXX");

	if (!d || !mkdtemp(d))
		return -1;
	*state = d;
	return 0;
}

static void rm_tree(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *de;

	if (!d) {
		unlink(path);
		return;
	}
	while ((de = readdir(d))) {
		char sub[PATH_MAX];
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		snprintf(sub, sizeof(sub), "%s/%s", path, de->d_name);
		rm_tree(sub);
	}
	closedir(d);
	rmdir(path);
}

static int dir_teardown(void **state)
{
	rm_tree(*state);
	free(*state);
	return 0;
}

static bool exists(const char *dir, const char *file)
{
	char p[PATH_MAX];
	struct stat st;

	snprintf(p, sizeof(p), "%s/%s", dir, file);
	return stat(p, &st) == 0;
}

static void write_file(const char *dir, const char *file, const char *text)
{
	char p[PATH_MAX];
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", dir, file);
	f = fopen(p, "w");
	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

/* Parse text expecting failure; the first error must name where and say
 * what. */
static void tables_bad(const char *text, const char *where, const char *what)
{
	struct vr_tables t;
	struct vr_errs e;

	vr_tables_init(&t);
	vr_errs_init(&e);
	assert_int_equal(vr_tables_parse(&t, text, "T", &e), -EINVAL);
	assert_int_equal(t.n, 0);
	assert_true(e.n >= 1);
	assert_int_equal(e.v[0].code, -EINVAL);
	assert_string_equal(e.v[0].path, where);
	if (!strstr(e.v[0].msg, what))
		fail_msg("'%s': message '%s' lacks '%s'", text, e.v[0].msg, what);
	vr_errs_free(&e);
	vr_tables_free(&t);
}

static void links_bad(const char *text, const char *where, const char *what)
{
	struct vr_links l;
	struct vr_errs e;

	vr_links_init(&l);
	vr_errs_init(&e);
	assert_int_equal(vr_links_parse(&l, text, "L", &e), -EINVAL);
	assert_int_equal(l.n, 0);
	assert_true(e.n >= 1);
	assert_string_equal(e.v[0].path, where);
	if (!strstr(e.v[0].msg, what))
		fail_msg("'%s': message '%s' lacks '%s'", text, e.v[0].msg, what);
	vr_errs_free(&e);
	vr_links_free(&l);
}

static void test_tables_roundtrip(void **state)
{
	struct vr_tables t, u;
	char *s, *s2;

	(void)state;
	vr_tables_init(&t);
	vr_tables_init(&u);
	assert_int_equal(
	    vr_tables_parse(&t, "red 1000\n\n  \t\nblue\t1001\r\ngreen 7\n", NULL, NULL), 0);
	assert_int_equal(t.n, 3);
	assert_int_equal(vr_tables_get(&t, "red"), 1000);
	assert_int_equal(vr_tables_get(&t, "blue"), 1001);
	assert_int_equal(vr_tables_get(&t, "green"), 7);
	assert_int_equal(vr_tables_get(&t, "black"), 0);
	s = vr_tables_format(&t);
	assert_string_equal(s, "blue 1001\ngreen 7\nred 1000\n");
	assert_int_equal(vr_tables_parse(&u, s, NULL, NULL), 0);
	s2 = vr_tables_format(&u);
	assert_string_equal(s, s2);
	free(s);
	free(s2);
	/* No final newline, the largest id, a name with '#'. */
	assert_int_equal(vr_tables_parse(&u, "#x 4294967295", NULL, NULL), 0);
	assert_int_equal(u.n, 1);
	assert_int_equal(vr_tables_get(&u, "#x"), 4294967295u);
	/* Empty text: no allocations, and parse replaces what was there. */
	assert_int_equal(vr_tables_parse(&t, "", NULL, NULL), 0);
	assert_int_equal(t.n, 0);
	s = vr_tables_format(&t);
	assert_string_equal(s, "");
	free(s);
	vr_tables_free(&t);
	vr_tables_free(&u);
	vr_tables_free(&u); /* free twice: a no-op */
}

static void test_tables_malformed(void **state)
{
	struct vr_tables t;
	struct vr_errs e;

	(void)state;
	tables_bad("red\n", "T:1", "found 1 field");
	tables_bad("red 1000 x\n", "T:1", "found 3 fields");
	tables_bad("\n\nred 1000\nblue abc\n", "T:4", "'abc' is not a table id");
	tables_bad("red 0\n", "T:1", "not a table id");
	tables_bad("red 254\n", "T:1", "not a table id");
	tables_bad("red 4294967296\n", "T:1", "not a table id");
	tables_bad("red -1\n", "T:1", "not a table id");
	tables_bad("red +5\n", "T:1", "not a table id");
	tables_bad("red 10x\n", "T:1", "not a table id");
	tables_bad("a/B 1000\n", "T:1", "'a/B' is not a router name");
	tables_bad("a/ 1000\n", "T:1", "not a router name");
	tables_bad("/b 1000\n", "T:1", "not a router name");
	tables_bad("a/b/c 1000\n", "T:1", "not a router name");
	tables_bad("a/123456789 1000\n", "T:1", "not a router name");
	tables_bad("a:b 1000\n", "T:1", "not a router name");
	tables_bad(".. 1000\n", "T:1", "not a router name");
	tables_bad("abcdefghijklmnop 1000\n", "T:1", "not a router name");
	tables_bad("red 1000\nred 1001\n", "T:2", "router 'red' is listed twice");
	tables_bad("red 1000\nblue 1000\n", "T:2",
	           "table 1000 is allocated to both 'red' and 'blue'");

	/* Every bad line is reported, and t loses its old content. */
	vr_tables_init(&t);
	vr_errs_init(&e);
	assert_int_equal(vr_tables_parse(&t, "red 1000\n", NULL, NULL), 0);
	assert_int_equal(vr_tables_parse(&t, "x\nred 1000\ny 1\nz 253\n", "T", &e), -EINVAL);
	assert_int_equal(t.n, 0);
	assert_int_equal(e.n, 2);
	assert_string_equal(e.v[0].path, "T:1");
	assert_string_equal(e.v[1].path, "T:4");
	/* Without an error list: still rejected. */
	assert_int_equal(vr_tables_parse(&t, "x\n", NULL, NULL), -EINVAL);
	vr_errs_free(&e);
	vr_tables_free(&t);
}

/* A router's other ids: "red/lab" (its guest id), "red/0" (a domU
 * interface pair's table) parse, allocate and round-trip like tables. */
static void test_tables_router_keys(void **state)
{
	struct vr_tables t;
	struct vr_errs e;
	uint32_t id = 0;
	char *text;

	(void)state;
	vr_tables_init(&t);
	vr_errs_init(&e);
	assert_int_equal(vr_tables_parse(&t, "red/lab 1000\nred 1001\n", "T", &e), 0);
	assert_int_equal(vr_tables_get(&t, "red/lab"), 1000);
	assert_int_equal(vr_tables_alloc(&t, "red/0", NULL, 0, &id), 0);
	assert_int_equal(id, 1002);
	assert_int_equal(vr_tables_alloc(&t, "red/Lab", NULL, 0, &id), -EINVAL);
	text = vr_tables_format(&t);
	assert_non_null(strstr(text, "red/0 1002\n"));
	free(text);
	assert_int_equal(vr_tables_release(&t, "red/lab"), 0);
	assert_int_equal(vr_tables_get(&t, "red/lab"), 0);
	vr_tables_free(&t);
	vr_errs_free(&e);
}

static void test_tables_alloc(void **state)
{
	struct vr_tables t;
	const uint32_t in_use[] = {254, 1000, 1002, 70000};
	uint32_t id;

	(void)state;
	vr_tables_init(&t);
	assert_int_equal(vr_tables_alloc(&t, "red", NULL, 0, &id), 0);
	assert_int_equal(id, 1000);
	/* 1000 is red's; 1000 and 1002 in use elsewhere: blue gets 1001. */
	assert_int_equal(vr_tables_alloc(&t, "blue", in_use, 4, &id), 0);
	assert_int_equal(id, 1001);
	assert_int_equal(vr_tables_alloc(&t, "green", in_use, 4, &id), 0);
	assert_int_equal(id, 1003);
	/* An existing allocation is returned as is, even if now "in use". */
	assert_int_equal(vr_tables_alloc(&t, "red", in_use, 4, &id), 0);
	assert_int_equal(id, 1000);
	assert_int_equal(t.n, 3);
	/* Released ids are reused, lowest first. */
	assert_int_equal(vr_tables_release(&t, "blue"), 0);
	assert_int_equal(vr_tables_release(&t, "blue"), -ENOENT);
	assert_int_equal(vr_tables_get(&t, "blue"), 0);
	assert_int_equal(vr_tables_alloc(&t, "black", NULL, 0, &id), 0);
	assert_int_equal(id, 1001);
	assert_int_equal(vr_tables_alloc(&t, "bad:name", NULL, 0, &id), -EINVAL);
	assert_int_equal(vr_tables_alloc(&t, "", NULL, 0, &id), -EINVAL);
	vr_tables_free(&t);
}

static void test_tables_exhausted(void **state)
{
	size_t pool = VR_TABLE_POOL_MAX - VR_TABLE_POOL_MIN + 1;
	uint32_t *in_use = malloc(pool * sizeof(*in_use)), id;
	struct vr_tables t;
	size_t n = 0;

	(void)state;
	assert_non_null(in_use);
	vr_tables_init(&t);
	/* All but the last two ids in use; the last two go to routers. */
	for (uint32_t i = VR_TABLE_POOL_MIN; i <= VR_TABLE_POOL_MAX - 2; i++)
		in_use[n++] = i;
	assert_int_equal(vr_tables_alloc(&t, "a", in_use, n, &id), 0);
	assert_int_equal(id, VR_TABLE_POOL_MAX - 1);
	assert_int_equal(vr_tables_alloc(&t, "b", in_use, n, &id), 0);
	assert_int_equal(id, VR_TABLE_POOL_MAX);
	assert_int_equal(vr_tables_alloc(&t, "c", in_use, n, &id), -ENOSPC);
	assert_int_equal(vr_tables_get(&t, "c"), 0);
	assert_int_equal(t.n, 2);
	/* Routers that have one still get theirs. */
	assert_int_equal(vr_tables_alloc(&t, "a", in_use, n, &id), 0);
	assert_int_equal(id, VR_TABLE_POOL_MAX - 1);
	/* Freeing one makes room again. */
	assert_int_equal(vr_tables_release(&t, "b"), 0);
	assert_int_equal(vr_tables_alloc(&t, "c", in_use, n, &id), 0);
	assert_int_equal(id, VR_TABLE_POOL_MAX);
	vr_tables_free(&t);
	free(in_use);
}

static void test_tables_stable(void **state)
{
	const char *dir = *state;
	struct vr_tables t;
	uint32_t red, blue, id;

	vr_tables_init(&t);
	/* No file yet: empty. */
	assert_int_equal(vr_tables_load(&t, dir, NULL), 0);
	assert_int_equal(t.n, 0);
	assert_int_equal(vr_tables_alloc(&t, "red", NULL, 0, &red), 0);
	assert_int_equal(vr_tables_alloc(&t, "blue", NULL, 0, &blue), 0);
	assert_int_equal(vr_tables_save(&t, dir), 0);
	assert_false(exists(dir, "tables.tmp"));
	vr_tables_free(&t);

	/* A later run, with red's table now seen in the kernel. */
	assert_int_equal(vr_tables_load(&t, dir, NULL), 0);
	assert_int_equal(t.n, 2);
	assert_int_equal(vr_tables_get(&t, "red"), red);
	assert_int_equal(vr_tables_alloc(&t, "blue", &red, 1, &id), 0);
	assert_int_equal(id, blue);
	assert_int_equal(vr_tables_alloc(&t, "red", &red, 1, &id), 0);
	assert_int_equal(id, red);
	/* Red leaves; blue keeps its table and a newcomer gets red's. */
	assert_int_equal(vr_tables_release(&t, "red"), 0);
	assert_int_equal(vr_tables_save(&t, dir), 0);
	vr_tables_free(&t);
	assert_int_equal(vr_tables_load(&t, dir, NULL), 0);
	assert_int_equal(vr_tables_get(&t, "blue"), blue);
	assert_int_equal(vr_tables_alloc(&t, "green", NULL, 0, &id), 0);
	assert_int_equal(id, red);
	vr_tables_free(&t);
}

static void test_tables_load_bad(void **state)
{
	const char *dir = *state;
	char where[PATH_MAX];
	struct vr_tables t;
	struct vr_errs e;

	vr_tables_init(&t);
	vr_errs_init(&e);
	write_file(dir, "tables", "red 1000\nblue\n");
	assert_int_equal(vr_tables_load(&t, dir, &e), -EINVAL);
	assert_int_equal(e.n, 1);
	snprintf(where, sizeof(where), "%s/tables:2", dir);
	assert_string_equal(e.v[0].path, where);
	vr_errs_clear(&e);
	/* A NUL would hide what follows it from the parser. */
	write_file(dir, "tables", "");
	{
		char p[PATH_MAX];
		FILE *f;
		snprintf(p, sizeof(p), "%s/tables", dir);
		f = fopen(p, "w");
		assert_non_null(f);
		fwrite("red 1000\n\0x\n", 1, 12, f);
		fclose(f);
	}
	assert_int_equal(vr_tables_load(&t, dir, &e), -EINVAL);
	assert_int_equal(e.n, 1);
	assert_non_null(strstr(e.v[0].msg, "NUL"));
	vr_errs_free(&e);
	vr_tables_free(&t);
}

static void test_links_roundtrip(void **state)
{
	struct vr_links l, m;
	char *s, *s2;

	(void)state;
	vr_links_init(&l);
	vr_links_init(&m);
	assert_int_equal(vr_links_add(&l, "red", "", "vrf-red", true), 0);
	assert_int_equal(vr_links_add(&l, "red", "", "eth1", false), 0);
	assert_int_equal(vr_links_add(&l, "blue", "vrd-blue", "v0", true), 0);
	assert_int_equal(vr_links_add(&l, "red", "lab-g1", "eth0", false), 0);
	s = vr_links_format(&l);
	assert_string_equal(s, "blue vrd-blue v0 created\n"
	                       "red - eth1 port\n"
	                       "red - vrf-red created\n"
	                       "red lab-g1 eth0 port\n");
	assert_int_equal(vr_links_parse(&m, s, NULL, NULL), 0);
	assert_int_equal(m.n, 4);
	s2 = vr_links_format(&m);
	assert_string_equal(s, s2);
	assert_string_equal(m.v[1].ns, "");
	assert_false(m.v[1].created);
	assert_true(m.v[2].created);
	free(s);
	free(s2);
	assert_int_equal(vr_links_parse(&m, "\n r  -\teth9   port\r\n\n", NULL, NULL), 0);
	assert_int_equal(m.n, 1);
	assert_string_equal(m.v[0].router, "r");
	assert_string_equal(m.v[0].name, "eth9");
	vr_links_free(&l);
	vr_links_free(&m);
}

static void test_links_malformed(void **state)
{
	(void)state;
	links_bad("red - eth0\n", "L:1", "found 3 fields");
	links_bad("red - eth0 port x\n", "L:1", "found 5 fields");
	links_bad("red - eth0 enslaved\n", "L:1", "'enslaved' is neither");
	links_bad("\nred - eth:0 port\n", "L:2", "'eth:0' is not an interface name");
	links_bad("red - abcdefghijklmnop port\n", "L:1", "not an interface name");
	links_bad("red .. eth0 port\n", "L:1", "'..' is not a namespace name");
	links_bad("r/ed - eth0 port\n", "L:1", "not a router name");
	links_bad("red - eth0 port\nblue - eth0 created\n", "L:2", "listed twice");
	/* The same name in two namespaces is two links. */
	{
		struct vr_links l;
		vr_links_init(&l);
		assert_int_equal(
		    vr_links_parse(&l, "red - eth0 port\nblue ns1 eth0 created\n", NULL, NULL), 0);
		assert_int_equal(l.n, 2);
		vr_links_free(&l);
	}
}

static void test_links_api(void **state)
{
	const char *dir = *state;
	const struct vr_link_rec *r;
	struct vr_links l;
	size_t pos, n;

	vr_links_init(&l);
	assert_int_equal(vr_links_load(&l, dir, NULL), 0);
	assert_int_equal(l.n, 0);
	assert_int_equal(vr_links_add(&l, "red", "", "eth1", false), 0);
	assert_int_equal(vr_links_add(&l, "red", "", "vrf-red", true), 0);
	assert_int_equal(vr_links_add(&l, "blue", "", "eth2", false), 0);
	/* Held by another router; recorded again by the same one. */
	assert_int_equal(vr_links_add(&l, "blue", "", "eth1", false), -EEXIST);
	assert_int_equal(vr_links_add(&l, "red", "", "eth1", true), 0);
	assert_int_equal(l.n, 3);
	assert_true(vr_links_find(&l, "", "eth1")->created);
	assert_null(vr_links_find(&l, "x", "eth1"));
	/* Names the file could not hold. */
	assert_int_equal(vr_links_add(&l, "red", "-", "eth3", false), -EINVAL);
	assert_int_equal(vr_links_add(&l, "red", "a b", "eth3", false), -EINVAL);
	assert_int_equal(vr_links_add(&l, "red", "", "eth 3", false), -EINVAL);
	assert_int_equal(vr_links_add(&l, "re\nd", "", "eth3", false), -EINVAL);
	assert_int_equal(vr_links_add(&l, "red", "", "", false), -EINVAL);

	assert_int_equal(vr_links_save(&l, dir), 0);
	assert_false(exists(dir, "links.tmp"));
	vr_links_free(&l);
	assert_int_equal(vr_links_load(&l, dir, NULL), 0);
	assert_int_equal(l.n, 3);

	pos = 0;
	n = 0;
	while ((r = vr_links_next(&l, "red", &pos))) {
		assert_string_equal(r->router, "red");
		n++;
	}
	assert_int_equal(n, 2);
	pos = 0;
	n = 0;
	while (vr_links_next(&l, NULL, &pos))
		n++;
	assert_int_equal(n, 3);
	pos = 0;
	assert_null(vr_links_next(&l, "green", &pos));

	assert_int_equal(vr_links_remove(&l, "", "eth2"), 0);
	assert_int_equal(vr_links_remove(&l, "", "eth2"), -ENOENT);
	assert_int_equal(vr_links_remove_router(&l, "red"), 2);
	assert_int_equal(vr_links_remove_router(&l, "red"), 0);
	assert_int_equal(l.n, 0);
	vr_links_free(&l);
}

static void test_atomic_write(void **state)
{
	const char *dir = *state;
	char p[PATH_MAX], sub[PATH_MAX], *data;
	size_t len;

	snprintf(p, sizeof(p), "%s/f", dir);
	assert_int_equal(vr_file_read(p, &data, &len), -ENOENT);
	assert_null(data);
	assert_int_equal(vr_file_write_atomic(p, "first\n", 6), 0);
	assert_int_equal(vr_file_write_atomic(p, "second", 6), 0);
	assert_false(exists(dir, "f.tmp"));
	assert_int_equal(vr_file_read(p, &data, &len), 0);
	assert_int_equal(len, 6);
	assert_string_equal(data, "second");
	free(data);
	/* A .tmp left by a crash is overwritten, not an error. */
	write_file(dir, "f.tmp", "stale junk that is longer");
	assert_int_equal(vr_file_write_atomic(p, "", 0), 0);
	assert_false(exists(dir, "f.tmp"));
	assert_int_equal(vr_file_read(p, &data, NULL), 0);
	assert_string_equal(data, "");
	free(data);
	/* Larger than one read. */
	{
		size_t big = 100000;
		char *b = malloc(big);
		assert_non_null(b);
		memset(b, 'x', big);
		assert_int_equal(vr_file_write_atomic(p, b, big), 0);
		assert_int_equal(vr_file_read(p, &data, &len), 0);
		assert_int_equal(len, big);
		assert_memory_equal(data, b, big);
		free(data);
		free(b);
	}
	/* Missing directory: fails, leaves nothing. */
	snprintf(p, sizeof(p), "%s/no/f", dir);
	assert_int_equal(vr_file_write_atomic(p, "x", 1), -ENOENT);
	/* vr_statedir_init makes it, parents included, and is idempotent. */
	snprintf(sub, sizeof(sub), "%s/no/deeper", dir);
	assert_int_equal(vr_statedir_init(sub), 0);
	assert_int_equal(vr_statedir_init(sub), 0);
	assert_true(exists(dir, "no/deeper"));
	assert_int_equal(vr_file_write_atomic(p, "x", 1), 0);
	assert_int_equal(vr_statedir_init(p), -ENOTDIR);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_tables_roundtrip),
	    cmocka_unit_test(test_tables_malformed),
	    cmocka_unit_test(test_tables_alloc),
	    cmocka_unit_test(test_tables_router_keys),
	    cmocka_unit_test(test_tables_exhausted),
	    cmocka_unit_test_setup_teardown(test_tables_stable, dir_setup, dir_teardown),
	    cmocka_unit_test_setup_teardown(test_tables_load_bad, dir_setup, dir_teardown),
	    cmocka_unit_test(test_links_roundtrip),
	    cmocka_unit_test(test_links_malformed),
	    cmocka_unit_test_setup_teardown(test_links_api, dir_setup, dir_teardown),
	    cmocka_unit_test_setup_teardown(test_atomic_write, dir_setup, dir_teardown),
	};

	return cmocka_run_group_tests_name("statedir", tests, NULL, NULL);
}
