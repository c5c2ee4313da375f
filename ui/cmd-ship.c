/* SPDX-License-Identifier: MIT */
/* diskseed ship: review, then commit, the shipping details of a job. */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api.h"
#include "apicli.h"
#include "cmd.h"
#include "error.h"
#include "jobstore.h"
#include "names.h"

static void
usage(FILE *f)
{
	fputs(_("Usage: diskseed ship --job NAME --carrier C --tracking N "
	    "[--ship-date YYYY-MM-DD]\n"
	    "           [--drive-count N] [--return-address FILE] "
	    "[--resource-group RG] [--yes]\n"
	    "Send the shipping details of an import job: they are shown "
	    "for review and\nsent only after \"yes\" is typed (or with "
	    "--yes), then stored in the state\ndirectory.\n"), f);
}

static int
check_date(const char *s)
{
	struct tm	 tm;
	const char	*end;

	memset(&tm, 0, sizeof tm);
	end = strptime(s, "%Y-%m-%d", &tm);
	return end != NULL && *end == '\0' && strlen(s) == 10 ? 0 : -1;
}

static void
review(const struct ds_shipment *s, const struct ds_job *job)
{
	const struct ds_address *ra = s->return_address != NULL ?
	    s->return_address : job->return_address;

	printf(_("Shipping details of import job %s:\n"), s->job);
	printf("  %-18s %s\n", _("Carrier:"), s->package->carrier);
	printf("  %-18s %s\n", _("Tracking number:"), s->package->tracking);
	printf("  %-18s %ld\n", _("Drives:"), s->package->drive_count);
	if (s->package->ship_date != NULL)
		printf("  %-18s %s\n", _("Ship date:"), s->package->ship_date);
	if (job->ship_to != NULL) {
		printf("  %s\n", _("Shipped to:"));
		apicli_address(stdout, job->ship_to, 4);
	}
	if (ra != NULL) {
		printf("  %s\n", _("Return address:"));
		apicli_address(stdout, ra, 4);
	}
	printf(_("The job's state becomes Shipping; the drives must arrive "
	    "within %d days.\n"), DS_SHIP_DEADLINE_DAYS);
}

/* Asks on the terminal; only "yes" (or its translation) commits. */
static int
confirmed(void)
{
	char	line[64];
	size_t	len;

	printf("%s", _("Type \"yes\" to send these details: "));
	fflush(stdout);
	if (fgets(line, sizeof line, stdin) == NULL) {
		putchar('\n');
		return 0;
	}
	len = strcspn(line, "\r\n");
	line[len] = '\0';
	return strcmp(line, "yes") == 0 || strcmp(line, _("yes")) == 0;
}

int
cmd_ship(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "job",		required_argument, NULL, 'j' },
		{ "carrier",		required_argument, NULL, 'c' },
		{ "tracking",		required_argument, NULL, 't' },
		{ "ship-date",		required_argument, NULL, 'd' },
		{ "drive-count",	required_argument, NULL, 'n' },
		{ "return-address",	required_argument, NULL, 'r' },
		{ "resource-group",	required_argument, NULL, 'g' },
		{ "yes",		no_argument,	   NULL, 'y' },
		{ "help",		no_argument,	   NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct ds_package	 pkg;
	struct ds_shipment	 s;
	struct ds_job_record	*rec = NULL;
	struct ds_api		*api = NULL;
	struct ds_job		*job = NULL, *done = NULL;
	const char		*address = NULL, *rg = NULL;
	char			*cause = NULL, *path = NULL, *end;
	int			 c, rc, yes = 0;

	memset(&pkg, 0, sizeof pkg);
	memset(&s, 0, sizeof s);
	while ((c = getopt_long(argc, argv, "hy", longopts, NULL)) != -1) {
		switch (c) {
		case 'j':
			s.job = optarg;
			break;
		case 'c':
			pkg.carrier = optarg;
			break;
		case 't':
			pkg.tracking = optarg;
			break;
		case 'd':
			pkg.ship_date = optarg;
			break;
		case 'n':
			pkg.drive_count = strtol(optarg, &end, 10);
			if (*end != '\0' || pkg.drive_count < 1 ||
			    pkg.drive_count > 10) {
				ds_err_print(_("--drive-count: a number from "
				    "1 to 10: %s"), optarg);
				return DS_EXIT_USAGE;
			}
			break;
		case 'r':
			address = optarg;
			break;
		case 'g':
			rg = optarg;
			break;
		case 'y':
			yes = 1;
			break;
		case 'h':
			usage(stdout);
			return DS_EXIT_OK;
		default:
			usage(stderr);
			return DS_EXIT_USAGE;
		}
	}
	if (optind != argc || s.job == NULL || pkg.carrier == NULL ||
	    pkg.tracking == NULL) {
		usage(stderr);
		return DS_EXIT_USAGE;
	}
	if ((rc = ds_name_check_job(s.job, &cause)) != DS_E_OK ||
	    (rg != NULL && (rc = ds_name_check_group(rg, &cause)) != 0))
		return apicli_fail(rc, cause);
	if (pkg.ship_date != NULL && check_date(pkg.ship_date) != 0) {
		ds_err_print(_("--ship-date: give it as YYYY-MM-DD: %s"),
		    pkg.ship_date);
		return DS_EXIT_USAGE;
	}
	s.package = &pkg;
	if (rg == NULL && ds_jobstore_load(s.job, &rec, NULL) == DS_E_OK)
		rg = rec->resource_group;
	s.resource_group = (char *)rg;
	if (address != NULL && (rc = ds_address_load(address,
	    &s.return_address, &cause)) != DS_E_OK)
		goto out;
	if ((rc = ds_api_open(&api, &cause)) != DS_E_OK ||
	    (rc = ds_ship_prepare(api, &s, &job, &cause)) != DS_E_OK)
		goto out;
	if (pkg.drive_count == 0)
		pkg.drive_count = (long)job->ndrives;
	review(&s, job);
	if (!yes && !confirmed()) {
		rc = ds_cause(&cause, DS_E_CANCELED, "%s", _("nothing was "
		    "sent; the job is unchanged"));
		goto out;
	}
	if ((rc = ds_ship_commit(api, &s, &done, &path, &cause)) != DS_E_OK)
		goto out;
	printf(_("Sent. Import job %s is now %s.\n"), s.job,
	    done->state != NULL ? done->state : "?");
	printf(_("Shipping details stored in %s\n"), path);
out:
	free(path);
	free(s.committed_at);
	ds_address_free(s.return_address);
	ds_job_free(job);
	ds_job_free(done);
	ds_job_record_free(rec);
	ds_api_close(api);
	return rc == DS_E_OK ? DS_EXIT_OK : apicli_fail(rc, cause);
}
