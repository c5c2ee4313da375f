/* SPDX-License-Identifier: MIT */
/*
 * wizard.c: the sequencer. It owns the order of the screens, the main
 * loop (keys, a screen's file descriptor, its timer), the minimum size,
 * resize, the help popup, going back and quitting. Screens only draw and
 * answer keys (ui/screen.h).
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <curses.h>

#include "cmd.h"
#include "err.h"
#include "copyrun.h"
#include "error.h"
#include "gate.h"
#include "jobrec.h"
#include "jobstore.h"
#include "screen.h"
#include "state.h"
#include "widgets.h"

#define MIN_COLS	80
#define MIN_LINES	24
#define REDRAW_MS	100
#define MAX_DEPTH	64

enum popup {
	POPUP_NONE,
	POPUP_HELP,
	POPUP_QUIT,
	POPUP_MORE,	/* the whole of a text too long for its place */
};

struct wizard {
	struct wiz_model	 m;
	const struct screen_ops	*stack[MAX_DEPTH];
	size_t			 depth;
	void			*data;
	enum popup		 popup;
	int			 popup_top;	/* first row shown */
	char			*more;		/* POPUP_MORE's text */
	int			 dirty;
	int64_t			 last_draw;
	int64_t			 last_tick;
	int			 done;
	int			 hungup;
	int			 fatal;	/* the error that ended it */
	char			*fatal_cause;
};

static volatile sig_atomic_t wizard_signal;

static void
on_signal(int sig)
{
	wizard_signal = sig;
}

void
wiz_set(char **slot, const char *s)
{
	char *copy = NULL;

	if (s != NULL && (copy = strdup(s)) == NULL)
		return;
	free(*slot);
	*slot = copy;
}

void
wiz_model_clear(struct wiz_model *m)
{
	size_t i;

	free(m->settings);
	free(m->subscription);
	free(m->staging);
	free(m->job);
	free(m->account);
	free(m->container);
	free(m->location);
	free(m->drive);
	free(m->confirm_id);
	free(m->overwrite_job);
	for (i = 0; i < m->ndrives; i++)
		free(m->drives[i]);
	free(m->drives);
	ds_shipment_free(m->shipment);
	free(m->stored);
	free(m->message);
	memset(m, 0, sizeof *m);
}

static char *
remember_path(const char *job, char **cause)
{
	char *name, *path;

	if (asprintf(&name, "jobs/%s/wizard", job) < 0) {
		ds_cause(cause, DS_E_NOMEM, "wizard");
		return NULL;
	}
	path = ds_state_path(name, cause);
	free(name);
	return path;
}

int
wiz_remember(const struct wiz_model *m, char **cause)
{
	char	*path, *buf;
	int	 rc, n;

	if (m->job == NULL)
		return 0;
	if ((path = remember_path(m->job, cause)) == NULL)
		return DS_E_STATEDIR;
	n = asprintf(&buf, "staging %s\naccount %s\ncontainer %s\n"
	    "location %s\n", m->staging != NULL ? m->staging : "",
	    m->account != NULL ? m->account : "",
	    m->container != NULL ? m->container : "",
	    m->location != NULL ? m->location : "");
	if (n < 0) {
		free(path);
		return ds_cause(cause, DS_E_NOMEM, "wizard");
	}
	rc = ds_write_file_atomic(path, buf, (size_t)n, 0600, cause);
	free(buf);
	free(path);
	return rc;
}

void
wiz_recall(struct wiz_model *m)
{
	char	*path, *buf = NULL, *line, *next, *v, **slot;
	size_t	 len;

	if (m->job == NULL || (path = remember_path(m->job, NULL)) == NULL)
		return;
	if (ds_read_file(path, 4096, &buf, &len, NULL) != 0) {
		free(path);
		return;
	}
	for (line = buf; line != NULL && *line != '\0'; line = next) {
		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		if ((v = strchr(line, ' ')) == NULL || v[1] == '\0')
			continue;
		*v++ = '\0';
		slot = NULL;
		if (strcmp(line, "staging") == 0)
			slot = &m->staging;
		else if (strcmp(line, "account") == 0)
			slot = &m->account;
		else if (strcmp(line, "container") == 0)
			slot = &m->container;
		else if (strcmp(line, "location") == 0)
			slot = &m->location;
		if (slot != NULL && *slot == NULL)
			wiz_set(slot, v);
	}
	free(buf);
	free(path);
}

char *
wiz_seed_text(const struct ds_gate_seed *seed)
{
	char *text;

	if (!seed->is_seed)
		return NULL;
	if (asprintf(&text, _("diskseed drive: job %s, drive %u, %s, job "
	    "%s"), seed->job != NULL ? seed->job : "?", seed->index,
	    seed->complete ? _("complete") : _("not complete"),
	    seed->state >= 0 ? ds_jobrec_state_name(seed->state) :
	    _("not known here")) < 0)
		return NULL;
	return text;
}

int
wiz_seed_unfinished(const struct ds_gate_seed *seed, const char *job)
{
	if (!seed->is_seed || seed->job == NULL)
		return 0;
	if (job != NULL && strcmp(seed->job, job) == 0)
		return 0;
	return seed->state != DS_JOBREC_COMPLETED &&
	    seed->state != DS_JOBREC_CLOSED &&
	    seed->state != DS_JOBREC_CANCELED;
}

/* The state file NAME of JOB (jobs/<job>/NAME); allocated or NULL. */
static char *
job_file(const char *job, const char *name)
{
	char *rel, *path;

	if (asprintf(&rel, "jobs/%s/%s", job, name) < 0)
		return NULL;
	path = ds_state_path(rel, NULL);
	free(rel);
	return path;
}

int
wiz_keys_confirm(const char *job, char **cause)
{
	char	*path;
	int	 rc;

	if ((path = job_file(job, "keys-confirmed")) == NULL)
		return ds_cause(cause, DS_E_STATEDIR, "%s", job);
	rc = ds_write_file_atomic(path, "yes\n", 4, 0600, cause);
	free(path);
	return rc;
}

int
wiz_keys_pending(const char *job)
{
	char	*wizard, *confirmed;
	int	 pending;

	wizard = job_file(job, "wizard");
	confirmed = job_file(job, "keys-confirmed");
	/* A job of the wizard (prep on the command line prints the keys). */
	pending = wizard != NULL && confirmed != NULL &&
	    access(wizard, F_OK) == 0 && access(confirmed, F_OK) != 0;
	free(wizard);
	free(confirmed);
	return pending;
}

/*
 * The job a new wizard should show at once: a copy still running, else
 * one of the wizard's copies that waits for a drive or is done while
 * its keys were never confirmed. Allocated; NULL when none.
 */
static char *
needs_user(void)
{
	struct copyrun_status	 st;
	char			**jobs = NULL, *found, *cause = NULL;
	size_t			 n = 0, i;

	if ((found = copyrun_find()) != NULL)
		return found;
	if (ds_jobrec_list(&jobs, &n, &cause) != 0) {
		free(cause);
		return NULL;
	}
	for (i = 0; i < n; i++) {
		if (found == NULL && wiz_keys_pending(jobs[i]) &&
		    copyrun_read(jobs[i], &st, NULL) == 0) {
			if (st.state == COPYRUN_NEED_DRIVE ||
			    st.state == COPYRUN_DONE ||
			    st.state == COPYRUN_VERIFYING)
				found = strdup(jobs[i]);
			copyrun_status_clear(&st);
		}
		free(jobs[i]);
	}
	free(jobs);
	return found;
}

void
wiz_add_drive(struct wiz_model *m, const char *path)
{
	char **v;

	if ((v = reallocarray(m->drives, m->ndrives + 1, sizeof *v)) == NULL)
		return;
	m->drives = v;
	if ((v[m->ndrives] = strdup(path)) != NULL)
		m->ndrives++;
}

/*
 * The screen after CUR for the choices in M, or NULL when that part of
 * the wizard is not in this version yet.
 */
static const struct screen_ops *
next_screen(const struct screen_ops *cur, const struct wiz_model *m)
{
	if (cur == &screen_menu_ops)
		return &screen_settings_ops;
	if (cur == &screen_settings_ops) {
		switch (m->mode) {
		case WIZ_MODE_PREPARE:
			return &screen_staging_ops;
		case WIZ_MODE_STATUS:
			return &screen_status_ops;
		case WIZ_MODE_SHIP:
			return &screen_job_ops;
		default:
			return NULL;
		}
	}
	if (cur == &screen_keys_ops)
		return &screen_job_ops;
	if (cur == &screen_job_ops)
		return m->need_keys ? &screen_keys_ops : &screen_shipping_ops;
	if (cur == &screen_shipping_ops)
		return &screen_review_ops;
	if (cur == &screen_review_ops)
		return &screen_menu_ops;
	if (cur == &screen_staging_ops) {
		if (m->copied)
			return &screen_keys_ops;
		return m->resume ? &screen_copy_ops : &screen_drives_ops;
	}
	if (cur == &screen_drives_ops)
		return &screen_confirm_ops;
	if (cur == &screen_confirm_ops)
		return &screen_copy_ops;
	if (cur == &screen_copy_ops) {
		return m->copy_next == WIZ_NEXT_DRIVE ? &screen_drives_ops :
		    &screen_keys_ops;
	}
	return NULL;
}

static const struct screen_ops *
current(struct wizard *w)
{
	return w->stack[w->depth - 1];
}

static int
too_small(void)
{
	return ui_cols() < MIN_COLS || ui_lines() < MIN_LINES;
}

/* Draws the current screen, or the "enlarge the terminal" notice. */
static void
draw(struct wizard *w)
{
	const struct screen_ops	*s = current(w);
	char			*msg = NULL;

	if (too_small()) {
		erase();
		ui_cursor(-1, 0);
		if (asprintf(&msg, _("The terminal is %dx%d. Enlarge it to at "
		    "least %dx%d to use the wizard. Ctrl-C quits."),
		    ui_cols(), ui_lines(), MIN_COLS, MIN_LINES) >= 0) {
			ui_wrap(ui_lines() / 2 - 1, 1, ui_cols() - 2, 0,
			    UI_WARNING, msg);
			free(msg);
		}
		ui_refresh("small");
		w->last_draw = ui_now_ms();
		w->dirty = 0;
		return;
	}
	ui_frame(_(s->title), _(s->keys));
	s->draw(&w->m, w->data);
	if (w->m.message != NULL)
		ui_wrap(ui_lines() - 4, 2, ui_cols() - 4, 2, UI_ERROR,
		    w->m.message);
	if (w->popup == POPUP_HELP) {
		ui_popup(_(s->title), _(s->help),
		    _("Arrows scroll; any other key closes this help."),
		    &w->popup_top);
	} else if (w->popup == POPUP_MORE && w->more != NULL) {
		ui_popup(_("The whole message"), w->more,
		    _("Arrows scroll; any other key closes this."),
		    &w->popup_top);
	} else if (w->popup == POPUP_QUIT) {
		ui_popup(_("Quit"), _("Leave the wizard? Everything done so "
		    "far is kept and can be continued later."),
		    _("y: quit   n or Esc: stay"), NULL);
	}
	ui_refresh(w->popup == POPUP_HELP ? "help" :
	    w->popup == POPUP_MORE ? "more" :
	    w->popup == POPUP_QUIT ? "quit" : s->name);
	w->last_draw = ui_now_ms();
	w->dirty = 0;
}

/* Shows the error of a screen that could not be entered, in place. */
static void
set_error(struct wizard *w, int code, char *cause)
{
	free(w->m.message);
	w->m.message = ui_error_text(code, cause);
}

/* Leaves the current screen and enters NEXT; stays when NEXT refuses. */
static void
go(struct wizard *w, const struct screen_ops *next, int push)
{
	const struct screen_ops	*s = current(w);
	void			*data = NULL;
	char			*cause = NULL;
	int			 rc;

	if (next == NULL) {
		set_error(w, DS_E_NOTIMPL, NULL);
		w->dirty = 1;
		return;
	}
	if (push && w->depth == MAX_DEPTH)
		return;
	s->leave(w->data);
	w->data = NULL;
	if (next == &screen_menu_ops) {
		/* Done: back to the first menu with a fresh start. */
		char	*settings = w->m.settings;
		int	 all = w->m.all_drives;

		w->m.settings = NULL;
		wiz_model_clear(&w->m);
		w->m.settings = settings;
		w->m.all_drives = all;
		w->depth = 1;
		push = 0;
	}
	if ((rc = next->enter(&w->m, &data, &cause)) != 0) {
		/* Go back into the screen we were on, with the reason. */
		set_error(w, rc, cause);
		cause = NULL;
		if ((rc = s->enter(&w->m, &w->data, &cause)) != 0) {
			w->fatal = rc;
			w->fatal_cause = cause;
			w->done = 1;
		}
		w->dirty = 1;
		return;
	}
	if (push)
		w->stack[w->depth++] = next;
	else
		w->stack[w->depth - 1] = next;
	w->data = data;
	w->last_tick = ui_now_ms();
	w->dirty = 1;
}

/* Quits at once from the first menu; asks first anywhere else. */
static void
apply_quit(struct wizard *w)
{
	if (w->depth == 1)
		w->done = 1;
	else
		w->popup = POPUP_QUIT;
	w->dirty = 1;
}

static void
back(struct wizard *w)
{
	char	*cause = NULL;
	int	 rc;

	if (w->depth < 2) {
		apply_quit(w);
		return;
	}
	current(w)->leave(w->data);
	w->data = NULL;
	w->depth--;
	if ((rc = current(w)->enter(&w->m, &w->data, &cause)) != 0) {
		/* The screen we came from cannot be shown again: stop. */
		w->fatal = rc;
		w->fatal_cause = cause;
		w->done = 1;
	}
	w->dirty = 1;
}

static void
apply(struct wizard *w, enum screen_action a)
{
	switch (a) {
	case SA_UNHANDLED:
	case SA_STAY:
		break;
	case SA_REDRAW:
		w->dirty = 1;
		break;
	case SA_NEXT:
		go(w, next_screen(current(w), &w->m), 1);
		break;
	case SA_BACK:
		back(w);
		break;
	case SA_QUIT:
		apply_quit(w);
		break;
	}
}

/* Scrolls the open popup for an arrow or page key; 1 when used. */
static int
scroll_popup(struct wizard *w, int k)
{
	int page = ui_lines() - 8;

	switch (k) {
	case UI_KEY(KEY_UP):
		w->popup_top--;
		break;
	case UI_KEY(KEY_DOWN):
		w->popup_top++;
		break;
	case UI_KEY(KEY_PPAGE):
		w->popup_top -= page;
		break;
	case UI_KEY(KEY_NPAGE):
		w->popup_top += page;
		break;
	default:
		return 0;
	}
	/* ui_popup() keeps it in range when it draws. */
	if (w->popup_top < 0)
		w->popup_top = 0;
	w->dirty = 1;
	return 1;
}

static void
key(struct wizard *w, int k)
{
	enum screen_action a;

	if (k == UI_KEY(KEY_RESIZE)) {
		ui_resized();
		w->dirty = 1;
		return;
	}
	if (too_small()) {
		if (k == UI_CTRL_C)
			w->done = 1;
		return;
	}
	if (w->popup == POPUP_HELP || w->popup == POPUP_MORE) {
		if (scroll_popup(w, k))
			return;
		w->popup = POPUP_NONE;
		free(w->more);
		w->more = NULL;
		w->dirty = 1;
		return;
	}
	/* F3: the whole of a text that was shortened on this screen. */
	if (k == UI_KEY(KEY_F(3)) && ui_more_text() != NULL) {
		free(w->more);
		if ((w->more = strdup(ui_more_text())) != NULL) {
			w->popup = POPUP_MORE;
			w->popup_top = 0;
		}
		w->dirty = 1;
		return;
	}
	if (w->popup == POPUP_QUIT) {
		if (k == 'y' || k == 'Y' || (k < 128 && k > 0 &&
		    strchr(_("yY"), k) != NULL))
			w->done = 1;
		w->popup = POPUP_NONE;
		w->dirty = 1;
		return;
	}
	if (w->m.message != NULL) {
		free(w->m.message);
		w->m.message = NULL;
		w->dirty = 1;
	}
	a = current(w)->key(&w->m, w->data, k);
	if (a != SA_UNHANDLED) {
		apply(w, a);
		return;
	}
	switch (k) {
	case UI_KEY(KEY_F(1)):
	case '?':
		w->popup = POPUP_HELP;
		w->popup_top = 0;
		w->dirty = 1;
		break;
	case UI_ESC:
		apply(w, SA_BACK);
		break;
	case UI_CTRL_C:
	case UI_KEY(KEY_F(10)):
		apply(w, SA_QUIT);
		break;
	}
}

/* Runs the screens until the user quits or a signal ends the wizard. */
static int
run(struct wizard *w)
{
	const struct screen_ops	*s;
	struct pollfd		 pfd[2];
	struct timespec		 ts;
	sigset_t		 block, during;
	int64_t			 t, wait;
	int			 k, n, timeout, fd;
	enum screen_action	 a;
	char			*cause = NULL;

	s = current(w);
	if ((k = s->enter(&w->m, &w->data, &cause)) != 0) {
		ui_end();
		return ui_fail(k, cause);
	}
	/*
	 * Signals (resize, hang-up) are only let in while waiting in
	 * ppoll(), so one that comes while drawing is not missed until
	 * the next key.
	 */
	sigemptyset(&block);
	sigaddset(&block, SIGWINCH);
	sigaddset(&block, SIGHUP);
	sigaddset(&block, SIGTERM);
	sigprocmask(SIG_BLOCK, &block, &during);
	sigdelset(&during, SIGWINCH);
	sigdelset(&during, SIGHUP);
	sigdelset(&during, SIGTERM);
	w->dirty = 1;
	while (!w->done && wizard_signal == 0) {
		s = current(w);
		t = ui_now_ms();
		timeout = -1;
		if (w->dirty) {
			if (t - w->last_draw >= REDRAW_MS || w->dirty > 1)
				draw(w);
			else
				timeout = (int)(REDRAW_MS - (t - w->last_draw));
		}
		if (s->tick_ms > 0 && s->event != NULL) {
			wait = w->last_tick + s->tick_ms - t;
			if (wait < 0)
				wait = 0;
			if (timeout < 0 || wait < timeout)
				timeout = (int)wait;
		}
		pfd[0].fd = STDIN_FILENO;
		pfd[0].events = POLLIN;
		fd = s->fd != NULL ? s->fd(w->data) : -1;
		pfd[1].fd = fd;
		pfd[1].events = POLLIN;
		ts.tv_sec = timeout / 1000;
		ts.tv_nsec = (long)(timeout % 1000) * 1000000;
		n = ppoll(pfd, fd >= 0 ? 2 : 1, timeout < 0 ? NULL : &ts,
		    &during);
		if (n < 0 && errno != EINTR)
			break;
		/* The terminal is gone (hang-up without a signal to us). */
		if (n > 0 &&
		    (pfd[0].revents & (POLLHUP | POLLERR | POLLNVAL)) != 0) {
			w->hungup = 1;
			break;
		}
		/* Keys first; a resize arrives as a key too. */
		while ((k = ui_getkey()) != UI_NOKEY) {
			key(w, k);
			if (w->dirty)
				w->dirty = 2;	/* keys redraw at once */
			if (w->done || current(w) != s)
				break;
		}
		if (w->done || current(w) != s)
			continue;
		/* Events wait until what they follow is on the screen. */
		if (s->event != NULL && !w->dirty && ((n > 0 && fd >= 0 &&
		    (pfd[1].revents & (POLLIN | POLLHUP))) ||
		    (s->tick_ms > 0 && ui_now_ms() - w->last_tick >=
		    s->tick_ms))) {
			w->last_tick = ui_now_ms();
			a = s->event(&w->m, w->data);
			if (a == SA_REDRAW) {
				if (!w->dirty)
					w->dirty = 1;
			} else
				apply(w, a);
		}
	}
	current(w)->leave(w->data);
	w->data = NULL;
	free(w->more);
	w->more = NULL;
	ui_end();
	if (w->fatal != 0) {
		k = ui_fail(w->fatal, w->fatal_cause);
		w->fatal_cause = NULL;
		return k;
	}
	if (wizard_signal != 0 || w->hungup)
		return DS_EXIT_STOPPED;
	return DS_EXIT_OK;
}

static const struct ds_cliopt options[] = {
	{ "staging", 's', "DIR", N_("pre-fill the staging folder") },
	{ "settings", 'p', "FILE", N_("pre-fill the publish-settings file") },
	{ "all", 'a', NULL, N_("also list virtual disks (loop devices)") },
	UI_OPT_HELP,
	UI_OPT_END
};

static const char usage[] = N_("Usage: diskseed wizard [OPTIONS]\n"
    "Walks through the whole job screen by screen.\n");

int
cmd_wizard(int argc, char **argv)
{
	struct wizard		 w;
	struct sigaction	 sa;
	char			*cause = NULL;
	int			 c, rc;

	memset(&w, 0, sizeof w);
	while ((c = ds_cliopt_getopt(argc, argv, options, 1)) != -1) {
		switch (c) {
		case 's':
			wiz_set(&w.m.staging, optarg);
			break;
		case 'p':
			wiz_set(&w.m.settings, optarg);
			break;
		case 'a':
			w.m.all_drives = 1;
			break;
		case 'h':
			wiz_model_clear(&w.m);
			return ui_help(_(usage), options);
		default:
			wiz_model_clear(&w.m);
			return ui_usage_error("wizard", NULL);
		}
	}
	if (optind != argc) {
		wiz_model_clear(&w.m);
		return ui_usage_error("wizard", _("unexpected argument '%s'"),
		    argv[optind]);
	}
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	if ((rc = ui_start(&cause)) != 0) {
		wiz_model_clear(&w.m);
		return ui_fail(rc, cause);
	}
	w.stack[0] = &screen_menu_ops;
	w.depth = 1;
	/*
	 * A copy still running, waiting for a drive, or done with its keys
	 * never confirmed (the terminal was lost): show it at once.
	 */
	if ((w.m.job = needs_user()) != NULL) {
		wiz_recall(&w.m);
		w.m.mode = WIZ_MODE_PREPARE;
		w.m.resume = 1;
		w.m.attached = 1;
		w.stack[1] = &screen_copy_ops;
		w.depth = 2;
	}
	rc = run(&w);
	wiz_model_clear(&w.m);
	return rc;
}
