/* SPDX-License-Identifier: MIT */
/*
 * screen-job.c: creates the import job for the prepared drives, then
 * shows where to ship them (the datacenter's address), the carriers it
 * takes and the deadline. When the service cannot be reached: retry, or
 * save and quit (the job can be created later from the menu).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curses.h>

#include "api.h"
#include "error.h"
#include "jobrec.h"
#include "jobstore.h"
#include "names.h"
#include "prepared.h"
#include "screen.h"
#include "widgets.h"

struct job {
	char			**names;	/* jobs to choose from */
	size_t			 nnames;
	struct ui_list		 choose;
	int			 choosing;	/* no job chosen yet */
	struct ds_api		*api;
	struct ds_prepared	*set;
	struct ds_job		*job;		/* once created */
	struct ds_location	*loc;		/* where to ship */
	int			 pending;	/* create on the next tick */
	int			 unreachable;	/* retry, or save and quit */
	char			*error;
	/* The service refused the storage account: fixed in place. */
	int			 fix_account;
	struct ui_field		 account;
};

/*
 * What was chosen for the job: its record first (it holds corrections
 * made since), then the wizard's own file for what the record lacks.
 */
static void
recall(struct wiz_model *m)
{
	struct ds_jobrec	*r;
	char			*cause = NULL;

	if (ds_jobrec_load(m->job, &r, &cause) == 0) {
		if (r->storage_account != NULL)
			wiz_set(&m->account, r->storage_account);
		if (r->container != NULL)
			wiz_set(&m->container, r->container);
		if (r->location != NULL)
			wiz_set(&m->location, r->location);
		ds_jobrec_free(r);
	}
	free(cause);
	wiz_recall(m);
}

static int
job_enter(struct wiz_model *m, void **data, char **cause)
{
	struct job	*s;
	int		 rc;

	if ((s = calloc(1, sizeof *s)) == NULL)
		return ds_cause(cause, DS_E_NOMEM, "job");
	/* Back from keys never confirmed: choose again, keys first. */
	if (m->job != NULL && m->mode == WIZ_MODE_SHIP &&
	    wiz_keys_pending(m->job))
		wiz_set(&m->job, NULL);
	if (m->job == NULL) {
		/* Update shipping details: choose one of the prepared jobs. */
		rc = ds_prepared_list(&s->names, &s->nnames, cause);
		if (rc != 0) {
			free(s);
			return rc;
		}
		if (s->nnames == 0) {
			free(s->names);
			free(s);
			return ds_cause(cause, DS_E_NODRIVES, "%s",
			    _("prepare drives first"));
		}
		s->choose.n = s->nnames;
		s->choosing = 1;
		ui_field_init(&s->account, NULL, 0);
		*data = s;
		return 0;
	}
	recall(m);
	if ((rc = ds_prepared_load(m->job, &s->set, cause)) != 0) {
		free(s);
		return rc;
	}
	s->pending = 1;
	ui_field_init(&s->account, NULL, 0);
	*data = s;
	return 0;
}

static void
draw_choice(struct job *s)
{
	size_t	i;
	int	y;

	ui_print(2, 2, 0, UI_NORMAL, _("Choose the import job:"));
	ui_list_scroll(&s->choose, ui_lines() - 8);
	for (i = s->choose.top, y = 4; i < s->nnames && y < ui_lines() - 4;
	    i++, y++)
		ui_printf(y, 3, 40, i == s->choose.sel ? UI_SELECTED :
		    UI_NORMAL, " %s ", s->names[i]);
}

/* Finds the job if it was created before, else creates it. */
static void
create(struct job *s, struct wiz_model *m)
{
	struct ds_job_spec	 spec;
	struct ds_job_record	*rec = NULL;
	char			*cause = NULL;
	int			 rc;

	s->pending = 0;
	s->unreachable = 0;
	free(s->error);
	s->error = NULL;
	if (s->api == NULL && (rc = ds_api_open(&s->api, &cause)) != 0)
		goto fail;
	if (ds_jobstore_load(m->job, &rec, &cause) == 0) {
		rc = ds_api_job_get(s->api, rec->resource_group, m->job,
		    &s->job, &cause);
		if (rc == 0 && rec->location != NULL)
			wiz_set(&m->location, rec->location);
		ds_job_record_free(rec);
	} else {
		free(cause);
		cause = NULL;
		if (m->account == NULL || m->location == NULL) {
			rc = ds_cause(&cause, DS_E_INVAL, "%s", _("the storage "
			    "account and location are not known: choose them "
			    "on the staging screen"));
			goto fail;
		}
		memset(&spec, 0, sizeof spec);
		spec.name = m->job;
		spec.location = m->location;
		spec.storage_account = m->account;
		spec.container = m->container;
		spec.prepared = s->set;
		rc = ds_jobstore_create(s->api, &spec, &s->job, &cause);
	}
	if (rc != 0)
		goto fail;
	if ((rc = ds_api_location_get(s->api, m->location, &s->loc,
	    &cause)) != 0)
		goto fail;
	return;
fail:
	s->unreachable = rc == DS_E_UNREACHABLE || rc == DS_E_TLS ||
	    rc == DS_E_SERVICE;
	s->error = ui_error_text(rc, cause);
	/* A rejection that names the account: back to that field. */
	if (rc != DS_E_UNREACHABLE && rc != DS_E_TLS && s->job == NULL &&
	    s->error != NULL && (strstr(s->error, "storageAccount") != NULL ||
	    strstr(s->error, "storage account") != NULL)) {
		s->fix_account = 1;
		s->unreachable = 0;
		ui_field_set(&s->account, m->account);
	}
}

/* Stores the corrected account in the job's record, then creates. */
static enum screen_action
save_account(struct job *s, struct wiz_model *m)
{
	struct ds_jobrec	*r = NULL;
	char			*cause = NULL;
	int			 rc;

	if ((rc = ds_name_check_account(s->account.buf, &cause)) != 0 ||
	    (rc = ds_jobrec_load(m->job, &r, &cause)) != 0 ||
	    (rc = ds_jobrec_set(r, DS_JOBREC_ACCOUNT, s->account.buf,
	    &cause)) != 0) {
		ds_jobrec_free(r);
		free(s->error);
		s->error = ui_error_text(rc, cause);
		return SA_REDRAW;
	}
	ds_jobrec_free(r);
	wiz_set(&m->account, s->account.buf);
	if ((rc = wiz_remember(m, &cause)) != 0) {
		free(s->error);
		s->error = ui_error_text(rc, cause);
		return SA_REDRAW;
	}
	s->fix_account = 0;
	s->pending = 1;
	return SA_REDRAW;
}

static void
draw_address(const struct ds_address *a, int y, int x)
{
	const char	*lines[7];
	size_t		 i, n = 0;

	lines[n++] = a->recipient_name;
	lines[n++] = a->street1;
	lines[n++] = a->street2;
	lines[n++] = a->city;
	lines[n++] = a->state;
	lines[n++] = a->postal_code;
	lines[n++] = a->country;
	for (i = 0; i < n; i++) {
		if (lines[i] == NULL || *lines[i] == '\0')
			continue;
		ui_print(y++, x, 0, UI_TITLE, lines[i]);
	}
	if (a->phone != NULL)
		ui_printf(y, x, 0, UI_NORMAL, _("Phone: %s"), a->phone);
}

static void
job_draw(struct wiz_model *m, void *data)
{
	struct job	*s = data;
	char		 carriers[256], deadline[32], *line;
	size_t		 i, off = 0;
	time_t		 t;
	struct tm	 tm;

	if (s->choosing) {
		draw_choice(s);
		return;
	}
	if (asprintf(&line, P_("Job %s: %zu drive, storage account %s, "
	    "container %s, location %s.", "Job %s: %zu drives, storage "
	    "account %s, container %s, location %s.", s->set->ndrives),
	    m->job, s->set->ndrives,
	    m->account != NULL ? m->account : "-",
	    m->container != NULL ? m->container : "-",
	    m->location != NULL ? m->location : "-") >= 0) {
		ui_wrap(2, 2, ui_cols() - 4, 2, UI_NORMAL, line);
		free(line);
	}
	if (s->pending) {
		ui_print(4, 2, 0, UI_DIM, _("Creating the import job..."));
		return;
	}
	if (s->fix_account) {
		ui_wrap(4, 2, ui_cols() - 4, 3, UI_ERROR, s->error);
		ui_print(8, 2, 18, UI_NORMAL, _("Storage account:"));
		ui_wrap(10, 2, ui_cols() - 4, 2, UI_NORMAL, _("Correct it and "
		    "press Enter: it is kept with the job, and the job is "
		    "created again."));
		ui_field_draw(&s->account, 8, 21, ui_cols() - 24, 1);
		return;
	}
	if (s->error != NULL) {
		ui_wrap(4, 2, ui_cols() - 4, 3, UI_ERROR, s->error);
		ui_wrap(8, 2, ui_cols() - 4, 3, UI_NORMAL, s->unreachable ?
		    _("r: try again   s: save and quit (the job can be "
		    "created later: choose Update shipping details in the "
		    "menu)") : _("r: try again   Esc: back"));
		return;
	}
	ui_printf(4, 2, 0, UI_GOOD, _("Import job %s: %s."), s->job->name,
	    s->job->state != NULL ? s->job->state : "-");
	ui_print(6, 2, 0, UI_NORMAL, _("Ship the drives to:"));
	if (s->loc != NULL) {
		draw_address(&s->loc->address, 7, 4);
		carriers[0] = '\0';
		for (i = 0; i < s->loc->ncarriers && off < sizeof carriers;
		    i++)
			off += (size_t)snprintf(carriers + off,
			    sizeof carriers - off, "%s%s", i > 0 ? ", " : "",
			    s->loc->carriers[i]);
		ui_printf(16, 2, 0, UI_NORMAL, _("Carriers: %s"), carriers);
	}
	t = time(NULL) + (time_t)DS_SHIP_DEADLINE_DAYS * 86400;
	localtime_r(&t, &tm);
	strftime(deadline, sizeof deadline, "%Y-%m-%d", &tm);
	ui_wrap(17, 2, ui_cols() - 4, 2, UI_WARNING, _("Deadline: the drives "
	    "must arrive within 14 days of the shipping details (by the date "
	    "below if you send them today)."));
	ui_printf(19, 4, 0, UI_WARNING, "%s", deadline);
}

static enum screen_action
job_key(struct wiz_model *m, void *data, int key)
{
	struct job	*s = data;
	char		*cause = NULL;
	int		 rc;

	if (s->choosing) {
		if (ui_list_key(&s->choose, key, ui_lines() - 8))
			return SA_REDRAW;
		if (key != '\n')
			return SA_UNHANDLED;
		wiz_set(&m->job, s->names[s->choose.sel]);
		recall(m);
		if ((rc = ds_prepared_load(m->job, &s->set, &cause)) != 0) {
			s->error = ui_error_text(rc, cause);
			wiz_set(&m->job, NULL);
			return SA_REDRAW;
		}
		s->choosing = 0;
		/* Keys never confirmed: they come first, then the job. */
		if (wiz_keys_pending(m->job)) {
			m->need_keys = 1;
			return SA_NEXT;
		}
		s->pending = 1;
		return SA_REDRAW;
	}
	/* Esc after choosing a job: back to the list, not further. */
	if (key == UI_ESC && s->nnames > 0) {
		ds_job_free(s->job);
		ds_location_free(s->loc);
		ds_prepared_free(s->set);
		free(s->error);
		s->job = NULL;
		s->loc = NULL;
		s->set = NULL;
		s->error = NULL;
		s->pending = s->fix_account = 0;
		s->choosing = 1;
		wiz_set(&m->job, NULL);
		return SA_REDRAW;
	}
	if (s->pending)
		return key == UI_ESC ? SA_UNHANDLED : SA_STAY;
	if (s->fix_account) {
		if (key == '\n')
			return save_account(s, m);
		if (ui_field_key(&s->account, key))
			return SA_REDRAW;
		return SA_UNHANDLED;
	}
	if (s->error != NULL) {
		if (key == 'r') {
			s->pending = 1;
			return SA_REDRAW;
		}
		if (key == 's' && s->unreachable)
			return SA_QUIT;
		return SA_UNHANDLED;
	}
	if (key == '\n')
		return SA_NEXT;
	return SA_UNHANDLED;
}

static enum screen_action
job_event(struct wiz_model *m, void *data)
{
	struct job *s = data;

	if (!s->pending)
		return SA_STAY;
	create(s, m);
	return SA_REDRAW;
}

static void
job_leave(void *data)
{
	struct job	*s = data;
	size_t		 i;

	if (s == NULL)
		return;
	for (i = 0; i < s->nnames; i++)
		free(s->names[i]);
	free(s->names);
	ds_job_free(s->job);
	ds_location_free(s->loc);
	ds_prepared_free(s->set);
	ds_api_close(s->api);
	free(s->error);
	ui_field_free(&s->account);
	free(s);
}

const struct screen_ops screen_job_ops = {
	.name = "job",
	.title = N_("Import job"),
	/* TRANSLATORS: the help line; must fit in 78 columns. */
	.keys = N_("Enter: shipping details  r: retry  F1/?: help  "
	    "Esc: back"),
	.help = N_("The import job is created with one entry per drive: its "
	    "identifier, its recovery key, and the hashes of its header and "
	    "manifest, so the datacenter can check each drive.\n\nThe "
	    "address is where the drives go; use one of the carriers "
	    "listed. The drives must arrive within 14 days of the shipping "
	    "details.\n\nWhen the import service cannot be reached, r tries "
	    "again and s saves and quits: the drives and keys are kept, and "
	    "the job can be created later (Update shipping details in the "
	    "first menu)."),
	.tick_ms = 100,
	.enter = job_enter,
	.draw = job_draw,
	.key = job_key,
	.event = job_event,
	.leave = job_leave,
};
