/* SPDX-License-Identifier: MIT */
/*
 * Prep: scan the staging folder in a fixed order, pack it into pax
 * segments compressed with zstd, seal them in chunks on a writer thread,
 * commit each segment to the journal, span drives, write the manifests.
 */
#include "config.h"

#include <sys/stat.h>
#include <sys/types.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>
#include <blkid.h>
#include <jansson.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include "error.h"
#include "format.h"
#include "gate.h"
#include "hasher.h"
#include "jobrec.h"
#include "journal.h"
#include "keys.h"
#include "manifest.h"
#include "names.h"
#include "prep.h"
#include "prepared.h"
#include "readahead.h"
#include "state.h"
#include "util.h"
#include "walk.h"

#define NSLOTS		4
#define READ_BUF	(1024 * 1024)
#define MIN_PART	(1024 * 1024)
#define MF_BASE		4096
#define MF_PER_CHUNK	192


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

struct chunk_done {
	uint64_t	 index;
	uint32_t	 segment;
	uint32_t	 length;
	uint8_t		 sha[32];
};

struct hl {
	dev_t		 dev;
	ino_t		 ino;
	size_t		 ent;
	int		 used;
};

/* A growing text buffer, in memory or (spill) in an unlinked file. */
struct tbuf {
	char		*s;
	size_t		 len, cap;
	int		 spill;
	FILE		*f;
};

/* The drive being written. */
struct drive {
	int		 open;
	struct ds_gate	 g;
	uint32_t	 index;
	uint8_t		 key[DS_FMT_KEY_LEN];
	uint64_t	 trailer_off;
	uint64_t	 next_slot;
	uint64_t	 mf_est;
	/* The manifest's lists so far, as JSON text without brackets:
	 * compact, so memory stays small whatever the number of files. */
	struct tbuf	 mf_segs;
	struct tbuf	 mf_chunks;
	struct tbuf	 mf_files;
	uint64_t	 mf_nfiles;
	uint64_t	 mf_bytes;
	uint8_t		 header[DS_FMT_BLOCK];
};

struct prep {
	const struct ds_prep_opts *o;
	struct ds_prep_result	*res;
	char			*staging;
	char			*job;
	uint8_t			 set_id[DS_FMT_SET_LEN];
	char			 set_hex[33];
	uint32_t		 chunk_size;
	size_t			 payload;
	uint64_t		 seg_size;
	int			 level;
	int			 skip_unreadable;
	uint32_t		 session;
	uint64_t		 created;

	struct ds_walk		 walk;		/* staging, as copied */

	struct ds_journal	*journal;
	struct ds_prepared	*prepared;
	uint32_t		 next_index;	/* of the next new drive */
	uint32_t		 next_seg;
	size_t			 entry;		/* walk position */
	uint64_t		 entry_off;
	int			 used_drive[DS_MAX_DRIVES];

	struct drive		 d;
	struct drive		 pend;	/* resume: the open drive's lists */
	char			**replay_cause;
	size_t			 chk;	/* resume: entry being compared */

	/* The open segment. */
	struct archive		*a;
	uint32_t		 seg;
	uint64_t		 seg_first;
	uint64_t		 seg_in;
	uint64_t		 seg_out;
	uint64_t		 seg_mf;
	uint64_t		 seg_avail;
	uint32_t		 ordinal;
	struct tbuf		 seg_ftext;	/* its file records */
	uint64_t		 seg_nfiles;
	uint64_t		 seg_bytes;

	/* The file being split across segments. */
	EVP_MD_CTX		*split_md;
	size_t			 split_ent;

	struct ds_ra		*ra;
	struct hl		*hl;
	size_t			 hl_size, hl_count;
	uint8_t			*rbuf[2];	/* one read, one hashed */
	struct ds_hasher	*hasher;

	/* The sealer and writer threads and their queue: q_count slots
	 * from q_head are queued, the first q_sealed of them sealed. */
	pthread_t		 thread;
	int			 thread_started;
	pthread_t		 sealer;
	int			 sealer_started;
	pthread_mutex_t		 mtx;
	pthread_cond_t		 cond;
	struct slot		 slots[NSLOTS];
	size_t			 q_head, q_count, q_sealed;
	struct slot		*cur;
	int			 quit;
	int			 werr;
	char			*wcause;
	struct chunk_done	*done;
	size_t			 ndone, done_alloc;

	int			 already_done;
	json_t			*last_seg;	/* journal: last segment */
	int			 canceled;	/* progress() said stop */

	/* From the journal: the record to append, the drive left open. */
	json_t			*pending;
	json_t			*open_rec;
	json_t			*open_segs;

	/* Progress. */
	uint64_t		 bytes_done;
	uint64_t		 files_done;
	struct timespec		 last_progress;
	const char		*current;
};

static int	 prog(struct prep *, enum ds_phase, int);

static void
warn(struct prep *p, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
warn(struct prep *p, const char *fmt, ...)
{
	va_list	 ap;
	char	*msg;

	if (p->o->ops == NULL || p->o->ops->warn == NULL)
		return;
	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) != -1) {
		p->o->ops->warn(p->o->ops->arg, msg);
		free(msg);
	}
	va_end(ap);
}

static int
add_str(char ***v, size_t *n, const char *s)
{
	char **nv;

	if ((nv = reallocarray(*v, *n + 1, sizeof **v)) == NULL)
		return -1;
	*v = nv;
	if ((nv[*n] = strdup(s)) == NULL)
		return -1;
	(*n)++;
	return 0;
}

/*
 * Names REL as changed, while it was read or (AFTER_COPY) after it was
 * copied, once: a file cut into parts is checked at each part.
 */
static void
note_changed(struct prep *p, const char *rel, int after_copy)
{
	struct ds_prep_result *r = p->res;

	if (r->nchanged > 0 && strcmp(r->changed[r->nchanged - 1], rel) == 0)
		return;
	if (after_copy)
		warn(p, _("%s: changed after it was copied; the drives hold "
		    "the earlier version"), rel);
	else
		warn(p, _("%s: changed while it was read"), rel);
	add_str(&r->changed, &r->nchanged, rel);
}

static int
add_int(int **v, size_t *n, int i)
{
	int *nv;

	if ((nv = reallocarray(*v, *n + 1, sizeof **v)) == NULL)
		return -1;
	*v = nv;
	nv[(*n)++] = i;
	return 0;
}

void
ds_prep_result_free(struct ds_prep_result *r)
{
	size_t i;

	if (r == NULL)
		return;
	for (i = 0; i < r->nunreadable; i++)
		free(r->unreadable[i]);
	for (i = 0; i < r->nchanged; i++)
		free(r->changed[i]);
	free(r->unreadable);
	free(r->changed);
	free(r->formatted);
	free(r->closed);
	free(r);
}

/* The scan (src/walk.c): progress every 256 entries, warnings on. */
static int
scan_tick(void *arg, const struct ds_walk *w)
{
	(void)w;
	return prog(arg, DS_PHASE_SCAN, 0);
}

static void
scan_warn(void *arg, const char *message)
{
	warn(arg, "%s", message);
}

static int
scan_dir(struct prep *p, char **cause)
{
	return ds_walk_dir(p->staging, scan_tick, scan_warn, p, &p->walk,
	    cause);
}

/* Progress, throttled to one report per 100 ms unless FORCE. */
static int
prog(struct prep *p, enum ds_phase phase, int force)
{
	struct ds_progress	pr;
	struct timespec		now;

	if (p->o->ops == NULL || p->o->ops->progress == NULL)
		return 0;
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (!force && (now.tv_sec - p->last_progress.tv_sec) * 1000 +
	    (now.tv_nsec - p->last_progress.tv_nsec) / 1000000 < 100)
		return p->canceled;
	p->last_progress = now;
	memset(&pr, 0, sizeof pr);
	pr.phase = phase;
	pr.done = phase == DS_PHASE_SCAN ? p->walk.bytes : p->bytes_done;
	pr.total = p->walk.bytes;
	pr.files_done = phase == DS_PHASE_SCAN ? p->walk.nents : p->files_done;
	pr.files_total = phase == DS_PHASE_SCAN ? 0 : p->walk.nents;
	pr.current = p->current;
	pr.drive_index = p->d.open ? (int)p->d.index : -1;
	if (p->d.open) {
		pr.drive_used = DS_FMT_DATA_OFF + p->d.next_slot *
		    p->chunk_size;
		pr.drive_size = p->d.g.size;
	}
	if (p->o->ops->progress(p->o->ops->arg, &pr) != 0)
		p->canceled = 1;
	return p->canceled;
}

/* The hard-link map: (dev, ino) -> the entry stored first. */

static size_t
hl_hash(dev_t dev, ino_t ino, size_t size)
{
	uint64_t h = (uint64_t)ino * 0x9e3779b97f4a7c15ULL ^ (uint64_t)dev;

	return (size_t)(h ^ (h >> 29)) & (size - 1);
}

static struct hl *
hl_find(struct prep *p, dev_t dev, ino_t ino)
{
	size_t i;

	if (p->hl_size == 0)
		return NULL;
	for (i = hl_hash(dev, ino, p->hl_size); p->hl[i].used;
	    i = (i + 1) & (p->hl_size - 1))
		if (p->hl[i].dev == dev && p->hl[i].ino == ino)
			return &p->hl[i];
	return NULL;
}

static int
hl_add(struct prep *p, size_t ent)
{
	struct hl	*old = p->hl, *h;
	size_t		 oldsize = p->hl_size, i, j;

	if (2 * (p->hl_count + 1) > p->hl_size) {
		p->hl_size = p->hl_size ? 2 * p->hl_size : 256;
		if ((p->hl = calloc(p->hl_size, sizeof *p->hl)) == NULL)
			return DS_E_NOMEM;
		for (i = 0; i < oldsize; i++) {
			if (!old[i].used)
				continue;
			for (j = hl_hash(old[i].dev, old[i].ino, p->hl_size);
			    p->hl[j].used; j = (j + 1) & (p->hl_size - 1))
				;
			p->hl[j] = old[i];
		}
		free(old);
	}
	for (j = hl_hash(p->walk.ents[ent].dev, p->walk.ents[ent].ino,
	    p->hl_size);
	    p->hl[j].used; j = (j + 1) & (p->hl_size - 1))
		;
	h = &p->hl[j];
	h->dev = p->walk.ents[ent].dev;
	h->ino = p->walk.ents[ent].ino;
	h->ent = ent;
	h->used = 1;
	p->hl_count++;
	return DS_E_OK;
}

static int	drive_add_seg(struct drive *, json_t *, const char *, uint64_t,
		    uint64_t);

/* Keeps the writer's error and its detail for the main thread. */
static void
writer_fail(struct prep *p, int rc, const char *detail)
{
	pthread_mutex_lock(&p->mtx);
	free(p->wcause);
	p->wcause = detail != NULL ? strdup(detail) : NULL;
	if (!p->werr)
		p->werr = rc;
	pthread_mutex_unlock(&p->mtx);
}

/*
 * The commit of a segment, on the writer thread once all its chunks are
 * written: fdatasync, then its journal record. The main thread goes on
 * with the next segment meanwhile; records stay in order, and a record
 * is only written after the data it names is on the drive.
 */
static int
writer_commit(struct prep *p, struct slot *s)
{
	json_t	*chunks, *c;
	char	 hex[65], *text, *line, *cause = NULL;
	size_t	 i;
	int	 rc;

	if (fdatasync(p->d.g.fd) == -1) {
		if (asprintf(&text, "%s: %s", p->d.g.path, strerror(errno)) ==
		    -1)
			text = NULL;
		writer_fail(p, DS_E_IO, text);
		free(text);
		return DS_E_IO;
	}
	posix_fadvise(p->d.g.fd, (off_t)(DS_FMT_DATA_OFF +
	    (uint64_t)json_integer_value(json_object_get(s->seg_rec,
	    "firstChunk")) * p->chunk_size), 0, POSIX_FADV_DONTNEED);
	if ((chunks = json_array()) == NULL)
		return DS_E_NOMEM;
	for (i = 0; i < p->ndone; i++) {
		c = json_object();
		ds_hex(hex, p->done[i].sha, 32);
		json_object_set_new(c, "index",
		    json_integer((json_int_t)p->done[i].index));
		json_object_set_new(c, "segment",
		    json_integer(p->done[i].segment));
		json_object_set_new(c, "length",
		    json_integer(p->done[i].length));
		json_object_set_new(c, "sha256", json_string(hex));
		json_array_append_new(chunks, c);
	}
	p->ndone = 0;
	json_object_set_new(s->seg_rec, "chunks", chunks);
	/* The record's text with the file records spliced in. */
	text = json_dumps(s->seg_rec, JSON_COMPACT);
	if (text == NULL || asprintf(&line, "%.*s,\"files\":[%s]}",
	    (int)strlen(text) - 1, text, s->ftext) == -1) {
		free(text);
		writer_fail(p, DS_E_NOMEM, NULL);
		return DS_E_NOMEM;
	}
	free(text);
	rc = ds_journal_append_text(p->journal, line, &cause);
	free(line);
	if (rc == DS_E_OK)
		rc = drive_add_seg(&p->d, s->seg_rec, s->ftext, s->nfiles,
		    s->bytes);
	if (rc != DS_E_OK)
		writer_fail(p, rc, cause);
	free(cause);
	return rc;
}

/* Seals chunk S in place and hashes what goes on the drive. */
static void
seal_slot(struct prep *p, struct slot *s)
{
	size_t sealed;

	sealed = ds_chunk_sealed_len(s->len);
	s->padded = (sealed + DS_FMT_BLOCK - 1) / DS_FMT_BLOCK * DS_FMT_BLOCK;
	s->seal_rc = ds_chunk_seal(p->d.key, p->set_id, p->d.index, &s->rec,
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
	struct prep	*p = arg;
	struct slot	*s;
	int		 skip;

	for (;;) {
		pthread_mutex_lock(&p->mtx);
		while (p->q_sealed == p->q_count && !p->quit)
			pthread_cond_wait(&p->cond, &p->mtx);
		if (p->q_sealed == p->q_count && p->quit) {
			pthread_mutex_unlock(&p->mtx);
			return NULL;
		}
		s = &p->slots[(p->q_head + p->q_sealed) % NSLOTS];
		skip = s->commit || p->werr;
		pthread_mutex_unlock(&p->mtx);

		if (!skip)
			seal_slot(p, s);
		pthread_mutex_lock(&p->mtx);
		p->q_sealed++;
		pthread_cond_broadcast(&p->cond);
		pthread_mutex_unlock(&p->mtx);
	}
}

/* Writes sealed chunk S to its slot on the drive. */
static int
write_slot(struct prep *p, struct slot *s)
{
	uint64_t	off;
	ssize_t		n;
	char		*detail;

	if (s->seal_rc != DS_E_OK)
		return s->seal_rc;
	off = DS_FMT_DATA_OFF + s->rec.index * p->chunk_size;
	n = pwrite(p->d.g.fd, s->buf, s->padded, (off_t)off);
	if (n == (ssize_t)s->padded)
		return DS_E_OK;
	if (asprintf(&detail, "%s: %s", p->d.g.path, n == -1 ?
	    strerror(errno) : _("short write")) == -1)
		detail = NULL;
	writer_fail(p, DS_E_IO, detail);
	free(detail);
	return DS_E_IO;
}

/* Notes written chunk S for the segment's journal record. */
static int
chunk_done_add(struct prep *p, struct slot *s)
{
	struct chunk_done *nd;

	if (p->ndone == p->done_alloc) {
		p->done_alloc = p->done_alloc ? 2 * p->done_alloc : 64;
		nd = reallocarray(p->done, p->done_alloc, sizeof *nd);
		if (nd == NULL)
			return DS_E_NOMEM;
		p->done = nd;
	}
	nd = &p->done[p->ndone++];
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
	struct prep	*p = arg;
	struct slot	*s;
	int		 rc, werr;

	for (;;) {
		pthread_mutex_lock(&p->mtx);
		while (p->q_sealed == 0 && !(p->quit && p->q_count == 0))
			pthread_cond_wait(&p->cond, &p->mtx);
		if (p->q_count == 0 && p->quit) {
			pthread_mutex_unlock(&p->mtx);
			return NULL;
		}
		s = &p->slots[p->q_head];
		werr = p->werr;
		pthread_mutex_unlock(&p->mtx);

		rc = DS_E_OK;
		if (s->commit) {
			if (!werr)
				rc = writer_commit(p, s);
			json_decref(s->seg_rec);
			free(s->ftext);
			s->seg_rec = NULL;
			s->ftext = NULL;
			s->commit = 0;
		} else if (!werr && (rc = write_slot(p, s)) == DS_E_OK)
			rc = chunk_done_add(p, s);
		pthread_mutex_lock(&p->mtx);
		if (rc != DS_E_OK && !p->werr)
			p->werr = rc;
		p->q_head = (p->q_head + 1) % NSLOTS;
		p->q_count--;
		p->q_sealed--;
		pthread_cond_broadcast(&p->cond);
		pthread_mutex_unlock(&p->mtx);
	}
}

/* Hands the filling slot (a chunk or a commit) to the writer. */
static void
queue_push(struct prep *p)
{
	pthread_mutex_lock(&p->mtx);
	p->q_count++;
	pthread_cond_broadcast(&p->cond);
	pthread_mutex_unlock(&p->mtx);
	p->cur = NULL;
}

/* Hands the filling chunk to the writer with FLAGS. */
static int
chunk_submit(struct prep *p, uint32_t flags)
{
	struct slot *s = p->cur;

	if (s == NULL)
		return DS_E_OK;
	if (DS_FMT_DATA_OFF + (p->d.next_slot + 1) * p->chunk_size +
	    MF_BASE > p->d.trailer_off)
		return ds_cause(NULL, DS_E_DRIVEFULL, "overflow");
	s->rec.flags = flags;
	s->rec.session = p->session;
	s->rec.index = p->d.next_slot++;
	s->rec.segment = p->seg;
	s->rec.length = (uint32_t)s->len;
	s->rec.stream_off = p->seg_out;
	p->seg_out += s->len;
	queue_push(p);
	return DS_E_OK;
}

static int	chunk_take(struct prep *);

/* Queues the commit of the segment whose record (without chunks) is REC
 * (taken) after its chunks. */
static int
commit_submit(struct prep *p, json_t *rec)
{
	struct slot	*s;
	int		 rc;

	if ((rc = chunk_take(p)) != DS_E_OK) {
		json_decref(rec);
		return rc;
	}
	s = p->cur;
	s->commit = 1;
	s->seg_rec = rec;
	s->ftext = strdup(p->seg_ftext.s != NULL ? p->seg_ftext.s : "");
	s->nfiles = p->seg_nfiles;
	s->bytes = p->seg_bytes;
	if (s->ftext == NULL) {
		json_decref(rec);
		s->seg_rec = NULL;
		s->commit = 0;
		return DS_E_NOMEM;
	}
	queue_push(p);
	return DS_E_OK;
}

/* Waits for a free slot and makes it the filling one. */
static int
chunk_take(struct prep *p)
{
	int werr;

	pthread_mutex_lock(&p->mtx);
	while (p->q_count == NSLOTS && !p->werr)
		pthread_cond_wait(&p->cond, &p->mtx);
	werr = p->werr;
	/* The slot after the queued ones, read under the lock: the writer
	 * moves q_head and q_count together. */
	if (!werr)
		p->cur = &p->slots[(p->q_head + p->q_count) % NSLOTS];
	pthread_mutex_unlock(&p->mtx);
	if (werr)
		return werr;
	p->cur->len = 0;
	p->cur->commit = 0;
	return DS_E_OK;
}

/* Waits until every submitted chunk is written. */
static int
chunk_drain(struct prep *p)
{
	int werr;

	pthread_mutex_lock(&p->mtx);
	while (p->q_count > 0)
		pthread_cond_wait(&p->cond, &p->mtx);
	werr = p->werr;
	pthread_mutex_unlock(&p->mtx);
	return werr;
}

static ssize_t
archive_out(struct archive *a, void *arg, const void *buf, size_t len)
{
	struct prep	*p = arg;
	const uint8_t	*b = buf;
	size_t		 left = len, n;

	(void)a;
	while (left > 0) {
		if (p->cur == NULL && chunk_take(p) != DS_E_OK)
			return -1;
		n = p->payload - p->cur->len;
		if (n > left)
			n = left;
		memcpy(p->cur->buf + DS_FMT_REC_LEN + p->cur->len, b, n);
		p->cur->len += n;
		b += n;
		left -= n;
		if (p->cur->len == p->payload && chunk_submit(p, 0) != DS_E_OK)
			return -1;
	}
	return (ssize_t)len;
}

static int
arc_err(struct prep *p, struct archive *a, char **cause)
{
	int werr;

	pthread_mutex_lock(&p->mtx);
	werr = p->werr;
	if (werr && p->wcause != NULL) {
		ds_cause(cause, werr, "%s", p->wcause);
		pthread_mutex_unlock(&p->mtx);
		return werr;
	}
	pthread_mutex_unlock(&p->mtx);
	return ds_cause(cause, werr ? werr : DS_E_IO, "%s",
	    a != NULL && archive_error_string(a) != NULL ?
	    archive_error_string(a) : _("archive error"));
}

/* The journal and the record of prepared drives. */

static int
journal_add(struct prep *p, json_t *rec, char **cause)
{
	int rc;

	rc = ds_journal_append(p->journal, rec, cause);
	json_decref(rec);
	return rc;
}

static struct ds_prepared_drive *
prepared_drive(struct prep *p, uint32_t index)
{
	struct ds_prepared_drive	*nd;
	size_t				 i;

	for (i = 0; i < p->prepared->ndrives; i++)
		if (p->prepared->drives[i].index == (int)index)
			return &p->prepared->drives[i];
	nd = reallocarray(p->prepared->drives, p->prepared->ndrives + 1,
	    sizeof *nd);
	if (nd == NULL)
		return NULL;
	p->prepared->drives = nd;
	nd = &nd[p->prepared->ndrives++];
	memset(nd, 0, sizeof *nd);
	nd->index = (int)index;
	return nd;
}

/* Size estimates: the pax bytes of an entry's header and of the zstd
 * frame of IN pax bytes, both on the safe side. */

static uint64_t
est_header(struct archive_entry *e)
{
	const char	*name, *acl;
	const void	*val;
	size_t		 size;
	uint64_t	 est = 3072;

	est += 4 * strlen(archive_entry_pathname(e));
	if (archive_entry_symlink(e) != NULL)
		est += 4 * strlen(archive_entry_symlink(e));
	if (archive_entry_hardlink(e) != NULL)
		est += 4 * strlen(archive_entry_hardlink(e));
	archive_entry_xattr_reset(e);
	while (archive_entry_xattr_next(e, &name, &val, &size) == ARCHIVE_OK)
		est += 2 * strlen(name) + 2 * size + 64;
	acl = archive_entry_acl_to_text(e, NULL,
	    ARCHIVE_ENTRY_ACL_TYPE_ACCESS | ARCHIVE_ENTRY_ACL_TYPE_DEFAULT);
	if (acl != NULL) {
		est += 2 * strlen(acl) + 64;
		free((void *)acl);
	}
	est += 64 * (uint64_t)archive_entry_sparse_count(e);
	return (est + 511) / 512 * 512;
}

static uint64_t
comp_bound(uint64_t in)
{
	return in + in / 128 + 128 * 1024;
}

/* Whether COST_IN more pax bytes and COST_MF more manifest bytes fit. */
static int
fits(struct prep *p, uint64_t cost_in, uint64_t cost_mf)
{
	uint64_t in = p->seg_in + cost_in, slots, need;

	if (in > p->seg_size && p->ordinal > 0)
		return 0;
	if (in > p->seg_size + 1024 * 1024)
		return 0;
	slots = comp_bound(in) / p->payload + 2;
	need = slots * p->chunk_size + p->seg_mf + cost_mf +
	    slots * MF_PER_CHUNK;
	return need <= p->seg_avail;
}

/* The manifest bytes of an entry named REL: its JSON-escaped name (hex
 * when it is not UTF-8, which costs at most twice its length) and the
 * longest possible other fields. */
static uint64_t
mf_cost(const char *rel)
{
	const unsigned char	*s = (const unsigned char *)rel;
	uint64_t		 n = 0;

	for (; *s != '\0'; s++) {
		if (*s < 0x20)
			n += 6;
		else if (*s == '"' || *s == '\\')
			n += 2;
		else
			n += 2;	/* hex, when not UTF-8 */
	}
	return 260 + n;
}

static void
seg_abort(struct prep *p)
{
	if (p->a != NULL) {
		archive_write_fail(p->a);
		archive_write_free(p->a);
		p->a = NULL;
	}
	if (p->cur != NULL)
		p->cur = NULL;
	p->seg_ftext.len = 0;
}

/* Room in bytes on the open drive for segments and their manifest. */
static uint64_t
drive_avail(struct prep *p)
{
	uint64_t used = DS_FMT_DATA_OFF + p->d.next_slot * p->chunk_size +
	    p->d.mf_est + MF_BASE;

	return used >= p->d.trailer_off ? 0 : p->d.trailer_off - used;
}

/*
 * Chunk slots are written with O_DIRECT where the drive allows it: whole
 * aligned 4 KiB blocks, no copy into the page cache. Everything else
 * (header, manifest, trailer) is written without it.
 */
static void
set_direct(struct prep *p, int on)
{
	int flags;

	if (getenv("DISKSEED_NO_DIRECT") != NULL ||
	    (flags = fcntl(p->d.g.fd, F_GETFL)) == -1)
		return;
	fcntl(p->d.g.fd, F_SETFL, on ? flags | O_DIRECT : flags & ~O_DIRECT);
}

static int
seg_begin(struct prep *p, char **cause)
{
	char level[16];

	p->seg = p->next_seg;
	p->seg_first = p->d.next_slot;
	p->seg_in = 1024;	/* the end-of-archive blocks */
	p->seg_out = 0;
	p->seg_mf = 256;
	p->seg_avail = drive_avail(p);
	p->ordinal = 0;
	set_direct(p, 1);
	p->seg_ftext.len = 0;
	if (p->seg_ftext.s != NULL)
		p->seg_ftext.s[0] = '\0';
	p->seg_nfiles = p->seg_bytes = 0;
	if ((p->a = archive_write_new()) == NULL)
		return DS_E_NOMEM;
	snprintf(level, sizeof level, "%d", p->level);
	/* Names are bytes: stored raw, whatever the locale (hdrcharset). */
	if (archive_write_set_format_pax(p->a) != ARCHIVE_OK ||
	    archive_write_set_format_option(p->a, "pax", "hdrcharset",
	    "BINARY") != ARCHIVE_OK ||
	    archive_write_add_filter_zstd(p->a) != ARCHIVE_OK ||
	    archive_write_set_filter_option(p->a, "zstd", "compression-level",
	    level) != ARCHIVE_OK ||
	    archive_write_set_bytes_per_block(p->a, 65536) != ARCHIVE_OK ||
	    archive_write_set_bytes_in_last_block(p->a, 1) != ARCHIVE_OK)
		return arc_err(p, p->a, cause);
	/* Workers compress while this thread reads; not fatal if absent. */
	archive_write_set_filter_option(p->a, "zstd", "threads", "2");
	if (archive_write_open(p->a, p, NULL, archive_out, NULL) != ARCHIVE_OK)
		return arc_err(p, p->a, cause);
	return DS_E_OK;
}

/* Appends LEN bytes of S to T, after a comma when T is not empty. */
static int
tb_add(struct tbuf *t, const char *s, size_t len)
{
	char	*n;
	size_t	 need = t->len + len + 2;

	if (len == 0)
		return DS_E_OK;
	if (t->spill) {
		if (t->f == NULL && (t->f = tmpfile()) == NULL)
			return DS_E_IO;
		if ((t->len > 0 && fputc(',', t->f) == EOF) ||
		    fwrite(s, 1, len, t->f) != len)
			return DS_E_IO;
		t->len += len + (t->len > 0);
		return DS_E_OK;
	}
	if (need > t->cap) {
		t->cap = need > 2 * t->cap ? need : 2 * t->cap;
		if ((n = realloc(t->s, t->cap)) == NULL)
			return DS_E_NOMEM;
		t->s = n;
	}
	if (t->len > 0)
		t->s[t->len++] = ',';
	memcpy(t->s + t->len, s, len);
	t->len += len;
	t->s[t->len] = '\0';
	return DS_E_OK;
}

static void
tb_free(struct tbuf *t)
{
	int spill = t->spill;

	if (t->f != NULL)
		fclose(t->f);
	free(t->s);
	memset(t, 0, sizeof *t);
	t->spill = spill;
}

/* Streams the manifest to the drive at OFF, hashing it. */
struct mf_out {
	struct prep	*p;
	EVP_MD_CTX	*md;
	uint8_t		*buf;		/* READ_BUF bytes, aligned */
	size_t		 fill;
	uint64_t	 off;
	int		 err;
};

static void
mf_put(struct mf_out *m, const char *s, size_t len)
{
	size_t n;

	EVP_DigestUpdate(m->md, s, len);
	while (len > 0 && !m->err) {
		n = READ_BUF - m->fill < len ? READ_BUF - m->fill : len;
		memcpy(m->buf + m->fill, s, n);
		m->fill += n;
		s += n;
		len -= n;
		if (m->fill == READ_BUF) {
			if (pwrite(m->p->d.g.fd, m->buf, READ_BUF,
			    (off_t)m->off) != READ_BUF)
				m->err = errno ? errno : EIO;
			m->off += READ_BUF;
			m->fill = 0;
		}
	}
}

static void
mf_put_tb(struct mf_out *m, struct tbuf *t)
{
	char	buf[65536];
	size_t	n;

	if (!t->spill) {
		if (t->s != NULL)
			mf_put(m, t->s, t->len);
		return;
	}
	if (t->f == NULL)
		return;
	if (fflush(t->f) == EOF || fseek(t->f, 0, SEEK_SET) == -1) {
		m->err = EIO;
		return;
	}
	while ((n = fread(buf, 1, sizeof buf, t->f)) > 0)
		mf_put(m, buf, n);
	if (ferror(t->f))
		m->err = EIO;
	fseek(t->f, 0, SEEK_END);
}

/* Ends the stream: pads the last block with zeros and writes it. */
static void
mf_end(struct mf_out *m)
{
	size_t padded = (m->fill + DS_FMT_BLOCK - 1) / DS_FMT_BLOCK *
	    DS_FMT_BLOCK;

	if (m->err || m->fill == 0)
		return;
	memset(m->buf + m->fill, 0, padded - m->fill);
	if (pwrite(m->p->d.g.fd, m->buf, padded, (off_t)m->off) !=
	    (ssize_t)padded)
		m->err = errno ? errno : EIO;
}

/* Appends the JSON array A to T without its brackets. */
static int
tb_add_items(struct tbuf *t, json_t *a)
{
	char	*text;
	int	 rc;

	if (json_array_size(a) == 0)
		return DS_E_OK;
	if ((text = json_dumps(a, JSON_COMPACT)) == NULL)
		return DS_E_NOMEM;
	rc = tb_add(t, text + 1, strlen(text) - 2);
	free(text);
	return rc;
}

/*
 * Adds a committed segment record to the open drive's manifest text.
 * FTEXT, NFILES and BYTES: its files, or NULL to take them from REC.
 */
static int
drive_add_seg(struct drive *d, json_t *rec, const char *ftext,
    uint64_t nfiles, uint64_t bytes)
{
	json_t	*s, *v, *files = json_object_get(rec, "files");
	char	*text;
	size_t	 i;
	int	 rc;

	s = json_pack("{s:O, s:O, s:I, s:O}",
	    "segment", json_object_get(rec, "segment"),
	    "firstChunk", json_object_get(rec, "firstChunk"),
	    "chunks", (json_int_t)json_array_size(json_object_get(rec,
	    "chunks")),
	    "streamBytes", json_object_get(rec, "streamBytes"));
	if (s == NULL || (text = json_dumps(s, JSON_COMPACT)) == NULL) {
		json_decref(s);
		return DS_E_NOMEM;
	}
	json_decref(s);
	rc = tb_add(&d->mf_segs, text, strlen(text));
	free(text);
	if (rc != DS_E_OK ||
	    (rc = tb_add_items(&d->mf_chunks, json_object_get(rec,
	    "chunks"))) != DS_E_OK ||
	    (rc = ftext != NULL ? tb_add(&d->mf_files, ftext,
	    strlen(ftext)) : tb_add_items(&d->mf_files, files)) != DS_E_OK)
		return rc;
	d->mf_nfiles += nfiles;
	d->mf_bytes += bytes;
	json_array_foreach(ftext == NULL ? files : NULL, i, v) {
		if (json_object_get(v, "skipped") != NULL)
			continue;
		d->mf_nfiles++;
		d->mf_bytes += (uint64_t)json_integer_value(
		    json_object_get(v, json_object_get(v, "length") ?
		    "length" : "size"));
	}
	/* Rebuilding from the journal: the slots used so far. (While
	 * writing, the main thread owns next_slot.) */
	if (ftext == NULL)
		d->next_slot = (uint64_t)json_integer_value(json_object_get(rec,
		    "firstChunk")) + json_array_size(json_object_get(rec,
		    "chunks"));
	return DS_E_OK;
}

static void
drive_free_text(struct drive *d)
{
	tb_free(&d->mf_segs);
	tb_free(&d->mf_chunks);
	tb_free(&d->mf_files);
}

/* Closes the segment, waits for its chunks, syncs, journals it. */
static int
seg_commit(struct prep *p, char **cause)
{
	json_t		*rec;
	uint64_t	 nchunks;
	int		 rc;

	if (archive_write_close(p->a) != ARCHIVE_OK) {
		rc = arc_err(p, p->a, cause);
		seg_abort(p);
		return rc;
	}
	archive_write_free(p->a);
	p->a = NULL;
	if (p->cur == NULL && (rc = chunk_take(p)) != DS_E_OK)
		return ds_cause(cause, rc, "%s", p->d.g.path);
	if ((rc = chunk_submit(p, DS_FMT_CHUNK_LAST)) != DS_E_OK) {
		arc_err(p, NULL, cause);
		return rc;
	}
	nchunks = p->d.next_slot - p->seg_first;
	rec = json_pack("{s:s, s:i, s:i, s:I, s:I, s:I, s:[I,I]}",
	    "t", "segment", "drive", (int)p->d.index, "segment", (int)p->seg,
	    "firstChunk", (json_int_t)p->seg_first,
	    "streamBytes", (json_int_t)p->seg_out,
	    "mfEst", (json_int_t)(p->seg_mf + nchunks * MF_PER_CHUNK),
	    "pos", (json_int_t)p->entry, (json_int_t)p->entry_off);
	if (rec == NULL)
		return DS_E_NOMEM;
	/* The entry the position follows, checked when resuming. */
	if ((p->entry_off > 0 || p->entry > 0) && ds_mf_set_path(rec,
	    "posPath", p->walk.ents[p->entry_off > 0 ? p->entry :
	    p->entry - 1].rel) == -1) {
		json_decref(rec);
		return DS_E_NOMEM;
	}
	if ((rc = commit_submit(p, rec)) != DS_E_OK) {
		arc_err(p, NULL, cause);
		return rc;
	}
	p->d.mf_est += p->seg_mf + nchunks * MF_PER_CHUNK;
	p->next_seg++;
	return DS_E_OK;
}

/* Writes the manifest and trailer of the open drive and closes it. */
static int
drive_close(struct prep *p, int last, char **cause)
{
	struct ds_prepared_drive	*pd;
	struct ds_hdr			 h;
	json_t				*mf, *rec;
	uint8_t				 trailer[DS_FMT_BLOCK];
	uint8_t				 hash[32];
	static const char		 seg_key[] = ",\"segments\":[";
	static const char		 chunk_key[] = "],\"chunks\":[";
	static const char		 file_key[] = "],\"files\":[";
	static const char		 tail[] = "]}";
	struct mf_out			 m;
	char				*head, hex[65];
	char				*hh = NULL;
	uint64_t			 moff, mlen;
	size_t				 padded;
	unsigned int			 mdlen = 32;
	int				 rc;

	/* Every segment committed (the writer journals them). */
	if ((rc = chunk_drain(p)) != DS_E_OK)
		return arc_err(p, NULL, cause);
	set_direct(p, 0);
	prog(p, DS_PHASE_MANIFEST, 1);
	mf = json_pack("{s:s, s:i, s:s, s:i, s:s, s:i, s:i, s:b, "
	    "s:{s:I, s:I, s:I}}",
	    "format", "diskseed-manifest", "version", 1,
	    "setId", p->set_hex, "drive", (int)p->d.index, "job", p->job,
	    "chunkSize", (int)p->chunk_size, "dataOffset", DS_FMT_DATA_OFF,
	    "last", last, "totals", "files", (json_int_t)p->d.mf_nfiles,
	    "bytes", (json_int_t)p->d.mf_bytes,
	    "chunks", (json_int_t)p->d.next_slot);
	if (mf == NULL || (head = json_dumps(mf, JSON_COMPACT)) == NULL) {
		json_decref(mf);
		return DS_E_NOMEM;
	}
	json_decref(mf);
	/* The head without its '}', then the three lists. */
	head[strlen(head) - 1] = '\0';
	mlen = strlen(head) + strlen(seg_key) + p->d.mf_segs.len +
	    strlen(chunk_key) + p->d.mf_chunks.len + strlen(file_key) +
	    p->d.mf_files.len + strlen(tail);
	moff = DS_FMT_DATA_OFF + p->d.next_slot * p->chunk_size;
	padded = (mlen + DS_FMT_BLOCK - 1) / DS_FMT_BLOCK * DS_FMT_BLOCK;
	if (moff + padded > p->d.trailer_off) {
		free(head);
		return ds_cause(cause, DS_E_DRIVEFULL,
		    _("%s: no room left for the manifest"), p->d.g.path);
	}
	memset(&m, 0, sizeof m);
	m.p = p;
	m.off = moff;
	if ((m.md = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestInit_ex(m.md, EVP_sha256(), NULL) != 1 ||
	    posix_memalign((void **)&m.buf, DS_FMT_BLOCK, READ_BUF) != 0) {
		EVP_MD_CTX_free(m.md);
		free(head);
		return DS_E_NOMEM;
	}
	mf_put(&m, head, strlen(head));
	free(head);
	mf_put(&m, seg_key, strlen(seg_key));
	mf_put_tb(&m, &p->d.mf_segs);
	mf_put(&m, chunk_key, strlen(chunk_key));
	mf_put_tb(&m, &p->d.mf_chunks);
	mf_put(&m, file_key, strlen(file_key));
	mf_put_tb(&m, &p->d.mf_files);
	mf_put(&m, tail, strlen(tail));
	mf_end(&m);
	EVP_DigestFinal_ex(m.md, hash, &mdlen);
	EVP_MD_CTX_free(m.md);
	free(m.buf);
	if (m.err || m.off + m.fill != moff + mlen) {
		errno = m.err ? m.err : EIO;
		return ds_cause(cause, DS_E_IO, "%s: %s", p->d.g.path,
		    strerror(errno));
	}
	ds_hdr_decode(p->d.header, &h, NULL);
	h.kind = DS_HDR_TRAILER;
	h.manifest_off = moff;
	h.manifest_len = mlen;
	memcpy(h.manifest_hash, hash, 32);
	h.chunks = p->d.next_slot;
	h.last = (uint32_t)last;
	ds_hdr_encode(&h, trailer);
	if (pwrite(p->d.g.fd, trailer, DS_FMT_BLOCK, (off_t)p->d.trailer_off) !=
	    DS_FMT_BLOCK || fdatasync(p->d.g.fd) == -1)
		return ds_cause(cause, DS_E_IO, "%s: %s", p->d.g.path,
		    strerror(errno));
	ds_hex(hex, hash, 32);
	hh = ds_fmt_header_hash(p->d.header, trailer, p->d.trailer_off);
	rec = json_pack("{s:s, s:i, s:s, s:s, s:I, s:b}", "t", "close",
	    "index", (int)p->d.index, "manifestHash", hex, "headerHash",
	    hh != NULL ? hh : "", "bytesUsed", (json_int_t)(moff + padded),
	    "last", last);
	if ((rc = journal_add(p, rec, cause)) != DS_E_OK)
		goto out;
	if ((pd = prepared_drive(p, p->d.index)) == NULL) {
		rc = DS_E_NOMEM;
		goto out;
	}
	free(pd->manifest_hash);
	free(pd->header_hash);
	pd->manifest_hash = strdup(hex);
	pd->header_hash = hh;
	hh = NULL;
	pd->bytes_used = moff + padded;
	pd->complete = 1;
	p->prepared->finished = last;
	if ((rc = ds_prepared_save(p->prepared, cause)) != DS_E_OK)
		goto out;
	add_int(&p->res->closed, &p->res->nclosed, (int)p->d.index);
	OPENSSL_cleanse(p->d.key, sizeof p->d.key);
	ds_gate_close(&p->d.g);
	drive_free_text(&p->d);
	p->d.open = 0;
out:
	free(hh);
	return rc;
}

/* Wipes signatures at both ends, zeroes the first and last MiB, writes
 * the header. */
static int
drive_format(struct prep *p, char **cause)
{
	blkid_probe	 pr;
	struct ds_hdr	 h;
	uint8_t		*zero;
	uint64_t	 size = p->d.g.size, end;
	int		 rc = DS_E_OK;

	prog(p, DS_PHASE_FORMAT, 1);
	if ((pr = blkid_new_probe()) != NULL) {
		if (blkid_probe_set_device(pr, p->d.g.fd, 0, 0) == 0) {
			blkid_probe_enable_superblocks(pr, 1);
			blkid_probe_set_superblocks_flags(pr,
			    BLKID_SUBLKS_MAGIC);
			blkid_probe_enable_partitions(pr, 1);
			blkid_probe_set_partitions_flags(pr,
			    BLKID_PARTS_MAGIC);
			while (blkid_do_probe(pr) == 0)
				blkid_do_wipe(pr, 0);
		}
		blkid_free_probe(pr);
	}
	if ((zero = calloc(1, DS_FMT_DATA_OFF)) == NULL)
		return DS_E_NOMEM;
	end = size / DS_FMT_BLOCK * DS_FMT_BLOCK - DS_FMT_DATA_OFF;
	memset(&h, 0, sizeof h);
	h.kind = DS_HDR_HEADER;
	h.version = DS_FMT_VERSION;
	memcpy(h.set_id, p->set_id, DS_FMT_SET_LEN);
	h.index = p->d.index;
	h.cipher = DS_FMT_CIPHER_GCM;
	h.chunk_size = p->chunk_size;
	h.data_off = DS_FMT_DATA_OFF;
	h.drive_size = size;
	h.created = (uint64_t)time(NULL);
	ds_fmt_key_check(p->d.key, p->set_id, p->d.index, h.key_check);
	snprintf(h.job, sizeof h.job, "%s", p->job);
	ds_hdr_encode(&h, p->d.header);
	memcpy(zero, p->d.header, DS_FMT_BLOCK);
	if (pwrite(p->d.g.fd, zero + DS_FMT_BLOCK, DS_FMT_DATA_OFF -
	    DS_FMT_BLOCK, DS_FMT_BLOCK) != DS_FMT_DATA_OFF - DS_FMT_BLOCK ||
	    pwrite(p->d.g.fd, zero + DS_FMT_BLOCK, DS_FMT_DATA_OFF -
	    DS_FMT_BLOCK, (off_t)end) != DS_FMT_DATA_OFF - DS_FMT_BLOCK ||
	    fdatasync(p->d.g.fd) == -1 ||
	    pwrite(p->d.g.fd, p->d.header, DS_FMT_BLOCK, 0) != DS_FMT_BLOCK ||
	    fdatasync(p->d.g.fd) == -1)
		rc = ds_cause(cause, DS_E_IO, "%s: %s", p->d.g.path,
		    strerror(errno));
	free(zero);
	return rc;
}

static int
drive_check_size(struct prep *p, char **cause)
{
	if (p->d.g.size < 3 * (uint64_t)DS_FMT_DATA_OFF + 4 *
	    (uint64_t)p->chunk_size)
		return ds_cause(cause, DS_E_DRIVEFULL,
		    _("%s: at least %llu bytes are needed"), p->d.g.path,
		    (unsigned long long)(3 * (uint64_t)DS_FMT_DATA_OFF + 4 *
		    (uint64_t)p->chunk_size));
	p->d.trailer_off = ds_fmt_trailer_off(p->d.g.size);
	return DS_E_OK;
}

/* Opens the given drive PATH as a new drive of the set and formats it. */
static int
drive_new(struct prep *p, const char *path, char **cause)
{
	struct ds_prepared_drive	*pd;
	json_t				*rec;
	char				 rkey[DS_FMT_RKEY_LEN + 1], mfname[96];
	int				 rc;

	memset(&p->d, 0, sizeof p->d);
	p->d.mf_chunks.spill = p->d.mf_files.spill = 1;
	if ((rc = ds_gate_open_format(path, p->o->confirm, NULL, p->job,
	    p->set_hex, p->o->overwrite_job, &p->d.g, cause)) !=
	    DS_E_OK)
		return rc;
	p->d.open = 1;
	p->d.index = p->next_index;
	if ((rc = drive_check_size(p, cause)) != DS_E_OK)
		return rc;
	if (RAND_bytes(p->d.key, sizeof p->d.key) != 1)
		return ds_cause(cause, DS_E_IO, _("no random numbers"));
	if ((rc = ds_keys_save(p->set_hex, p->d.index, p->d.key, cause)) !=
	    DS_E_OK)
		return rc;
	if ((pd = prepared_drive(p, p->d.index)) == NULL)
		return DS_E_NOMEM;
	ds_rkey_format(p->d.key, rkey);
	snprintf(mfname, sizeof mfname, "diskseed-%s-%u.manifest.json",
	    p->set_hex, p->d.index);
	free(pd->path);
	free(pd->drive_id);
	free(pd->manifest_file);
	pd->path = strdup(path);
	pd->drive_id = strdup(p->d.g.drive_id);
	if (pd->recovery_key != NULL)
		ds_freezero(pd->recovery_key, strlen(pd->recovery_key));
	pd->recovery_key = strdup(rkey);
	OPENSSL_cleanse(rkey, sizeof rkey);
	pd->manifest_file = strdup(mfname);
	pd->size = p->d.g.size;
	pd->bytes_used = DS_FMT_DATA_OFF;
	if ((rc = ds_prepared_save(p->prepared, cause)) != DS_E_OK)
		return rc;
	rec = json_pack("{s:s, s:i, s:s, s:s, s:I}", "t", "drive",
	    "index", (int)p->d.index, "path", path, "driveId",
	    p->d.g.drive_id, "size", (json_int_t)p->d.g.size);
	if ((rc = journal_add(p, rec, cause)) != DS_E_OK)
		return rc;
	p->next_index++;
	if ((rc = drive_format(p, cause)) != DS_E_OK)
		return rc;
	add_int(&p->res->formatted, &p->res->nformatted, (int)p->d.index);
	return DS_E_OK;
}

/* Re-reads the first OFF bytes of the file being split into split_md. */
static int
split_rehash(struct prep *p, const char *full, uint64_t off, char **cause)
{
	ssize_t	n;
	int	fd;

	if ((p->split_md = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestInit_ex(p->split_md, EVP_sha256(), NULL) != 1)
		return DS_E_NOMEM;
	if ((fd = open(full, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) == -1)
		return ds_cause(cause, DS_E_IO, "%s: %s", full,
		    strerror(errno));
	while (off > 0) {
		n = read(fd, p->rbuf[0], off < READ_BUF ? (size_t)off :
		    READ_BUF);
		if (n <= 0) {
			close(fd);
			return ds_cause(cause, DS_E_IO, _("%s: changed since "
			    "the interrupted run"), full);
		}
		EVP_DigestUpdate(p->split_md, p->rbuf[0], (size_t)n);
		off -= (uint64_t)n;
	}
	close(fd);
	return DS_E_OK;
}

enum add_result {
	ADD_DONE,	/* entry (or its last part) stored */
	ADD_PART,	/* a part stored: commit the segment */
	ADD_FULL,	/* nothing stored: the segment is full */
};

static int
seg_file(struct prep *p, struct ds_mf_file *f)
{
	json_t	*j = ds_mf_file_json(f);
	char	*text;
	int	 rc;

	if (j == NULL || (text = json_dumps(j, JSON_COMPACT)) == NULL) {
		json_decref(j);
		return DS_E_NOMEM;
	}
	json_decref(j);
	rc = tb_add(&p->seg_ftext, text, strlen(text));
	free(text);
	if (!f->skipped) {
		p->seg_nfiles++;
		p->seg_bytes += f->type == DS_MF_FILE ? f->length : 0;
	}
	p->seg_mf += mf_cost(f->path);
	return rc;
}

/*
 * Copies LEN bytes of FD from OFF into the archive, hashing them into MD
 * on the hasher thread: two buffers take turns, one read and archived
 * while the other is hashed. Only files bigger than DS_RA_WHOLE_MAX come
 * here, so the hand-off is once a MiB, not once a file.
 */
static int
copy_data(struct prep *p, int fd, uint64_t off, uint64_t len, EVP_MD_CTX *md,
    int *changed, char **cause)
{
	uint8_t	*b;
	ssize_t	 n;
	size_t	 want;
	int	 cur = 0, rc = DS_E_OK;

	while (len > 0) {
		b = p->rbuf[cur];
		want = len < READ_BUF ? (size_t)len : READ_BUF;
		n = pread(fd, b, want, (off_t)off);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0) {
			/* Shrunk or unreadable now: pad, say it changed. */
			memset(b, 0, want);
			n = (ssize_t)want;
			*changed = 1;
		}
		ds_hasher_put(p->hasher, md, b, (size_t)n);
		if (archive_write_data(p->a, b, (size_t)n) != n) {
			rc = arc_err(p, p->a, cause);
			break;
		}
		cur ^= 1;
		len -= (uint64_t)n;
		off += (uint64_t)n;
		p->bytes_done += (uint64_t)n;
		if (prog(p, DS_PHASE_COPY, 0) != 0) {
			rc = DS_E_CANCELED;
			break;
		}
	}
	/* The digest and the buffers are the caller's again. */
	ds_hasher_wait(p->hasher);
	return rc;
}

/* Archives bytes OFF..OFF+LEN of a file the read-ahead read whole. */
static int
write_whole(struct prep *p, struct ds_ra_item *it, uint64_t off,
    uint64_t len, char **cause)
{
	if (len > 0 && archive_write_data(p->a, it->data + off, (size_t)len) !=
	    (la_ssize_t)len)
		return arc_err(p, p->a, cause);
	p->bytes_done += len;
	if (prog(p, DS_PHASE_COPY, 0) != 0)
		return DS_E_CANCELED;
	return DS_E_OK;
}

static int
add_skipped(struct prep *p, struct ds_walk_ent *e)
{
	struct ds_mf_file f;

	memset(&f, 0, sizeof f);
	f.path = e->rel;
	f.type = S_ISDIR(e->mode) ? DS_MF_DIR : DS_MF_FILE;
	f.size = e->size;
	f.skipped = 1;
	f.segment = DS_MF_NOSEG;
	return seg_file(p, &f);
}

/* Adds the entry at the walk position (or its next part) to the open
 * segment; *res says what happened. */
static int
add_entry(struct prep *p, enum add_result *res, char **cause)
{
	struct ds_walk_ent		*e = &p->walk.ents[p->entry];
	struct ds_ra_item	*it;
	struct archive_entry	*ae, *own = NULL;
	struct ds_mf_file	 f;
	struct hl		*h;
	struct stat		 before, after;
	EVP_MD_CTX		*md = NULL;
	char			*full = NULL;
	uint64_t		 hdr, size = 0, off = p->entry_off, part = 0;
	uint64_t		 lo, hi, mid;
	int			 fd, rc = DS_E_OK, changed = 0, split;

	*res = ADD_DONE;
	p->current = e->rel;
	if (e->unreadable) {
		warn(p, _("%s: cannot be read; skipped"), e->rel);
		if ((rc = add_skipped(p, e)) == DS_E_OK)
			p->entry++;
		return rc;
	}
	/* Opened, and read if small, by the read-ahead thread. */
	if ((it = ds_ra_get(p->ra, p->entry)) == NULL)
		return DS_E_NOMEM;
	memset(&f, 0, sizeof f);
	f.path = e->rel;
	if (it->open_errno != 0) {
		if (p->skip_unreadable) {
			warn(p, _("%s: %s; skipped"), e->rel,
			    strerror(it->open_errno));
			if ((rc = add_skipped(p, e)) == DS_E_OK)
				p->entry++;
			return rc;
		}
		return ds_cause(cause, DS_E_UNREADABLE, "%s: %s", e->rel,
		    strerror(it->open_errno));
	}
	if (it->stat_errno != 0 || it->not_reg)
		return ds_cause(cause, DS_E_IO, "%s: %s", e->rel,
		    it->not_reg ? _("no longer a regular file") :
		    strerror(it->stat_errno));
	if (it->meta_rc < ARCHIVE_WARN) {
		warn(p, "%s: %s", e->rel, it->meta_err);
		if ((rc = add_skipped(p, e)) == DS_E_OK)
			p->entry++;
		return rc;
	}
	fd = it->fd;
	before = it->before;
	ae = it->ae;
	switch (archive_entry_filetype(ae)) {
	case AE_IFREG:
		f.type = DS_MF_FILE;
		break;
	case AE_IFDIR:
		f.type = DS_MF_DIR;
		break;
	case AE_IFLNK:
		f.type = DS_MF_SYMLINK;
		break;
	default:
		f.type = DS_MF_OTHER;
		break;
	}
	if (f.type == DS_MF_FILE && before.st_nlink > 1) {
		h = hl_find(p, before.st_dev, before.st_ino);
		if (h != NULL && h->ent != p->entry) {
			archive_entry_copy_hardlink(ae,
			    p->walk.ents[h->ent].rel);
			archive_entry_set_size(ae, 0);
			archive_entry_sparse_clear(ae);
			f.type = DS_MF_HARDLINK;
			fd = -1;
		} else if (h == NULL && (rc = hl_add(p, p->entry)) != DS_E_OK)
			goto out;
	}
	if (f.type == DS_MF_FILE) {
		size = (uint64_t)before.st_size;
		f.has_times = 1;
		f.mtime_ns = (int64_t)before.st_mtim.tv_sec * 1000000000 +
		    before.st_mtim.tv_nsec;
		f.ctime_ns = (int64_t)before.st_ctim.tv_sec * 1000000000 +
		    before.st_ctim.tv_nsec;
	}
	hdr = est_header(ae);
	part = size - off;
	if (!fits(p, hdr + (part + 511) / 512 * 512, mf_cost(e->rel))) {
		/* The largest 512-byte multiple that still fits. */
		lo = 0;
		hi = part / 512;
		while (lo < hi) {
			mid = (lo + hi + 1) / 2;
			if (fits(p, hdr + mid * 512, mf_cost(e->rel)))
				lo = mid;
			else
				hi = mid - 1;
		}
		if (!fits(p, hdr, mf_cost(e->rel)) || f.type != DS_MF_FILE ||
		    (lo * 512 < MIN_PART && p->ordinal > 0) || lo == 0) {
			*res = ADD_FULL;
			goto out;
		}
		part = lo * 512;
	}
	split = off != 0 || part != size;
	f.segment = p->seg;
	f.ordinal = p->ordinal;
	f.size = size;
	f.offset = off;
	f.length = part;
	f.last = off + part == size;
	if (split) {
		/* A copy: the read-ahead's entry is used again for the
		 * next part. */
		if ((ae = own = archive_entry_clone(ae)) == NULL) {
			rc = DS_E_NOMEM;
			goto out;
		}
		archive_entry_sparse_clear(ae);
		archive_entry_set_size(ae, (la_int64_t)part);
	}
	/* A file the read-ahead read whole is hashed already. */
	if (split && !it->whole) {
		if (asprintf(&full, "%s/%s", p->staging, e->rel) == -1) {
			rc = DS_E_NOMEM;
			goto out;
		}
		if (off > 0 && (p->split_md == NULL || p->split_ent !=
		    p->entry)) {
			EVP_MD_CTX_free(p->split_md);
			p->split_md = NULL;
			if ((rc = split_rehash(p, full, off, cause)) != DS_E_OK)
				goto out;
		}
		if (off == 0) {
			EVP_MD_CTX_free(p->split_md);
			if ((p->split_md = EVP_MD_CTX_new()) == NULL ||
			    EVP_DigestInit_ex(p->split_md, EVP_sha256(),
			    NULL) != 1) {
				rc = DS_E_NOMEM;
				goto out;
			}
		}
		p->split_ent = p->entry;
		md = p->split_md;
	} else if (f.type == DS_MF_FILE && !it->whole) {
		if ((md = EVP_MD_CTX_new()) == NULL ||
		    EVP_DigestInit_ex(md, EVP_sha256(), NULL) != 1) {
			EVP_MD_CTX_free(md);
			md = NULL;
			rc = DS_E_NOMEM;
			goto out;
		}
	}
	if (archive_write_header(p->a, ae) < ARCHIVE_WARN) {
		rc = arc_err(p, p->a, cause);
		goto out;
	}
	if (f.type == DS_MF_FILE && it->whole) {
		if ((rc = write_whole(p, it, off, part, cause)) != DS_E_OK)
			goto out;
		changed = it->changed;
		if (f.last) {
			memcpy(f.sha, it->sha, sizeof f.sha);
			f.has_sha = 1;
		}
	} else if (f.type == DS_MF_FILE) {
		rc = copy_data(p, fd, off, part, md, &changed, cause);
		if (rc != DS_E_OK)
			goto out;
		if (fstat(fd, &after) == 0 && ds_stat_changed(&before, &after))
			changed = 1;
		if (f.last) {
			unsigned int mdlen = 32;

			EVP_DigestFinal_ex(md, f.sha, &mdlen);
			f.has_sha = 1;
		}
	}
	if (changed) {
		f.changed = 1;
		note_changed(p, e->rel, 0);
	}
	if (archive_write_finish_entry(p->a) < ARCHIVE_WARN) {
		rc = arc_err(p, p->a, cause);
		goto out;
	}
	if ((rc = seg_file(p, &f)) != DS_E_OK)
		goto out;
	p->seg_in += hdr + (part + 511) / 512 * 512;
	p->ordinal++;
	if (f.last || !split) {
		p->entry++;
		p->entry_off = 0;
		p->files_done++;
		if (split) {
			EVP_MD_CTX_free(p->split_md);
			p->split_md = NULL;
			md = NULL;
		}
	} else {
		p->entry_off = off + part;
		*res = ADD_PART;
	}
out:
	if (md != NULL && md != p->split_md)
		EVP_MD_CTX_free(md);
	archive_entry_free(own);
	free(full);
	return rc;
}

/* Opens the next usable drive given, or says another one is needed. */
static int
next_drive(struct prep *p, char **cause)
{
	size_t i;

	for (i = 0; i < p->o->ndrives; i++) {
		if (p->used_drive[i])
			continue;
		p->used_drive[i] = 1;
		return drive_new(p, p->o->drives[i], cause);
	}
	return ds_cause(cause, DS_E_NEED_DRIVE,
	    _("all drives are full: attach another drive and run "
	    "'diskseed prep --resume --job %s --drive NEW --confirm ID'"),
	    p->job);
}

/* Reopens the drive left open by an interrupted run (record REC). */
static int
drive_reopen(struct prep *p, json_t *drec, json_t *segs, char **cause)
{
	const char	*path;
	struct ds_hdr	 h;
	char		 idx[16];
	size_t		 i;
	int		 rc;

	path = json_string_value(json_object_get(drec, "path"));
	for (i = 0; i < p->o->ndrives; i++)
		if (strcmp(p->o->drives[i], path) == 0)
			break;
	if (i == p->o->ndrives)
		return ds_cause(cause, DS_E_NEED_DRIVE,
		    _("drive %d (%s) is not finished: give it again with "
		    "--drive %s --confirm ID"),
		    (int)json_integer_value(json_object_get(drec, "index")),
		    path, path);
	p->used_drive[i] = 1;
	memset(&p->d, 0, sizeof p->d);
	p->d.mf_chunks.spill = p->d.mf_files.spill = 1;
	if ((rc = ds_gate_open(path, p->o->confirm, &p->d.g, cause)) != DS_E_OK)
		return rc;
	p->d.open = 1;
	p->d.index = (uint32_t)json_integer_value(json_object_get(drec,
	    "index"));
	if ((rc = drive_check_size(p, cause)) != DS_E_OK)
		return rc;
	if ((rc = ds_keys_load(p->set_hex, p->d.index, p->d.key, cause)) !=
	    DS_E_OK)
		return rc;
	/* Its manifest lists so far, rebuilt from the journal. */
	p->d.mf_segs = p->pend.mf_segs;
	p->d.mf_chunks = p->pend.mf_chunks;
	p->d.mf_files = p->pend.mf_files;
	p->d.mf_nfiles = p->pend.mf_nfiles;
	p->d.mf_bytes = p->pend.mf_bytes;
	p->d.next_slot = p->pend.next_slot;
	p->d.mf_est = p->pend.mf_est;
	memset(&p->pend, 0, sizeof p->pend);
	if (pread(p->d.g.fd, p->d.header, DS_FMT_BLOCK, 0) != DS_FMT_BLOCK ||
	    ds_hdr_decode(p->d.header, &h, NULL) != DS_E_OK ||
	    memcmp(h.set_id, p->set_id, DS_FMT_SET_LEN) != 0 ||
	    h.index != p->d.index || h.chunk_size != p->chunk_size) {
		if (json_array_size(segs) > 0) {
			snprintf(idx, sizeof idx, "%u", p->d.index);
			return ds_cause(cause, DS_E_CHANGED,
			    _("%s no longer holds drive %s of this job"),
			    path, idx);
		}
		/* Killed before the header was written: format again. */
		return drive_format(p, cause);
	}
	return DS_E_OK;
}

/* Starts a new job or loads the interrupted one from the journal. */
static int
job_setup(struct prep *p, json_t *records, char **cause)
{
	json_t		*r, *open_drive = NULL, *segs = NULL, *pos, *rec;
	const char	*t;
	size_t		 i;
	int		 have_start = 0;

	json_array_foreach(records, i, r) {
		t = json_string_value(json_object_get(r, "t"));
		if (t == NULL)
			continue;
		if (strcmp(t, "start") == 0)
			have_start = 1;
		if (strcmp(t, "done") == 0 && !p->o->resume)
			return ds_cause(cause, DS_E_EXISTS,
			    _("job %s is already prepared"), p->job);
		if (strcmp(t, "done") == 0)
			p->already_done = 1;
	}
	if (have_start && !p->o->resume)
		return ds_cause(cause, DS_E_EXISTS, _("job %s was started "
		    "before: continue it with --resume"), p->job);
	if (!have_start && p->o->resume && p->o->staging == NULL)
		return ds_cause(cause, DS_E_NOTFOUND,
		    _("job %s has nothing to resume"), p->job);
	if (!have_start) {
		char real[PATH_MAX];

		if (p->o->staging == NULL || realpath(p->o->staging, real) ==
		    NULL)
			return ds_cause(cause, DS_E_NOTFOUND, "%s: %s",
			    p->o->staging ? p->o->staging : "--staging",
			    strerror(errno));
		p->staging = strdup(real);
		p->chunk_size = p->o->chunk_size ? p->o->chunk_size :
		    DS_PREP_CHUNK_SIZE;
		p->seg_size = p->o->segment_size ? p->o->segment_size :
		    DS_PREP_SEGMENT_SIZE;
		p->level = p->o->level ? p->o->level : DS_PREP_LEVEL;
		p->skip_unreadable = p->o->skip_unreadable;
		if (p->chunk_size % DS_FMT_BLOCK != 0 || p->chunk_size <
		    64 * 1024 || p->chunk_size > DS_FMT_CHUNK_MAX)
			return ds_cause(cause, DS_E_INVAL, _("the chunk size "
			    "must be a multiple of 4 KiB between 64 KiB and "
			    "64 MiB"));
		if (RAND_bytes(p->set_id, sizeof p->set_id) != 1)
			return DS_E_IO;
		ds_hex(p->set_hex, p->set_id, DS_FMT_SET_LEN);
		p->created = (uint64_t)time(NULL);
		rec = json_pack("{s:s, s:s, s:s, s:s, s:i, s:I, s:i, s:b}",
		    "t", "start", "job", p->job, "staging", p->staging,
		    "setId", p->set_hex, "chunkSize", (int)p->chunk_size,
		    "segmentSize", (json_int_t)p->seg_size, "level", p->level,
		    "skipUnreadable", p->skip_unreadable);
		p->session = 1;
		p->pending = rec;
		return rec != NULL ? DS_E_OK : DS_E_NOMEM;
	}
	json_array_foreach(records, i, r) {
		t = json_string_value(json_object_get(r, "t"));
		if (strcmp(t, "start") == 0) {
			p->staging = strdup(json_string_value(json_object_get(r,
			    "staging")));
			snprintf(p->set_hex, sizeof p->set_hex, "%s",
			    json_string_value(json_object_get(r, "setId")));
			ds_unhex(p->set_id, DS_FMT_SET_LEN, p->set_hex);
			p->chunk_size = (uint32_t)json_integer_value(
			    json_object_get(r, "chunkSize"));
			p->seg_size = (uint64_t)json_integer_value(
			    json_object_get(r, "segmentSize"));
			p->level = (int)json_integer_value(json_object_get(r,
			    "level"));
			p->skip_unreadable = json_is_true(json_object_get(r,
			    "skipUnreadable")) || p->o->skip_unreadable;
			p->session = 1;
		} else if (strcmp(t, "session") == 0) {
			p->session = (uint32_t)json_integer_value(
			    json_object_get(r, "session"));
		} else if (strcmp(t, "drive") == 0) {
			open_drive = r;
			json_decref(segs);
			segs = json_array();
			p->next_index = (uint32_t)json_integer_value(
			    json_object_get(r, "index")) + 1;
			for (size_t k = 0; k < p->o->ndrives; k++)
				if (strcmp(p->o->drives[k], json_string_value(
				    json_object_get(r, "path"))) == 0)
					p->used_drive[k] = 1;
		} else if (strcmp(t, "segment") == 0) {
			json_array_append(segs, r);
			p->next_seg = (uint32_t)json_integer_value(
			    json_object_get(r, "segment")) + 1;
			pos = json_object_get(r, "pos");
			p->entry = (size_t)json_integer_value(
			    json_array_get(pos, 0));
			p->entry_off = (uint64_t)json_integer_value(
			    json_array_get(pos, 1));
			json_decref(p->last_seg);
			p->last_seg = json_incref(r);
		} else if (strcmp(t, "close") == 0)
			open_drive = NULL;
	}
	if (p->staging == NULL || p->chunk_size == 0) {
		json_decref(segs);
		return ds_cause(cause, DS_E_PARSE, _("the journal is damaged"));
	}
	p->session++;
	p->pending = json_pack("{s:s, s:i}", "t", "session", "session",
	    (int)p->session);
	p->open_rec = json_incref(open_drive);
	p->open_segs = segs;
	return DS_E_OK;
}

/*
 * Resume, second pass over the journal (after the scan): compares the
 * files already on the drives with staging now, and rebuilds the manifest
 * lists of the drive left open. A file that changed is named (the drives
 * keep the version copied); a split file whose copied part changed cannot
 * be finished: refused.
 */
static int
replay_record(void *arg, json_t *r)
{
	struct prep	*p = arg;
	const char	*t = json_string_value(json_object_get(r, "t"));
	json_t		*f;
	size_t		 j;
	char		*path;
	struct ds_walk_ent	*e;
	int		 differs;

	if (t == NULL)
		return DS_E_OK;
	if (strcmp(t, "drive") == 0 || strcmp(t, "close") == 0) {
		drive_free_text(&p->pend);
		memset(&p->pend, 0, sizeof p->pend);
		p->pend.mf_chunks.spill = p->pend.mf_files.spill = 1;
		return DS_E_OK;
	}
	if (strcmp(t, "segment") != 0)
		return DS_E_OK;
	json_array_foreach(json_object_get(r, "files"), j, f) {
		if (json_object_get(f, "skipped") != NULL ||
		    json_object_get(f, "mtimeNs") == NULL ||
		    (path = ds_mf_path(f, "path")) == NULL)
			continue;
		while (p->chk < p->walk.nents &&
		    strcmp(p->walk.ents[p->chk].rel, path))
			p->chk++;
		free(path);
		if (p->chk == p->walk.nents)
			break;	/* the position check says more */
		e = &p->walk.ents[p->chk];
		differs = e->size != (uint64_t)json_integer_value(
		    json_object_get(f, "size")) || e->mtime_ns !=
		    json_integer_value(json_object_get(f, "mtimeNs")) ||
		    e->ctime_ns != json_integer_value(json_object_get(f,
		    "ctimeNs"));
		if (!differs)
			continue;
		if (p->chk == p->entry && p->entry_off > 0)
			return ds_cause(p->replay_cause, DS_E_STAGING_CHANGED,
			    _("%s: changed while it was being copied (part of "
			    "it is on the drives already); the job cannot be "
			    "resumed"), e->rel);
		/* Marked in the open drive's manifest; a closed drive's
		 * manifest is written already. */
		json_object_set_new(f, "changed", json_true());
		if (p->chk < p->entry)
			note_changed(p, e->rel, 1);
	}
	p->pend.mf_est += (uint64_t)json_integer_value(json_object_get(r,
	    "mfEst"));
	return drive_add_seg(&p->pend, r, NULL, 0, 0);
}

/* Keeps the small part of each journal record for job_setup(). */
static int
keep_small(void *arg, json_t *r)
{
	const char	*t = json_string_value(json_object_get(r, "t"));
	json_t		*s;

	if (t == NULL || strcmp(t, "segment") != 0)
		return json_array_append(arg, r) == 0 ? DS_E_OK : DS_E_NOMEM;
	s = json_pack("{s:s, s:O, s:O, s:O}", "t", "segment",
	    "drive", json_object_get(r, "drive"),
	    "segment", json_object_get(r, "segment"),
	    "pos", json_object_get(r, "pos"));
	if (s == NULL)
		return DS_E_NOMEM;
	if (json_object_get(r, "posPath") != NULL)
		json_object_set(s, "posPath", json_object_get(r, "posPath"));
	if (json_object_get(r, "posPathHex") != NULL)
		json_object_set(s, "posPathHex", json_object_get(r,
		    "posPathHex"));
	return json_array_append_new(arg, s) == 0 ? DS_E_OK : DS_E_NOMEM;
}

/*
 * Refuses, before anything is written, a new drive that holds another
 * job's drive or one of this set (the gate checks again when it opens).
 */
static int
check_overwrite(struct prep *p, char **cause)
{
	size_t	i;
	int	rc;

	for (i = 0; i < p->o->ndrives; i++) {
		if (p->used_drive[i])
			continue;	/* this set's own, from the journal */
		if ((rc = ds_gate_check_overwrite(p->o->drives[i], p->job,
		    p->set_hex, p->o->overwrite_job, cause)) != DS_E_OK)
			return rc;
	}
	return DS_E_OK;
}

/* Records the folder in the job record, for ds_jobrec_by_staging. */
static int
note_staging(struct prep *p, char **cause)
{
	struct ds_jobrec	*r;
	int			 rc;

	if ((rc = ds_jobrec_load(p->job, &r, cause)) != DS_E_OK)
		return rc;
	if (r->staging == NULL)
		rc = ds_jobrec_set(r, DS_JOBREC_STAGING, p->staging, cause);
	ds_jobrec_free(r);
	return rc;
}

/* Refuses a resume from another folder than the job's own. */
static int
same_staging(struct prep *p, const char *staging, char **cause)
{
	char real[PATH_MAX];

	if (realpath(staging, real) == NULL)
		return ds_cause(cause, DS_E_NOTFOUND, "%s: %s", staging,
		    strerror(errno));
	if (strcmp(real, p->staging) == 0)
		return DS_E_OK;
	return ds_cause(cause, DS_E_JOBEXISTS, _("job %s is the copy of %s, "
	    "not of %s: choose another job name for this folder"), p->job,
	    p->staging, real);
}

static int
check_confirmed(const struct ds_prep_opts *o, char **cause)
{
	size_t	 i, j;
	char	*id;
	int	 ok;

	for (i = 0; i < o->ndrives; i++) {
		for (j = 0; j < i; j++)
			if (strcmp(o->drives[i], o->drives[j]) == 0)
				return ds_cause(cause, DS_E_INVAL,
				    _("%s is given twice"), o->drives[i]);
		if ((id = ds_gate_confirm_id(o->drives[i], cause)) == NULL) {
			struct stat st;

			/* It exists but the gate refuses it. */
			return stat(o->drives[i], &st) == -1 ? DS_E_NOTFOUND :
			    DS_E_INELIGIBLE;
		}
		ok = ds_gate_confirm_matches(o->confirm, id);
		if (!ok) {
			ds_cause(cause, DS_E_NOTCONFIRMED,
			    _("%s: confirm it with --confirm %s"),
			    o->drives[i], id);
			free(id);
			return DS_E_NOTCONFIRMED;
		}
		free(id);
	}
	return DS_E_OK;
}

static int
same_json(json_t *a, json_t *b)
{
	return (a == NULL && b == NULL) || json_equal(a, b);
}

/* Checks that the walk of staging still reaches the journal's position
 * at the same entry: staging must not change between runs. */
static int
check_position(struct prep *p, char **cause)
{
	json_t	*now;
	size_t	 k;
	int	 same;

	if (p->last_seg == NULL || (p->entry == 0 && p->entry_off == 0))
		return DS_E_OK;
	k = p->entry_off > 0 ? p->entry : p->entry - 1;
	if (k >= p->walk.nents)
		goto changed;
	if ((now = json_object()) == NULL ||
	    ds_mf_set_path(now, "posPath", p->walk.ents[k].rel) == -1) {
		json_decref(now);
		return DS_E_NOMEM;
	}
	same = same_json(json_object_get(now, "posPath"),
	    json_object_get(p->last_seg, "posPath")) &&
	    same_json(json_object_get(now, "posPathHex"),
	    json_object_get(p->last_seg, "posPathHex"));
	json_decref(now);
	if (same)
		return DS_E_OK;
changed:
	return ds_cause(cause, DS_E_STAGING_CHANGED, _("%s: entries were "
	    "added or removed before the point reached; the job cannot be "
	    "resumed"), p->staging);
}

/* What the read-ahead thread needs of entry I of the walk. */
static void
ra_src(void *arg, size_t i, struct ds_ra_src *out)
{
	struct prep	*p = arg;
	struct ds_walk_ent	*e = &p->walk.ents[i];

	out->rel = e->rel;
	out->mode = e->mode;
	out->skip = e->unreadable;
}

static int
prep_run(struct prep *p, char **cause)
{
	enum add_result	 res;
	json_t		*rec;
	size_t		 i;
	int		 rc;

	if ((rc = check_position(p, cause)) != DS_E_OK)
		return rc;
	/* Resume: the hard links and progress of what is committed. */
	for (i = 0; i < p->walk.nents && (i < p->entry || (i == p->entry &&
	    p->entry_off > 0)); i++) {
		const struct ds_walk_ent *e = &p->walk.ents[i];

		if (S_ISREG(e->mode) && e->nlink > 1 &&
		    hl_find(p, e->dev, e->ino) == NULL &&
		    (rc = hl_add(p, i)) != DS_E_OK)
			return rc;
		if (i < p->entry) {
			p->bytes_done += e->size;
			p->files_done++;
		}
	}
	p->bytes_done += p->entry_off;
	if (ds_ra_start(&p->ra, p->staging, p->entry, p->walk.nents, ra_src,
	    p) == -1)
		return DS_E_NOMEM;
	if (p->open_rec != NULL &&
	    (rc = drive_reopen(p, p->open_rec, p->open_segs, cause)) != DS_E_OK)
		return rc;
	if (p->entry >= p->walk.nents && !p->d.open && p->next_index > 0)
		goto done;

	while (p->entry < p->walk.nents || !p->d.open || p->a != NULL) {
		if (!p->d.open && (rc = next_drive(p, cause)) != DS_E_OK)
			return rc;
		if (p->a == NULL) {
			if (p->entry >= p->walk.nents && p->next_seg > 0)
				break;
			if (drive_avail(p) < 4 * (uint64_t)p->chunk_size +
			    MIN_PART) {
				if ((rc = drive_close(p, 0, cause)) != DS_E_OK)
					return rc;
				continue;
			}
			if ((rc = seg_begin(p, cause)) != DS_E_OK)
				return rc;
		}
		if (p->entry >= p->walk.nents) {
			if ((rc = seg_commit(p, cause)) != DS_E_OK)
				return rc;
			break;
		}
		if ((rc = add_entry(p, &res, cause)) != DS_E_OK)
			return rc;
		if (res == ADD_FULL && p->ordinal == 0) {
			/* Not even one entry fits: the drive is full. */
			if ((rc = seg_commit(p, cause)) != DS_E_OK ||
			    (rc = drive_close(p, 0, cause)) != DS_E_OK)
				return rc;
			continue;
		}
		if (res != ADD_DONE || p->seg_in >= p->seg_size) {
			if ((rc = seg_commit(p, cause)) != DS_E_OK)
				return rc;
		}
		if (prog(p, DS_PHASE_COPY, 0) != 0)
			return ds_cause(cause, DS_E_CANCELED, _("run the same "
			    "command with --resume to continue"));
	}
	if ((rc = drive_close(p, 1, cause)) != DS_E_OK)
		return rc;
done:
	rec = json_pack("{s:s}", "t", "done");
	if ((rc = journal_add(p, rec, cause)) != DS_E_OK)
		return rc;
	p->prepared->finished = 1;
	p->res->finished = 1;
	if ((rc = ds_prepared_save(p->prepared, cause)) != DS_E_OK)
		return rc;
	return ds_jobrec_move(p->job, DS_JOBREC_PREPARED, NULL, cause);
}

int
ds_prep(const struct ds_prep_opts *o, struct ds_prep_result **result,
    char **cause)
{
	struct prep	*p;
	json_t		*records = NULL;
	struct stat	 st;
	char		*jpath = NULL, *name = NULL;
	size_t		 i;
	int		 rc;

	*result = NULL;
	/* It holds the open drive's key: kept out of core dumps. */
	if ((p = ds_secret_alloc(sizeof *p)) == NULL ||
	    (p->res = calloc(1, sizeof *p->res)) == NULL) {
		ds_secret_free(p, sizeof *p);
		return DS_E_NOMEM;
	}
	*result = p->res;
	p->o = o;
	pthread_mutex_init(&p->mtx, NULL);
	pthread_cond_init(&p->cond, NULL);
	/* Nothing is read or written before the names and counts pass. */
	if ((rc = ds_name_check_job(o->job != NULL ? o->job : "", cause)) !=
	    DS_E_OK)
		goto out;
	if (o->ndrives > DS_MAX_DRIVES) {
		rc = ds_cause(cause, DS_E_INVAL, ngettext("at most %d drive "
		    "in one drive set; %zu were given", "at most %d drives "
		    "in one drive set; %zu were given", DS_MAX_DRIVES),
		    DS_MAX_DRIVES, o->ndrives);
		goto out;
	}
	p->job = strdup(o->job);
	if ((rc = ds_jobrec_claim(o->job, o->staging, o->resume, cause)) !=
	    DS_E_OK || (rc = check_confirmed(o, cause)) != DS_E_OK)
		goto out;
	if (asprintf(&name, "jobs/%s/journal", o->job) == -1 ||
	    (jpath = ds_state_path(name, cause)) == NULL) {
		rc = DS_E_STATEDIR;
		goto out;
	}
	if ((records = json_array()) == NULL)
		rc = DS_E_NOMEM;
	else
		rc = ds_journal_foreach(jpath, keep_small, records, NULL,
		    cause);
	if (rc != DS_E_OK || records == NULL ||
	    (rc = job_setup(p, records, cause)) != DS_E_OK)
		goto out;
	if (o->resume && o->staging != NULL &&
	    (rc = same_staging(p, o->staging, cause)) != DS_E_OK)
		goto out;
	if (p->already_done) {
		/* Resuming a finished job: nothing to do. */
		p->res->finished = 1;
		goto out;
	}
	if ((rc = check_overwrite(p, cause)) != DS_E_OK)
		goto out;

	/* Scan: nothing is written before staging is known readable. */
	if (stat(p->staging, &st) == -1 || !S_ISDIR(st.st_mode)) {
		rc = ds_cause(cause, DS_E_NOTFOUND, _("%s is not a folder"),
		    p->staging);
		goto out;
	}
	prog(p, DS_PHASE_SCAN, 1);
	if ((rc = scan_dir(p, cause)) != DS_E_OK)
		goto out;
	p->res->files = p->walk.nents;
	p->res->bytes = p->walk.bytes;
	for (i = 0; i < p->walk.nents; i++)
		if (p->walk.ents[i].unreadable)
			add_str(&p->res->unreadable, &p->res->nunreadable,
			    p->walk.ents[i].rel);
	if (p->res->nunreadable > 0 && !p->skip_unreadable) {
		rc = ds_cause(cause, DS_E_UNREADABLE, _("%zu unreadable; "
		    "fix them or give --skip-unreadable"),
		    p->res->nunreadable);
		goto out;
	}
	if (p->walk.nents == 0) {
		rc = ds_cause(cause, DS_E_EMPTY_STAGING, _("%s holds nothing "
		    "that can be copied; no drive was touched"), p->staging);
		goto out;
	}
	if ((rc = ds_jobrec_move(p->job, DS_JOBREC_PREPARING, p->set_hex,
	    cause)) != DS_E_OK || (rc = note_staging(p, cause)) != DS_E_OK)
		goto out;

	json_decref(records);
	records = NULL;
	p->pend.mf_chunks.spill = p->pend.mf_files.spill = 1;
	p->replay_cause = cause;
	if (o->resume && (rc = ds_journal_foreach(jpath, replay_record, p,
	    NULL, cause)) != DS_E_OK)
		goto out;
	if ((rc = ds_journal_open(jpath, &p->journal, NULL, cause)) !=
	    DS_E_OK)
		goto out;
	rc = journal_add(p, p->pending, cause);
	p->pending = NULL;
	if (rc != DS_E_OK)
		goto out;
	if (o->resume && ds_prepared_load(p->job, &p->prepared, NULL) !=
	    DS_E_OK)
		p->prepared = NULL;
	if (p->prepared == NULL) {
		if ((p->prepared = calloc(1, sizeof *p->prepared)) == NULL) {
			rc = DS_E_NOMEM;
			goto out;
		}
		p->prepared->job = strdup(p->job);
		p->prepared->set_id = strdup(p->set_hex);
		p->prepared->staging = strdup(p->staging);
	}
	p->prepared->bytes_total = p->walk.bytes;

	p->payload = ds_chunk_payload(p->chunk_size);
	if ((p->rbuf[0] = malloc(READ_BUF)) == NULL ||
	    (p->rbuf[1] = malloc(READ_BUF)) == NULL ||
	    ds_hasher_start(&p->hasher) == -1) {
		rc = DS_E_NOMEM;
		goto out;
	}
	for (i = 0; i < NSLOTS; i++)
		if (posix_memalign((void **)&p->slots[i].buf, DS_FMT_BLOCK,
		    p->chunk_size) != 0) {
			rc = DS_E_NOMEM;
			goto out;
		}
	if (pthread_create(&p->thread, NULL, writer_main, p) != 0) {
		rc = DS_E_NOMEM;
		goto out;
	}
	p->thread_started = 1;
	if (pthread_create(&p->sealer, NULL, sealer_main, p) != 0) {
		rc = DS_E_NOMEM;
		goto out;
	}
	p->sealer_started = 1;
	rc = prep_run(p, cause);
	if (rc == DS_E_OK)
		prog(p, DS_PHASE_COPY, 1);
out:
	if (p->a != NULL)
		seg_abort(p);
	if (p->thread_started) {
		pthread_mutex_lock(&p->mtx);
		p->quit = 1;
		/* Without a sealer, nothing queued was sealed: drop it. */
		if (!p->sealer_started)
			p->q_count = 0;
		pthread_cond_broadcast(&p->cond);
		pthread_mutex_unlock(&p->mtx);
		if (p->sealer_started)
			pthread_join(p->sealer, NULL);
		pthread_join(p->thread, NULL);
	}
	if (p->d.open) {
		/* Left open: its journal records let --resume go on. */
		OPENSSL_cleanse(p->d.key, sizeof p->d.key);
		ds_gate_close(&p->d.g);
		drive_free_text(&p->d);
	}
	for (i = 0; i < NSLOTS; i++)
		if (p->slots[i].buf != NULL)
			ds_freezero(p->slots[i].buf, p->chunk_size);
	ds_ra_stop(p->ra);
	ds_walk_clear(&p->walk);
	free(p->hl);
	ds_hasher_stop(p->hasher);
	free(p->rbuf[0]);
	free(p->rbuf[1]);
	free(p->done);
	free(p->wcause);
	EVP_MD_CTX_free(p->split_md);
	tb_free(&p->seg_ftext);
	drive_free_text(&p->pend);
	json_decref(p->pending);
	json_decref(p->open_rec);
	json_decref(p->open_segs);
	json_decref(p->last_seg);
	json_decref(records);
	ds_journal_close(p->journal);
	ds_prepared_free(p->prepared);
	pthread_mutex_destroy(&p->mtx);
	pthread_cond_destroy(&p->cond);
	free(p->staging);
	free(p->job);
	free(jpath);
	free(name);
	ds_secret_free(p, sizeof *p);
	return rc;
}

int
ds_staging_scan(const char *staging, const struct ds_ui_ops *ops,
    struct ds_scan **out, char **cause)
{
	struct ds_prep_opts	 o;
	struct prep		 p;
	struct ds_scan		*s;
	struct stat		 st;
	char			 real[PATH_MAX];
	size_t			 i;
	int			 rc;

	*out = NULL;
	if (realpath(staging, real) == NULL || stat(real, &st) == -1 ||
	    !S_ISDIR(st.st_mode))
		return ds_cause(cause, DS_E_NOTFOUND, _("%s is not a folder"),
		    staging);
	memset(&o, 0, sizeof o);
	o.ops = ops;
	memset(&p, 0, sizeof p);
	p.o = &o;
	p.staging = real;
	prog(&p, DS_PHASE_SCAN, 1);
	rc = scan_dir(&p, cause);
	if (rc == DS_E_OK && prog(&p, DS_PHASE_SCAN, 1) != 0)
		rc = DS_E_CANCELED;
	if (rc == DS_E_OK && (s = calloc(1, sizeof *s)) == NULL)
		rc = DS_E_NOMEM;
	if (rc == DS_E_OK) {
		s->files = p.walk.nents;
		s->bytes = p.walk.bytes;
		for (i = 0; i < p.walk.nents; i++)
			if (p.walk.ents[i].unreadable &&
			    add_str(&s->unreadable, &s->nunreadable,
			    p.walk.ents[i].rel) == -1)
				rc = DS_E_NOMEM;
		if (rc == DS_E_OK)
			*out = s;
		else
			ds_scan_free(s);
	}
	ds_walk_clear(&p.walk);
	return rc;
}

void
ds_scan_free(struct ds_scan *s)
{
	size_t i;

	if (s == NULL)
		return;
	for (i = 0; i < s->nunreadable; i++)
		free(s->unreadable[i]);
	free(s->unreadable);
	free(s);
}
