/* SPDX-License-Identifier: MIT */
/*
 * screen-copy.c: starts the copy onto the confirmed drive (or attaches to
 * the one already running) and shows it: phase, bar, bytes, rate, time
 * left (an estimate), current file, how full each drive is. A full drive
 * sends the user to choose the next one; Ctrl-C asks before stopping.
 * The copy itself runs in its own process (ui/copyrun.h), so it goes on
 * when the terminal goes away.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curses.h>

#include "copyrun.h"
#include "error.h"
#include "gate.h"
#include "prepared.h"
#include "screen.h"
#include "util.h"
#include "widgets.h"

#define RATE_WINDOW_MS	3000

struct copy {
	struct copyrun_status	 st;
	int			 have;		/* st was read */
	int			 asking;	/* "stop the copy?" shown */
	int			 stop_sent;
	char			*error;
	/* For the rate: bytes and time at the start of the window. */
	uint64_t		 rate_bytes;
	int64_t			 rate_ms;
	double			 rate;		/* bytes per second */
	struct ds_prepared	*set;		/* drives so far, keys wiped */
	int64_t			 set_ms;
	int			 started;	/* this screen started it */
	int			 alive;		/* its process, last tick */
};

/* Reloads the drive set (sizes, fill) at most once a second. */
static void
load_set(struct copy *s, const struct wiz_model *m, int force)
{
	struct ds_prepared	*p = NULL;
	char			*cause = NULL;
	size_t			 i;

	if (!force && ui_now_ms() - s->set_ms < 1000)
		return;
	s->set_ms = ui_now_ms();
	if (ds_prepared_load(m->job, &p, &cause) != 0) {
		free(cause);
		return;
	}
	/* The keys are not needed here: wipe them at once. */
	for (i = 0; i < p->ndrives; i++) {
		if (p->drives[i].recovery_key != NULL) {
			ds_freezero(p->drives[i].recovery_key,
			    strlen(p->drives[i].recovery_key));
			p->drives[i].recovery_key = NULL;
		}
	}
	ds_prepared_free(s->set);
	s->set = p;
}

static void
read_status(struct copy *s, const struct wiz_model *m)
{
	char	*cause = NULL;
	int64_t	 now = ui_now_ms();

	copyrun_status_clear(&s->st);
	if (copyrun_read(m->job, &s->st, &cause) != 0) {
		free(cause);
		s->have = 0;
		return;
	}
	s->have = 1;
	if (s->rate_ms == 0 || s->st.p.done < s->rate_bytes) {
		s->rate_ms = now;
		s->rate_bytes = s->st.p.done;
	} else if (now - s->rate_ms >= 500) {
		double r = (double)(s->st.p.done - s->rate_bytes) * 1000.0 /
		    (double)(now - s->rate_ms);

		s->rate = s->rate == 0 ? r : 0.7 * s->rate + 0.3 * r;
		if (now - s->rate_ms >= RATE_WINDOW_MS) {
			s->rate_ms = now;
			s->rate_bytes = s->st.p.done;
		}
	}
	load_set(s, m, 0);
}

static int
copy_enter(struct wiz_model *m, void **data, char **cause)
{
	struct copyrun_args	 a;
	struct copyrun_status	 st;
	struct copy		*s;
	char			*c2 = NULL;
	int			 rc, running = 0, started;

	if (m->job == NULL)
		return ds_cause(cause, DS_E_INVAL, "%s", _("no job chosen"));
	if (copyrun_read(m->job, &st, &c2) == 0) {
		running = copyrun_alive(&st);
		copyrun_status_clear(&st);
	}
	free(c2);
	started = running;
	if (!running && m->drive != NULL) {
		/* Start (or resume onto) the drive just confirmed. */
		memset(&a, 0, sizeof a);
		a.job = m->job;
		a.resume = m->ndrives > 0 || m->resume;
		a.staging = a.resume ? NULL : m->staging;
		a.drive = m->drive;
		a.confirm = m->confirm_id;
		a.overwrite_job = m->overwrite_job;
		a.skip_unreadable = m->skip_unreadable;
		if ((rc = copyrun_start(&a, cause)) != 0)
			return rc;
		wiz_add_drive(m, m->drive);
		wiz_set(&m->drive, NULL);
		wiz_set(&m->confirm_id, NULL);
		wiz_set(&m->overwrite_job, NULL);
		started = 1;
	}
	if ((s = calloc(1, sizeof *s)) == NULL)
		return ds_cause(cause, DS_E_NOMEM, "copy");
	s->started = started;
	read_status(s, m);
	load_set(s, m, 1);
	*data = s;
	return 0;
}

static void
hms(char *buf, size_t len, double secs)
{
	long t = secs < 0 ? 0 : (long)(secs + 0.5);

	snprintf(buf, len, "%02ld:%02ld:%02ld", t / 3600, t / 60 % 60, t % 60);
}

/* One row per drive of the set: how full it is. */
static void
draw_drives(struct copy *s, int y, int rows)
{
	char	used[24], size[24], num[16];
	size_t	i;
	int	cur = s->st.p.drive_index, x;

	if (s->set == NULL)
		return;
	ui_print(y++, 2, 0, UI_TITLE, _("Drives of the set:"));
	for (i = 0; i < s->set->ndrives && (int)i < rows - 1; i++, y++) {
		const struct ds_prepared_drive *d = &s->set->drives[i];
		uint64_t u = d->bytes_used, z = d->size;

		if (d->index == cur && s->st.p.drive_size > 0) {
			u = s->st.p.drive_used;
			z = s->st.p.drive_size;
		}
		/* The drive index, numbered as everywhere else. */
		snprintf(num, sizeof num, "%d.", d->index);
		x = ui_cell(y, 3, 3, d->index == cur ? UI_NORMAL : UI_DIM, 1,
		    num);
		ui_cell(y, x, 26, d->index == cur ? UI_NORMAL : UI_DIM, 0,
		    d->path);
		ui_bar(y, 34, 16, u, z);
		ui_printf(y, 51, 0, UI_NORMAL, "%s / %s%s",
		    ds_human_size(used, sizeof used, u),
		    ds_human_size(size, sizeof size, z),
		    d->complete ? _(" closed") : "");
	}
}

static const char *
state_text(enum copyrun_state state)
{
	switch (state) {
	case COPYRUN_RUNNING:
		return _("Copying.");
	case COPYRUN_VERIFYING:
		return _("Copied. Reading the drives back to verify them.");
	case COPYRUN_NEED_DRIVE:
		return _("The drive is full: the copy needs another "
		    "drive. Plug one in and press Enter to choose it.");
	case COPYRUN_DONE:
		return _("All of the staging folder is on the drives and "
		    "verified. Press Enter for the recovery keys.");
	case COPYRUN_DAMAGED:
		return _("Verify found damage on the drives:");
	case COPYRUN_STOPPED:
		return _("The copy is stopped. Everything copied so far is "
		    "kept: press r to resume it.");
	case COPYRUN_FAILED:
		return _("The copy failed; what was copied is kept and r "
		    "resumes it once the cause is fixed:");
	case COPYRUN_COPIED:
		return _("All of the staging folder is on the drives. Press "
		    "Enter to verify them.");
	}
	return "";
}

static void
copy_draw(struct wiz_model *m, void *data)
{
	struct copy			*s = data;
	const struct copyrun_status	*st = &s->st;
	char				 a[24], b[24], eta[64];
	int				 pct = 0, alive;
	enum ui_role			 role;

	ui_printf(2, 2, 0, UI_NORMAL, _("Job %s"), m->job);
	if (!s->have) {
		if (s->started)
			ui_print(4, 2, 0, UI_DIM, _("Starting the copy..."));
		else
			ui_wrap(4, 2, ui_cols() - 4, 2, UI_WARNING, _("No copy "
			    "of this job is running. Press r to resume it."));
		if (s->error != NULL)
			ui_wrap(7, 2, ui_cols() - 4, 2, UI_ERROR, s->error);
		return;
	}
	alive = copyrun_alive(st);
	/* Waiting for a drive is no phase of the copy's own. */
	ui_printf(3, 2, 0, UI_NORMAL, _("Phase: %s"),
	    st->state == COPYRUN_DONE ? _("finished") :
	    st->state == COPYRUN_NEED_DRIVE ? _("waiting for the next drive") :
	    copyrun_phase_name(st->p.phase));
	if (st->state == COPYRUN_DONE)
		pct = 100;
	else if (st->p.total > 0)
		pct = (int)((double)st->p.done * 100.0 / (double)st->p.total);
	ui_bar(5, 2, ui_cols() - 11, (uint64_t)pct, 100);
	ui_printf(5, ui_cols() - 8, 0, UI_NORMAL, "%3d%%", pct);
	if (st->p.total > 0)
		ui_printf(6, 2, 0, UI_NORMAL, _("Bytes: %s of %s   Files: %llu "
		    "of %llu"), ds_human_size(a, sizeof a, st->p.done),
		    ds_human_size(b, sizeof b, st->p.total),
		    (unsigned long long)st->p.files_done,
		    (unsigned long long)st->p.files_total);
	else
		ui_printf(6, 2, 0, UI_NORMAL, _("Bytes: %s"),
		    ds_human_size(a, sizeof a, st->p.done));
	if (alive && s->rate > 0 && st->p.total > 0) {
		hms(eta, sizeof eta, (double)(st->p.total - (st->p.done <
		    st->p.total ? st->p.done : st->p.total)) / s->rate);
		ui_printf(7, 2, 0, UI_NORMAL, _("Rate: %s/s   Time left "
		    "(estimate): %s"), ds_human_size(a, sizeof a,
		    (uint64_t)s->rate), eta);
	} else if (alive)
		ui_print(7, 2, 0, UI_DIM, _("Rate: measuring..."));
	ui_printf(8, 2, 0, UI_DIM, _("Now: %s"),
	    st->p.current != NULL ? st->p.current : "-");
	draw_drives(s, 10, ui_lines() - 18);
	switch (st->state) {
	case COPYRUN_RUNNING:
	case COPYRUN_VERIFYING:
	case COPYRUN_DONE:
		role = UI_GOOD;
		break;
	case COPYRUN_NEED_DRIVE:
	case COPYRUN_STOPPED:
	case COPYRUN_COPIED:
		role = UI_WARNING;
		break;
	default:
		role = UI_ERROR;
		break;
	}
	if (!alive && (st->state == COPYRUN_RUNNING ||
	    st->state == COPYRUN_VERIFYING))
		ui_wrap(ui_lines() - 7, 2, ui_cols() - 4, 2, UI_ERROR,
		    _("The copy's process ended without a word (killed?). "
		    "Everything committed is kept: press r to resume."));
	else
		ui_wrap(ui_lines() - 7, 2, ui_cols() - 4, 2, role,
		    state_text(st->state));
	if (st->message != NULL && (st->state == COPYRUN_DAMAGED ||
	    st->state == COPYRUN_FAILED))
		ui_wrap(ui_lines() - 5, 4, ui_cols() - 6, 2, UI_ERROR,
		    st->message);
	else if (alive)
		ui_wrap(ui_lines() - 5, 2, ui_cols() - 4, 2, UI_DIM,
		    _("The copy runs on its own: q leaves the wizard and the "
		    "copy goes on; diskseed shows it again when started."));
	if (s->error != NULL)
		ui_wrap(ui_lines() - 4, 2, ui_cols() - 4, 1, UI_ERROR,
		    s->error);
	if (s->asking)
		ui_popup(_("Stop the copy?"), _("Stopping is safe: everything "
		    "copied so far is kept and the copy resumes where it "
		    "stopped."), _("y: stop   n or Esc: go on copying"), NULL);
}

/* Resumes a stopped or failed copy on the drives it already has. */
static enum screen_action
resume(struct copy *s, struct wiz_model *m)
{
	struct copyrun_args	 a;
	struct ds_prepared	*p = NULL;
	char			*cause = NULL, *id = NULL;
	size_t			 i;
	int			 rc;

	memset(&a, 0, sizeof a);
	a.job = m->job;
	a.resume = 1;
	a.skip_unreadable = m->skip_unreadable;
	free(s->error);
	s->error = NULL;
	/*
	 * Go on writing the drive the set was filling: it carries this set's
	 * header already and was confirmed when the copy started on it.
	 */
	if (ds_prepared_load(m->job, &p, &cause) == 0) {
		for (i = p->ndrives; i > 0; i--) {
			if (!p->drives[i - 1].complete) {
				a.drive = p->drives[i - 1].path;
				break;
			}
		}
	}
	free(cause);
	cause = NULL;
	if (a.drive != NULL && (id = ds_gate_confirm_id(a.drive, &cause)) ==
	    NULL) {
		s->error = ui_error_text(DS_E_INELIGIBLE, cause);
		ds_prepared_free(p);
		return SA_REDRAW;
	}
	a.confirm = id;
	if ((rc = copyrun_start(&a, &cause)) != 0)
		s->error = ui_error_text(rc, cause);
	free(id);
	ds_prepared_free(p);
	s->stop_sent = 0;
	s->started = 1;
	s->rate = 0;
	s->rate_ms = 0;
	read_status(s, m);
	return SA_REDRAW;
}

/* Verifies a set that diskseed prep copied (the wizard did not). */
static enum screen_action
verify(struct copy *s, struct wiz_model *m)
{
	struct copyrun_args	 a;
	char			*cause = NULL;
	int			 rc;

	memset(&a, 0, sizeof a);
	a.job = m->job;
	a.verify_only = 1;
	free(s->error);
	s->error = NULL;
	if ((rc = copyrun_start(&a, &cause)) != 0)
		s->error = ui_error_text(rc, cause);
	read_status(s, m);
	return SA_REDRAW;
}

static enum screen_action
copy_key(struct wiz_model *m, void *data, int key)
{
	struct copy	*s = data;
	int		 alive = s->have && copyrun_alive(&s->st);

	if (s->asking) {
		s->asking = 0;
		if ((key == 'y' || key == 'Y' || (key > 0 && key < 128 &&
		    strchr(_("yY"), key) != NULL)) && alive) {
			copyrun_stop(&s->st);
			s->stop_sent = 1;
		}
		return SA_REDRAW;
	}
	if (key == UI_CTRL_C && alive) {
		s->asking = 1;
		return SA_REDRAW;
	}
	if (key == 'q')
		return SA_QUIT;
	if (alive) {
		if (key == UI_ESC)
			return SA_STAY;		/* no way back mid-copy */
		return SA_UNHANDLED;
	}
	switch (key) {
	case '\n':
		if (!s->have)
			return SA_STAY;
		if (s->st.state == COPYRUN_NEED_DRIVE) {
			m->copy_next = WIZ_NEXT_DRIVE;
			return SA_NEXT;
		}
		if (s->st.state == COPYRUN_DONE) {
			m->copy_next = WIZ_NEXT_KEYS;
			return SA_NEXT;
		}
		if (s->st.state == COPYRUN_COPIED)
			return verify(s, m);
		return SA_STAY;
	case 'r':
		if (!s->have && !s->started)
			return resume(s, m);
		if (s->have && (s->st.state == COPYRUN_STOPPED ||
		    s->st.state == COPYRUN_FAILED ||
		    s->st.state == COPYRUN_RUNNING ||
		    s->st.state == COPYRUN_VERIFYING))
			return resume(s, m);
		return SA_STAY;
	case UI_ESC:
		return SA_QUIT;
	}
	return SA_UNHANDLED;
}

static enum screen_action
copy_event(struct wiz_model *m, void *data)
{
	struct copy		*s = data;
	int64_t			 was = s->st.updated;
	enum copyrun_state	 state = s->st.state;
	int			 had = s->have, alive = s->alive;

	size_t			 n = s->set != NULL ? s->set->ndrives : 0;

	read_status(s, m);
	s->alive = s->have && copyrun_alive(&s->st);
	if (state != s->st.state)
		load_set(s, m, 1);
	/* Redraw only when the copy said something new. */
	if (had == s->have && was == s->st.updated && state == s->st.state &&
	    alive == s->alive && n == (s->set != NULL ? s->set->ndrives : 0))
		return SA_STAY;
	return SA_REDRAW;
}

static void
copy_leave(void *data)
{
	struct copy *s = data;

	if (s == NULL)
		return;
	copyrun_status_clear(&s->st);
	ds_prepared_free(s->set);
	free(s->error);
	free(s);
}

const struct screen_ops screen_copy_ops = {
	.name = "copy",
	.title = N_("Copy"),
	/* TRANSLATORS: the help line; must fit in 78 columns. */
	.keys = N_("Ctrl-C: stop  Enter: go on when done  r: resume  "
	    "F1/?: help  q: leave"),
	.help = N_("The staging folder is compressed, encrypted and written "
	    "onto the drive, then every drive of the set is read back and "
	    "verified. The time left is an estimate from the recent rate.\n\n"
	    "When a drive is full you are asked for the next one: plug it "
	    "in, press Enter, choose and confirm it, and the copy goes on "
	    "there.\n\nCtrl-C asks before stopping. A stop is always safe: "
	    "r resumes where it stopped, now or in a later run of diskseed. "
	    "The copy runs in its own process: leaving the wizard or losing "
	    "the connection does not stop it, and diskseed shows it again "
	    "when started."),
	.tick_ms = 200,
	.enter = copy_enter,
	.draw = copy_draw,
	.key = copy_key,
	.event = copy_event,
	.leave = copy_leave,
};
