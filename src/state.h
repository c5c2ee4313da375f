/* SPDX-License-Identifier: MIT */
/*
 * The local state directory ($XDG_STATE_HOME/diskseed, or
 * ~/.local/state/diskseed: keys, journals, job records), the folder of
 * what the user chooses ($XDG_CONFIG_HOME/diskseed, or
 * ~/.config/diskseed: settings), both the one folder --state-dir names,
 * and the safe way to write files there: private (0700 folders, 0600
 * files), atomic (write a temporary, fsync, rename, fsync the folder).
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

/*
 * Returns the allocated path of NAME in the configuration folder,
 * creating the folder (0700); NULL with *cause set.
 */
char	*ds_config_path(const char *name, char **cause);

/*
 * Moves NAME from the state folder, where diskseed before 0.2.0 kept it,
 * to the configuration folder, once: only when the old file exists and
 * the new one does not (and never with --state-dir: one folder). After a
 * move *from and *to are the allocated old and new paths (the caller
 * frees both and tells the user); else both are NULL.
 */
int	 ds_state_move_to_config(const char *name, char **from, char **to,
	    char **cause);

/*
 * The allocated path of FILE in JOB's folder (jobs/JOB/FILE), creating
 * the folder; NULL with *cause set (DS_E_BADNAME) when JOB is not a job
 * name (src/names.h), so no name reaches the file system unchecked.
 */
char	*ds_state_job_file(const char *job, const char *file, char **cause);

/*
 * The names of the jobs under jobs/ (valid job names only) that have
 * FILE (NULL: any job folder), sorted; *jobs is an allocated array of
 * allocated strings (free each, then the array).
 */
int	 ds_state_jobs(const char *file, char ***jobs, size_t *n,
	    char **cause);

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
