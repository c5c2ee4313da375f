/* SPDX-License-Identifier: MIT */
/*
 * The stream side of the hostile-drive reader: segments in order, each
 * archive entry checked against its manifest row (dreader.h lists the
 * checks), hashed as it streams, then handed to the caller's sink.
 */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <archive.h>
#include <archive_entry.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "dreader-int.h"
#include "error.h"
#include "manifest.h"

#define STEP	((uint64_t)4 * 1024 * 1024)	/* progress at least */

/*
 * The rows of every manifest in hand, by path: the first row of each
 * path, as a row number over all drives (4 bytes a slot, at most two
 * thirds full), and a bit a row for "delivered as a regular file (part)
 * in this run". Hard links may name only a path delivered; without
 * DS_DR_WHOLE, also one on none of the drives in hand. The paths stay in
 * the manifests: a million rows cost some 8 bytes each here.
 */
struct rowset {
	uint32_t		*slot;		/* 0: empty, else row + 1 */
	size_t			 cap;		/* a power of two */
	uint8_t			*seen;		/* a bit a row */
	uint64_t		*base;		/* first row of each drive */
	struct ds_dreader	*dr;
};

struct run {
	struct ds_dreader	*dr;
	const struct ds_dr_sink	*s;
	struct rdrive		*d;
	struct ds_mf_segment	*seg;
	uint64_t		 next_chunk;
	int64_t			 bad_chunk;
	uint64_t		 since;		/* bytes since progress */
	int			 stop;		/* a DS_E_* code: end the run */

	/* The file whose parts are being read. */
	const char		*split_path;	/* NULL: none */
	EVP_MD_CTX		*split_md;	/* NULL: cannot check here */
	uint64_t		 split_next;	/* offset the next part has */
	uint64_t		 split_size;
	int			 split_given;	/* the sink has parts */

	struct rowset		 rows;

	/* The rows of the drive being read, in archive order: the
	 * manifest's own when it is in that order, else through RIDX. */
	struct ds_mf_file	*rbase;
	uint32_t		*ridx;
};

/* Row K (in archive order) of the drive being read. */
static struct ds_mf_file *
row(const struct run *ru, size_t k)
{
	return &ru->rbase[ru->ridx != NULL ? ru->ridx[k] : k];
}

static uint64_t
hash_str(const char *s)
{
	uint64_t h = 1469598103934665603ULL;

	while (*s != '\0')
		h = (h ^ (uint8_t)*s++) * 1099511628211ULL;
	return h;
}

/* The path of row G of RS. */
static const char *
rs_path(const struct rowset *rs, uint64_t g)
{
	size_t lo = 0, hi = rs->dr->nidx, mid;

	/* The last drive whose first row is at most G. */
	while (hi - lo > 1) {
		mid = lo + (hi - lo) / 2;
		if (rs->base[mid] <= g)
			lo = mid;
		else
			hi = mid;
	}
	return rs->dr->byidx[lo]->mf->files[g - rs->base[lo]].path;
}

/* The slot of PATH in RS: the one holding its first row, or the empty
 * one where it would go. */
static size_t
rs_slot(const struct rowset *rs, const char *p)
{
	size_t i;

	for (i = hash_str(p) & (rs->cap - 1); rs->slot[i] != 0 &&
	    strcmp(rs_path(rs, rs->slot[i] - 1), p) != 0;
	    i = (i + 1) & (rs->cap - 1))
		;
	return i;
}

/* The first row of PATH, or -1 when no manifest in hand has it. */
static int64_t
rs_find(const struct rowset *rs, const char *p)
{
	size_t i;

	if (rs->cap == 0)
		return -1;
	i = rs_slot(rs, p);
	return rs->slot[i] != 0 ? (int64_t)rs->slot[i] - 1 : -1;
}

/* Whether PATH was delivered as a regular file (part) in this run. */
static int
rs_seen(const struct rowset *rs, const char *p)
{
	int64_t g = rs_find(rs, p);

	return g >= 0 && (rs->seen[g / 8] & (1U << (g % 8)));
}

/* Marks PATH (a row in hand) as delivered as a regular file (part). */
static void
rs_mark(struct rowset *rs, const char *p)
{
	int64_t g = rs_find(rs, p);

	if (g >= 0)
		rs->seen[g / 8] |= (uint8_t)(1U << (g % 8));
}

/* Indexes every row of the manifests of DR that prep did not skip. */
static int
rs_build(struct rowset *rs, struct ds_dreader *dr)
{
	const struct ds_manifest	*m;
	uint64_t			 n = 0;
	size_t				 i, k, s;

	rs->dr = dr;
	if ((rs->base = calloc(dr->nidx + 1, sizeof *rs->base)) == NULL)
		return -1;
	for (i = 0; i < dr->nidx; i++) {
		rs->base[i] = n;
		if (dr->byidx[i] != NULL && dr->byidx[i]->mf_ok)
			n += dr->byidx[i]->mf->nfiles;
	}
	if (n >= UINT32_MAX / 2)
		return -1;
	for (rs->cap = 16; rs->cap < n + n / 2 + 1; rs->cap *= 2)
		;
	if ((rs->slot = calloc(rs->cap, sizeof *rs->slot)) == NULL ||
	    (rs->seen = calloc(n / 8 + 1, 1)) == NULL)
		return -1;
	for (i = 0; i < dr->nidx; i++) {
		if (dr->byidx[i] == NULL || !dr->byidx[i]->mf_ok)
			continue;
		m = dr->byidx[i]->mf;
		for (k = 0; k < m->nfiles; k++) {
			if (m->files[k].skipped)
				continue;
			s = rs_slot(rs, m->files[k].path);
			if (rs->slot[s] == 0)
				rs->slot[s] = (uint32_t)(rs->base[i] + k + 1);
		}
	}
	return 0;
}

static void
rs_free(struct rowset *rs)
{
	free(rs->slot);
	free(rs->seen);
	free(rs->base);
}

/* Whether PATH is in normal form: relative, no empty, "." or ".."
 * component (so no "//", no leading or trailing '/'). */
static int
normal_path(const char *path)
{
	const char	*p = path, *e;
	size_t		 n;

	if (path == NULL || *path == '\0')
		return 0;
	for (;;) {
		e = strchr(p, '/');
		n = e != NULL ? (size_t)(e - p) : strlen(p);
		if (n == 0 || (n == 1 && p[0] == '.') || (n == 2 &&
		    p[0] == '.' && p[1] == '.'))
			return 0;
		if (e == NULL)
			return 1;
		p = e + 1;
	}
}

/* Whether the archive's NAME is PATH (a folder may end in one '/'). */
static int
same_path(const char *name, const char *path, int dir)
{
	size_t len = strlen(path);

	if (name == NULL || strncmp(name, path, len) != 0)
		return 0;
	return name[len] == '\0' || (dir && name[len] == '/' &&
	    name[len + 1] == '\0');
}

static void
lost(struct run *ru, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Names PATH as lost (damage), with the reason FMT. */
static void
lost(struct run *ru, const char *path, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	if (dr_vproblem(ru->dr->r, ru->d != NULL ? (int)ru->d->h.index : -1,
	    ru->bad_chunk, path, fmt, ap) != DS_E_OK && ru->stop == DS_E_OK)
		ru->stop = DS_E_NOMEM;
	va_end(ap);
	ru->dr->r->files_failed++;
}

/* Counts BYTES and asks for progress when due; non-zero: stop. */
static int
tick(struct run *ru, uint64_t bytes, const char *path)
{
	ru->dr->done_bytes += bytes;
	ru->since += bytes;
	if (ru->since < STEP && bytes != 0)
		return ru->stop;
	ru->since = 0;
	if (ru->stop == DS_E_OK && dr_progress(ru->dr, path) != 0)
		ru->stop = DS_E_CANCELED;
	return ru->stop;
}

/* Forgets the file being read in parts; WHY (if not NULL) names it lost,
 * and the sink drops what it has of it. */
static void
split_end(struct run *ru, const char *why)
{
	if (ru->split_path == NULL)
		return;
	if (why != NULL) {
		lost(ru, ru->split_path, "%s", why);
		if (ru->split_given && (ru->dr->o.flags & DS_DR_WHOLE) &&
		    ru->s->drop != NULL && ru->stop == DS_E_OK)
			ru->stop = ru->s->drop(ru->s->arg, ru->split_path);
	}
	EVP_MD_CTX_free(ru->split_md);
	ru->split_md = NULL;
	ru->split_path = NULL;
	ru->split_given = 0;
}

static ssize_t
seg_read(struct archive *a, void *arg, const void **buf)
{
	struct run	*ru = arg;
	uint32_t	 len = 0;
	char		*why = NULL;
	uint64_t	 end = ru->seg->first_chunk + ru->seg->nchunks;
	int		 rc;

	if (ru->next_chunk >= end || ru->stop != DS_E_OK)
		return 0;
	/* Also while libarchive reads past an entry nobody wants. */
	if (dr_progress(ru->dr, NULL) != 0) {
		ru->stop = DS_E_CANCELED;
		return 0;
	}
	rc = dr_check_chunk(ru->dr, ru->d, ru->next_chunk, &len, &why);
	if (rc != DS_E_OK) {
		ru->bad_chunk = (int64_t)ru->next_chunk;
		if (!ru->dr->checked)	/* else named already */
			ds_read_problem(ru->dr->r, (int)ru->d->h.index,
			    ru->bad_chunk, NULL, "%s", why != NULL ? why :
			    ds_strerror(rc));
		free(why);
		archive_set_error(a, EIO, "damaged chunk");
		return -1;
	}
	ru->next_chunk++;
	*buf = ru->dr->plain;
	return (ssize_t)len;
}

/* What kind the archive entry E is, for row type T; NULL when it is
 * that type, else a translated reason. */
static const char *
type_mismatch(struct archive_entry *e, enum ds_mf_type t)
{
	mode_t	ft = archive_entry_filetype(e);
	int	hl = archive_entry_hardlink(e) != NULL;

	if (t == DS_MF_HARDLINK)
		return hl ? NULL : _("the manifest says hard link but the "
		    "archive holds something else");
	if (hl)
		return _("the archive holds a hard link where the manifest "
		    "says otherwise");
	if (t == DS_MF_FILE && ft == AE_IFREG)
		return NULL;
	if (t == DS_MF_DIR && ft == AE_IFDIR)
		return NULL;
	if (t == DS_MF_SYMLINK && ft == AE_IFLNK)
		return NULL;
	if (t == DS_MF_OTHER && (ft == AE_IFCHR || ft == AE_IFBLK ||
	    ft == AE_IFIFO || ft == AE_IFSOCK))
		return NULL;
	switch (ft) {
	case AE_IFREG:
		return _("the archive holds a regular file of another type "
		    "in the manifest");
	case AE_IFDIR:
		return _("the archive holds a folder where the manifest says "
		    "otherwise");
	case AE_IFLNK:
		return _("the archive holds a symbolic link where the "
		    "manifest says otherwise");
	case AE_IFCHR:
	case AE_IFBLK:
		return _("the archive holds a device where the manifest says "
		    "otherwise");
	case AE_IFIFO:
		return _("the archive holds a FIFO where the manifest says "
		    "otherwise");
	default:
		return _("the archive entry's type does not match the "
		    "manifest");
	}
}

/* Fills X from the archive entry E and the row F. */
static void
fill_entry(struct run *ru, struct ds_dr_entry *x, struct archive_entry *e,
    const struct ds_mf_file *f)
{
	memset(x, 0, sizeof *x);
	x->path = f->path;
	x->drive_index = (int)ru->d->h.index;
	x->segment = f->segment;
	x->mode = (uint32_t)archive_entry_mode(e);
	x->uid = archive_entry_uid(e);
	x->gid = archive_entry_gid(e);
	x->uname = archive_entry_uname(e);
	x->gname = archive_entry_gname(e);
	x->has_atime = archive_entry_atime_is_set(e);
	x->atime.tv_sec = archive_entry_atime(e);
	x->atime.tv_nsec = archive_entry_atime_nsec(e);
	x->mtime.tv_sec = archive_entry_mtime(e);
	x->mtime.tv_nsec = archive_entry_mtime_nsec(e);
	x->first = 1;
	x->last = 1;
	x->ae = e;
	switch (f->type) {
	case DS_MF_FILE:
		x->kind = DS_DR_FILE;
		x->size = f->size;
		x->offset = f->offset;
		x->length = f->length;
		x->first = f->offset == 0;
		x->last = f->last;
		x->sha = f->has_sha ? f->sha : NULL;
		break;
	case DS_MF_DIR:
		x->kind = DS_DR_DIR;
		break;
	case DS_MF_SYMLINK:
		x->kind = DS_DR_SYMLINK;
		x->target = archive_entry_symlink(e);
		break;
	case DS_MF_HARDLINK:
		x->kind = DS_DR_HARDLINK;
		x->target = archive_entry_hardlink(e);
		break;
	default:
		x->kind = DS_DR_SPECIAL;
		switch (archive_entry_filetype(e)) {
		case AE_IFBLK:
			x->what = _("a block device");
			break;
		case AE_IFCHR:
			x->what = _("a character device");
			break;
		case AE_IFIFO:
			x->what = _("a FIFO");
			break;
		default:
			x->what = _("a socket");
			break;
		}
	}
}

/* Checks a regular file part's row F and entry E against each other and
 * against the file being read in parts; a reason, or NULL when fine. */
static const char *
part_mismatch(struct run *ru, struct archive_entry *e,
    const struct ds_mf_file *f)
{
	if (f->length > f->size || f->offset > f->size - f->length)
		return _("the manifest's part lies beyond the file's size");
	if (f->last != (f->offset + f->length == f->size))
		return _("the manifest's parts do not add up to the file's "
		    "size");
	if (!archive_entry_size_is_set(e) || archive_entry_size(e) < 0 ||
	    (uint64_t)archive_entry_size(e) != f->length)
		return _("the archive entry's size is not the manifest's");
	if (f->offset > 0 && ru->split_path != NULL && ru->split_next !=
	    f->offset)
		return _("this part does not follow the previous one");
	if (f->offset > 0 && ru->split_path != NULL && ru->split_size !=
	    f->size)
		return _("this part's file size is not the previous part's");
	return NULL;
}

/* Checks a row that is no regular file part: one piece, no size. */
static const char *
other_mismatch(struct run *ru, struct archive_entry *e,
    const struct ds_mf_file *f)
{
	const char *t;

	if (f->offset != 0 || !f->last)
		return _("only regular files have parts");
	if (f->type == DS_MF_HARDLINK) {
		t = archive_entry_hardlink(e);
		if (!normal_path(t))
			return _("refused: the hard link's target is not a "
			    "plain relative path");
		/* Reading the drives in hand only, a target on another
		 * drive is the sink's to check (it stored it before). */
		if (!rs_seen(&ru->rows, t) &&
		    ((ru->dr->o.flags & DS_DR_WHOLE) ||
		    rs_find(&ru->rows, t) >= 0))
			return _("refused: the hard link's target was not "
			    "read as a regular file before it");
	}
	if (f->type == DS_MF_SYMLINK && archive_entry_symlink(e) == NULL)
		return _("the symbolic link has no target");
	return NULL;
}

/* Streams the data of part X (entry E) to the sink, hashing into MD
 * when not NULL; 0, or -1 when the archive failed (named). */
static int
stream_part(struct run *ru, struct archive *a, const struct ds_dr_entry *x,
    EVP_MD_CTX *md, void *h, int *bad)
{
	static const uint8_t	 zero[65536];
	const void		*buf;
	size_t			 len, n;
	la_int64_t		 boff;
	uint64_t		 pos = 0;
	int			 r;

	for (;;) {
		r = archive_read_data_block(a, &buf, &len, &boff);
		if (r == ARCHIVE_EOF)
			break;
		if (r < ARCHIVE_WARN) {
			lost(ru, x->path, _("lost: a damaged chunk of its "
			    "segment"));
			*bad = 1;
			return -1;
		}
		if (boff < 0 || (uint64_t)boff < pos ||
		    (uint64_t)boff > x->length ||
		    len > x->length - (uint64_t)boff) {
			if (!*bad)
				lost(ru, x->path, _("the archive holds more "
				    "data than the manifest declares"));
			*bad = 1;
			if (boff < 0 || (uint64_t)boff < pos ||
			    (uint64_t)boff > x->length)
				continue;
			len = (size_t)(x->length - (uint64_t)boff);
		}
		/* A hole: zeros, within the entry's own size. */
		while (md != NULL && pos < (uint64_t)boff) {
			n = (uint64_t)boff - pos < sizeof zero ?
			    (size_t)((uint64_t)boff - pos) : sizeof zero;
			EVP_DigestUpdate(md, zero, n);
			pos += n;
			if (tick(ru, n, x->path) != DS_E_OK)
				return 0;
		}
		if (md != NULL)
			EVP_DigestUpdate(md, buf, len);
		pos = (uint64_t)boff + len;
		if (h != NULL && ru->s->data != NULL && ru->stop == DS_E_OK &&
		    len > 0 && (r = ru->s->data(ru->s->arg, h, buf, len,
		    x->offset + (uint64_t)boff)) != 0)
			ru->stop = r;
		if (tick(ru, len, x->path) != DS_E_OK)
			return 0;
	}
	while (md != NULL && pos < x->length) {
		n = x->length - pos < sizeof zero ? (size_t)(x->length - pos) :
		    sizeof zero;
		EVP_DigestUpdate(md, zero, n);
		pos += n;
		if (tick(ru, n, x->path) != DS_E_OK)
			return 0;
	}
	return 0;
}

/* Reads a regular file part (entry E, row F, checked) into the sink. */
static int
do_file(struct run *ru, struct archive *a, struct archive_entry *e,
    const struct ds_mf_file *f)
{
	struct ds_dr_entry	 x;
	EVP_MD_CTX		*md = NULL;
	void			*h = NULL;
	uint8_t			 sum[32];
	unsigned int		 mdlen = 32;
	int			 bad = 0, given = 0, skip, r, rc;
	enum ds_dr_status	 st;

	fill_entry(ru, &x, e, f);
	if (f->offset == 0) {
		split_end(ru, _("incomplete: the rest of this file is "
		    "missing"));
		if ((md = EVP_MD_CTX_new()) == NULL ||
		    EVP_DigestInit_ex(md, EVP_sha256(), NULL) != 1) {
			EVP_MD_CTX_free(md);
			ru->stop = DS_E_NOMEM;
			return -1;
		}
	} else if (ru->split_path == NULL || strcmp(ru->split_path,
	    f->path) != 0) {
		split_end(ru, _("incomplete: the rest of this file is "
		    "missing"));
		if (ru->dr->o.flags & DS_DR_WHOLE) {
			lost(ru, f->path, _("incomplete: the beginning of "
			    "this file is on a missing or damaged drive"));
			return 0;
		}
	} else {
		md = ru->split_md;
		ru->split_md = NULL;
		given = ru->split_given;
	}
	/* A regular file (a part of one): hard links may name it. */
	rs_mark(&ru->rows, f->path);
	ru->split_path = NULL;
	ru->dr->sink_bad = 0;
	r = ru->s->begin != NULL ? ru->s->begin(ru->s->arg, &x, &h) : 0;
	if (r != 0 && r != DS_DR_SKIP) {
		ru->stop = r;
		EVP_MD_CTX_free(md);
		return -1;
	}
	if ((skip = r == DS_DR_SKIP)) {
		EVP_MD_CTX_free(md);
		md = NULL;
	}
	rc = stream_part(ru, a, &x, md, skip ? NULL : h, &bad);
	st = bad ? DS_DR_BAD : DS_DR_PART;
	if (!bad && f->last && md != NULL && ru->stop == DS_E_OK) {
		EVP_DigestFinal_ex(md, sum, &mdlen);
		if (f->has_sha && CRYPTO_memcmp(sum, f->sha, 32) != 0) {
			lost(ru, f->path, _("its SHA-256 does not match the "
			    "manifest"));
			st = DS_DR_BAD;
		} else
			st = DS_DR_OK;
	}
	if (ru->stop != DS_E_OK && st != DS_DR_BAD)
		st = DS_DR_BAD;		/* canceled: never half a file */
	if (!skip && ru->s->end != NULL && (r = ru->s->end(
	    ru->s->arg, h, &x, st, st == DS_DR_OK ? sum : NULL)) != 0 &&
	    ru->stop == DS_E_OK)
		ru->stop = r;
	if (st == DS_DR_BAD && given && (ru->dr->o.flags & DS_DR_WHOLE) &&
	    ru->s->drop != NULL && ru->stop == DS_E_OK)
		ru->stop = ru->s->drop(ru->s->arg, f->path);
	if (!ru->dr->sink_bad && !skip && (st == DS_DR_OK ||
	    (st == DS_DR_PART && f->last))) {
		ru->dr->r->files_ok++;
		ru->dr->r->bytes_ok += f->size;
	}
	if (st != DS_DR_BAD && !f->last) {
		ru->split_path = f->path;
		ru->split_md = md;
		ru->split_next = f->offset + f->length;
		ru->split_size = f->size;
		ru->split_given = !skip;
		md = NULL;
	}
	EVP_MD_CTX_free(md);
	return rc;
}

/* Handles one archive entry E, whose manifest row is F; -1 when the
 * archive cannot go on. */
static int
do_entry(struct run *ru, struct archive *a, struct archive_entry *e,
    const struct ds_mf_file *f)
{
	struct ds_dr_entry	 x;
	const char		*why;
	char			*msg;
	int			 r;

	if (!normal_path(f->path)) {
		lost(ru, f->path, _("refused: not a plain relative path "
		    "(absolute, empty, '.' or '..')"));
		return 0;
	}
	if (!same_path(archive_entry_pathname(e), f->path,
	    f->type == DS_MF_DIR)) {
		lost(ru, f->path, _("the archive does not match the "
		    "manifest (another path)"));
		return 0;
	}
	if ((why = type_mismatch(e, f->type)) != NULL ||
	    (why = f->type == DS_MF_FILE ? part_mismatch(ru, e, f) :
	    other_mismatch(ru, e, f)) != NULL) {
		if (f->type == DS_MF_FILE && ru->split_path != NULL &&
		    strcmp(ru->split_path, f->path) == 0)
			split_end(ru, why);
		else
			lost(ru, f->path, "%s", why);
		return 0;
	}
	if (f->type == DS_MF_FILE)
		return do_file(ru, a, e, f);
	split_end(ru, _("incomplete: the rest of this file is missing"));
	fill_entry(ru, &x, e, f);
	if (x.kind == DS_DR_SPECIAL) {
		ru->dr->r->nnotrestored++;
		if (ru->dr->o.ops != NULL && ru->dr->o.ops->warn != NULL &&
		    asprintf(&msg, _("%s: not restored: it is %s"), f->path,
		    x.what) != -1) {
			ru->dr->o.ops->warn(ru->dr->o.ops->arg, msg);
			free(msg);
		}
	}
	ru->dr->sink_bad = 0;
	if (ru->s->other != NULL && (r = ru->s->other(ru->s->arg, &x)) != 0)
		ru->stop = r;
	else if (x.kind != DS_DR_SPECIAL && !ru->dr->sink_bad)
		ru->dr->r->files_ok++;
	return 0;
}

/* Archive order: by segment, then entry number (qsort_r, on rows). */
static int
cmp_row(const void *a, const void *b, void *arg)
{
	const struct ds_mf_file *x = (const struct ds_mf_file *)arg +
	    *(const uint32_t *)a;
	const struct ds_mf_file *y = (const struct ds_mf_file *)arg +
	    *(const uint32_t *)b;

	if (x->segment != y->segment)
		return x->segment < y->segment ? -1 : 1;
	if (x->ordinal != y->ordinal)
		return x->ordinal < y->ordinal ? -1 : 1;
	return *(const uint32_t *)a < *(const uint32_t *)b ? -1 : 1;
}

/* Reads segment SEG, whose rows are rows LO.. LO + N - 1 of the drive
 * (row()), in ordinal order. */
static void
read_segment(struct run *ru, struct ds_mf_segment *seg, size_t lo,
    size_t n)
{
	struct archive		*a;
	struct archive_entry	*e;
	struct ds_mf_file	*f;
	size_t			 k = 0;
	uint64_t		 pos = 0;	/* the next entry's number */
	int			 r = ARCHIVE_OK, broken = 0;

	ru->seg = seg;
	ru->next_chunk = seg->first_chunk;
	ru->bad_chunk = -1;
	if ((a = archive_read_new()) == NULL) {
		ru->stop = DS_E_NOMEM;
		return;
	}
	archive_read_support_filter_zstd(a);
	archive_read_support_format_tar(a);
	if (archive_read_open(a, ru, NULL, seg_read, NULL) != ARCHIVE_OK)
		broken = 1;
	for (; !broken && k < n && ru->stop == DS_E_OK; k++) {
		f = row(ru, lo + k);
		if (f->ordinal < pos) {	/* two rows, one entry */
			lost(ru, f->path, _("the archive never reaches "
			    "this row (entry %u of segment %u)"),
			    f->ordinal, seg->segment);
			continue;
		}
		/* Entries no row names are read past, never acted on. */
		while (pos <= f->ordinal && ((r =
		    archive_read_next_header(a, &e)) == ARCHIVE_OK ||
		    r == ARCHIVE_WARN))
			pos++;
		if (pos <= f->ordinal)
			break;
		if (do_entry(ru, a, e, f) != 0)
			broken = 1;
		ru->dr->files_done++;
		if (tick(ru, 0, f->path) != DS_E_OK)
			break;
	}
	if (!broken && k < n && ru->stop == DS_E_OK && ru->bad_chunk == -1 &&
	    r != ARCHIVE_EOF)
		ds_read_problem(ru->dr->r, (int)ru->d->h.index, -1, NULL,
		    _("segment %u cannot be read: %s"), seg->segment,
		    archive_error_string(a) != NULL ?
		    archive_error_string(a) : "?");
	for (; k < n && ru->stop == DS_E_OK; k++) {
		f = row(ru, lo + k);
		if (f->type == DS_MF_FILE && ru->split_path != NULL &&
		    strcmp(ru->split_path, f->path) == 0) {
			split_end(ru, _("lost: a damaged chunk of its "
			    "segment"));
			continue;
		}
		if (ru->bad_chunk >= 0)
			lost(ru, f->path, _("lost: chunk %lld of drive "
			    "%u is damaged"), (long long)ru->bad_chunk,
			    ru->d->h.index);
		else if (r == ARCHIVE_EOF)
			lost(ru, f->path, _("the archive never reaches "
			    "this row (entry %u of segment %u)"),
			    f->ordinal, seg->segment);
		else
			lost(ru, f->path, _("lost: segment %u of drive "
			    "%u cannot be read"), seg->segment,
			    ru->d->h.index);
	}
	archive_read_free(a);
	ru->seg = NULL;
}

/* Reads every segment of drive D; rows in no segment are damage. */
static void
read_drive(struct run *ru, struct rdrive *d)
{
	struct ds_manifest	*m = d->mf;
	size_t			 i, n = 0, k, lo, s;
	int			 sorted = 1;

	/* Prep writes the rows in archive order: then no index. */
	for (i = 0; i < m->nfiles && sorted; i++)
		if (m->files[i].skipped || (i > 0 && (m->files[i].segment <
		    m->files[i - 1].segment || (m->files[i].segment ==
		    m->files[i - 1].segment && m->files[i].ordinal <
		    m->files[i - 1].ordinal))))
			sorted = 0;
	ru->rbase = m->files;
	ru->ridx = NULL;
	if (sorted)
		n = m->nfiles;
	else {
		if (m->nfiles >= UINT32_MAX || (ru->ridx = calloc(m->nfiles +
		    1, sizeof *ru->ridx)) == NULL) {
			ru->stop = DS_E_NOMEM;
			return;
		}
		for (i = 0; i < m->nfiles; i++)
			if (!m->files[i].skipped)
				ru->ridx[n++] = (uint32_t)i;
		qsort_r(ru->ridx, n, sizeof *ru->ridx, cmp_row, m->files);
	}
	ru->d = d;
	k = 0;
	for (s = 0; s < m->nsegments && ru->stop == DS_E_OK; s++) {
		/* Rows of segments the list skips, and duplicates. */
		for (; k < n && row(ru, k)->segment < m->segments[s].segment;
		    k++)
			lost(ru, row(ru, k)->path, _("the archive never "
			    "reaches this row (segment %u is not on the "
			    "drive)"), row(ru, k)->segment);
		lo = k;
		while (k < n && row(ru, k)->segment == m->segments[s].segment)
			k++;
		if (s > 0 && m->segments[s].segment <=
		    m->segments[s - 1].segment)
			continue;
		read_segment(ru, &m->segments[s], lo, k - lo);
	}
	for (; k < n && ru->stop == DS_E_OK; k++)
		lost(ru, row(ru, k)->path, _("the archive never reaches this "
		    "row (segment %u is not on the drive)"),
		    row(ru, k)->segment);
	free(ru->ridx);
	ru->ridx = NULL;
}

/* Says that PATH was left out by prep (a warning, not damage). */
static void
warn_skipped(struct ds_dreader *dr, const char *path)
{
	char *msg;

	if (dr->o.ops == NULL || dr->o.ops->warn == NULL)
		return;
	if (asprintf(&msg, _("%s: was skipped by prep (unreadable)"),
	    path) == -1)
		return;
	dr->o.ops->warn(dr->o.ops->arg, msg);
	free(msg);
}

int
ds_dreader_run(struct ds_dreader *dr, const struct ds_dr_sink *sink)
{
	struct run	 ru;
	struct rdrive	*d;
	size_t		 i, f;

	if (dr->ran || (dr->o.flags & DS_DR_NO_KEY))
		return DS_E_INVAL;
	dr->ran = 1;
	memset(&ru, 0, sizeof ru);
	ru.dr = dr;
	ru.s = sink;
	ru.bad_chunk = -1;
	for (i = 0; i < dr->nidx; i++) {
		if ((d = dr->byidx[i]) == NULL || !d->mf_ok)
			continue;
		dr->files_total += d->mf->nfiles;
		dr->bytes_total += d->mf->bytes;
		for (f = 0; f < d->mf->nfiles; f++)
			if (d->mf->files[f].skipped)
				warn_skipped(dr, d->mf->files[f].path);
	}
	if (rs_build(&ru.rows, dr) == -1)
		ru.stop = DS_E_NOMEM;
	for (i = 0; i < dr->nidx && ru.stop == DS_E_OK; i++) {
		d = dr->byidx[i];
		dr->cur_drive = (int)i;
		if (d == NULL || !d->mf_ok) {
			ru.d = NULL;
			split_end(&ru, _("incomplete: part of this file is on "
			    "a missing drive"));
			if (d != NULL)
				ds_read_problem(dr->r, (int)i, -1, NULL,
				    "%s: %s", d->path, d->why_no_mf);
			continue;
		}
		read_drive(&ru, d);
	}
	ru.d = NULL;
	dr->cur_drive = -1;
	if (ru.stop == DS_E_OK)
		split_end(&ru, _("incomplete: the rest of this file is on a "
		    "missing drive"));
	else
		split_end(&ru, NULL);
	rs_free(&ru.rows);
	return ru.stop;
}
