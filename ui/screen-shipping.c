/* SPDX-License-Identifier: MIT */
/*
 * screen-shipping.c: the shipping details of the job: carrier (from the
 * location's list), tracking number, ship date, number of drives and the
 * return address. Each field is checked where it is; the service's own
 * checks (a tracking number used by another job...) run before the
 * review, and nothing is sent from here.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curses.h>

#include "api.h"
#include "error.h"
#include "jobstore.h"
#include "screen.h"
#include "widgets.h"

enum {
	S_CARRIER, S_TRACKING, S_DATE, S_COUNT, S_NAME, S_STREET1, S_STREET2,
	S_CITY, S_STATE, S_POSTAL, S_COUNTRY, S_PHONE, S_EMAIL, S_NFIELDS
};

static const struct {
	const char	*label;
	int		 required;
} fields[S_NFIELDS] = {
	{ N_("Carrier:"), 1 },
	{ N_("Tracking number:"), 1 },
	{ N_("Ship date:"), 1 },
	{ N_("Number of drives:"), 1 },
	{ N_("Return to (name):"), 1 },
	{ N_("Street:"), 1 },
	{ N_("Street (2):"), 0 },
	{ N_("City:"), 1 },
	{ N_("State/province:"), 0 },
	{ N_("Postal code:"), 1 },
	{ N_("Country:"), 1 },
	{ N_("Phone:"), 1 },
	{ N_("Email:"), 1 },
};

#define FIELD_Y		2
#define FIELD_X		24

struct shipping {
	struct ui_field		 f[S_NFIELDS];
	int			 focus;
	int			 bad;		/* first wrong field, or -1 */
	unsigned		 bads;		/* 1 << field: all in error */
	char			*error;
	struct ds_api		*api;
	struct ds_job		*job;
	struct ds_location	*loc;
	size_t			 carrier;	/* index in loc->carriers */
	int			 pending;	/* load on the next tick */
	int			 checking;	/* check on the next tick */
};

static int
shipping_enter(struct wiz_model *m, void **data, char **cause)
{
	struct shipping	*s;
	char		 today[16];
	time_t		 t = time(NULL);
	struct tm	 tm;
	int		 i;

	if (m->job == NULL)
		return ds_cause(cause, DS_E_INVAL, "%s", _("no job chosen"));
	if ((s = calloc(1, sizeof *s)) == NULL)
		return ds_cause(cause, DS_E_NOMEM, "shipping");
	for (i = 0; i < S_NFIELDS; i++)
		ui_field_init(&s->f[i], NULL, 0);
	localtime_r(&t, &tm);
	strftime(today, sizeof today, "%Y-%m-%d", &tm);
	ui_field_set(&s->f[S_DATE], today);
	s->bad = -1;
	s->focus = S_TRACKING;
	s->pending = 1;
	*data = s;
	return 0;
}

static void
set_address(struct shipping *s, const struct ds_address *a)
{
	const char	*v[] = { a->recipient_name, a->street1, a->street2,
			    a->city, a->state, a->postal_code, a->country,
			    a->phone, a->email };
	int		 i;

	for (i = 0; i < S_EMAIL - S_NAME + 1; i++) {
		if (v[i] != NULL)
			ui_field_set(&s->f[S_NAME + i], v[i]);
	}
}

/* Reads the job and its location; fills what is known already. */
static void
load(struct shipping *s, struct wiz_model *m)
{
	struct ds_job_record	*rec = NULL;
	struct ds_shipment	*old = NULL;
	char			*cause = NULL, n[16];
	int			 rc;
	size_t			 i;

	s->pending = 0;
	free(s->error);
	s->error = NULL;
	if (s->api == NULL && (rc = ds_api_open(&s->api, &cause)) != 0)
		goto fail;
	if ((rc = ds_jobstore_load(m->job, &rec, &cause)) != 0)
		goto fail;
	rc = ds_api_job_get(s->api, rec->resource_group, m->job, &s->job,
	    &cause);
	ds_job_record_free(rec);
	if (rc != 0)
		goto fail;
	if ((rc = ds_api_location_get(s->api, s->job->location, &s->loc,
	    &cause)) != 0)
		goto fail;
	snprintf(n, sizeof n, "%zu", s->job->ndrives);
	ui_field_set(&s->f[S_COUNT], n);
	if (s->job->return_address != NULL)
		set_address(s, s->job->return_address);
	if (ds_ship_load(m->job, &old, &cause) == 0) {
		if (old->return_address != NULL)
			set_address(s, old->return_address);
		ds_shipment_free(old);
	}
	free(cause);
	cause = NULL;
	if (m->shipment != NULL) {
		if (m->shipment->return_address != NULL)
			set_address(s, m->shipment->return_address);
		ui_field_set(&s->f[S_TRACKING],
		    m->shipment->package->tracking);
		/* Back from the review: the date and count as they were. */
		ui_field_set(&s->f[S_DATE], m->shipment->package->ship_date);
		snprintf(n, sizeof n, "%ld", m->shipment->package->drive_count);
		ui_field_set(&s->f[S_COUNT], n);
		for (i = 0; i < s->loc->ncarriers; i++) {
			if (strcmp(s->loc->carriers[i],
			    m->shipment->package->carrier) == 0)
				s->carrier = i;
		}
	}
	if (s->loc->ncarriers > 0)
		ui_field_set(&s->f[S_CARRIER], s->loc->carriers[s->carrier]);
	return;
fail:
	s->error = ui_error_text(rc, cause);
}

static void
shipping_draw(struct wiz_model *m, void *data)
{
	struct shipping	*s = data;
	int		 i;

	(void)m;
	if (s->pending) {
		ui_print(2, 2, 0, UI_DIM, _("Asking the import service..."));
		return;
	}
	if (s->job == NULL) {
		if (s->error != NULL)
			ui_wrap(2, 2, ui_cols() - 4, 4, UI_ERROR, s->error);
		ui_print(7, 2, 0, UI_NORMAL, _("r: try again   Esc: back"));
		return;
	}
	for (i = 0; i < S_NFIELDS; i++) {
		int bad = (s->bads & 1u << i) != 0;

		ui_print(FIELD_Y + i, 2, FIELD_X - 4, bad ? UI_ERROR :
		    UI_NORMAL, _(fields[i].label));
		if (bad)
			ui_print(FIELD_Y + i, FIELD_X - 2, 1, UI_ERROR, "!");
	}
	if (s->loc->ncarriers > 0)
		ui_printf(FIELD_Y + S_CARRIER, FIELD_X + 26, 0, UI_DIM,
		    P_("Left/Right: %zu carrier", "Left/Right: %zu carriers",
		    s->loc->ncarriers), s->loc->ncarriers);
	if (s->error != NULL)
		ui_wrap(ui_lines() - 7, 2, ui_cols() - 4, 3, UI_ERROR,
		    s->error);
	else if (s->checking)
		ui_print(ui_lines() - 7, 2, 0, UI_DIM, _("Checking with the "
		    "import service..."));
	for (i = 0; i < S_NFIELDS; i++) {
		if (i != s->focus)
			ui_field_draw(&s->f[i], FIELD_Y + i, FIELD_X, i ==
			    S_CARRIER ? 24 : ui_cols() - FIELD_X - 3, 0);
	}
	ui_field_draw(&s->f[s->focus], FIELD_Y + s->focus, FIELD_X,
	    s->focus == S_CARRIER ? 24 : ui_cols() - FIELD_X - 3, 1);
}

static void
field_error(struct shipping *s, int at, const char *msg)
{
	free(s->error);
	s->error = strdup(msg);
	s->bad = at;
	s->bads = at >= 0 ? 1u << at : 0;
	s->focus = at >= 0 ? at : s->focus;
}

/*
 * Adds "LABEL MSG" of field AT to the errors shown together; the first
 * field in error gets the focus.
 */
static void
add_error(struct shipping *s, int at, const char *msg)
{
	char *all;

	if (asprintf(&all, "%s%s%s %s", s->error != NULL ? s->error : "",
	    s->error != NULL ? "  " : "", _(fields[at].label), msg) < 0)
		return;
	free(s->error);
	s->error = all;
	if (s->bad < 0) {
		s->bad = at;
		s->focus = at;
	}
	s->bads |= 1u << at;
}

/* Digits, spaces and + - ( ) only, with at least 6 digits. */
static int
phone_ok(const char *p)
{
	int digits = 0;

	for (; *p != '\0'; p++) {
		if (*p >= '0' && *p <= '9')
			digits++;
		else if (strchr(" +-()", *p) == NULL)
			return 0;
	}
	return digits >= 6;
}

/* local@domain.tld: one @, something before it, a dot inside after it. */
static int
email_ok(const char *e)
{
	const char	*at = strchr(e, '@'), *dot;
	const char	*p;

	if (at == NULL || at == e || strchr(at + 1, '@') != NULL)
		return 0;
	for (p = e; *p != '\0'; p++)
		if (*p == ' ' || (unsigned char)*p < 0x21)
			return 0;
	dot = strrchr(at + 1, '.');
	return dot != NULL && dot > at + 1 && dot[1] != '\0' &&
	    dot[-1] != '.';
}

/* Takes the spaces out of the tracking number ("1Z 999 AA1"). */
static void
normalise_tracking(struct ui_field *f)
{
	char	*t;
	size_t	 i, n = 0;

	if (strchr(f->buf, ' ') == NULL || (t = strdup(f->buf)) == NULL)
		return;
	for (i = 0; t[i] != '\0'; i++)
		if (t[i] != ' ')
			t[n++] = t[i];
	t[n] = '\0';
	ui_field_set(f, t);
	free(t);
}

/*
 * The checks that need no service: required fields, the date (not in the
 * past), the count, phone and email. Every error is shown at once.
 */
static int
check_fields(struct shipping *s)
{
	struct tm	 tm;
	char		*end, today[16];
	time_t		 t = time(NULL);
	long		 n;
	int		 i;

	free(s->error);
	s->error = NULL;
	s->bad = -1;
	s->bads = 0;
	normalise_tracking(&s->f[S_TRACKING]);
	for (i = 0; i < S_NFIELDS; i++) {
		if (fields[i].required && s->f[i].len == 0)
			add_error(s, i, _("is required."));
	}
	localtime_r(&t, &tm);
	strftime(today, sizeof today, "%Y-%m-%d", &tm);
	memset(&tm, 0, sizeof tm);
	end = strptime(s->f[S_DATE].buf, "%Y-%m-%d", &tm);
	if (s->f[S_DATE].len == 0)
		;
	else if (end == NULL || *end != '\0' || s->f[S_DATE].len != 10)
		add_error(s, S_DATE, _("write the date as YYYY-MM-DD."));
	else if (strcmp(s->f[S_DATE].buf, today) < 0)
		add_error(s, S_DATE, _("the date is in the past."));
	n = strtol(s->f[S_COUNT].buf, &end, 10);
	if (s->f[S_COUNT].len > 0 && (*end != '\0' || n < 1 || n > 10))
		add_error(s, S_COUNT, _("from 1 to 10 drives."));
	if (s->f[S_PHONE].len > 0 && !phone_ok(s->f[S_PHONE].buf))
		add_error(s, S_PHONE, _("digits, spaces and + - ( ) only, at "
		    "least 6 digits."));
	if (s->f[S_EMAIL].len > 0 && !email_ok(s->f[S_EMAIL].buf))
		add_error(s, S_EMAIL, _("not an email address "
		    "(name@domain.tld)."));
	return s->bads != 0 ? -1 : 0;
}

static char *
opt(const struct ui_field *f)
{
	return f->len > 0 ? strdup(f->buf) : NULL;
}

/* Builds the shipment from the fields and lets the library check it. */
static enum screen_action
check(struct shipping *s, struct wiz_model *m)
{
	struct ds_shipment	*sh;
	struct ds_job		*now = NULL;
	char			*cause = NULL;
	int			 rc;

	s->checking = 0;
	if ((sh = calloc(1, sizeof *sh)) == NULL ||
	    (sh->package = calloc(1, sizeof *sh->package)) == NULL ||
	    (sh->return_address = calloc(1, sizeof *sh->return_address)) ==
	    NULL) {
		ds_shipment_free(sh);
		field_error(s, s->focus, ds_strerror(DS_E_NOMEM));
		return SA_REDRAW;
	}
	sh->job = strdup(m->job);
	sh->resource_group = s->job->resource_group != NULL ?
	    strdup(s->job->resource_group) : NULL;
	sh->package->carrier = opt(&s->f[S_CARRIER]);
	sh->package->tracking = opt(&s->f[S_TRACKING]);
	sh->package->ship_date = opt(&s->f[S_DATE]);
	sh->package->drive_count = strtol(s->f[S_COUNT].buf, NULL, 10);
	sh->return_address->recipient_name = opt(&s->f[S_NAME]);
	sh->return_address->street1 = opt(&s->f[S_STREET1]);
	sh->return_address->street2 = opt(&s->f[S_STREET2]);
	sh->return_address->city = opt(&s->f[S_CITY]);
	sh->return_address->state = opt(&s->f[S_STATE]);
	sh->return_address->postal_code = opt(&s->f[S_POSTAL]);
	sh->return_address->country = opt(&s->f[S_COUNTRY]);
	sh->return_address->phone = opt(&s->f[S_PHONE]);
	sh->return_address->email = opt(&s->f[S_EMAIL]);
	if ((rc = ds_ship_prepare(s->api, sh, &now, &cause)) != 0) {
		char *msg = ui_error_text(rc, cause);

		field_error(s, rc == DS_E_TRACKINGUSED || (rc ==
		    DS_E_BADNAME && msg != NULL && strstr(msg, "tracking") !=
		    NULL) ? S_TRACKING : rc == DS_E_INVAL && msg != NULL &&
		    strstr(msg, "carrier") != NULL ? S_CARRIER :
		    rc == DS_E_INVAL && msg != NULL && strstr(msg, "drive") !=
		    NULL ? S_COUNT : -1, msg != NULL ? msg : "");
		if (s->bad < 0)
			s->focus = S_TRACKING;
		free(msg);
		ds_shipment_free(sh);
		return SA_REDRAW;
	}
	ds_job_free(now);
	ds_shipment_free(m->shipment);
	m->shipment = sh;
	return SA_NEXT;
}

static enum screen_action
shipping_key(struct wiz_model *m, void *data, int key)
{
	struct shipping *s = data;

	(void)m;
	if (s->pending || s->checking)
		return key == UI_ESC ? SA_UNHANDLED : SA_STAY;
	if (s->job == NULL) {
		if (key == 'r') {
			s->pending = 1;
			return SA_REDRAW;
		}
		return SA_UNHANDLED;
	}
	switch (key) {
	case UI_KEY(KEY_UP):
	case UI_KEY(KEY_BTAB):
		if (s->focus > 0)
			s->focus--;
		return SA_REDRAW;
	case UI_KEY(KEY_DOWN):
	case '\t':
		if (s->focus + 1 < S_NFIELDS)
			s->focus++;
		return SA_REDRAW;
	case '\n':
		if (check_fields(s) != 0)
			return SA_REDRAW;
		s->checking = 1;
		return SA_REDRAW;
	}
	if (s->focus == S_CARRIER && s->loc->ncarriers > 0) {
		if (key == UI_KEY(KEY_RIGHT) && s->carrier + 1 <
		    s->loc->ncarriers)
			s->carrier++;
		else if (key == UI_KEY(KEY_LEFT) && s->carrier > 0)
			s->carrier--;
		else
			return SA_UNHANDLED;
		ui_field_set(&s->f[S_CARRIER], s->loc->carriers[s->carrier]);
		return SA_REDRAW;
	}
	if (ui_field_key(&s->f[s->focus], key)) {
		/* The error stays listed until Enter checks again. */
		s->bads &= ~(1u << s->focus);
		return SA_REDRAW;
	}
	return SA_UNHANDLED;
}

static enum screen_action
shipping_event(struct wiz_model *m, void *data)
{
	struct shipping *s = data;

	if (s->pending) {
		load(s, m);
		return SA_REDRAW;
	}
	if (s->checking)
		return check(s, m);
	return SA_STAY;
}

static void
shipping_leave(void *data)
{
	struct shipping	*s = data;
	int		 i;

	if (s == NULL)
		return;
	for (i = 0; i < S_NFIELDS; i++)
		ui_field_free(&s->f[i]);
	free(s->error);
	ds_job_free(s->job);
	ds_location_free(s->loc);
	ds_api_close(s->api);
	free(s);
}

const struct screen_ops screen_shipping_ops = {
	.name = "shipping",
	.title = N_("Shipping details"),
	/* TRANSLATORS: the help line; must fit in 78 columns. */
	.keys = N_("Up/Down: field  Left/Right: carrier  Enter: review  "
	    "F1: help  Esc: back"),
	.help = N_("The carrier (one of those the datacenter takes; "
	    "Left/Right changes it), the tracking number the carrier gave, "
	    "the date the drives leave (YYYY-MM-DD), how many drives are in "
	    "the package, and where the drives go back to afterwards.\n\n"
	    "Enter checks everything, also with the import service (one "
	    "tracking number belongs to one job), then shows a review: "
	    "nothing is sent before you answer Yes there."),
	.tick_ms = 100,
	.enter = shipping_enter,
	.draw = shipping_draw,
	.key = shipping_key,
	.event = shipping_event,
	.leave = shipping_leave,
};
