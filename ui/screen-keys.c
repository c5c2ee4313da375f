/* SPDX-License-Identifier: MIT */
/*
 * screen-keys.c: the recovery key of each drive of the set, once the copy
 * is verified, and where the key file is; the user confirms that the
 * keys are saved before going on.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curses.h>

#include "error.h"
#include "prepared.h"
#include "screen.h"
#include "state.h"
#include "widgets.h"

struct keys {
	struct ds_prepared	*set;	/* holds the keys; wiped on free */
	char			*file;
	int			 asked;	/* y pressed once: ask to be sure */
	size_t			 top;	/* first drive shown */
};

static int
keys_enter(struct wiz_model *m, void **data, char **cause)
{
	struct keys	*s;
	char		*name = NULL;
	int		 rc;

	if (m->job == NULL)
		return ds_cause(cause, DS_E_INVAL, "%s", _("no job chosen"));
	if ((s = calloc(1, sizeof *s)) == NULL)
		return ds_cause(cause, DS_E_NOMEM, "keys");
	if ((rc = ds_prepared_load(m->job, &s->set, cause)) != 0) {
		free(s);
		return rc;
	}
	if (asprintf(&name, "jobs/%s/drives.json", m->job) >= 0)
		s->file = ds_state_path(name, NULL);
	free(name);
	*data = s;
	return 0;
}

/*
 * Prints KEY (16 groups) from (y, x): on one row when it fits in W
 * columns, else 8 groups a row. Returns the rows used. A key split so
 * is read back whole by --recovery-keys (ui/rkeyfile.c).
 */
static int
draw_key(int y, int x, int w, const char *key)
{
	const char	*p = key;
	int		 groups = 0;
	size_t		 n = 0;

	if (ui_width(key) <= w) {
		ui_print(y, x, w, UI_TITLE, key);
		return 1;
	}
	while (p[n] != '\0' && groups < 8) {
		if (p[n] == '-' || p[n] == ' ')
			groups++;
		if (groups < 8)
			n++;
	}
	ui_printf(y, x, w, UI_TITLE, "%.*s", (int)n, p);
	if (p[n] != '\0')
		ui_print(y + 1, x, w, UI_TITLE, p + n + 1);
	return 2;
}

/* Rows one drive takes: its label, then its key. */
#define DRIVE_ROWS	3
#define KEYS_Y		5

/* How many drives fit between the text above and the one below. */
static size_t
drives_shown(void)
{
	int rows = (ui_lines() - 8 - KEYS_Y) / DRIVE_ROWS;

	return rows > 0 ? (size_t)rows : 1;
}

static void
keys_draw(struct wiz_model *m, void *data)
{
	struct keys	*s = data;
	size_t		 i, shown = drives_shown();
	int		 y = KEYS_Y;

	(void)m;
	ui_wrap(2, 2, ui_cols() - 4, 2, UI_NORMAL, _("These recovery keys "
	    "unlock the drives. The import job receives them too; keep a copy "
	    "somewhere safe, away from the drives."));
	if (s->top + shown > s->set->ndrives)
		s->top = s->set->ndrives > shown ? s->set->ndrives - shown : 0;
	for (i = s->top; i < s->set->ndrives && i < s->top + shown; i++) {
		const struct ds_prepared_drive *d = &s->set->drives[i];

		/*
		 * The drive index, as prep prints it, inspect shows it and
		 * --recovery-keys reads it: one numbering everywhere.
		 */
		ui_printf(y, 2, 0, UI_NORMAL, _("Drive %d (%s):"), d->index,
		    d->drive_id != NULL ? d->drive_id : "-");
		if (d->recovery_key != NULL)
			draw_key(y + 1, 4, ui_cols() - 6, d->recovery_key);
		y += DRIVE_ROWS;
	}
	if (s->set->ndrives > shown)
		ui_printf(KEYS_Y - 1, ui_cols() - 30, 28, UI_DIM, "%*s", 28,
		    s->top + shown < s->set->ndrives ?
		    _("more below: Down/PgDn") : _("more above: Up/PgUp"));
	if (s->file != NULL)
		ui_wrap(ui_lines() - 7, 2, ui_cols() - 4, 2, UI_DIM, s->file);
	ui_wrap(ui_lines() - 5, 2, ui_cols() - 4, 2, s->asked ? UI_WARNING :
	    UI_NORMAL, s->asked ? _("Sure? Without the keys nobody can read "
	    "the drives. Press y again once they are saved.") :
	    _("The key file above is readable only by you. Press y once "
	    "the keys are saved."));
}

static enum screen_action
keys_key(struct wiz_model *m, void *data, int key)
{
	struct keys *s = data;

	switch (key) {
	case UI_KEY(KEY_UP):
		s->top = s->top > 0 ? s->top - 1 : 0;
		return SA_REDRAW;
	case UI_KEY(KEY_PPAGE):
		s->top = s->top > drives_shown() ? s->top - drives_shown() : 0;
		return SA_REDRAW;
	case UI_KEY(KEY_DOWN):
		s->top++;		/* kept in range when drawn */
		return SA_REDRAW;
	case UI_KEY(KEY_NPAGE):
		s->top += drives_shown();
		return SA_REDRAW;
	}
	if (key == 'y' || key == 'Y' || (key > 0 && key < 128 &&
	    strchr(_("yY"), key) != NULL)) {
		if (s->asked) {
			char	*cause = NULL;
			int	 rc;

			if ((rc = wiz_keys_confirm(m->job, &cause)) != 0) {
				free(m->message);
				m->message = ui_error_text(rc, cause);
				return SA_REDRAW;
			}
			m->need_keys = 0;
			return SA_NEXT;
		}
		s->asked = 1;
		return SA_REDRAW;
	}
	if (s->asked && key != UI_KEY(KEY_F(1)) && key != '?') {
		s->asked = 0;
		return SA_REDRAW;
	}
	return SA_UNHANDLED;
}

static void
keys_leave(void *data)
{
	struct keys *s = data;

	if (s == NULL)
		return;
	ds_prepared_free(s->set);
	free(s->file);
	free(s);
}

const struct screen_ops screen_keys_ops = {
	.name = "keys",
	.title = N_("Recovery keys"),
	/* TRANSLATORS: the help line; must fit in 78 columns. */
	.keys = N_("y: the keys are saved  Up/Down: more drives  F1/?: help  "
	    "Esc: back"),
	.help = N_("Each drive is encrypted with its own key. The import "
	    "job gets the keys so that the datacenter can read the drives; "
	    "you need them to restore from the drives yourself (diskseed "
	    "restore) or to check them (diskseed verify) on another "
	    "computer.\n\nThe keys are in the key file shown, readable only "
	    "by you. Write them down or copy them somewhere safe, then press "
	    "y twice."),
	.enter = keys_enter,
	.draw = keys_draw,
	.key = keys_key,
	.leave = keys_leave,
};
