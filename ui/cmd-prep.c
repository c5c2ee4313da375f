/* SPDX-License-Identifier: MIT */
/* diskseed prep: format drives and copy the staging folder onto them. */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli-ops.h"
#include "copyrun.h"
#include "cmd.h"
#include "error.h"
#include "jobrec.h"
#include "names.h"
#include "prep.h"
#include "prepared.h"
#include "util.h"

static const struct ds_cliopt options[] = {
	{ "staging", 's', "DIR", N_("the folder to copy") },
	{ "job", 'j', "NAME", N_("the import job's name") },
	{ "drive", 'd', "D", N_("a drive: block device or image file "
	    "(repeat)") },
	{ "confirm", 'c', "ID,...", N_("each drive's id (an image's file "
	    "name); nothing is written to a drive it does not name") },
	{ "resume", 'r', NULL, N_("continue an interrupted or full job") },
	{ "overwrite-job", 'O', "NAME", N_("format a drive that holds job "
	    "NAME, not completed") },
	{ "skip-unreadable", 'u', NULL, N_("copy the rest when some files "
	    "cannot be read") },
	{ "level", 'l', "N", N_("zstd compression level (default 1)") },
	{ "chunk-size", 'C', "SIZE", N_("bytes per sealed chunk (default "
	    "4M)") },
	{ "segment-size", 'S', "SIZE", N_("bytes per segment (default "
	    "128M)") },
	UI_OPT_QUIET,
	UI_OPT_HELP,
	UI_OPT_END
};

static const char usage[] = N_("Usage: diskseed prep --staging DIR --job NAME "
    "--drive D [--drive D ...]\n"
    "                     --confirm ID[,ID...] [OPTIONS]\n"
    "       diskseed prep --resume --job NAME [--drive D ...] "
    "--confirm ID[,ID...]\n"
    "Format the drives and copy the staging folder onto them.\n");

/* Prints the keys and hashes of the drives this run formatted/closed. */
static void
print_drives(const char *job, const struct ds_prep_result *r)
{
	struct ds_prepared	*p;
	size_t			 i, j;
	char			*cause = NULL;

	if (ds_prepared_load(job, &p, &cause) != DS_E_OK) {
		free(cause);
		return;
	}
	for (i = 0; i < p->ndrives; i++) {
		struct ds_prepared_drive *d = &p->drives[i];

		for (j = 0; j < r->nformatted; j++)
			if (r->formatted[j] == d->index)
				printf(_("drive %d (%s): recovery key %s\n"),
				    d->index, d->drive_id, d->recovery_key);
		for (j = 0; j < r->nclosed; j++)
			if (r->closed[j] == d->index)
				printf(_("drive %d (%s): complete, manifest "
				    "hash %s, header hash %s\n"), d->index,
				    d->drive_id, d->manifest_hash,
				    d->header_hash);
	}
	ds_prepared_free(p);
}

static int
parse_size_opt(const char *name, const char *s, uint64_t max,
    uint64_t *out)
{
	if (ds_parse_size(s, out) == -1 || *out == 0 || *out > max) {
		ui_usage_error("prep", _("invalid %s: %s"), name, s);
		return -1;
	}
	return 0;
}

/*
 * The command line's reporting, also published in the job's status file
 * so that a wizard started meanwhile (over SSH, say) shows this copy.
 */
struct prep_report {
	struct ds_ui_ops	 cli;
	struct copyrun_pub	*pub;
};

static int
report_progress(void *arg, const struct ds_progress *p)
{
	struct prep_report *r = arg;

	copyrun_pub_progress(r->pub, p);
	return r->cli.progress != NULL ? r->cli.progress(r->cli.arg, p) : 0;
}

static void
report_warn(void *arg, const char *message)
{
	struct prep_report *r = arg;

	copyrun_pub_warn(r->pub, message);
	if (r->cli.warn != NULL)
		r->cli.warn(r->cli.arg, message);
}

int
cmd_prep(int argc, char **argv)
{
	struct ds_prep_opts	 o;
	struct ds_prep_result	*r = NULL;
	struct ds_ui_ops	 ops;
	struct prep_report	 report;
	struct cli_ops_state	 st;
	const char		**drives = NULL;
	char			*cause = NULL, *end;
	uint64_t		 v;
	size_t			 i;
	int			 c, rc, quiet = 0;
	long			 level;

	memset(&o, 0, sizeof o);
	if ((drives = calloc((size_t)argc + 1, sizeof *drives)) == NULL)
		return DS_EXIT_FAILURE;
	while ((c = ds_cliopt_getopt(argc, argv, options, 0)) != -1) {
		switch (c) {
		case 's':
			o.staging = optarg;
			break;
		case 'j':
			o.job = optarg;
			break;
		case 'd':
			drives[o.ndrives++] = optarg;
			break;
		case 'c':
			o.confirm = optarg;
			break;
		case 'r':
			o.resume = 1;
			break;
		case 'O':
			o.overwrite_job = optarg;
			break;
		case 'u':
			o.skip_unreadable = 1;
			break;
		case 'l':
			level = strtol(optarg, &end, 10);
			if (*end != '\0' || level < 1 || level > 19) {
				free(drives);
				return ui_usage_error("prep",
				    _("invalid --level: %s (1-19)"), optarg);
			}
			o.level = (int)level;
			break;
		case 'C':
			if (parse_size_opt("--chunk-size", optarg, UINT32_MAX,
			    &v) == -1)
				goto bad;
			o.chunk_size = (uint32_t)v;
			break;
		case 'S':
			if (parse_size_opt("--segment-size", optarg,
			    UINT64_MAX, &v) == -1)
				goto bad;
			o.segment_size = v;
			break;
		case 'q':
			quiet = 1;
			break;
		case 'h':
			free(drives);
			return ui_help(_(usage), options);
		default:
			free(drives);
			return ui_usage_error("prep", NULL);
		}
	}
	if (optind != argc || o.job == NULL ||
	    (!o.resume && (o.staging == NULL || o.ndrives == 0))) {
		free(drives);
		return ui_usage_error("prep", "%s", _("prep needs --job, and "
		    "--staging and --drive unless --resume"));
	}
	o.drives = drives;
	/*
	 * Before the status file below: a bad name leaves nothing behind,
	 * and a refused name does not overwrite that job's copy status.
	 */
	if ((rc = ds_name_check_job(o.job, &cause)) != DS_E_OK ||
	    (rc = ds_jobrec_claim(o.job, o.staging, o.resume, &cause)) !=
	    DS_E_OK) {
		free(drives);
		return ui_fail(rc, cause);
	}
	memset(&report, 0, sizeof report);
	cli_ops_init(&report.cli, &st);
	st.quiet = quiet;
	report.pub = copyrun_pub_open(o.job, NULL);
	memset(&ops, 0, sizeof ops);
	ops.arg = &report;
	ops.progress = report_progress;
	ops.warn = report_warn;
	o.ops = &ops;
	cli_ops_catch_signals();
	rc = ds_prep(&o, &r, &cause);
	cli_ops_done(&st);
	copyrun_pub_done(report.pub, rc, cause);
	copyrun_pub_free(report.pub);
	if (r != NULL)
		print_drives(o.job, r);
	if (rc == DS_E_OK)
		printf(_("job %s: all of the staging folder is on the "
		    "drives\n"), o.job);
	for (i = 0; rc == DS_E_UNREADABLE && r != NULL &&
	    i < r->nunreadable; i++)
		ui_err_print(_("cannot read: %s"), r->unreadable[i]);
	ds_prep_result_free(r);
	free(drives);
	return rc == DS_E_OK ? (free(cause), DS_EXIT_OK) : ui_fail(rc, cause);
bad:
	free(drives);
	return DS_EXIT_USAGE;
}
