/* SPDX-License-Identifier: MIT */
/* The record of prepared drives: jobs/<job>/drives.json. */
#include "config.h"

#include <sys/stat.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "error.h"
#include "prepared.h"
#include "state.h"
#include "util.h"

static char *
drives_path(const char *job, char **cause)
{
	return ds_state_job_file(job, "drives.json", cause);
}

static char *
dup_str(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s != NULL ? strdup(s) : NULL;
}

static uint64_t
get_u64(json_t *o, const char *key)
{
	json_int_t v = json_integer_value(json_object_get(o, key));

	return v > 0 ? (uint64_t)v : 0;
}

int
ds_prepared_load(const char *job, struct ds_prepared **out, char **cause)
{
	struct ds_prepared	*p = NULL;
	json_t			*root = NULL, *arr, *o;
	char			*path, *buf = NULL;
	size_t			 len = 0, i;
	int			 rc;

	*out = NULL;
	if ((path = drives_path(job, cause)) == NULL)
		return DS_E_STATEDIR;
	if (access(path, F_OK) == -1) {
		rc = ds_cause(cause, DS_E_NOTFOUND,
		    _("no drives were prepared for job %s"), job);
		goto out;
	}
	if ((rc = ds_check_private(path, cause)) != DS_E_OK ||
	    (rc = ds_read_file(path, 1 << 24, &buf, &len, cause)) != DS_E_OK)
		goto out;
	root = json_loadb(buf, len, 0, NULL);
	if (root == NULL || !json_is_object(root)) {
		rc = ds_cause(cause, DS_E_PARSE, "%s", path);
		goto out;
	}
	if ((p = calloc(1, sizeof *p)) == NULL) {
		rc = DS_E_NOMEM;
		goto out;
	}
	p->job = dup_str(root, "job");
	p->set_id = dup_str(root, "setId");
	p->staging = dup_str(root, "staging");
	p->finished = json_is_true(json_object_get(root, "finished"));
	p->bytes_total = get_u64(root, "bytesTotal");
	arr = json_object_get(root, "drives");
	p->ndrives = json_array_size(arr);
	p->drives = calloc(p->ndrives + 1, sizeof *p->drives);
	if (p->drives == NULL) {
		rc = DS_E_NOMEM;
		goto out;
	}
	json_array_foreach(arr, i, o) {
		struct ds_prepared_drive *d = &p->drives[i];

		d->index = (int)get_u64(o, "index");
		d->path = dup_str(o, "path");
		d->drive_id = dup_str(o, "driveId");
		d->recovery_key = dup_str(o, "recoveryKey");
		d->manifest_file = dup_str(o, "manifestFile");
		d->manifest_hash = dup_str(o, "manifestHash");
		d->header_hash = dup_str(o, "headerHash");
		d->bytes_used = get_u64(o, "bytesUsed");
		d->size = get_u64(o, "size");
		d->complete = json_is_true(json_object_get(o, "complete"));
	}
	*out = p;
	p = NULL;
	rc = DS_E_OK;
out:
	if (buf != NULL)
		ds_freezero(buf, len);
	json_decref(root);
	ds_prepared_free(p);
	free(path);
	return rc;
}

static void
set_str(json_t *o, const char *key, const char *value)
{
	if (value != NULL)
		json_object_set_new(o, key, json_string(value));
}

int
ds_prepared_save(const struct ds_prepared *p, char **cause)
{
	json_t	*root, *arr, *o;
	char	*path, *text = NULL;
	size_t	 i;
	int	 rc;

	if ((path = drives_path(p->job, cause)) == NULL)
		return DS_E_STATEDIR;
	root = json_object();
	arr = json_array();
	set_str(root, "job", p->job);
	set_str(root, "setId", p->set_id);
	set_str(root, "staging", p->staging);
	json_object_set_new(root, "finished", json_boolean(p->finished));
	json_object_set_new(root, "bytesTotal",
	    json_integer((json_int_t)p->bytes_total));
	json_object_set_new(root, "drives", arr);
	for (i = 0; i < p->ndrives; i++) {
		const struct ds_prepared_drive *d = &p->drives[i];

		o = json_object();
		json_object_set_new(o, "index", json_integer(d->index));
		set_str(o, "path", d->path);
		set_str(o, "driveId", d->drive_id);
		set_str(o, "recoveryKey", d->recovery_key);
		set_str(o, "manifestFile", d->manifest_file);
		set_str(o, "manifestHash", d->manifest_hash);
		set_str(o, "headerHash", d->header_hash);
		json_object_set_new(o, "bytesUsed",
		    json_integer((json_int_t)d->bytes_used));
		json_object_set_new(o, "size",
		    json_integer((json_int_t)d->size));
		json_object_set_new(o, "complete", json_boolean(d->complete));
		json_array_append_new(arr, o);
	}
	text = json_dumps(root, JSON_INDENT(2));
	json_decref(root);
	if (text == NULL)
		rc = DS_E_NOMEM;
	else
		rc = ds_write_file_atomic(path, text, strlen(text), 0600,
		    cause);
	if (text != NULL)
		ds_freezero(text, strlen(text));
	free(path);
	return rc;
}

void
ds_prepared_free(struct ds_prepared *p)
{
	size_t i;

	if (p == NULL)
		return;
	for (i = 0; p->drives != NULL && i < p->ndrives; i++) {
		struct ds_prepared_drive *d = &p->drives[i];

		free(d->path);
		free(d->drive_id);
		if (d->recovery_key != NULL)
			ds_freezero(d->recovery_key, strlen(d->recovery_key));
		free(d->manifest_file);
		free(d->manifest_hash);
		free(d->header_hash);
	}
	free(p->drives);
	free(p->job);
	free(p->set_id);
	free(p->staging);
	free(p);
}

int
ds_prepared_list(char ***jobs, size_t *njobs, char **cause)
{
	return ds_state_jobs("drives.json", jobs, njobs, cause);
}

int
ds_prepared_drive_full(const struct ds_prepared *p, size_t i)
{
	size_t	j;
	int	last = 1;

	if (i >= p->ndrives || !p->drives[i].complete)
		return 0;
	for (j = 0; j < p->ndrives; j++)
		if (p->drives[j].index > p->drives[i].index)
			last = 0;
	return !(last && p->finished);
}
