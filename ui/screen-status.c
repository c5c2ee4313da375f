/* SPDX-License-Identifier: MIT */
/*
 * screen-status.c: the import jobs of the subscription, their states and
 * each drive's state and progress, as the service reports them; r
 * refreshes, and the screen refreshes by itself every minute.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curses.h>

#include "api.h"
#include "error.h"
#include "screen.h"
#include "util.h"
#include "widgets.h"

#define AUTO_REFRESH_MS	60000
#define JOBS_Y		4
#define JOBS_ROWS	6

struct status {
	struct ds_api	 *api;
	struct ds_job	**jobs;
	size_t		  njobs;
	struct ui_list	  list;
	int		  pending;	/* a refresh is asked for */
	int64_t		  updated_ms;
	char		  updated[32];	/* local time of the last answer */
	char		 *error;
	char		 *want;		/* job to select first */
};

static void
set_error(struct status *s, int code, char *cause)
{
	free(s->error);
	s->error = ui_error_text(code, cause);
}

/* Asks the service for the jobs; keeps the old list on failure. */
static void
fetch_jobs(struct status *s)
{
	struct ds_job	**jobs = NULL;
	size_t		  n = 0, i;
	char		 *cause = NULL;
	const char	 *sel = NULL;
	time_t		  now;
	struct tm	  tm;
	int		  rc;

	s->pending = 0;
	s->updated_ms = ui_now_ms();
	if (s->api == NULL && (rc = ds_api_open(&s->api, &cause)) != 0) {
		set_error(s, rc, cause);
		return;
	}
	if ((rc = ds_api_job_list(s->api, &jobs, &n, &cause)) != 0) {
		set_error(s, rc, cause);
		return;
	}
	free(s->error);
	s->error = NULL;
	if (s->list.sel < s->njobs)
		sel = s->jobs[s->list.sel]->name;
	else
		sel = s->want;
	s->list.sel = 0;
	for (i = 0; sel != NULL && i < n; i++) {
		if (jobs[i]->name != NULL && strcmp(jobs[i]->name, sel) == 0)
			s->list.sel = i;
	}
	ds_jobs_free(s->jobs, s->njobs);
	s->jobs = jobs;
	s->njobs = n;
	s->list.n = n;
	now = time(NULL);
	localtime_r(&now, &tm);
	strftime(s->updated, sizeof s->updated, "%Y-%m-%d %H:%M:%S", &tm);
}

static int
status_enter(struct wiz_model *m, void **data, char **cause)
{
	struct status *s;

	if ((s = calloc(1, sizeof *s)) == NULL)
		return ds_cause(cause, DS_E_NOMEM, "status");
	s->want = m->job != NULL ? strdup(m->job) : NULL;
	s->pending = 1;
	*data = s;
	return 0;
}

static const char *
or_dash(const char *s)
{
	return s != NULL && *s != '\0' ? s : "-";
}

/*
 * A row of the drives table (or its heading), in columns of display
 * width so that they line up in every language.
 */
static void
drive_row(int y, enum ui_role role, const char *drive, const char *state,
    const char *done, const char *copied, const char *status)
{
	static const int	 w[] = { 24, 16, -7, -11, 0 };
	const char		*cell[] = { drive, state, done, copied,
	    status };

	ui_row(y, role, 0, w, cell, 5);
}

/* A row of the jobs table (or its heading), across the frame. */
static void
job_row(int y, enum ui_role role, const char *job, const char *state,
    const char *done, const char *drives, const char *location)
{
	static const int	 w[] = { 26, 14, -7, -7, 0 };
	const char		*cell[] = { job, state, done, drives,
	    location };

	ui_row(y, role, 1, w, cell, 5);
}

static void
draw_drives(const struct ds_job *j, int y, int rows)
{
	char	pct[24], bytes[24];
	size_t	i;

	ui_printf(y, 2, 0, UI_TITLE, _("Drives of %s (%zu):"), j->name,
	    j->ndrives);
	drive_row(y + 1, UI_DIM, _("Drive"), _("State"), _("Done"),
	    _("Copied"), _("Copy status"));
	for (i = 0; i < j->ndrives && (int)i < rows - 2; i++) {
		const struct ds_drive_status *d = &j->drives[i];

		if (d->percent >= 0)
			snprintf(pct, sizeof pct, "%lld%%", d->percent);
		else
			snprintf(pct, sizeof pct, "-");
		if (d->bytes >= 0)
			ds_human_size(bytes, sizeof bytes, (uint64_t)d->bytes);
		else
			snprintf(bytes, sizeof bytes, "-");
		drive_row(y + 2 + (int)i, UI_NORMAL, or_dash(d->drive_id),
		    or_dash(d->state), pct, bytes, or_dash(d->copy_status));
	}
}

static void
status_draw(struct wiz_model *m, void *data)
{
	struct status	*s = data;
	char		 pct[24], n[24];
	size_t		 i;
	int		 y;

	(void)m;
	if (s->pending) {
		ui_print(2, 2, 0, UI_DIM, _("Asking the import service..."));
		return;
	}
	if (s->updated[0] != '\0')
		ui_printf(2, 2, 0, UI_DIM, _("Last updated: %s"), s->updated);
	if (s->error != NULL)
		ui_wrap(ui_lines() - 5, 2, ui_cols() - 4, 2, UI_ERROR,
		    s->error);
	if (s->njobs == 0) {
		if (s->error == NULL)
			ui_print(JOBS_Y, 2, 0, UI_NORMAL, _("The subscription "
			    "has no import jobs yet."));
		return;
	}
	job_row(JOBS_Y - 1, UI_DIM, _("Job"), _("State"), _("Done"),
	    _("Drives"), _("Location"));
	ui_list_scroll(&s->list, JOBS_ROWS);
	for (i = s->list.top, y = JOBS_Y; i < s->njobs &&
	    y < JOBS_Y + JOBS_ROWS; i++, y++) {
		const struct ds_job *j = s->jobs[i];

		if (j->percent >= 0)
			snprintf(pct, sizeof pct, "%lld%%", j->percent);
		else
			snprintf(pct, sizeof pct, "-");
		snprintf(n, sizeof n, "%zu", j->ndrives);
		job_row(y, i == s->list.sel ? UI_SELECTED : UI_NORMAL,
		    or_dash(j->name), or_dash(j->state), pct, n,
		    or_dash(j->location));
	}
	if (s->list.sel < s->njobs)
		draw_drives(s->jobs[s->list.sel], JOBS_Y + JOBS_ROWS + 1,
		    ui_lines() - 6 - (JOBS_Y + JOBS_ROWS + 1));
}

static enum screen_action
status_key(struct wiz_model *m, void *data, int key)
{
	struct status *s = data;

	if (s->pending)
		return key == UI_ESC ? SA_UNHANDLED : SA_STAY;
	if (ui_list_key(&s->list, key, JOBS_ROWS)) {
		if (s->list.sel < s->njobs)
			wiz_set(&m->job, s->jobs[s->list.sel]->name);
		return SA_REDRAW;
	}
	if (key == 'r' || key == UI_KEY(KEY_F(5))) {
		s->pending = 1;
		return SA_REDRAW;
	}
	return SA_UNHANDLED;
}

/* Runs a refresh that was asked for (drawn first), or the automatic one. */
static enum screen_action
status_event(struct wiz_model *m, void *data)
{
	struct status *s = data;

	(void)m;
	if (s->pending || ui_now_ms() - s->updated_ms >= AUTO_REFRESH_MS) {
		fetch_jobs(s);
		return SA_REDRAW;
	}
	return SA_STAY;
}

static void
status_leave(void *data)
{
	struct status *s = data;

	if (s == NULL)
		return;
	ds_jobs_free(s->jobs, s->njobs);
	ds_api_close(s->api);
	free(s->want);
	free(s->error);
	free(s);
}

const struct screen_ops screen_status_ops = {
	.name = "status",
	.title = N_("Job status"),
	/* TRANSLATORS: the help line; must fit in 78 columns. */
	.keys = N_("Up/Down: job  r: refresh  F1/?: help  Esc: back"),
	.help = N_("The import jobs of the subscription as the import "
	    "service reports them: each job's state (Creating, Shipping, "
	    "Received, Transferring, Packaging, Completed, Closed) and, "
	    "below, the state and progress of each drive of the selected "
	    "job.\n\nr or F5 asks the service again; the screen also "
	    "refreshes by itself every minute. \"Last updated\" says when "
	    "the service last answered."),
	.tick_ms = 100,
	.enter = status_enter,
	.draw = status_draw,
	.key = status_key,
	.event = status_event,
	.leave = status_leave,
};
