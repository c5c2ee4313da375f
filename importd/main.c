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

#include "cliopt.h"
#include "error.h"
#include "importd.h"

/* The size of an allocation, kept in front of it, aligned like malloc. */
union wipe_head {
	size_t		size;
	max_align_t	align;
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

static int
usage(void)
{
	printf(_("Usage: %s COMMAND [OPTIONS]\n"), "diskseed-importd");
	fputs(_("The import service for drives prepared by diskseed.\n\n"
	    "Commands:\n"), stdout);
	admin_commands(stdout);
	fputs(_("\nOptions:\n"
	    "  -h, --help     show this help and exit\n"
	    "  -V, --version  show the version and exit\n\n"
	    "Run 'diskseed-importd COMMAND --help' for a command's "
	    "options;\nsee diskseed-importd(8).\n"), stdout);
	return EXIT_OK;
}

int
main(int argc, char **argv)
{
	setlocale(LC_ALL, "");
	bindtextdomain(PACKAGE, getenv("DISKSEED_LOCALEDIR") != NULL ?
	    getenv("DISKSEED_LOCALEDIR") : LOCALEDIR);
	textdomain(PACKAGE);
	json_set_alloc_funcs(wipe_malloc, wipe_free);

	if (argc < 2)
		return admin_usage_error(NULL, "%s", _("a command is needed"));
	if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0)
		return usage();
	if (strcmp(argv[1], "-V") == 0 || strcmp(argv[1], "--version") == 0) {
		printf("diskseed-importd %s\n%s", PACKAGE_VERSION,
		    ds_cliopt_copyright());
		return EXIT_OK;
	}
	if (strcmp(argv[1], "--features") == 0) {
		/* What this build has beyond the commands, one per line: the
		 * tests skip what needs a test hook when it is absent. */
#ifdef DS_TEST_HOOKS
		puts("test-hooks");
#endif
		return EXIT_OK;
	}
	if (argv[1][0] == '-')
		return admin_usage_error(NULL, _("unrecognized option '%s'"),
		    argv[1]);
	return admin_main(argc - 1, argv + 1);
}
