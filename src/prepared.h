/* SPDX-License-Identifier: MIT */
/*
 * What prep leaves behind for the import job: one record per prepared
 * drive, kept by the engine in the state directory
 * (jobs/<job>/drives.json, mode 0600, since it holds recovery keys) and
 * read by the import-job client (job create) and the wizard.
 *
 * Call order: ds_prepared_load() then ds_prepared_free(). The engine
 * writes the file as drives are started and closed.
 */
#ifndef DS_PREPARED_H
#define DS_PREPARED_H

#include <stddef.h>
#include <stdint.h>

struct ds_prepared_drive {
	int		 index;		/* 0-based position in the drive set */
	char		*path;		/* where it was written */
	char		*drive_id;	/* the API's driveId: hardware serial
					   without spaces, or the image's
					   file name */
	char		*recovery_key;	/* the API's bitLockerKey: 16 groups
					   of 6 digits; secret, wiped on free */
	char		*manifest_file;	/* the API's manifestFile */
	char		*manifest_hash;	/* the API's manifestHash: hex */
	char		*header_hash;	/* the API's driveHeaderHash:
					   "off:len:HEX;off:len:HEX" */
	uint64_t	 bytes_used;	/* bytes written on the drive */
	uint64_t	 size;		/* the drive's size */
	int		 complete;	/* manifest and trailer written */
};

struct ds_prepared {
	char			*job;
	char			*set_id;	/* hex */
	char			*staging;	/* absolute path */
	int			 finished;	/* all of staging copied */
	uint64_t		 bytes_total;	/* staging bytes */
	size_t			 ndrives;
	struct ds_prepared_drive *drives;
};

/* Loads the record of JOB; *out is allocated, free with ds_prepared_free. */
int	ds_prepared_load(const char *job, struct ds_prepared **out,
	    char **cause);

/*
 * Whether drive I (a position in P->drives) was closed because it was
 * full: complete, and not the drive that holds the end of a finished set
 * (that one may be half used). For the words shown next to a drive.
 */
int	ds_prepared_drive_full(const struct ds_prepared *p, size_t i);

/* Frees P (wiping the recovery keys); takes NULL. */
void	ds_prepared_free(struct ds_prepared *p);

/*
 * The names of the jobs that have prep state, sorted; *jobs is an
 * allocated array of allocated strings (free each, then the array).
 */
int	ds_prepared_list(char ***jobs, size_t *njobs, char **cause);

/* Writes P as JOB's record (atomically, mode 0600); engine only. */
int	ds_prepared_save(const struct ds_prepared *p, char **cause);

#endif
