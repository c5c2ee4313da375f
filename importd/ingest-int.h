/* SPDX-License-Identifier: MIT */
/*
 * The ingest's internals, shared by its files (only they include this):
 *
 *   ingest.c         the receive and never-received commands, their
 *                    options, and the run: open, check, transfer, close
 *   ingest-drives.c  drives of the job: checked against it, loaded
 *   ingest-files.c   the file table built from the drives' manifests
 *   ingest-sink.c    the reader's sink: files streamed into the store
 *   ingest-links.c   hard-link names stored after the run, or waiting
 *                    for the drive of their target
 *   ingest-db.c      DIR/ingest.db: drives, files and names recorded
 *   ingest-job.c     the job document: drive and job states, saves
 *   ingest-log.c     the copy logs spooled and stored per drive
 *
 * Call order (ingest.c): ingest_open (config, job, lock, ingest.db,
 * store), check_drive for each drive named, then transfer: load_drives,
 * open_drives, load_files, idb_load_done, stream_drives (the sink, then
 * store_links), the accounting of every row, write_logs, save_doc; last
 * ingest_close, which frees all that struct ingest holds.
 *
 * Threads: the reading thread runs the sink; the store's pool threads
 * end uploads (obj_done). in->mu guards the file table's flags,
 * ingest.db's batch and the job document while the reader runs;
 * functions named *_locked want it held. Everything else runs on the
 * main thread before or after the reader.
 */
#ifndef IMPORTD_INGEST_INT_H
#define IMPORTD_INGEST_INT_H

#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include <pthread.h>
#include <sqlite3.h>

#include "dreader.h"
#include "importd.h"
#include "manifest.h"
#include "target.h"

/*
 * One file of the drive set, from the manifests of the drives in hand.
 * Its path is borrowed from the first manifest that names it (the
 * manifests live as long as the ingest), so a million-file job holds
 * each path once.
 */
struct ifile {
	const char	*path;
	uint64_t	 size;
	uint64_t	 covered;	/* bytes of parts on drives in hand */
	uint64_t	*on_drive;	/* bytes per drive; only when split */
	char		*failed;	/* why it was lost; NULL: not lost */
	/* The manifest row's SHA-256 (or a link target's), borrowed for the
	 * run: a copy would be 32 bytes a file. */
	const uint8_t	*sha;
	uint16_t	 drives;	/* bit I: drive I has a part */
	int8_t		 fail_drive;	/* where it was lost; -1: anywhere */
	unsigned	 has_sha:1;
	unsigned	 regular:1;
	unsigned	 has_last:1;
	unsigned	 uploaded:1;
	unsigned	 link:1;	/* another name of a regular file */
	unsigned	 symlink:1;
	unsigned	 waits:1;	/* a name whose target's drive is
					 * not in hand yet */
	unsigned	 link_met:1;	/* its hard link entry was read */
	unsigned	 link_rec:1;	/* in ingest.db's in_links */
};

/*
 * A copy log being written: an unlinked file (0600) in the importd
 * folder, so that a million lines do not stay in memory until the end.
 */
struct ilog {
	FILE	*fp;		/* NULL: nothing written yet */
	int	 broken;	/* the file could not be made */
};

/*
 * Another name of a regular file, stored as a copy of its target after
 * the run: met in the archive, or waiting in ingest.db (in_links) for
 * the drive that holds its target.
 */
struct ilink {
	struct ifile	*f;		/* NULL: its drive is not read */
	char		*path;		/* the name */
	char		*target;	/* the target's path */
	char		*drive_id;	/* the drive that holds the name */
	uint32_t	 mode;
	int64_t		 mtime;
	int64_t		 uid;
	int64_t		 gid;
	uint64_t	 size;		/* the stored target's, when found */
	uint8_t		 sha[32];
};

/* One drive of the job, as the ingest sees it. */
struct idrive {
	char		*id;		/* driveId */
	int		 index;		/* -1 when not in hand */
	char		*path;
	char		*key;		/* bitLockerKey; secret */
	struct ilog	 err, verbose;
	struct ilog	 listing;	/* folders, links, specials: JSON */
	struct ilog	 mf_copy;	/* the manifest, to be stored */
	uint64_t	 bytes;		/* uploaded bytes stored on it */
	uint64_t	 total;
	int		 pending;
	int		 failed;
};

struct ingest {
	const char	*dir;
	const char	*job;
	struct config	*cf;
	struct db	*db;
	sqlite3		*idb;
	json_t		*doc;
	char		*sub;
	char		*rg;
	struct target	*tgt;		/* the job's files */
	struct target	*logt;		/* copy logs; may be tgt */
	const char	*target_dir;	/* --target */
	const char	*sub_opt;	/* --subscription */
	const char	*rg_opt;	/* --resource-group */
	char		*container;
	char		*diag_container;
	char		*diag_prefix;
	struct idrive	*drives;
	size_t		 ndrives;
	struct ifile	*files;
	size_t		 nfiles;
	uint32_t	*slots;		/* index of files by path: 1 + i */
	size_t		 nslots;	/* a power of two */
	struct idrive	*by_index[IMPORTD_MAX_DRIVES];
	uint64_t	 uploads;
	char		*job_key;	/* the job's immutable id */
	sqlite3_stmt	*st_put;
	int		 idb_tx;	/* a batch of records is open */
	time_t		 idb_tx_at;
	time_t		 saved_at;	/* the job document's last save */
	long		 crash_after;	/* test hook */
	char		*pause_sync;	/* test hook */
	long		 pause_after;
	uint64_t	 pause_byte;	/* test hook */
	int		 problems;
	int		 cancelled;	/* the job was cancelled meanwhile */
	int		 lock_fd;
	int		 ran_before;
	int		 tgt_is_dir;
	/* While the reader runs (see stream_drives) */
	struct ds_dreader *dr;
	pthread_mutex_t	 mu;		/* files, ingest.db, the job: pool
					 * threads end uploads too */
	struct target_obj *cur;		/* the file being streamed */
	struct ifile	*cur_f;
	char		*sink_cause;
	struct ilink	*links;		/* hard links met */
	size_t		 nlinks;
	size_t		 links_cap;	/* the store may hold unlisted files */
};

/* Metadata of a stored file: mode, owner, mtime and SHA-256 (hex). */
struct imeta {
	struct ds_blob_meta	 m[4];
	char			 v[4][72];
};

/* Stops the reader and the uploads: SIGINT, SIGTERM, or the job
 * cancelled while it is received (ingest-sink.c). */
extern volatile sig_atomic_t stop_flag;

/* Where copy logs are spooled (the importd folder); set once by the
 * command's options (ingest-log.c). */
extern const char *log_dir;

/* ingest.c: a line to stdout, flushed. */
void	 say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* ingest-log.c: the copy logs. A line that cannot be written is lost
 * (the log's file could not be made): the run goes on. */
void	 logf_add(struct ilog *l, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
/* Closes L's file; L may be unopened. */
void	 ilog_close(struct ilog *l);
/* Stores drive D's copy logs (and manifest) in the diagnostics
 * container and sets their URIs in the job document. */
void	 write_logs(struct ingest *in, struct idrive *d);

/* ingest-job.c: the job document in->doc. The json_t results are
 * borrowed from in->doc until the next save_doc. */
json_t	*props_of(struct ingest *in);
json_t	*drive_json(struct ingest *in, const char *id);
const char *drive_state(struct ingest *in, const char *id);
/* Whether drive state S is one receive no longer changes. */
int	 final_state(const char *s);
void	 set_job_state(struct ingest *in, const char *state);
/* Sets what is not NULL (or -1) of drive ID in in->doc. */
void	 set_drive(struct ingest *in, const char *id, const char *state,
	    const char *copy_status, int percent, int64_t bytes);
/* Sets *key (allocated; caller frees) to the job's immutable id. */
int	 job_key_of(struct ingest *in, char **key, char **cause);
int	 cancelled_cause(struct ingest *in, char **cause);
/* Saves the fields receive owns; replaces in->doc by the merged job. */
int	 save_doc(struct ingest *in, char **cause);
/* save_doc at most once a second. */
int	 save_progress(struct ingest *in, char **cause);
/* Whether a drive of the job may still arrive. */
int	 expecting(struct ingest *in);

/* ingest-db.c: DIR/ingest.db (in->idb, in->st_put), every row keyed by
 * in->job_key. Each returns a DS_E_* code and sets *cause. */
int	 idb_open(struct ingest *in, char **cause);
/* Sets *cause to SQLite's last message; returns DS_E_IMPORTD_DB. */
int	 idb_fail(struct ingest *in, char **cause);
int	 idb_drive_put(struct ingest *in, const char *id, int index,
	    const char *path, char **cause);
int	 idb_ran_before(struct ingest *in, int *yes, char **cause);
/* Batched: committed by idb_flush, at most 5 s later. */
int	 idb_file_put(struct ingest *in, const char *path, uint64_t size,
	    const uint8_t *sha, char **cause);
int	 idb_flush(struct ingest *in, char **cause);
/* After load_files: marks the files ingest.db lists as stored. */
int	 idb_load_done(struct ingest *in, char **cause);
/* Adds the waiting names to in->links (after the reader ran). */
int	 idb_links_load(struct ingest *in, char **cause);
int	 idb_link_put(struct ingest *in, const struct ilink *l, int wait,
	    char **cause);

/* ingest-drives.c: in->drives, owned by the ingest. */
/* Frees what D holds (its key wiped), not D. */
void	 idrive_clear(struct idrive *d);
/* Borrowed from in->drives; NULL when the job has no such drive. */
struct idrive *find_drive(struct ingest *in, const char *id);
/* Fills in->drives from the job's driveList and ingest.db. */
int	 load_drives(struct ingest *in, char **cause);
/* Borrowed from the reader (in->dr); NULL when unreadable. */
const struct ds_manifest *drive_mf(struct ingest *in, struct idrive *d);
struct idrive *drive_at(struct ingest *in, int index);
/* Checks and records one drive named on the command line; what is
 * wrong is said and counted in in->problems. */
int	 check_drive(struct ingest *in, const char *path);

/* ingest-files.c: the file table in->files, its paths borrowed from the
 * manifests of in->dr. */
/* Borrowed from in->files; NULL when no manifest names PATH. */
struct ifile *find_file(struct ingest *in, const char *path);
int	 load_files(struct ingest *in);
int	 file_complete(const struct ifile *f);
uint64_t bytes_on(const struct ifile *f, unsigned k);

/* ingest-sink.c: the reading thread's side. */
void	 imeta_set(struct imeta *x, const struct ds_dr_entry *e,
	    const uint8_t *sha);
/* Counts F as stored; in->mu held. */
void	 stored_locked(struct ingest *in, struct ifile *f);
/* Names F lost with REASON (allocated, taken); takes in->mu. */
void	 file_lost(struct ingest *in, struct ifile *f, char *reason);
/* Opens in->dr on the drives in hand; catches SIGINT and SIGTERM. */
int	 open_drives(struct ingest *in, const char **paths, size_t n,
	    const char **keys, size_t nkeys, char **cause);
/* Runs the reader; *rep is allocated, the caller frees it. */
int	 stream_drives(struct ingest *in, struct ds_read_report **rep,
	    char **cause);

/* ingest-links.c: in->links, owned by the ingest. */
/* A new zeroed entry of in->links; NULL when out of memory. */
struct ilink *link_add(struct ingest *in);
/* Stores or records as waiting each name of in->links. */
int	 store_links(struct ingest *in, char **cause);

#endif
