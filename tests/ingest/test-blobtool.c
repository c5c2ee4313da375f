/* SPDX-License-Identifier: MIT */
/*
 * A small command line over importd/blob.h, for the shell tests:
 *   blobtool ENDPOINT ACCOUNT mkcontainer CONTAINER
 *   blobtool ENDPOINT ACCOUNT put CONTAINER NAME FILE [KEY=VALUE ...]
 *   blobtool ENDPOINT ACCOUNT get CONTAINER NAME OUTFILE
 *   blobtool ENDPOINT ACCOUNT props CONTAINER NAME
 *   blobtool ENDPOINT ACCOUNT list CONTAINER [PAGESIZE [PREFIX]]
 *   blobtool ENDPOINT ACCOUNT uncommitted CONTAINER NAME
 *   blobtool ENDPOINT ACCOUNT delete CONTAINER NAME
 * The account key comes from $AZ_KEY (never argv). Tunables from the
 * environment: DS_BLOB_BLOCK_SIZE, DS_BLOB_RETRIES, and for put:
 * BLOBTOOL_PAUSE_AFTER=N (after N blocks, touch $BLOBTOOL_SYNC.paused and
 * wait for $BLOBTOOL_SYNC.go), BLOBTOOL_CANCEL_AFTER=N (cancel there).
 * Exit: 0 ok, 1 error (message on stderr), 2 usage, 4 not found.
 */
#include "config.h"

#include <sys/stat.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "blob.h"
#include "error.h"

struct hook {
	long	 pause_after;
	long	 cancel_after;
	long	 blocks;
	char	*sync;
};

static int
progress(void *arg, uint64_t done, uint64_t total)
{
	struct hook	*h = arg;
	char		 path[4096];
	FILE		*f;

	if (done == 0)
		return 0;
	h->blocks++;
	if (h->cancel_after > 0 && h->blocks >= h->cancel_after)
		return 1;
	if (h->pause_after > 0 && h->blocks == h->pause_after &&
	    h->sync != NULL) {
		snprintf(path, sizeof path, "%s.paused", h->sync);
		if ((f = fopen(path, "w")) != NULL)
			fclose(f);
		snprintf(path, sizeof path, "%s.go", h->sync);
		while (access(path, F_OK) != 0)
			usleep(20000);
	}
	return 0;
}

static long
envnum(const char *name)
{
	const char *v = getenv(name);

	return v != NULL ? strtol(v, NULL, 10) : 0;
}

static int
list_all(struct ds_blob *b, const char *container, unsigned page,
    const char *prefix, char **cause)
{
	struct ds_blob_list	*l;
	char			*marker = NULL;
	size_t			 i, j;
	int			 err, pages = 0;

	do {
		err = ds_blob_list(b, container, prefix, marker, page, &l,
		    cause);
		free(marker);
		marker = NULL;
		if (err != DS_E_OK)
			return err;
		pages++;
		for (i = 0; i < l->n; i++) {
			printf("%s\t%llu", l->blobs[i].name,
			    (unsigned long long)l->blobs[i].size);
			for (j = 0; j < l->blobs[i].nmeta; j++)
				printf("\t%s=%s", l->blobs[i].meta[j].name,
				    l->blobs[i].meta[j].value);
			printf("\n");
		}
		if (l->next_marker != NULL)
			marker = strdup(l->next_marker);
		ds_blob_list_free(l);
	} while (marker != NULL);
	fprintf(stderr, "pages: %d\n", pages);
	return DS_E_OK;
}

int
main(int argc, char **argv)
{
	struct ds_blob_opts	 o = { 0 };
	struct ds_blob		*b = NULL;
	struct ds_blob_props	 p;
	struct ds_blob_meta	 meta[16];
	struct hook		 h = { 0 };
	char			*cause = NULL, sha[65], **ids, *eq;
	const char		*key = getenv("AZ_KEY"), *cmd;
	size_t			 nmeta = 0, nids, i;
	int			 err = DS_E_INVAL;
	FILE			*f;

	if (argc < 5 || key == NULL) {
		fprintf(stderr, "usage: AZ_KEY=... blobtool ENDPOINT ACCOUNT "
		    "COMMAND CONTAINER ...\n");
		return 2;
	}
	o.block_size = (size_t)envnum("DS_BLOB_BLOCK_SIZE");
	o.retries = (unsigned)envnum("DS_BLOB_RETRIES");
	if ((err = ds_blob_open(argv[2], key, argv[1], &o, &b, &cause)) != 0)
		goto out;
	cmd = argv[3];
	if (strcmp(cmd, "mkcontainer") == 0)
		err = ds_blob_create_container(b, argv[4], &cause);
	else if (strcmp(cmd, "put") == 0 && argc >= 7) {
		for (i = 7; i < (size_t)argc && nmeta < 15; i++) {
			if ((eq = strchr(argv[i], '=')) == NULL)
				continue;
			*eq = '\0';
			meta[nmeta].name = argv[i];
			meta[nmeta++].value = eq + 1;
		}
		h.pause_after = envnum("BLOBTOOL_PAUSE_AFTER");
		h.cancel_after = envnum("BLOBTOOL_CANCEL_AFTER");
		h.sync = getenv("BLOBTOOL_SYNC");
		err = ds_blob_put_file(b, argv[4], argv[5], argv[6], meta,
		    nmeta, progress, &h, sha, &cause);
		if (err == DS_E_OK)
			printf("%s\n", sha);
	} else if (strcmp(cmd, "get") == 0 && argc == 7) {
		if ((f = fopen(argv[6], "w")) == NULL) {
			perror(argv[6]);
			return 1;
		}
		err = ds_blob_get(b, argv[4], argv[5], f, &cause);
		fclose(f);
	} else if (strcmp(cmd, "props") == 0 && argc == 6) {
		if ((err = ds_blob_properties(b, argv[4], argv[5], &p,
		    &cause)) == DS_E_OK) {
			printf("size=%llu\nmd5=%s\n",
			    (unsigned long long)p.size,
			    p.content_md5 ? p.content_md5 : "");
			for (i = 0; i < p.nmeta; i++)
				printf("meta.%s=%s\n", p.meta[i].name,
				    p.meta[i].value);
			ds_blob_props_clear(&p);
		}
	} else if (strcmp(cmd, "list") == 0)
		err = list_all(b, argv[4], argc > 5 ?
		    (unsigned)strtoul(argv[5], NULL, 10) : 0,
		    argc > 6 ? argv[6] : NULL, &cause);
	else if (strcmp(cmd, "uncommitted") == 0 && argc == 6) {
		if ((err = ds_blob_uncommitted(b, argv[4], argv[5], &ids,
		    &nids, &cause)) == DS_E_OK) {
			for (i = 0; i < nids; i++)
				printf("%s\n", ids[i]);
			ds_blob_ids_free(ids, nids);
		}
	} else if (strcmp(cmd, "delete") == 0 && argc == 6)
		err = ds_blob_delete(b, argv[4], argv[5], &cause);
	else {
		fprintf(stderr, "blobtool: bad command\n");
		ds_blob_free(b);
		return 2;
	}
out:
	if (b != NULL)
		fprintf(stderr, "requests: %llu retries: %llu\n",
		    (unsigned long long)ds_blob_requests(b),
		    (unsigned long long)ds_blob_retries(b));
	ds_blob_free(b);
	if (err != DS_E_OK) {
		fprintf(stderr, "blobtool: %s: %s\n", ds_strerror(err),
		    cause != NULL ? cause : "");
		free(cause);
		return err == DS_E_NOTFOUND ? 4 : 1;
	}
	return 0;
}
