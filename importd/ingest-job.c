/* SPDX-License-Identifier: MIT */
/*
 * The job document as receive changes it: drive and job states,
 * progress, and the saves that merge only the fields receive owns into
 * the stored job.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "db.h"
#include "error.h"
#include "importd.h"
#include "ingest-int.h"

json_t *
props_of(struct ingest *in)
{
	return json_object_get(in->doc, "properties");
}

json_t *
drive_json(struct ingest *in, const char *id)
{
	json_t	*d;
	size_t	 i;

	json_array_foreach(json_object_get(props_of(in), "driveList"), i, d) {
		const char *v = json_string_value(json_object_get(d,
		    "driveId"));

		if (v != NULL && strcmp(v, id) == 0)
			return d;
	}
	return NULL;
}

/* Sets *key (allocated) to the immutable id of the job, as stored now. */
int
job_key_of(struct ingest *in, char **key, char **cause)
{
	return db_job_uid(in->db, in->sub, in->rg, in->job, key, cause);
}

/* The fields of a drive that receive owns; the API's PATCH never sets
 * them. */
static const char *const owned_drive_fields[] = {
	"state", "copyStatus", "percentComplete", "bytesSucceeded",
	"errorLogUri", "verboseLogUri", "manifestUri", NULL
};

/* Copies the fields receive owns from MINE into FRESH, the stored job. */
static void
merge_owned(json_t *fresh, json_t *mine)
{
	json_t		*fp = json_object_get(fresh, "properties");
	json_t		*mp = json_object_get(mine, "properties");
	json_t		*fd, *md, *v;
	const char	*id, *mid;
	size_t		 i, k, f;

	if ((v = json_object_get(mp, "state")) != NULL)
		json_object_set(fp, "state", v);
	if ((v = json_object_get(mp, "percentComplete")) != NULL)
		json_object_set(fp, "percentComplete", v);
	/* Both lists are at most IMPORTD_MAX_DRIVES long. */
	json_array_foreach(json_object_get(fp, "driveList"), i, fd) {
		id = json_string_value(json_object_get(fd, "driveId"));
		json_array_foreach(json_object_get(mp, "driveList"), k, md) {
			mid = json_string_value(json_object_get(md,
			    "driveId"));
			if (id == NULL || mid == NULL || strcmp(id, mid) != 0)
				continue;
			for (f = 0; owned_drive_fields[f] != NULL; f++)
				if ((v = json_object_get(md,
				    owned_drive_fields[f])) != NULL)
					json_object_set(fd,
					    owned_drive_fields[f], v);
			break;
		}
	}
}

/*
 * Whether job DOC is cancelled. The API cancels a job only until it is
 * Shipping (spec/importexport/NOTES.md), but the operator's job
 * set-state Canceled may come at Shipping, or with --force at any time,
 * and a receive that began before must not write its state over it.
 */
static int
doc_cancelled(json_t *doc)
{
	json_t		*p = json_object_get(doc, "properties");
	const char	*s = json_string_value(json_object_get(p, "state"));

	return json_is_true(json_object_get(p, "cancelRequested")) ||
	    (s != NULL && strcmp(s, "Canceled") == 0);
}

/* Says that the job was cancelled while it was received. */
int
cancelled_cause(struct ingest *in, char **cause)
{
	return ds_cause(cause, DS_E_CANCELED, _("job %s was cancelled while "
	    "it was received: stopped; what is stored stays stored"),
	    in->job);
}

/*
 * Saves what receive changed in one transaction: the stored job is read
 * again inside it and only the fields receive owns are changed, so a
 * PATCH answered while receive runs is kept. in->doc becomes the merged
 * document. A job deleted (or deleted and made again) meanwhile is
 * another job: the save fails. A job cancelled meanwhile is left as it
 * is, and the run stops (in->cancelled, stop_flag); what is stored
 * stays stored.
 */
int
save_doc(struct ingest *in, char **cause)
{
	char		 now[40], *key = NULL;
	const char	*tracking;
	json_t		*fresh = NULL;
	int		 rc;

	if ((rc = db_begin(in->db, cause)) != DS_E_OK)
		return rc;
	if ((rc = db_job_get(in->db, in->sub, in->rg, in->job, &fresh,
	    cause)) != DS_E_OK)
		goto fail;
	if ((rc = job_key_of(in, &key, cause)) != DS_E_OK)
		goto fail;
	if (strcmp(key, in->job_key) != 0) {
		rc = ds_cause(cause, DS_E_IMPORTD_STATE, _("job %s was "
		    "deleted and made again while it was received"), in->job);
		goto fail;
	}
	if (doc_cancelled(fresh)) {
		in->cancelled = 1;
		stop_flag = 1;
		rc = cancelled_cause(in, cause);
		goto fail;
	}
	merge_owned(fresh, in->doc);
	json_object_set_new(json_object_get(fresh, "systemData"),
	    "lastModifiedAt", json_string(importd_now(now, sizeof now)));
	tracking = json_string_value(json_object_get(json_object_get(
	    json_object_get(fresh, "properties"), "deliveryPackage"),
	    "trackingNumber"));
	if ((rc = db_job_put(in->db, in->sub, in->rg, in->job, fresh,
	    tracking, cause)) != DS_E_OK ||
	    (rc = db_commit(in->db, cause)) != DS_E_OK)
		goto fail;
	json_decref(in->doc);
	in->doc = fresh;
	in->saved_at = time(NULL);
	free(key);
	return DS_E_OK;
fail:
	db_rollback(in->db);
	json_decref(fresh);
	free(key);
	return rc;
}

/* Saves progress at most once a second: a save is a transaction. */
int
save_progress(struct ingest *in, char **cause)
{
	if (time(NULL) == in->saved_at)
		return DS_E_OK;
	return save_doc(in, cause);
}

void
set_job_state(struct ingest *in, const char *state)
{
	json_object_set_new(props_of(in), "state", json_string(state));
}

const char *
drive_state(struct ingest *in, const char *id)
{
	return json_string_value(json_object_get(drive_json(in, id), "state"));
}

int
final_state(const char *s)
{
	return s != NULL && (strcmp(s, "Completed") == 0 ||
	    strcmp(s, "CompletedMoreInfo") == 0 ||
	    strcmp(s, "NeverReceived") == 0 || strcmp(s, "ShippedBack") == 0);
}

void
set_drive(struct ingest *in, const char *id, const char *state,
    const char *copy_status, int percent, int64_t bytes)
{
	json_t	*d = drive_json(in, id);

	if (d == NULL)
		return;
	if (state != NULL)
		json_object_set_new(d, "state", json_string(state));
	if (copy_status != NULL)
		json_object_set_new(d, "copyStatus", json_string(copy_status));
	if (percent >= 0)
		json_object_set_new(d, "percentComplete",
		    json_integer(percent));
	if (bytes >= 0)
		json_object_set_new(d, "bytesSucceeded", json_integer(bytes));
}

/* Whether a drive of the job may still arrive. */
int
expecting(struct ingest *in)
{
	size_t	 i;

	for (i = 0; i < in->ndrives; i++)
		if (in->drives[i].index < 0 && !final_state(drive_state(in,
		    in->drives[i].id)))
			return 1;
	return 0;
}
