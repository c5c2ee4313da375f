/* SPDX-License-Identifier: MIT */
/*
 * Verifies or restores prepared drives with recovery keys instead of the
 * key file, the way the receiving side does (struct ds_read_opts
 * recovery_keys). The keys are read from standard input, one a line, in
 * drive-index order, so that they never appear in argv.
 *
 *	rkrestore verify D...
 *	rkrestore restore DIR D...
 *
 * Prints the result's error name and cause on standard error and each
 * problem on standard output; exits 0 (DS_E_OK), 4 (DS_E_DAMAGED) or 1.
 */
#include "config.h"

#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "error.h"
#include "restore.h"

#define MAX_KEYS	64

int
main(int argc, char **argv)
{
	struct ds_read_opts	 o;
	struct ds_read_report	*report = NULL;
	char			*keys[MAX_KEYS], line[256], *cause = NULL;
	size_t			 nkeys = 0, i;
	int			 restore, rc;

	if (argc < 3 || (strcmp(argv[1], "verify") != 0 &&
	    (strcmp(argv[1], "restore") != 0 || argc < 4))) {
		fprintf(stderr, "usage: rkrestore verify|restore [DIR] D...\n");
		return 2;
	}
	setlocale(LC_ALL, "");
	restore = strcmp(argv[1], "restore") == 0;
	while (nkeys < MAX_KEYS && fgets(line, sizeof line, stdin) != NULL) {
		line[strcspn(line, "\r\n")] = '\0';
		if ((keys[nkeys++] = strdup(line)) == NULL)
			return 1;
	}
	OPENSSL_cleanse(line, sizeof line);

	memset(&o, 0, sizeof o);
	o.drives = (const char *const *)argv + 2 + restore;
	o.ndrives = (size_t)argc - 2 - (size_t)restore;
	o.to = restore ? argv[2] : NULL;
	o.recovery_keys = (const char *const *)keys;
	o.nrecovery_keys = nkeys;
	if (restore)
		rc = ds_restore(&o, &report, &cause);
	else
		rc = ds_verify(&o, &report, &cause);
	fprintf(stderr, "%s: %s\n", ds_errname(rc),
	    cause != NULL ? cause : ds_strerror(rc));
	if (report != NULL) {
		for (i = 0; i < report->nproblems; i++)
			printf("drive %d chunk %lld %s: %s\n",
			    report->problems[i].drive_index,
			    (long long)report->problems[i].chunk,
			    report->problems[i].path != NULL ?
			    report->problems[i].path : "-",
			    report->problems[i].reason);
		for (i = 0; i < report->nmissing; i++)
			printf("missing drive %d\n", report->missing[i]);
	}
	ds_read_report_free(report);
	free(cause);
	for (i = 0; i < nkeys; i++) {
		OPENSSL_cleanse(keys[i], strlen(keys[i]));
		free(keys[i]);
	}
	return rc == DS_E_OK ? 0 : rc == DS_E_DAMAGED ? 4 : 1;
}
