/* SPDX-License-Identifier: MIT */
/* The state directory and private, atomic file writes. */
#include "config.h"

#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "error.h"
#include "names.h"
#include "state.h"
#include "util.h"

static char *state_dir_override;

static int	fsync_parent(const char *path);

void
ds_state_set_dir(const char *dir)
{
	free(state_dir_override);
	state_dir_override = dir != NULL ? strdup(dir) : NULL;
}

int
ds_mkdir_p(const char *dir, int mode, char **cause)
{
	char	*copy, *p;
	int	 rc = DS_E_OK;

	if ((copy = strdup(dir)) == NULL)
		return DS_E_NOMEM;
	for (p = copy + 1; ; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		char c = *p;
		*p = '\0';
		if (mkdir(copy, mode) == -1 && errno != EEXIST) {
			rc = ds_cause(cause, DS_E_STATEDIR, "%s: %s", copy,
			    strerror(errno));
			break;
		}
		*p = c;
		if (c == '\0')
			break;
	}
	free(copy);
	return rc;
}

/*
 * The state folder (CONFIG 0) or the configuration folder (CONFIG 1),
 * not created; allocated. --state-dir names the one folder for both.
 */
static char *
base_dir(int config, char **cause)
{
	const char	*var = config ? "XDG_CONFIG_HOME" : "XDG_STATE_HOME";
	const char	*base, *home;
	char		*dir = NULL;

	if (state_dir_override != NULL)
		dir = strdup(state_dir_override);
	else if ((base = getenv(var)) != NULL && *base == '/') {
		if (asprintf(&dir, "%s/diskseed", base) == -1)
			dir = NULL;
	} else if ((home = getenv("HOME")) != NULL && *home == '/') {
		if (asprintf(&dir, "%s/%s/diskseed", home, config ?
		    ".config" : ".local/state") == -1)
			dir = NULL;
	} else {
		/* TRANSLATORS: %s is XDG_STATE_HOME or XDG_CONFIG_HOME. */
		ds_cause(cause, DS_E_STATEDIR, _("neither %s nor HOME is set; "
		    "use --state-dir"), var);
		return NULL;
	}
	if (dir == NULL)
		ds_cause(cause, DS_E_NOMEM, "%s", ds_strerror(DS_E_NOMEM));
	return dir;
}

/* base_dir(CONFIG), created (0700) when missing. */
static char *
made_dir(int config, char **cause)
{
	char *dir;

	if ((dir = base_dir(config, cause)) == NULL)
		return NULL;
	if (ds_mkdir_p(dir, 0700, cause) != DS_E_OK) {
		free(dir);
		return NULL;
	}
	return dir;
}

char *
ds_state_dir(char **cause)
{
	return made_dir(0, cause);
}

char *
ds_config_path(const char *name, char **cause)
{
	char *dir, *path;

	if ((dir = made_dir(1, cause)) == NULL)
		return NULL;
	if (asprintf(&path, "%s/%s", dir, name) == -1) {
		ds_cause(cause, DS_E_NOMEM, "%s", ds_strerror(DS_E_NOMEM));
		path = NULL;
	}
	free(dir);
	return path;
}

int
ds_state_move_to_config(const char *name, char **from, char **to,
    char **cause)
{
	struct stat	 st;
	char		*sdir = NULL, *cdir = NULL, *buf = NULL;
	size_t		 len = 0;
	int		 rc = DS_E_NOMEM;

	*from = *to = NULL;
	if (state_dir_override != NULL)
		return DS_E_OK;
	if ((sdir = base_dir(0, cause)) == NULL ||
	    (cdir = base_dir(1, cause)) == NULL) {
		rc = DS_E_STATEDIR;
		goto out;
	}
	if (asprintf(from, "%s/%s", sdir, name) == -1 ||
	    asprintf(to, "%s/%s", cdir, name) == -1) {
		*from = *to = NULL;
		goto out;
	}
	/* Once: only while the old file exists and the new one does not. */
	if (lstat(*to, &st) == 0 || errno != ENOENT ||
	    lstat(*from, &st) == -1 || !S_ISREG(st.st_mode)) {
		rc = DS_E_OK;
		free(*from);
		free(*to);
		*from = *to = NULL;
		goto out;
	}
	if ((rc = ds_mkdir_p(cdir, 0700, cause)) != DS_E_OK)
		goto out;
	if (rename(*from, *to) == 0) {
		rc = fsync_parent(*to) == 0 ? DS_E_OK : ds_cause(cause,
		    DS_E_IO, "%s: %s", cdir, strerror(errno));
		goto out;
	}
	if (errno != EXDEV) {
		rc = ds_cause(cause, DS_E_IO, "%s: %s", *to, strerror(errno));
		goto out;
	}
	/* Another file system: a private copy first, then the old one goes. */
	if ((rc = ds_read_file(*from, 16 * 1024 * 1024, &buf, &len, cause)) !=
	    DS_E_OK ||
	    (rc = ds_write_file_atomic(*to, buf, len, 0600, cause)) != DS_E_OK)
		goto out;
	if (unlink(*from) == -1)
		rc = ds_cause(cause, DS_E_IO, "%s: %s", *from, strerror(errno));
out:
	if (buf != NULL)
		ds_freezero(buf, len);
	if (rc != DS_E_OK) {
		free(*from);
		free(*to);
		*from = *to = NULL;
	}
	free(sdir);
	free(cdir);
	return rc;
}

char *
ds_state_path(const char *name, char **cause)
{
	char	*dir, *path, *slash;

	if ((dir = ds_state_dir(cause)) == NULL)
		return NULL;
	if (asprintf(&path, "%s/%s", dir, name) == -1) {
		free(dir);
		return NULL;
	}
	free(dir);
	if ((slash = strrchr(path, '/')) != NULL && strchr(name, '/')) {
		*slash = '\0';
		if (ds_mkdir_p(path, 0700, cause) != DS_E_OK) {
			free(path);
			return NULL;
		}
		*slash = '/';
	}
	return path;
}

static int
fsync_parent(const char *path)
{
	char	*copy, *slash;
	int	 fd, rc;

	/* Room for "." even when PATH is empty. */
	if ((copy = malloc(strlen(path) + 2)) == NULL)
		return -1;
	memcpy(copy, path, strlen(path) + 1);
	if ((slash = strrchr(copy, '/')) == NULL)
		memcpy(copy, ".", 2);
	else if (slash == copy)
		slash[1] = '\0';
	else
		*slash = '\0';
	fd = open(copy, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	free(copy);
	if (fd == -1)
		return -1;
	rc = fsync(fd);
	close(fd);
	return rc;
}

int
ds_write_file_atomic(const char *path, const void *buf, size_t len,
    int mode, char **cause)
{
	char		*tmp = NULL;
	const char	*p = buf;
	int		 fd = -1, rc;
	ssize_t		 n;

	if (asprintf(&tmp, "%s.tmp.%ld", path, (long)getpid()) == -1)
		return DS_E_NOMEM;
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW,
	    mode);
	if (fd == -1)
		goto fail;
	if (fchmod(fd, mode) == -1)
		goto fail;
	while (len > 0) {
		if ((n = write(fd, p, len)) == -1) {
			if (errno == EINTR)
				continue;
			goto fail;
		}
		p += n;
		len -= (size_t)n;
	}
	if (fsync(fd) == -1 || close(fd) == -1) {
		fd = -1;
		goto fail;
	}
	fd = -1;
	if (rename(tmp, path) == -1)
		goto fail;
	fsync_parent(path);
	free(tmp);
	return DS_E_OK;

fail:
	rc = ds_cause(cause, errno == EACCES ? DS_E_PERM : DS_E_IO, "%s: %s",
	    path, strerror(errno));
	if (fd != -1)
		close(fd);
	unlink(tmp);
	free(tmp);
	return rc;
}

int
ds_read_file(const char *path, size_t max, char **bufp, size_t *lenp,
    char **cause)
{
	struct stat	 st;
	char		*buf = NULL;
	size_t		 len = 0, cap = 0;
	ssize_t		 n;
	int		 fd;

	*bufp = NULL;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return ds_cause(cause, errno == ENOENT ? DS_E_NOTFOUND :
		    errno == EACCES ? DS_E_PERM : DS_E_IO, "%s: %s", path,
		    strerror(errno));
	if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
		close(fd);
		return ds_cause(cause, DS_E_INVAL, "%s: %s", path,
		    strerror(EISDIR));
	}
	for (;;) {
		if (len + 1 >= cap) {
			size_t ncap = cap == 0 ? 8192 : cap * 2;
			char *nbuf;
			if (ncap > max + 1)
				ncap = max + 1;
			if (ncap <= len + 1) {
				free(buf);
				close(fd);
				return ds_cause(cause, DS_E_INVAL,
				    _("%s: larger than %zu bytes"), path, max);
			}
			if ((nbuf = realloc(buf, ncap)) == NULL) {
				free(buf);
				close(fd);
				return DS_E_NOMEM;
			}
			buf = nbuf;
			cap = ncap;
		}
		n = read(fd, buf + len, cap - len - 1);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			int e = errno;
			free(buf);
			close(fd);
			return ds_cause(cause, DS_E_IO, "%s: %s", path,
			    strerror(e));
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	buf[len] = '\0';
	*bufp = buf;
	if (lenp != NULL)
		*lenp = len;
	return DS_E_OK;
}

int
ds_check_private(const char *path, char **cause)
{
	struct stat st;

	if (stat(path, &st) == -1)
		return ds_cause(cause, DS_E_NOTFOUND, "%s: %s", path,
		    strerror(errno));
	if (st.st_mode & 077)
		return ds_cause(cause, DS_E_INSECURE,
		    _("%s is readable by other users (mode %04o); "
		    "run: chmod 600 %s"), path, (unsigned)(st.st_mode & 07777),
		    path);
	return DS_E_OK;
}

char *
ds_state_job_file(const char *job, const char *file, char **cause)
{
	char	*name, *path;

	if (ds_name_check_job(job, cause) != DS_E_OK)
		return NULL;
	if (asprintf(&name, "jobs/%s/%s", job, file) == -1) {
		ds_cause(cause, DS_E_NOMEM, "%s", job);
		return NULL;
	}
	path = ds_state_path(name, cause);
	free(name);
	return path;
}

int
ds_state_jobs(const char *file, char ***jobs, size_t *n, char **cause)
{
	struct dirent	*de;
	DIR		*d;
	char		*dir, *path, **v = NULL, **nv;
	size_t		 count = 0;
	int		 rc = DS_E_OK, have;

	*jobs = NULL;
	*n = 0;
	if ((dir = ds_state_path("jobs/.", cause)) == NULL)
		return DS_E_STATEDIR;
	dir[strlen(dir) - 2] = '\0';
	if ((d = opendir(dir)) == NULL) {
		free(dir);
		return DS_E_OK;
	}
	while ((de = readdir(d)) != NULL) {
		if (ds_name_check_job(de->d_name, NULL) != DS_E_OK)
			continue;
		if (asprintf(&path, "%s/%s/%s", dir, de->d_name,
		    file != NULL ? file : ".") == -1) {
			rc = DS_E_NOMEM;
			break;
		}
		have = access(path, F_OK) == 0;
		free(path);
		if (!have)
			continue;
		if ((nv = reallocarray(v, count + 1, sizeof *v)) == NULL) {
			rc = DS_E_NOMEM;
			break;
		}
		v = nv;
		if ((v[count] = strdup(de->d_name)) == NULL) {
			rc = DS_E_NOMEM;
			break;
		}
		count++;
	}
	closedir(d);
	free(dir);
	if (count > 0)
		qsort(v, count, sizeof *v, ds_cmp_strp);
	*jobs = v;
	*n = count;
	return rc;
}
