/* SPDX-License-Identifier: MIT */
/* The format gate: every check before a drive is opened for writing. */
#include "config.h"

#include <sys/ioctl.h>
#include <sys/stat.h>

#include <linux/fs.h>

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "drives.h"
#include "drives-int.h"
#include "drives-lock.h"
#include "error.h"
#include "format.h"
#include "gate.h"
#include "jobrec.h"
#include "util.h"

static const char *
base_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash != NULL ? slash + 1 : path;
}

int
ds_gate_confirm_matches(const char *confirm, const char *id)
{
	size_t		 idlen = strlen(id);
	const char	*p = confirm, *comma;

	if (confirm == NULL || idlen == 0)
		return 0;
	for (;;) {
		comma = strchr(p, ',');
		size_t len = comma != NULL ? (size_t)(comma - p) : strlen(p);
		if (len == idlen && strncmp(p, id, len) == 0)
			return 1;
		if (comma == NULL)
			return 0;
		p = comma + 1;
	}
}

/* Whether PATH (maybe a by-id link) leads to a block device. */
static int
is_block(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISBLK(st.st_mode);
}

/* Looks PATH up as a whole disk; a block device that is not one is refused. */
static int
gate_lookup(const char *path, struct ds_drive **d, char **cause)
{
	struct ds_drive_limits	limits;
	int			error;

	if ((error = ds_drive_limits_init(&limits, cause)) != DS_E_OK)
		return error;
	error = ds_drive_lookup(path, &limits, d, cause);
	if (error == DS_E_NOTFOUND && is_block(path))
		error = DS_E_INELIGIBLE;
	return error;
}

/*
 * PATH as the gate uses it: a relative name that exists here (maybe a
 * symlink) or a link to an image file is resolved, so it is never taken
 * for a kernel name ("sdb") nor refused for being a link. BUF has
 * PATH_MAX bytes; returns PATH or BUF.
 */
static const char *
gate_resolve(const char *path, char *buf)
{
	struct stat st, lst;

	if (lstat(path, &lst) == -1 || stat(path, &st) == -1)
		return path;
	if ((strchr(path, '/') == NULL || (S_ISLNK(lst.st_mode) &&
	    S_ISREG(st.st_mode))) && realpath(path, buf) != NULL)
		return buf;
	return path;
}

/*
 * Refuses (DS_E_BUSY) the image file ST when a loop device reads it:
 * its file system may be mounted, and writing under it corrupts both.
 */
static int
refuse_loop_backing(const char *path, const struct stat *st, char **cause)
{
	struct stat	 bst;
	struct dirent	*de;
	DIR		*d;
	char		 sys[PATH_MAX], *back, *nl;
	int		 error = DS_E_OK;

	if ((d = opendir("/sys/block")) == NULL)
		return DS_E_OK;
	while (error == DS_E_OK && (de = readdir(d)) != NULL) {
		if (strncmp(de->d_name, "loop", 4) != 0)
			continue;
		snprintf(sys, sizeof sys, "/sys/block/%s/loop", de->d_name);
		if ((back = ds_sysfs_read(sys, "backing_file")) == NULL)
			continue;
		if ((nl = strchr(back, '\n')) != NULL)
			*nl = '\0';
		if (stat(back, &bst) == 0 && bst.st_dev == st->st_dev &&
		    bst.st_ino == st->st_ino)
			error = ds_cause(cause, DS_E_BUSY,
			    _("%s backs the loop device /dev/%s: detach it "
			    "first (losetup -d)"),
			    path, de->d_name);
		free(back);
	}
	closedir(d);
	return error;
}

char *
ds_gate_confirm_id(const char *path, char **cause)
{
	struct stat	 st, lst;
	struct ds_drive	*d;
	char		*id, buf[PATH_MAX];

	path = gate_resolve(path, buf);
	if (stat(path, &st) == -1) {
		ds_cause(cause, DS_E_NOTFOUND, "%s: %s", path,
		    strerror(errno));
		return NULL;
	}
	if (S_ISREG(st.st_mode) && lstat(path, &lst) == 0 &&
	    S_ISREG(lst.st_mode))
		return strdup(base_name(path));
	if (gate_lookup(path, &d, cause) != DS_E_OK)
		return NULL;
	id = strdup(d->confirm_id);
	ds_drive_free(d);
	return id;
}

/* Every reason D cannot be used, joined for a message; allocated. */
static char *
reasons_text(const struct ds_drive *d)
{
	char		*s = NULL, *t;
	unsigned	 bit;
	int		 i;

	for (i = 0; i < DS_DRIVE_NREASONS; i++) {
		bit = 1U << i;
		if (!(d->reasons & bit))
			continue;
		if (asprintf(&t, "%s%s%s%s%s%s", s != NULL ? s : "",
		    s != NULL ? "; " : "", _(ds_drive_reason_text(bit)),
		    d->details[i] != NULL ? " (" : "",
		    d->details[i] != NULL ? d->details[i] : "",
		    d->details[i] != NULL ? ")" : "") == -1)
			t = NULL;
		free(s);
		if ((s = t) == NULL)
			return NULL;
	}
	return s;
}

/* DS_E_INELIGIBLE with every reason when D has any, else DS_E_OK. */
static int
refuse_ineligible(const char *path, const struct ds_drive *d, char **cause)
{
	char	*why;
	int	 error;

	if (d->reasons == 0)
		return DS_E_OK;
	why = reasons_text(d);
	error = ds_cause(cause, DS_E_INELIGIBLE, "%s: %s", path,
	    why != NULL ? why : "");
	free(why);
	return error;
}

static int
str_same(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return strcmp(a, b) == 0;
}

/* DS_E_CHANGED unless NOW is still the drive that was WAS. */
static int
same_drive(const char *path, const struct ds_drive *was,
    const struct ds_drive *now, char **cause)
{
	char a[32], b[32];

	if (was->devnum != now->devnum)
		return ds_cause(cause, DS_E_CHANGED, _("%s is now another "
		    "device (%s)"), path, now->name);
	if (was->size != now->size)
		return ds_cause(cause, DS_E_CHANGED, _("%s: size was %s, is "
		    "%s"), path, ds_human_size(a, sizeof a, was->size),
		    ds_human_size(b, sizeof b, now->size));
	if (!str_same(was->serial, now->serial) ||
	    !str_same(was->confirm_id, now->confirm_id))
		return ds_cause(cause, DS_E_CHANGED, _("%s: was %s, is %s"),
		    path, was->confirm_id != NULL ? was->confirm_id : "?",
		    now->confirm_id != NULL ? now->confirm_id : "?");
	return DS_E_OK;
}

/* The block-device half of the gate: every check, O_EXCL, checks again. */
static int
gate_open_block(const char *path, const char *confirm_id,
    const struct ds_drive *listed, struct ds_gate *g, char **cause)
{
	struct ds_drive	*d = NULL, *again = NULL;
	struct stat	 st;
	uint64_t	 size;
	int		 fd = -1, ssz, error;

	if ((error = gate_lookup(path, &d, cause)) != DS_E_OK)
		return error;
	if (listed != NULL &&
	    (error = same_drive(path, listed, d, cause)) != DS_E_OK)
		goto fail;
	if ((error = refuse_ineligible(path, d, cause)) != DS_E_OK)
		goto fail;
	if (!ds_gate_confirm_matches(confirm_id, d->confirm_id)) {
		error = ds_cause(cause, DS_E_NOTCONFIRMED, _("%s: confirm it "
		    "with --confirm %s"), path, d->confirm_id);
		goto fail;
	}
	/* O_EXCL: the kernel refuses while anything mounts or holds it. */
	if ((fd = open(d->devnode, O_RDWR | O_EXCL | O_CLOEXEC)) == -1) {
		error = ds_cause(cause, errno == EBUSY ? DS_E_BUSY : DS_E_IO,
		    "%s: %s", d->devnode, strerror(errno));
		goto fail;
	}
	if (fstat(fd, &st) == -1 || !S_ISBLK(st.st_mode) ||
	    st.st_rdev != d->devnum) {
		error = ds_cause(cause, DS_E_CHANGED, _("%s is no longer the "
		    "device that was checked"), d->devnode);
		goto fail;
	}
	/* O_EXCL keeps out mounts and holders; the lock keeps out udev's
	 * probes and partitioning tools, which honour it (drives-lock.h). */
	if ((error = ds_drive_lock(fd, d->devnode, 1, cause)) != DS_E_OK)
		goto fail;
	if (ioctl(fd, BLKGETSIZE64, &size) == -1 ||
	    ioctl(fd, BLKSSZGET, &ssz) == -1) {
		error = ds_cause(cause, DS_E_IO, "%s: %s", d->devnode,
		    strerror(errno));
		goto fail;
	}
	if (size != d->size) {
		error = ds_cause(cause, DS_E_CHANGED, _("%s: size changed "
		    "while it was opened"), d->devnode);
		goto fail;
	}
	/* Once more, now that it is ours: still that disk, still unused. */
	if ((error = gate_lookup(d->devnode, &again, cause)) != DS_E_OK ||
	    (error = same_drive(path, d, again, cause)) != DS_E_OK)
		goto fail;
	if ((error = refuse_ineligible(path, again, cause)) != DS_E_OK)
		goto fail;
	g->fd = fd;
	g->size = size;
	g->sector_size = (unsigned)ssz;
	g->is_block = 1;
	g->path = strdup(path);
	g->drive_id = strdup(d->drive_id);
	ds_drive_free(d);
	ds_drive_free(again);
	if (g->path == NULL || g->drive_id == NULL) {
		ds_gate_close(g);
		return ds_cause(cause, DS_E_NOMEM, "%s", path);
	}
	return DS_E_OK;

fail:
	if (fd != -1)
		close(fd);
	ds_drive_free(d);
	ds_drive_free(again);
	return error;
}

int
ds_gate_open(const char *path, const char *confirm_id, struct ds_gate *g,
    char **cause)
{
	return ds_gate_open_listed(path, confirm_id, NULL, g, cause);
}

int
ds_gate_open_listed(const char *path, const char *confirm_id,
    const struct ds_drive *listed, struct ds_gate *g, char **cause)
{
	struct stat	 st, target;
	char		*id, buf[PATH_MAX];
	int		 fd, error;

	memset(g, 0, sizeof *g);
	g->fd = -1;
	path = gate_resolve(path, buf);
	if (lstat(path, &st) == -1)
		return ds_cause(cause, DS_E_NOTFOUND, "%s: %s", path,
		    strerror(errno));
	/* Block devices may be named by a link (/dev/disk/by-id). */
	if (S_ISBLK(st.st_mode) || (S_ISLNK(st.st_mode) && !(stat(path,
	    &target) == 0 && S_ISREG(target.st_mode))))
		return gate_open_block(path, confirm_id, listed, g, cause);
	if (!S_ISREG(st.st_mode))
		return ds_cause(cause, DS_E_INELIGIBLE,
		    _("%s is neither a block device nor an image file"), path);
	if ((error = refuse_loop_backing(path, &st, cause)) != DS_E_OK)
		return error;
	if ((id = ds_gate_confirm_id(path, cause)) == NULL)
		return DS_E_NOTFOUND;
	if (!ds_gate_confirm_matches(confirm_id, id)) {
		ds_cause(cause, DS_E_NOTCONFIRMED,
		    _("%s: confirm it with --confirm %s"), path, id);
		free(id);
		return DS_E_NOTCONFIRMED;
	}
	fd = open(path, O_RDWR | O_CLOEXEC | O_NOFOLLOW);
	if (fd == -1) {
		free(id);
		return ds_cause(cause, errno == EBUSY ? DS_E_BUSY : DS_E_IO,
		    "%s: %s", path, strerror(errno));
	}
	/* An image must not be swapped for another file between checks. */
	struct stat now;
	if (fstat(fd, &now) == -1 || now.st_ino != st.st_ino ||
	    now.st_dev != st.st_dev) {
		close(fd);
		free(id);
		return ds_cause(cause, DS_E_CHANGED, "%s", path);
	}
	g->fd = fd;
	g->size = (uint64_t)now.st_size;
	g->sector_size = 512;
	g->is_block = 0;
	g->path = strdup(path);
	g->drive_id = id;
	return DS_E_OK;
}

/* Reads what the drive open at FD (SIZE bytes) holds of diskseed. */
static int
seed_read_fd(int fd, uint64_t size, struct ds_gate_seed *s, char **cause)
{
	struct ds_hdr	 h, t;
	uint8_t		*blk;
	struct ds_jobrec *r;

	memset(s, 0, sizeof *s);
	s->state = -1;
	if (size < 2 * DS_FMT_BLOCK)
		return DS_E_OK;
	if ((blk = malloc(DS_FMT_BLOCK)) == NULL)
		return ds_cause(cause, DS_E_NOMEM, "header");
	if (pread(fd, blk, DS_FMT_BLOCK, 0) != DS_FMT_BLOCK ||
	    ds_hdr_decode(blk, &h, NULL) != DS_E_OK ||
	    h.kind != DS_HDR_HEADER) {
		free(blk);
		return DS_E_OK;
	}
	s->is_seed = 1;
	s->index = h.index;
	ds_hex(s->set_id, h.set_id, DS_FMT_SET_LEN);
	s->complete = pread(fd, blk, DS_FMT_BLOCK,
	    (off_t)ds_fmt_trailer_off(size)) == DS_FMT_BLOCK &&
	    ds_hdr_decode(blk, &t, NULL) == DS_E_OK &&
	    t.kind == DS_HDR_TRAILER &&
	    memcmp(t.set_id, h.set_id, DS_FMT_SET_LEN) == 0;
	free(blk);
	if ((s->job = strdup(h.job)) == NULL)
		return ds_cause(cause, DS_E_NOMEM, "header");
	/* A name that is not a job name cannot have a local record. */
	if (ds_jobrec_load(s->job, &r, NULL) == DS_E_OK) {
		s->state = (int)r->state;
		ds_jobrec_free(r);
	}
	return DS_E_OK;
}

int
ds_gate_seed_read(const char *path, struct ds_gate_seed *s, char **cause)
{
	struct stat	 st;
	uint64_t	 size;
	char		 buf[PATH_MAX];
	int		 fd, error;

	memset(s, 0, sizeof *s);
	s->state = -1;
	path = gate_resolve(path, buf);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return ds_cause(cause, errno == EACCES ? DS_E_PERM : DS_E_IO,
		    "%s: %s", path, strerror(errno));
	if (fstat(fd, &st) == -1 || (S_ISBLK(st.st_mode) ?
	    ioctl(fd, BLKGETSIZE64, &size) == -1 : !S_ISREG(st.st_mode))) {
		close(fd);
		return DS_E_OK;
	}
	if (S_ISREG(st.st_mode))
		size = (uint64_t)st.st_size;
	error = seed_read_fd(fd, size, s, cause);
	close(fd);
	return error;
}

void
ds_gate_seed_clear(struct ds_gate_seed *s)
{
	if (s == NULL)
		return;
	free(s->job);
	memset(s, 0, sizeof *s);
	s->state = -1;
}

char *
ds_gate_seed_text(const struct ds_gate_seed *s)
{
	char *t;

	if (!s->is_seed)
		return NULL;
	/* TRANSLATORS: job name, drive number (from 1), "complete" or
	 * "not complete", the job's state. */
	if (asprintf(&t, _("diskseed drive: job %s, drive %u, %s, job %s"),
	    s->job, s->index + 1, s->complete ? _("complete") :
	    _("not complete"), s->state >= 0 ?
	    ds_jobrec_state_name(s->state) :
	    _("not known on this computer")) == -1)
		return NULL;
	return t;
}

/* Whether a job in STATE (-1: unknown here) is finished with its drives. */
static int
job_done(int state)
{
	return state == DS_JOBREC_COMPLETED || state == DS_JOBREC_CLOSED ||
	    state == DS_JOBREC_CANCELED;
}

/* The overwrite rule of ds_gate_check_overwrite for what S says. */
static int
check_seed(const char *path, const struct ds_gate_seed *s,
    const char *set_id, const char *overwrite_job, char **cause)
{
	if (!s->is_seed)
		return DS_E_OK;
	if (set_id != NULL && strcasecmp(s->set_id, set_id) == 0)
		return ds_cause(cause, DS_E_INSET, _("%s is drive %u of job "
		    "%s's set already: give another drive"), path,
		    s->index + 1, s->job);
	if (job_done(s->state))
		return DS_E_OK;
	if (overwrite_job != NULL && strcmp(overwrite_job, s->job) == 0)
		return DS_E_OK;
	return ds_cause(cause, DS_E_OTHERJOB, _("%s holds drive %u of job "
	    "%s (%s): to format it all the same, name that job with "
	    "--overwrite-job %s"), path, s->index + 1, s->job,
	    s->state >= 0 ? ds_jobrec_state_name(s->state) :
	    _("not known on this computer"), s->job);
}

int
ds_gate_check_overwrite(const char *path, const char *job,
    const char *set_id, const char *overwrite_job, char **cause)
{
	struct ds_gate_seed	s;
	int			error;

	if ((error = ds_gate_seed_read(path, &s, cause)) != DS_E_OK)
		return error;
	(void)job;
	error = check_seed(path, &s, set_id, overwrite_job, cause);
	ds_gate_seed_clear(&s);
	return error;
}

int
ds_gate_open_format(const char *path, const char *confirm_id,
    const struct ds_drive *listed, const char *job, const char *set_id,
    const char *overwrite_job, struct ds_gate *g, char **cause)
{
	struct ds_gate_seed	s;
	int			error;

	if ((error = ds_gate_open_listed(path, confirm_id, listed, g,
	    cause)) != DS_E_OK)
		return error;
	/* Read through the open descriptor: what will be overwritten. */
	if ((error = seed_read_fd(g->fd, g->size, &s, cause)) == DS_E_OK)
		error = check_seed(path, &s, set_id, overwrite_job, cause);
	ds_gate_seed_clear(&s);
	if (error != DS_E_OK)
		ds_gate_close(g);
	return error;
}

void
ds_gate_close(struct ds_gate *g)
{
	if (g == NULL)
		return;
	if (g->fd != -1)
		close(g->fd);
	free(g->path);
	free(g->drive_id);
	memset(g, 0, sizeof *g);
	g->fd = -1;
}
