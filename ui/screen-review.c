/* SPDX-License-Identifier: MIT */
/*
 * screen-review.c: what will be sent as the shipping details; it is sent
 * only when the user picks Yes. Then the job's new state and the local
 * file where the details are kept.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curses.h>

#include "api.h"
#include "error.h"
#include "jobstore.h"
#include "screen.h"
#include "widgets.h"

struct review {
	int		 yes;		/* the Yes button is selected */
	int		 sending;	/* commit on the next tick */
	int		 sent;
	char		*state;		/* the job's state after sending */
	char		*error;
};

static int
review_enter(struct wiz_model *m, void **data, char **cause)
{
	struct review *s;

	if (m->shipment == NULL)
		return ds_cause(cause, DS_E_INVAL, "%s",
		    _("no shipping details to review"));
	if ((s = calloc(1, sizeof *s)) == NULL)
		return ds_cause(cause, DS_E_NOMEM, "review");
	*data = s;
	return 0;
}

static const char *
or_dash(const char *s)
{
	return s != NULL && *s != '\0' ? s : "-";
}

/*
 * "10100 Torino, Italy": postal code, city, state and country with the
 * empty ones left out (no stray space or comma). Allocated; caller frees.
 */
static char *
city_line(const struct ds_address *a)
{
	const char	*part[] = { a->postal_code, a->city, a->state,
	    a->country };
	char		*out = NULL, *next;
	size_t		 i;

	for (i = 0; i < sizeof part / sizeof part[0]; i++) {
		if (part[i] == NULL || *part[i] == '\0')
			continue;
		/* A space after the postal code, a comma elsewhere. */
		if (asprintf(&next, "%s%s%s", out != NULL ? out : "",
		    out == NULL ? "" : i == 1 && a->postal_code != NULL &&
		    *a->postal_code != '\0' ? " " : ", ", part[i]) < 0) {
			free(out);
			return NULL;
		}
		free(out);
		out = next;
	}
	return out;
}

/* LABEL at the left margin and VALUE from column X. */
static void
field(int y, int x, const char *label, const char *value)
{
	ui_print(y, 2, x - 3, UI_NORMAL, label);
	ui_print(y, x, 0, UI_NORMAL, value);
}

static void
review_draw(struct wiz_model *m, void *data)
{
	struct review			*s = data;
	const struct ds_shipment	*sh = m->shipment;
	const struct ds_address		*a = sh->return_address;
	int				 y = 2;

	const char			*label[] = { _("Job:"), _("Carrier:"),
	    _("Tracking number:"), _("Ship date:"), _("Number of drives:"),
	    _("Return to:") };
	char				 n[24];
	int				 x;

	/* The values start one column after the widest label. */
	x = 2 + ui_widest(label, sizeof label / sizeof label[0]) + 1;
	snprintf(n, sizeof n, "%ld", sh->package->drive_count);
	field(y++, x, label[0], sh->job);
	field(y++, x, label[1], or_dash(sh->package->carrier));
	field(y++, x, label[2], or_dash(sh->package->tracking));
	field(y++, x, label[3], or_dash(sh->package->ship_date));
	field(y++, x, label[4], n);
	if (a != NULL) {
		char *line;

		field(y++, x, label[5], or_dash(a->recipient_name));
		ui_printf(y++, x, 0, UI_NORMAL, "%s%s%s", or_dash(a->street1),
		    a->street2 != NULL ? ", " : "",
		    a->street2 != NULL ? a->street2 : "");
		line = city_line(a);
		ui_print(y++, x, 0, UI_NORMAL, line != NULL ? line : "-");
		free(line);
		ui_printf(y++, x, 0, UI_NORMAL, "%s, %s", or_dash(a->phone),
		    or_dash(a->email));
	}
	y++;
	if (s->sent) {
		ui_printf(y++, 2, 0, UI_GOOD, _("Sent. Job %s is now %s."),
		    sh->job, or_dash(s->state));
		ui_print(y++, 2, 0, UI_NORMAL, _("The shipping details are "
		    "kept in:"));
		ui_wrap(y, 4, ui_cols() - 6, 2, UI_TITLE, or_dash(m->stored));
		ui_print(ui_lines() - 5, 2, 0, UI_NORMAL, _("Enter: back to "
		    "the first menu"));
		return;
	}
	if (s->sending) {
		ui_print(y, 2, 0, UI_DIM, _("Sending..."));
		return;
	}
	ui_print(y++, 2, 0, UI_NORMAL, _("Send these shipping details to the "
	    "import service?"));
	y++;
	ui_print(y, 6, 0, s->yes ? UI_SELECTED : UI_NORMAL, _(" Yes "));
	ui_print(y, 16, 0, s->yes ? UI_NORMAL : UI_SELECTED, _(" No "));
	ui_cursor(y, s->yes ? 7 : 17);
	if (s->error != NULL)
		ui_wrap(y + 2, 2, ui_cols() - 4, 3, UI_ERROR, s->error);
}

static enum screen_action
review_key(struct wiz_model *m, void *data, int key)
{
	struct review *s = data;

	(void)m;
	if (s->sending)
		return SA_STAY;
	if (s->sent)
		return key == '\n' ? SA_NEXT : SA_UNHANDLED;
	switch (key) {
	case UI_KEY(KEY_LEFT):
	case UI_KEY(KEY_RIGHT):
	case '\t':
		s->yes = !s->yes;
		return SA_REDRAW;
	case '\n':
		if (!s->yes)
			return SA_BACK;
		s->sending = 1;
		free(s->error);
		s->error = NULL;
		return SA_REDRAW;
	}
	if (key > 0 && key < 128 && strchr(_("yY"), key) != NULL) {
		s->yes = 1;
		return SA_REDRAW;
	}
	if (key == 'n' || key == 'N') {
		s->yes = 0;
		return SA_REDRAW;
	}
	return SA_UNHANDLED;
}

/* Commits the shipment: the only place the wizard sends it. */
static enum screen_action
review_event(struct wiz_model *m, void *data)
{
	struct review	*s = data;
	struct ds_api	*api = NULL;
	struct ds_job	*job = NULL;
	char		*cause = NULL, *path = NULL;
	int		 rc;

	if (!s->sending)
		return SA_STAY;
	s->sending = 0;
	if ((rc = ds_api_open(&api, &cause)) != 0 ||
	    (rc = ds_ship_commit(api, m->shipment, &job, &path,
	    &cause)) != 0) {
		s->error = ui_error_text(rc, cause);
		s->yes = 0;
		ds_api_close(api);
		return SA_REDRAW;
	}
	s->sent = 1;
	free(s->state);
	s->state = job != NULL && job->state != NULL ? strdup(job->state) :
	    NULL;
	free(m->stored);
	m->stored = path;
	ds_job_free(job);
	ds_api_close(api);
	return SA_REDRAW;
}

static void
review_leave(void *data)
{
	struct review *s = data;

	if (s == NULL)
		return;
	free(s->state);
	free(s->error);
	free(s);
}

const struct screen_ops screen_review_ops = {
	.name = "review",
	.title = N_("Review the shipping details"),
	/* TRANSLATORS: the help line; must fit in 78 columns. */
	.keys = N_("Left/Right: Yes/No  Enter: answer  F1/?: help  Esc: back"),
	.help = N_("Check the details: once sent, the job moves to Shipping "
	    "and the datacenter expects the drives within 14 days.\n\nChoose "
	    "Yes and press Enter to send them; No (the default) or Esc goes "
	    "back to change them. After sending, the screen shows the local "
	    "file where the details are kept."),
	.tick_ms = 100,
	.enter = review_enter,
	.draw = review_draw,
	.key = review_key,
	.event = review_event,
	.leave = review_leave,
};
