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

static void
usage(FILE *f)
{
	fputs(_("Usage: diskseed prep --staging DIR --job NAME --drive D "
	    "[--drive D ...]\n"
	    "                     --confirm ID[,ID...] [OPTIONS]\n"
	    "       diskseed prep --resume --job NAME [--drive D ...] "
	    "--confirm ID[,ID...]\n"
	    "Format the drives and copy the staging folder onto them.\n\n"
	    "  --staging DIR        the folder to copy\n"
	    "  --job NAME           the import job's name\n"
	    "  --drive D            a drive: block device or image file "
	    "(repeat)\n"
	    "  --confirm ID,...     each drive's id (an image's file name); "
	    "nothing is\n"
	    "                       written to a drive it does not name\n"
	    "  --resume             continue an interrupted or full job\n"
	    "  --overwrite-job NAME format a drive that holds job NAME, "
	    "not completed\n"
	    "  --skip-unreadable    copy the rest when some files cannot be "
	    "read\n"
	    "  --level N            zstd compression level (default 1)\n"
	    "  --chunk-size SIZE    bytes per sealed chunk (default 4M)\n"
	    "  --segment-size SIZE  bytes per segment (default 128M)\n"
	    "  -q, --quiet          no progress\n"
	    "  -h, --help           show this help\n"), f);
}

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
parse_size_opt(const char *name, const char *s, uint64_t *out)
{
	if (ds_parse_size(s, out) == -1 || *out == 0) {
		ds_err_print(_("invalid %s: %s"), name, s);
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

static int
report_ask(void *arg, enum ds_question q, const char *detail, char **answer)
{
	struct prep_report *r = arg;

	return r->cli.ask != NULL ? r->cli.ask(r->cli.arg, q, detail, answer) :
	    0;
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
	static const struct option longopts[] = {
		{ "staging",		required_argument, NULL, 's' },
		{ "job",		required_argument, NULL, 'j' },
		{ "drive",		required_argument, NULL, 'd' },
		{ "confirm",		required_argument, NULL, 'c' },
		{ "resume",		no_argument,	   NULL, 'r' },
		{ "overwrite-job",	required_argument, NULL, 'O' },
		{ "skip-unreadable",	no_argument,	   NULL, 'u' },
		{ "level",		required_argument, NULL, 'l' },
		{ "chunk-size",		required_argument, NULL, 'C' },
		{ "segment-size",	required_argument, NULL, 'S' },
		{ "quiet",		no_argument,	   NULL, 'q' },
		{ "help",		no_argument,	   NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct ds_prep_opts	 o;
	struct ds_prep_result	*r = NULL;
	struct ds_ui_ops	 ops;
	struct prep_report	 report;
	struct cli_ops_state	 st;
	const char		**drives = NULL;
	char			*cause = NULL, *end;
	uint64_t		 v;
	size_t			 i;
	int			 c, rc, quiet = 0, ret;
	long			 level;

	memset(&o, 0, sizeof o);
	if ((drives = calloc((size_t)argc + 1, sizeof *drives)) == NULL)
		return DS_EXIT_FAILURE;
	while ((c = getopt_long(argc, argv, "qh", longopts, NULL)) != -1) {
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
				ds_err_print(_("invalid --level: %s (1-19)"),
				    optarg);
				goto usage;
			}
			o.level = (int)level;
			break;
		case 'C':
			if (parse_size_opt("--chunk-size", optarg, &v) == -1 ||
			    v > UINT32_MAX)
				goto usage;
			o.chunk_size = (uint32_t)v;
			break;
		case 'S':
			if (parse_size_opt("--segment-size", optarg, &v) == -1)
				goto usage;
			o.segment_size = v;
			break;
		case 'q':
			quiet = 1;
			break;
		case 'h':
			usage(stdout);
			free(drives);
			return DS_EXIT_OK;
		default:
			goto usage;
		}
	}
	if (optind != argc || o.job == NULL ||
	    (!o.resume && (o.staging == NULL || o.ndrives == 0))) {
		ds_err_print(_("prep needs --job, and --staging and --drive "
		    "unless --resume"));
		goto usage;
	}
	o.drives = drives;
	/*
	 * Before the status file below: a bad name leaves nothing behind,
	 * and a refused name does not overwrite that job's copy status.
	 */
	if ((rc = ds_name_check_job(o.job, &cause)) != DS_E_OK) {
		ds_err_code(rc, cause);
		free(drives);
		return DS_EXIT_USAGE;
	}
	if ((rc = ds_jobrec_claim(o.job, o.staging, o.resume, &cause)) !=
	    DS_E_OK) {
		ds_err_code(rc, cause);
		free(drives);
		return rc == DS_E_JOBEXISTS ? DS_EXIT_REFUSED :
		    DS_EXIT_FAILURE;
	}
	memset(&report, 0, sizeof report);
	cli_ops_init(&report.cli, &st);
	st.quiet = quiet;
	report.pub = copyrun_pub_open(o.job, NULL);
	memset(&ops, 0, sizeof ops);
	ops.arg = &report;
	ops.progress = report_progress;
	ops.ask = report_ask;
	ops.warn = report_warn;
	o.ops = &ops;
	cli_ops_catch_signals();
	rc = ds_prep(&o, &r, &cause);
	cli_ops_done(&st);
	copyrun_pub_done(report.pub, rc, cause);
	copyrun_pub_free(report.pub);
	if (r != NULL)
		print_drives(o.job, r);
	switch (rc) {
	case DS_E_OK:
		printf(_("job %s: all of the staging folder is on the "
		    "drives\n"), o.job);
		ret = DS_EXIT_OK;
		break;
	case DS_E_NEED_DRIVE:
		ds_err_code(rc, cause);
		cause = NULL;
		ret = DS_EXIT_NEED_DRIVE;
		break;
	case DS_E_UNREADABLE:
		for (i = 0; r != NULL && i < r->nunreadable; i++)
			ds_err_print(_("cannot read: %s"), r->unreadable[i]);
		ds_err_code(rc, cause);
		cause = NULL;
		ret = DS_EXIT_FAILURE;
		break;
	case DS_E_NOTCONFIRMED:
	case DS_E_INELIGIBLE:
	case DS_E_CHANGED:
	case DS_E_BUSY:
	case DS_E_OTHERJOB:
	case DS_E_INSET:
	case DS_E_JOBEXISTS:
		ds_err_code(rc, cause);
		cause = NULL;
		ret = DS_EXIT_REFUSED;
		break;
	case DS_E_CANCELED:
		ds_err_code(rc, cause);
		cause = NULL;
		ret = DS_EXIT_STOPPED;
		break;
	case DS_E_INVAL:
	case DS_E_BADNAME:
		ds_err_code(rc, cause);
		cause = NULL;
		ret = DS_EXIT_USAGE;
		break;
	default:
		ds_err_code(rc, cause);
		cause = NULL;
		ret = DS_EXIT_FAILURE;
		break;
	}
	ds_prep_result_free(r);
	free(drives);
	return ret;
usage:
	usage(stderr);
	free(drives);
	return DS_EXIT_USAGE;
}
