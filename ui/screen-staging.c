/* SPDX-License-Identifier: MIT */
/*
 * screen-staging.c: the staging folder (scanned live: files, bytes,
 * unreadable files), the import job it belongs to (a job already started
 * from it, or a new one: name, storage account, container, location from
 * the service's list), and an estimate of how many of the attached
 * drives the data needs.
 */
#include "config.h"

#include <sys/stat.h>
#include <sys/types.h>

#include <errno.h>
#include <pthread.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <curses.h>

#include "api.h"
#include "drives.h"
#include "error.h"
#include "jobrec.h"
#include "names.h"
#include "prep.h"
#include "prepared.h"
#include "screen.h"
#include "util.h"
#include "widgets.h"

#define MAX_JOB_DRIVES	10	/* one import job holds at most 10 */
#define MAX_SHOWN_BAD	2

enum field {
	F_STAGING,
	F_JOB,
	F_ACCOUNT,
	F_CONTAINER,
	F_LOCATION,
	F_COUNT
};

struct staging {
	struct ui_field		 f[F_COUNT];	/* location: typed when the
						   service gives no list */
	enum field		 focus;
	char			*error[F_COUNT];
	/* The scan (prep's own walk) runs in a thread; ticks read it. */
	struct scan		*scan;
	char			*scanned;	/* absolute path scanned */
	int			 scan_done;
	uint64_t		 files, bytes;
	char			**bad;		/* unreadable, relative */
	size_t			 nbad;
	size_t			 bad_top;	/* first one shown */
	/* Locations from the service. */
	int			 want_locations;
	struct ds_location	*locs;
	size_t			 nlocs, loc;
	char			*loc_error;
	/* The jobs made from this folder before (src/jobrec.h). */
	char			**used;
	size_t			 nused;
	/* Eligible drive sizes attached now, for the estimate. */
	uint64_t		 sizes[3];
	size_t			 nsizes;
};

/* A scan in progress: what the thread and the screen share. */
struct scan {
	pthread_t		 thread;
	pthread_mutex_t		 lock;
	char			*path;
	int			 cancel;	/* asked to stop */
	int			 done;
	uint64_t		 files, bytes;	/* so far */
	int			 rc;
	char			*cause;
	struct ds_scan		*result;
};

static int
scan_progress(void *arg, const struct ds_progress *p)
{
	struct scan	*sc = arg;
	int		 cancel;

	pthread_mutex_lock(&sc->lock);
	sc->files = p->files_done;
	sc->bytes = p->done;
	cancel = sc->cancel;
	pthread_mutex_unlock(&sc->lock);
	return cancel;
}

static void *
scan_main(void *arg)
{
	struct scan		*sc = arg;
	struct ds_ui_ops	 ops;
	struct ds_scan		*result = NULL;
	char			*cause = NULL;
	int			 rc;

	memset(&ops, 0, sizeof ops);
	ops.arg = sc;
	ops.progress = scan_progress;
	rc = ds_staging_scan(sc->path, &ops, &result, &cause);
	pthread_mutex_lock(&sc->lock);
	sc->rc = rc;
	sc->cause = cause;
	sc->result = result;
	sc->done = 1;
	pthread_mutex_unlock(&sc->lock);
	return NULL;
}

/* Stops (if needed) and frees a scan. */
static void
scan_free(struct scan *sc)
{
	if (sc == NULL)
		return;
	pthread_mutex_lock(&sc->lock);
	sc->cancel = 1;
	pthread_mutex_unlock(&sc->lock);
	pthread_join(sc->thread, NULL);
	pthread_mutex_destroy(&sc->lock);
	ds_scan_free(sc->result);
	free(sc->cause);
	free(sc->path);
	free(sc);
}

static void
scan_reset(struct staging *s)
{
	size_t i;

	scan_free(s->scan);
	s->scan = NULL;
	for (i = 0; i < s->nbad; i++)
		free(s->bad[i]);
	free(s->bad);
	s->bad = NULL;
	s->nbad = 0;
	s->bad_top = 0;
	s->files = s->bytes = 0;
	s->scan_done = 0;
	free(s->scanned);
	s->scanned = NULL;
	for (i = 0; i < s->nused; i++)
		free(s->used[i]);
	free(s->used);
	s->used = NULL;
	s->nused = 0;
}

static void
set_error(struct staging *s, enum field at, char *msg)
{
	free(s->error[at]);
	s->error[at] = msg;
}

/*
 * Finds the jobs made from this folder before, to offer continuing one
 * of them (its name in the job field) or a new job (another name).
 */
static void
find_existing(struct staging *s)
{
	char			*cause = NULL;

	struct ds_jobrec	*r;

	if (ds_jobrec_by_staging(s->scanned, &s->used, &s->nused,
	    &cause) != 0) {
		s->used = NULL;
		s->nused = 0;
	}
	free(cause);
	cause = NULL;
	/* A new job from the same folder most likely goes where it went. */
	if (s->nused > 0 && ds_jobrec_load(s->used[s->nused - 1], &r,
	    &cause) == 0) {
		if (s->f[F_ACCOUNT].len == 0)
			ui_field_set(&s->f[F_ACCOUNT], r->storage_account);
		if (s->f[F_CONTAINER].len == 0)
			ui_field_set(&s->f[F_CONTAINER], r->container);
		ds_jobrec_free(r);
	}
	free(cause);
}

/* The job of this folder named NAME, or NULL: continuing, not new. */
static const char *
used_job(const struct staging *s, const char *name)
{
	size_t i;

	for (i = 0; i < s->nused; i++)
		if (strcmp(s->used[i], name) == 0)
			return s->used[i];
	return NULL;
}

/* Starts scanning the folder in the staging field. */
static void
scan_start(struct staging *s)
{
	struct scan	*sc;
	char		*abs;
	struct stat	 sb;

	scan_reset(s);
	set_error(s, F_STAGING, NULL);
	if (s->f[F_STAGING].len == 0) {
		set_error(s, F_STAGING, strdup(_("Type the staging folder.")));
		return;
	}
	if ((abs = realpath(s->f[F_STAGING].buf, NULL)) == NULL ||
	    stat(abs, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
		set_error(s, F_STAGING, ui_error_text(abs == NULL ?
		    DS_E_NOTFOUND : DS_E_INVAL, strdup(abs == NULL ?
		    s->f[F_STAGING].buf : _("not a folder"))));
		free(abs);
		return;
	}
	s->scanned = abs;
	if ((sc = calloc(1, sizeof *sc)) == NULL ||
	    (sc->path = strdup(abs)) == NULL) {
		free(sc);
		set_error(s, F_STAGING, ui_error_text(DS_E_NOMEM, NULL));
		return;
	}
	pthread_mutex_init(&sc->lock, NULL);
	if (pthread_create(&sc->thread, NULL, scan_main, sc) != 0) {
		pthread_mutex_destroy(&sc->lock);
		free(sc->path);
		free(sc);
		set_error(s, F_STAGING, ui_error_text(DS_E_IO,
		    strdup("pthread_create")));
		return;
	}
	s->scan = sc;
	find_existing(s);
}

/* Takes what the scan found so far; returns 1 when something changed. */
static int
scan_slice(struct staging *s)
{
	struct scan	*sc = s->scan;
	uint64_t	 files, bytes;
	int		 done;

	if (sc == NULL || s->scan_done)
		return 0;
	pthread_mutex_lock(&sc->lock);
	files = sc->files;
	bytes = sc->bytes;
	done = sc->done;
	pthread_mutex_unlock(&sc->lock);
	if (!done) {
		if (files == s->files && bytes == s->bytes)
			return 0;
		s->files = files;
		s->bytes = bytes;
		return 1;
	}
	pthread_join(sc->thread, NULL);
	pthread_mutex_destroy(&sc->lock);
	s->scan = NULL;
	s->scan_done = 1;
	if (sc->rc != 0 || sc->result == NULL) {
		set_error(s, F_STAGING, ui_error_text(sc->rc, sc->cause));
		sc->cause = NULL;
		free(s->scanned);
		s->scanned = NULL;
	} else {
		s->files = sc->result->files;
		s->bytes = sc->result->bytes;
		s->bad = sc->result->unreadable;
		s->nbad = sc->result->nunreadable;
		sc->result->unreadable = NULL;
		sc->result->nunreadable = 0;
	}
	ds_scan_free(sc->result);
	free(sc->cause);
	free(sc->path);
	free(sc);
	return 1;
}

/* Sizes of the eligible drives attached now (up to three distinct). */
static void
attached_sizes(struct staging *s, int all)
{
	struct ds_drive_limits	 lim;
	struct ds_drive_list	*l = NULL;
	char			*cause = NULL;
	size_t			 i, j;

	s->nsizes = 0;
	if (ds_drive_limits_init(&lim, &cause) != 0 ||
	    ds_drives_list(&lim, all, &l, &cause) != 0) {
		free(cause);
		return;
	}
	for (i = 0; i < l->n && s->nsizes < 3; i++) {
		if (l->v[i].reasons != 0)
			continue;
		for (j = 0; j < s->nsizes; j++) {
			if (s->sizes[j] == l->v[i].size)
				break;
		}
		if (j == s->nsizes)
			s->sizes[s->nsizes++] = l->v[i].size;
	}
	ds_drive_list_free(l);
}

/* A job name from the folder's name, when the user gave none. */
static void
default_job(struct staging *s)
{
	char		 name[65];
	const char	*base;
	size_t		 n = 0;

	if (s->f[F_JOB].len > 0 || s->scanned == NULL)
		return;
	/* Continuing is the default; typing another name makes a new job. */
	if (s->nused > 0) {
		ui_field_set(&s->f[F_JOB], s->used[s->nused - 1]);
		return;
	}
	base = strrchr(s->scanned, '/');
	base = base != NULL ? base + 1 : s->scanned;
	for (; *base != '\0' && n < 40; base++) {
		if ((*base >= 'a' && *base <= 'z') || (*base >= '0' &&
		    *base <= '9'))
			name[n++] = *base;
		else if (*base >= 'A' && *base <= 'Z')
			name[n++] = (char)(*base - 'A' + 'a');
		else if (n > 0 && name[n - 1] != '-')
			name[n++] = '-';
	}
	while (n > 0 && name[n - 1] == '-')
		n--;
	name[n] = '\0';
	if (n < 3 || name[0] < 'a' || name[0] > 'z') {
		char fixed[72];

		snprintf(fixed, sizeof fixed, "seed-%s", n > 0 ? name : "job");
		ui_field_set(&s->f[F_JOB], fixed);
		return;
	}
	ui_field_set(&s->f[F_JOB], name);
}

static int
staging_enter(struct wiz_model *m, void **data, char **cause)
{
	struct staging	*s;
	size_t		 i;

	if ((s = calloc(1, sizeof *s)) == NULL)
		return ds_cause(cause, DS_E_NOMEM, "staging");
	ui_field_init(&s->f[F_STAGING], m->staging, 1);
	ui_field_init(&s->f[F_JOB], m->job, 0);
	ui_field_init(&s->f[F_ACCOUNT], m->account, 0);
	ui_field_init(&s->f[F_CONTAINER], m->container, 0);
	ui_field_init(&s->f[F_LOCATION], m->location, 0);
	s->want_locations = 1;
	attached_sizes(s, m->all_drives);
	if (m->staging != NULL) {
		scan_start(s);
		if (s->error[F_STAGING] == NULL)
			s->focus = F_JOB;
	}
	for (i = 0; i < F_COUNT; i++)
		s->error[i] = NULL;
	*data = s;
	return 0;
}

static void
draw_field(struct staging *s, enum field f, int y, const char *label)
{
	ui_print(y, 2, 18, UI_NORMAL, label);
	if (s->error[f] != NULL)
		ui_wrap(y + 1, 4, ui_cols() - 6, 1, UI_ERROR, s->error[f]);
	else if (s->f[f].hint != NULL)
		ui_print(y + 1, 21, 0, UI_DIM, s->f[f].hint);
}

/*
 * How many drives of each size attached now the data needs, and a
 * warning past the most one job holds: one text, wrapped in ROWS rows.
 */
static void
draw_estimate(struct staging *s, int y, int rows)
{
	char	 size[24], *text, *next;
	size_t	 i;
	uint64_t n, most = 0;

	if (!s->scan_done)
		return;
	if (s->nsizes == 0) {
		ui_wrap(y, 2, ui_cols() - 4, rows, UI_DIM, _("Estimate: no "
		    "usable drive is attached yet, so the number of drives "
		    "cannot be estimated."));
		return;
	}
	if ((text = strdup(_("Estimate (before compression):"))) == NULL)
		return;
	for (i = 0; i < s->nsizes; i++) {
		n = s->sizes[i] > 0 ? (s->bytes + s->sizes[i] - 1) /
		    s->sizes[i] : 0;
		if (n == 0)
			n = 1;
		if (n > most)
			most = n;
		/* TRANSLATORS: one size of an estimate; ", or" between. */
		if (asprintf(&next, P_("%s%s %llu drive of %s",
		    "%s%s %llu drives of %s", n), text, i > 0 ? _(", or") : "",
		    (unsigned long long)n, ds_human_size(size, sizeof size,
		    s->sizes[i])) < 0)
			goto out;
		free(text);
		text = next;
	}
	if (asprintf(&next, "%s.%s%s", text, most > MAX_JOB_DRIVES ? " " : "",
	    most > MAX_JOB_DRIVES ? _("Warning: one import job holds at most "
	    "10 drives. Use larger drives or split the data into several "
	    "jobs.") : "") < 0)
		goto out;
	free(text);
	text = next;
	ui_wrap(y, 2, ui_cols() - 4, rows, most > MAX_JOB_DRIVES ?
	    UI_WARNING : UI_NORMAL, text);
out:
	free(text);
}

/*
 * The unreadable entries, MAX_SHOWN_BAD at a time from bad_top (PgUp and
 * PgDn scroll), and how many there are, from row Y.
 */
static void
draw_unreadable(struct staging *s, struct wiz_model *m, int y)
{
	size_t	i;
	char	more[64], count[160];

	if (s->nbad == 0)
		return;
	if (s->bad_top + MAX_SHOWN_BAD > s->nbad)
		s->bad_top = s->nbad > MAX_SHOWN_BAD ? s->nbad -
		    MAX_SHOWN_BAD : 0;
	for (i = s->bad_top; i < s->nbad && i < s->bad_top + MAX_SHOWN_BAD;
	    i++)
		ui_printf(y + (int)(i - s->bad_top), 4, ui_cols() - 36,
		    UI_ERROR, _("cannot read: %s"), s->bad[i]);
	/* Where in the list, at the right of its first row. */
	if (s->nbad > MAX_SHOWN_BAD) {
		snprintf(more, sizeof more, _("%zu-%zu of %zu, PgUp/PgDn"),
		    s->bad_top + 1, i, s->nbad);
		ui_cell(y, ui_cols() - 2 - 28, 28, UI_DIM, 1, more);
	}
	snprintf(count, sizeof count, m->skip_unreadable ?
	    P_("%zu unreadable: skipped (F2: do not skip)",
	    "%zu unreadable: skipped (F2: do not skip)", s->nbad) :
	    P_("%zu unreadable: fix it, Enter: scan again, F2: skip",
	    "%zu unreadable: fix them, Enter: scan again, F2: skip",
	    s->nbad), s->nbad);
	ui_print(y + MAX_SHOWN_BAD, 4, 0, UI_WARNING, count);
}

static void
staging_draw(struct wiz_model *m, void *data)
{
	struct staging	*s = data;
	char		 size[24], loc[96];
	int		 y;

	draw_field(s, F_STAGING, 2, _("Staging folder:"));
	if (s->scanned != NULL) {
		ui_printf(4, 2, 0, s->scan_done ? UI_NORMAL : UI_DIM,
		    s->scan_done ? P_("Scanned: %llu file or folder, %s.",
		    "Scanned: %llu files and folders, %s.", s->files) :
		    P_("Scanning: %llu file or folder, %s so far...",
		    "Scanning: %llu files and folders, %s so far...",
		    s->files),
		    (unsigned long long)s->files,
		    ds_human_size(size, sizeof size, s->bytes));
	}
	draw_unreadable(s, m, 5);
	y = 9;
	if (s->nused > 0) {
		const char *same = used_job(s, s->f[F_JOB].buf);

		/*
		 * What Enter does with the name typed: continue that job,
		 * or make a new one from the same folder.
		 */
		if (same != NULL)
			ui_printf(8, 2, 0, UI_WARNING, _("Enter continues job "
			    "%s; type another name for a new job."), same);
		else
			ui_printf(8, 2, 0, UI_WARNING, _("Enter makes a new "
			    "job; this folder made job %s before."),
			    s->used[s->nused - 1]);
	}
	draw_field(s, F_JOB, y, _("Import job name:"));
	draw_field(s, F_ACCOUNT, y + 2, _("Storage account:"));
	draw_field(s, F_CONTAINER, y + 4, _("Container:"));
	draw_field(s, F_LOCATION, y + 6, _("Location:"));
	if (s->want_locations)
		ui_print(y + 6, 21, 0, UI_DIM, _("asking the import "
		    "service..."));
	else if (s->nlocs > 0) {
		snprintf(loc, sizeof loc, "< %s >  (%zu/%zu)",
		    s->locs[s->loc].name, s->loc + 1, s->nlocs);
		ui_print(y + 6, 21, 0, s->focus == F_LOCATION ? UI_SELECTED :
		    UI_NORMAL, loc);
		if (s->focus == F_LOCATION)
			ui_cursor(y + 6, 23);
	} else {
		ui_field_draw(&s->f[F_LOCATION], y + 6, 21, ui_cols() - 24,
		    s->focus == F_LOCATION);
		if (s->loc_error != NULL && s->error[F_LOCATION] == NULL)
			ui_wrap(y + 7, 4, ui_cols() - 6, 1, UI_DIM,
			    s->loc_error);
	}
	draw_estimate(s, y + 8, 3);
	ui_field_draw(&s->f[F_CONTAINER], y + 4, 21, ui_cols() - 24,
	    s->focus == F_CONTAINER);
	ui_field_draw(&s->f[F_ACCOUNT], y + 2, 21, ui_cols() - 24,
	    s->focus == F_ACCOUNT);
	ui_field_draw(&s->f[F_JOB], y, 21, ui_cols() - 24, s->focus == F_JOB);
	ui_field_draw(&s->f[F_STAGING], 2, 21, ui_cols() - 24,
	    s->focus == F_STAGING);
}

/* Checks every field in place; returns the first wrong one or F_COUNT. */
static enum field
check(struct staging *s)
{
	enum field	 bad = F_COUNT;
	char		*cause = NULL;

	if (s->error[F_STAGING] != NULL || s->scanned == NULL)
		bad = F_STAGING;
	if (ds_name_check_job(s->f[F_JOB].buf, &cause) != 0) {
		set_error(s, F_JOB, ui_error_text(DS_E_BADNAME, cause));
		bad = bad < F_JOB ? bad : F_JOB;
	} else
		set_error(s, F_JOB, NULL);
	cause = NULL;
	if (ds_name_check_account(s->f[F_ACCOUNT].buf, &cause) != 0) {
		set_error(s, F_ACCOUNT, ui_error_text(DS_E_BADNAME, cause));
		bad = bad < F_ACCOUNT ? bad : F_ACCOUNT;
	} else
		set_error(s, F_ACCOUNT, NULL);
	cause = NULL;
	if (ds_name_check_container(s->f[F_CONTAINER].buf, &cause) != 0) {
		set_error(s, F_CONTAINER, ui_error_text(DS_E_BADNAME, cause));
		bad = bad < F_CONTAINER ? bad : F_CONTAINER;
	} else
		set_error(s, F_CONTAINER, NULL);
	cause = NULL;
	if (s->nlocs == 0 && ds_name_check_location(s->f[F_LOCATION].buf,
	    &cause) != 0) {
		set_error(s, F_LOCATION, ui_error_text(DS_E_BADNAME, cause));
		bad = bad < F_LOCATION ? bad : F_LOCATION;
	} else
		set_error(s, F_LOCATION, NULL);
	return bad;
}

/*
 * Goes on with JOB, made from this folder before, where its state says:
 * a draft as a new prep, a copy under way resumed, a copied one to its
 * keys. Returns -1 (with the reason in the job field) when it cannot.
 */
static int
continue_job(struct staging *s, struct wiz_model *m, const char *job)
{
	struct ds_jobrec	*r;
	char			*cause = NULL;
	int			 rc;

	if ((rc = ds_jobrec_load(job, &r, &cause)) != 0) {
		set_error(s, F_JOB, ui_error_text(rc, cause));
		s->focus = F_JOB;
		return -1;
	}
	/* A draft has no drive yet: it goes on as a new prep would. */
	if (r->state == DS_JOBREC_DRAFT) {
		ds_jobrec_free(r);
		return 1;
	}
	wiz_set(&m->staging, s->scanned);
	wiz_set(&m->job, job);
	/* The record holds what was chosen, corrections included. */
	wiz_set(&m->account, r->storage_account);
	wiz_set(&m->container, r->container);
	wiz_set(&m->location, r->location);
	wiz_recall(m);
	m->resume = r->state == DS_JOBREC_PREPARING;
	m->copied = r->state >= DS_JOBREC_PREPARED;
	ds_jobrec_free(r);
	return 0;
}

/*
 * Makes (or, for a draft of this folder, loads) the record of the new
 * job in M and stores what was chosen in it. A DS_E_* code.
 */
static int
record_job(const struct wiz_model *m, char **cause)
{
	struct ds_jobrec	*r;
	int			 rc;

	rc = ds_jobrec_exists(m->job) ? ds_jobrec_load(m->job, &r, cause) :
	    ds_jobrec_new(m->job, m->staging, &r, cause);
	if (rc != 0)
		return rc;
	if ((rc = ds_jobrec_set(r, DS_JOBREC_ACCOUNT, m->account,
	    cause)) == 0 && (rc = ds_jobrec_set(r, DS_JOBREC_CONTAINER,
	    m->container, cause)) == 0)
		rc = ds_jobrec_set(r, DS_JOBREC_LOCATION, m->location, cause);
	ds_jobrec_free(r);
	return rc;
}

static enum screen_action
go_on(struct staging *s, struct wiz_model *m)
{
	enum field	 bad;
	const char	*same;
	char		*cause = NULL;
	int		 rc;

	if (!s->scan_done) {
		if (s->scanned == NULL)
			scan_start(s);
		return SA_REDRAW;
	}
	if (s->files == 0) {
		set_error(s, F_STAGING, ui_error_text(DS_E_EMPTY_STAGING,
		    NULL));
		s->focus = F_STAGING;
		return SA_REDRAW;
	}
	if ((same = used_job(s, s->f[F_JOB].buf)) != NULL) {
		if ((rc = continue_job(s, m, same)) == 0)
			return SA_NEXT;
		if (rc < 0)
			return SA_REDRAW;
	}
	if (s->nbad > 0 && !m->skip_unreadable) {
		set_error(s, F_STAGING, strdup(_("Some files cannot be read: "
		    "fix them, or press F2 to skip them.")));
		s->focus = F_STAGING;
		return SA_REDRAW;
	}
	if ((bad = check(s)) != F_COUNT) {
		s->focus = bad;
		return SA_REDRAW;
	}
	/* A new job: its name must be no other job's (in any state). */
	if ((rc = ds_jobrec_claim(s->f[F_JOB].buf, s->scanned, 0,
	    &cause)) != 0) {
		set_error(s, F_JOB, ui_error_text(rc, cause));
		s->focus = F_JOB;
		return SA_REDRAW;
	}
	wiz_set(&m->staging, s->scanned);
	wiz_set(&m->job, s->f[F_JOB].buf);
	wiz_set(&m->account, s->f[F_ACCOUNT].buf);
	wiz_set(&m->container, s->f[F_CONTAINER].buf);
	wiz_set(&m->location, s->nlocs > 0 ? s->locs[s->loc].name :
	    s->f[F_LOCATION].buf);
	m->resume = 0;
	m->copied = 0;
	if ((rc = record_job(m, &cause)) != 0 ||
	    (rc = wiz_remember(m, &cause)) != 0) {
		set_error(s, F_JOB, ui_error_text(rc, cause));
		s->focus = F_JOB;
		return SA_REDRAW;
	}
	return SA_NEXT;
}

static enum screen_action
staging_key(struct wiz_model *m, void *data, int key)
{
	struct staging *s = data;

	switch (key) {
	case UI_KEY(KEY_UP):
	case UI_KEY(KEY_BTAB):
		if (s->focus > F_STAGING)
			s->focus--;
		return SA_REDRAW;
	case UI_KEY(KEY_DOWN):
		if (s->focus + 1 < F_COUNT)
			s->focus++;
		return SA_REDRAW;
	case '\n':
		if (s->focus == F_STAGING) {
			/* Scan again: a new folder, or files fixed since. */
			if (s->scanned == NULL || !s->scan_done ||
			    s->nbad > 0 ||
			    strcmp(s->f[F_STAGING].buf, s->scanned) != 0) {
				scan_start(s);
				default_job(s);
				if (s->error[F_STAGING] == NULL)
					s->focus = F_JOB;
				return SA_REDRAW;
			}
		}
		return go_on(s, m);
	}
	if (s->focus == F_LOCATION && s->nlocs > 0) {
		if (key == UI_KEY(KEY_RIGHT) && s->loc + 1 < s->nlocs)
			s->loc++;
		else if (key == UI_KEY(KEY_LEFT) && s->loc > 0)
			s->loc--;
		else if (key == '\t' && s->focus + 1 < F_COUNT)
			s->focus++;
		else
			return SA_UNHANDLED;
		return SA_REDRAW;
	}
	if (key == UI_KEY(KEY_NPAGE) && s->nbad > MAX_SHOWN_BAD) {
		s->bad_top += MAX_SHOWN_BAD;	/* kept in range when drawn */
		return SA_REDRAW;
	}
	if (key == UI_KEY(KEY_PPAGE) && s->nbad > MAX_SHOWN_BAD) {
		s->bad_top = s->bad_top > MAX_SHOWN_BAD ? s->bad_top -
		    MAX_SHOWN_BAD : 0;
		return SA_REDRAW;
	}
	if (key == UI_KEY(KEY_F(2)) && s->nbad > 0) {
		m->skip_unreadable = !m->skip_unreadable;
		set_error(s, F_STAGING, NULL);
		return SA_REDRAW;
	}
	if (key == '\t' && s->focus != F_STAGING) {
		s->focus++;
		return SA_REDRAW;
	}
	if (ui_field_key(&s->f[s->focus], key)) {
		set_error(s, s->focus, NULL);
		return SA_REDRAW;
	}
	return SA_UNHANDLED;
}

/* The scan goes on a slice at a time; the locations are asked once. */
static enum screen_action
staging_event(struct wiz_model *m, void *data)
{
	struct staging	*s = data;
	struct ds_api	*api = NULL;
	char		*cause = NULL;
	size_t		 i;
	int		 rc, changed = 0;

	if (s->want_locations) {
		s->want_locations = 0;
		changed = 1;
		if ((rc = ds_api_open(&api, &cause)) != 0 ||
		    (rc = ds_api_locations(api, &s->locs, &s->nlocs,
		    &cause)) != 0) {
			s->locs = NULL;
			s->nlocs = 0;
			s->loc_error = ui_error_text(rc, cause);
		}
		ds_api_close(api);
		for (i = 0; m->location != NULL && i < s->nlocs; i++) {
			if (strcmp(s->locs[i].name, m->location) == 0)
				s->loc = i;
		}
	}
	if (scan_slice(s)) {
		changed = 1;
		if (s->scan_done)
			default_job(s);
	}
	return changed ? SA_REDRAW : SA_STAY;
}

static void
staging_leave(void *data)
{
	struct staging	*s = data;
	size_t		 i;

	if (s == NULL)
		return;
	scan_reset(s);
	for (i = 0; i < F_COUNT; i++)
		ui_field_free(&s->f[i]);
	for (i = 0; i < F_COUNT; i++)
		free(s->error[i]);
	ds_locations_free(s->locs, s->nlocs);
	free(s->loc_error);
	free(s);
}

const struct screen_ops screen_staging_ops = {
	.name = "staging",
	.title = N_("Staging folder and import job"),
	/* TRANSLATORS: the help line; must fit in 78 columns. */
	.keys = N_("Enter: scan/go on  Up/Down: field  Left/Right: location  "
	    "F1: help  Esc: back"),
	.help = N_("Type the staging folder (Tab completes) and press Enter: "
	    "it is scanned, and files that cannot be read are listed; fix "
	    "them, or press F2 to skip them.\n\nThen name "
	    "the import job (lowercase letters, digits and hyphens), the "
	    "storage account (3-24 lowercase letters and digits) and the "
	    "container (3-63 lowercase letters, digits and hyphens) the data "
	    "goes into, and choose the datacenter with Left/Right from the "
	    "list the import service gives.\n\nThe number of drives is an "
	    "estimate from the data's size before compression and the sizes "
	    "of the drives attached now. One job holds at most 10 drives.\n\n"
	    "When a job was already started from the folder, Enter resumes "
	    "it."),
	.tick_ms = 50,
	.enter = staging_enter,
	.draw = staging_draw,
	.key = staging_key,
	.event = staging_event,
	.leave = staging_leave,
};
