/* SPDX-License-Identifier: MIT */
/* diskseed settings: import publish settings, show and change them. */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "apicli.h"
#include "cmd.h"
#include "error.h"
#include "settings.h"

static void
usage(FILE *f)
{
	fputs(_("Usage: diskseed settings import FILE [--subscription ID] "
	    "[--ca-file FILE]\n"
	    "                [--proxy URL] [--resource-group RG]\n"
	    "       diskseed settings show\n"
	    "       diskseed settings set KEY VALUE\n"
	    "Import a publish-settings file (its management certificate "
	    "is kept in the\nstate directory, mode 0600), show the saved "
	    "settings, or change one of them\n(ca-file, proxy, "
	    "resource-group, connect-timeout, timeout, retries).\n"), f);
}

static void
print_time(const char *label, time_t t)
{
	char		buf[64];
	struct tm	tm;

	gmtime_r(&t, &tm);
	strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S UTC", &tm);
	printf("  %-22s %s\n", label, buf);
}

static void
print_cert(const struct ds_cert_info *c)
{
	printf("  %-22s %s\n", _("Certificate:"), c->subject);
	printf("  %-22s %s\n", _("Thumbprint:"), c->thumbprint);
	print_time(_("Valid until:"), c->not_after);
	if (c->expired)
		printf("  %s\n", _("EXPIRED: download new publish settings"));
}

static void
print_subs(const struct ds_publish *p)
{
	struct ds_cert_info	info;
	char			*cause = NULL;
	size_t			i;

	fprintf(stderr, _("Subscriptions in the file (schema %d):\n"),
	    p->schema);
	for (i = 0; i < p->nsubs; i++) {
		fprintf(stderr, "  %s  %s", p->subs[i].id, p->subs[i].name);
		if (ds_publish_cert_info(&p->subs[i], &info, &cause) == 0) {
			if (info.expired)
				fprintf(stderr, " %s",
				    _("(certificate expired)"));
			ds_cert_info_clear(&info);
		}
		free(cause);
		cause = NULL;
		fputc('\n', stderr);
	}
}

static int
do_import(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "subscription",	required_argument, NULL, 's' },
		{ "ca-file",		required_argument, NULL, 'c' },
		{ "proxy",		required_argument, NULL, 'p' },
		{ "resource-group",	required_argument, NULL, 'g' },
		{ "help",		no_argument,	   NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const struct ds_publish_sub	*sub;
	struct ds_publish		*p = NULL;
	struct ds_settings		*s = NULL;
	const char			*subid = NULL, *ca = NULL;
	const char			*proxy = NULL, *rg = NULL;
	char				*cause = NULL, *abs = NULL;
	int				 c, rc, ex;

	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 's':
			subid = optarg;
			break;
		case 'c':
			ca = optarg;
			break;
		case 'p':
			proxy = optarg;
			break;
		case 'g':
			rg = optarg;
			break;
		case 'h':
			usage(stdout);
			return DS_EXIT_OK;
		default:
			usage(stderr);
			return DS_EXIT_USAGE;
		}
	}
	if (optind + 1 != argc) {
		usage(stderr);
		return DS_EXIT_USAGE;
	}
	if ((rc = ds_publish_load(argv[optind], &p, &cause)) != DS_E_OK)
		return apicli_fail(rc, cause);
	if ((sub = ds_publish_find(p, subid, &cause)) == NULL) {
		ex = apicli_fail(DS_E_NOSUB, cause);
		print_subs(p);
		ds_publish_free(p);
		return ex == DS_EXIT_FAILURE ? DS_EXIT_USAGE : ex;
	}
	if ((rc = ds_settings_from_publish(sub, &s, &cause)) != DS_E_OK)
		goto fail;
	if (ca != NULL) {
		if ((abs = realpath(ca, NULL)) == NULL) {
			rc = ds_cause(&cause, DS_E_NOTFOUND, "%s", ca);
			goto fail;
		}
		if ((rc = ds_settings_set(s, "ca-file", abs, &cause)) != 0)
			goto fail;
	}
	if (proxy != NULL &&
	    (rc = ds_settings_set(s, "proxy", proxy, &cause)) != DS_E_OK)
		goto fail;
	if (rg != NULL &&
	    (rc = ds_settings_set(s, "resource-group", rg, &cause)) != 0)
		goto fail;
	if ((rc = ds_settings_save(s, &cause)) != DS_E_OK)
		goto fail;
	printf(_("Imported subscription %s (%s)\n"), s->subscription_id,
	    s->subscription_name);
	printf("  %-22s %s\n", _("Service:"), s->url);
	print_cert(&s->cert);
	free(abs);
	ds_settings_free(s);
	ds_publish_free(p);
	return DS_EXIT_OK;
fail:
	free(abs);
	ds_settings_free(s);
	ds_publish_free(p);
	return apicli_fail(rc, cause);
}

static int
do_show(void)
{
	struct ds_settings	*s;
	char			*cause = NULL;
	int			 rc;

	if ((rc = ds_settings_load(&s, &cause)) != DS_E_OK)
		return apicli_fail(rc, cause);
	printf("  %-22s %s\n", _("Subscription:"), s->subscription_id);
	printf("  %-22s %s\n", _("Name:"), s->subscription_name);
	printf("  %-22s %s\n", _("Service:"), s->url);
	print_cert(&s->cert);
	printf("  %-22s %s\n", _("Resource group:"), s->resource_group);
	printf("  %-22s %s\n", _("CA file:"), s->ca_file != NULL ?
	    s->ca_file : _("(system)"));
	printf("  %-22s %s\n", _("Proxy:"), s->proxy != NULL ? s->proxy :
	    _("(https_proxy)"));
	printf("  %-22s %ld\n", _("Connect timeout (s):"),
	    s->connect_timeout > 0 ? s->connect_timeout : 10L);
	printf("  %-22s %ld\n", _("Timeout (s):"),
	    s->total_timeout > 0 ? s->total_timeout : 60L);
	printf("  %-22s %d\n", _("Retries:"), s->retries >= 0 ? s->retries :
	    4);
	ds_settings_free(s);
	return DS_EXIT_OK;
}

static int
do_set(const char *key, const char *value)
{
	struct ds_settings	*s;
	char			*cause = NULL, *abs = NULL;
	int			 rc;

	if ((rc = ds_settings_load(&s, &cause)) != DS_E_OK)
		return apicli_fail(rc, cause);
	if (strcmp(key, "ca-file") == 0 && *value != '\0') {
		if ((abs = realpath(value, NULL)) == NULL) {
			rc = ds_cause(&cause, DS_E_NOTFOUND, "%s", value);
			goto out;
		}
		value = abs;
	}
	if ((rc = ds_settings_set(s, key, value, &cause)) == DS_E_OK)
		rc = ds_settings_save(s, &cause);
out:
	free(abs);
	ds_settings_free(s);
	if (rc != DS_E_OK)
		return rc == DS_E_INVAL ? (ds_err_code(rc, cause),
		    DS_EXIT_USAGE) : apicli_fail(rc, cause);
	return DS_EXIT_OK;
}

int
cmd_settings(int argc, char **argv)
{
	if (argc >= 2 && (strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "-h") == 0)) {
		usage(stdout);
		return DS_EXIT_OK;
	}
	if (argc >= 2 && strcmp(argv[1], "import") == 0)
		return do_import(argc - 1, argv + 1);
	if (argc == 2 && strcmp(argv[1], "show") == 0)
		return do_show();
	if (argc == 4 && strcmp(argv[1], "set") == 0)
		return do_set(argv[2], argv[3]);
	usage(stderr);
	return DS_EXIT_USAGE;
}
