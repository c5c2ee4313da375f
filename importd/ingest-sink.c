/* SPDX-License-Identifier: MIT */
/*
 * The reader's sink: each regular file streamed into the store as the
 * reader delivers it, folders, links and specials into the drive's
 * listing; and the test hooks that pause or kill a run at a file.
 */
#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "error.h"
#include "importd.h"
#include "ingest-int.h"
#include "util.h"

/* Stops the reader and the uploads: SIGINT, SIGTERM, or the job
 * cancelled while it is received. */
volatile sig_atomic_t stop_flag;

#ifdef DS_TEST_HOOKS
/* Test hook: makes SYNC.paused, then waits until SYNC.go exists. */
static void
pause_wait(struct ingest *in)
{
	char	 path[4096];
	FILE	*f;

	snprintf(path, sizeof path, "%s.paused", in->pause_sync);
	if ((f = fopen(path, "w")) != NULL)
		fclose(f);
	snprintf(path, sizeof path, "%s.go", in->pause_sync);
	while (access(path, F_OK) != 0)
		usleep(20000);
}

/* Test hook: pause after N stored files. */
static void
pause_hook(struct ingest *in)
{
	if (in->pause_sync != NULL && in->pause_after > 0 &&
	    (long)in->uploads == in->pause_after)
		pause_wait(in);
}

/* Test hook: pause once, when a file's bytes streamed reach END. */
static void
data_hook(struct ingest *in, uint64_t end)
{
	if (in->pause_sync == NULL || in->pause_byte == 0 ||
	    end < in->pause_byte)
		return;
	in->pause_byte = 0;
	pause_wait(in);
}

/* Test hooks: killed (SIGKILL) after the N-th file stored, before it is
 * recorded; or paused there. */
static void
stored_hooks(struct ingest *in)
{
	if (in->crash_after > 0 && (long)in->uploads >= in->crash_after)
		raise(SIGKILL);
	pause_hook(in);
}
#else
static void
stored_hooks(struct ingest *in)
{
}

static void
data_hook(struct ingest *in, uint64_t end)
{
}
#endif

void
imeta_set(struct imeta *x, const struct ds_dr_entry *e, const uint8_t *sha)
{
	static const char *const names[] = { "mode", "owner", "mtime",
		"sha256" };
	size_t	 i;

	snprintf(x->v[0], sizeof x->v[0], "%04o", (unsigned)(e->mode & 07777));
	snprintf(x->v[1], sizeof x->v[1], "%lld:%lld", (long long)e->uid,
	    (long long)e->gid);
	snprintf(x->v[2], sizeof x->v[2], "%lld", (long long)e->mtime.tv_sec);
	ds_hex(x->v[3], sha, 32);
	for (i = 0; i < 4; i++) {
		x->m[i].name = (char *)names[i];
		x->m[i].value = x->v[i];
	}
}

/*
 * Saves progress (at most once a second; in->mu held), which is also
 * where a cancel is noticed. A cancel is said once, at the end of the
 * run.
 */
static void
progress_locked(struct ingest *in)
{
	char	*cause = NULL;

	if (!in->cancelled && save_progress(in, &cause) != DS_E_OK &&
	    !in->cancelled)
		importd_err_code(DS_E_IMPORTD_DB, cause);
	else
		free(cause);
}

/* Counts F as stored: its record, the drives' progress, a save. */
void
stored_locked(struct ingest *in, struct ifile *f)
{
	struct idrive	*d;
	char		*cause = NULL;
	unsigned	 k;

	f->uploaded = 1;
	if (idb_file_put(in, f->path, f->size, f->sha, &cause) != DS_E_OK) {
		importd_err_code(DS_E_IMPORTD_DB, cause);
		cause = NULL;
	}
	for (k = 0; k < IMPORTD_MAX_DRIVES; k++) {
		if ((d = drive_at(in, (int)k)) == NULL || d->total == 0 ||
		    final_state(drive_state(in, d->id)))
			continue;
		d->bytes += bytes_on(f, k);
		set_drive(in, d->id, NULL, NULL, (int)(100 * d->bytes /
		    d->total), (int64_t)d->bytes);
	}
	progress_locked(in);
}

/* What an object being stored belongs to. */
struct iobj {
	struct ingest	*in;
	struct ifile	*f;
};

/* An object ended (a pool thread, or the reading one for a folder). */
static void
obj_done(void *arg, int rc, const char *cause)
{
	struct iobj	*o = arg;
	struct ingest	*in = o->in;

	pthread_mutex_lock(&in->mu);
	if (rc == DS_E_OK) {
		in->uploads++;
		stored_hooks(in);
		stored_locked(in, o->f);
	} else if (rc != DS_E_CANCELED && in->tgt_is_dir &&
	    o->f->failed == NULL)
		/* Blob storage that fails stops the run: the file waits. */
		o->f->failed = strdup(cause);
	pthread_mutex_unlock(&in->mu);
	free(o);
}

/* Drops the object of a file whose later parts are not in this run:
 * blocks sent stay uncommitted until the run that has every part. */
static void
drop_current(struct ingest *in)
{
	if (in->cur != NULL)
		target_obj_abort(in->cur);
	in->cur = NULL;
	in->cur_f = NULL;
}

/* Names F lost with REASON (allocated, taken), in the report too. */
void
file_lost(struct ingest *in, struct ifile *f, char *reason)
{
	pthread_mutex_lock(&in->mu);
	if (f->failed == NULL) {
		ds_dreader_damage(in->dr, f->path, "%s", reason);
		f->failed = reason;
	} else
		free(reason);
	pthread_mutex_unlock(&in->mu);
}

/*
 * Whether a folder of PATH is a symbolic link of the drive set: restore
 * refuses to write through one, and so does the ingest, though the store
 * itself never holds a link.
 */
static int
through_symlink(struct ingest *in, const char *path)
{
	struct ifile	*f;
	char		*p, *slash;
	int		 yes = 0;

	if ((p = strdup(path)) == NULL)
		return 1;
	for (slash = strchr(p, '/'); slash != NULL && !yes;
	    slash = strchr(slash + 1, '/')) {
		*slash = '\0';
		yes = (f = find_file(in, p)) != NULL && f->symlink;
		*slash = '/';
	}
	free(p);
	return yes;
}

static int
sink_begin(void *arg, const struct ds_dr_entry *e, void **handle)
{
	struct ingest	*in = arg;
	struct ifile	*f = find_file(in, e->path);
	struct iobj	*o;
	char		*cause = NULL, hex[65];
	int		 rc, skip, yes;

	*handle = NULL;
	if ((rc = target_failed(in->tgt)) != DS_E_OK)
		return rc;
	if (in->cur != NULL && in->cur_f != f)
		drop_current(in);
	if (f == NULL || !f->regular)
		return DS_DR_SKIP;
	if (!e->first) {
		/* Its earlier parts were read in this run, or it waits. */
		if (in->cur == NULL)
			return DS_DR_SKIP;
		*handle = in->cur;
		return 0;
	}
	pthread_mutex_lock(&in->mu);
	skip = f->uploaded || f->failed != NULL;
	pthread_mutex_unlock(&in->mu);
	/* A folder store takes a file only whole, in one run. */
	if (skip || (in->tgt_is_dir && !file_complete(f)))
		return DS_DR_SKIP;
	if (through_symlink(in, f->path)) {
		if ((cause = strdup(_("refused: a folder of its path is a "
		    "symbolic link"))) != NULL)
			file_lost(in, f, cause);
		return DS_DR_SKIP;
	}
	ds_hex(hex, f->sha, 32);
	if (in->ran_before && f->has_sha && file_complete(f) &&
	    target_has(in->tgt, in->container, f->path, f->size, hex, &yes,
	    &cause) == DS_E_OK && yes) {
		pthread_mutex_lock(&in->mu);
		stored_locked(in, f);
		pthread_mutex_unlock(&in->mu);
		return DS_DR_SKIP;
	}
	free(cause);
	cause = NULL;
	if ((o = calloc(1, sizeof *o)) == NULL)
		return DS_E_NOMEM;
	o->in = in;
	o->f = f;
	if ((rc = target_obj_begin(in->tgt, in->container, f->path, f->size,
	    in->ran_before, obj_done, o, &in->cur, &cause)) != DS_E_OK) {
		free(o);
		if (rc != DS_E_IO && rc != DS_E_BLOB_TOOBIG)
			return rc;
		/* A name the store refuses (a folder in the way, too many
		 * blocks...). */
		if (rc == DS_E_BLOB_TOOBIG) {
			free(cause);
			cause = strdup(ds_strerror(rc));
		}
		file_lost(in, f, cause);
		return DS_DR_SKIP;
	}
	in->cur_f = f;
	*handle = in->cur;
	return 0;
}

static int
sink_data(void *arg, void *handle, const void *buf, size_t len, uint64_t off)
{
	struct ingest	*in = arg;
	char		*cause = NULL;
	int		 rc;

	if ((rc = target_obj_write(handle, buf, len, off, &cause)) !=
	    DS_E_OK) {
		free(in->sink_cause);
		in->sink_cause = cause;
		return rc;
	}
	data_hook(in, off + len);
	/* A file of hours stores nothing for hours: its bytes are where a
	 * cancel is noticed meanwhile. */
	pthread_mutex_lock(&in->mu);
	progress_locked(in);
	rc = in->cancelled ? DS_E_CANCELED : DS_E_OK;
	pthread_mutex_unlock(&in->mu);
	return rc;
}

static int
sink_end(void *arg, void *handle, const struct ds_dr_entry *e,
    enum ds_dr_status st, const uint8_t *sha)
{
	struct ingest	*in = arg;
	struct imeta	 m;
	char		*cause = NULL;
	int		 rc;

	if (st == DS_DR_PART && !e->last &&
	    (rc = target_obj_write(handle, NULL, 0, e->offset + e->length,
	    &cause)) == DS_E_OK)
		return 0;	/* the next part continues it */
	if (st != DS_DR_OK || sha == NULL) {
		/* Damaged (named in the report), or not checkable here. */
		if (st == DS_DR_OK && in->cur_f != NULL &&
		    (cause = strdup(_("no SHA-256 to check it against"))) !=
		    NULL)
			file_lost(in, in->cur_f, cause);
		else
			free(cause);
		drop_current(in);
		return 0;
	}
	imeta_set(&m, e, sha);
	in->cur = NULL;
	in->cur_f = NULL;
	rc = target_obj_commit(handle, m.m, 4, &cause);
	if (rc != DS_E_OK && rc != DS_E_IO) {
		free(in->sink_cause);
		in->sink_cause = cause;
		return rc;
	}
	free(cause);
	return 0;
}

/* Adds E to its drive's listing (one JSON object a line). */
static void
listing_add(struct ingest *in, const struct ds_dr_entry *e)
{
	static const char *const kinds[] = { "file", "dir", "symlink",
		"hardlink", "special" };
	struct idrive	*d = drive_at(in, e->drive_index);
	json_t		*o;
	char		*s, mode[16];

	if (d == NULL || (o = json_object()) == NULL)
		return;
	snprintf(mode, sizeof mode, "%04o", (unsigned)(e->mode & 07777));
	ds_mf_set_path(o, "path", e->path);
	json_object_set_new(o, "type", json_string(kinds[e->kind]));
	json_object_set_new(o, "mode", json_string(mode));
	json_object_set_new(o, "mtime", json_integer(e->mtime.tv_sec));
	if (e->target != NULL)
		ds_mf_set_path(o, "target", e->target);
	if (e->what != NULL)
		json_object_set_new(o, "what", json_string(e->what));
	if ((s = json_dumps(o, JSON_COMPACT)) != NULL) {
		logf_add(&d->listing, "%s", s);
		importd_json_free(s);
	}
	json_decref(o);
}

static int
sink_other(void *arg, const struct ds_dr_entry *e)
{
	struct ingest	*in = arg;
	struct idrive	*d = drive_at(in, e->drive_index);
	struct ifile	*f;
	struct ilink	*l;

	if (in->cur != NULL)
		drop_current(in);
	listing_add(in, e);
	if (e->kind != DS_DR_HARDLINK)
		return 0;
	/* Another name of a file: stored as its own copy after the run,
	 * its target being on this drive or another. */
	if ((f = find_file(in, e->path)) == NULL || f->link_met ||
	    e->target == NULL || d == NULL)
		return 0;
	if ((l = link_add(in)) == NULL ||
	    (l->path = strdup(e->path)) == NULL ||
	    (l->target = strdup(e->target)) == NULL ||
	    (l->drive_id = strdup(d->id)) == NULL)
		return DS_E_NOMEM;
	f->link_met = 1;
	l->f = f;
	l->mode = e->mode;
	l->mtime = e->mtime.tv_sec;
	l->uid = e->uid;
	l->gid = e->gid;
	return 0;
}

static void
on_stop(int sig)
{
	stop_flag = 1;
}

/*
 * Opens the reader on the drives in hand (in->dr), before the file table
 * is built from its manifests.
 */
int
open_drives(struct ingest *in, const char **paths, size_t n,
    const char **keys, size_t nkeys, char **cause)
{
	struct ds_dreader_opts	 o;
	struct sigaction	 sa;

	memset(&o, 0, sizeof o);
	o.drives = paths;
	o.ndrives = n;
	o.recovery_keys = keys;
	o.nrecovery_keys = nkeys;
	o.stop = &stop_flag;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_stop;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	target_set_stop(in->tgt, &stop_flag);
	return ds_dreader_open(&o, &in->dr, cause);
}

/*
 * Reads the drives in hand once, streaming each regular file into the
 * store (see doc/ingest.md); returns the reader's report.
 */
int
stream_drives(struct ingest *in, struct ds_read_report **rep,
    char **cause)
{
	struct ds_dr_sink	 sink = {
		.arg = in, .begin = sink_begin, .data = sink_data,
		.end = sink_end, .other = sink_other, .drop = NULL
	};
	int			 rc, rc2;

	*rep = NULL;
	rc = ds_dreader_run(in->dr, &sink);
	drop_current(in);
	if ((rc2 = target_drain(in->tgt, cause)) != DS_E_OK && rc == DS_E_OK)
		rc = rc2;
	else if (rc != DS_E_OK && in->sink_cause != NULL) {
		ds_cause(cause, rc, "%s", in->sink_cause);
		free(in->sink_cause);
		in->sink_cause = NULL;
	}
	if (rc == DS_E_OK)
		rc = store_links(in, cause);
	*rep = ds_dreader_take_report(in->dr);
	return rc;
}
