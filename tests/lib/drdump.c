/* SPDX-License-Identifier: MIT */
/*
 * Runs the hostile-drive reader (src/dreader.h) over drives into a sink
 * that prints each call, so a test sees exactly what a sink is handed:
 *
 *	drdump [-w] [-s PATH] D...
 *
 * -w	whole files only (DS_DR_WHOLE, as restore and verify read)
 * -s	begin() answers DS_DR_SKIP for PATH (a file already stored)
 *
 * Keys come from the state folder's key file. Prints, one a line:
 *	begin PATH OFFSET LENGTH first|- last|-
 *	data PATH BYTES		(the part's bytes, summed, at end)
 *	end PATH ok|part|bad [SHA-256]
 *	other dir|symlink|hardlink|special PATH [TARGET]
 *	drop PATH
 *	problem PATH: REASON
 *	missing INDEX
 * and exits 0 (no problem), 4 (problems) or 1.
 */
#include "config.h"

#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dreader.h"
#include "error.h"

struct dump {
	const char	*skip;
	uint64_t	 bytes;
};

static int
d_begin(void *arg, const struct ds_dr_entry *e, void **h)
{
	struct dump *d = arg;

	printf("begin %s %llu %llu %s %s\n", e->path,
	    (unsigned long long)e->offset, (unsigned long long)e->length,
	    e->first ? "first" : "-", e->last ? "last" : "-");
	if (d->skip != NULL && strcmp(d->skip, e->path) == 0)
		return DS_DR_SKIP;
	d->bytes = 0;
	*h = d;
	return 0;
}

static int
d_data(void *arg, void *h, const void *buf, size_t len, uint64_t off)
{
	struct dump *d = arg;

	(void)buf;
	(void)off;
	if (h != d)
		return DS_E_INVAL;
	d->bytes += len;
	return 0;
}

static int
d_end(void *arg, void *h, const struct ds_dr_entry *e, enum ds_dr_status st,
    const uint8_t *sha)
{
	struct dump	*d = arg;
	int		 i;

	(void)h;
	printf("data %s %llu\n", e->path, (unsigned long long)d->bytes);
	printf("end %s %s", e->path, st == DS_DR_OK ? "ok" : st ==
	    DS_DR_PART ? "part" : "bad");
	if (sha != NULL) {
		putchar(' ');
		for (i = 0; i < 32; i++)
			printf("%02x", sha[i]);
	}
	putchar('\n');
	return 0;
}

static int
d_other(void *arg, const struct ds_dr_entry *e)
{
	static const char *kinds[] = {
		"file", "dir", "symlink", "hardlink", "special"
	};

	(void)arg;
	printf("other %s %s%s%s\n", kinds[e->kind], e->path,
	    e->target != NULL ? " " : "", e->target != NULL ? e->target : "");
	return 0;
}

static int
d_drop(void *arg, const char *path)
{
	(void)arg;
	printf("drop %s\n", path);
	return 0;
}

int
main(int argc, char **argv)
{
	struct ds_dreader_opts		 o;
	struct ds_dreader		*dr;
	struct ds_dr_sink		 s;
	struct dump			 d;
	const struct ds_read_report	*r;
	char				*cause = NULL;
	size_t				 i;
	int				 ch, rc;

	setlocale(LC_ALL, "");
	memset(&o, 0, sizeof o);
	memset(&d, 0, sizeof d);
	while ((ch = getopt(argc, argv, "ws:")) != -1) {
		if (ch == 'w')
			o.flags |= DS_DR_WHOLE;
		else if (ch == 's')
			d.skip = optarg;
		else
			return 2;
	}
	if (optind >= argc)
		return 2;
	o.drives = (const char *const *)argv + optind;
	o.ndrives = (size_t)(argc - optind);
	o.phase = DS_PHASE_VERIFY;
	if ((rc = ds_dreader_open(&o, &dr, &cause)) != DS_E_OK) {
		fprintf(stderr, "%s: %s\n", ds_errname(rc),
		    cause != NULL ? cause : ds_strerror(rc));
		return 1;
	}
	memset(&s, 0, sizeof s);
	s.arg = &d;
	s.begin = d_begin;
	s.data = d_data;
	s.end = d_end;
	s.other = d_other;
	s.drop = d_drop;
	rc = ds_dreader_run(dr, &s);
	r = ds_dreader_report(dr);
	for (i = 0; i < r->nproblems; i++)
		printf("problem %s: %s\n", r->problems[i].path != NULL ?
		    r->problems[i].path : "-", r->problems[i].reason);
	for (i = 0; i < r->nmissing; i++)
		printf("missing %d\n", r->missing[i]);
	if (rc == DS_E_OK && r->nproblems > 0)
		rc = DS_E_DAMAGED;
	ds_dreader_free(dr);
	free(cause);
	return rc == DS_E_OK ? 0 : rc == DS_E_DAMAGED ? 4 : 1;
}
