/* SPDX-License-Identifier: MIT */
/*
 * The upload pool of the ingest: N threads, each with its own Blob
 * client (a client is not thread-safe), fed through one bounded queue.
 * The thread that reads the drives queues requests and goes on reading;
 * the queue's bound (2 * N requests, each at most one block) bounds the
 * memory, whatever the size of the data.
 *
 * Requests belong to an upload (one blob): its blocks, then its commit
 * (Put Block List), or one Put Blob for a small file. A commit waits
 * until every block of its upload is stored; when any request of an
 * upload fails, its commit is not sent. When an upload ends (committed,
 * failed, or abandoned) its DONE callback runs in a pool thread with the
 * result; the callback is the caller's to make thread-safe.
 *
 * Call order: upload_pool_start(); upload_new(), upload_block() ...,
 * upload_commit() or upload_put() or upload_abandon() per blob;
 * upload_pool_drain(); upload_pool_stop().
 */
#ifndef IMPORTD_UPLOAD_H
#define IMPORTD_UPLOAD_H

#include <stddef.h>
#include <stdint.h>

#include "blob.h"

struct upload_pool;
struct upload;

/* How an upload ended: DS_E_OK (committed) or a code; CAUSE is borrowed
 * until the callback returns. */
typedef void (*upload_done_cb)(void *arg, int rc, const char *cause);

/*
 * Starts N threads, each opening a client with ACCOUNT, KEY, ENDPOINT and
 * OPTS (as ds_blob_open; the key is copied by each client). *out is
 * allocated; stop it with upload_pool_stop.
 */
int	 upload_pool_start(const char *account, const char *key,
	    const char *endpoint, const struct ds_blob_opts *opts, unsigned n,
	    struct upload_pool **out, char **cause);

/*
 * Waits until every request queued is done. Returns the first error that
 * is not about one blob (the storage unreachable after every retry), or
 * DS_E_OK; *cause gets its detail.
 */
int	 upload_pool_drain(struct upload_pool *p, char **cause);

/* Whether a request failed such that the run should stop (see drain). */
int	 upload_pool_failed(struct upload_pool *p);

/* Requests sent and retried by every client of the pool. */
uint64_t upload_pool_retries(struct upload_pool *p);

/* Drains, stops the threads and frees P; takes NULL. */
void	 upload_pool_stop(struct upload_pool *p);

/*
 * A new upload of blob NAME of CONTAINER (both copied). DONE (may be
 * NULL) runs once when it ends. Returns NULL when out of memory.
 */
struct upload *upload_new(struct upload_pool *p, const char *container,
	    const char *name, upload_done_cb done, void *arg);

/*
 * Queues Put Block ID (copied) with LEN bytes of BUF (taken: freed by the
 * pool). Blocks the service holds already (upload_have) are not sent.
 * Waits while the queue is full.
 */
int	 upload_block(struct upload *u, const char *id, void *buf,
	    size_t len);

/*
 * Sets the ids of the uncommitted blocks the service holds for the blob
 * (asked from the calling thread with CLIENT; at most once per upload,
 * before its blocks), so that a resumed upload sends none twice.
 */
int	 upload_have(struct upload *u, struct ds_blob *client, char **cause);

/*
 * Queues the commit: Put Block List of IDS (taken) with the whole blob's
 * MD5 (base64; copied) and META (copied). Ends the caller's use of U.
 */
int	 upload_commit(struct upload *u, char **ids, size_t nids,
	    const char *md5, const struct ds_blob_meta *meta, size_t nmeta);

/* Queues one Put Blob of BUF (taken) with META (copied); ends the
 * caller's use of U. */
int	 upload_put(struct upload *u, void *buf, size_t len,
	    const struct ds_blob_meta *meta, size_t nmeta);

/* Ends the caller's use of U without a commit (blocks queued are still
 * sent: a later run commits them); DONE sees DS_E_CANCELED. */
void	 upload_abandon(struct upload *u);

#endif
