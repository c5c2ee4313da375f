/* SPDX-License-Identifier: MIT */
/*
 * The ingest: shipped drives arrive at the service, are checked against
 * the import job that registered them, restored with the job's keys and
 * uploaded file by file into the job's storage account. Progress per file
 * is kept in DIR/ingest.db (SQLite), so a killed ingest resumes without
 * sending again what is stored.
 *
 *   receive         check, accept and ingest drives of a job
 *   never-received  mark drives that will not come, and finish the job
 *
 * This file holds the two commands, their options and the run's order;
 * ingest-int.h names the files that do each part.
 */
#include "config.h"

#include <sys/file.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "db.h"
#include "error.h"
#include "importd.h"
#include "ingest-int.h"
#include "state.h"
#include "target.h"
#include "util.h"

static const char receive_help[] = N_(
"Usage: diskseed-importd receive --dir DIR --job NAME [OPTIONS] DRIVE...\n"
"Checks each DRIVE (block device or image file, opened read-only)\n"
"against the import job, then reads it once with the job's keys and\n"
"streams every file into the job's storage account and container.\n"
"Drives of another job, or of none, are reported and left alone.\n"
"With --target, the files go into FOLDER instead, and the copy logs\n"
"into DIR/diagnostics.\n"
"\n"
"Options:\n"
"  -d, --dir DIR              the service directory\n"
"  -j, --job NAME             the job's name\n"
"  -t, --target FOLDER        write the files into FOLDER, not the storage\n"
"                             account\n"
"  -s, --subscription ID      the job's subscription, among jobs of the\n"
"                             same name\n"
"  -g, --resource-group RG    the job's resource group, among jobs of the\n"
"                             same name\n"
"  -h, --help                 show this help and exit\n");

static const char never_help[] = N_(
"Usage: diskseed-importd never-received --dir DIR --job NAME [OPTIONS]\n"
"           DRIVEID...\n"
"Marks drives of the job that will not arrive as NeverReceived, and\n"
"finishes the job with the drives that did.\n"
"\n"
"Options:\n"
"  -d, --dir DIR              the service directory\n"
"  -j, --job NAME             the job's name\n"
"  -t, --target FOLDER        the files of the job went into FOLDER\n"
"  -s, --subscription ID      the job's subscription, among jobs of the\n"
"                             same name\n"
"  -g, --resource-group RG    the job's resource group, among jobs of the\n"
"                             same name\n"
"  -h, --help                 show this help and exit\n");

void
say(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

/*
 * Takes DIR/locks/SUB.RG.JOB.lock, so two ingests of one job never mix.
 * The three names are a stored job's (checked when it was made), so they
 * are safe in a path.
 */
static int
lock_job(struct ingest *in, char **cause)
{
	char	*path;
	int	 rc;

	if (asprintf(&path, "%s/locks", in->dir) == -1)
		return DS_E_NOMEM;
	rc = ds_mkdir_p(path, 0700, cause);
	free(path);
	if (rc != DS_E_OK)
		return rc;
	if (asprintf(&path, "%s/locks/%s.%s.%s.lock", in->dir, in->sub,
	    in->rg, in->job) == -1)
		return DS_E_NOMEM;
	in->lock_fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (in->lock_fd == -1)
		rc = ds_cause(cause, DS_E_IO, "%s: %s", path, strerror(errno));
	else if (flock(in->lock_fd, LOCK_EX | LOCK_NB) == -1)
		rc = ds_cause(cause, DS_E_INGEST_BUSY, "%s", in->job);
	free(path);
	return rc;
}

/* Refuses an importd.conf holding account keys that others can read. */
static int
config_private(struct ingest *in, char **cause)
{
	json_t	*a;
	char	*path;
	size_t	 i;
	int	 rc = DS_E_OK;

	json_array_foreach(in->cf->accounts, i, a) {
		if (json_object_get(a, "key") == NULL)
			continue;
		if ((path = config_path(in->dir, "importd.conf")) == NULL)
			return DS_E_NOMEM;
		rc = ds_check_private(path, cause);
		free(path);
		break;
	}
	return rc;
}

/* Loads the job, its storage target and containers. */
static int
ingest_open(struct ingest *in, char **cause)
{
	const char	*acct_id, *acct, *diag;
	char		*path, *slash;
	json_t		*tags, *account;
	int		 rc;

	if ((rc = config_load(in->dir, &in->cf, cause)) != DS_E_OK ||
	    (rc = config_private(in, cause)) != DS_E_OK)
		return rc;
	if ((path = config_path(in->dir, "importd.db")) == NULL)
		return DS_E_NOMEM;
	rc = db_open(path, &in->db, cause);
	free(path);
	if (rc != DS_E_OK)
		return rc;
	if ((rc = db_job_find(in->db, in->job, in->sub_opt, in->rg_opt,
	    &in->sub, &in->rg, &in->doc, cause)) != DS_E_OK ||
	    (rc = job_key_of(in, &in->job_key, cause)) != DS_E_OK)
		return rc;
	if ((rc = lock_job(in, cause)) != DS_E_OK ||
	    (rc = idb_open(in, cause)) != DS_E_OK)
		return rc;
	tags = json_object_get(in->doc, "tags");
	if (json_string_value(json_object_get(tags, "container")) != NULL)
		in->container = strdup(json_string_value(json_object_get(tags,
		    "container")));
	else
		in->container = strdup(in->job);
	for (slash = in->container; slash != NULL && *slash != '\0'; slash++)
		if (*slash >= 'A' && *slash <= 'Z')
			*slash = (char)(*slash - 'A' + 'a');
	if (in->container == NULL)
		return DS_E_NOMEM;
	if (!valid_container_name(in->container))
		return ds_cause(cause, DS_E_INVAL, _("job %s: '%s' is not a "
		    "valid container name"), in->job, in->container);
	if (in->target_dir != NULL) {
		if ((rc = target_open_dir(in->target_dir, in->container,
		    &in->tgt)) != DS_E_OK)
			return rc;
		if ((path = config_path(in->dir, "diagnostics")) == NULL)
			return DS_E_NOMEM;
		rc = target_open_dir(path, NULL, &in->logt);
		free(path);
		if (rc != DS_E_OK)
			return rc;
	} else {
		acct_id = json_string_value(json_object_get(props_of(in),
		    "storageAccountId"));
		acct = acct_id != NULL && strrchr(acct_id, '/') != NULL ?
		    strrchr(acct_id, '/') + 1 : acct_id;
		if (acct == NULL ||
		    (account = config_account_for(in->cf, acct, in->sub)) ==
		    NULL)
			return ds_cause(cause, DS_E_IMPORTD_CONFIG, _("job %s: "
			    "storage account %s is not one of its "
			    "subscription's in importd.conf"), in->job,
			    acct != NULL ? acct : "?");
		if ((rc = target_open(account, &in->tgt, cause)) != DS_E_OK)
			return rc;
		in->logt = in->tgt;
	}
	in->tgt_is_dir = target_is_dir(in->tgt);
	diag = json_string_value(json_object_get(props_of(in),
	    "diagnosticsPath"));
	if ((in->diag_container = strdup(diag != NULL && *diag != '\0' ?
	    diag : "waimportexport")) == NULL)
		return DS_E_NOMEM;
	if ((slash = strchr(in->diag_container, '/')) != NULL) {
		*slash = '\0';
		in->diag_prefix = strdup(slash + 1);
	} else
		in->diag_prefix = strdup("");
	if (in->diag_prefix == NULL)
		return DS_E_NOMEM;
	return DS_E_OK;
}

static void
ingest_close(struct ingest *in)
{
	size_t	 i;

	/* Uploads still queued end (and touch the files) first. */
	if (in->tgt != NULL)
		target_drain(in->tgt, NULL);
	for (i = 0; i < in->ndrives; i++)
		idrive_clear(&in->drives[i]);
	free(in->drives);
	for (i = 0; i < in->nfiles; i++) {
		free(in->files[i].on_drive);
		free(in->files[i].failed);
	}
	free(in->files);
	free(in->slots);
	if (in->idb != NULL) {
		idb_flush(in, NULL);
		sqlite3_finalize(in->st_put);
		sqlite3_close(in->idb);
	}
	if (in->logt != in->tgt)
		target_free(in->logt);
	target_free(in->tgt);
	free(in->job_key);
	ds_dreader_free(in->dr);
	for (i = 0; i < in->nlinks; i++) {
		free(in->links[i].path);
		free(in->links[i].target);
		free(in->links[i].drive_id);
	}
	free(in->links);
	free(in->sink_cause);
	pthread_mutex_destroy(&in->mu);
	json_decref(in->doc);
	db_close(in->db);
	config_free(in->cf);
	free(in->sub);
	free(in->rg);
	free(in->container);
	free(in->diag_container);
	free(in->diag_prefix);
	if (in->lock_fd > 0)
		close(in->lock_fd);
}

/* Attributes the report's problems to files and drives. */
static void
apply_report(struct ingest *in, const struct ds_read_report *r)
{
	struct ifile	*f;
	struct idrive	*d;
	size_t		 i, k;
	int		 missing;

	for (i = 0; i < r->nproblems; i++) {
		const struct ds_problem *p = &r->problems[i];

		for (k = 0, missing = 0; k < r->nmissing; k++)
			if (r->missing[k] == p->drive_index)
				missing = 1;
		if (p->path != NULL && (f = find_file(in, p->path)) != NULL) {
			/* Lost for want of a drive not yet here: pending. */
			if (!file_complete(f) || f->uploaded)
				continue;
			if (f->failed == NULL) {
				f->failed = strdup(p->reason);
				f->fail_drive = p->drive_index;
			}
			continue;
		}
		if (missing || p->path != NULL)
			continue;
		if ((d = drive_at(in, p->drive_index)) != NULL) {
			if (p->chunk >= 0)
				logf_add(&d->err, _("chunk %lld: %s"),
				    (long long)p->chunk, p->reason);
			else
				logf_add(&d->err, "%s", p->reason);
			d->failed = 1;
		}
	}
}

/*
 * Accounts for every row: each regular file name is stored with its hash
 * checked, or named lost, and said so in the logs of its drives.
 */
static void
account_files(struct ingest *in)
{
	struct idrive	*d;
	struct ifile	*f;
	char		 hex[65];
	size_t		 i;
	uint32_t	 k;
	int		 waiting;

	waiting = expecting(in);
	for (i = 0; i < in->nfiles; i++) {
		f = &in->files[i];
		if (!file_complete(f) && f->failed == NULL && !waiting)
			f->failed = strdup(_("incomplete: part of it is on a "
			    "drive that was never received"));
		if (file_complete(f) && (f->regular || f->link) &&
		    !f->uploaded && f->failed == NULL && !f->waits)
			f->failed = strdup(_("the drive did not deliver it"));
		for (k = 0; k < IMPORTD_MAX_DRIVES; k++) {
			if (!(f->drives & (1U << k)) ||
			    (d = drive_at(in, (int)k)) == NULL)
				continue;
			if (f->failed != NULL && f->fail_drive >= 0 &&
			    f->fail_drive != (int)k)
				logf_add(&d->verbose, _("%s: not copied: lost "
				    "on drive %d: %s"), f->path,
				    f->fail_drive + 1, f->failed);
			else if (f->failed != NULL) {
				logf_add(&d->err, _("%s: not copied: %s"),
				    f->path, f->failed);
				d->failed = 1;
			} else if (f->uploaded) {
				ds_hex(hex, f->sha, 32);
				logf_add(&d->verbose, _("%s: copied, %llu "
				    "bytes, SHA-256 %s"), f->path,
				    (unsigned long long)f->size, hex);
			}
			else if (f->waits) {
				logf_add(&d->verbose, _("%s: another name of "
				    "a file on a drive not received yet: waits "
				    "for it"), f->path);
				d->pending = 1;
			} else if (!f->regular && !f->link)
				logf_add(&d->verbose, _("%s: not a regular "
				    "file: in the drive's listing"), f->path);
			else if (!file_complete(f)) {
				logf_add(&d->verbose, _("%s: waits for the "
				    "other drives it spans"), f->path);
				d->pending = 1;
			}
		}
	}
}

/* Ends each drive in hand that waits for nothing, and the job once no
 * drive may still come. */
static void
finish_drives(struct ingest *in)
{
	struct idrive	*d;
	size_t		 i;
	int		 all_final = 1;

	for (i = 0; i < in->ndrives; i++) {
		d = &in->drives[i];
		if (final_state(drive_state(in, d->id)))
			continue;
		if (d->index < 0 || d->pending) {
			all_final = 0;
			continue;
		}
		if (d->failed)
			in->problems++;
		write_logs(in, d);
		set_drive(in, d->id, d->failed ? "CompletedMoreInfo" :
		    "Completed", d->failed ? "CompletedWithErrors" :
		    "Completed", 100, (int64_t)d->bytes);
		say(_("drive %s: %s"), d->id, d->failed ?
		    "CompletedMoreInfo" : "Completed");
	}
	if (all_final) {
		set_job_state(in, "Completed");
		json_object_set_new(props_of(in), "percentComplete",
		    json_integer(100));
		say(_("job %s: Completed"), in->job);
	}
}

/* Restores the drives in hand and uploads what is complete. */
static int
transfer(struct ingest *in, char **cause)
{
	struct ds_read_report	*rep = NULL;
	const char		**paths = NULL, **keys = NULL;
	char			*c2 = NULL;
	struct idrive		*d;
	size_t			 i, n = 0, nkeys = 0;
	int			 rc, orc = DS_E_OK, any = 0;

	if ((rc = load_drives(in, cause)) != DS_E_OK)
		return rc;
	for (i = 0; i < in->ndrives; i++) {
		d = &in->drives[i];
		if (d->index >= 0 && !final_state(drive_state(in, d->id)))
			any = 1;
		if (d->index >= 0 && (size_t)d->index + 1 > nkeys)
			nkeys = (size_t)d->index + 1;
	}
	if (!any) {
		if ((rc = load_files(in)) != DS_E_OK ||
		    (rc = idb_load_done(in, cause)) != DS_E_OK)
			return rc;
		goto finish;
	}
	if ((paths = calloc(in->ndrives + 1, sizeof *paths)) == NULL ||
	    (keys = calloc(nkeys + 1, sizeof *keys)) == NULL) {
		rc = DS_E_NOMEM;
		goto out;
	}
	for (i = 0; i < in->ndrives; i++) {
		d = &in->drives[i];
		if (d->index < 0)
			continue;
		paths[n++] = d->path;
		keys[d->index] = d->key;
		if (!final_state(drive_state(in, d->id)))
			set_drive(in, d->id, "Transferring", "In progress", -1,
			    -1);
	}
	set_job_state(in, "Transferring");
	if ((rc = save_doc(in, cause)) != DS_E_OK ||
	    (rc = idb_ran_before(in, &in->ran_before, cause)) != DS_E_OK)
		goto out;

	if ((rc = target_container(in->tgt, in->container, cause)) !=
	    DS_E_OK)
		goto out;
	say(_("%s: reading %zu drive(s)"), in->job, n);
	/* A reader that cannot open is answered below, as before. */
	orc = open_drives(in, paths, n, keys, nkeys, &c2);
	if ((rc = load_files(in)) != DS_E_OK ||
	    (rc = idb_load_done(in, cause)) != DS_E_OK)
		goto out;
	rc = orc == DS_E_OK ? stream_drives(in, &rep, &c2) : orc;
	if (in->cancelled) {
		/* Nothing more is written to the job: it is the operator's. */
		rc = cancelled_cause(in, cause);
		goto out;
	}
	if (rc == DS_E_BADKEY || (rc != DS_E_OK && rep == NULL)) {
		/* Nothing could be read (a wrong key): every drive says so. */
		for (i = 0; i < in->ndrives; i++) {
			d = &in->drives[i];
			if (d->index < 0 || final_state(drive_state(in, d->id)))
				continue;
			logf_add(&d->err, "%s: %s", ds_strerror(rc),
			    c2 != NULL ? c2 : "");
			d->failed = 1;
		}
		importd_err_code(rc, c2);
		c2 = NULL;
		in->problems++;
		rc = DS_E_OK;
	} else if (rc != DS_E_OK) {
		/* The storage failed, or a signal: stop, resumable. */
		if (c2 != NULL)
			ds_cause(cause, rc, "%s", c2);
		goto out;
	} else
		apply_report(in, rep);

	account_files(in);
finish:
	finish_drives(in);
	rc = save_doc(in, cause);
out:
	ds_read_report_free(rep);
	free(c2);
	free(paths);
	free(keys);
	return rc;
}

static int
parse_common(int argc, char **argv, const char *help, struct ingest *in)
{
	const char	*cmd = argv[0];

	static const struct option longopts[] = {
		{ "dir", required_argument, NULL, 'd' },
		{ "job", required_argument, NULL, 'j' },
		{ "target", required_argument, NULL, 't' },
		{ "subscription", required_argument, NULL, 's' },
		{ "resource-group", required_argument, NULL, 'g' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	int	 c;

	/* getopt names the program by the first argument it is given. */
	argv[0] = (char *)"diskseed-importd";
	optind = 1;
	while ((c = getopt_long(argc, argv, "d:j:t:s:g:h", longopts, NULL)) !=
	    -1) {
		switch (c) {
		case 'd':
			in->dir = optarg;
			break;
		case 'j':
			in->job = optarg;
			break;
		case 't':
			in->target_dir = optarg;
			break;
		case 's':
			in->sub_opt = optarg;
			break;
		case 'g':
			in->rg_opt = optarg;
			break;
		case 'h':
			fputs(_(help), stdout);
			exit(EXIT_OK);
		default:
			admin_usage_error(cmd, NULL);
			return -1;
		}
	}
	if (in->dir == NULL || in->job == NULL || optind >= argc) {
		admin_usage_error(cmd, "%s", _("--dir, --job and at least one "
		    "drive are needed"));
		return -1;
	}
	log_dir = in->dir;
	return 0;
}

/* Test hooks (DS_TEST_HOOKS, ./configure --enable-test-hooks only). */
static void
hooks(struct ingest *in)
{
#ifdef DS_TEST_HOOKS
	const char	*v;

	if ((v = getenv("DISKSEED_IMPORTD_CRASH_AFTER")) != NULL)
		in->crash_after = strtol(v, NULL, 10);
	if ((v = getenv("DISKSEED_IMPORTD_PAUSE_AFTER")) != NULL)
		in->pause_after = strtol(v, NULL, 10);
	if ((v = getenv("DISKSEED_IMPORTD_PAUSE_BYTE")) != NULL)
		in->pause_byte = strtoull(v, NULL, 10);
	in->pause_sync = getenv("DISKSEED_IMPORTD_PAUSE_SYNC");
#endif
}

/* Accepts only jobs whose drives may be on their way or in. */
static int
job_receivable(struct ingest *in, char **cause)
{
	const char *s = json_string_value(json_object_get(props_of(in),
	    "state"));

	if (s != NULL && (strcmp(s, "Shipping") == 0 ||
	    strcmp(s, "Received") == 0 || strcmp(s, "Transferring") == 0))
		return DS_E_OK;
	return ds_cause(cause, DS_E_IMPORTD_STATE, _("job %s is %s: drives "
	    "are received once the job is Shipping"), in->job,
	    s != NULL ? s : "?");
}

int
ingest_receive(int argc, char **argv)
{
	struct ingest	 in;
	char		*cause = NULL;
	int		 rc, i;

	memset(&in, 0, sizeof in);
	pthread_mutex_init(&in.mu, NULL);
	if (parse_common(argc, argv, receive_help, &in) != 0)
		return EXIT_USAGE;
	hooks(&in);
	if ((rc = ingest_open(&in, &cause)) != DS_E_OK ||
	    (rc = job_receivable(&in, &cause)) != DS_E_OK)
		goto fail;
	for (i = optind; i < argc; i++)
		check_drive(&in, argv[i]);
	if (strcmp(json_string_value(json_object_get(props_of(&in),
	    "state")), "Shipping") == 0)
		set_job_state(&in, "Received");
	if ((rc = save_doc(&in, &cause)) != DS_E_OK ||
	    (rc = transfer(&in, &cause)) != DS_E_OK)
		goto fail;
	say(_("%s: %llu file(s) uploaded in this run, %llu request(s) "
	    "retried"), in.job, (unsigned long long)in.uploads,
	    (unsigned long long)target_retries(in.tgt));
	rc = in.problems > 0 ? EXIT_PARTIAL : EXIT_OK;
	ingest_close(&in);
	return rc;
fail:
	importd_err_code(rc, cause);
	ingest_close(&in);
	return EXIT_ERROR;
}

int
ingest_never_received(int argc, char **argv)
{
	struct ingest	 in;
	const char	*s;
	char		*cause = NULL;
	int		 rc, i;

	memset(&in, 0, sizeof in);
	pthread_mutex_init(&in.mu, NULL);
	if (parse_common(argc, argv, never_help, &in) != 0)
		return EXIT_USAGE;
	if ((rc = ingest_open(&in, &cause)) != DS_E_OK ||
	    (rc = job_receivable(&in, &cause)) != DS_E_OK)
		goto fail;
	for (i = optind; i < argc; i++) {
		if (drive_json(&in, argv[i]) == NULL) {
			rc = ds_cause(&cause, DS_E_NOTFOUND, _("job %s has no "
			    "drive %s"), in.job, argv[i]);
			goto fail;
		}
		s = drive_state(&in, argv[i]);
		if (s != NULL && strcmp(s, "Specified") != 0) {
			rc = ds_cause(&cause, DS_E_IMPORTD_STATE, _("drive %s "
			    "is %s already"), argv[i], s);
			goto fail;
		}
		set_drive(&in, argv[i], "NeverReceived", "Never received", 0,
		    0);
	}
	if ((rc = save_doc(&in, &cause)) != DS_E_OK ||
	    (rc = transfer(&in, &cause)) != DS_E_OK)
		goto fail;
	rc = in.problems > 0 ? EXIT_PARTIAL : EXIT_OK;
	ingest_close(&in);
	return rc;
fail:
	importd_err_code(rc, cause);
	ingest_close(&in);
	return EXIT_ERROR;
}
