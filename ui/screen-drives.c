/* SPDX-License-Identifier: MIT */
/*
 * screen-drives.c: the drives the system has, live (a plugged drive
 * appears, a pulled one goes), eligible ones first, with the reasons why
 * the others cannot be used. Nothing is selected until the user moves.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curses.h>

#include "drives.h"
#include "error.h"
#include "screen.h"
#include "util.h"
#include "widgets.h"

#define LIST_Y		5
#define LIST_ROWS	(ui_lines() - 13)

struct drives {
	struct ds_drive_limits	 lim;
	struct ds_drive_list	*list;
	struct ds_drive_monitor	*mon;
	struct ui_list		 ui;
	int			 selected;	/* the user moved to one */
	char			*error;
	char			*monitor_error;
};

static int
drive_used(const struct wiz_model *m, const struct ds_drive *d)
{
	size_t i;

	for (i = 0; i < m->ndrives; i++) {
		if (strcmp(m->drives[i], d->devnode) == 0)
			return 1;
	}
	/* A drive of this job's set, full or not: never a new target. */
	return d->seed.is_seed && d->seed.job != NULL && m->job != NULL &&
	    strcmp(d->seed.job, m->job) == 0;
}

/* Lists the drives again, keeping the selection on the same device. */
static void
relist(struct drives *s, const struct wiz_model *m)
{
	struct ds_drive_list	*list = NULL;
	char			*cause = NULL, *keep = NULL;
	size_t			 i;
	int			 rc;

	if ((rc = ds_drives_list(&s->lim, m->all_drives, &list, &cause)) !=
	    0) {
		free(s->error);
		s->error = ui_error_text(rc, cause);
		return;
	}
	if (s->selected && s->list != NULL && s->ui.sel < s->list->n)
		keep = strdup(s->list->v[s->ui.sel].devnode);
	ds_drive_list_free(s->list);
	s->list = list;
	s->ui.n = list->n;
	if (keep != NULL) {
		s->selected = 0;
		for (i = 0; i < list->n; i++) {
			if (strcmp(list->v[i].devnode, keep) == 0) {
				s->ui.sel = i;
				s->selected = 1;
			}
		}
		free(keep);
	}
	if (s->ui.sel >= s->ui.n)
		s->ui.sel = 0;
}

static int
drives_enter(struct wiz_model *m, void **data, char **cause)
{
	struct drives	*s;
	char		*mcause = NULL;
	size_t		 i;
	int		 rc;

	if ((s = calloc(1, sizeof *s)) == NULL)
		return ds_cause(cause, DS_E_NOMEM, "drives");
	if ((rc = ds_drive_limits_init(&s->lim, cause)) != 0) {
		free(s);
		return rc;
	}
	if ((rc = ds_drive_monitor_new(&s->lim, &s->mon, &mcause)) != 0) {
		s->mon = NULL;
		s->monitor_error = ui_error_text(rc, mcause);
	}
	relist(s, m);
	/* Back from the confirmation: the drive chosen is chosen still. */
	for (i = 0; m->drive != NULL && s->list != NULL && i < s->list->n;
	    i++)
		if (strcmp(s->list->v[i].devnode, m->drive) == 0 &&
		    !drive_used(m, &s->list->v[i])) {
			s->ui.sel = i;
			s->selected = 1;
		}
	*data = s;
	return 0;
}

static void
reasons_text(const struct ds_drive *d, char *buf, size_t len)
{
	size_t	off = 0;
	int	i;

	buf[0] = '\0';
	for (i = 0; i < DS_DRIVE_NREASONS; i++) {
		if ((d->reasons & (1U << i)) == 0)
			continue;
		off += (size_t)snprintf(buf + off, len - off, "%s%s%s%s%s",
		    off > 0 ? "; " : "", _(ds_drive_reason_text(1U << i)),
		    d->details[i] != NULL ? " (" : "",
		    d->details[i] != NULL ? d->details[i] : "",
		    d->details[i] != NULL ? ")" : "");
		if (off >= len)
			return;
	}
}

static void
warnings_text(const struct ds_drive *d, char *buf, size_t len)
{
	size_t	off = 0;
	int	i;

	buf[0] = '\0';
	for (i = 0; i < DS_DRIVE_NWARNINGS; i++) {
		if ((d->warnings & (1U << i)) == 0)
			continue;
		off += (size_t)snprintf(buf + off, len - off, "%s%s",
		    off > 0 ? "; " : "", _(ds_drive_warning_text(1U << i)));
		if (off >= len)
			return;
	}
}

/*
 * One row of the list (or its heading) in ROLE across the frame, in
 * columns of display width so that they line up in every language.
 */
static void
draw_row(int y, enum ui_role role, const char *dev, const char *size,
    const char *bus, const char *model, const char *serial,
    const char *usable)
{
	static const int	 w[] = { 12, -9, 10, 16, 12, 0 };
	const char		*cell[] = { dev, size, bus, model, serial,
	    usable };

	ui_row(y, role, 1, w, cell, 6);
}

static void
drives_draw(struct wiz_model *m, void *data)
{
	struct drives		*s = data;
	const struct ds_drive	*d;
	char			 size[24], text[512], *seed;
	size_t			 i;
	int			 y, rows = LIST_ROWS;

	if (m->ndrives > 0)
		ui_printf(2, 2, 0, UI_WARNING, P_("%zu drive is in the set "
		    "already. Choose the next one.", "%zu drives are in the "
		    "set already. Choose the next one.", m->ndrives),
		    m->ndrives);
	else
		ui_print(2, 2, 0, UI_NORMAL, _("Choose the drive to format. "
		    "The list follows drives as they are plugged in."));
	if (s->monitor_error != NULL)
		ui_print(3, 2, 0, UI_WARNING, s->monitor_error);
	draw_row(LIST_Y - 1, UI_DIM, _("Device"), _("Size"), _("Bus"),
	    _("Model"), _("Serial"), _("Usable"));
	if (s->list == NULL || s->list->n == 0) {
		ui_print(LIST_Y, 3, 0, UI_NORMAL, _("No drives found. Plug one "
		    "in; it appears here by itself."));
	}
	ui_list_scroll(&s->ui, rows);
	for (i = s->ui.top, y = LIST_Y; s->list != NULL && i < s->list->n &&
	    y < LIST_Y + rows; i++, y++) {
		enum ui_role	role = UI_NORMAL;
		const char	*usable;

		d = &s->list->v[i];
		if (s->selected && i == s->ui.sel)
			role = UI_SELECTED;
		if (drive_used(m, d))
			usable = _("in set");
		else if (d->reasons == 0 && d->seed.is_seed)
			usable = _("diskseed");
		else
			usable = d->reasons == 0 ? _("yes") : _("no");
		draw_row(y, role, d->devnode, ds_human_size(size, sizeof size,
		    d->size), _(ds_drive_bus_text(d)), d->model != NULL ?
		    d->model : "-", d->serial != NULL ? d->serial : "-",
		    usable);
	}
	y = ui_lines() - 8;
	if (s->selected && s->list != NULL && s->ui.sel < s->list->n) {
		d = &s->list->v[s->ui.sel];
		reasons_text(d, text, sizeof text);
		if (d->reasons != 0) {
			ui_printf(y, 2, 0, UI_ERROR, _("%s cannot be used:"),
			    d->devnode);
			ui_wrap(y + 1, 4, ui_cols() - 6, 2, UI_ERROR, text);
		} else {
			warnings_text(d, text, sizeof text);
			ui_printf(y, 2, 0, UI_GOOD, _("%s can be used."),
			    d->devnode);
			if (text[0] != '\0')
				ui_wrap(y + 1, 4, ui_cols() - 6, 2,
				    UI_WARNING, text);
		}
		/* What it holds of diskseed, on the row above. */
		if ((seed = wiz_seed_text(&d->seed)) != NULL) {
			ui_wrap(y - 1, 2, ui_cols() - 4, 1, UI_WARNING, seed);
			free(seed);
		}
	}
	if (s->error != NULL)
		ui_wrap(ui_lines() - 5, 2, ui_cols() - 4, 2, UI_ERROR,
		    s->error);
}

static enum screen_action
drives_key(struct wiz_model *m, void *data, int key)
{
	struct drives		*s = data;
	const struct ds_drive	*d;
	char			 text[512];

	if (s->error != NULL) {
		free(s->error);
		s->error = NULL;
	}
	if (!s->selected && s->ui.n > 0 && (key == UI_KEY(KEY_DOWN) ||
	    key == UI_KEY(KEY_UP))) {
		s->selected = 1;
		s->ui.sel = 0;
		return SA_REDRAW;
	}
	if (ui_list_key(&s->ui, key, LIST_ROWS)) {
		s->selected = 1;
		return SA_REDRAW;
	}
	switch (key) {
	case 'a':
		m->all_drives = !m->all_drives;
		relist(s, m);
		return SA_REDRAW;
	case 'r':
	case UI_KEY(KEY_F(5)):
		relist(s, m);
		return SA_REDRAW;
	case '\n':
		if (!s->selected || s->list == NULL || s->ui.sel >= s->ui.n) {
			s->error = strdup(_("Choose a drive with the arrow "
			    "keys first."));
			return SA_REDRAW;
		}
		d = &s->list->v[s->ui.sel];
		if (drive_used(m, d)) {
			if (asprintf(&s->error, _("%s is already in this set."),
			    d->devnode) < 0)
				s->error = NULL;
			return SA_REDRAW;
		}
		if (d->reasons != 0) {
			reasons_text(d, text, sizeof text);
			if (asprintf(&s->error, _("%s cannot be used: %s"),
			    d->devnode, text) < 0)
				s->error = NULL;
			return SA_REDRAW;
		}
		wiz_set(&m->drive, d->devnode);
		return SA_NEXT;
	}
	return SA_UNHANDLED;
}

static int
drives_fd(void *data)
{
	struct drives *s = data;

	return s->mon != NULL ? ds_drive_monitor_fd(s->mon) : -1;
}

/* A drive came or went: read every pending event, then list again. */
static enum screen_action
drives_event(struct wiz_model *m, void *data)
{
	struct drives		*s = data;
	struct ds_drive_event	 ev;
	char			*cause = NULL;
	int			 got = 1, n = 0;

	while (s->mon != NULL && got) {
		memset(&ev, 0, sizeof ev);
		if (ds_drive_monitor_read(s->mon, &ev, &got, &cause) != 0) {
			free(cause);
			break;
		}
		if (got) {
			ds_drive_event_clear(&ev);
			n++;
		}
	}
	if (n == 0)
		return SA_STAY;
	relist(s, m);
	return SA_REDRAW;
}

static void
drives_leave(void *data)
{
	struct drives *s = data;

	if (s == NULL)
		return;
	ds_drive_list_free(s->list);
	ds_drive_monitor_free(s->mon);
	free(s->error);
	free(s->monitor_error);
	free(s);
}

const struct screen_ops screen_drives_ops = {
	.name = "drives",
	.title = N_("Drives"),
	/* TRANSLATORS: the help line; must fit in 78 columns. */
	.keys = N_("Up/Down: choose  Enter: use  a: all/real  r: rescan  "
	    "F1/?: help  Esc: back"),
	.help = N_("The drives attached to this computer, the usable ones "
	    "first. A drive cannot be used when it holds the system, has a "
	    "mounted filesystem or swap, is in use by LVM, RAID or "
	    "dm-crypt, is read-only, or is too small or too large; the "
	    "reason is shown when you move to it. Nothing is selected until "
	    "you choose.\n\nThe list follows drives as they are plugged in "
	    "and pulled out; r lists them again. a also shows virtual disks "
	    "(loop devices over image files, for tests and trials).\n\n"
	    "Enter goes to the confirmation: nothing is written before it."),
	.enter = drives_enter,
	.draw = drives_draw,
	.key = drives_key,
	.fd = drives_fd,
	.event = drives_event,
	.leave = drives_leave,
};
