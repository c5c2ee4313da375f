/* SPDX-License-Identifier: MIT */
/*
 * Resume for prep (prep-resume.h): job setup from the options or the
 * journal, the replay of the journal against staging, position checks.
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <openssl/rand.h>

#include "error.h"
#include "format.h"
#include "jobrec.h"
#include "journal.h"
#include "manifest.h"
#include "names.h"
#include "prep-job.h"
#include "prep-resume.h"
#include "prepared.h"
#include "state.h"
#include "util.h"
#include "walk.h"

/* A new job: its parameters from the options, the start record. */
static int
job_new(struct prep_resume *r, struct prep_job *j, char **cause)
{
	const struct ds_prep_opts	*o = j->o;
	char				 real[PATH_MAX];

	if (o->staging == NULL || realpath(o->staging, real) == NULL)
		return ds_cause(cause, DS_E_NOTFOUND, "%s: %s",
		    o->staging ? o->staging : "--staging", strerror(errno));
	j->staging = strdup(real);
	j->chunk_size = o->chunk_size ? o->chunk_size : DS_PREP_CHUNK_SIZE;
	j->seg_size = o->segment_size ? o->segment_size :
	    DS_PREP_SEGMENT_SIZE;
	j->level = o->level ? o->level : DS_PREP_LEVEL;
	j->skip_unreadable = o->skip_unreadable;
	if (j->chunk_size % DS_FMT_BLOCK != 0 || j->chunk_size <
	    64 * 1024 || j->chunk_size > DS_FMT_CHUNK_MAX)
		return ds_cause(cause, DS_E_INVAL, _("the chunk size "
		    "must be a multiple of 4 KiB between 64 KiB and "
		    "64 MiB"));
	if (RAND_bytes(j->set_id, sizeof j->set_id) != 1)
		return DS_E_IO;
	ds_hex(j->set_hex, j->set_id, DS_FMT_SET_LEN);
	r->pending = json_pack("{s:s, s:s, s:s, s:s, s:i, s:I, s:i, s:b}",
	    "t", "start", "job", j->job, "staging", j->staging,
	    "setId", j->set_hex, "chunkSize", (int)j->chunk_size,
	    "segmentSize", (json_int_t)j->seg_size, "level", j->level,
	    "skipUnreadable", j->skip_unreadable);
	j->session = 1;
	return r->pending != NULL ? DS_E_OK : DS_E_NOMEM;
}

/* The journal's start record R: the job's fixed parameters. */
static void
job_start(struct prep_job *j, json_t *r)
{
	j->staging = strdup(json_string_value(json_object_get(r,
	    "staging")));
	snprintf(j->set_hex, sizeof j->set_hex, "%s",
	    json_string_value(json_object_get(r, "setId")));
	ds_unhex(j->set_id, DS_FMT_SET_LEN, j->set_hex);
	j->chunk_size = (uint32_t)json_integer_value(json_object_get(r,
	    "chunkSize"));
	j->seg_size = (uint64_t)json_integer_value(json_object_get(r,
	    "segmentSize"));
	j->level = (int)json_integer_value(json_object_get(r, "level"));
	j->skip_unreadable = json_is_true(json_object_get(r,
	    "skipUnreadable")) || j->o->skip_unreadable;
	j->session = 1;
}

/* The journal's drive record R: a drive opened, maybe left open. */
static void
job_drive(struct prep_job *j, json_t *r)
{
	size_t k;

	j->next_index = (uint32_t)json_integer_value(json_object_get(r,
	    "index")) + 1;
	for (k = 0; k < j->o->ndrives; k++)
		if (strcmp(j->o->drives[k], json_string_value(
		    json_object_get(r, "path"))) == 0)
			j->used_drive[k] = 1;
}

/* The interrupted job: where it stands, from the journal's RECORDS. */
static int
job_load(struct prep_resume *rs, struct prep_job *j, json_t *records,
    char **cause)
{
	json_t		*r, *open_drive = NULL, *segs = NULL, *pos;
	const char	*t;
	size_t		 i;

	json_array_foreach(records, i, r) {
		t = json_string_value(json_object_get(r, "t"));
		if (strcmp(t, "start") == 0)
			job_start(j, r);
		else if (strcmp(t, "session") == 0) {
			j->session = (uint32_t)json_integer_value(
			    json_object_get(r, "session"));
		} else if (strcmp(t, "drive") == 0) {
			open_drive = r;
			json_decref(segs);
			segs = json_array();
			job_drive(j, r);
		} else if (strcmp(t, "segment") == 0) {
			json_array_append(segs, r);
			j->next_seg = (uint32_t)json_integer_value(
			    json_object_get(r, "segment")) + 1;
			pos = json_object_get(r, "pos");
			j->entry = (size_t)json_integer_value(
			    json_array_get(pos, 0));
			j->entry_off = (uint64_t)json_integer_value(
			    json_array_get(pos, 1));
			json_decref(rs->last_seg);
			rs->last_seg = json_incref(r);
		} else if (strcmp(t, "close") == 0)
			open_drive = NULL;
	}
	if (j->staging == NULL || j->chunk_size == 0) {
		json_decref(segs);
		return ds_cause(cause, DS_E_PARSE, _("the journal is damaged"));
	}
	j->session++;
	rs->pending = json_pack("{s:s, s:i}", "t", "session", "session",
	    (int)j->session);
	rs->open_rec = json_incref(open_drive);
	rs->open_segs = segs;
	return DS_E_OK;
}

int
prep_resume_setup(struct prep_resume *r, struct prep_job *j,
    json_t *records, char **cause)
{
	json_t		*rec;
	const char	*t;
	size_t		 i;
	int		 have_start = 0;

	prep_mf_init(&r->mf);
	json_array_foreach(records, i, rec) {
		t = json_string_value(json_object_get(rec, "t"));
		if (t == NULL)
			continue;
		if (strcmp(t, "start") == 0)
			have_start = 1;
		if (strcmp(t, "done") == 0 && !j->o->resume)
			return ds_cause(cause, DS_E_EXISTS,
			    _("job %s is already prepared"), j->job);
		if (strcmp(t, "done") == 0)
			r->already_done = 1;
	}
	if (have_start && !j->o->resume)
		return ds_cause(cause, DS_E_EXISTS, _("job %s was started "
		    "before: continue it with --resume"), j->job);
	if (!have_start && j->o->resume && j->o->staging == NULL)
		return ds_cause(cause, DS_E_NOTFOUND,
		    _("job %s has nothing to resume"), j->job);
	if (!have_start)
		return job_new(r, j, cause);
	return job_load(r, j, records, cause);
}

/* The replay's state: which entry of the walk is being compared. */
struct replay {
	struct prep_resume	*r;
	struct prep_job		*j;
	const struct ds_walk	*w;
	size_t			 chk;
	char			**cause;
};

/*
 * Compares the files of segment record REC that are on the drives with
 * staging now: one that changed is marked in REC and named; a split file
 * whose copied part changed is refused.
 */
static int
replay_files(struct replay *rp, json_t *rec)
{
	struct prep_job		*j = rp->j;
	const struct ds_walk	*w = rp->w;
	const struct ds_walk_ent *e;
	json_t			*f;
	size_t			 i;
	char			*path;
	int			 differs;

	json_array_foreach(json_object_get(rec, "files"), i, f) {
		if (json_object_get(f, "skipped") != NULL ||
		    json_object_get(f, "mtimeNs") == NULL ||
		    (path = ds_mf_path(f, "path")) == NULL)
			continue;
		while (rp->chk < w->nents &&
		    strcmp(w->ents[rp->chk].rel, path))
			rp->chk++;
		free(path);
		if (rp->chk == w->nents)
			break;	/* the position check says more */
		e = &w->ents[rp->chk];
		differs = e->size != (uint64_t)json_integer_value(
		    json_object_get(f, "size")) || e->mtime_ns !=
		    json_integer_value(json_object_get(f, "mtimeNs")) ||
		    e->ctime_ns != json_integer_value(json_object_get(f,
		    "ctimeNs"));
		if (!differs)
			continue;
		if (rp->chk == j->entry && j->entry_off > 0)
			return ds_cause(rp->cause, DS_E_STAGING_CHANGED,
			    _("%s: changed while it was being copied (part of "
			    "it is on the drives already); the job cannot be "
			    "resumed"), e->rel);
		/* Marked in the open drive's manifest; a closed drive's
		 * manifest is written already. */
		json_object_set_new(f, "changed", json_true());
		if (rp->chk < j->entry)
			prep_note_changed(j, e->rel, 1);
	}
	return DS_E_OK;
}

/* One journal record of the replay (ds_journal_foreach). */
static int
replay_record(void *arg, json_t *rec)
{
	struct replay		*rp = arg;
	struct prep_resume	*r = rp->r;
	const char		*t = json_string_value(json_object_get(rec,
				    "t"));
	int			 rc;

	if (t == NULL)
		return DS_E_OK;
	if (strcmp(t, "drive") == 0 || strcmp(t, "close") == 0) {
		prep_mf_free(&r->mf);
		prep_mf_init(&r->mf);
		r->next_slot = r->mf_est = 0;
		return DS_E_OK;
	}
	if (strcmp(t, "segment") != 0)
		return DS_E_OK;
	if ((rc = replay_files(rp, rec)) != DS_E_OK)
		return rc;
	r->mf_est += (uint64_t)json_integer_value(json_object_get(rec,
	    "mfEst"));
	/* The slots used so far on the drive. */
	r->next_slot = (uint64_t)json_integer_value(json_object_get(rec,
	    "firstChunk")) + json_array_size(json_object_get(rec, "chunks"));
	return prep_mf_add_seg(&r->mf, rec, NULL, 0, 0);
}

int
prep_resume_replay(struct prep_resume *r, struct prep_job *j,
    const struct ds_walk *w, const char *jpath, char **cause)
{
	struct replay rp;

	rp.r = r;
	rp.j = j;
	rp.w = w;
	rp.chk = 0;
	rp.cause = cause;
	return ds_journal_foreach(jpath, replay_record, &rp, NULL, cause);
}

/* Keeps the small part of each journal record for prep_resume_setup(). */
static int
keep_small(void *arg, json_t *r)
{
	const char	*t = json_string_value(json_object_get(r, "t"));
	json_t		*s;

	if (t == NULL || strcmp(t, "segment") != 0)
		return json_array_append(arg, r) == 0 ? DS_E_OK : DS_E_NOMEM;
	s = json_pack("{s:s, s:O, s:O, s:O}", "t", "segment",
	    "drive", json_object_get(r, "drive"),
	    "segment", json_object_get(r, "segment"),
	    "pos", json_object_get(r, "pos"));
	if (s == NULL)
		return DS_E_NOMEM;
	if (json_object_get(r, "posPath") != NULL)
		json_object_set(s, "posPath", json_object_get(r, "posPath"));
	if (json_object_get(r, "posPathHex") != NULL)
		json_object_set(s, "posPathHex", json_object_get(r,
		    "posPathHex"));
	return json_array_append_new(arg, s) == 0 ? DS_E_OK : DS_E_NOMEM;
}

int
prep_resume_load(const char *jpath, json_t **records, char **cause)
{
	if ((*records = json_array()) == NULL)
		return DS_E_NOMEM;
	return ds_journal_foreach(jpath, keep_small, *records, NULL, cause);
}

int
prep_resume_same_staging(const struct prep_job *j, const char *staging,
    char **cause)
{
	char real[PATH_MAX];

	if (realpath(staging, real) == NULL)
		return ds_cause(cause, DS_E_NOTFOUND, "%s: %s", staging,
		    strerror(errno));
	if (strcmp(real, j->staging) == 0)
		return DS_E_OK;
	return ds_cause(cause, DS_E_JOBEXISTS, _("job %s is the copy of %s, "
	    "not of %s: choose another job name for this folder"), j->job,
	    j->staging, real);
}

static int
same_json(json_t *a, json_t *b)
{
	return (a == NULL && b == NULL) || json_equal(a, b);
}

int
prep_resume_check_position(const struct prep_resume *r,
    const struct prep_job *j, const struct ds_walk *w, char **cause)
{
	json_t	*now;
	size_t	 k;
	int	 same;

	if (r->last_seg == NULL || (j->entry == 0 && j->entry_off == 0))
		return DS_E_OK;
	k = j->entry_off > 0 ? j->entry : j->entry - 1;
	if (k >= w->nents)
		goto changed;
	if ((now = json_object()) == NULL ||
	    ds_mf_set_path(now, "posPath", w->ents[k].rel) == -1) {
		json_decref(now);
		return DS_E_NOMEM;
	}
	same = same_json(json_object_get(now, "posPath"),
	    json_object_get(r->last_seg, "posPath")) &&
	    same_json(json_object_get(now, "posPathHex"),
	    json_object_get(r->last_seg, "posPathHex"));
	json_decref(now);
	if (same)
		return DS_E_OK;
changed:
	return ds_cause(cause, DS_E_STAGING_CHANGED, _("%s: entries were "
	    "added or removed before the point reached; the job cannot be "
	    "resumed"), j->staging);
}

/* Records the folder in the job record, for ds_jobrec_by_staging. */
static int
note_staging(const struct prep_job *j, char **cause)
{
	struct ds_jobrec	*r;
	int			 rc;

	if ((rc = ds_jobrec_load(j->job, &r, cause)) != DS_E_OK)
		return rc;
	if (r->staging == NULL)
		rc = ds_jobrec_set(r, DS_JOBREC_STAGING, j->staging, cause);
	ds_jobrec_free(r);
	return rc;
}

int
prep_resume_open(struct prep_resume *r, struct prep_job *j, char **jpath,
    char **cause)
{
	const struct ds_prep_opts	*o = j->o;
	json_t				*records = NULL;
	char				*name;
	int				 rc;

	if ((rc = ds_name_check_job(o->job != NULL ? o->job : "", cause)) !=
	    DS_E_OK)
		return rc;
	if (o->ndrives > DS_MAX_DRIVES)
		return ds_cause(cause, DS_E_INVAL, ngettext("at most %d drive "
		    "in one drive set; %zu were given", "at most %d drives "
		    "in one drive set; %zu were given", DS_MAX_DRIVES),
		    DS_MAX_DRIVES, o->ndrives);
	if ((j->job = strdup(o->job)) == NULL)
		return DS_E_NOMEM;
	if ((rc = ds_jobrec_claim(o->job, o->staging, o->resume, cause)) !=
	    DS_E_OK || (rc = prep_drive_check_confirmed(o, cause)) != DS_E_OK)
		return rc;
	if (asprintf(&name, "jobs/%s/journal", o->job) == -1)
		return DS_E_STATEDIR;
	*jpath = ds_state_path(name, cause);
	free(name);
	if (*jpath == NULL)
		return DS_E_STATEDIR;
	if ((rc = prep_resume_load(*jpath, &records, cause)) == DS_E_OK &&
	    (rc = prep_resume_setup(r, j, records, cause)) == DS_E_OK &&
	    o->resume && o->staging != NULL)
		rc = prep_resume_same_staging(j, o->staging, cause);
	json_decref(records);
	if (rc != DS_E_OK || r->already_done)
		return rc;
	return prep_drive_check_overwrite(j, cause);
}

int
prep_resume_records(struct prep_resume *r, struct prep_job *j,
    const struct ds_walk *w, const char *jpath, char **cause)
{
	int rc;

	if ((rc = ds_jobrec_move(j->job, DS_JOBREC_PREPARING, j->set_hex,
	    cause)) != DS_E_OK || (rc = note_staging(j, cause)) != DS_E_OK)
		return rc;
	if (j->o->resume && (rc = prep_resume_replay(r, j, w, jpath,
	    cause)) != DS_E_OK)
		return rc;
	if ((rc = ds_journal_open(jpath, &j->journal, NULL, cause)) !=
	    DS_E_OK)
		return rc;
	rc = prep_journal_add(j, r->pending, cause);
	r->pending = NULL;
	if (rc != DS_E_OK)
		return rc;
	if (j->o->resume && ds_prepared_load(j->job, &j->prepared, NULL) !=
	    DS_E_OK)
		j->prepared = NULL;
	if (j->prepared == NULL) {
		if ((j->prepared = calloc(1, sizeof *j->prepared)) == NULL)
			return DS_E_NOMEM;
		j->prepared->job = strdup(j->job);
		j->prepared->set_id = strdup(j->set_hex);
		j->prepared->staging = strdup(j->staging);
	}
	j->prepared->bytes_total = w->bytes;
	return DS_E_OK;
}

void
prep_resume_clear(struct prep_resume *r)
{
	prep_mf_free(&r->mf);
	json_decref(r->pending);
	json_decref(r->open_rec);
	json_decref(r->open_segs);
	json_decref(r->last_seg);
	memset(r, 0, sizeof *r);
}
