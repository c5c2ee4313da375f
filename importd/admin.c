/* SPDX-License-Identifier: MIT */
/*
 * The administration commands: init, subscription (add, add-cert,
 * remove-cert, list), account (grant, revoke, list), serve, and the
 * operator's moves of jobs and drives, dispatched from one table of
 * verbs with their own options. Each returns an exit code: 0 done, 1
 * failed, 2 bad command line.
 */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/rand.h>

#include "error.h"
#include "cliopt.h"
#include "util.h"
#include "db.h"
#include "importd.h"

/* Options common to the commands; each uses what it needs. */
struct opts {
	const char	*dir;
	const char	*listen;
	const char	*id;
	const char	*out;
	const char	*url;
	const char	*job;
	const char	*sub;
	const char	*rg;
	const char	*drive;
	const char	*copy_status;
	const char	*error_log;
	const char	*verbose_log;
	const char	*manifest_uri;
	const char	*account;
	long		 days;
	long long	 percent;
	long long	 bytes;
	int		 force;
	int		 json;
};

enum {
	O_LISTEN = 256, O_ID, O_OUT, O_URL, O_DRIVE, O_PERCENT, O_BYTES,
	O_COPY, O_ELOG, O_VLOG, O_MURI, O_DAYS, O_FORCE, O_JSON, O_ACCOUNT
};

/* The options; each verb's table takes the ones it has. */
#define OPT_DIR		{ "dir", 'd', "DIR", N_("the service directory") }
#define OPT_LISTEN	{ "listen", O_LISTEN, "ADDRESS:PORT", \
	N_("the address to serve on (default 127.0.0.1:8443)") }
#define OPT_ID		{ "id", O_ID, "GUID", N_("the subscription's id") }
#define OPT_JSON	{ "json", O_JSON, NULL, N_("print JSON") }
#define OPT_JOB		{ "job", 'j', "NAME", N_("the job's name") }
#define OPT_SUB		{ "subscription", 's', "ID", \
	N_("the job's subscription, among jobs of the same name") }
#define OPT_RG		{ "resource-group", 'g', "RG", \
	N_("the job's resource group, among jobs of the same name") }
#define OPT_PERCENT	{ "percent", O_PERCENT, "N", \
	N_("the progress to show, 0 to 100") }
#define OPT_HELP	{ "help", 'h', NULL, N_("show this help and exit") }
#define OPT_END		{ NULL, 0, NULL, NULL }

static const struct ds_cliopt init_options[] = {
	OPT_DIR, OPT_LISTEN, OPT_HELP, OPT_END
};
static const struct ds_cliopt sub_add_options[] = {
	OPT_DIR,
	{ "id", O_ID, "GUID", N_("the subscription's id (default: a new "
	    "one)") },
	{ "days", O_DAYS, "N", N_("days the certificate is valid (default "
	    "730; negative: already expired)") },
	{ "out", O_OUT, "FILE", N_("where to write the .publishsettings "
	    "file") },
	{ "url", O_URL, "URL", N_("the service's address written into the "
	    "file") },
	{ "account", O_ACCOUNT, "ACCOUNT", N_("also grant the subscription "
	    "this storage account") },
	OPT_HELP, OPT_END
};
static const struct ds_cliopt sub_cert_options[] = {
	OPT_DIR, OPT_ID, OPT_HELP, OPT_END
};
static const struct ds_cliopt list_options[] = {
	OPT_DIR, OPT_JSON, OPT_HELP, OPT_END
};
static const struct ds_cliopt dir_options[] = {
	OPT_DIR, OPT_HELP, OPT_END
};
static const struct ds_cliopt serve_options[] = {
	OPT_DIR, OPT_LISTEN, OPT_HELP, OPT_END
};
static const struct ds_cliopt job_show_options[] = {
	OPT_DIR, OPT_JOB, OPT_SUB, OPT_RG, OPT_HELP, OPT_END
};
static const struct ds_cliopt job_state_options[] = {
	OPT_DIR, OPT_JOB, OPT_SUB, OPT_RG,
	{ "force", O_FORCE, NULL, N_("allow any move, also backwards") },
	OPT_PERCENT, OPT_HELP, OPT_END
};
static const struct ds_cliopt drive_state_options[] = {
	OPT_DIR, OPT_JOB, OPT_SUB, OPT_RG,
	{ "drive", O_DRIVE, "ID", N_("the drive's id") },
	OPT_PERCENT,
	{ "bytes", O_BYTES, "N", N_("the bytes copied") },
	{ "copy-status", O_COPY, "TEXT", N_("the drive's copy status") },
	{ "error-log", O_ELOG, "URI", N_("where the error log is") },
	{ "verbose-log", O_VLOG, "URI", N_("where the verbose log is") },
	{ "manifest-uri", O_MURI, "URI", N_("where the drive's manifest "
	    "is") },
	OPT_HELP, OPT_END
};

static int
parse_ll(const char *s, long long min, long long max, long long *out)
{
	char		*end;
	long long	 n;

	errno = 0;
	n = strtoll(s, &end, 10);
	if (errno != 0 || *s == '\0' || *end != '\0' || n < min || n > max)
		return -1;
	*out = n;
	return 0;
}

/*
 * Parses the options of table T into O. Returns 0, or an exit code:
 * EXIT_USAGE after a bad command line (getopt or this has said why),
 * EXIT_OK after --help (HELP printed: the verb's help).
 */
static int
parse_opts(int argc, char **argv, const struct ds_cliopt *t, struct opts *o)
{
	int		c;
	long long	n;

	memset(o, 0, sizeof *o);
	o->days = 730;
	o->percent = o->bytes = -1;
	optind = 0;
	while ((c = ds_cliopt_getopt(argc, argv, t, 0)) != -1) {
		switch (c) {
		case 'd': o->dir = optarg; break;
		case O_LISTEN: o->listen = optarg; break;
		case O_ID: o->id = optarg; break;
		case O_OUT: o->out = optarg; break;
		case O_URL: o->url = optarg; break;
		case 'j': o->job = optarg; break;
		case 's': o->sub = optarg; break;
		case 'g': o->rg = optarg; break;
		case O_DRIVE: o->drive = optarg; break;
		case O_COPY: o->copy_status = optarg; break;
		case O_ELOG: o->error_log = optarg; break;
		case O_VLOG: o->verbose_log = optarg; break;
		case O_MURI: o->manifest_uri = optarg; break;
		case O_FORCE: o->force = 1; break;
		case O_JSON: o->json = 1; break;
		case O_ACCOUNT: o->account = optarg; break;
		case O_PERCENT:
			if (parse_ll(optarg, 0, 100, &o->percent) != 0)
				goto bad_number;
			break;
		case O_BYTES:
			if (parse_ll(optarg, 0, INT64_MAX, &o->bytes) != 0)
				goto bad_number;
			break;
		case O_DAYS:
			if (parse_ll(optarg, -36500, 36500, &n) != 0 || n == 0)
				goto bad_number;
			o->days = (long)n;
			break;
		case 'h':
			return -1;
		default:
			return EXIT_USAGE;
		}
	}
	return 0;
bad_number:
	importd_err(_("%s: not a valid number here"), optarg);
	return EXIT_USAGE;
}

static int
fail_code(int code, char *cause)
{
	importd_err_code(code, cause);
	return 1;
}

static int
open_db(const char *dir, struct db **db, char **cause)
{
	char	*path = config_path(dir, "importd.db");
	int	 rc;

	if (path == NULL)
		return DS_E_NOMEM;
	rc = db_open(path, db, cause);
	free(path);
	return rc;
}

static const char init_about[] = N_(
"Makes a service directory: a CA, a server certificate for 127.0.0.1 and\n"
"localhost, importd.conf (default listen 127.0.0.1:8443) and the database.\n");

static int
init_run(struct opts *op, char **args)
{
	struct opts	 o = *op;
	EVP_PKEY	*cakey = NULL, *key = NULL;
	X509		*ca = NULL, *crt = NULL;
	char		*cause = NULL, *p = NULL, *addr = NULL;
	struct db	*db = NULL;
	int		 rc, port;
	struct stat	 sb;

	(void)args;
	if (o.listen == NULL)
		o.listen = "127.0.0.1:8443";
	if ((rc = config_split_listen(o.listen, &addr, &port, &cause)) !=
	    DS_E_OK)
		return fail_code(rc, cause);
	free(addr);
	if (mkdir(o.dir, 0700) == -1 && errno != EEXIST)
		return fail_code(ds_cause(&cause, DS_E_IO, "%s: %s", o.dir,
		    strerror(errno)), cause);
	p = config_path(o.dir, "ca.key");
	if (p != NULL && stat(p, &sb) == 0) {
		rc = ds_cause(&cause, DS_E_EXISTS, _("%s: the directory is "
		    "already initialised"), o.dir);
		goto out;
	}
	if ((rc = tls_new_key(&cakey, &cause)) != DS_E_OK ||
	    (rc = tls_new_cert(&ca, cakey, "diskseed-importd CA", NULL, NULL,
	    3650, TLS_CA, &cause)) != DS_E_OK ||
	    (rc = tls_save_key(p, cakey, &cause)) != DS_E_OK)
		goto out;
	free(p);
	p = config_path(o.dir, "ca.pem");
	if ((rc = tls_save_cert(p, ca, 0644, &cause)) != DS_E_OK)
		goto out;
	free(p);
	p = config_path(o.dir, "server.key");
	if ((rc = tls_new_key(&key, &cause)) != DS_E_OK ||
	    (rc = tls_new_cert(&crt, key, "localhost", ca, cakey, 825,
	    TLS_SERVER, &cause)) != DS_E_OK ||
	    (rc = tls_save_key(p, key, &cause)) != DS_E_OK)
		goto out;
	free(p);
	p = config_path(o.dir, "server.pem");
	if ((rc = tls_save_cert(p, crt, 0644, &cause)) != DS_E_OK)
		goto out;
	if ((rc = config_write_default(o.dir, o.listen, &cause)) != DS_E_OK)
		goto out;
	if ((rc = open_db(o.dir, &db, &cause)) != DS_E_OK)
		goto out;
	free(p);
	p = config_path(o.dir, "publishsettings");
	if (mkdir(p, 0700) == -1 && errno != EEXIST) {
		rc = ds_cause(&cause, DS_E_IO, "%s: %s", p, strerror(errno));
		goto out;
	}
	printf(_("Service directory %s ready.\n"), o.dir);
	printf(_("CA certificate (for clients to trust): %s/ca.pem\n"), o.dir);
	printf(_("Next: diskseed-importd subscription add --dir %s NAME\n"),
	    o.dir);
out:
	db_close(db);
	EVP_PKEY_free(cakey);
	EVP_PKEY_free(key);
	X509_free(ca);
	X509_free(crt);
	free(p);
	return rc == DS_E_OK ? 0 : fail_code(rc, cause);
}

/* Writes S escaped for an XML attribute. */
static void
xml_attr(FILE *f, const char *s)
{
	for (; *s != '\0'; s++) {
		switch (*s) {
		case '&': fputs("&amp;", f); break;
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '"': fputs("&quot;", f); break;
		default: fputc(*s, f); break;
		}
	}
}

/* The service's URL for a .publishsettings file: the running server's
 * port (DIR/port) or the configured one. */
static char *
service_url(const char *dir)
{
	struct config	*cf = NULL;
	char		*path, *addr = NULL, *url = NULL, *cause = NULL;
	FILE		*f;
	int		 port = 0;

	if ((path = config_path(dir, "port")) != NULL &&
	    (f = fopen(path, "re")) != NULL) {
		if (fscanf(f, "%d", &port) != 1)
			port = 0;
		fclose(f);
	}
	free(path);
	if (port <= 0 && config_load(dir, &cf, &cause) == DS_E_OK)
		config_split_listen(cf->listen, &addr, &port, &cause);
	free(cause);
	free(addr);
	config_free(cf);
	if (asprintf(&url, "https://127.0.0.1:%d", port > 0 ? port :
	    IMPORTD_DEFAULT_PORT) == -1)
		return NULL;
	return url;
}

/* A random (version 4) GUID into BUF (37 bytes). */
static int
new_guid(char *buf)
{
	unsigned char	b[16];
	char		hex[33];

	if (RAND_bytes(b, sizeof b) != 1)
		return -1;
	b[6] = (b[6] & 0x0f) | 0x40;
	b[8] = (b[8] & 0x3f) | 0x80;
	ds_hex(hex, b, sizeof b);
	snprintf(buf, 37, "%.8s-%.4s-%.4s-%.4s-%.12s", hex, hex + 8,
	    hex + 12, hex + 16, hex + 20);
	return 0;
}

static int
write_publishsettings(const char *path, const char *url, const char *id,
    const char *name, const char *p12, char **cause)
{
	FILE	*f;
	int	 fd;

	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd == -1 || fchmod(fd, 0600) == -1 ||
	    (f = fdopen(fd, "w")) == NULL) {
		if (fd != -1)
			close(fd);
		return ds_cause(cause, DS_E_IO, "%s: %s", path,
		    strerror(errno));
	}
	fputs("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<PublishData>\n"
	    "  <PublishProfile\n    SchemaVersion=\"2.0\"\n"
	    "    PublishMethod=\"AzureServiceManagementAPI\">\n"
	    "    <Subscription\n      ServiceManagementUrl=\"", f);
	xml_attr(f, url);
	fputs("\"\n      Id=\"", f);
	xml_attr(f, id);
	fputs("\"\n      Name=\"", f);
	xml_attr(f, name);
	fputs("\"\n      ManagementCertificate=\"", f);
	fputs(p12, f);
	fputs("\" />\n  </PublishProfile>\n</PublishData>\n", f);
	if (fclose(f) != 0)
		return ds_cause(cause, DS_E_IO, "%s: %s", path,
		    strerror(errno));
	return DS_E_OK;
}

/* DS_E_OK when importd.conf of DIR has storage account ACCOUNT. */
static int
account_known(const char *dir, const char *account, char **cause)
{
	struct config	*cf;
	int		 rc;

	if ((rc = config_load(dir, &cf, cause)) != DS_E_OK)
		return rc;
	if (config_account(cf, account) == NULL)
		rc = ds_cause(cause, DS_E_NOTFOUND, _("%s: no storage "
		    "account %s"), "importd.conf", account);
	config_free(cf);
	return rc;
}

static const char sub_add_about[] = N_(
"Makes a management certificate signed by the service's CA, registers it\n"
"for the subscription (made when new) and writes a .publishsettings file\n"
"(0600) whose path it prints. --account also grants the subscription that\n"
"storage account (see 'account grant').\n");
static const char sub_add_cert_about[] = N_(
"Registers one more management certificate for subscription GUID.\n");
static const char sub_remove_cert_about[] = N_(
"Takes a management certificate, given as the file or its SHA-256, from\n"
"subscription GUID.\n");
static const char sub_list_about[] = N_(
"Lists the subscriptions and how many certificates each has.\n");

static int
sub_add(struct opts *o, char **args)
{
	const char	*name = args[0];
	char		 guid[37], fpr[65], *cause = NULL, *p12 = NULL;
	char		*url = NULL, *path = NULL, *cn = NULL, *file, *s;
	char		*cakp = NULL, *cap = NULL, *old = NULL;
	EVP_PKEY	*cakey = NULL, *key = NULL;
	X509		*ca = NULL, *crt = NULL;
	struct db	*db = NULL;
	int		 rc;

	if (o->id != NULL) {
		if (!valid_guid(o->id)) {
			importd_err(_("%s: a subscription id is a GUID "
			    "(xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)"), o->id);
			return 2;
		}
		snprintf(guid, sizeof guid, "%s", o->id);
	} else if (new_guid(guid) != 0)
		return fail_code(DS_E_IMPORTD_TLS, NULL);
	if (*name == '\0' || strlen(name) > 100) {
		importd_err(_("a subscription name has 1 to 100 characters"));
		return 2;
	}
	/* An unknown --account is refused before anything is made. */
	if (o->account != NULL && (rc = account_known(o->dir,
	    o->account, &cause)) != DS_E_OK)
		goto out;
	if ((rc = open_db(o->dir, &db, &cause)) != DS_E_OK)
		goto out;
	cakp = config_path(o->dir, "ca.key");
	cap = config_path(o->dir, "ca.pem");
	if ((rc = tls_load_key(cakp, &cakey, &cause)) != DS_E_OK ||
	    (rc = tls_load_cert(cap, &ca, &cause)) != DS_E_OK)
		goto out;
	if (asprintf(&cn, "%s (%s)", name, guid) == -1) {
		rc = DS_E_NOMEM;
		goto out;
	}
	if ((rc = tls_new_key(&key, &cause)) != DS_E_OK ||
	    (rc = tls_new_cert(&crt, key, cn, ca, cakey, o->days, TLS_CLIENT,
	    &cause)) != DS_E_OK ||
	    (rc = tls_p12_base64(crt, key, cn, &p12, &cause)) != DS_E_OK)
		goto out;
	tls_fingerprint(crt, fpr);
	if ((rc = db_begin(db, &cause)) != DS_E_OK)
		goto out;
	rc = db_sub_get(db, guid, &old, NULL);
	if (rc == DS_E_NOTFOUND)
		rc = db_sub_add(db, guid, name, &cause);
	if (rc == DS_E_OK)
		rc = db_sub_cert_add(db, guid, fpr, &cause);
	if (rc == DS_E_OK)
		rc = db_commit(db, &cause);
	if (rc != DS_E_OK) {
		db_rollback(db);
		goto out;
	}
	if (o->account != NULL && (rc = config_grant(o->dir, o->account,
	    guid, 1, &cause)) != DS_E_OK)
		goto out;
	if ((url = o->url != NULL ? strdup(o->url) : service_url(o->dir)) ==
	    NULL) {
		rc = DS_E_NOMEM;
		goto out;
	}
	if (o->out != NULL)
		path = strdup(o->out);
	else {
		if ((file = strdup(name)) == NULL) {
			rc = DS_E_NOMEM;
			goto out;
		}
		for (s = file; *s != '\0'; s++) {
			if (strchr("abcdefghijklmnopqrstuvwxyz"
			    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.", *s) ==
			    NULL || (s == file && *s == '.'))
				*s = '_';
		}
		if (asprintf(&path, "%s/publishsettings/%s.publishsettings",
		    o->dir, file) == -1)
			path = NULL;
		free(file);
	}
	if (path == NULL) {
		rc = DS_E_NOMEM;
		goto out;
	}
	if ((rc = write_publishsettings(path, url, guid, name, p12,
	    &cause)) != DS_E_OK)
		goto out;
	printf("%s\n", path);
out:
	db_close(db);
	EVP_PKEY_free(cakey);
	EVP_PKEY_free(key);
	X509_free(ca);
	X509_free(crt);
	if (p12 != NULL)
		ds_freezero(p12, strlen(p12));
	free(url);
	free(path);
	free(cn);
	free(cakp);
	free(cap);
	free(old);
	return rc == DS_E_OK ? 0 : fail_code(rc, cause);
}

static int
sub_add_cert(struct opts *o, char **args)
{
	const char	*file = args[0];
	X509		*crt = NULL;
	struct db	*db = NULL;
	char		 fpr[65], *cause = NULL, *name = NULL;
	int		 rc;

	if (o->id == NULL || !valid_guid(o->id)) {
		importd_err(_("--id GUID is required"));
		return 2;
	}
	if ((rc = tls_load_cert(file, &crt, &cause)) != DS_E_OK ||
	    (rc = open_db(o->dir, &db, &cause)) != DS_E_OK ||
	    (rc = db_sub_get(db, o->id, &name, &cause)) != DS_E_OK)
		goto out;
	tls_fingerprint(crt, fpr);
	if ((rc = db_sub_cert_add(db, o->id, fpr, &cause)) == DS_E_OK)
		printf(_("Certificate %s registered for %s (%s).\n"), fpr,
		    name, o->id);
out:
	free(name);
	X509_free(crt);
	db_close(db);
	return rc == DS_E_OK ? 0 : fail_code(rc, cause);
}

/* Unregisters a certificate given as a PEM file or its hex SHA-256. */
static int
sub_remove_cert(struct opts *o, char **args)
{
	const char	*arg = args[0];
	X509		*crt = NULL;
	struct db	*db = NULL;
	unsigned char	 md[32];
	char		 fpr[65], *cause = NULL;
	int		 rc;

	if (o->id == NULL || !valid_guid(o->id)) {
		importd_err(_("--id GUID is required"));
		return 2;
	}
	if (ds_unhex(md, sizeof md, arg) == 0)
		ds_hex(fpr, md, sizeof md);
	else if ((rc = tls_load_cert(arg, &crt, &cause)) != DS_E_OK)
		return fail_code(rc, cause);
	else
		tls_fingerprint(crt, fpr);
	X509_free(crt);
	if ((rc = open_db(o->dir, &db, &cause)) == DS_E_OK &&
	    (rc = db_sub_cert_remove(db, o->id, fpr, &cause)) == DS_E_OK)
		printf(_("Certificate %s no longer accepted for %s.\n"), fpr,
		    o->id);
	db_close(db);
	return rc == DS_E_OK ? 0 : fail_code(rc, cause);
}

static int
sub_list(struct opts *o, char **args)
{
	struct db	*db = NULL;
	json_t		*a = NULL, *v;
	char		*cause = NULL;
	size_t		 i;
	int		 rc;

	if ((rc = open_db(o->dir, &db, &cause)) == DS_E_OK &&
	    (rc = db_sub_list(db, &a, &cause)) == DS_E_OK) {
		if (o->json)
			json_dumpf(a, stdout, JSON_INDENT(2));
		else
			json_array_foreach(a, i, v)
				printf("%s  %s  %lld\n",
				    json_string_value(json_object_get(v, "id")),
				    json_string_value(json_object_get(v,
				    "name")), (long long)json_integer_value(
				    json_object_get(v, "certificates")));
		if (o->json)
			putchar('\n');
	}
	json_decref(a);
	db_close(db);
	return rc == DS_E_OK ? 0 : fail_code(rc, cause);
}


static const char account_grant_about[] = N_(
"A storage account of importd.conf serves only the subscriptions in its\n"
"\"subscriptions\" list: 'grant' adds subscription GUID to it. A running\n"
"serve reads the change at its next request.\n");
static const char account_revoke_about[] = N_(
"Takes subscription GUID out of the storage account's \"subscriptions\"\n"
"list; jobs made before keep the account.\n");
static const char account_list_about[] = N_(
"Lists the storage accounts and the subscriptions each serves.\n");

/* Grants or revokes subscription SUB storage account ACCOUNT. */
static int
account_grant(struct opts *o, const char *account, const char *sub,
    int grant)
{
	struct db	*db = NULL;
	char		*cause = NULL, *name = NULL;
	int		 rc;

	if (!valid_guid(sub)) {
		importd_err(_("%s: a subscription id is a GUID "
		    "(xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)"), sub);
		return 2;
	}
	/* A grant names a known subscription; a revoke may clean up after
	 * one that is gone. */
	if (grant && ((rc = open_db(o->dir, &db, &cause)) != DS_E_OK ||
	    (rc = db_sub_get(db, sub, &name, &cause)) != DS_E_OK))
		goto out;
	rc = config_grant(o->dir, account, sub, grant, &cause);
out:
	free(name);
	db_close(db);
	return rc == DS_E_OK ? 0 : fail_code(rc, cause);
}

static int
account_list(struct opts *o, char **args)
{
	struct config	*cf = NULL;
	char		*cause = NULL;
	json_t		*a, *out, *s;
	size_t		 i, k;
	int		 rc;

	if ((rc = config_load(o->dir, &cf, &cause)) != DS_E_OK)
		return fail_code(rc, cause);
	out = json_array();
	json_array_foreach(cf->accounts, i, a) {
		s = json_object_get(a, "subscriptions");
		json_array_append_new(out, json_pack("{s:O, s:o}", "name",
		    json_object_get(a, "name"), "subscriptions",
		    s != NULL ? json_deep_copy(s) : json_array()));
	}
	if (o->json) {
		json_dumpf(out, stdout, JSON_INDENT(2));
		putchar('\n');
	} else {
		json_array_foreach(out, i, a) {
			printf("%s", json_string_value(json_object_get(a,
			    "name")));
			json_array_foreach(json_object_get(a, "subscriptions"),
			    k, s)
				printf("%s%s", k == 0 ? "  " : ",",
				    json_string_value(s));
			putchar('\n');
		}
	}
	json_decref(out);
	config_free(cf);
	return 0;
}

static int
account_grant_run(struct opts *o, char **args)
{
	return account_grant(o, args[0], args[1], 1);
}

static int
account_revoke_run(struct opts *o, char **args)
{
	return account_grant(o, args[0], args[1], 0);
}

static const char serve_about[] = N_(
"Serves the import-job API over HTTPS until SIGTERM or SIGINT. Port 0\n"
"picks a free port; the port in use is written to DIR/port.\n");

static int
serve_run(struct opts *o, char **args)
{
	char	*cause = NULL;
	int	 rc;

	(void)args;
	if ((rc = server_run(o->dir, o->listen, &cause)) != DS_E_OK)
		return fail_code(rc, cause);
	return 0;
}

static const char job_list_about[] = N_(
"Lists every job: id, state and tracking number.\n");
static const char job_show_about[] = N_(
"Shows a job as the API returns it, with the service's own id.\n");
static const char job_state_about[] = N_(
"States: Creating, Shipping, Received, Transferring, Packaging,\n"
"Completed, Closed, Canceled; a job only moves forward (Canceled only\n"
"from Creating or Shipping) unless --force.\n");
static const char drive_state_about[] = N_(
"States: Specified, Received, NeverReceived, Transferring, Completed,\n"
"CompletedMoreInfo, ShippedBack.\n");

/* Whether an operator may move a job from FROM to TO. */
static int
job_move_ok(const char *from, const char *to)
{
	int	f = state_index(job_states, from);
	int	t = state_index(job_states, to);
	int	completed = state_index(job_states, "Completed");

	if (strcmp(to, "Canceled") == 0)
		return f <= state_index(job_states, "Shipping");
	if (f >= completed)
		return 0;
	return t > f;
}

/* Loads job O->job, lets FN change it, and stores it, in one
 * transaction. */
static int
job_update(struct opts *o, int (*fn)(struct opts *, json_t *, const char *,
    char **), const char *arg)
{
	struct db	*db = NULL;
	json_t		*doc = NULL;
	char		*cause = NULL, *sub = NULL, *rg = NULL, now[40];
	const char	*tracking;
	int		 rc;

	if ((rc = open_db(o->dir, &db, &cause)) != DS_E_OK ||
	    (rc = db_begin(db, &cause)) != DS_E_OK)
		goto out;
	if ((rc = db_job_find(db, o->job, o->sub, o->rg, &sub, &rg, &doc,
	    &cause)) != DS_E_OK || (rc = fn(o, doc, arg, &cause)) != DS_E_OK)
		goto out;
	json_object_set_new(json_object_get(doc, "systemData"),
	    "lastModifiedAt", json_string(importd_now(now, sizeof now)));
	tracking = json_string_value(json_object_get(json_object_get(
	    json_object_get(doc, "properties"), "deliveryPackage"),
	    "trackingNumber"));
	if ((rc = db_job_put(db, sub, rg, o->job, doc, tracking, &cause)) ==
	    DS_E_OK)
		rc = db_commit(db, &cause);
out:
	if (db != NULL)
		db_rollback(db);
	db_close(db);
	json_decref(doc);
	free(sub);
	free(rg);
	return rc == DS_E_OK ? 0 : fail_code(rc, cause);
}

static int
job_set_state(struct opts *o, json_t *doc, const char *state, char **cause)
{
	json_t		*props = json_object_get(doc, "properties");
	const char	*from = json_string_value(json_object_get(props,
	    "state"));

	if (!o->force && !job_move_ok(from, state))
		return ds_cause(cause, DS_E_IMPORTD_STATE, _("%s: %s -> %s "
		    "(use --force to move it anyway)"), o->job, from, state);
	if (strcmp(state, "Canceled") == 0)
		json_object_set_new(props, "cancelRequested", json_true());
	json_object_set_new(props, "state", json_string(state));
	if (o->percent >= 0)
		json_object_set_new(props, "percentComplete",
		    json_integer(o->percent));
	return DS_E_OK;
}

static int
drive_set_state(struct opts *o, json_t *doc, const char *state,
    char **cause)
{
	json_t	*d;
	size_t	 i;

	json_array_foreach(json_object_get(json_object_get(doc, "properties"),
	    "driveList"), i, d) {
		if (strcmp(json_string_value(json_object_get(d, "driveId")),
		    o->drive) != 0)
			continue;
		json_object_set_new(d, "state", json_string(state));
		if (o->percent >= 0)
			json_object_set_new(d, "percentComplete",
			    json_integer(o->percent));
		if (o->bytes >= 0)
			json_object_set_new(d, "bytesSucceeded",
			    json_integer(o->bytes));
		if (o->copy_status != NULL)
			json_object_set_new(d, "copyStatus",
			    json_string(o->copy_status));
		if (o->error_log != NULL)
			json_object_set_new(d, "errorLogUri",
			    json_string(o->error_log));
		if (o->verbose_log != NULL)
			json_object_set_new(d, "verboseLogUri",
			    json_string(o->verbose_log));
		if (o->manifest_uri != NULL)
			json_object_set_new(d, "manifestUri",
			    json_string(o->manifest_uri));
		return DS_E_OK;
	}
	return ds_cause(cause, DS_E_NOTFOUND, _("job %s has no drive %s"),
	    o->job, o->drive);
}

static int
job_list(struct opts *o, char **args)
{
	struct db	*db = NULL;
	json_t		*subs = NULL, *jobs, *all = json_array(), *s, *j, *p;
	char		*cause = NULL;
	size_t		 i, k;
	int64_t		 last = 0;
	int		 more, rc;

	if ((rc = open_db(o->dir, &db, &cause)) != DS_E_OK ||
	    (rc = db_sub_list(db, &subs, &cause)) != DS_E_OK)
		goto out;
	json_array_foreach(subs, i, s) {
		last = 0;
		do {
			rc = db_job_list(db, json_string_value(
			    json_object_get(s, "id")), NULL, NULL, last, 100,
			    &jobs, &last, &more, &cause);
			if (rc != DS_E_OK)
				goto out;
			json_array_foreach(jobs, k, j)
				json_array_append_new(all, jobs_render(j));
			json_decref(jobs);
		} while (more);
	}
	if (o->json) {
		json_dumpf(all, stdout, JSON_INDENT(2));
		putchar('\n');
		goto out;
	}
	json_array_foreach(all, i, j) {
		p = json_object_get(j, "properties");
		printf("%s  %s  %s\n", json_string_value(json_object_get(j,
		    "id")), json_string_value(json_object_get(p, "state")),
		    json_is_object(json_object_get(p, "deliveryPackage")) ?
		    json_string_value(json_object_get(json_object_get(p,
		    "deliveryPackage"), "trackingNumber")) : "-");
	}
out:
	json_decref(subs);
	json_decref(all);
	db_close(db);
	return rc == DS_E_OK ? 0 : fail_code(rc, cause);
}

static int
job_show(struct opts *o, char **args)
{
	struct db	*db = NULL;
	json_t		*doc = NULL, *out;
	char		*cause = NULL, *sub = NULL, *rg = NULL, *uid = NULL;
	int		 rc;

	if ((rc = open_db(o->dir, &db, &cause)) == DS_E_OK &&
	    (rc = db_job_find(db, o->job, o->sub, o->rg, &sub, &rg, &doc,
	    &cause)) == DS_E_OK &&
	    (rc = db_job_uid(db, sub, rg, o->job, &uid, &cause)) == DS_E_OK) {
		out = jobs_render(doc);
		/* Not part of the API's job: the service's own id of it. */
		json_object_set_new(out, "uid", json_string(uid));
		json_dumpf(out, stdout, JSON_INDENT(2));
		putchar('\n');
		json_decref(out);
	}
	json_decref(doc);
	free(uid);
	free(sub);
	free(rg);
	db_close(db);
	return rc == DS_E_OK ? 0 : fail_code(rc, cause);
}

static int
job_state_run(struct opts *o, char **args)
{
	if (state_index(job_states, args[0]) < 0) {
		importd_err(_("%s: not a job state"), args[0]);
		return EXIT_USAGE;
	}
	return job_update(o, job_set_state, args[0]);
}

static int
drive_state_run(struct opts *o, char **args)
{
	if (state_index(drive_states, args[0]) < 0) {
		importd_err(_("%s: not a drive state"), args[0]);
		return EXIT_USAGE;
	}
	return job_update(o, drive_set_state, args[0]);
}

/* What a verb needs besides its operands. */
#define NEED_JOB	0x1
#define NEED_DRIVE	0x2

/*
 * The commands of diskseed-importd, one row per verb: the command, its
 * verb (NULL: none), the command's one-line summary (on its first row),
 * the operands, the number of them (-1: one or more), what else it
 * needs, its options, its help, and the handler. receive and
 * never-received parse their own options (importd/ingest.c).
 */
static const struct admin_verb {
	const char		*cmd;
	const char		*verb;
	const char		*summary;
	const char		*operands;
	int			 nargs;
	unsigned		 need;
	const struct ds_cliopt	*options;
	const char		*about;
	int			(*fn)(struct opts *, char **);
	int			(*raw)(int, char **);
} verbs[] = {
	{ "init", NULL, N_("make a service directory: CA, server "
	    "certificate, config"), "", 0, 0, init_options, init_about,
	    init_run, NULL },
	{ "subscription", "add", N_("add or list subscriptions and their "
	    "certificates"), "NAME", 1, 0, sub_add_options, sub_add_about,
	    sub_add, NULL },
	{ "subscription", "add-cert", NULL, "CERT.pem", 1, 0,
	    sub_cert_options, sub_add_cert_about, sub_add_cert, NULL },
	{ "subscription", "remove-cert", NULL, "CERT.pem|SHA256", 1, 0,
	    sub_cert_options, sub_remove_cert_about, sub_remove_cert, NULL },
	{ "subscription", "list", NULL, "", 0, 0, list_options,
	    sub_list_about, sub_list, NULL },
	{ "account", "grant", N_("grant subscriptions the storage accounts "
	    "of importd.conf"), "ACCOUNT GUID", 2, 0, dir_options,
	    account_grant_about, account_grant_run, NULL },
	{ "account", "revoke", NULL, "ACCOUNT GUID", 2, 0, dir_options,
	    account_revoke_about, account_revoke_run, NULL },
	{ "account", "list", NULL, "", 0, 0, list_options,
	    account_list_about, account_list, NULL },
	{ "serve", NULL, N_("run the import-job API over HTTPS"), "", 0, 0,
	    serve_options, serve_about, serve_run, NULL },
	{ "job", "list", N_("list jobs, show one, or move it to another "
	    "state"), "", 0, 0, list_options, job_list_about, job_list,
	    NULL },
	{ "job", "show", NULL, "", 0, NEED_JOB, job_show_options,
	    job_show_about, job_show, NULL },
	{ "job", "set-state", NULL, "STATE", 1, NEED_JOB, job_state_options,
	    job_state_about, job_state_run, NULL },
	{ "drive", "set-state", N_("set the state and progress of one drive "
	    "of a job"), "STATE", 1, NEED_JOB | NEED_DRIVE,
	    drive_state_options, drive_state_about, drive_state_run, NULL },
	{ "receive", NULL, N_("check shipped drives of a job and upload "
	    "their files"), NULL, 0, 0, NULL, NULL, NULL, ingest_receive },
	{ "never-received", NULL, N_("mark drives that will not arrive and "
	    "finish the job"), NULL, 0, 0, NULL, NULL, NULL,
	    ingest_never_received },
};
#define NVERBS (sizeof verbs / sizeof verbs[0])

/* "init" or "job set-state", for messages. */
static void
verb_name(const struct admin_verb *v, char *buf, size_t size)
{
	snprintf(buf, size, "%s%s%s", v->cmd, v->verb != NULL ? " " : "",
	    v->verb != NULL ? v->verb : "");
}

/* "Usage: diskseed-importd job set-state --dir DIR ... STATE", broken
 * at spaces to stay within 79 columns. */
static void
verb_synopsis(const struct admin_verb *v, const char *lead)
{
	char	 name[64], line[256];
	char	*s = line, *brk;
	int	 width = 79;

	verb_name(v, name, sizeof name);
	snprintf(line, sizeof line, "%sdiskseed-importd %s --dir DIR%s%s "
	    "[OPTIONS]%s%s", lead, name, v->need & NEED_JOB ? " --job NAME" :
	    "", v->need & NEED_DRIVE ? " --drive ID" : "",
	    *v->operands != '\0' ? " " : "", v->operands);
	while ((int)strlen(s) > width) {
		for (brk = s + width; brk > s && *brk != ' '; brk--)
			;
		if (brk == s)
			break;
		printf("%.*s\n%11s", (int)(brk - s), s, "");
		s = brk + 1;
		width = 79 - 11;
	}
	printf("%s\n", s);
}

static int
verb_help(const struct admin_verb *v)
{
	char *lines;

	verb_synopsis(v, _("Usage: "));
	fputs(_(v->about), stdout);
	if ((lines = ds_cliopt_help(v->options)) != NULL) {
		printf("\n%s\n%s", _("Options:"), lines);
		free(lines);
	}
	return EXIT_OK;
}

int
admin_usage_error(const char *cmd, const char *fmt, ...)
{
	va_list	 ap;
	char	*try;

	if (fmt != NULL) {
		fputs("diskseed-importd: ", stderr);
		va_start(ap, fmt);
		vfprintf(stderr, fmt, ap);
		va_end(ap);
		fputc('\n', stderr);
	}
	if ((try = ds_cliopt_try("diskseed-importd", cmd)) != NULL)
		fputs(try, stderr);
	free(try);
	return EXIT_USAGE;
}

void
admin_commands(FILE *f)
{
	size_t i;

	for (i = 0; i < NVERBS; i++)
		if (verbs[i].summary != NULL)
			fprintf(f, "  %-15s %s\n", verbs[i].cmd,
			    _(verbs[i].summary));
}

/* The help of a command with verbs: each verb's synopsis. */
static int
cmd_help(const char *cmd)
{
	size_t	i;
	int	n = 0;

	for (i = 0; i < NVERBS; i++)
		if (strcmp(verbs[i].cmd, cmd) == 0)
			verb_synopsis(&verbs[i], n++ == 0 ? _("Usage: ") :
			    "       ");
	printf(_("Run 'diskseed-importd %s VERB --help' for a verb's "
	    "options.\n"), cmd);
	return EXIT_OK;
}

int
admin_main(int argc, char **argv)
{
	const struct admin_verb	*v = NULL;
	struct opts		 o;
	char			 name[64];
	size_t			 i;
	int			 rc, has_verbs = 0, shift = 1;

	for (i = 0; i < NVERBS; i++) {
		if (strcmp(verbs[i].cmd, argv[0]) != 0)
			continue;
		if (verbs[i].verb == NULL) {
			v = &verbs[i];
			break;
		}
		has_verbs = 1;
		if (argc >= 2 && strcmp(verbs[i].verb, argv[1]) == 0) {
			v = &verbs[i];
			shift = 2;
			break;
		}
	}
	if (v == NULL && !has_verbs)
		return admin_usage_error(NULL, _("unknown command '%s'"),
		    argv[0]);
	if (v == NULL) {
		if (argc >= 2 && (strcmp(argv[1], "--help") == 0 ||
		    strcmp(argv[1], "-h") == 0))
			return cmd_help(argv[0]);
		if (argc < 2)
			return admin_usage_error(argv[0], _("%s needs a verb"),
			    argv[0]);
		return admin_usage_error(argv[0], _("unknown verb '%s'"),
		    argv[1]);
	}
	if (v->raw != NULL)
		return v->raw(argc, argv);
	verb_name(v, name, sizeof name);
	/* getopt names the program by the first argument it is given. */
	argv[shift - 1] = (char *)"diskseed-importd";
	argc -= shift - 1;
	argv += shift - 1;
	if ((rc = parse_opts(argc, argv, v->options, &o)) != 0)
		return rc < 0 ? verb_help(v) : admin_usage_error(name, NULL);
	if (o.dir == NULL)
		return admin_usage_error(name, "%s", _("--dir DIR is "
		    "required"));
	if ((v->need & NEED_JOB) && o.job == NULL)
		return admin_usage_error(name, "%s", _("--job NAME is "
		    "required"));
	if ((v->need & NEED_DRIVE) && o.drive == NULL)
		return admin_usage_error(name, "%s", _("--drive ID is "
		    "required"));
	if (argc - optind != v->nargs && v->nargs == 0)
		return admin_usage_error(name, _("unexpected argument '%s'"),
		    argv[optind]);
	if (argc - optind != v->nargs)
		return admin_usage_error(name, _("expected %s"), v->operands);
	return v->fn(&o, argv + optind);
}
