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

static const struct ds_cliopt options[] = {
	UI_OPT_JOB,
	{ "carrier", 'c', "C", N_("the carrier the drives travel with") },
	{ "tracking", 't', "N", N_("the tracking number") },
	{ "ship-date", 'd', "YYYY-MM-DD", N_("the day the drives were "
	    "sent") },
	{ "drive-count", 'n', "N", N_("how many drives are in the package "
	    "(1-10; default: the job's)") },
	{ "return-address", 'r', "FILE", N_("the return address, a JSON "
	    "file (default: the job's)") },
	UI_OPT_GROUP,
	{ "yes", 'y', NULL, N_("send without asking") },
	UI_OPT_HELP,
	UI_OPT_END
};

static const char usage[] = N_("Usage: diskseed ship --job NAME --carrier C "
    "--tracking N [OPTIONS]\n"
    "Send the shipping details of an import job: they are shown "
    "for review and\nsent only after \"yes\" is typed (or with "
    "--yes), then stored in the state\ndirectory.\n");

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
	while ((c = ds_cliopt_getopt(argc, argv, options, 0)) != -1) {
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
				return ui_usage_error("ship",
				    _("--drive-count: a number from 1 to "
				    "10: %s"), optarg);
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
			return ui_help(_(usage), options);
		default:
			return ui_usage_error("ship", NULL);
		}
	}
	if (optind != argc)
		return ui_usage_error("ship", _("unexpected argument '%s'"),
		    argv[optind]);
	if (s.job == NULL || pkg.carrier == NULL || pkg.tracking == NULL)
		return ui_usage_error("ship", "%s", _("ship needs --job, "
		    "--carrier and --tracking"));
	if ((rc = ds_name_check_job(s.job, &cause)) != DS_E_OK ||
	    (rg != NULL && (rc = ds_name_check_group(rg, &cause)) != 0))
		return ui_fail(rc, cause);
	if (pkg.ship_date != NULL && check_date(pkg.ship_date) != 0) {
		return ui_usage_error("ship", _("--ship-date: give it as "
		    "YYYY-MM-DD: %s"), pkg.ship_date);
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
		rc = ds_cause(&cause, DS_E_NOTSENT, "%s", _("the job is "
		    "unchanged"));
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
	return rc == DS_E_OK ? DS_EXIT_OK : ui_fail(rc, cause);
}
