/*
 * Where the ingest puts files: a storage account of importd.conf, either
 * Azure Blob storage (an entry with "blobEndpoint" and "key"; the key of
 * Azurite's devstoreaccount1 is known and may be left out) or a plain
 * directory (an entry with "directory": the demo's default), behind one
 * interface. In a directory, container C and blob N are the file
 * DIRECTORY/C/N, with its mode and times set from the metadata.
 *
 * Call order: target_open(), target_container() for each container used,
 * then puts and queries, then target_free().
 */
#ifndef IMPORTD_TARGET_H
#define IMPORTD_TARGET_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "blob.h"

struct target;

/* Opens the target of ACCOUNT, an entry of storageAccounts (borrowed). */
int	 target_open(json_t *account, struct target **out, char **cause);

/*
 * Opens directory DIR as a target. Container FLAT (or none when NULL) is
 * DIR itself rather than DIR/FLAT: receive --target stores a job's files
 * straight into the folder it is given.
 */
int	 target_open_dir(const char *dir, const char *flat,
	    struct target **out);
void	 target_free(struct target *t);

/* Makes CONTAINER when missing. */
int	 target_container(struct target *t, const char *container,
	    char **cause);

/*
 * Stores the file at PATH as NAME with metadata META (mode, owner,
 * mtime...); sets SHA256 (65 bytes) to the SHA-256 of what was stored.
 * CB (may be NULL) sees the bytes sent.
 */
int	 target_put_file(struct target *t, const char *container,
	    const char *name, const char *path, const struct ds_blob_meta *meta,
	    size_t nmeta, ds_blob_progress_cb cb, void *arg, char *sha256,
	    char **cause);

/* Stores BUF as NAME (logs, manifests). */
int	 target_put_buf(struct target *t, const char *container,
	    const char *name, const void *buf, size_t len, char **cause);

/*
 * Sets *yes to 1 when NAME is stored already with SIZE bytes and SHA256
 * (hex), else 0 (absent, or different).
 */
int	 target_has(struct target *t, const char *container, const char *name,
	    uint64_t size, const char *sha256, int *yes, char **cause);

/* The URI of NAME, for the job's log and manifest fields; allocated. */
char	*target_uri(struct target *t, const char *container,
	    const char *name);

/* Files and buffers stored through T so far; requests retried. */
uint64_t target_puts(const struct target *t);
uint64_t target_retries(const struct target *t);

#endif
