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

int
ds_manifest_parse(const char *buf, size_t len, struct ds_manifest **out,
    char **cause)
{
	struct ds_manifest	*m;
	json_t			*root, *arr, *o;
	const char		*s;
	size_t			 i;

	*out = NULL;
	root = json_loadb(buf, len, 0, NULL);
	if (root == NULL || !json_is_object(root) ||
	    (s = json_string_value(json_object_get(root, "format"))) == NULL ||
	    strcmp(s, "diskseed-manifest") != 0 ||
	    get_u64(root, "version", 0) != 1) {
		json_decref(root);
		return ds_cause(cause, DS_E_PARSE,
		    _("not a diskseed manifest"));
	}
	if ((m = calloc(1, sizeof *m)) == NULL) {
		json_decref(root);
		return DS_E_NOMEM;
	}
	s = json_string_value(json_object_get(root, "setId"));
	if (s == NULL || strlen(s) != 32)
		goto bad;
	memcpy(m->set_id, s, 33);
	m->drive = (uint32_t)get_u64(root, "drive", 0);
	s = json_string_value(json_object_get(root, "job"));
	m->job = strdup(s != NULL ? s : "");
	m->chunk_size = (uint32_t)get_u64(root, "chunkSize", 0);
	m->last = json_is_true(json_object_get(root, "last"));

	arr = json_object_get(root, "segments");
	m->nsegments = json_array_size(arr);
	m->segments = calloc(m->nsegments + 1, sizeof *m->segments);
	json_array_foreach(arr, i, o) {
		m->segments[i].segment = (uint32_t)get_u64(o, "segment", 0);
		m->segments[i].first_chunk = get_u64(o, "firstChunk", 0);
		m->segments[i].nchunks = get_u64(o, "chunks", 0);
		m->segments[i].stream_bytes = get_u64(o, "streamBytes", 0);
		m->stream_bytes += m->segments[i].stream_bytes;
	}
	arr = json_object_get(root, "chunks");
	m->nchunks = json_array_size(arr);
	m->chunks = calloc(m->nchunks + 1, sizeof *m->chunks);
	json_array_foreach(arr, i, o) {
		m->chunks[i].index = get_u64(o, "index", UINT64_MAX);
		m->chunks[i].segment = (uint32_t)get_u64(o, "segment", 0);
		m->chunks[i].length = (uint32_t)get_u64(o, "length", 0);
		if (m->chunks[i].index != i || !get_sha(o, m->chunks[i].sha))
			goto bad;
	}
	arr = json_object_get(root, "files");
	m->nfiles = json_array_size(arr);
	m->files = calloc(m->nfiles + 1, sizeof *m->files);
	if (m->segments == NULL || m->chunks == NULL || m->files == NULL)
		goto bad;
	json_array_foreach(arr, i, o) {
		if (parse_file(o, &m->files[i]) == -1)
			goto bad;
		if (!m->files[i].skipped && m->files[i].type == DS_MF_FILE)
			m->bytes += m->files[i].length;
	}
	json_decref(root);
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
