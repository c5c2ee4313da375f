/* SPDX-License-Identifier: MIT */
/*
 * Reading prepared drives back: inspect (no key), verify (keys: chunk
 * tags; --deep also decompresses and checks every file's SHA-256) and
 * restore (into a folder). Used by the CLI, the wizard, and by
 * diskseed-importd's ingest, which restores into a spool folder and
 * uploads from it.
 *
 * Keys come from the state directory's key file of the drive set, or,
 * on the receiving side, from the recovery keys the import job holds
 * (struct ds_read_opts.recovery_keys, indexed by drive index).
 */
#ifndef DS_RESTORE_H
#define DS_RESTORE_H

#include <stddef.h>
#include <stdint.h>

#include "dreader.h"
#include "ops.h"

/* What a drive says about itself; no key needed. */
struct ds_drive_info {
	char		 set_id[33];	/* hex */
	uint32_t	 index;		/* 0-based in the set */
	char		*job;		/* the job name in the header */
	char		*header_hash;	/* as the API's driveHeaderHash */
	char		*manifest_file;
	char		*manifest_hash;	/* hex; NULL when no manifest */
	uint64_t	 size;
	uint64_t	 bytes_used;
	uint64_t	 chunks;
	uint64_t	 files;		/* files whose data starts here */
	uint64_t	 stream_bytes;	/* uncompressed bytes stored here */
	int		 last;		/* the stream ends on this drive */
	int		 complete;	/* manifest and trailer present */
};

/* Reads PATH's header and manifest; free INFO with ds_drive_info_clear. */
int	ds_drive_inspect(const char *path, struct ds_drive_info *info,
	    char **cause);
void	ds_drive_info_clear(struct ds_drive_info *info);

struct ds_read_opts {
	const char *const *drives;	/* paths, any order */
	size_t		   ndrives;
	const char	  *to;		/* restore: target folder */
	const char	  *deep;	/* verify: staging folder to compare */
	/* Optional: recovery keys by drive index (NULL: the key file). */
	const char *const *recovery_keys;
	size_t		   nrecovery_keys;
	const struct ds_ui_ops *ops;
};

/*
 * Verify and restore. Both return DS_E_OK when nothing was wrong,
 * DS_E_DAMAGED when the report lists problems (restore then has restored
 * everything that could be), or another code when nothing could be done
 * (a wrong key: DS_E_BADKEY, and restore writes no file at all).
 * *report is allocated whenever the return is DS_E_OK or DS_E_DAMAGED.
 */
int	ds_verify(const struct ds_read_opts *o, struct ds_read_report **report,
	    char **cause);
int	ds_restore(const struct ds_read_opts *o,
	    struct ds_read_report **report, char **cause);

#endif
