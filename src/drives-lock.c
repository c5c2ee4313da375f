/* SPDX-License-Identifier: MIT */
/* flock() on the block devices diskseed reads and writes (drives-lock.h). */
#include "config.h"

#include <sys/file.h>
#include <sys/stat.h>

#include <errno.h>
#include <string.h>

#include "drives-lock.h"
#include "error.h"
#include "i18n.h"
#include "util.h"

int
ds_drive_lock(int fd, const char *path, int exclusive, char **cause)
{
	struct stat st;

	if (fstat(fd, &st) == -1)
		return ds_cause(cause, DS_E_IO, "%s: %s", path,
		    strerror(errno));
	if (!S_ISBLK(st.st_mode))
		return DS_E_OK;
	while (flock(fd, (exclusive ? LOCK_EX : LOCK_SH) | LOCK_NB) == -1) {
		if (errno == EINTR)
			continue;
		if (errno == EWOULDBLOCK)
			return ds_cause(cause, DS_E_BUSY, _("%s is locked by "
			    "another program (flock); try again once it is "
			    "done with the drive"), path);
		return ds_cause(cause, DS_E_IO, "%s: flock: %s", path,
		    strerror(errno));
	}
	return DS_E_OK;
}
