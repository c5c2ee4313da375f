/* SPDX-License-Identifier: MIT */
/* screen-menu.c: the first menu — prepare drives, shipping, status. */
#include "config.h"

#include <stdlib.h>

#include <curses.h>

#include "error.h"
#include "screen.h"
#include "widgets.h"

static const struct {
	enum wiz_mode	 mode;
	const char	*label;
	const char	*what;
} entries[] = {
	{ WIZ_MODE_PREPARE, N_("Prepare drives"),
	    N_("Copy a staging folder onto drives, then create the import "
	    "job and send the shipping details.") },
	{ WIZ_MODE_SHIP, N_("Update shipping details"),
	    N_("Send the carrier and tracking number of drives already "
	    "prepared for an import job.") },
	{ WIZ_MODE_STATUS, N_("Job status"),
	    N_("Show the state of your import jobs and of each drive.") },
};
#define NENTRIES (sizeof entries / sizeof entries[0])

struct menu {
	struct ui_list	list;
};

static int
menu_enter(struct wiz_model *m, void **data, char **cause)
{
	struct menu	*s;
	size_t		 i;

	if ((s = calloc(1, sizeof *s)) == NULL)
		return ds_cause(cause, DS_E_NOMEM, "menu");
	s->list.n = NENTRIES;
	for (i = 0; i < NENTRIES; i++) {
		if (entries[i].mode == m->mode)
			s->list.sel = i;
	}
	*data = s;
	return 0;
}

static void
menu_draw(struct wiz_model *m, void *data)
{
	struct menu	*s = data;
	size_t		 i;
	int		 y = 6;

	(void)m;
	ui_wrap(2, 4, ui_cols() - 8, 2, UI_NORMAL,
	    _("diskseed writes a first backup, compressed and encrypted, onto "
	    "drives that are shipped to the datacenter. What do you want to "
	    "do?"));
	for (i = 0; i < NENTRIES; i++, y += 4) {
		enum ui_role role = i == s->list.sel ? UI_SELECTED : UI_NORMAL;

		ui_printf(y, 6, ui_cols() - 12, role, " %zu  %s ", i + 1,
		    _(entries[i].label));
		ui_wrap(y + 1, 11, ui_cols() - 16, 2, UI_DIM,
		    _(entries[i].what));
	}
}

static enum screen_action
menu_key(struct wiz_model *m, void *data, int key)
{
	struct menu *s = data;

	if (ui_list_key(&s->list, key, (int)NENTRIES))
		return SA_REDRAW;
	if (key >= '1' && key < '1' + (int)NENTRIES) {
		s->list.sel = (size_t)(key - '1');
		key = '\n';
	}
	switch (key) {
	case '\n':
		m->mode = entries[s->list.sel].mode;
		return SA_NEXT;
	case 'q':
	case UI_ESC:
		return SA_QUIT;
	}
	return SA_UNHANDLED;
}

static void
menu_leave(void *data)
{
	free(data);
}

const struct screen_ops screen_menu_ops = {
	.name = "menu",
	.title = N_("diskseed: offline seeding"),
	/* TRANSLATORS: the help line; must fit in 78 columns. */
	.keys = N_("Up/Down: choose  Enter: go  1-3: go  F1/?: help  "
	    "q: quit"),
	.help = N_("Choose what to do with the arrow keys and Enter, or "
	    "press its number.\n\nPrepare drives: pick the publish-settings "
	    "file and the staging folder, format and fill the drives, then "
	    "create the import job and send the shipping details.\n\n"
	    "Update shipping details: for drives already prepared.\n\n"
	    "Job status: the state of each job and drive.\n\n"
	    "Everywhere: Esc goes back, F1 or ? shows help, Ctrl-C asks "
	    "before quitting."),
	.enter = menu_enter,
	.draw = menu_draw,
	.key = menu_key,
	.leave = menu_leave,
};
