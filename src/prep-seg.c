/* SPDX-License-Identifier: MIT */
/*
 * The open segment of prep (prep-seg.h): pax and zstd through
 * libarchive into the chunk queue, and the estimates of what fits.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <archive.h>
#include <archive_entry.h>
#include <jansson.h>

#include "error.h"
#include "format.h"
#include "manifest.h"
#include "prep-drive.h"
#include "prep-job.h"
#include "prep-queue.h"
#include "prep-seg.h"

/* An error of the archive A (or NULL) or, first, of the queue's threads. */
int
prep_seg_error(const struct prep_seg *s, struct archive *a, char **cause)
{
	char	*detail;
	int	 werr;

	werr = prep_queue_error(s->q, &detail);
	if (detail != NULL) {
		ds_cause(cause, werr, "%s", detail);
		free(detail);
		return werr;
	}
	return ds_cause(cause, werr ? werr : DS_E_IO, "%s",
	    a != NULL && archive_error_string(a) != NULL ?
	    archive_error_string(a) : _("archive error"));
}

/* Size estimates: the pax bytes of an entry's header and of the zstd
 * frame of IN pax bytes, both on the safe side. */

uint64_t
prep_seg_header_cost(struct archive_entry *e)
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

int
prep_seg_fits(const struct prep_seg *s, uint64_t cost_in, uint64_t cost_mf)
{
	uint64_t in = s->in + cost_in, slots, need;

	if (in > s->j->seg_size && s->ordinal > 0)
		return 0;
	if (in > s->j->seg_size + 1024 * 1024)
		return 0;
	slots = comp_bound(in) / s->j->payload + 2;
	need = slots * s->j->chunk_size + s->mf + cost_mf +
	    slots * PREP_MF_PER_CHUNK;
	return need <= s->avail;
}

/* The manifest bytes of an entry named REL: its JSON-escaped name (hex
 * when it is not UTF-8, which costs at most twice its length) and the
 * longest possible other fields. */
uint64_t
prep_seg_mf_cost(const char *rel)
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

/* The archiver's output: into the queue's chunks. */
static ssize_t
archive_out(struct archive *a, void *arg, const void *buf, size_t len)
{
	struct prep_seg *s = arg;

	(void)a;
	return prep_queue_write(s->q, buf, len) == DS_E_OK ? (ssize_t)len : -1;
}

void
prep_seg_abort(struct prep_seg *s)
{
	if (s->a != NULL) {
		archive_write_fail(s->a);
		archive_write_free(s->a);
		s->a = NULL;
	}
	if (s->q != NULL)
		prep_queue_drop(s->q);
	s->ftext.len = 0;
}

void
prep_seg_free(struct prep_seg *s)
{
	prep_seg_abort(s);
	prep_tbuf_free(&s->ftext);
}

int
prep_seg_begin(struct prep_seg *s, char **cause)
{
	char level[16];

	s->num = s->j->next_seg;
	s->first = s->d->next_slot;
	s->in = 1024;	/* the end-of-archive blocks */
	s->mf = 256;
	s->avail = prep_drive_avail(s->d, s->j->chunk_size);
	s->ordinal = 0;
	prep_queue_begin(s->q, s->num);
	prep_drive_direct(s->d, 1);
	s->ftext.len = 0;
	if (s->ftext.s != NULL)
		s->ftext.s[0] = '\0';
	s->nfiles = s->bytes = 0;
	if ((s->a = archive_write_new()) == NULL)
		return DS_E_NOMEM;
	snprintf(level, sizeof level, "%d", s->j->level);
	/* Names are bytes: stored raw, whatever the locale (hdrcharset). */
	if (archive_write_set_format_pax(s->a) != ARCHIVE_OK ||
	    archive_write_set_format_option(s->a, "pax", "hdrcharset",
	    "BINARY") != ARCHIVE_OK ||
	    archive_write_add_filter_zstd(s->a) != ARCHIVE_OK ||
	    archive_write_set_filter_option(s->a, "zstd", "compression-level",
	    level) != ARCHIVE_OK ||
	    archive_write_set_bytes_per_block(s->a, 65536) != ARCHIVE_OK ||
	    archive_write_set_bytes_in_last_block(s->a, 1) != ARCHIVE_OK)
		return prep_seg_error(s, s->a, cause);
	/* Workers compress while this thread reads; not fatal if absent. */
	archive_write_set_filter_option(s->a, "zstd", "threads", "2");
	if (archive_write_open(s->a, s, NULL, archive_out, NULL) != ARCHIVE_OK)
		return prep_seg_error(s, s->a, cause);
	return DS_E_OK;
}

int
prep_seg_commit(struct prep_seg *s, const char *pos_rel, char **cause)
{
	json_t		*rec;
	uint64_t	 nchunks;
	int		 rc;

	if (archive_write_close(s->a) != ARCHIVE_OK) {
		rc = prep_seg_error(s, s->a, cause);
		prep_seg_abort(s);
		return rc;
	}
	archive_write_free(s->a);
	s->a = NULL;
	if ((rc = prep_queue_last(s->q)) != DS_E_OK) {
		prep_seg_error(s, NULL, cause);
		return rc;
	}
	nchunks = s->d->next_slot - s->first;
	rec = json_pack("{s:s, s:i, s:i, s:I, s:I, s:I, s:[I,I]}",
	    "t", "segment", "drive", (int)s->d->index, "segment", (int)s->num,
	    "firstChunk", (json_int_t)s->first,
	    "streamBytes", (json_int_t)prep_queue_stream_bytes(s->q),
	    "mfEst", (json_int_t)(s->mf + nchunks * PREP_MF_PER_CHUNK),
	    "pos", (json_int_t)s->j->entry, (json_int_t)s->j->entry_off);
	if (rec == NULL)
		return DS_E_NOMEM;
	/* The entry the position follows, checked when resuming. */
	if (pos_rel != NULL && ds_mf_set_path(rec, "posPath", pos_rel) == -1) {
		json_decref(rec);
		return DS_E_NOMEM;
	}
	if ((rc = prep_queue_commit(s->q, rec, s->ftext.s, s->nfiles,
	    s->bytes)) != DS_E_OK) {
		prep_seg_error(s, NULL, cause);
		return rc;
	}
	s->d->mf_est += s->mf + nchunks * PREP_MF_PER_CHUNK;
	s->j->next_seg++;
	return DS_E_OK;
}

int
prep_seg_file(struct prep_seg *s, struct ds_mf_file *f)
{
	json_t	*j = ds_mf_file_json(f);
	char	*text;
	int	 rc;

	if (j == NULL || (text = json_dumps(j, JSON_COMPACT)) == NULL) {
		json_decref(j);
		return DS_E_NOMEM;
	}
	json_decref(j);
	rc = prep_tbuf_add(&s->ftext, text, strlen(text));
	free(text);
	if (!f->skipped) {
		s->nfiles++;
		s->bytes += f->type == DS_MF_FILE ? f->length : 0;
	}
	s->mf += prep_seg_mf_cost(f->path);
	return rc;
}
