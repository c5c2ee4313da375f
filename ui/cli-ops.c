/* SPDX-License-Identifier: MIT */
/* Progress and warnings of the plain command line. */
#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "cli-ops.h"
#include "err.h"
#include "error.h"
#include "i18n.h"
#include "restore.h"
#include "util.h"

/* The short name of each phase, in the order of enum ds_phase. */
static const char *const phase_names[] = {
#define DS_PHASE(name, word, brief, long) brief,
#include "phases.def"
#undef DS_PHASE
};

static long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static volatile sig_atomic_t stop_requested;

static void
on_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

void
cli_ops_catch_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sa.sa_flags = SA_RESETHAND;	/* a second signal ends at once */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
}

static int
cli_progress(void *arg, const struct ds_progress *p)
{
	struct cli_ops_state	*s = arg;
	char			 done[16], total[16], line[256];
	long long		 now = now_ms();
	int			 pct = -1;

	if (stop_requested)
		return 1;
	if (s->quiet)
		return 0;
	if ((int)p->phase == s->last_phase &&
	    now - s->last_ms < (s->tty ? 100 : 5000))
		return 0;
	s->last_phase = (int)p->phase;
	s->last_ms = now;
	if (p->total > 0)
		pct = (int)(p->done * 100 / p->total);
	ds_human_size(done, sizeof done, p->done);
	ds_human_size(total, sizeof total, p->total);
	if (p->phase == 0)
		snprintf(line, sizeof line, P_("%s: %llu entry",
		    "%s: %llu entries", p->files_done),
		    _(phase_names[p->phase]),
		    (unsigned long long)p->files_done);
	else if (pct >= 0)
		snprintf(line, sizeof line, P_("%s: %d%% %s of %s, "
		    "%llu/%llu file", "%s: %d%% %s of %s, %llu/%llu files",
		    p->files_total), _(phase_names[p->phase]), pct, done,
		    total, (unsigned long long)p->files_done,
		    (unsigned long long)p->files_total);
	else
		snprintf(line, sizeof line, _("%s: %s"),
		    _(phase_names[p->phase]), done);
	if (p->drive_index >= 0 && p->drive_size > 0) {
		size_t len = strlen(line);

		snprintf(line + len, sizeof line - len,
		    _(", drive %d %d%% full"), p->drive_index,
		    (int)(p->drive_used * 100 / p->drive_size));
	}
	if (s->tty) {
		fprintf(stderr, "\r\033[K%.*s", 79, line);
		s->drawn = 1;
	} else
		fprintf(stderr, "%s\n", line);
	fflush(stderr);
	return 0;
}

static void
cli_warn(void *arg, const char *message)
{
	struct cli_ops_state *s = arg;

	cli_ops_done(s);
	fprintf(stderr, _("diskseed: warning: %s\n"), message);
}

void
cli_ops_done(struct cli_ops_state *s)
{
	if (s->drawn) {
		fputs("\r\033[K", stderr);
		s->drawn = 0;
	}
}

void
cli_ops_init(struct ds_ui_ops *ops, struct cli_ops_state *s)
{
	memset(s, 0, sizeof *s);
	s->tty = isatty(STDERR_FILENO);
	s->last_phase = -1;
	memset(ops, 0, sizeof *ops);
	ops->arg = s;
	ops->progress = cli_progress;
	ops->warn = cli_warn;
}

static void
print_report(const struct ds_read_report *r, int restore)
{
	const struct ds_problem	*p;
	char			 where[64], size[16];
	size_t			 i;

	for (i = 0; i < r->nproblems; i++) {
		p = &r->problems[i];
		where[0] = '\0';
		if (p->drive_index >= 0 && p->chunk >= 0)
			snprintf(where, sizeof where, _("drive %d, chunk %lld"),
			    p->drive_index, (long long)p->chunk);
		else if (p->drive_index >= 0)
			snprintf(where, sizeof where, _("drive %d"),
			    p->drive_index);
		if (p->path != NULL)
			printf("%s%s%s: %s\n", where, *where ? ": " : "",
			    p->path, p->reason);
		else
			printf("%s%s%s\n", where, *where ? ": " : "",
			    p->reason);
	}
	ds_human_size(size, sizeof size, r->bytes_ok);
	/* Two counts, two plurals. */
	if (restore) {
		printf(P_("%llu file restored (%s)", "%llu files restored "
		    "(%s)", r->files_ok), (unsigned long long)r->files_ok,
		    size);
		printf(P_(", %llu lost\n", ", %llu lost\n", r->files_failed),
		    (unsigned long long)r->files_failed);
	} else {
		printf(P_("%llu file checked", "%llu files checked",
		    r->files_ok + r->files_failed),
		    (unsigned long long)(r->files_ok + r->files_failed));
		printf(P_(", %zu problem\n", ", %zu problems\n",
		    r->nproblems), r->nproblems);
	}
}

/* The report as one JSON object, keys in camelCase; NULL without memory. */
static json_t *
report_json(const struct ds_read_report *r, int ok)
{
	const struct ds_problem	*p;
	json_t			*o, *a, *m;
	size_t			 i;
	int			 rc = 0;

	if ((o = json_object()) == NULL)
		return NULL;
	rc |= json_object_set_new(o, "intact", json_boolean(ok));
	rc |= json_object_set_new(o, "filesOk",
	    json_integer((json_int_t)r->files_ok));
	rc |= json_object_set_new(o, "filesFailed",
	    json_integer((json_int_t)r->files_failed));
	rc |= json_object_set_new(o, "bytesOk",
	    json_integer((json_int_t)r->bytes_ok));
	rc |= json_object_set_new(o, "problems", a = json_array());
	rc |= json_object_set_new(o, "missingDrives", m = json_array());
	for (i = 0; rc == 0 && i < r->nproblems; i++) {
		p = &r->problems[i];
		rc |= json_array_append_new(a, json_pack("{s:o, s:o, s:s?, "
		    "s:s}", "drive", p->drive_index >= 0 ?
		    json_integer(p->drive_index) : json_null(), "chunk",
		    p->chunk >= 0 ? json_integer((json_int_t)p->chunk) :
		    json_null(), "path", p->path, "reason", p->reason));
	}
	for (i = 0; rc == 0 && i < r->nmissing; i++)
		rc |= json_array_append_new(m, json_integer(r->missing[i]));
	if (rc != 0) {
		json_decref(o);
		return NULL;
	}
	return o;
}

int
cli_finish(struct cli_ops_state *st, int rc, char *cause,
    struct ds_read_report *r, int restore, int json)
{
	json_t	*o;
	int	 ex;

	cli_ops_done(st);
	if (rc != DS_E_OK && rc != DS_E_DAMAGED) {
		ds_read_report_free(r);
		return ui_fail(rc, cause);
	}
	free(cause);
	ex = DS_EXIT_OK;
	if (json) {
		if ((o = report_json(r, rc == DS_E_OK)) == NULL ||
		    json_dumpf(o, stdout, JSON_INDENT(2) |
		    JSON_PRESERVE_ORDER) != 0)
			ex = ui_fail(DS_E_NOMEM, NULL);
		else
			putchar('\n');
		json_decref(o);
	} else
		print_report(r, restore);
	ds_read_report_free(r);
	if (ex != DS_EXIT_OK)
		return ex;
	if (rc == DS_E_DAMAGED)
		return ui_fail(rc, NULL);
	if (!restore && !json)
		printf(_("all drives are intact\n"));
	return DS_EXIT_OK;
}
