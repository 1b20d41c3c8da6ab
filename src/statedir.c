/* statedir.c - the state directory: atomic files, table allocations and
 * link records (see statedir.h).
 *
 * Owns the files in the state directory and their format; it knows
 * nothing of the kernel.  Allocations are checked against what the
 * caller says is in use, never discovered here. */
#include "statedir.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define NS_SELF_TOKEN "-" /* ns "" in the links file */

static void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n);
	if (!p)
		abort();
	return p;
}

static char *xstrdup(const char *s)
{
	char *d = strdup(s);

	if (!d)
		abort();
	return d;
}

/* ---- files ---- */

int vr_statedir_init(const char *dir)
{
	char path[PATH_MAX];
	size_t n = strlen(dir);

	if (n == 0)
		return -EINVAL;
	if (n >= sizeof(path))
		return -ENAMETOOLONG;
	memcpy(path, dir, n + 1);
	/* Each parent first; the last round creates dir itself. */
	for (char *p = path + 1;; p++) {
		if (*p && *p != '/')
			continue;
		char c = *p;
		*p = 0;
		if (mkdir(path, 0755) < 0 && errno != EEXIST)
			return -errno;
		*p = c;
		if (!c)
			break;
	}
	struct stat st;
	if (stat(dir, &st) < 0)
		return -errno;
	return S_ISDIR(st.st_mode) ? 0 : -ENOTDIR;
}

static int write_full(int fd, const char *p, size_t len)
{
	while (len) {
		ssize_t w = write(fd, p, len);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -errno;
		p += w;
		len -= (size_t)w;
	}
	return 0;
}

/* The rename is durable only once the directory entry is on disk. */
static int fsync_parent(const char *path)
{
	char dir[PATH_MAX];
	const char *slash = strrchr(path, '/');
	int fd, r = 0;

	if (!slash) {
		strcpy(dir, ".");
	} else {
		size_t n = slash == path ? 1 : (size_t)(slash - path);
		memcpy(dir, path, n);
		dir[n] = 0;
	}
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	/* EINVAL: a file system that cannot sync directories (some FUSE
	 * ones); there is nothing more to do there. */
	if (fsync(fd) < 0 && errno != EINVAL)
		r = -errno;
	close(fd);
	return r;
}

int vr_file_write_atomic(const char *path, const void *data, size_t len)
{
	char tmp[PATH_MAX];
	int fd, r;

	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= sizeof(tmp))
		return -ENAMETOOLONG;
	/* O_TRUNC: a .tmp left by a crash is stale, never a second writer
	 * (vrd is the only one). */
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	r = write_full(fd, data, len);
	if (r == 0 && fsync(fd) < 0)
		r = -errno;
	if (close(fd) < 0 && r == 0)
		r = -errno;
	if (r == 0 && rename(tmp, path) < 0)
		r = -errno;
	if (r < 0) {
		unlink(tmp);
		return r;
	}
	return fsync_parent(path);
}

int vr_file_read(const char *path, char **data, size_t *len)
{
	struct stat st;
	size_t cap, n = 0;
	char *buf;
	int fd, r = 0;

	*data = NULL;
	if (len)
		*len = 0;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0) {
		r = -errno;
		close(fd);
		return r;
	}
	/* st_size is a hint (0 for proc files, stale if the file grows). */
	cap = st.st_size > 0 ? (size_t)st.st_size + 1 : 4096;
	buf = xrealloc(NULL, cap);
	for (;;) {
		ssize_t got;
		if (n + 1 >= cap) {
			cap *= 2;
			buf = xrealloc(buf, cap);
		}
		got = read(fd, buf + n, cap - n - 1);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			r = -errno;
			break;
		}
		if (got == 0)
			break;
		n += (size_t)got;
	}
	close(fd);
	if (r < 0) {
		free(buf);
		return r;
	}
	buf[n] = 0;
	*data = buf;
	if (len)
		*len = n;
	return 0;
}

static int dir_file(char *buf, size_t len, const char *dir, const char *file)
{
	if ((size_t)snprintf(buf, len, "%s/%s", dir, file) >= len)
		return -ENAMETOOLONG;
	return 0;
}

static int save_text(const char *dir, const char *file, char *text)
{
	char path[PATH_MAX];
	int r = dir_file(path, sizeof(path), dir, file);

	if (r == 0)
		r = vr_file_write_atomic(path, text, strlen(text));
	free(text);
	return r;
}

/* Read <dir>/file for a parser: *text NULL when the file does not exist.
 * The path goes to *path for error messages. */
static int load_text(const char *dir, const char *file, char *path, size_t plen, char **text,
                     struct vr_errs *errs)
{
	size_t len;
	int r;

	*text = NULL;
	r = dir_file(path, plen, dir, file);
	if (r == 0)
		r = vr_file_read(path, text, &len);
	if (r == -ENOENT)
		return 0;
	if (r < 0) {
		if (errs)
			vr_errs_add(errs, r, path, "cannot read: %s", strerror(-r));
		return r;
	}
	/* The parsers see a C string: a NUL inside would hide the rest. */
	if (memchr(*text, 0, len)) {
		if (errs)
			vr_errs_add(errs, -EINVAL, path, "contains a NUL byte");
		free(*text);
		*text = NULL;
		return -EINVAL;
	}
	return 0;
}

/* ---- parsing helpers ---- */

/* Report a malformed line; returns 1, to count it. */
__attribute__((format(printf, 4, 5))) static unsigned
line_err(struct vr_errs *errs, const char *file, unsigned line, const char *fmt, ...)
{
	char *path, *msg;
	va_list ap;

	if (!errs)
		return 1;
	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		abort();
	va_end(ap);
	if (asprintf(&path, "%s:%u", file, line) < 0)
		abort();
	vr_errs_add(errs, -EINVAL, path, "%s", msg);
	free(path);
	free(msg);
	return 1;
}

/* Split line in place on white space into at most max fields; returns the
 * number of fields there are (more than max when the line has more). */
static int split(char *line, char **f, int max)
{
	int n = 0;
	char *save, *tok;

	for (tok = strtok_r(line, " \t\r\v\f", &save); tok;
	     tok = strtok_r(NULL, " \t\r\v\f", &save)) {
		if (n < max)
			f[n] = tok;
		n++;
	}
	return n;
}

/* The next line of a modifiable text, terminated in place; NULL at the end. */
static char *next_line(char **text)
{
	char *line = *text, *nl;

	if (!line)
		return NULL;
	nl = strchr(line, '\n');
	if (nl)
		*nl++ = 0;
	*text = nl;
	return line;
}

static bool has_space(const char *s)
{
	for (; *s; s++)
		if (isspace((unsigned char)*s))
			return true;
	return false;
}

/* An interface name as the kernel accepts it (dev_valid_name()); router
 * names follow the same rule (the model types them as ifname). */
static bool ifname_valid(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n >= IFNAMSIZ || !strcmp(s, ".") || !strcmp(s, ".."))
		return false;
	return !strpbrk(s, "/:") && !has_space(s);
}

/* A key of the tables file: a router's name, or "router/what" for the
 * other ids a router holds ("red/guest": its guest id, "red/0": the table
 * of its first domU interface pair; see place/domu.h). */
static bool table_key_valid(const char *s)
{
	const char *slash = strchr(s, '/');
	char name[IFNAMSIZ];

	if (!slash)
		return ifname_valid(s);
	if ((size_t)(slash - s) >= IFNAMSIZ || !slash[1] || strlen(slash + 1) > 8)
		return false;
	memcpy(name, s, (size_t)(slash - s));
	name[slash - s] = 0;
	for (const char *c = slash + 1; *c; c++)
		if (!((*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9')))
			return false;
	return ifname_valid(name);
}

/* A name under /run/netns that fits the file format; "" is vrd's own. */
static bool ns_valid(const char *s)
{
	size_t n = strlen(s);

	if (n == 0)
		return true;
	if (n > NAME_MAX || strchr(s, '/') || has_space(s) || !strcmp(s, NS_SELF_TOKEN))
		return false;
	return strcmp(s, ".") && strcmp(s, "..");
}

/* ---- tables ---- */

void vr_tables_init(struct vr_tables *t)
{
	memset(t, 0, sizeof(*t));
}

void vr_tables_free(struct vr_tables *t)
{
	for (size_t i = 0; i < t->n; i++)
		free(t->v[i].router);
	free(t->v);
	vr_tables_init(t);
}

/* Index of router, or of where it would go, in the sorted array. */
static size_t tables_lower_bound(const struct vr_tables *t, const char *router)
{
	size_t lo = 0, hi = t->n;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (strcmp(t->v[mid].router, router) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static struct vr_table_alloc *tables_find(const struct vr_tables *t, const char *router)
{
	size_t i = tables_lower_bound(t, router);

	return i < t->n && !strcmp(t->v[i].router, router) ? &t->v[i] : NULL;
}

static const char *tables_owner(const struct vr_tables *t, uint32_t table)
{
	for (size_t i = 0; i < t->n; i++)
		if (t->v[i].table == table)
			return t->v[i].router;
	return NULL;
}

static void tables_insert(struct vr_tables *t, const char *router, uint32_t table)
{
	size_t i = tables_lower_bound(t, router);

	if (t->n == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 16;
		t->v = xrealloc(t->v, t->cap * sizeof(*t->v));
	}
	memmove(&t->v[i + 1], &t->v[i], (t->n - i) * sizeof(*t->v));
	t->v[i].router = xstrdup(router);
	t->v[i].table = table;
	t->n++;
}

/* Decimal, 1..2^32-1, not one of the kernel's own tables (253 default,
 * 254 main, 255 local). */
static int table_parse(const char *s, uint32_t *out)
{
	unsigned long long v;
	char *end;

	if (!isdigit((unsigned char)*s))
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end || v == 0 || v > UINT32_MAX || (v >= 253 && v <= 255))
		return -EINVAL;
	*out = (uint32_t)v;
	return 0;
}

int vr_tables_parse(struct vr_tables *t, const char *text, const char *file, struct vr_errs *errs)
{
	struct vr_tables out;
	char *copy = xstrdup(text), *rest = copy, *line;
	unsigned ln = 0, bad = 0;
	uint32_t table;

	if (!file)
		file = VR_TABLES_FILE;
	vr_tables_init(&out);
	while ((line = next_line(&rest))) {
		char *f[2] = {0};
		const char *other;
		int n = split(line, f, 2);

		ln++;
		if (n == 0)
			continue;
		if (n != 2)
			bad += line_err(errs, file, ln, "expected 'router table', found %d field%s",
			                n, n == 1 ? "" : "s");
		else if (!table_key_valid(f[0]))
			bad += line_err(errs, file, ln, "'%s' is not a router name", f[0]);
		else if (table_parse(f[1], &table) < 0)
			bad += line_err(errs, file, ln,
			                "'%s' is not a table id (1-4294967295, not 253-255)", f[1]);
		else if (tables_find(&out, f[0]))
			bad += line_err(errs, file, ln, "router '%s' is listed twice", f[0]);
		else if ((other = tables_owner(&out, table)))
			bad +=
			    line_err(errs, file, ln, "table %u is allocated to both '%s' and '%s'",
			             table, other, f[0]);
		else
			tables_insert(&out, f[0], table);
	}
	free(copy);
	vr_tables_free(t);
	if (bad) {
		vr_tables_free(&out);
		return -EINVAL;
	}
	*t = out;
	return 0;
}

char *vr_tables_format(const struct vr_tables *t)
{
	char *s = NULL;
	size_t len;
	FILE *f = open_memstream(&s, &len);

	if (!f)
		abort();
	for (size_t i = 0; i < t->n; i++)
		fprintf(f, "%s %u\n", t->v[i].router, t->v[i].table);
	if (fclose(f) != 0)
		abort();
	return s;
}

int vr_tables_load(struct vr_tables *t, const char *dir, struct vr_errs *errs)
{
	char path[PATH_MAX], *text;
	int r = load_text(dir, VR_TABLES_FILE, path, sizeof(path), &text, errs);

	if (r < 0 || !text) {
		vr_tables_free(t);
		return r;
	}
	r = vr_tables_parse(t, text, path, errs);
	free(text);
	return r;
}

int vr_tables_save(const struct vr_tables *t, const char *dir)
{
	return save_text(dir, VR_TABLES_FILE, vr_tables_format(t));
}

uint32_t vr_tables_get(const struct vr_tables *t, const char *router)
{
	const struct vr_table_alloc *a = tables_find(t, router);

	return a ? a->table : 0;
}

#define POOL_SIZE (VR_TABLE_POOL_MAX - VR_TABLE_POOL_MIN + 1)

static void pool_mark(uint64_t *used, uint32_t table)
{
	if (table >= VR_TABLE_POOL_MIN && table <= VR_TABLE_POOL_MAX) {
		uint32_t i = table - VR_TABLE_POOL_MIN;
		used[i / 64] |= 1ull << (i % 64);
	}
}

int vr_tables_alloc(struct vr_tables *t, const char *router, const uint32_t *in_use,
                    size_t n_in_use, uint32_t *out)
{
	/* One bit per pool id: 8 KiB, and one pass over each input. */
	uint64_t used[(POOL_SIZE + 63) / 64] = {0};
	const struct vr_table_alloc *a;

	if (!table_key_valid(router))
		return -EINVAL;
	a = tables_find(t, router);
	if (a) {
		/* Stable even if the table now shows up in in_use: that is
		 * most likely the router's own VRF. */
		*out = a->table;
		return 0;
	}
	for (size_t i = 0; i < n_in_use; i++)
		pool_mark(used, in_use[i]);
	for (size_t i = 0; i < t->n; i++)
		pool_mark(used, t->v[i].table);
	for (uint32_t w = 0; w < sizeof(used) / sizeof(used[0]); w++) {
		if (used[w] == UINT64_MAX)
			continue;
		uint32_t id = VR_TABLE_POOL_MIN + w * 64 + (uint32_t)__builtin_ctzll(~used[w]);
		if (id > VR_TABLE_POOL_MAX)
			break;
		tables_insert(t, router, id);
		*out = id;
		return 0;
	}
	return -ENOSPC;
}

int vr_tables_release(struct vr_tables *t, const char *router)
{
	struct vr_table_alloc *a = tables_find(t, router);
	size_t i;

	if (!a)
		return -ENOENT;
	i = (size_t)(a - t->v);
	free(a->router);
	memmove(&t->v[i], &t->v[i + 1], (t->n - i - 1) * sizeof(*t->v));
	t->n--;
	return 0;
}

/* ---- link records ---- */

void vr_links_init(struct vr_links *l)
{
	memset(l, 0, sizeof(*l));
}

static void link_rec_free(struct vr_link_rec *r)
{
	free(r->router);
	free(r->ns);
}

void vr_links_free(struct vr_links *l)
{
	for (size_t i = 0; i < l->n; i++)
		link_rec_free(&l->v[i]);
	free(l->v);
	vr_links_init(l);
}

static int link_order(const struct vr_link_rec *r, const char *router, const char *ns,
                      const char *name)
{
	int c = strcmp(r->router, router);

	if (!c)
		c = strcmp(r->ns, ns);
	return c ? c : strcmp(r->name, name);
}

static struct vr_link_rec *links_find(const struct vr_links *l, const char *ns, const char *name)
{
	/* Keyed by (ns, name) but sorted by router first: a scan, fine for
	 * the few links a host has. */
	for (size_t i = 0; i < l->n; i++)
		if (!strcmp(l->v[i].ns, ns) && !strcmp(l->v[i].name, name))
			return &l->v[i];
	return NULL;
}

static void links_insert(struct vr_links *l, const char *router, const char *ns, const char *name,
                         bool created)
{
	size_t i = l->n;
	struct vr_link_rec *r;

	/* Usually appended in order (parse, or one router at a time). */
	while (i > 0 && link_order(&l->v[i - 1], router, ns, name) > 0)
		i--;
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 16;
		l->v = xrealloc(l->v, l->cap * sizeof(*l->v));
	}
	memmove(&l->v[i + 1], &l->v[i], (l->n - i) * sizeof(*l->v));
	r = &l->v[i];
	memset(r, 0, sizeof(*r));
	r->router = xstrdup(router);
	r->ns = xstrdup(ns);
	snprintf(r->name, sizeof(r->name), "%s", name);
	r->created = created;
	l->n++;
}

int vr_links_parse(struct vr_links *l, const char *text, const char *file, struct vr_errs *errs)
{
	struct vr_links out;
	char *copy = xstrdup(text), *rest = copy, *line;
	unsigned ln = 0, bad = 0;

	if (!file)
		file = VR_LINKS_FILE;
	vr_links_init(&out);
	while ((line = next_line(&rest))) {
		char *f[4] = {0};
		const char *ns;
		int n = split(line, f, 4);

		ln++;
		if (n == 0)
			continue;
		ns = f[1] && !strcmp(f[1], NS_SELF_TOKEN) ? "" : f[1];
		if (n != 4)
			bad += line_err(errs, file, ln,
			                "expected 'router ns name created|port', found %d field%s",
			                n, n == 1 ? "" : "s");
		else if (!ifname_valid(f[0]))
			bad += line_err(errs, file, ln, "'%s' is not a router name", f[0]);
		else if (!ns_valid(ns))
			bad += line_err(errs, file, ln, "'%s' is not a namespace name", f[1]);
		else if (!ifname_valid(f[2]))
			bad += line_err(errs, file, ln, "'%s' is not an interface name", f[2]);
		else if (strcmp(f[3], "created") && strcmp(f[3], "port"))
			bad +=
			    line_err(errs, file, ln, "'%s' is neither 'created' nor 'port'", f[3]);
		else if (links_find(&out, ns, f[2]))
			bad += line_err(errs, file, ln, "link %s in namespace %s is listed twice",
			                f[2], f[1]);
		else
			links_insert(&out, f[0], ns, f[2], !strcmp(f[3], "created"));
	}
	free(copy);
	vr_links_free(l);
	if (bad) {
		vr_links_free(&out);
		return -EINVAL;
	}
	*l = out;
	return 0;
}

char *vr_links_format(const struct vr_links *l)
{
	char *s = NULL;
	size_t len;
	FILE *f = open_memstream(&s, &len);

	if (!f)
		abort();
	for (size_t i = 0; i < l->n; i++) {
		const struct vr_link_rec *r = &l->v[i];
		fprintf(f, "%s %s %s %s\n", r->router, *r->ns ? r->ns : NS_SELF_TOKEN, r->name,
		        r->created ? "created" : "port");
	}
	if (fclose(f) != 0)
		abort();
	return s;
}

int vr_links_load(struct vr_links *l, const char *dir, struct vr_errs *errs)
{
	char path[PATH_MAX], *text;
	int r = load_text(dir, VR_LINKS_FILE, path, sizeof(path), &text, errs);

	if (r < 0 || !text) {
		vr_links_free(l);
		return r;
	}
	r = vr_links_parse(l, text, path, errs);
	free(text);
	return r;
}

int vr_links_save(const struct vr_links *l, const char *dir)
{
	return save_text(dir, VR_LINKS_FILE, vr_links_format(l));
}

int vr_links_add(struct vr_links *l, const char *router, const char *ns, const char *name,
                 bool created)
{
	struct vr_link_rec *r;

	if (!ifname_valid(router) || !ns_valid(ns) || !ifname_valid(name))
		return -EINVAL;
	r = links_find(l, ns, name);
	if (r) {
		if (strcmp(r->router, router))
			return -EEXIST;
		r->created = created;
		return 0;
	}
	links_insert(l, router, ns, name, created);
	return 0;
}

static void links_remove_at(struct vr_links *l, size_t i)
{
	link_rec_free(&l->v[i]);
	memmove(&l->v[i], &l->v[i + 1], (l->n - i - 1) * sizeof(*l->v));
	l->n--;
}

int vr_links_remove(struct vr_links *l, const char *ns, const char *name)
{
	struct vr_link_rec *r = links_find(l, ns, name);

	if (!r)
		return -ENOENT;
	links_remove_at(l, (size_t)(r - l->v));
	return 0;
}

size_t vr_links_remove_router(struct vr_links *l, const char *router)
{
	size_t removed = 0;

	for (size_t i = l->n; i-- > 0;) {
		if (!strcmp(l->v[i].router, router)) {
			links_remove_at(l, i);
			removed++;
		}
	}
	return removed;
}

const struct vr_link_rec *vr_links_find(const struct vr_links *l, const char *ns, const char *name)
{
	return links_find(l, ns, name);
}

const struct vr_link_rec *vr_links_next(const struct vr_links *l, const char *router, size_t *pos)
{
	while (*pos < l->n) {
		const struct vr_link_rec *r = &l->v[(*pos)++];
		if (!router || !strcmp(r->router, router))
			return r;
	}
	return NULL;
}
