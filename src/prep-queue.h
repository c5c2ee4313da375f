/* SPDX-License-Identifier: MIT */
/*
 * The chunk queue of prep, with its two threads: the sealer encrypts and
 * hashes each full chunk (AES-256-GCM) while the writer has the one
 * before on its way to the drive; the writer writes chunks, and at a
 * segment's end fdatasyncs and appends the segment's journal record.
 *
 * Call order (main thread): prep_queue_start() once the journal is open;
 * for each segment prep_queue_begin(), prep_queue_write() as the archiver
 * produces bytes, prep_queue_last() then prep_queue_commit(); before a
 * drive is closed or changed, prep_queue_drain(); prep_queue_stop() at
 * the end, which writes what is queued and joins the threads.
 *
 * Who owns what while the threads run:
 * - the journal is the writer's whenever a commit is queued: the main
 *   thread appends to it only after prep_queue_drain() returned (a new
 *   drive, a drive's close, the end of the job);
 * - the open drive's manifest lists (d->mf) are the writer's (it adds
 *   each committed segment) until prep_queue_drain() returned; so is the
 *   drive's descriptor for chunk writes;
 * - d->next_slot is the main thread's: prep_queue_write() and
 *   prep_queue_last() give each chunk its slot as they queue it;
 * - the drive's key and index are read by the sealer: the main thread
 *   changes them (a new or reopened drive) only once drained;
 * - the filling chunk is the main thread's until it is queued.
 * An error of either thread stops further writes; the main thread sees
 * it from the next call (prep_queue_error() gives its detail).
 */
#ifndef DS_PREP_QUEUE_H
#define DS_PREP_QUEUE_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

struct ds_journal;
struct prep_drive;
struct prep_queue;

/*
 * Starts the threads for chunks of CHUNK_SIZE bytes of set SET_ID
 * (borrowed, as are D and J), numbered in SESSION, written to the drive
 * D (the one open at any time) with records in J.
 */
int	prep_queue_start(struct prep_queue **qp, struct prep_drive *d,
	    struct ds_journal *j, const uint8_t *set_id, uint32_t chunk_size,
	    uint32_t session);

/* A new segment, SEGMENT, starts: its stream offset is 0. */
void	prep_queue_begin(struct prep_queue *q, uint32_t segment);

/* Appends LEN archive bytes to the segment's chunks, queueing each full
 * one; an error of the threads or a full drive returns non-zero. */
int	prep_queue_write(struct prep_queue *q, const void *buf, size_t len);

/* Queues the segment's last chunk (maybe empty) flagged as the last. */
int	prep_queue_last(struct prep_queue *q);

/* The segment's stream bytes queued so far. */
uint64_t prep_queue_stream_bytes(const struct prep_queue *q);

/*
 * Queues the commit of the segment whose journal record (without its
 * chunks, which the writer adds) is REC, taken, with its file records
 * FTEXT (copied), NFILES files and BYTES file bytes.
 */
int	prep_queue_commit(struct prep_queue *q, json_t *rec,
	    const char *ftext, uint64_t nfiles, uint64_t bytes);

/* Drops the filling chunk (a segment given up). */
void	prep_queue_drop(struct prep_queue *q);

/* Waits until everything queued is written; returns the threads' error. */
int	prep_queue_drain(struct prep_queue *q);

/* The threads' error (0 if none) and, in *DETAIL, an allocated copy of
 * its detail or NULL. */
int	prep_queue_error(struct prep_queue *q, char **detail);

/* Writes what is queued, joins the threads, frees Q; takes NULL. */
void	prep_queue_stop(struct prep_queue *q);

#endif
