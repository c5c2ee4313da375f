/*
 * The local state directory ($XDG_STATE_HOME/diskseed, or
 * ~/.local/state/diskseed, or what --state-dir names) and the safe way to
 * write files there: private (0700 folders, 0600 files), atomic (write a
 * temporary, fsync, rename, fsync the folder).
 */
#ifndef DS_STATE_H
#define DS_STATE_H

#include <stddef.h>

/* Overrides the state directory for this process (NULL: the default). */
void	ds_state_set_dir(const char *dir);

/*
 * Returns the state directory, creating it (0700) when missing; an
 * allocated string the caller frees, or NULL with *cause set.
 */
char	*ds_state_dir(char **cause);

/*
 * Returns the allocated path of NAME below the state directory, creating
 * the intermediate folders (0700). NAME may contain slashes.
 */
char	*ds_state_path(const char *name, char **cause);

/* Makes DIR and its parents with MODE when missing. */
int	 ds_mkdir_p(const char *dir, int mode, char **cause);

/*
 * Writes LEN bytes to PATH atomically with MODE (0600 for anything
 * secret): PATH is either the old file or the whole new one, never a mix.
 */
int	 ds_write_file_atomic(const char *path, const void *buf, size_t len,
	    int mode, char **cause);

/*
 * Reads all of PATH into an allocated buffer (NUL-terminated, *lenp
 * without the NUL) of at most MAX bytes. The caller frees.
 */
int	 ds_read_file(const char *path, size_t max, char **bufp, size_t *lenp,
	    char **cause);

/*
 * Refuses (DS_E_INSECURE) a secret file that group or others can read,
 * so a key copied carelessly is noticed instead of used.
 */
int	 ds_check_private(const char *path, char **cause);

#endif
