/* SPDX-License-Identifier: MIT */
/*
 * The chunk queue of prep and its sealer and writer threads
 * (prep-queue.h): NSLOTS chunk buffers in a ring; the main thread fills
 * one, the sealer seals the queued ones in order, the writer writes the
 * sealed ones in order.
 */
#include "config.h"

#include <sys/types.h>

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>
#include <openssl/sha.h>

#include "error.h"
#include "format.h"
#include "journal.h"
#include "prep-drive.h"
#include "prep-queue.h"
#include "util.h"

#define NSLOTS		4

/* A chunk buffer: record header room, plaintext, tag, padding. */
struct slot {
	uint8_t			*buf;
	size_t			 len;
	struct ds_chunk_rec	 rec;
	/* Or a commit marker: sync, then journal the segment REC (without
	 * its chunks, which the writer adds) with its file records FTEXT. */
	int			 commit;
	json_t			*seg_rec;
	char			*ftext;
	uint64_t		 nfiles;
	uint64_t		 bytes;
	/* Set by the sealer for the writer. */
	int			 seal_rc;
	size_t			 padded;
	uint8_t			 sha[32];
};

/* A chunk written, for its segment's journal record (writer's). */
struct chunk_done {
	uint64_t	 index;
	uint32_t	 segment;
	uint32_t	 length;
	uint8_t		 sha[32];
};

struct prep_queue {
	/* Borrowed; see prep-queue.h for who may touch what when. */
	struct prep_drive	*d;
	struct ds_journal	*journal;
	const uint8_t		*set_id;
	uint32_t		 chunk_size;
	size_t			 payload;
	uint32_t		 session;

	/* The segment being filled (main thread). */
	uint32_t		 segment;
	uint64_t		 stream_off;
	struct slot		*cur;

	/* Under mtx: q_count slots from q_head are queued, the first
	 * q_sealed of them sealed. */
	pthread_mutex_t		 mtx;
	pthread_cond_t		 cond;
	struct slot		 slots[NSLOTS];
	size_t			 q_head, q_count, q_sealed;
	int			 quit;
	int			 werr;
	char			*wcause;

	/* The writer's: chunks written since the last commit. */
	struct chunk_done	*done;
	size_t			 ndone, done_alloc;

	pthread_t		 writer;
	int			 writer_started;
	pthread_t		 sealer;
	int			 sealer_started;
};

/* Keeps the writer's error and its detail for the main thread. */
static void
writer_fail(struct prep_queue *q, int rc, const char *detail)
{
	pthread_mutex_lock(&q->mtx);
	free(q->wcause);
	q->wcause = detail != NULL ? strdup(detail) : NULL;
	if (!q->werr)
		q->werr = rc;
	pthread_mutex_unlock(&q->mtx);
}

/* The segment's chunks written since the last commit, as JSON. */
static json_t *
done_json(struct prep_queue *q)
{
	json_t	*chunks, *c;
	char	 hex[65];
	size_t	 i;

	if ((chunks = json_array()) == NULL)
		return NULL;
	for (i = 0; i < q->ndone; i++) {
		c = json_object();
		ds_hex(hex, q->done[i].sha, 32);
		json_object_set_new(c, "index",
		    json_integer((json_int_t)q->done[i].index));
		json_object_set_new(c, "segment",
		    json_integer(q->done[i].segment));
		json_object_set_new(c, "length",
		    json_integer(q->done[i].length));
		json_object_set_new(c, "sha256", json_string(hex));
		json_array_append_new(chunks, c);
	}
	q->ndone = 0;
	return chunks;
}

/*
 * The commit of a segment, on the writer thread once all its chunks are
 * written: fdatasync, then its journal record. The main thread goes on
 * with the next segment meanwhile; records stay in order, and a record
 * is only written after the data it names is on the drive.
 */
static int
writer_commit(struct prep_queue *q, struct slot *s)
{
	json_t	*chunks;
	char	*text, *line, *cause = NULL;
	int	 rc;

	if (fdatasync(q->d->g.fd) == -1) {
		if (asprintf(&text, "%s: %s", q->d->g.path, strerror(errno)) ==
		    -1)
			text = NULL;
		writer_fail(q, DS_E_IO, text);
		free(text);
		return DS_E_IO;
	}
	posix_fadvise(q->d->g.fd, (off_t)(DS_FMT_DATA_OFF +
	    (uint64_t)json_integer_value(json_object_get(s->seg_rec,
	    "firstChunk")) * q->chunk_size), 0, POSIX_FADV_DONTNEED);
	if ((chunks = done_json(q)) == NULL)
		return DS_E_NOMEM;
	json_object_set_new(s->seg_rec, "chunks", chunks);
	/* The record's text with the file records spliced in. */
	text = json_dumps(s->seg_rec, JSON_COMPACT);
	if (text == NULL || asprintf(&line, "%.*s,\"files\":[%s]}",
	    (int)strlen(text) - 1, text, s->ftext) == -1) {
		free(text);
		writer_fail(q, DS_E_NOMEM, NULL);
		return DS_E_NOMEM;
	}
	free(text);
	rc = ds_journal_append_text(q->journal, line, &cause);
	free(line);
	if (rc == DS_E_OK)
		rc = prep_mf_add_seg(&q->d->mf, s->seg_rec, s->ftext,
		    s->nfiles, s->bytes);
	if (rc != DS_E_OK)
		writer_fail(q, rc, cause);
	free(cause);
	return rc;
}

/* Seals chunk S in place and hashes what goes on the drive. */
static void
seal_slot(struct prep_queue *q, struct slot *s)
{
	size_t sealed;

	sealed = ds_chunk_sealed_len(s->len);
	s->padded = (sealed + DS_FMT_BLOCK - 1) / DS_FMT_BLOCK * DS_FMT_BLOCK;
	s->seal_rc = ds_chunk_seal(q->d->key, q->set_id, q->d->index, &s->rec,
	    s->buf + DS_FMT_REC_LEN, s->buf);
	memset(s->buf + sealed, 0, s->padded - sealed);
	SHA256(s->buf, sealed, s->sha);
}

/*
 * The sealer thread: encrypts and hashes each queued chunk, in order,
 * while the writer has the one before on its way to the drive; so the
 * drive does not wait for the CPU between two chunks.
 */
static void *
sealer_main(void *arg)
{
	struct prep_queue	*q = arg;
	struct slot		*s;
	int			 skip;

	for (;;) {
		pthread_mutex_lock(&q->mtx);
		while (q->q_sealed == q->q_count && !q->quit)
			pthread_cond_wait(&q->cond, &q->mtx);
		if (q->q_sealed == q->q_count && q->quit) {
			pthread_mutex_unlock(&q->mtx);
			return NULL;
		}
		s = &q->slots[(q->q_head + q->q_sealed) % NSLOTS];
		skip = s->commit || q->werr;
		pthread_mutex_unlock(&q->mtx);

		if (!skip)
			seal_slot(q, s);
		pthread_mutex_lock(&q->mtx);
		q->q_sealed++;
		pthread_cond_broadcast(&q->cond);
		pthread_mutex_unlock(&q->mtx);
	}
}

/* Writes sealed chunk S to its slot on the drive. */
static int
write_slot(struct prep_queue *q, struct slot *s)
{
	uint64_t	off;
	ssize_t		n;
	char		*detail;

	if (s->seal_rc != DS_E_OK)
		return s->seal_rc;
	off = DS_FMT_DATA_OFF + s->rec.index * q->chunk_size;
	n = pwrite(q->d->g.fd, s->buf, s->padded, (off_t)off);
	if (n == (ssize_t)s->padded)
		return DS_E_OK;
	if (asprintf(&detail, "%s: %s", q->d->g.path, n == -1 ?
	    strerror(errno) : _("short write")) == -1)
		detail = NULL;
	writer_fail(q, DS_E_IO, detail);
	free(detail);
	return DS_E_IO;
}

/* Notes written chunk S for the segment's journal record. */
static int
chunk_done_add(struct prep_queue *q, struct slot *s)
{
	struct chunk_done *nd;

	if (q->ndone == q->done_alloc) {
		q->done_alloc = q->done_alloc ? 2 * q->done_alloc : 64;
		nd = reallocarray(q->done, q->done_alloc, sizeof *nd);
		if (nd == NULL)
			return DS_E_NOMEM;
		q->done = nd;
	}
	nd = &q->done[q->ndone++];
	nd->index = s->rec.index;
	nd->segment = s->rec.segment;
	nd->length = s->rec.length;
	memcpy(nd->sha, s->sha, 32);
	return DS_E_OK;
}

/* The writer thread: writes each sealed chunk and commits segments. */
static void *
writer_main(void *arg)
{
	struct prep_queue	*q = arg;
	struct slot		*s;
	int			 rc, werr;

	for (;;) {
		pthread_mutex_lock(&q->mtx);
		while (q->q_sealed == 0 && !(q->quit && q->q_count == 0))
			pthread_cond_wait(&q->cond, &q->mtx);
		if (q->q_count == 0 && q->quit) {
			pthread_mutex_unlock(&q->mtx);
			return NULL;
		}
		s = &q->slots[q->q_head];
		werr = q->werr;
		pthread_mutex_unlock(&q->mtx);

		rc = DS_E_OK;
		if (s->commit) {
			if (!werr)
				rc = writer_commit(q, s);
			json_decref(s->seg_rec);
			free(s->ftext);
			s->seg_rec = NULL;
			s->ftext = NULL;
			s->commit = 0;
		} else if (!werr && (rc = write_slot(q, s)) == DS_E_OK)
			rc = chunk_done_add(q, s);
		pthread_mutex_lock(&q->mtx);
		if (rc != DS_E_OK && !q->werr)
			q->werr = rc;
		q->q_head = (q->q_head + 1) % NSLOTS;
		q->q_count--;
		q->q_sealed--;
		pthread_cond_broadcast(&q->cond);
		pthread_mutex_unlock(&q->mtx);
	}
}

/* Hands the filling slot (a chunk or a commit) to the threads. */
static void
queue_push(struct prep_queue *q)
{
	pthread_mutex_lock(&q->mtx);
	q->q_count++;
	pthread_cond_broadcast(&q->cond);
	pthread_mutex_unlock(&q->mtx);
	q->cur = NULL;
}

/* Waits for a free slot and makes it the filling one. */
static int
chunk_take(struct prep_queue *q)
{
	int werr;

	pthread_mutex_lock(&q->mtx);
	while (q->q_count == NSLOTS && !q->werr)
		pthread_cond_wait(&q->cond, &q->mtx);
	werr = q->werr;
	/* The slot after the queued ones, read under the lock: the writer
	 * moves q_head and q_count together. */
	if (!werr)
		q->cur = &q->slots[(q->q_head + q->q_count) % NSLOTS];
	pthread_mutex_unlock(&q->mtx);
	if (werr)
		return werr;
	q->cur->len = 0;
	q->cur->commit = 0;
	return DS_E_OK;
}

/* Hands the filling chunk to the threads with FLAGS. */
static int
chunk_submit(struct prep_queue *q, uint32_t flags)
{
	struct slot *s = q->cur;

	if (s == NULL)
		return DS_E_OK;
	if (DS_FMT_DATA_OFF + (q->d->next_slot + 1) * q->chunk_size +
	    PREP_MF_BASE > q->d->trailer_off)
		return ds_cause(NULL, DS_E_DRIVEFULL, "overflow");
	s->rec.flags = flags;
	s->rec.session = q->session;
	s->rec.index = q->d->next_slot++;
	s->rec.segment = q->segment;
	s->rec.length = (uint32_t)s->len;
	s->rec.stream_off = q->stream_off;
	q->stream_off += s->len;
	queue_push(q);
	return DS_E_OK;
}

void
prep_queue_begin(struct prep_queue *q, uint32_t segment)
{
	q->segment = segment;
	q->stream_off = 0;
}

int
prep_queue_write(struct prep_queue *q, const void *buf, size_t len)
{
	const uint8_t	*b = buf;
	size_t		 n;
	int		 rc;

	while (len > 0) {
		if (q->cur == NULL && (rc = chunk_take(q)) != DS_E_OK)
			return rc;
		n = q->payload - q->cur->len;
		if (n > len)
			n = len;
		memcpy(q->cur->buf + DS_FMT_REC_LEN + q->cur->len, b, n);
		q->cur->len += n;
		b += n;
		len -= n;
		if (q->cur->len == q->payload &&
		    (rc = chunk_submit(q, 0)) != DS_E_OK)
			return rc;
	}
	return DS_E_OK;
}

int
prep_queue_last(struct prep_queue *q)
{
	int rc;

	if (q->cur == NULL && (rc = chunk_take(q)) != DS_E_OK)
		return rc;
	return chunk_submit(q, DS_FMT_CHUNK_LAST);
}

uint64_t
prep_queue_stream_bytes(const struct prep_queue *q)
{
	return q->stream_off;
}

int
prep_queue_commit(struct prep_queue *q, json_t *rec, const char *ftext,
    uint64_t nfiles, uint64_t bytes)
{
	struct slot	*s;
	int		 rc;

	if ((rc = chunk_take(q)) != DS_E_OK) {
		json_decref(rec);
		return rc;
	}
	s = q->cur;
	s->commit = 1;
	s->seg_rec = rec;
	s->ftext = strdup(ftext != NULL ? ftext : "");
	s->nfiles = nfiles;
	s->bytes = bytes;
	if (s->ftext == NULL) {
		json_decref(rec);
		s->seg_rec = NULL;
		s->commit = 0;
		return DS_E_NOMEM;
	}
	queue_push(q);
	return DS_E_OK;
}

void
prep_queue_drop(struct prep_queue *q)
{
	q->cur = NULL;
}

int
prep_queue_drain(struct prep_queue *q)
{
	int werr;

	pthread_mutex_lock(&q->mtx);
	while (q->q_count > 0)
		pthread_cond_wait(&q->cond, &q->mtx);
	werr = q->werr;
	pthread_mutex_unlock(&q->mtx);
	return werr;
}

int
prep_queue_error(struct prep_queue *q, char **detail)
{
	int werr;

	pthread_mutex_lock(&q->mtx);
	werr = q->werr;
	*detail = werr && q->wcause != NULL ? strdup(q->wcause) : NULL;
	pthread_mutex_unlock(&q->mtx);
	return werr;
}

int
prep_queue_start(struct prep_queue **qp, struct prep_drive *d,
    struct ds_journal *j, const uint8_t *set_id, uint32_t chunk_size,
    uint32_t session)
{
	struct prep_queue	*q;
	size_t			 i;

	if ((*qp = q = calloc(1, sizeof *q)) == NULL)
		return DS_E_NOMEM;
	q->d = d;
	q->journal = j;
	q->set_id = set_id;
	q->chunk_size = chunk_size;
	q->payload = ds_chunk_payload(chunk_size);
	q->session = session;
	pthread_mutex_init(&q->mtx, NULL);
	pthread_cond_init(&q->cond, NULL);
	for (i = 0; i < NSLOTS; i++)
		if (posix_memalign((void **)&q->slots[i].buf, DS_FMT_BLOCK,
		    chunk_size) != 0)
			return DS_E_NOMEM;
	if (pthread_create(&q->writer, NULL, writer_main, q) != 0)
		return DS_E_NOMEM;
	q->writer_started = 1;
	if (pthread_create(&q->sealer, NULL, sealer_main, q) != 0)
		return DS_E_NOMEM;
	q->sealer_started = 1;
	return DS_E_OK;
}

void
prep_queue_stop(struct prep_queue *q)
{
	size_t i;

	if (q == NULL)
		return;
	if (q->writer_started) {
		pthread_mutex_lock(&q->mtx);
		q->quit = 1;
		/* Without a sealer, nothing queued was sealed: drop it. */
		if (!q->sealer_started)
			q->q_count = 0;
		pthread_cond_broadcast(&q->cond);
		pthread_mutex_unlock(&q->mtx);
		if (q->sealer_started)
			pthread_join(q->sealer, NULL);
		pthread_join(q->writer, NULL);
	}
	for (i = 0; i < NSLOTS; i++) {
		if (q->slots[i].buf != NULL)
			ds_freezero(q->slots[i].buf, q->chunk_size);
		json_decref(q->slots[i].seg_rec);
		free(q->slots[i].ftext);
	}
	free(q->done);
	free(q->wcause);
	pthread_mutex_destroy(&q->mtx);
	pthread_cond_destroy(&q->cond);
	free(q);
}
