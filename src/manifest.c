/* SPDX-License-Identifier: MIT */
/* The manifest's JSON codec. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "error.h"
#include "manifest.h"
#include "util.h"

static const char *type_names[] = {
	"file", "dir", "symlink", "hardlink", "other"
};

int
ds_mf_set_path(json_t *obj, const char *key, const char *path)
{
	json_t	*s;
	char	*hex, hkey[64];
	size_t	 len = strlen(path);
	int	 rc;

	if ((s = json_string(path)) != NULL)
		return json_object_set_new(obj, key, s) == 0 ? 0 : -1;
	if ((hex = malloc(2 * len + 1)) == NULL)
		return -1;
	ds_hex(hex, path, len);
	snprintf(hkey, sizeof hkey, "%sHex", key);
	rc = json_object_set_new(obj, hkey, json_string(hex));
	free(hex);
	return rc == 0 ? 0 : -1;
}

char *
ds_mf_path(json_t *obj, const char *key)
{
	const char	*s;
	char		 hkey[64], *out;
	size_t		 len;

	if ((s = json_string_value(json_object_get(obj, key))) != NULL)
		return strdup(s);
	snprintf(hkey, sizeof hkey, "%sHex", key);
	if ((s = json_string_value(json_object_get(obj, hkey))) == NULL)
		return NULL;
	len = strlen(s);
	if (len % 2 != 0 || (out = calloc(1, len / 2 + 1)) == NULL)
		return NULL;
	if (ds_unhex(out, len / 2, s) == -1 || strlen(out) != len / 2) {
		free(out);
		return NULL;
	}
	return out;
}

json_t *
ds_mf_file_json(const struct ds_mf_file *f)
{
	json_t	*o;
	char	 hex[65];

	if ((o = json_object()) == NULL)
		return NULL;
	if (ds_mf_set_path(o, "path", f->path) == -1) {
		json_decref(o);
		return NULL;
	}
	json_object_set_new(o, "type", json_string(type_names[f->type]));
	json_object_set_new(o, "size", json_integer((json_int_t)f->size));
	if (f->skipped) {
		json_object_set_new(o, "skipped", json_true());
		return o;
	}
	json_object_set_new(o, "segment", json_integer(f->segment));
	json_object_set_new(o, "ordinal", json_integer(f->ordinal));
	if (f->offset != 0 || !f->last || f->length != f->size) {
		json_object_set_new(o, "offset",
		    json_integer((json_int_t)f->offset));
		json_object_set_new(o, "length",
		    json_integer((json_int_t)f->length));
		json_object_set_new(o, "last", json_boolean(f->last));
	}
	if (f->has_sha) {
		ds_hex(hex, f->sha, 32);
		json_object_set_new(o, "sha256", json_string(hex));
	}
	if (f->changed)
		json_object_set_new(o, "changed", json_true());
	if (f->has_times) {
		json_object_set_new(o, "mtimeNs", json_integer(f->mtime_ns));
		json_object_set_new(o, "ctimeNs", json_integer(f->ctime_ns));
	}
	return o;
}

static uint64_t
get_u64(json_t *o, const char *key, uint64_t def)
{
	json_t *v = json_object_get(o, key);

	if (!json_is_integer(v) || json_integer_value(v) < 0)
		return def;
	return (uint64_t)json_integer_value(v);
}

static int
get_sha(json_t *o, uint8_t *out)
{
	const char *s = json_string_value(json_object_get(o, "sha256"));

	return s != NULL && strlen(s) == 64 && ds_unhex(out, 32, s) == 0;
}

#define POOL_BLOCK	((size_t)256 * 1024)

/* N bytes at the end of M's path pool, not yet kept (pool_keep). */
static char *
pool_room(struct ds_manifest *m, size_t n)
{
	char	**nv;
	size_t	  size = n > POOL_BLOCK / 4 ? n : POOL_BLOCK;

	if (m->npool > 0 && m->pool_size - m->pool_used >= n)
		return m->pool[m->npool - 1] + m->pool_used;
	if ((nv = reallocarray(m->pool, m->npool + 1, sizeof *nv)) == NULL)
		return NULL;
	m->pool = nv;
	if ((nv[m->npool] = malloc(size)) == NULL)
		return NULL;
	m->npool++;
	m->pool_used = 0;
	m->pool_size = size;
	return nv[m->npool - 1];
}

/* The path of row O (its "path", or "pathHex" when not UTF-8) kept in
 * M's pool; NULL when it has neither or on no memory. */
static char *
row_path(json_t *o, struct ds_manifest *m)
{
	const char	*s;
	char		*out;
	size_t		 len;

	if ((s = json_string_value(json_object_get(o, "path"))) != NULL) {
		len = strlen(s);
		if ((out = pool_room(m, len + 1)) == NULL)
			return NULL;
		memcpy(out, s, len + 1);
	} else {
		if ((s = json_string_value(json_object_get(o, "pathHex"))) ==
		    NULL)
			return NULL;
		len = strlen(s) / 2;
		if (strlen(s) % 2 != 0 || (out = pool_room(m, len + 1)) ==
		    NULL)
			return NULL;
		out[len] = '\0';
		if (ds_unhex(out, len, s) == -1 || strlen(out) != len)
			return NULL;
	}
	m->pool_used += len + 1;
	return out;
}

static int
parse_file(json_t *o, struct ds_mf_file *f, struct ds_manifest *m)
{
	const char	*type;
	size_t		 i;

	if (!json_is_object(o) || (f->path = row_path(o, m)) == NULL)
		return -1;
	type = json_string_value(json_object_get(o, "type"));
	f->type = DS_MF_OTHER;
	for (i = 0; type != NULL && i < sizeof type_names / sizeof
	    type_names[0]; i++)
		if (strcmp(type, type_names[i]) == 0)
			f->type = (enum ds_mf_type)i;
	f->size = get_u64(o, "size", 0);
	f->skipped = json_is_true(json_object_get(o, "skipped"));
	if (f->skipped) {
		f->segment = DS_MF_NOSEG;
		return 0;
	}
	if (get_u64(o, "segment", UINT64_MAX) >= DS_MF_NOSEG)
		return -1;
	f->segment = (uint32_t)get_u64(o, "segment", 0);
	f->ordinal = (uint32_t)get_u64(o, "ordinal", 0);
	f->offset = get_u64(o, "offset", 0);
	f->length = get_u64(o, "length", f->size);
	f->last = json_object_get(o, "last") == NULL ||
	    json_is_true(json_object_get(o, "last"));
	f->has_sha = get_sha(o, f->sha);
	f->changed = json_is_true(json_object_get(o, "changed"));
	f->has_times = json_object_get(o, "mtimeNs") != NULL;
	f->mtime_ns = json_integer_value(json_object_get(o, "mtimeNs"));
	f->ctime_ns = json_integer_value(json_object_get(o, "ctimeNs"));
	return 0;
}

static int
grow(void **v, size_t *cap, size_t n, size_t size)
{
	void *nv;

	if (n < *cap)
		return 0;
	*cap = *cap ? 2 * *cap : 64;
	if ((nv = reallocarray(*v, *cap, size)) == NULL)
		return -1;
	*v = nv;
	return 0;
}

static int
add_chunk(json_t *o, struct ds_manifest *m)
{
	struct ds_mf_chunk *c;

	if (grow((void **)&m->chunks, &m->chunks_cap, m->nchunks,
	    sizeof *m->chunks) == -1)
		return -1;
	c = &m->chunks[m->nchunks];
	memset(c, 0, sizeof *c);
	c->index = get_u64(o, "index", UINT64_MAX);
	c->segment = (uint32_t)get_u64(o, "segment", 0);
	c->length = (uint32_t)get_u64(o, "length", 0);
	if (c->index != m->nchunks || !get_sha(o, c->sha))
		return -1;
	m->nchunks++;
	return 0;
}

static int
add_file(json_t *o, struct ds_manifest *m)
{
	struct ds_mf_file *f;

	if (grow((void **)&m->files, &m->files_cap, m->nfiles,
	    sizeof *m->files) == -1)
		return -1;
	f = &m->files[m->nfiles];
	memset(f, 0, sizeof *f);
	if (parse_file(o, f, m) == -1)
		return -1;
	m->nfiles++;
	if (!f->skipped && f->type == DS_MF_FILE)
		m->bytes += f->length;
	return 0;
}

/* The top-level fields and the segments. */
static int
parse_head(json_t *root, struct ds_manifest *m)
{
	json_t		*arr, *o;
	const char	*s;
	size_t		 i;

	s = json_string_value(json_object_get(root, "setId"));
	if (s == NULL || strlen(s) != 32)
		return -1;
	memcpy(m->set_id, s, 33);
	m->drive = (uint32_t)get_u64(root, "drive", 0);
	s = json_string_value(json_object_get(root, "job"));
	if ((m->job = strdup(s != NULL ? s : "")) == NULL)
		return -1;
	m->chunk_size = (uint32_t)get_u64(root, "chunkSize", 0);
	m->last = json_is_true(json_object_get(root, "last"));
	arr = json_object_get(root, "segments");
	m->nsegments = json_array_size(arr);
	if ((m->segments = calloc(m->nsegments + 1, sizeof *m->segments)) ==
	    NULL)
		return -1;
	json_array_foreach(arr, i, o) {
		m->segments[i].segment = (uint32_t)get_u64(o, "segment", 0);
		m->segments[i].first_chunk = get_u64(o, "firstChunk", 0);
		m->segments[i].nchunks = get_u64(o, "chunks", 0);
		m->segments[i].stream_bytes = get_u64(o, "streamBytes", 0);
		m->stream_bytes += m->segments[i].stream_bytes;
	}
	return 0;
}

/* Where manifest text comes from: all in memory, or a window on a file
 * filled as the parse goes (and hashed as it is read). */
struct src {
	char		*p;		/* the next byte */
	char		*end;		/* of the bytes in hand */
	char		*win;		/* fd: the window */
	size_t		 cap;
	int		 fd;		/* -1: all in memory */
	uint64_t	 off;		/* of the next byte to read */
	uint64_t	 left;		/* bytes not read yet */
	EVP_MD_CTX	*md;
	int		 ioerr;
};

/* A row longer than ROW_MAX (no path is), or a head (up to the end of
 * the segments) longer than HEAD_MAX, makes the whole text be parsed. */
#define WINDOW		((size_t)256 * 1024)
#define ROW_MAX		((size_t)64 * 1024)
#define HEAD_MAX	((size_t)16 * 1024 * 1024)

/* Makes S hold at least NEED bytes from S->p (fewer at the end of the
 * text); 0, or -1 when the file cannot be read. */
static int
src_fill(struct src *s, size_t need)
{
	size_t	 have = (size_t)(s->end - s->p), want;
	ssize_t	 n;

	if (s->fd == -1 || have >= need || s->left == 0)
		return s->ioerr ? -1 : 0;
	memmove(s->win, s->p, have);
	s->p = s->win;
	s->end = s->win + have;
	while (s->left > 0 && (size_t)(s->end - s->win) < s->cap) {
		want = s->cap - (size_t)(s->end - s->win);
		if (want > s->left)
			want = (size_t)s->left;
		n = pread(s->fd, s->end, want, (off_t)s->off);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0) {
			s->ioerr = 1;
			return -1;
		}
		EVP_DigestUpdate(s->md, s->end, (size_t)n);
		s->end += n;
		s->off += (uint64_t)n;
		s->left -= (uint64_t)n;
	}
	return 0;
}

/* Makes the window of S (fd) four times larger, at most MAX; 0, or -1
 * when it is that large already or on no memory. */
static int
src_grow(struct src *s, size_t max)
{
	char	*nw;
	size_t	 p = (size_t)(s->p - s->win), e = (size_t)(s->end - s->win);

	if (s->fd == -1 || s->left == 0 || s->cap >= max ||
	    (nw = realloc(s->win, 4 * s->cap)) == NULL)
		return -1;
	s->win = nw;
	s->cap *= 4;
	s->p = nw + p;
	s->end = nw + e;
	return src_fill(s, s->cap);
}

/* Skips white space in S, reading on as needed; the next byte, or -1
 * at the end. */
static int
src_ws(struct src *s)
{
	for (;;) {
		while (s->p < s->end && (*s->p == ' ' || *s->p == '\t' ||
		    *s->p == '\n' || *s->p == '\r'))
			s->p++;
		if (s->p < s->end)
			return (unsigned char)*s->p;
		if (s->left == 0 || src_fill(s, 1) == -1)
			return -1;
	}
}

/*
 * Calls FN with each element of the JSON array at S, one element in
 * memory at a time; S ends after the ']'.
 */
static int
each_item(struct src *s, int (*fn)(json_t *, struct ds_manifest *),
    struct ds_manifest *m)
{
	json_error_t	 err;
	json_t		*o;
	int		 r;

	if (src_ws(s) != '[')
		return -1;
	s->p++;
	if (src_ws(s) == ']') {
		s->p++;
		return 0;
	}
	for (;;) {
		if (src_fill(s, ROW_MAX) == -1)
			return -1;
		o = json_loadb(s->p, (size_t)(s->end - s->p),
		    JSON_DISABLE_EOF_CHECK, &err);
		if (o == NULL)
			return -1;
		s->p += err.position;
		r = fn(o, m);
		json_decref(o);
		if (r == -1 || (r = src_ws(s)) == -1)
			return -1;
		s->p++;
		if (r == ']')
			return 0;
		if (r != ',')
			return -1;
	}
}

/*
 * The chunk and file lists can hold millions of entries: they are read
 * one element at a time, so memory holds their C form only. A '"' inside
 * a JSON string is always escaped, so "],"chunks":[" and ","files":["
 * are the manifest's own keys (no other array holds them). Returns 0,
 * or non-zero for manifests in another key order or anything unexpected:
 * they are parsed whole (the caller starts again), which judges.
 */
static int
parse_streamed(struct src *s, struct ds_manifest *m)
{
	static const char	 ckey[] = "],\"chunks\":[";
	static const char	 fkey[] = ",\"files\":[";
	char			*c, *head;
	size_t			 hlen;
	json_t			*root;
	int			 rc;

	/* The head (up to the end of the segments) fits the window. */
	if (src_fill(s, WINDOW) == -1)
		return -1;
	while ((c = memmem(s->p, (size_t)(s->end - s->p), ckey,
	    sizeof ckey - 1)) == NULL)
		if (src_grow(s, HEAD_MAX) == -1)
			return 1;
	hlen = (size_t)(c - s->p) + 1;
	if ((head = malloc(hlen + 2)) == NULL)
		return -1;
	memcpy(head, s->p, hlen);
	head[hlen] = '}';
	head[hlen + 1] = '\0';
	root = json_loads(head, 0, NULL);
	free(head);
	if (root == NULL)
		return -1;
	rc = parse_head(root, m);
	json_decref(root);
	if (rc == -1)
		return -1;
	s->p = c + sizeof ckey - 2;
	if (each_item(s, add_chunk, m) == -1)
		return -1;
	if (src_fill(s, sizeof fkey) == -1)
		return -1;
	if ((size_t)(s->end - s->p) < sizeof fkey - 1 ||
	    memcmp(s->p, fkey, sizeof fkey - 1) != 0)
		return 1;
	s->p += sizeof fkey - 2;
	if (each_item(s, add_file, m) == -1 || src_ws(s) != '}')
		return -1;
	s->p++;
	return src_ws(s) == -1 && !s->ioerr ? 0 : -1;
}

/* Whether BUF starts as diskseed writes manifests (then streamed). */
static int
ours(const char *buf, size_t len)
{
	static const char start[] = "{\"format\":\"diskseed-manifest\","
	    "\"version\":1,";

	return len >= sizeof start - 1 && memcmp(buf, start,
	    sizeof start - 1) == 0;
}

/* Parses BUF whole (any key order). */
static int
parse_whole(const char *buf, size_t len, struct ds_manifest *m)
{
	json_t		*root, *arr, *o;
	const char	*s;
	size_t		 i;
	int		 rc = -1;

	root = json_loadb(buf, len, 0, NULL);
	if (root == NULL || !json_is_object(root) ||
	    (s = json_string_value(json_object_get(root, "format"))) == NULL ||
	    strcmp(s, "diskseed-manifest") != 0 ||
	    get_u64(root, "version", 0) != 1) {
		json_decref(root);
		return 1;
	}
	if (parse_head(root, m) == -1)
		goto out;
	arr = json_object_get(root, "chunks");
	json_array_foreach(arr, i, o)
		if (add_chunk(o, m) == -1)
			goto out;
	arr = json_object_get(root, "files");
	json_array_foreach(arr, i, o)
		if (add_file(o, m) == -1)
			goto out;
	rc = 0;
out:
	json_decref(root);
	return rc;
}

/* Gives M its empty lists (never NULL); DS_E_OK or DS_E_NOMEM. */
static int
finish(struct ds_manifest *m)
{
	if ((m->chunks == NULL && (m->chunks = calloc(1,
	    sizeof *m->chunks)) == NULL) || (m->files == NULL &&
	    (m->files = calloc(1, sizeof *m->files)) == NULL))
		return DS_E_NOMEM;
	return DS_E_OK;
}

int
ds_manifest_parse(const char *buf, size_t len, struct ds_manifest **out,
    char **cause)
{
	struct ds_manifest	*m;
	struct src		 s;
	int			 rc = 1;

	*out = NULL;
	if ((m = calloc(1, sizeof *m)) == NULL)
		return DS_E_NOMEM;
	/* Written by diskseed (format and version first): streamed. */
	if (ours(buf, len)) {
		memset(&s, 0, sizeof s);
		s.fd = -1;
		s.p = (char *)buf;
		s.end = (char *)buf + len;
		if ((rc = parse_streamed(&s, m)) != 0) {
			/* Anything unexpected: parsed whole, which judges. */
			ds_manifest_free(m);
			if ((m = calloc(1, sizeof *m)) == NULL)
				return DS_E_NOMEM;
			rc = 1;
		}
	}
	if (rc == 1 && (rc = parse_whole(buf, len, m)) == 1) {
		ds_manifest_free(m);
		return ds_cause(cause, DS_E_PARSE,
		    _("not a diskseed manifest"));
	}
	if (rc == -1) {
		ds_manifest_free(m);
		return ds_cause(cause, DS_E_PARSE,
		    _("the manifest is malformed"));
	}
	if (finish(m) != DS_E_OK) {
		ds_manifest_free(m);
		return DS_E_NOMEM;
	}
	*out = m;
	return DS_E_OK;
}

/* Reads what S has not read yet, only to hash it. */
static int
src_drain(struct src *s)
{
	while (s->left > 0) {
		s->p = s->end;
		if (src_fill(s, s->cap) == -1)
			return -1;
	}
	return 0;
}

/* Reads the LEN bytes at OFF of FD whole, hashing them into MD, and
 * parses them (a manifest in another key order). */
static int
read_whole(int fd, uint64_t off, uint64_t len, EVP_MD_CTX *md,
    struct ds_manifest **out)
{
	char	*buf;
	ssize_t	 n;
	size_t	 got = 0;
	int	 rc;

	if ((buf = malloc(len + 1)) == NULL)
		return DS_E_NOMEM;
	while (got < len) {
		n = pread(fd, buf + got, (size_t)len - got, (off_t)(off + got));
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0) {
			free(buf);
			return DS_E_IO;
		}
		got += (size_t)n;
	}
	EVP_DigestUpdate(md, buf, len);
	rc = out != NULL ? ds_manifest_parse(buf, len, out, NULL) : DS_E_OK;
	free(buf);
	return rc;
}

int
ds_manifest_read(int fd, uint64_t off, uint64_t len, uint8_t sum[32],
    struct ds_manifest **out)
{
	struct ds_manifest	*m = NULL;
	struct src		 s;
	unsigned int		 mdlen = 32;
	int			 rc = DS_E_OK, r = -1;

	if (out != NULL)
		*out = NULL;
	memset(&s, 0, sizeof s);
	s.fd = fd;
	s.off = off;
	s.left = len;
	s.cap = len < WINDOW ? (size_t)len + 1 : WINDOW;
	if ((s.md = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestInit_ex(s.md, EVP_sha256(), NULL) != 1 ||
	    (s.win = malloc(s.cap)) == NULL) {
		rc = DS_E_NOMEM;
		goto out;
	}
	s.p = s.end = s.win;
	if (out != NULL && (m = calloc(1, sizeof *m)) == NULL) {
		rc = DS_E_NOMEM;
		goto out;
	}
	if (m != NULL && src_fill(&s, 64) == 0)
		r = ours(s.p, (size_t)(s.end - s.p)) ? parse_streamed(&s, m) :
		    1;
	if (r != 0 && m != NULL && !s.ioerr) {
		/* Another key order, or anything unexpected: read again,
		 * whole, and parsed whole, which judges. */
		EVP_MD_CTX_reset(s.md);
		EVP_DigestInit_ex(s.md, EVP_sha256(), NULL);
		rc = read_whole(fd, off, len, s.md, out);
		goto out;
	}
	if (src_drain(&s) == -1) {
		rc = DS_E_IO;
		goto out;
	}
	if (m == NULL)
		;
	else if (r == 0 && (rc = finish(m)) == DS_E_OK) {
		*out = m;
		m = NULL;
	} else if (rc == DS_E_OK)
		rc = DS_E_PARSE;
out:
	if (rc != DS_E_IO && rc != DS_E_NOMEM)
		EVP_DigestFinal_ex(s.md, sum, &mdlen);
	EVP_MD_CTX_free(s.md);
	free(s.win);
	ds_manifest_free(m);
	return rc;
}

void
ds_manifest_free(struct ds_manifest *m)
{
	size_t i;

	if (m == NULL)
		return;
	for (i = 0; i < m->npool; i++)
		free(m->pool[i]);
	free(m->pool);
	free(m->files);
	free(m->chunks);
	free(m->segments);
	free(m->job);
	free(m);
}
