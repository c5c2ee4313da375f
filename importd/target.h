/* SPDX-License-Identifier: MIT */
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

#include <signal.h>
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
/* STOP (borrowed) set ends a long write with DS_E_CANCELED. */
void	 target_set_stop(struct target *t, const volatile sig_atomic_t *stop);
/* Whether T is a directory (else Blob storage). */
int	 target_is_dir(const struct target *t);

/* Makes CONTAINER when missing. */
int	 target_container(struct target *t, const char *container,
	    char **cause);

/* Stores BUF as NAME (logs, manifests). */
int	 target_put_buf(struct target *t, const char *container,
	    const char *name, const void *buf, size_t len, char **cause);

/* Stores the whole file open as FD (borrowed; read with pread, so it may
 * be unlinked) as NAME: the memory used is one buffer, not the file. */
int	 target_put_fd(struct target *t, const char *container,
	    const char *name, int fd, char **cause);

/*
 * Sets *yes to 1 when NAME is stored already with SIZE bytes and SHA256
 * (hex), else 0 (absent, or different).
 */
int	 target_has(struct target *t, const char *container, const char *name,
	    uint64_t size, const char *sha256, int *yes, char **cause);

/* The URI of NAME, for the job's log and manifest fields; allocated. */
char	*target_uri(struct target *t, const char *container,
	    const char *name);

/*
 * Streaming: a file stored as its bytes arrive, never copied on the host
 * outside the store. In a directory, a temporary file beside NAME
 * (created with O_EXCL, every folder opened with O_NOFOLLOW from the
 * container's folder, so nothing is written outside it) is renamed into
 * place on commit. In Blob storage, the bytes go out as blocks on the
 * upload pool's connections (target_open: "uploadConnections", default
 * 4), or one Put Blob for a file of at most one block; the block list is
 * committed only by target_obj_commit, after the caller checked the
 * SHA-256. Block ids name the block's offset and the hash of its bytes,
 * so an upload resumed sends no block the service holds already.
 *
 * Call order: target_obj_begin(); target_obj_write() in increasing
 * offsets (a gap is zeros); then target_obj_commit() or
 * target_obj_abort() (blocks sent stay uncommitted). DONE runs once when
 * the object is stored or lost: at once in a directory, from a pool
 * thread in Blob storage. target_drain() waits for every object begun.
 */
struct target_obj;
typedef void (*target_done_cb)(void *arg, int rc, const char *cause);

/* RESUME: ask the service first which blocks it holds (a run before). */
int	 target_obj_begin(struct target *t, const char *container,
	    const char *name, uint64_t size, int resume, target_done_cb done,
	    void *arg, struct target_obj **out, char **cause);
/* LEN bytes of BUF (borrowed) at file offset OFF; BUF NULL: zeros up to
 * OFF + LEN. */
int	 target_obj_write(struct target_obj *o, const void *buf, size_t len,
	    uint64_t off, char **cause);
/* Stores the object with META; ends the caller's use of O. */
int	 target_obj_commit(struct target_obj *o,
	    const struct ds_blob_meta *meta, size_t nmeta, char **cause);
/* Drops the object (temporary file removed); DONE sees DS_E_CANCELED. */
void	 target_obj_abort(struct target_obj *o);
/* Waits for every object queued; a failure of the storage itself. */
int	 target_drain(struct target *t, char **cause);
/* Whether the storage failed (the run should stop). */
int	 target_failed(struct target *t);

/*
 * Stores a copy of FROM (stored already) as NAME with META: another name
 * of a hard-linked file.
 */
int	 target_copy(struct target *t, const char *container, const char *from,
	    const char *name, const struct ds_blob_meta *meta, size_t nmeta,
	    char **cause);

/* Makes what the directory target wrote durable (before it is recorded
 * as stored); nothing for Blob storage. */
void	 target_sync(struct target *t);

/* Files and buffers stored through T so far; requests retried. */
uint64_t target_puts(const struct target *t);
uint64_t target_retries(const struct target *t);

#endif
