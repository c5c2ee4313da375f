/* SPDX-License-Identifier: MIT */
/* diskseed job: create, show, list, cancel or delete an import job. */
#include "config.h"

#include <getopt.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <jansson.h>

#include "api.h"
#include "apicli.h"
#include "cmd.h"
#include "error.h"
#include "jobrec.h"
#include "jobstore.h"
#include "jsonx.h"
#include "names.h"
#include "prepared.h"
#include "settings.h"

struct job_opts {
	const char	*job;
	const char	*location;
	const char	*rg;
	const char	*account;
	const char	*container;
	const char	*address;
	const char	*carrier;
	const char	*carrier_account;
	int		 json;
};

#define OPT_JSON	UI_OPT_JSON('J')

static const struct ds_cliopt create_options[] = {
	UI_OPT_JOB,
	{ "storage-account", 'a', "A", N_("the storage account the files go "
	    "to") },
	{ "location", 'l', "L", N_("the datacenter (default: the only one)") },
	UI_OPT_GROUP,
	{ "container", 'c', "C", N_("the blob container for the "
	    "data") },
	{ "return-address", 'r', "FILE", N_("the return address, a JSON "
	    "file") },
	{ "return-carrier", 'C', "C", N_("the carrier that returns the "
	    "drives") },
	{ "return-account", 'N', "N", N_("your account with that carrier") },
	UI_OPT_HELP,
	UI_OPT_END
};

static const struct ds_cliopt show_options[] = {
	UI_OPT_JOB, UI_OPT_GROUP, OPT_JSON, UI_OPT_HELP, UI_OPT_END
};

static const struct ds_cliopt list_options[] = {
	OPT_JSON, UI_OPT_HELP, UI_OPT_END
};

static const struct ds_cliopt change_options[] = {
	UI_OPT_JOB, UI_OPT_GROUP, UI_OPT_HELP, UI_OPT_END
};

static const char usage[] = N_("Usage: diskseed job create --job NAME "
    "--storage-account A [OPTIONS]\n"
    "       diskseed job show --job NAME [--resource-group RG] [--json]\n"
    "       diskseed job list [--json]\n"
    "       diskseed job cancel --job NAME [--resource-group RG]\n"
    "       diskseed job delete --job NAME [--resource-group RG]\n"
    "Create the import job of prepared drives, or show, list, "
    "cancel or delete\nimport jobs. 'diskseed job SUBCOMMAND --help' lists "
    "its options.\n");

static const char create_usage[] = N_("Usage: diskseed job create --job NAME "
    "--storage-account A [OPTIONS]\n"
    "Create the import job of the drives prepared for job NAME.\n");

static const char show_usage[] = N_("Usage: diskseed job show --job NAME "
    "[--resource-group RG] [--json]\n"
    "Show an import job and each of its drives.\n");

static const char list_usage[] = N_("Usage: diskseed job list [--json]\n"
    "List the import jobs of the subscription.\n");

static const char cancel_usage[] = N_("Usage: diskseed job cancel --job NAME "
    "[--resource-group RG]\n"
    "Ask the import service to cancel an import job.\n");

static const char delete_usage[] = N_("Usage: diskseed job delete --job NAME "
    "[--resource-group RG]\n"
    "Delete an import job that is completed or canceled.\n");

/* The subcommands of job: name, options, help, what do_show does. */
static const struct {
	const char		*name;
	const struct ds_cliopt	*options;
	const char		*usage;
	int			 what;
} subs[] = {
	{ "create",	create_options,	create_usage,	'n' },
	{ "show",	show_options,	show_usage,	's' },
	{ "list",	list_options,	list_usage,	'l' },
	{ "cancel",	change_options,	cancel_usage,	'c' },
	{ "delete",	change_options,	delete_usage,	'd' },
};

/* Parses the options of subcommand I into O; -1 to go on, else the
 * exit code. */
static int
parse(int argc, char **argv, size_t i, struct job_opts *o)
{
	char	cmd[32];
	int	c;

	memset(o, 0, sizeof *o);
	snprintf(cmd, sizeof cmd, "job %s", subs[i].name);
	while ((c = ds_cliopt_getopt(argc, argv, subs[i].options, 0)) !=
	    -1) {
		switch (c) {
		case 'j':
			o->job = optarg;
			break;
		case 'l':
			o->location = optarg;
			break;
		case 'g':
			o->rg = optarg;
			break;
		case 'a':
			o->account = optarg;
			break;
		case 'c':
			o->container = optarg;
			break;
		case 'r':
			o->address = optarg;
			break;
		case 'C':
			o->carrier = optarg;
			break;
		case 'N':
			o->carrier_account = optarg;
			break;
		case 'J':
			o->json = 1;
			break;
		case 'h':
			return ui_help(_(subs[i].usage), subs[i].options);
		default:
			return ui_usage_error(cmd, NULL);
		}
	}
	if (optind != argc)
		return ui_usage_error(cmd, _("unexpected argument '%s'"),
		    argv[optind]);
	return -1;
}

/* Checks the names given before anything is read or sent. */
static int
check_names(const struct job_opts *o, char **cause)
{
	int rc = DS_E_OK;

	if (o->job != NULL)
		rc = ds_name_check_job(o->job, cause);
	if (rc == DS_E_OK && o->rg != NULL)
		rc = ds_name_check_group(o->rg, cause);
	if (rc == DS_E_OK && o->account != NULL)
		rc = ds_name_check_account(o->account, cause);
	if (rc == DS_E_OK && o->container != NULL)
		rc = ds_name_check_container(o->container, cause);
	if (rc == DS_E_OK && o->location != NULL)
		rc = ds_name_check_location(o->location, cause);
	return rc;
}

/* The resource group of JOB: --resource-group, the local record, or the
 * settings' default (NULL). */
static char *
group_for(const struct job_opts *o)
{
	struct ds_job_record	*r;
	char			*rg = NULL;

	if (o->rg != NULL)
		return strdup(o->rg);
	if (ds_jobstore_load(o->job, &r, NULL) == DS_E_OK) {
		rg = r->resource_group;
		r->resource_group = NULL;
		ds_job_record_free(r);
	}
	return rg;
}

/* Picks the location: the one given, or the only one there is. */
static int
pick_location(struct ds_api *api, const char *given, char **name,
    char **cause)
{
	struct ds_location	*locs;
	size_t			 n, i;
	int			 rc;

	if (given != NULL)
		return (*name = strdup(given)) != NULL ? DS_E_OK : DS_E_NOMEM;
	if ((rc = ds_api_locations(api, &locs, &n, cause)) != DS_E_OK)
		return rc;
	if (n == 1)
		*name = strdup(locs[0].name);
	else {
		fprintf(stderr, "%s\n", _("Locations:"));
		for (i = 0; i < n; i++)
			fprintf(stderr, "  %s\n", locs[i].name);
		rc = ds_cause(cause, DS_E_INVAL, "%s", _("choose a location "
		    "with --location (see 'diskseed locations')"));
	}
	ds_locations_free(locs, n);
	return rc;
}

/*
 * Stores the storage account, container and location given in JOB's
 * record (refused once the job is created there), then fills those not
 * given from it. *rec owns the strings O borrows. No record: nothing.
 */
static int
take_fields(struct job_opts *o, struct ds_jobrec **rec, char **cause)
{
	static const struct {
		enum ds_jobrec_field	 f;
		size_t			 opt;
		size_t			 field;
	} map[] = {
		{ DS_JOBREC_ACCOUNT, offsetof(struct job_opts, account),
		    offsetof(struct ds_jobrec, storage_account) },
		{ DS_JOBREC_CONTAINER, offsetof(struct job_opts, container),
		    offsetof(struct ds_jobrec, container) },
		{ DS_JOBREC_LOCATION, offsetof(struct job_opts, location),
		    offsetof(struct ds_jobrec, location) },
	};
	const char	**given;
	char		*stored;
	size_t		  i;
	int		  rc;

	if ((rc = ds_jobrec_load(o->job, rec, cause)) != DS_E_OK) {
		if (rc != DS_E_NOTFOUND)
			return rc;
		free(*cause);
		*cause = NULL;
		return DS_E_OK;
	}
	/* Store first: each set replaces the strings of *rec. */
	for (i = 0; i < sizeof map / sizeof map[0]; i++) {
		given = (const char **)((char *)o + map[i].opt);
		stored = *(char **)((char *)*rec + map[i].field);
		if (*given != NULL && (stored == NULL ||
		    strcmp(stored, *given) != 0) && (rc = ds_jobrec_set(*rec,
		    map[i].f, *given, cause)) != DS_E_OK) {
			ds_jobrec_free(*rec);
			*rec = NULL;
			return rc;
		}
	}
	for (i = 0; i < sizeof map / sizeof map[0]; i++) {
		given = (const char **)((char *)o + map[i].opt);
		if (*given == NULL)
			*given = *(char **)((char *)*rec + map[i].field);
	}
	return DS_E_OK;
}

static void
print_deadline(void)
{
	char		buf[32];
	struct tm	tm;
	time_t		t = time(NULL) + DS_SHIP_DEADLINE_DAYS * 86400L;

	gmtime_r(&t, &tm);
	strftime(buf, sizeof buf, "%Y-%m-%d", &tm);
	printf(_("Send the shipping details (diskseed ship) and ship the "
	    "drives soon: a job left\nwithout them is deleted after %d "
	    "days (%s), and the drives must arrive\nwithin %d days of the "
	    "shipping details.\n"), DS_SHIP_DEADLINE_DAYS, buf,
	    DS_SHIP_DEADLINE_DAYS);
}

static int
do_create(struct job_opts *o)
{
	struct ds_api		*api = NULL;
	struct ds_prepared	*prep = NULL;
	struct ds_address	*ra = NULL;
	struct ds_location	*loc = NULL;
	struct ds_job		*job = NULL;
	struct ds_job_spec	 spec;
	struct ds_jobrec	*rec = NULL;
	char			*cause = NULL, *location = NULL;
	size_t			 i;
	int			 rc;

	if (o->job == NULL) {
		return ui_usage_error("job create", "%s", _("job create needs "
		    "--job and --storage-account"));
	}
	if ((rc = check_names(o, &cause)) != DS_E_OK)
		return ui_fail(rc, cause);
	/* What is given is stored (a correction after a rejection); what
	 * is not comes from the job record. */
	if ((rc = take_fields(o, &rec, &cause)) != DS_E_OK)
		return ui_fail(rc, cause);
	if (o->account == NULL) {
		ds_jobrec_free(rec);
		return ui_usage_error("job create", "%s", _("job create needs "
		    "--job and --storage-account"));
	}
	if (o->address != NULL &&
	    (rc = ds_address_load(o->address, &ra, &cause)) != DS_E_OK)
		goto fail;
	if ((rc = ds_prepared_load(o->job, &prep, &cause)) != DS_E_OK) {
		if (rc == DS_E_NOTFOUND) {
			free(cause);
			cause = NULL;
			rc = ds_cause(&cause, DS_E_NODRIVES, _("job %s: "
			    "prepare the drives first (diskseed prep)"),
			    o->job);
		}
		goto fail;
	}
	if ((rc = ds_api_open(&api, &cause)) != DS_E_OK ||
	    (rc = pick_location(api, o->location, &location, &cause)) != 0)
		goto fail;
	memset(&spec, 0, sizeof spec);
	spec.name = o->job;
	spec.resource_group = o->rg;
	spec.location = location;
	spec.storage_account = o->account;
	spec.container = o->container;
	spec.return_address = ra;
	spec.return_carrier = o->carrier;
	spec.return_account = o->carrier_account;
	spec.prepared = prep;
	if ((rc = ds_jobstore_create(api, &spec, &job, &cause)) != DS_E_OK)
		goto fail;
	printf(P_("Created import job %s with %zu drive in %s.\n",
	    "Created import job %s with %zu drives in %s.\n", job->ndrives),
	    job->name, job->ndrives, job->location != NULL ? job->location :
	    location);
	/* The carriers come with the location; the address with both. */
	if (ds_api_location_get(api, job->location != NULL ?
	    job->location : location, &loc, &cause) != 0) {
		free(cause);
		cause = NULL;
	}
	printf("\n%s\n", _("Ship the drives to:"));
	if (job->ship_to != NULL)
		apicli_address(stdout, job->ship_to, 2);
	else if (loc != NULL)
		apicli_address(stdout, &loc->address, 2);
	if (loc != NULL) {
		printf("%s", _("Supported carriers:"));
		for (i = 0; i < loc->ncarriers; i++)
			printf("%s %s", i == 0 ? "" : ",", loc->carriers[i]);
		putchar('\n');
	}
	putchar('\n');
	print_deadline();
	rc = DS_E_OK;
fail:
	free(location);
	ds_location_free(loc);
	ds_job_free(job);
	ds_address_free(ra);
	ds_prepared_free(prep);
	ds_api_close(api);
	ds_jobrec_free(rec);
	return rc == DS_E_OK ? DS_EXIT_OK : ui_fail(rc, cause);
}

static int
do_show(struct job_opts *o, int what)
{
	struct ds_api	*api = NULL;
	struct ds_job	*job = NULL;
	char		*cause = NULL, *rg = NULL;
	int		 rc;

	if (o->job == NULL) {
		return ui_usage_error(what == 'c' ? "job cancel" : what ==
		    'd' ? "job delete" : "job show", "%s",
		    _("--job is required"));
	}
	if ((rc = check_names(o, &cause)) != DS_E_OK)
		return ui_fail(rc, cause);
	rg = group_for(o);
	if ((rc = ds_api_open(&api, &cause)) != DS_E_OK)
		goto out;
	if (what == 'c')
		rc = ds_jobstore_cancel(api, rg, o->job, &job, &cause);
	else if (what == 'd') {
		if ((rc = ds_api_job_delete(api, rg, o->job, &cause)) ==
		    DS_E_OK)
			rc = ds_jobrec_deleted(o->job, &cause);
	}
	else
		rc = ds_api_job_get(api, rg, o->job, &job, &cause);
	if (rc != DS_E_OK)
		goto out;
	if (what == 'd')
		printf(_("Deleted import job %s.\n"), o->job);
	else if (o->json)
		rc = apicli_json(stdout, ds_job_to_json(job)) == 0 ?
		    DS_E_OK : DS_E_NOMEM;
	else
		apicli_job(stdout, job);
out:
	free(rg);
	ds_job_free(job);
	ds_api_close(api);
	return rc == DS_E_OK ? DS_EXIT_OK : ui_fail(rc, cause);
}

static int
do_list(struct job_opts *o)
{
	struct ds_api	*api = NULL;
	struct ds_job	**jobs = NULL;
	json_t		*arr = NULL;
	char		*cause = NULL;
	size_t		 n = 0, i;
	int		 rc;

	if ((rc = ds_api_open(&api, &cause)) != DS_E_OK ||
	    (rc = ds_api_job_list(api, &jobs, &n, &cause)) != DS_E_OK)
		goto out;
	if (o->json) {
		if ((arr = json_array()) == NULL)
			rc = DS_E_NOMEM;
		for (i = 0; i < n && rc == DS_E_OK; i++) {
			if (json_array_append_new(arr,
			    ds_job_to_json(jobs[i])) != 0)
				rc = DS_E_NOMEM;
		}
		if (rc == DS_E_OK)
			rc = apicli_json(stdout, arr) == 0 ? DS_E_OK :
			    DS_E_IO;
		else
			json_decref(arr);
	} else {
		for (i = 0; i < n; i++)
			printf("%-24s %-16s %-12s %s\n", jobs[i]->name,
			    jobs[i]->resource_group != NULL ?
			    jobs[i]->resource_group : "?",
			    jobs[i]->state != NULL ? jobs[i]->state : "?",
			    jobs[i]->location != NULL ?
			    jobs[i]->location : "");
	}
out:
	ds_jobs_free(jobs, n);
	ds_api_close(api);
	return rc == DS_E_OK ? DS_EXIT_OK : ui_fail(rc, cause);
}

int
cmd_job(int argc, char **argv)
{
	struct job_opts	 o;
	size_t		 i;
	int		 rc;

	if (argc >= 2 && (strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "-h") == 0)) {
		fputs(_(usage), stdout);
		return DS_EXIT_OK;
	}
	if (argc < 2)
		return ui_usage_error("job", "%s", _("a subcommand is needed: "
		    "create, show, list, cancel or delete"));
	for (i = 0; i < sizeof subs / sizeof subs[0]; i++)
		if (strcmp(argv[1], subs[i].name) == 0)
			break;
	if (i == sizeof subs / sizeof subs[0])
		return ui_usage_error("job", _("unknown subcommand '%s'"),
		    argv[1]);
	/* getopt names the program by the first argument it is given. */
	argv[1] = argv[0];
	if ((rc = parse(argc - 1, argv + 1, i, &o)) != -1)
		return rc;
	switch (subs[i].what) {
	case 'n':
		return do_create(&o);
	case 'l':
		return do_list(&o);
	default:
		return do_show(&o, subs[i].what);
	}
}
