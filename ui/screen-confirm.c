/* SPDX-License-Identifier: MIT */
/*
 * screen-confirm.c: what is on the chosen drive now and that it will all
 * be destroyed; the user types the drive's identifier to go on. A wrong
 * entry is refused. This screen writes nothing: the format gate checks
 * the drive and the identifier again right before prep writes.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curses.h>

#include "drives.h"
#include "error.h"
#include "gate.h"
#include "screen.h"
#include "util.h"
#include "widgets.h"

struct confirm {
	struct ds_drive			*drive;
	struct ds_drive_contents	*contents;
	char				*contents_error;
	char				*id;		/* to be typed */
	struct ui_field			 typed;
	char				*error;
	/* What it holds of diskseed (or NULL), and the unfinished job on
	 * it whose name is typed after the id (second set). */
	char				*seed;
	char				*other_job;
	int				 second;
};

static int
confirm_enter(struct wiz_model *m, void **data, char **cause)
{
	struct ds_drive_limits	 lim;
	struct confirm		*s;
	char			*c2 = NULL;
	int			 rc;

	if (m->drive == NULL)
		return ds_cause(cause, DS_E_INVAL, "%s", _("no drive chosen"));
	if ((s = calloc(1, sizeof *s)) == NULL)
		return ds_cause(cause, DS_E_NOMEM, "confirm");
	if ((rc = ds_drive_limits_init(&lim, cause)) != 0 ||
	    (rc = ds_drive_lookup(m->drive, &lim, &s->drive, cause)) != 0)
		goto fail;
	if (s->drive->reasons != 0) {
		rc = ds_cause(cause, DS_E_INELIGIBLE, "%s", m->drive);
		goto fail;
	}
	if ((s->id = ds_gate_confirm_id(m->drive, cause)) == NULL) {
		rc = DS_E_INELIGIBLE;
		goto fail;
	}
	if ((rc = ds_drive_contents(m->drive, &s->contents, &c2)) != 0) {
		s->contents = NULL;
		s->contents_error = ui_error_text(rc, c2);
	}
	/* A drive of another job that is not finished: named to go on. */
	s->seed = wiz_seed_text(&s->drive->seed);
	if (wiz_seed_unfinished(&s->drive->seed, m->job) &&
	    (s->other_job = strdup(s->drive->seed.job)) == NULL) {
		rc = ds_cause(cause, DS_E_NOMEM, "confirm");
		goto fail;
	}
	wiz_set(&m->overwrite_job, NULL);
	ui_field_init(&s->typed, NULL, 0);
	*data = s;
	return 0;
fail:
	free(s->seed);
	ds_drive_free(s->drive);
	free(s->id);
	free(s);
	return rc;
}

/* Lists partition table, filesystems and labels from row Y; rows used. */
static int
draw_contents(const struct confirm *s, int y, int maxrows)
{
	const struct ds_drive_contents	*c = s->contents;
	char				 size[24];
	size_t				 i;
	int				 rows = 0;

	if (c == NULL) {
		ui_wrap(y, 4, ui_cols() - 6, 1, UI_WARNING,
		    s->contents_error != NULL ? s->contents_error : "");
		return 1;
	}
	if (c->pttype == NULL && c->fstype == NULL) {
		return ui_wrap(y, 4, ui_cols() - 6, 2, UI_NORMAL,
		    _("No partition table or filesystem found (empty, or "
		    "unknown data)."));
	}
	if (c->pttype != NULL)
		ui_printf(y + rows++, 4, 0, UI_NORMAL,
		    P_("Partition table: %s, %zu partition",
		    "Partition table: %s, %zu partitions", c->nparts),
		    c->pttype, c->nparts);
	if (c->fstype != NULL)
		ui_printf(y + rows++, 4, 0, UI_NORMAL, _("Filesystem on the "
		    "whole drive: %s, label \"%s\""), c->fstype,
		    c->label != NULL ? c->label : "");
	for (i = 0; i < c->nparts && rows < maxrows; i++) {
		const struct ds_drive_part *p = &c->parts[i];

		if (i + 1 < c->nparts && rows == maxrows - 1) {
			ui_printf(y + rows++, 6, 0, UI_NORMAL, P_("... and %zu "
			    "more", "... and %zu more", c->nparts - i),
			    c->nparts - i);
			break;
		}
		ui_printf(y + rows++, 6, 0, UI_NORMAL, _("%u: %s, %s, label "
		    "\"%s\""), p->number, ds_human_size(size, sizeof size,
		    p->size), p->fstype != NULL ? p->fstype : _("no "
		    "filesystem"), p->label != NULL ? p->label : "");
	}
	return rows;
}

static void
confirm_draw(struct wiz_model *m, void *data)
{
	struct confirm	*s = data;
	const char	*label[] = { _("Device:"), _("Model:"), _("Serial:"),
	    _("Size:") };
	char		 size[24];
	int		 y, x;

	(void)m;
	x = 3 + ui_widest(label, sizeof label / sizeof label[0]);
	ui_print(2, 2, 0, UI_NORMAL, label[0]);
	ui_print(2, x, 0, UI_NORMAL, s->drive->devnode);
	ui_print(3, 2, 0, UI_NORMAL, label[1]);
	ui_print(3, x, 0, UI_NORMAL, s->drive->model != NULL ?
	    s->drive->model : "-");
	ui_print(4, 2, 0, UI_NORMAL, label[2]);
	ui_print(4, x, 0, UI_NORMAL, s->drive->serial != NULL ?
	    s->drive->serial : "-");
	ui_print(5, 2, 0, UI_NORMAL, label[3]);
	ui_printf(5, x, 0, UI_NORMAL, "%s (%llu %s)",
	    ds_human_size(size, sizeof size, s->drive->size),
	    (unsigned long long)s->drive->size, _("bytes"));
	ui_print(7, 2, 0, UI_TITLE, _("On it now:"));
	y = 8;
	if (s->seed != NULL)
		y += ui_wrap(y, 4, ui_cols() - 6, 2, UI_WARNING, s->seed);
	y += draw_contents(s, y, 6 - (y - 8));
	ui_print(y + 1, 2, 0, UI_ERROR, _("EVERYTHING ON THIS DRIVE WILL BE "
	    "DESTROYED."));
	ui_printf(y + 3, 2, 0, UI_NORMAL, s->second ? _("It holds job %s, "
	    "not finished: type %s to overwrite it:") : _("To confirm, type "
	    "%s and press Enter:"), s->second ? s->other_job : s->id,
	    s->second ? s->other_job : "");
	if (s->error != NULL)
		ui_wrap(y + 5, 4, ui_cols() - 8, 2, UI_ERROR, s->error);
	ui_field_draw(&s->typed, y + 4, 4, 40, 1);
}

static enum screen_action
confirm_key(struct wiz_model *m, void *data, int key)
{
	struct confirm *s = data;

	if (key == '\n') {
		free(s->error);
		s->error = NULL;
		if (s->second) {
			/* The second confirmation: the job's own name. */
			if (strcmp(s->typed.buf, s->other_job) != 0) {
				if (asprintf(&s->error, _("\"%s\" is not "
				    "%s. Nothing was written."), s->typed.buf,
				    s->other_job) < 0)
					s->error = NULL;
				ui_field_set(&s->typed, NULL);
				return SA_REDRAW;
			}
			wiz_set(&m->overwrite_job, s->other_job);
			return SA_NEXT;
		}
		if (!ds_gate_confirm_matches(s->typed.buf, s->id)) {
			if (asprintf(&s->error, _("\"%s\" is not %s. Nothing "
			    "was written. Type it exactly, or Esc to choose "
			    "another drive."), s->typed.buf, s->id) < 0)
				s->error = NULL;
			ui_field_set(&s->typed, NULL);
			return SA_REDRAW;
		}
		wiz_set(&m->confirm_id, s->typed.buf);
		if (s->other_job != NULL) {
			s->second = 1;
			ui_field_set(&s->typed, NULL);
			return SA_REDRAW;
		}
		return SA_NEXT;
	}
	if (ui_field_key(&s->typed, key))
		return SA_REDRAW;
	return SA_UNHANDLED;
}

static void
confirm_leave(void *data)
{
	struct confirm *s = data;

	if (s == NULL)
		return;
	ds_drive_free(s->drive);
	ds_drive_contents_free(s->contents);
	free(s->contents_error);
	free(s->id);
	ui_field_free(&s->typed);
	free(s->error);
	free(s->seed);
	free(s->other_job);
	free(s);
}

const struct screen_ops screen_confirm_ops = {
	.name = "confirm",
	.title = N_("Confirm the format"),
	/* TRANSLATORS: the help line; must fit in 78 columns. */
	.keys = N_("Type the identifier  Enter: confirm  F1: help  "
	    "Esc: another drive"),
	.help = N_("This drive will be formatted: its partition table, "
	    "filesystems and data are destroyed, and diskseed writes its own "
	    "header and the encrypted copy instead.\n\nTo confirm, type the "
	    "identifier shown (the drive's serial number, its "
	    "/dev/disk/by-id name where serials collide, or its name when "
	    "it has no serial) and press Enter. A wrong entry is refused and "
	    "nothing is written. Esc goes back to the list of drives."),
	.enter = confirm_enter,
	.draw = confirm_draw,
	.key = confirm_key,
	.leave = confirm_leave,
};
