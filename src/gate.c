/* The format gate: every check before a drive is opened for writing. */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "error.h"
#include "gate.h"

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

char *
ds_gate_confirm_id(const char *path, char **cause)
{
	struct stat st;

	if (stat(path, &st) == -1) {
		ds_cause(cause, DS_E_NOTFOUND, "%s: %s", path,
		    strerror(errno));
		return NULL;
	}
	if (S_ISREG(st.st_mode))
		return strdup(base_name(path));
	/* Block devices: drive detection (src/drives.c) is not built yet. */
	ds_cause(cause, DS_E_NOTIMPL, _("%s: block devices are not "
	    "supported yet; use an image file"), path);
	return NULL;
}

int
ds_gate_open(const char *path, const char *confirm_id, struct ds_gate *g,
    char **cause)
{
	struct stat	 st;
	char		*id;
	int		 fd;

	memset(g, 0, sizeof *g);
	g->fd = -1;
	if (lstat(path, &st) == -1)
		return ds_cause(cause, DS_E_NOTFOUND, "%s: %s", path,
		    strerror(errno));
	if (!S_ISREG(st.st_mode) && !S_ISBLK(st.st_mode))
		return ds_cause(cause, DS_E_INELIGIBLE,
		    _("%s is neither a block device nor an image file"), path);
	if ((id = ds_gate_confirm_id(path, cause)) == NULL)
		return S_ISBLK(st.st_mode) ? DS_E_NOTIMPL : DS_E_NOTFOUND;
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
