/* SPDX-License-Identifier: MIT */
/*
 * The disk sink of restore: what the hostile-drive reader hands over is
 * made under the target folder with the *at() calls, from a descriptor
 * of the target, one path component at a time. No symbolic link is ever
 * followed (one restored earlier, or one already in the target), files
 * are created O_EXCL | O_NOFOLLOW and checked regular after open, and
 * metadata (owner, mode, xattrs, ACLs, times) is set on the descriptor.
 */
#include "config.h"

#include <sys/stat.h>
#include <sys/xattr.h>

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>

#include "error.h"
#include "restore-int.h"
#include "state.h"
#include "util.h"

#define ACL_MAX	1024	/* entries of one ACL we set */

/* A folder's mode and times, set once its content is in. */
struct dirmeta {
	char		*path;
	uint32_t	 mode;
	struct timespec	 ts[2];
};

struct ds_disk {
	int			 root;
	struct ds_dreader	*dr;
	int			 owner;		/* root: set owners */
	/* The last name looked up (names win over numbers, as tar). */
	char			*uname;
	uid_t			 uid;
	char			*gname;
	gid_t			 gid;
	struct dirmeta		*dirs;
	size_t			 ndirs;
	size_t			 dirs_cap;
	/* The file being restored in parts, made by this run. */
	char			*split;
	dev_t			 split_dev;
	ino_t			 split_ino;
};

/* A regular file part being written. */
struct out {
	int	 parent;
	int	 fd;
	int	 err;		/* errno of a failed write */
	char	*leaf;
};

int
ds_confined_parent(int root, const char *path, int create,
    const char **leaf)
{
	const char	*p = path, *slash;
	char		*comp;
	int		 fd, nfd, e;

	if ((fd = dup(root)) == -1)
		return -1;
	while ((slash = strchr(p, '/')) != NULL) {
		if ((comp = strndup(p, (size_t)(slash - p))) == NULL) {
			close(fd);
			errno = ENOMEM;
			return -1;
		}
		nfd = openat(fd, comp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
		    O_CLOEXEC);
		if (nfd == -1 && errno == ENOENT && create &&
		    mkdirat(fd, comp, 0755) == 0)
			nfd = openat(fd, comp, O_RDONLY | O_DIRECTORY |
			    O_NOFOLLOW | O_CLOEXEC);
		e = errno;
		free(comp);
		close(fd);
		if (nfd == -1) {
			errno = e;
			return -1;
		}
		fd = nfd;
		p = slash + 1;
	}
	*leaf = p;
	return fd;
}

/* Names PATH as not restored because of ERR (an errno). */
static void
refused(struct ds_disk *k, const char *path, int err)
{
	if (err == ELOOP || err == ENOTDIR)
		ds_dreader_damage(k->dr, path, _("refused: a folder on its "
		    "path is a symbolic link or not a folder"));
	else
		ds_dreader_damage(k->dr, path, _("cannot be restored: %s"),
		    strerror(err));
}

/* Removes LEAF of PARENT when it is no folder; for a retry of O_EXCL. */
static int
clear_leaf(int parent, const char *leaf)
{
	struct stat st;

	if (fstatat(parent, leaf, &st, AT_SYMLINK_NOFOLLOW) == -1)
		return errno == ENOENT ? 0 : -1;
	if (S_ISDIR(st.st_mode)) {
		errno = EISDIR;
		return -1;
	}
	return unlinkat(parent, leaf, 0);
}

static int
acl_tag(int t)
{
	switch (t) {
	case ARCHIVE_ENTRY_ACL_USER_OBJ:
		return 0x01;
	case ARCHIVE_ENTRY_ACL_USER:
		return 0x02;
	case ARCHIVE_ENTRY_ACL_GROUP_OBJ:
		return 0x04;
	case ARCHIVE_ENTRY_ACL_GROUP:
		return 0x08;
	case ARCHIVE_ENTRY_ACL_MASK:
		return 0x10;
	case ARCHIVE_ENTRY_ACL_OTHER:
		return 0x20;
	default:
		return -1;
	}
}

static int
cmp_acl(const void *a, const void *b)
{
	const uint8_t	*x = a, *y = b;
	uint32_t	 tx = x[0] | (uint32_t)x[1] << 8;
	uint32_t	 ty = y[0] | (uint32_t)y[1] << 8;
	uint32_t	 ix, iy;

	if (tx != ty)
		return tx < ty ? -1 : 1;
	memcpy(&ix, x + 4, 4);
	memcpy(&iy, y + 4, 4);
	return ix < iy ? -1 : ix > iy;
}

/* Sets the POSIX ACL of TYPE of AE on FD as the kernel's xattr NAME
 * (version 2, then tag, permissions and id of each entry). */
static void
set_acl(int fd, struct archive_entry *ae, int type, const char *name,
    int min)
{
	uint8_t		*buf, *p;
	const char	*nm;
	int		 t, perm, tag, id, n;
	size_t		 len = 4;
	uint32_t	 uid;

	n = archive_entry_acl_reset(ae, type);
	if (n <= min || n > ACL_MAX || (buf = malloc(4 + 8 * (size_t)n)) ==
	    NULL)
		return;
	buf[0] = 2;
	buf[1] = buf[2] = buf[3] = 0;
	while (len < 4 + 8 * (size_t)n && archive_entry_acl_next(ae, type, &t,
	    &perm, &tag, &id, &nm) == ARCHIVE_OK) {
		if (acl_tag(tag) == -1)
			continue;
		p = buf + len;
		p[0] = (uint8_t)acl_tag(tag);
		p[1] = 0;
		p[2] = (uint8_t)(perm & 7);
		p[3] = 0;
		uid = tag == ARCHIVE_ENTRY_ACL_USER || tag ==
		    ARCHIVE_ENTRY_ACL_GROUP ? (uint32_t)id : UINT32_MAX;
		p[4] = (uint8_t)uid;
		p[5] = (uint8_t)(uid >> 8);
		p[6] = (uint8_t)(uid >> 16);
		p[7] = (uint8_t)(uid >> 24);
		len += 8;
	}
	qsort(buf + 4, (len - 4) / 8, 8, cmp_acl);
	fsetxattr(fd, name, buf, len, 0);
	free(buf);
}

/* The owner of E here: its user and group names when this system knows
 * them, else its numbers. The last name of each is cached. */
static void
owner_of(struct ds_disk *k, const struct ds_dr_entry *e, uid_t *uid,
    gid_t *gid)
{
	struct passwd	 pw, *pp;
	struct group	 gr, *gp;
	char		 buf[4096];

	*uid = (uid_t)e->uid;
	*gid = (gid_t)e->gid;
	if (e->uname != NULL && k->uname != NULL &&
	    strcmp(e->uname, k->uname) == 0)
		*uid = k->uid;
	else if (e->uname != NULL && getpwnam_r(e->uname, &pw, buf,
	    sizeof buf, &pp) == 0 && pp != NULL) {
		*uid = pp->pw_uid;
		free(k->uname);
		if ((k->uname = strdup(e->uname)) != NULL)
			k->uid = pp->pw_uid;
	}
	if (e->gname != NULL && k->gname != NULL &&
	    strcmp(e->gname, k->gname) == 0)
		*gid = k->gid;
	else if (e->gname != NULL && getgrnam_r(e->gname, &gr, buf,
	    sizeof buf, &gp) == 0 && gp != NULL) {
		*gid = gp->gr_gid;
		free(k->gname);
		if ((k->gname = strdup(e->gname)) != NULL)
			k->gid = gp->gr_gid;
	}
}

/* Sets owner, xattrs and ACLs of E on FD; mode and times unless DIR
 * (a folder gets them at the end). */
static void
set_meta(struct ds_disk *k, int fd, const struct ds_dr_entry *e, int dir)
{
	const char	*name;
	const void	*val;
	size_t		 size;
	struct timespec	 ts[2];
	uid_t		 uid;
	gid_t		 gid;

	if (k->owner) {
		owner_of(k, e, &uid, &gid);
		if (fchown(fd, uid, gid) == -1)
			ds_dreader_damage(k->dr, e->path, _("owner not set: "
			    "%s"), strerror(errno));
	}
	if (!dir)
		fchmod(fd, (mode_t)(e->mode & 07777));
	archive_entry_xattr_reset(e->ae);
	while (archive_entry_xattr_next(e->ae, &name, &val, &size) ==
	    ARCHIVE_OK)
		if (name != NULL && fsetxattr(fd, name, val, size, 0) == -1 &&
		    errno != ENOTSUP && errno != EPERM)
			ds_dreader_damage(k->dr, e->path, _("extended "
			    "attribute %s not set: %s"), name,
			    strerror(errno));
	set_acl(fd, e->ae, ARCHIVE_ENTRY_ACL_TYPE_ACCESS,
	    "system.posix_acl_access", 3);
	if (dir)
		set_acl(fd, e->ae, ARCHIVE_ENTRY_ACL_TYPE_DEFAULT,
		    "system.posix_acl_default", 0);
	if (dir)
		return;
	ts[0] = e->atime;
	if (!e->has_atime)
		ts[0].tv_nsec = UTIME_OMIT;
	ts[1] = e->mtime;
	futimens(fd, ts);
}

/* Opens the file of part E: created for the first part, reopened (the
 * same file this run made) for the next ones. */
static int
open_part(struct ds_disk *k, const struct ds_dr_entry *e, struct out *o)
{
	const char	*leaf;
	struct stat	 st;
	int		 fl = O_WRONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC;

	if ((o->parent = ds_confined_parent(k->root, e->path, 1, &leaf)) ==
	    -1 || (o->leaf = strdup(leaf)) == NULL)
		return -1;
	if (e->first) {
		o->fd = openat(o->parent, leaf, fl | O_CREAT | O_EXCL, 0600);
		if (o->fd == -1 && errno == EEXIST &&
		    clear_leaf(o->parent, leaf) == 0)
			o->fd = openat(o->parent, leaf, fl | O_CREAT | O_EXCL,
			    0600);
	} else
		o->fd = openat(o->parent, leaf, fl);
	if (o->fd == -1)
		return -1;
	if (fstat(o->fd, &st) == -1)
		return -1;
	if (!S_ISREG(st.st_mode) || (!e->first && (st.st_dev != k->split_dev ||
	    st.st_ino != k->split_ino))) {
		close(o->fd);
		o->fd = -1;
		errno = EINVAL;
		return -1;
	}
	k->split_dev = st.st_dev;
	k->split_ino = st.st_ino;
	return 0;
}

static void
out_free(struct out *o)
{
	if (o == NULL)
		return;
	if (o->fd != -1)
		close(o->fd);
	if (o->parent != -1)
		close(o->parent);
	free(o->leaf);
	free(o);
}

static int
disk_begin(void *arg, const struct ds_dr_entry *e, void **handle)
{
	struct ds_disk	*k = arg;
	struct out	*o;

	/* A later part of a file this run did not make: named already. */
	if (!e->first && (k->split == NULL || strcmp(k->split, e->path) != 0))
		return DS_DR_SKIP;
	if ((o = calloc(1, sizeof *o)) == NULL)
		return DS_E_NOMEM;
	o->fd = o->parent = -1;
	if (open_part(k, e, o) == -1) {
		refused(k, e->path, errno == EINVAL ? ELOOP : errno);
		out_free(o);
		free(k->split);
		k->split = NULL;
		return DS_DR_SKIP;
	}
	*handle = o;
	return 0;
}

/* Writes LEN bytes at OFF, leaving holes where 64 KiB blocks are zero. */
static int
write_sparse(int fd, const uint8_t *buf, size_t len, uint64_t off)
{
	size_t	i, n;

	for (i = 0; i < len; i += n) {
		n = len - i < 65536 ? len - i : 65536;
		if (buf[i] == 0 && memcmp(buf + i, buf + i + 1, n - 1) == 0)
			continue;
		if (pwrite(fd, buf + i, n, (off_t)(off + i)) != (ssize_t)n)
			return -1;
	}
	return 0;
}

static int
disk_data(void *arg, void *handle, const void *buf, size_t len, uint64_t off)
{
	struct out *o = handle;

	(void)arg;
	if (o->err == 0 && write_sparse(o->fd, buf, len, off) == -1)
		o->err = errno != 0 ? errno : EIO;
	return 0;
}

static int
disk_end(void *arg, void *handle, const struct ds_dr_entry *e,
    enum ds_dr_status st, const uint8_t *sha)
{
	struct ds_disk	*k = arg;
	struct out	*o = handle;
	int		 ok = st != DS_DR_BAD;

	(void)sha;
	if (ok && o->err != 0) {
		ds_dreader_damage(k->dr, e->path, _("cannot be written: %s"),
		    strerror(o->err));
		ok = 0;
	}
	if (ok && e->last && ftruncate(o->fd, (off_t)e->size) == -1) {
		ds_dreader_damage(k->dr, e->path, _("cannot be written: %s"),
		    strerror(errno));
		ok = 0;
	}
	if (ok && e->last)
		set_meta(k, o->fd, e, 0);
	if (!ok)
		unlinkat(o->parent, o->leaf, 0);	/* made by this run */
	free(k->split);
	k->split = NULL;
	if (ok && !e->last && (k->split = strdup(e->path)) == NULL) {
		out_free(o);
		return DS_E_NOMEM;
	}
	out_free(o);
	return DS_E_OK;
}

/* Removes PATH, whose earlier parts this run wrote: the rest is lost. */
static int
disk_drop(void *arg, const char *path)
{
	struct ds_disk	*k = arg;
	struct stat	 st;
	const char	*leaf;
	int		 parent;

	if (k->split == NULL || strcmp(k->split, path) != 0)
		return 0;
	free(k->split);
	k->split = NULL;
	if ((parent = ds_confined_parent(k->root, path, 0, &leaf)) == -1)
		return 0;
	if (fstatat(parent, leaf, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
	    S_ISREG(st.st_mode) && st.st_dev == k->split_dev &&
	    st.st_ino == k->split_ino)
		unlinkat(parent, leaf, 0);
	close(parent);
	return 0;
}

/* Makes folder E (mode and times wait for ds_disk_finish). */
static int
make_dir(struct ds_disk *k, int parent, const char *leaf,
    const struct ds_dr_entry *e)
{
	struct dirmeta	*nd;
	int		 fd;

	if (mkdirat(parent, leaf, 0700) == -1 && errno != EEXIST)
		return -1;
	fd = openat(parent, leaf, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC);
	if (fd == -1)
		return -1;
	set_meta(k, fd, e, 1);
	close(fd);
	if (k->ndirs == k->dirs_cap) {
		k->dirs_cap = k->dirs_cap ? 2 * k->dirs_cap : 64;
		if ((nd = reallocarray(k->dirs, k->dirs_cap,
		    sizeof *nd)) == NULL)
			return -2;
		k->dirs = nd;
	}
	nd = &k->dirs[k->ndirs];
	if ((nd->path = strdup(e->path)) == NULL)
		return -2;
	nd->mode = e->mode & 07777;
	nd->ts[0] = e->atime;
	if (!e->has_atime)
		nd->ts[0].tv_nsec = UTIME_OMIT;
	nd->ts[1] = e->mtime;
	k->ndirs++;
	return 0;
}

/* Makes symbolic link E, never following it or any other. */
static int
make_symlink(struct ds_disk *k, int parent, const char *leaf,
    const struct ds_dr_entry *e)
{
	struct timespec	ts[2];
	uid_t		uid;
	gid_t		gid;

	if (symlinkat(e->target, parent, leaf) == -1 && (errno != EEXIST ||
	    clear_leaf(parent, leaf) == -1 || symlinkat(e->target, parent,
	    leaf) == -1))
		return -1;
	if (k->owner) {
		owner_of(k, e, &uid, &gid);
		fchownat(parent, leaf, uid, gid, AT_SYMLINK_NOFOLLOW);
	}
	ts[0] = e->atime;
	if (!e->has_atime)
		ts[0].tv_nsec = UTIME_OMIT;
	ts[1] = e->mtime;
	utimensat(parent, leaf, ts, AT_SYMLINK_NOFOLLOW);
	return 0;
}

/* Makes hard link E to a regular file restored before it. */
static int
make_link(struct ds_disk *k, int parent, const char *leaf,
    const struct ds_dr_entry *e)
{
	const char	*tleaf;
	struct stat	 st;
	int		 tp, rc = -1;

	if ((tp = ds_confined_parent(k->root, e->target, 0, &tleaf)) == -1)
		return -1;
	if (fstatat(tp, tleaf, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
	    !S_ISREG(st.st_mode))
		errno = EINVAL;
	else if (linkat(tp, tleaf, parent, leaf, 0) == 0 || (errno ==
	    EEXIST && clear_leaf(parent, leaf) == 0 && linkat(tp, tleaf,
	    parent, leaf, 0) == 0))
		rc = 0;
	close(tp);
	return rc;
}

static int
disk_other(void *arg, const struct ds_dr_entry *e)
{
	struct ds_disk	*k = arg;
	const char	*leaf;
	int		 parent, r = 0;

	if (e->kind == DS_DR_SPECIAL)
		return 0;	/* listed by the reader, never made */
	if ((parent = ds_confined_parent(k->root, e->path, 1, &leaf)) == -1) {
		refused(k, e->path, errno);
		return 0;
	}
	if (e->kind == DS_DR_DIR)
		r = make_dir(k, parent, leaf, e);
	else if (e->kind == DS_DR_SYMLINK)
		r = make_symlink(k, parent, leaf, e);
	else if (e->kind == DS_DR_HARDLINK)
		r = make_link(k, parent, leaf, e);
	close(parent);
	if (r == -2)
		return DS_E_NOMEM;
	if (r == -1)
		refused(k, e->path, errno == EINVAL ? ELOOP : errno);
	return 0;
}

int
ds_disk_open(const char *to, struct ds_dreader *dr, struct ds_disk **out,
    char **cause)
{
	struct ds_disk	*k;
	int		 rc;

	*out = NULL;
	if ((rc = ds_mkdir_p(to, 0755, cause)) != DS_E_OK)
		return rc;
	if ((k = calloc(1, sizeof *k)) == NULL)
		return DS_E_NOMEM;
	k->dr = dr;
	k->owner = geteuid() == 0;
	if ((k->root = open(to, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1) {
		rc = ds_cause(cause, DS_E_IO, "%s: %s", to, strerror(errno));
		free(k);
		return rc;
	}
	*out = k;
	return DS_E_OK;
}

void
ds_disk_sink(struct ds_disk *k, struct ds_dr_sink *s)
{
	memset(s, 0, sizeof *s);
	s->arg = k;
	s->begin = disk_begin;
	s->data = disk_data;
	s->end = disk_end;
	s->other = disk_other;
	s->drop = disk_drop;
}

int
ds_disk_finish(struct ds_disk *k)
{
	const char	*leaf;
	size_t		 i;
	int		 parent, fd;

	for (i = k->ndirs; i-- > 0;) {
		parent = ds_confined_parent(k->root, k->dirs[i].path, 0,
		    &leaf);
		if (parent == -1)
			continue;
		fd = openat(parent, leaf, O_RDONLY | O_DIRECTORY |
		    O_NOFOLLOW | O_CLOEXEC);
		close(parent);
		if (fd == -1)
			continue;
		fchmod(fd, (mode_t)k->dirs[i].mode);
		futimens(fd, k->dirs[i].ts);
		close(fd);
	}
	return DS_E_OK;
}

void
ds_disk_free(struct ds_disk *k)
{
	size_t i;

	if (k == NULL)
		return;
	for (i = 0; i < k->ndirs; i++)
		free(k->dirs[i].path);
	free(k->dirs);
	free(k->split);
	free(k->uname);
	free(k->gname);
	if (k->root != -1)
		close(k->root);
	free(k);
}
