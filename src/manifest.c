/* SPDX-License-Identifier: MIT */
/* The manifest's JSON codec. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

static int
parse_file(json_t *o, struct ds_mf_file *f)
{
	const char	*type;
	size_t		 i;

	if (!json_is_object(o) || (f->path = ds_mf_path(o, "path")) == NULL)
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
	if (parse_file(o, f) == -1) {
		free(f->path);
		return -1;
	}
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

static const char *
skip_ws(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' ||
	    *p == '\r'))
		p++;
	return p;
}

/*
 * Calls FN with each element of the JSON array at *P, one element in
 * memory at a time; *P ends after the ']'.
 */
static int
each_item(const char **pp, const char *end,
    int (*fn)(json_t *, struct ds_manifest *), struct ds_manifest *m)
{
	const char	*p = skip_ws(*pp, end);
	json_error_t	 err;
	json_t		*o;
	int		 r;

	if (p >= end || *p++ != '[')
		return -1;
	if ((p = skip_ws(p, end)) < end && *p == ']') {
		*pp = p + 1;
		return 0;
	}
	for (;;) {
		o = json_loadb(p, (size_t)(end - p), JSON_DISABLE_EOF_CHECK,
		    &err);
		if (o == NULL)
			return -1;
		p += err.position;
		r = fn(o, m);
		json_decref(o);
		if (r == -1 || (p = skip_ws(p, end)) >= end)
			return -1;
		if (*p == ']') {
			*pp = p + 1;
			return 0;
		}
		if (*p++ != ',')
			return -1;
	}
}

/*
 * The chunk and file lists can hold millions of entries: they are read
 * one element at a time, so memory holds their C form only. A '"' inside
 * a JSON string is always escaped, so "],"chunks":[" and "],"files":["
 * found by memmem() are the manifest's own keys (no other array holds
 * them). Manifests in another key order, or anything unexpected, are
 * parsed whole.
 */
static int
parse_streamed(const char *buf, size_t len, struct ds_manifest *m)
{
	static const char	 ckey[] = "],\"chunks\":[";
	static const char	 fkey[] = "],\"files\":[";
	const char		*c, *f, *p, *end = buf + len;
	char			*head;
	json_t			*root;
	int			 rc;

	c = memmem(buf, len, ckey, sizeof ckey - 1);
	f = memmem(buf, len, fkey, sizeof fkey - 1);
	if (c == NULL || f == NULL || f < c)
		return 1;
	/* The head: up to the end of the segments, closed. */
	if ((head = malloc((size_t)(c - buf) + 3)) == NULL)
		return -1;
	memcpy(head, buf, (size_t)(c - buf) + 1);
	head[c - buf + 1] = '}';
	head[c - buf + 2] = '\0';
	root = json_loads(head, 0, NULL);
	free(head);
	if (root == NULL)
		return -1;
	rc = parse_head(root, m);
	json_decref(root);
	if (rc == -1)
		return -1;
	p = c + sizeof ckey - 2;
	if (each_item(&p, end, add_chunk, m) == -1 || p != f + 1)
		return -1;
	p = f + sizeof fkey - 2;
	if (each_item(&p, end, add_file, m) == -1)
		return -1;
	p = skip_ws(p, end);
	if (p >= end || *p != '}' || skip_ws(p + 1, end) != end)
		return -1;
	return 0;
}

int
ds_manifest_parse(const char *buf, size_t len, struct ds_manifest **out,
    char **cause)
{
	struct ds_manifest	*m;
	json_t			*root = NULL, *arr, *o;
	const char		*s;
	char			 start[256];
	size_t			 i;
	int			 rc;

	*out = NULL;
	if ((m = calloc(1, sizeof *m)) == NULL)
		return DS_E_NOMEM;
	/* Written by diskseed (format and version first): streamed. */
	snprintf(start, sizeof start, "%.*s", (int)(len < 200 ? len : 200),
	    buf);
	if (strncmp(start, "{\"format\":\"diskseed-manifest\","
	    "\"version\":1,", 42) == 0) {
		if ((rc = parse_streamed(buf, len, m)) == 0)
			goto done;
		/* Anything unexpected: parsed whole below, which judges. */
		ds_manifest_free(m);
		if ((m = calloc(1, sizeof *m)) == NULL)
			return DS_E_NOMEM;
	}
	root = json_loadb(buf, len, 0, NULL);
	if (root == NULL || !json_is_object(root) ||
	    (s = json_string_value(json_object_get(root, "format"))) == NULL ||
	    strcmp(s, "diskseed-manifest") != 0 ||
	    get_u64(root, "version", 0) != 1) {
		json_decref(root);
		ds_manifest_free(m);
		return ds_cause(cause, DS_E_PARSE,
		    _("not a diskseed manifest"));
	}
	if (parse_head(root, m) == -1)
		goto bad;
	arr = json_object_get(root, "chunks");
	json_array_foreach(arr, i, o)
		if (add_chunk(o, m) == -1)
			goto bad;
	arr = json_object_get(root, "files");
	json_array_foreach(arr, i, o)
		if (add_file(o, m) == -1)
			goto bad;
	json_decref(root);
done:
	if ((m->chunks == NULL && (m->chunks = calloc(1,
	    sizeof *m->chunks)) == NULL) || (m->files == NULL &&
	    (m->files = calloc(1, sizeof *m->files)) == NULL)) {
		ds_manifest_free(m);
		return DS_E_NOMEM;
	}
	*out = m;
	return DS_E_OK;
bad:
	json_decref(root);
	ds_manifest_free(m);
	return ds_cause(cause, DS_E_PARSE, _("the manifest is malformed"));
}

void
ds_manifest_free(struct ds_manifest *m)
{
	size_t i;

	if (m == NULL)
		return;
	for (i = 0; m->files != NULL && i < m->nfiles; i++)
		free(m->files[i].path);
	free(m->files);
	free(m->chunks);
	free(m->segments);
	free(m->job);
	free(m);
}
