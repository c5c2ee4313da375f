/* SPDX-License-Identifier: MIT */
/*
 * Prep: the orchestration. Walk the staging folder in a fixed order
 * (prep-walk.c), pack it into pax segments compressed with zstd, hand
 * their bytes to the chunk queue (prep-queue.c: sealer and writer
 * threads, segment commits to the journal), span drives (prep-drive.c),
 * resume an interrupted run (prep-resume.c). doc/pipeline.md draws it.
 */
#include "config.h"

#include <sys/stat.h>
#include <sys/types.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>
#include <jansson.h>
#include <openssl/evp.h>

#include "error.h"
#include "format.h"
#include "hasher.h"
#include "jobrec.h"
#include "journal.h"
#include "manifest.h"
#include "prep-drive.h"
#include "prep-job.h"
#include "prep-queue.h"
#include "prep-resume.h"
#include "prep-seg.h"
#include "prep-walk.h"
#include "prep.h"
#include "prepared.h"
#include "readahead.h"
#include "util.h"
#include "walk.h"

#define MIN_PART	(1024 * 1024)

/* The file being split across segments: its digest so far. */
struct prep_split {
	EVP_MD_CTX		*md;
	size_t			 ent;
};

struct prep {
	struct prep_job		 job;
	struct prep_resume	 rs;
	struct ds_walk		 walk;		/* staging, as copied */
	struct prep_drive	 d;
	struct prep_queue	*q;
	struct prep_seg		 seg;
	struct prep_split	 split;

	struct ds_ra		*ra;
	struct prep_links	 links;
	uint8_t			*rbuf[2];	/* one read, one hashed */
	struct ds_hasher	*hasher;

	/* Progress. */
	struct prep_prog	 pg;
	uint64_t		 bytes_done;
	uint64_t		 files_done;
	const char		*current;
};

/* Progress of the run (prep_job.prog), throttled unless FORCE. */
static int
prog(void *arg, enum ds_phase phase, int force)
{
	struct prep		*p = arg;
	struct ds_progress	 pr;

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
		    p->job.chunk_size;
		pr.drive_size = p->d.g.size;
	}
	return prep_prog_report(&p->pg, &pr, force);
}

/* Closes the open segment; the journal's position follows the entry
 * being stored or the one before. */
static int
seg_commit(struct prep *p, char **cause)
{
	const struct prep_job	*j = &p->job;
	const char		*at = NULL;

	if (j->entry_off > 0)
		at = p->walk.ents[j->entry].rel;
	else if (j->entry > 0)
		at = p->walk.ents[j->entry - 1].rel;
	return prep_seg_commit(&p->seg, at, cause);
}

/* Once every queued chunk is written: the drive's manifest, trailer. */
static int
close_drive(struct prep *p, int last, char **cause)
{
	/* Every segment committed (the writer journals them). */
	if (prep_queue_drain(p->q) != DS_E_OK)
		return prep_seg_error(&p->seg, NULL, cause);
	return prep_drive_close(&p->d, &p->job, last, cause);
}

/* Opens the next usable drive given, or says another one is needed. */
static int
next_drive(struct prep *p, char **cause)
{
	const struct ds_prep_opts	*o = p->job.o;
	size_t				 i;

	for (i = 0; i < o->ndrives; i++) {
		if (p->job.used_drive[i])
			continue;
		p->job.used_drive[i] = 1;
		return prep_drive_new(&p->d, &p->job, o->drives[i], cause);
	}
	return ds_cause(cause, DS_E_NEED_DRIVE,
	    _("all drives are full: attach another drive and run "
	    "'diskseed prep --resume --job %s --drive NEW --confirm ID'"),
	    p->job.job);
}

/* Re-reads the first OFF bytes of the file being split into its digest. */
static int
split_rehash(struct prep *p, const char *full, uint64_t off, char **cause)
{
	ssize_t	n;
	int	fd;

	if ((p->split.md = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestInit_ex(p->split.md, EVP_sha256(), NULL) != 1)
		return DS_E_NOMEM;
	if ((fd = open(full, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) == -1)
		return ds_cause(cause, DS_E_IO, "%s: %s", full,
		    strerror(errno));
	while (off > 0) {
		n = read(fd, p->rbuf[0], off < PREP_READ_BUF ? (size_t)off :
		    PREP_READ_BUF);
		if (n <= 0) {
			close(fd);
			return ds_cause(cause, DS_E_IO, _("%s: changed since "
			    "the interrupted run"), full);
		}
		EVP_DigestUpdate(p->split.md, p->rbuf[0], (size_t)n);
		off -= (uint64_t)n;
	}
	close(fd);
	return DS_E_OK;
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
		want = len < PREP_READ_BUF ? (size_t)len : PREP_READ_BUF;
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
		if (archive_write_data(p->seg.a, b, (size_t)n) != n) {
			rc = prep_seg_error(&p->seg, p->seg.a, cause);
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
	if (len > 0 && archive_write_data(p->seg.a, it->data + off,
	    (size_t)len) != (la_ssize_t)len)
		return prep_seg_error(&p->seg, p->seg.a, cause);
	p->bytes_done += len;
	if (prog(p, DS_PHASE_COPY, 0) != 0)
		return DS_E_CANCELED;
	return DS_E_OK;
}

/* Lists entry E as skipped in the segment and goes past it. */
static int
skip_entry(struct prep *p, struct ds_walk_ent *e)
{
	struct ds_mf_file	f;
	int			rc;

	memset(&f, 0, sizeof f);
	f.path = e->rel;
	f.type = S_ISDIR(e->mode) ? DS_MF_DIR : DS_MF_FILE;
	f.size = e->size;
	f.skipped = 1;
	f.segment = DS_MF_NOSEG;
	if ((rc = prep_seg_file(&p->seg, &f)) == DS_E_OK)
		p->job.entry++;
	return rc;
}

/* What the read-ahead found of entry E: *SKIPPED when it is left out
 * (and listed), an error when prep must stop. */
static int
add_check(struct prep *p, struct ds_walk_ent *e, struct ds_ra_item *it,
    int *skipped, char **cause)
{
	*skipped = 1;
	if (it->open_errno != 0) {
		if (!p->job.skip_unreadable)
			return ds_cause(cause, DS_E_UNREADABLE, "%s: %s",
			    e->rel, strerror(it->open_errno));
		prep_warn(&p->job, _("%s: %s; skipped"), e->rel,
		    strerror(it->open_errno));
		return skip_entry(p, e);
	}
	if (it->stat_errno != 0 || it->not_reg)
		return ds_cause(cause, DS_E_IO, "%s: %s", e->rel,
		    it->not_reg ? _("no longer a regular file") :
		    strerror(it->stat_errno));
	if (it->meta_rc < ARCHIVE_WARN) {
		prep_warn(&p->job, "%s: %s", e->rel, it->meta_err);
		return skip_entry(p, e);
	}
	*skipped = 0;
	return DS_E_OK;
}

static enum ds_mf_type
mf_type(struct archive_entry *ae)
{
	switch (archive_entry_filetype(ae)) {
	case AE_IFREG:
		return DS_MF_FILE;
	case AE_IFDIR:
		return DS_MF_DIR;
	case AE_IFLNK:
		return DS_MF_SYMLINK;
	default:
		return DS_MF_OTHER;
	}
}

/*
 * Hard links: the first name of a file with more than one is stored and
 * remembered; each other name becomes a link to it (AE turned into a
 * hard-link entry, *TYPE DS_MF_HARDLINK).
 */
static int
add_hardlink(struct prep *p, struct archive_entry *ae, const struct stat *st,
    enum ds_mf_type *type)
{
	size_t first;

	if (*type != DS_MF_FILE || st->st_nlink <= 1)
		return DS_E_OK;
	if (!prep_links_find(&p->links, st->st_dev, st->st_ino, &first))
		return prep_links_add(&p->links, st->st_dev, st->st_ino,
		    p->job.entry);
	if (first != p->job.entry) {
		archive_entry_copy_hardlink(ae, p->walk.ents[first].rel);
		archive_entry_set_size(ae, 0);
		archive_entry_sparse_clear(ae);
		*type = DS_MF_HARDLINK;
	}
	return DS_E_OK;
}

/*
 * Whether the entry named REL of TYPE, with a header of HDR bytes, fits
 * in the open segment with *PART bytes of its data; if not all of them,
 * *PART becomes the largest 512-byte multiple that fits (a regular file
 * may be cut into parts). 0: nothing of it fits.
 */
static int
add_fit(struct prep *p, const char *rel, enum ds_mf_type type, uint64_t hdr,
    uint64_t *part)
{
	uint64_t lo = 0, hi = *part / 512, mid, mf = prep_seg_mf_cost(rel);

	if (prep_seg_fits(&p->seg, hdr + (*part + 511) / 512 * 512, mf))
		return 1;
	while (lo < hi) {
		mid = (lo + hi + 1) / 2;
		if (prep_seg_fits(&p->seg, hdr + mid * 512, mf))
			lo = mid;
		else
			hi = mid - 1;
	}
	if (!prep_seg_fits(&p->seg, hdr, mf) || type != DS_MF_FILE ||
	    (lo * 512 < MIN_PART && p->seg.ordinal > 0) || lo == 0)
		return 0;
	*part = lo * 512;
	return 1;
}

/*
 * The digest the data of F goes into, in *MD: none for a file the
 * read-ahead read whole (hashed already), the split file's own across
 * its parts (re-read up to F's offset after a resume), else a new one
 * the caller frees.
 */
static int
add_digest(struct prep *p, struct ds_ra_item *it, struct ds_mf_file *f,
    int split, EVP_MD_CTX **md, char **cause)
{
	char	*full;
	int	 rc;

	*md = NULL;
	if (f->type != DS_MF_FILE || it->whole)
		return DS_E_OK;
	if (!split) {
		if ((*md = EVP_MD_CTX_new()) == NULL ||
		    EVP_DigestInit_ex(*md, EVP_sha256(), NULL) != 1) {
			EVP_MD_CTX_free(*md);
			*md = NULL;
			return DS_E_NOMEM;
		}
		return DS_E_OK;
	}
	if (f->offset > 0 && (p->split.md == NULL || p->split.ent !=
	    p->job.entry)) {
		EVP_MD_CTX_free(p->split.md);
		p->split.md = NULL;
		if (asprintf(&full, "%s/%s", p->job.staging, f->path) == -1)
			return DS_E_NOMEM;
		rc = split_rehash(p, full, f->offset, cause);
		free(full);
		if (rc != DS_E_OK)
			return rc;
	}
	if (f->offset == 0) {
		EVP_MD_CTX_free(p->split.md);
		if ((p->split.md = EVP_MD_CTX_new()) == NULL ||
		    EVP_DigestInit_ex(p->split.md, EVP_sha256(), NULL) != 1)
			return DS_E_NOMEM;
	}
	p->split.ent = p->job.entry;
	*md = p->split.md;
	return DS_E_OK;
}

/* Archives the data of F (a regular file): from the read-ahead's copy
 * or from FD into MD; *CHANGED when it moved while it was read. */
static int
add_data(struct prep *p, struct ds_ra_item *it, struct ds_mf_file *f,
    EVP_MD_CTX *md, int *changed, char **cause)
{
	struct stat	after;
	unsigned int	mdlen = 32;
	int		rc;

	if (it->whole) {
		if ((rc = write_whole(p, it, f->offset, f->length, cause)) !=
		    DS_E_OK)
			return rc;
		*changed = it->changed;
		if (f->last) {
			memcpy(f->sha, it->sha, sizeof f->sha);
			f->has_sha = 1;
		}
		return DS_E_OK;
	}
	if ((rc = copy_data(p, it->fd, f->offset, f->length, md, changed,
	    cause)) != DS_E_OK)
		return rc;
	if (fstat(it->fd, &after) == 0 && ds_stat_changed(&it->before, &after))
		*changed = 1;
	if (f->last) {
		EVP_DigestFinal_ex(md, f->sha, &mdlen);
		f->has_sha = 1;
	}
	return DS_E_OK;
}

enum add_result {
	ADD_DONE,	/* entry (or its last part) stored */
	ADD_PART,	/* a part stored: commit the segment */
	ADD_FULL,	/* nothing stored: the segment is full */
};

/* Goes past the part of F just stored: the next entry, or the next part
 * of this one (*RES ADD_PART). */
static void
add_advance(struct prep *p, const struct ds_mf_file *f, int split,
    enum add_result *res)
{
	if (!f->last && split) {
		p->job.entry_off = f->offset + f->length;
		*res = ADD_PART;
		return;
	}
	p->job.entry++;
	p->job.entry_off = 0;
	p->files_done++;
	if (split) {
		EVP_MD_CTX_free(p->split.md);
		p->split.md = NULL;
	}
}

/* Adds the entry at the walk position (or its next part) to the open
 * segment; *res says what happened. */
static int
add_entry(struct prep *p, enum add_result *res, char **cause)
{
	struct ds_walk_ent	*e = &p->walk.ents[p->job.entry];
	struct ds_ra_item	*it;
	struct archive_entry	*ae, *own = NULL;
	struct ds_mf_file	 f;
	EVP_MD_CTX		*md = NULL;
	uint64_t		 hdr, size = 0, part;
	int			 rc, skipped, changed = 0, split;

	*res = ADD_DONE;
	p->current = e->rel;
	if (e->unreadable) {
		prep_warn(&p->job, _("%s: cannot be read; skipped"), e->rel);
		return skip_entry(p, e);
	}
	/* Opened, and read if small, by the read-ahead thread. */
	if ((it = ds_ra_get(p->ra, p->job.entry)) == NULL)
		return DS_E_NOMEM;
	if ((rc = add_check(p, e, it, &skipped, cause)) != DS_E_OK || skipped)
		return rc;
	ae = it->ae;
	memset(&f, 0, sizeof f);
	f.path = e->rel;
	f.type = mf_type(ae);
	if ((rc = add_hardlink(p, ae, &it->before, &f.type)) != DS_E_OK)
		return rc;
	if (f.type == DS_MF_FILE) {
		size = (uint64_t)it->before.st_size;
		f.has_times = 1;
		f.mtime_ns = (int64_t)it->before.st_mtim.tv_sec * 1000000000 +
		    it->before.st_mtim.tv_nsec;
		f.ctime_ns = (int64_t)it->before.st_ctim.tv_sec * 1000000000 +
		    it->before.st_ctim.tv_nsec;
	}
	hdr = prep_seg_header_cost(ae);
	part = size - p->job.entry_off;
	if (!add_fit(p, e->rel, f.type, hdr, &part)) {
		*res = ADD_FULL;
		return DS_E_OK;
	}
	f.segment = p->seg.num;
	f.ordinal = p->seg.ordinal;
	f.size = size;
	f.offset = p->job.entry_off;
	f.length = part;
	f.last = f.offset + part == size;
	split = f.offset != 0 || part != size;
	if (split) {
		/* A copy: the read-ahead's entry is used again for the
		 * next part. */
		if ((ae = own = archive_entry_clone(ae)) == NULL)
			return DS_E_NOMEM;
		archive_entry_sparse_clear(ae);
		archive_entry_set_size(ae, (la_int64_t)part);
	}
	if ((rc = add_digest(p, it, &f, split, &md, cause)) != DS_E_OK)
		goto out;
	if (archive_write_header(p->seg.a, ae) < ARCHIVE_WARN) {
		rc = prep_seg_error(&p->seg, p->seg.a, cause);
		goto out;
	}
	if (f.type == DS_MF_FILE &&
	    (rc = add_data(p, it, &f, md, &changed, cause)) != DS_E_OK)
		goto out;
	if (changed) {
		f.changed = 1;
		prep_note_changed(&p->job, e->rel, 0);
	}
	if (archive_write_finish_entry(p->seg.a) < ARCHIVE_WARN) {
		rc = prep_seg_error(&p->seg, p->seg.a, cause);
		goto out;
	}
	if ((rc = prep_seg_file(&p->seg, &f)) != DS_E_OK)
		goto out;
	p->seg.in += hdr + (part + 511) / 512 * 512;
	p->seg.ordinal++;
	add_advance(p, &f, split, res);
out:
	if (!split)
		EVP_MD_CTX_free(md);
	archive_entry_free(own);
	return rc;
}

/* What the read-ahead thread needs of entry I of the walk. */
static void
ra_src(void *arg, size_t i, struct ds_ra_src *out)
{
	struct prep		*p = arg;
	struct ds_walk_ent	*e = &p->walk.ents[i];

	out->rel = e->rel;
	out->mode = e->mode;
	out->skip = e->unreadable;
}

/* Resume: the hard links and progress of what is committed. */
static int
committed(struct prep *p)
{
	const struct ds_walk_ent	*e;
	size_t				 i, first;
	int				 rc;

	for (i = 0; i < p->walk.nents && (i < p->job.entry ||
	    (i == p->job.entry && p->job.entry_off > 0)); i++) {
		e = &p->walk.ents[i];
		if (S_ISREG(e->mode) && e->nlink > 1 &&
		    !prep_links_find(&p->links, e->dev, e->ino, &first) &&
		    (rc = prep_links_add(&p->links, e->dev, e->ino, i)) !=
		    DS_E_OK)
			return rc;
		if (i < p->job.entry) {
			p->bytes_done += e->size;
			p->files_done++;
		}
	}
	p->bytes_done += p->job.entry_off;
	return DS_E_OK;
}

/* The job is on the drives: its records say so. */
static int
job_done(struct prep *p, char **cause)
{
	json_t	*rec;
	int	 rc;

	rec = json_pack("{s:s}", "t", "done");
	if ((rc = prep_journal_add(&p->job, rec, cause)) != DS_E_OK)
		return rc;
	p->job.prepared->finished = 1;
	p->job.res->finished = 1;
	if ((rc = ds_prepared_save(p->job.prepared, cause)) != DS_E_OK)
		return rc;
	return ds_jobrec_move(p->job.job, DS_JOBREC_PREPARED, NULL, cause);
}

/* Segment after segment, drive after drive, to the end of the walk. */
static int
prep_run(struct prep *p, char **cause)
{
	struct prep_job	*j = &p->job;
	enum add_result	 res;
	int		 rc;

	if ((rc = prep_resume_check_position(&p->rs, j, &p->walk, cause)) !=
	    DS_E_OK || (rc = committed(p)) != DS_E_OK)
		return rc;
	if (ds_ra_start(&p->ra, j->staging, j->entry, p->walk.nents, ra_src,
	    p) == -1)
		return DS_E_NOMEM;
	if (p->rs.open_rec != NULL && (rc = prep_drive_reopen(&p->d, j,
	    p->rs.open_rec, p->rs.open_segs, &p->rs.mf, p->rs.next_slot,
	    p->rs.mf_est, cause)) != DS_E_OK)
		return rc;
	if (j->entry >= p->walk.nents && !p->d.open && j->next_index > 0)
		return job_done(p, cause);

	while (j->entry < p->walk.nents || !p->d.open || p->seg.a != NULL) {
		if (!p->d.open && (rc = next_drive(p, cause)) != DS_E_OK)
			return rc;
		if (p->seg.a == NULL) {
			if (j->entry >= p->walk.nents && j->next_seg > 0)
				break;
			if (prep_drive_avail(&p->d, j->chunk_size) <
			    4 * (uint64_t)j->chunk_size + MIN_PART) {
				if ((rc = close_drive(p, 0, cause)) != DS_E_OK)
					return rc;
				continue;
			}
			if ((rc = prep_seg_begin(&p->seg, cause)) != DS_E_OK)
				return rc;
		}
		if (j->entry >= p->walk.nents) {
			if ((rc = seg_commit(p, cause)) != DS_E_OK)
				return rc;
			break;
		}
		if ((rc = add_entry(p, &res, cause)) != DS_E_OK)
			return rc;
		if (res == ADD_FULL && p->seg.ordinal == 0) {
			/* Not even one entry fits: the drive is full. */
			if ((rc = seg_commit(p, cause)) != DS_E_OK ||
			    (rc = close_drive(p, 0, cause)) != DS_E_OK)
				return rc;
			continue;
		}
		if ((res != ADD_DONE || p->seg.in >= j->seg_size) &&
		    (rc = seg_commit(p, cause)) != DS_E_OK)
			return rc;
		if (prog(p, DS_PHASE_COPY, 0) != 0)
			return ds_cause(cause, DS_E_CANCELED, _("run the same "
			    "command with --resume to continue"));
	}
	if ((rc = close_drive(p, 1, cause)) != DS_E_OK)
		return rc;
	return job_done(p, cause);
}

/* The buffers and threads of the copy. */
static int
prep_start(struct prep *p)
{
	struct prep_job	*j = &p->job;
	int		 rc;

	j->payload = ds_chunk_payload(j->chunk_size);
	if ((p->rbuf[0] = malloc(PREP_READ_BUF)) == NULL ||
	    (p->rbuf[1] = malloc(PREP_READ_BUF)) == NULL ||
	    ds_hasher_start(&p->hasher) == -1)
		return DS_E_NOMEM;
	p->seg.j = j;
	p->seg.d = &p->d;
	if ((rc = prep_queue_start(&p->q, &p->d, j->journal, j->set_id,
	    j->chunk_size, j->session)) != DS_E_OK)
		return rc;
	p->seg.q = p->q;
	return DS_E_OK;
}

static void
prep_free(struct prep *p)
{
	prep_seg_free(&p->seg);
	prep_queue_stop(p->q);
	/* A drive left open: its journal records let --resume go on. */
	prep_drive_drop(&p->d);
	ds_ra_stop(p->ra);
	ds_walk_clear(&p->walk);
	prep_links_free(&p->links);
	ds_hasher_stop(p->hasher);
	free(p->rbuf[0]);
	free(p->rbuf[1]);
	EVP_MD_CTX_free(p->split.md);
	prep_resume_clear(&p->rs);
	ds_journal_close(p->job.journal);
	ds_prepared_free(p->job.prepared);
	free(p->job.staging);
	free(p->job.job);
	ds_secret_free(p, sizeof *p);
}

int
ds_prep(const struct ds_prep_opts *o, struct ds_prep_result **result,
    char **cause)
{
	struct prep	*p;
	char		*jpath = NULL;
	int		 rc;

	*result = NULL;
	/* It holds the open drive's key: kept out of core dumps. */
	if ((p = ds_secret_alloc(sizeof *p)) == NULL ||
	    (p->job.res = calloc(1, sizeof *p->job.res)) == NULL) {
		ds_secret_free(p, sizeof *p);
		return DS_E_NOMEM;
	}
	*result = p->job.res;
	p->job.o = o;
	p->job.prog = prog;
	p->job.prog_arg = p;
	p->pg.ops = o->ops;
	if ((rc = prep_resume_open(&p->rs, &p->job, &jpath, cause)) ==
	    DS_E_OK && p->rs.already_done)
		p->job.res->finished = 1;	/* nothing left to do */
	else if (rc == DS_E_OK && (rc = prep_walk_staging(&p->job, &p->pg,
	    &p->walk, cause)) == DS_E_OK &&
	    (rc = prep_resume_records(&p->rs, &p->job, &p->walk, jpath,
	    cause)) == DS_E_OK &&
	    (rc = prep_start(p)) == DS_E_OK &&
	    (rc = prep_run(p, cause)) == DS_E_OK)
		prog(p, DS_PHASE_COPY, 1);
	free(jpath);
	prep_free(p);
	return rc;
}
