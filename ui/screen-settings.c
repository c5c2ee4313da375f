/* SPDX-License-Identifier: MIT */
/*
 * screen-settings.c: pick the publish-settings file, show its
 * subscriptions and their certificates' expiry, import the chosen one.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curses.h>

#include "error.h"
#include "screen.h"
#include "settings.h"
#include "widgets.h"

enum focus {
	FOCUS_FILE,
	FOCUS_CA,
	FOCUS_LIST,
};

struct settings {
	struct ui_field		 file;
	struct ui_field		 ca;
	enum focus		 focus;
	struct ds_publish	*pub;		/* the file, once read */
	char			**certs;	/* per subscription: expiry */
	int			*expired;
	struct ui_list		 list;
	struct ds_settings	*saved;		/* imported before, or NULL */
	char			*error;		/* in place, under FOCUS */
	enum focus		 error_at;
};

#define LIST_Y		12
#define LIST_ROWS(s)	(ui_lines() - 7 - LIST_Y)

static void
set_error(struct settings *s, enum focus at, int code, char *cause)
{
	free(s->error);
	s->error = ui_error_text(code, cause);
	s->error_at = at;
}

static void
clear_error(struct settings *s)
{
	free(s->error);
	s->error = NULL;
}

static void
forget_file(struct settings *s)
{
	size_t i;

	if (s->pub != NULL) {
		for (i = 0; i < s->pub->nsubs; i++)
			free(s->certs[i]);
	}
	free(s->certs);
	free(s->expired);
	s->certs = NULL;
	s->expired = NULL;
	ds_publish_free(s->pub);
	s->pub = NULL;
	memset(&s->list, 0, sizeof s->list);
}

static char *
date_text(time_t t)
{
	char		buf[32];
	struct tm	tm;

	gmtime_r(&t, &tm);
	strftime(buf, sizeof buf, "%Y-%m-%d", &tm);
	return strdup(buf);
}

/* Reads the file in the field and lists its subscriptions. */
static void
load_file(struct settings *s)
{
	struct ds_cert_info	 info;
	char			*cause = NULL, *date;
	size_t			 i;
	int			 rc;

	forget_file(s);
	clear_error(s);
	if ((rc = ds_publish_load(s->file.buf, &s->pub, &cause)) != 0) {
		set_error(s, FOCUS_FILE, rc, cause);
		return;
	}
	s->certs = calloc(s->pub->nsubs, sizeof *s->certs);
	s->expired = calloc(s->pub->nsubs, sizeof *s->expired);
	if (s->certs == NULL || s->expired == NULL) {
		forget_file(s);
		set_error(s, FOCUS_FILE, DS_E_NOMEM, NULL);
		return;
	}
	for (i = 0; i < s->pub->nsubs; i++) {
		if (ds_publish_cert_info(&s->pub->subs[i], &info, &cause) !=
		    0) {
			if (asprintf(&s->certs[i], _("unreadable: %s"),
			    cause != NULL ? cause : "") < 0)
				s->certs[i] = NULL;
			s->expired[i] = 1;
			free(cause);
			cause = NULL;
			continue;
		}
		date = date_text(info.not_after);
		s->expired[i] = info.expired;
		if (asprintf(&s->certs[i], info.expired ?
		    /* TRANSLATORS: at most 20 columns with the date. */
		    _("EXPIRED %s") :
		    /* TRANSLATORS: at most 20 columns with the date. */
		    _("expires %s"),
		    date != NULL ? date : "?") < 0)
			s->certs[i] = NULL;
		free(date);
		ds_cert_info_clear(&info);
	}
	s->list.n = s->pub->nsubs;
	s->focus = s->list.n > 0 ? FOCUS_LIST : FOCUS_FILE;
}

static int
settings_enter(struct wiz_model *m, void **data, char **cause)
{
	struct settings	*s;
	char		*ignored = NULL;

	if ((s = calloc(1, sizeof *s)) == NULL)
		return ds_cause(cause, DS_E_NOMEM, "settings");
	if (ds_settings_load(&s->saved, &ignored) != 0)
		s->saved = NULL;
	free(ignored);
	ui_field_init(&s->file, m->settings, 1);
	ui_field_init(&s->ca, s->saved != NULL ? s->saved->ca_file : NULL, 1);
	if (m->settings != NULL && *m->settings != '\0')
		load_file(s);
	*data = s;
	return 0;
}

static void
draw_error_or_hint(struct settings *s, enum focus at, struct ui_field *f,
    int y)
{
	if (s->error != NULL && s->error_at == at)
		ui_wrap(y, 4, ui_cols() - 8, 2, UI_ERROR, s->error);
	else if (f->hint != NULL)
		ui_print(y, 4, ui_cols() - 8, UI_DIM, f->hint);
}

static void
settings_draw(struct wiz_model *m, void *data)
{
	struct settings	*s = data;
	size_t		 i;
	int		 y, rows;
	char		*date;

	(void)m;
	ui_print(2, 2, 0, UI_NORMAL, _("Publish-settings file (downloaded "
	    "from the portal; Tab completes):"));
	draw_error_or_hint(s, FOCUS_FILE, &s->file, 4);
	ui_print(7, 2, 0, UI_NORMAL, _("CA certificate of the import service "
	    "(empty: the system's):"));
	draw_error_or_hint(s, FOCUS_CA, &s->ca, 9);
	if (s->pub != NULL) {
		ui_printf(11, 2, 0, UI_NORMAL, _("Subscriptions in the file "
		    "(schema %d) and their certificates:"), s->pub->schema);
		if (s->error != NULL && s->error_at == FOCUS_LIST)
			ui_wrap(ui_lines() - 6, 2, ui_cols() - 4, 2,
			    UI_ERROR, s->error);
		rows = LIST_ROWS(s);
		ui_list_scroll(&s->list, rows);
		for (i = s->list.top, y = LIST_Y; i < s->list.n &&
		    y < LIST_Y + rows; i++, y++) {
			enum ui_role role = UI_NORMAL;

			if (s->focus == FOCUS_LIST && i == s->list.sel)
				role = UI_SELECTED;
			ui_printf(y, 2, 56, role, " %-36s %-17.17s ",
			    s->pub->subs[i].id, s->pub->subs[i].name);
			ui_print(y, 59, 0, s->expired[i] ? UI_ERROR : UI_GOOD,
			    s->certs[i] != NULL ? s->certs[i] : "");
		}
	} else if (s->saved != NULL) {
		date = date_text(s->saved->cert.not_after);
		ui_printf(11, 2, 0, UI_NORMAL, _("Imported before: "
		    "subscription %s (%s)."), s->saved->subscription_id,
		    s->saved->subscription_name);
		ui_printf(12, 2, 0, s->saved->cert.expired ? UI_ERROR :
		    UI_GOOD, s->saved->cert.expired ? _("Certificate EXPIRED "
		    "on %s.") : _("Certificate valid until %s."),
		    date != NULL ? date : "?");
		ui_wrap(13, 2, ui_cols() - 4, 2, UI_DIM, _("Enter with an "
		    "empty file name keeps these settings."));
		free(date);
	}
	/* Fields last, so the cursor ends up in the focused one. */
	ui_field_draw(&s->ca, 8, 4, ui_cols() - 8, s->focus == FOCUS_CA);
	ui_field_draw(&s->file, 3, 4, ui_cols() - 8, s->focus == FOCUS_FILE);
}

/* Imports the chosen subscription and saves the settings. */
static enum screen_action
import(struct wiz_model *m, struct settings *s)
{
	const struct ds_publish_sub	*sub = &s->pub->subs[s->list.sel];
	struct ds_settings		*st = NULL;
	char				*cause = NULL, *ca = NULL;
	int				 rc;

	clear_error(s);
	if ((rc = ds_settings_from_publish(sub, &st, &cause)) != 0)
		goto fail;
	if (s->ca.len > 0) {
		if ((ca = realpath(s->ca.buf, NULL)) == NULL) {
			rc = ds_cause(&cause, DS_E_NOTFOUND, "%s", s->ca.buf);
			s->focus = FOCUS_CA;
			set_error(s, FOCUS_CA, rc, cause);
			ds_settings_free(st);
			return SA_REDRAW;
		}
		if ((rc = ds_settings_set(st, "ca-file", ca, &cause)) != 0)
			goto fail;
	}
	/* Keep what was set before for the same service. */
	if (s->saved != NULL && s->saved->proxy != NULL &&
	    (rc = ds_settings_set(st, "proxy", s->saved->proxy, &cause)) != 0)
		goto fail;
	if (s->saved != NULL && s->saved->resource_group != NULL &&
	    (rc = ds_settings_set(st, "resource-group",
	    s->saved->resource_group, &cause)) != 0)
		goto fail;
	if ((rc = ds_settings_save(st, &cause)) != 0)
		goto fail;
	wiz_set(&m->settings, s->file.buf);
	wiz_set(&m->subscription, st->subscription_id);
	free(ca);
	ds_settings_free(st);
	return SA_NEXT;
fail:
	set_error(s, FOCUS_LIST, rc, cause);
	free(ca);
	ds_settings_free(st);
	return SA_REDRAW;
}

static enum screen_action
settings_key(struct wiz_model *m, void *data, int key)
{
	struct settings	*s = data;
	struct ui_field	*f;

	if (s->focus == FOCUS_LIST) {
		if (key == UI_KEY(KEY_UP) && s->list.sel == 0) {
			s->focus = FOCUS_CA;
			return SA_REDRAW;
		}
		if (ui_list_key(&s->list, key, LIST_ROWS(s)))
			return SA_REDRAW;
		switch (key) {
		case UI_KEY(KEY_UP):
		case UI_KEY(KEY_BTAB):
			s->focus = FOCUS_CA;
			return SA_REDRAW;
		case '\n':
			return import(m, s);
		}
		return SA_UNHANDLED;
	}
	f = s->focus == FOCUS_FILE ? &s->file : &s->ca;
	switch (key) {
	case UI_KEY(KEY_UP):
	case UI_KEY(KEY_BTAB):
		s->focus = FOCUS_FILE;
		return SA_REDRAW;
	case UI_KEY(KEY_DOWN):
		if (s->focus == FOCUS_FILE)
			s->focus = FOCUS_CA;
		else if (s->pub != NULL && s->list.n > 0)
			s->focus = FOCUS_LIST;
		return SA_REDRAW;
	case '\n':
		if (s->file.len == 0 && s->saved != NULL) {
			wiz_set(&m->subscription, s->saved->subscription_id);
			return SA_NEXT;
		}
		if (s->file.len == 0) {
			s->focus = FOCUS_FILE;
			set_error(s, FOCUS_FILE, DS_E_BADSETTINGS,
			    strdup(_("type the file's name")));
			return SA_REDRAW;
		}
		load_file(s);
		return SA_REDRAW;
	}
	if (ui_field_key(f, key)) {
		if (f == &s->file && s->pub != NULL)
			forget_file(s);
		if (s->error != NULL && s->error_at == s->focus)
			clear_error(s);
		return SA_REDRAW;
	}
	return SA_UNHANDLED;
}

static void
settings_leave(void *data)
{
	struct settings *s = data;

	if (s == NULL)
		return;
	forget_file(s);
	ui_field_free(&s->file);
	ui_field_free(&s->ca);
	ds_settings_free(s->saved);
	free(s->error);
	free(s);
}

const struct screen_ops screen_settings_ops = {
	.name = "settings",
	.title = N_("Publish settings"),
	/* TRANSLATORS: the help line; must fit in 78 columns. */
	.keys = N_("Enter: read/choose  Up/Down: move  Tab: complete  "
	    "F1: help  Esc: back"),
	.help = N_("Type the path of the .publishsettings file downloaded "
	    "from the portal (Tab completes file names) and press Enter: "
	    "its subscriptions are listed with the expiry of their "
	    "management certificates. Choose one with the arrow keys and "
	    "press Enter to import it; the certificate is kept in the state "
	    "directory, readable only by you.\n\nThe second field names the "
	    "certificate of the authority that signed the import service's "
	    "certificate, for a service that is not signed by a public "
	    "authority; leave it empty otherwise.\n\nWith settings imported "
	    "before, Enter on an empty file name keeps them."),
	.enter = settings_enter,
	.draw = settings_draw,
	.key = settings_key,
	.leave = settings_leave,
};
