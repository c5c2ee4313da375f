/* SPDX-License-Identifier: MIT */
/* diskseed-importd: the import service and its administration. */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>
#include <openssl/crypto.h>

#include "error.h"
#include "importd.h"

/* The size of an allocation, kept in front of it, aligned like malloc. */
union wipe_head {
	size_t		size;
	max_align_t	align;
};

static const struct {
	const char	*name;
	int		(*fn)(int, char **);
	const char	*summary;
} commands[] = {
	{ "init", admin_init,
	    N_("make a service directory: CA, server certificate, config") },
	{ "subscription", admin_subscription,
	    N_("add or list subscriptions and their certificates") },
	{ "account", admin_account,
	    N_("grant subscriptions the storage accounts of importd.conf") },
	{ "serve", admin_serve,
	    N_("run the import-job API over HTTPS") },
	{ "job", admin_job,
	    N_("list jobs, show one, or move it to another state") },
	{ "drive", admin_drive,
	    N_("set the state and progress of one drive of a job") },
	{ "receive", ingest_receive,
	    N_("check shipped drives of a job and upload their files") },
	{ "never-received", ingest_never_received,
	    N_("mark drives that will not arrive and finish the job") },
};

void
importd_err(const char *fmt, ...)
{
	va_list	ap;

	fputs("diskseed-importd: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void
importd_err_code(int code, char *cause)
{
	if (cause != NULL && *cause != '\0')
		importd_err("%s: %s", ds_strerror(code), cause);
	else
		importd_err("%s", ds_strerror(code));
	free(cause);
}

/* A log line on standard error with a UTC time stamp. */
void
importd_log(const char *fmt, ...)
{
	va_list	ap;
	char	now[40];

	fprintf(stderr, "%s ", importd_now(now, sizeof now));
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* jansson's allocations are wiped when freed: job documents and request
 * bodies carry BitLocker keys. */
static void *
wipe_malloc(size_t size)
{
	union wipe_head	*h;

	if (size > SIZE_MAX - sizeof *h ||
	    (h = malloc(sizeof *h + size)) == NULL)
		return NULL;
	h->size = size;
	return h + 1;
}

static void
wipe_free(void *p)
{
	union wipe_head	*h;

	if (p == NULL)
		return;
	h = (union wipe_head *)p - 1;
	OPENSSL_cleanse(p, h->size);
	free(h);
}

static void
usage(FILE *f)
{
	size_t	i;

	fprintf(f, _("Usage: %s COMMAND [OPTIONS]\n"), "diskseed-importd");
	fputs(_("The import service for drives prepared by diskseed.\n\n"
	    "Commands:\n"), f);
	for (i = 0; i < sizeof commands / sizeof commands[0]; i++)
		fprintf(f, "  %-13s %s\n", commands[i].name,
		    _(commands[i].summary));
	fputs(_("\nRun 'diskseed-importd COMMAND --help' for a command's "
	    "options; see diskseed-importd(8).\n"), f);
}

int
main(int argc, char **argv)
{
	size_t	i;

	setlocale(LC_ALL, "");
	bindtextdomain(PACKAGE, getenv("DISKSEED_LOCALEDIR") != NULL ?
	    getenv("DISKSEED_LOCALEDIR") : LOCALEDIR);
	textdomain(PACKAGE);
	json_set_alloc_funcs(wipe_malloc, wipe_free);

	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
		usage(stdout);
		return 0;
	}
	if (strcmp(argv[1], "-V") == 0 || strcmp(argv[1], "--version") == 0) {
		printf("diskseed-importd %s\n", PACKAGE_VERSION);
		return 0;
	}
	if (strcmp(argv[1], "--features") == 0) {
		/* What this build has beyond the commands, one per line: the
		 * tests skip what needs a test hook when it is absent. */
#ifdef DS_TEST_HOOKS
		puts("test-hooks");
#endif
		return 0;
	}
	for (i = 0; i < sizeof commands / sizeof commands[0]; i++) {
		if (strcmp(argv[1], commands[i].name) == 0)
			return commands[i].fn(argc - 1, argv + 1);
	}
	importd_err(_("unknown command '%s'"), argv[1]);
	usage(stderr);
	return 2;
}
