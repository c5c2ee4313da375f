/* SPDX-License-Identifier: MIT */
/*
 * The administration commands: init, subscription (add, add-cert,
 * list), account (grant, revoke, list), serve, and the operator's moves
 * of jobs and drives. Each returns an exit code: 0 done, 1 failed, 2
 * bad command line.
 */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/rand.h>

#include "error.h"
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
	O_DIR = 256, O_LISTEN, O_ID, O_OUT, O_URL, O_JOB, O_SUB, O_RG,
	O_DRIVE, O_PERCENT, O_BYTES, O_COPY, O_ELOG, O_VLOG, O_MURI, O_DAYS,
	O_FORCE, O_JSON, O_ACCOUNT, O_HELP
};

static const struct option longopts[] = {
	{ "dir", required_argument, NULL, O_DIR },
	{ "listen", required_argument, NULL, O_LISTEN },
	{ "id", required_argument, NULL, O_ID },
	{ "out", required_argument, NULL, O_OUT },
	{ "url", required_argument, NULL, O_URL },
	{ "job", required_argument, NULL, O_JOB },
	{ "subscription", required_argument, NULL, O_SUB },
	{ "resource-group", required_argument, NULL, O_RG },
	{ "drive", required_argument, NULL, O_DRIVE },
	{ "percent", required_argument, NULL, O_PERCENT },
	{ "bytes", required_argument, NULL, O_BYTES },
	{ "copy-status", required_argument, NULL, O_COPY },
	{ "error-log", required_argument, NULL, O_ELOG },
	{ "verbose-log", required_argument, NULL, O_VLOG },
	{ "manifest-uri", required_argument, NULL, O_MURI },
	{ "days", required_argument, NULL, O_DAYS },
	{ "force", no_argument, NULL, O_FORCE },
	{ "json", no_argument, NULL, O_JSON },
	{ "account", required_argument, NULL, O_ACCOUNT },
	{ "help", no_argument, NULL, O_HELP },
	{ NULL, 0, NULL, 0 }
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
 * Parses the options of a command. HELP is its usage text. Returns -1
 * (and has printed why) on a bad command line, 1 after --help.
 */
static int
parse_opts(int argc, char **argv, const char *help, struct opts *o)
{
	int		c;
	long long	n;

	memset(o, 0, sizeof *o);
	o->days = 730;
	o->percent = o->bytes = -1;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case O_DIR: o->dir = optarg; break;
		case O_LISTEN: o->listen = optarg; break;
		case O_ID: o->id = optarg; break;
		case O_OUT: o->out = optarg; break;
		case O_URL: o->url = optarg; break;
		case O_JOB: o->job = optarg; break;
		case O_SUB: o->sub = optarg; break;
		case O_RG: o->rg = optarg; break;
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
		case O_HELP:
			fputs(_(help), stdout);
			return 1;
		default:
			fputs(_(help), stderr);
			return -1;
		}
	}
	if (o->dir == NULL) {
		importd_err(_("--dir DIR is required"));
		return -1;
	}
	return 0;
bad_number:
	importd_err(_("%s: not a valid number here"), optarg);
	return -1;
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

static const char init_help[] = N_(
"Usage: diskseed-importd init --dir DIR [--listen ADDRESS:PORT]\n"
"Makes a service directory: a CA, a server certificate for 127.0.0.1 and\n"
"localhost, importd.conf (default listen 127.0.0.1:8443) and the database.\n");

int
admin_init(int argc, char **argv)
{
	struct opts	 o;
	EVP_PKEY	*cakey = NULL, *key = NULL;
	X509		*ca = NULL, *crt = NULL;
	char		*cause = NULL, *p = NULL, *addr = NULL;
	struct db	*db = NULL;
	int		 rc, port;
	struct stat	 sb;

	if ((rc = parse_opts(argc, argv, init_help, &o)) != 0)
		return rc < 0 ? 2 : 0;
	if (argc != optind) {
		fputs(_(init_help), stderr);
		return 2;
	}
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

static const char sub_help[] = N_(
"Usage: diskseed-importd subscription add --dir DIR NAME [--id GUID]\n"
"           [--days N] [--out FILE] [--url URL] [--account ACCOUNT]\n"
"       diskseed-importd subscription add-cert --dir DIR --id GUID CERT.pem\n"
"       diskseed-importd subscription remove-cert --dir DIR --id GUID\n"
"           CERT.pem|SHA256\n"
"       diskseed-importd subscription list --dir DIR\n"
"'add' makes a management certificate signed by the service's CA,\n"
"registers it for the subscription (made when new) and writes a\n"
".publishsettings file (0600) whose path it prints. --account also\n"
"grants the subscription that storage account (see 'account grant').\n");

static int
sub_add(struct opts *o, const char *name)
{
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
sub_add_cert(struct opts *o, const char *file)
{
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
sub_remove_cert(struct opts *o, const char *arg)
{
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
sub_list(struct opts *o)
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

int
admin_subscription(int argc, char **argv)
{
	struct opts	o;
	const char	*what;
	int		rc;

	if (argc < 2 || argv[1][0] == '-') {
		fputs(_(sub_help), argc >= 2 && (strcmp(argv[1], "-h") == 0 ||
		    strcmp(argv[1], "--help") == 0) ? stdout : stderr);
		return argc >= 2 && argv[1][1] == 'h' ? 0 : 2;
	}
	what = argv[1];
	if ((rc = parse_opts(argc - 1, argv + 1, sub_help, &o)) != 0)
		return rc < 0 ? 2 : 0;
	argc -= 1 + optind;
	argv += 1 + optind;
	if (strcmp(what, "add") == 0 && argc == 1)
		return sub_add(&o, argv[0]);
	if (strcmp(what, "add-cert") == 0 && argc == 1)
		return sub_add_cert(&o, argv[0]);
	if (strcmp(what, "remove-cert") == 0 && argc == 1)
		return sub_remove_cert(&o, argv[0]);
	if (strcmp(what, "list") == 0 && argc == 0)
		return sub_list(&o);
	fputs(_(sub_help), stderr);
	return 2;
}

static const char account_help[] = N_(
"Usage: diskseed-importd account grant --dir DIR ACCOUNT GUID\n"
"       diskseed-importd account revoke --dir DIR ACCOUNT GUID\n"
"       diskseed-importd account list --dir DIR [--json]\n"
"A storage account of importd.conf serves only the subscriptions in its\n"
"\"subscriptions\" list: 'grant' adds subscription GUID to it, 'revoke'\n"
"takes it out (jobs made before keep the account). A running serve reads\n"
"the change at its next request.\n");

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
account_list(struct opts *o)
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

int
admin_account(int argc, char **argv)
{
	struct opts	o;
	const char	*what;
	int		rc;

	if (argc < 2 || argv[1][0] == '-') {
		fputs(_(account_help), argc >= 2 && argv[1][1] == 'h' ?
		    stdout : stderr);
		return argc >= 2 && argv[1][1] == 'h' ? 0 : 2;
	}
	what = argv[1];
	if ((rc = parse_opts(argc - 1, argv + 1, account_help, &o)) != 0)
		return rc < 0 ? 2 : 0;
	argc -= 1 + optind;
	argv += 1 + optind;
	if (strcmp(what, "grant") == 0 && argc == 2)
		return account_grant(&o, argv[0], argv[1], 1);
	if (strcmp(what, "revoke") == 0 && argc == 2)
		return account_grant(&o, argv[0], argv[1], 0);
	if (strcmp(what, "list") == 0 && argc == 0)
		return account_list(&o);
	fputs(_(account_help), stderr);
	return 2;
}

static const char serve_help[] = N_(
"Usage: diskseed-importd serve --dir DIR [--listen ADDRESS:PORT]\n"
"Serves the import-job API over HTTPS until SIGTERM or SIGINT. Port 0\n"
"picks a free port; the port in use is written to DIR/port.\n");

int
admin_serve(int argc, char **argv)
{
	struct opts	 o;
	char		*cause = NULL;
	int		 rc;

	if ((rc = parse_opts(argc, argv, serve_help, &o)) != 0)
		return rc < 0 ? 2 : 0;
	if (argc != optind) {
		fputs(_(serve_help), stderr);
		return 2;
	}
	if ((rc = server_run(o.dir, o.listen, &cause)) != DS_E_OK)
		return fail_code(rc, cause);
	return 0;
}

static const char job_help[] = N_(
"Usage: diskseed-importd job list --dir DIR [--json]\n"
"       diskseed-importd job show --dir DIR --job NAME\n"
"       diskseed-importd job set-state --dir DIR --job NAME [--force]\n"
"           [--percent N] STATE\n"
"Options --subscription ID and --resource-group RG pick among jobs of the\n"
"same name. States: Creating, Shipping, Received, Transferring,\n"
"Packaging, Completed, Closed, Canceled; a job only moves forward\n"
"(Canceled only from Creating or Shipping) unless --force.\n");

static const char drive_help[] = N_(
"Usage: diskseed-importd drive set-state --dir DIR --job NAME --drive ID\n"
"           [--percent N] [--bytes N] [--copy-status TEXT]\n"
"           [--error-log URI] [--verbose-log URI] [--manifest-uri URI]\n"
"           STATE\n"
"Options --subscription ID and --resource-group RG pick among jobs of the\n"
"same name. States: Specified, Received, NeverReceived, Transferring,\n"
"Completed, CompletedMoreInfo, ShippedBack.\n");

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
job_list(struct opts *o)
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
job_show(struct opts *o)
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

int
admin_job(int argc, char **argv)
{
	struct opts	o;
	const char	*what;
	int		rc;

	if (argc < 2 || argv[1][0] == '-') {
		fputs(_(job_help), argc >= 2 && argv[1][1] == 'h' ? stdout :
		    stderr);
		return argc >= 2 && argv[1][1] == 'h' ? 0 : 2;
	}
	what = argv[1];
	if ((rc = parse_opts(argc - 1, argv + 1, job_help, &o)) != 0)
		return rc < 0 ? 2 : 0;
	argc -= 1 + optind;
	argv += 1 + optind;
	if (strcmp(what, "list") == 0 && argc == 0)
		return job_list(&o);
	if (strcmp(what, "show") == 0 && argc == 0 && o.job != NULL)
		return job_show(&o);
	if (strcmp(what, "set-state") == 0 && argc == 1 && o.job != NULL) {
		if (state_index(job_states, argv[0]) < 0) {
			importd_err(_("%s: not a job state"), argv[0]);
			return 2;
		}
		return job_update(&o, job_set_state, argv[0]);
	}
	fputs(_(job_help), stderr);
	return 2;
}

int
admin_drive(int argc, char **argv)
{
	struct opts	o;
	int		rc;

	if (argc < 2 || strcmp(argv[1], "set-state") != 0) {
		fputs(_(drive_help), argc >= 2 && argv[1][0] == '-' &&
		    argv[1][1] == 'h' ? stdout : stderr);
		return argc >= 2 && argv[1][0] == '-' && argv[1][1] == 'h' ?
		    0 : 2;
	}
	if ((rc = parse_opts(argc - 1, argv + 1, drive_help, &o)) != 0)
		return rc < 0 ? 2 : 0;
	argc -= 1 + optind;
	argv += 1 + optind;
	if (argc != 1 || o.job == NULL || o.drive == NULL) {
		fputs(_(drive_help), stderr);
		return 2;
	}
	if (state_index(drive_states, argv[0]) < 0) {
		importd_err(_("%s: not a drive state"), argv[0]);
		return 2;
	}
	return job_update(&o, drive_set_state, argv[0]);
}
