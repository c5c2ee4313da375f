/* SPDX-License-Identifier: MIT */
/* diskseed settings: import publish settings, show and change them. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "apicli.h"
#include "cmd.h"
#include "error.h"
#include "settings.h"

static const struct ds_cliopt import_options[] = {
	{ "subscription", 's', "ID", N_("the subscription to use, when the "
	    "file has several") },
	{ "ca-file", 'c', "FILE", N_("trust the import service's "
	    "certificate authority in FILE") },
	{ "proxy", 'p', "URL", N_("reach the import service through the "
	    "proxy URL") },
	{ "resource-group", 'g', "RG", N_("the resource group of new "
	    "jobs") },
	UI_OPT_HELP,
	UI_OPT_END
};

static const struct ds_cliopt show_options[] = {
	UI_OPT_JSON('j'), UI_OPT_HELP, UI_OPT_END
};

static const struct ds_cliopt set_options[] = {
	UI_OPT_HELP, UI_OPT_END
};

static const char usage[] = N_("Usage: diskseed settings import FILE "
    "[OPTIONS]\n"
    "       diskseed settings show [--json]\n"
    "       diskseed settings set KEY VALUE\n"
    "Import a publish-settings file (its management certificate "
    "is kept in the\nstate directory, mode 0600), show the saved "
    "settings, or change one of them\n(ca-file, proxy, "
    "resource-group, connect-timeout, timeout, retries).\n"
    "'diskseed settings SUBCOMMAND --help' lists its options.\n");

static const char import_usage[] = N_("Usage: diskseed settings import FILE "
    "[OPTIONS]\n"
    "Import a publish-settings file; its management certificate is kept "
    "in the\nstate directory, mode 0600.\n");

static const char show_usage[] = N_("Usage: diskseed settings show "
    "[--json]\nShow the saved settings.\n");

static const char set_usage[] = N_("Usage: diskseed settings set KEY VALUE\n"
    "Change one saved setting: ca-file, proxy, resource-group, "
    "connect-timeout,\ntimeout (seconds) or retries.\n");

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
	const struct ds_publish_sub	*sub;
	struct ds_publish		*p = NULL;
	struct ds_settings		*s = NULL;
	const char			*subid = NULL, *ca = NULL;
	const char			*proxy = NULL, *rg = NULL;
	char				*cause = NULL, *abs = NULL;
	int				 c, rc, ex;

	while ((c = ds_cliopt_getopt(argc, argv, import_options, 0)) !=
	    -1) {
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
			return ui_help(_(import_usage), import_options);
		default:
			return ui_usage_error("settings import", NULL);
		}
	}
	if (optind + 1 != argc)
		return ui_usage_error("settings import", "%s", _("give one "
		    "publish-settings file"));
	if ((rc = ds_publish_load(argv[optind], &p, &cause)) != DS_E_OK)
		return ui_fail(rc, cause);
	if ((sub = ds_publish_find(p, subid, &cause)) == NULL) {
		ex = ui_fail(DS_E_NOSUB, cause);
		print_subs(p);
		ds_publish_free(p);
		return ex;
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
	return ui_fail(rc, cause);
}

/* The saved settings as JSON, keys in camelCase; never the key. */
static int
show_json(const struct ds_settings *s)
{
	char	until[32];
	struct tm tm;

	gmtime_r(&s->cert.not_after, &tm);
	strftime(until, sizeof until, "%Y-%m-%dT%H:%M:%SZ", &tm);
	return apicli_json(stdout, json_pack("{s:s, s:s?, s:s, s:{s:s?, "
	    "s:s?, s:s, s:b}, s:s?, s:s?, s:s?, s:i, s:i, s:i}",
	    "subscriptionId", s->subscription_id,
	    "subscriptionName", s->subscription_name,
	    "serviceUrl", s->url,
	    "certificate", "subject", s->cert.subject,
	    "thumbprint", s->cert.thumbprint, "notAfter", until,
	    "expired", s->cert.expired,
	    "resourceGroup", s->resource_group,
	    "caFile", s->ca_file, "proxy", s->proxy,
	    "connectTimeout", (int)(s->connect_timeout > 0 ?
	    s->connect_timeout : 10L),
	    "timeout", (int)(s->total_timeout > 0 ? s->total_timeout : 60L),
	    "retries", s->retries >= 0 ? s->retries : 4)) == 0 ? DS_EXIT_OK :
	    ui_fail(DS_E_NOMEM, NULL);
}

static int
do_show(int json)
{
	struct ds_settings	*s;
	char			*cause = NULL;
	int			 rc;

	if ((rc = ds_settings_load(&s, &cause)) != DS_E_OK)
		return ui_fail(rc, cause);
	if (json) {
		rc = show_json(s);
		ds_settings_free(s);
		return rc;
	}
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
		return ui_fail(rc, cause);
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
	return rc == DS_E_OK ? DS_EXIT_OK : ui_fail(rc, cause);
}

/* Parses the options of a subcommand that has none but --help (and
 * --json for show); -1 to go on, else the exit code. */
static int
parse_plain(int argc, char **argv, const struct ds_cliopt *options,
    const char *help, const char *cmd, int *json)
{
	int c;

	while ((c = ds_cliopt_getopt(argc, argv, options, 0)) != -1) {
		switch (c) {
		case 'j':
			*json = 1;
			break;
		case 'h':
			return ui_help(_(help), options);
		default:
			return ui_usage_error(cmd, NULL);
		}
	}
	return -1;
}

int
cmd_settings(int argc, char **argv)
{
	const char	*sub;
	int		 rc, json = 0;

	if (argc >= 2 && (strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "-h") == 0)) {
		fputs(_(usage), stdout);
		return DS_EXIT_OK;
	}
	if (argc < 2)
		return ui_usage_error("settings", "%s", _("a subcommand is "
		    "needed: import, show or set"));
	sub = argv[1];
	/* getopt names the program by the first argument it is given. */
	argv[1] = argv[0];
	argc--;
	argv++;
	if (strcmp(sub, "import") == 0)
		return do_import(argc, argv);
	if (strcmp(sub, "show") == 0) {
		if ((rc = parse_plain(argc, argv, show_options, show_usage,
		    "settings show", &json)) != -1)
			return rc;
		if (optind != argc)
			return ui_usage_error("settings show",
			    _("unexpected argument '%s'"), argv[optind]);
		return do_show(json);
	}
	if (strcmp(sub, "set") == 0) {
		if ((rc = parse_plain(argc, argv, set_options, set_usage,
		    "settings set", &json)) != -1)
			return rc;
		if (optind + 2 != argc)
			return ui_usage_error("settings set", "%s",
			    _("give a KEY and a VALUE"));
		return do_set(argv[optind], argv[optind + 1]);
	}
	return ui_usage_error("settings", _("unknown subcommand '%s'"), sub);
}
