/* SPDX-License-Identifier: MIT */
/*
 * The --recovery-keys FILE of verify and restore: drives read on a
 * machine without their key files (the copy computer lost, or the
 * receiving side), with the recovery keys prep printed. The keys come
 * from a file, never from argv.
 */
#ifndef DS_RKEYFILE_H
#define DS_RKEYFILE_H

#include <stddef.h>

/*
 * Reads PATH ("-": standard input): blank lines and lines starting with
 * '#' left out. A key is 16 groups of digits, on one line or over
 * several (as the wizard's keys screen shows it); a line may be framed
 * by the screen's border ('|', '│'). A label before the key ("2: KEY",
 * prep's own line "drive 2 (...): recovery key KEY", or the screen's
 * "Drive 2 (...):" on the line before) says whose it is by its first
 * number, the drive index; without one the keys go to drives 0, 1, 2...
 * in turn. KEYS gets NKEYS entries by drive index, NULL for a drive with
 * none. Returns a DS_E_* code.
 */
int	 rkeyfile_read(const char *path, char ***keys, size_t *nkeys,
	    char **cause);

struct ds_read_opts;

/* rkeyfile_read into O's recovery keys; prints what went wrong. A
 * DS_EXIT_* code. */
int	 rkeyfile_use(const char *path, struct ds_read_opts *o, char ***keys,
	    size_t *nkeys);

/* Wipes and frees what rkeyfile_read gave. */
void	 rkeyfile_free(char **keys, size_t nkeys);

#endif
