/* SPDX-License-Identifier: MIT */
/*
 * The hostile-drive reader: the only place where bytes from a drive turn
 * into paths, sizes and types. restore, verify --deep and the import
 * service's ingest all read drives through it.
 *
 * A drive is built by someone the reader does not trust: it can be
 * perfectly consistent (valid key, tags, manifest) and still lie. The
 * reader opens a drive set, reads its segments in order, decrypts and
 * decompresses them, and checks every archive entry against its manifest
 * row before a sink sees it:
 *   - the path is in normal form (relative, no "", ".", ".." or empty
 *     component, no "//"; any bytes otherwise, UTF-8 or not) and is the
 *     same in the archive and the manifest;
 *   - the type is the same (a row "file" whose entry is a symlink, a
 *     device, a FIFO or a hard link is damage);
 *   - a file part lies within its file (offset + length <= size), the
 *     archive entry's size equals the part's length, parts follow each
 *     other without gap or overlap, and only regular files have parts;
 *   - a hard link names a path this run already delivered as a regular
 *     file or a part of one (without DS_DR_WHOLE, also a path on none of
 *     the drives in hand: the sink then checks it stored that file).
 * No byte beyond what the row declares is ever passed on or hashed; a
 * declared size the archive does not hold is damage, never zeros. Rows
 * the archive never reaches (a segment that does not exist, an ordinal
 * gap, a damaged chunk) are damage too. Devices, FIFOs and sockets are
 * never created or opened by anyone: they come to the sink's other()
 * as DS_DR_SPECIAL and the reader lists them as not restored. Damage is
 * named (path and reason) in the report and the rest goes on.
 *
 * Call order:
 *	ds_dreader_open()		once; drives, keys, manifests
 *	ds_dreader_check_chunks()	optional: every chunk's hash and tag
 *	ds_dreader_run(sink)		at most once; the whole stream
 *	ds_dreader_report() / ds_dreader_take_report()
 *	ds_dreader_free()
 *
 * For each regular file part the sink gets begin(), then data() zero or
 * more times in increasing file offsets, then end() -- always end() when
 * begin() returned 0, whatever happened in between. Parts of a file that
 * spans drives come as separate begin/end pairs, first to last (e->first,
 * e->last), each with its own offset. Bytes of a part that no data() call
 * covers are zeros (sparse holes); the sink makes them. Folders, symbolic
 * links, hard links and specials go to other(). With DS_DR_WHOLE, a file
 * whose earlier parts were delivered and whose later ones turn out lost
 * goes to drop(), so the sink removes what it made of it.
 *
 * Every callback returns 0 to go on. begin() may return DS_DR_SKIP: the
 * reader reads past the part without passing or hashing it (a resumed
 * ingest, a file already stored) and calls no end() for it. Any other
 * non-zero return (a DS_E_* code) stops the run, which returns it.
 *
 * Ownership: an entry, its strings and the buffers given to data() are
 * borrowed until the callback returns. The sink's handle is the sink's.
 * Threads: the reader runs in the thread that calls ds_dreader_run(),
 * and calls the sink and the ops from it, one call at a time. It has no
 * global state: several readers may run at once in different threads.
 * Cancel: ops->progress() is called at least every 4 MiB read, hashed or
 * passed on, and after each entry; a non-zero return, or *stop set (by a
 * signal handler), ends the run within a second with DS_E_CANCELED.
 */
#ifndef DS_DREADER_H
#define DS_DREADER_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include "manifest.h"
#include "ops.h"

/* One thing found wrong, named so a person can act on it. */
struct ds_problem {
	int		 drive_index;	/* -1: not tied to a drive */
	int64_t		 chunk;		/* -1: not tied to a chunk */
	char		*path;		/* the file affected; NULL: none */
	char		*reason;	/* translated, full sentence */
};

struct ds_read_report {
	uint64_t	 files_ok;
	uint64_t	 files_failed;	/* damaged or on a missing drive */
	uint64_t	 bytes_ok;
	size_t		 nproblems;
	struct ds_problem *problems;
	size_t		 nmissing;	/* drive indexes never given */
	int		*missing;
	size_t		 nnotrestored;	/* specials: listed, not made */
};

/* Frees R and everything in it; takes NULL. */
void	ds_read_report_free(struct ds_read_report *r);

/* Adds a problem to R; returns DS_E_OK or DS_E_NOMEM. */
int	ds_read_problem(struct ds_read_report *r, int drive, int64_t chunk,
	    const char *path, const char *fmt, ...)
	    __attribute__((format(printf, 5, 6)));

/* Flags of struct ds_dreader_opts. */
#define DS_DR_WHOLE	0x1	/* only whole files: a part whose other
				 * parts are missing or lost is damage and
				 * is not passed on (restore, verify) */
#define DS_DR_GAPS_ONLY	0x2	/* name only missing drives between given
				 * ones (verify of drives one by one) */
#define DS_DR_NO_KEY	0x4	/* no key: inspect only; run() refused */

struct ds_dreader_opts {
	const char *const *drives;	/* paths, any order; borrowed */
	size_t		   ndrives;
	/* Optional: recovery keys by drive index (NULL: the key file). */
	const char *const *recovery_keys;
	size_t		   nrecovery_keys;
	int		   flags;	/* DS_DR_* */
	enum ds_phase	   phase;	/* what progress reports */
	const struct ds_ui_ops *ops;	/* may be NULL */
	const volatile sig_atomic_t *stop; /* may be NULL */
};

enum ds_dr_kind {
	DS_DR_FILE,		/* a regular file part: begin/data/end */
	DS_DR_DIR,
	DS_DR_SYMLINK,
	DS_DR_HARDLINK,		/* another name of a file delivered */
	DS_DR_SPECIAL,		/* device, FIFO, socket: never made */
};

struct archive_entry;

/* One checked entry. Everything is borrowed until the callback returns. */
struct ds_dr_entry {
	const char	*path;		/* normal form, relative, raw bytes */
	enum ds_dr_kind	 kind;
	int		 drive_index;
	uint32_t	 segment;
	uint64_t	 size;		/* the whole file's (FILE only) */
	uint64_t	 offset;	/* of this part in the file */
	uint64_t	 length;	/* of this part */
	int		 first;		/* offset == 0 */
	int		 last;		/* the file's last (or only) part */
	uint32_t	 mode;		/* st_mode: type and permission bits */
	int64_t		 uid;
	int64_t		 gid;
	const char	*uname;		/* NULL when not stored */
	const char	*gname;
	struct timespec	 atime;
	struct timespec	 mtime;
	int		 has_atime;
	/* SYMLINK: the target as stored (never resolved by the reader);
	 * HARDLINK: the normal-form path of a regular file (part)
	 * delivered earlier in this run (without DS_DR_WHOLE: or on none
	 * of the drives in hand); otherwise NULL. */
	const char	*target;
	const uint8_t	*sha;		/* the manifest's SHA-256, or NULL */
	const char	*what;		/* SPECIAL: translated, e.g. "FIFO" */
	/* For extended attributes and ACLs only (archive_entry_xattr_*,
	 * archive_entry_acl_*): its path, type, size and links are the
	 * drive's claims, already checked above; use the fields above. */
	struct archive_entry *ae;
};

/* How a part ended (end()). */
enum ds_dr_status {
	DS_DR_OK,	/* the whole file is in, its SHA-256 matched: sha set */
	DS_DR_PART,	/* this part is whole and within bounds; the file's
			 * SHA-256 is checked with its last part (or, when
			 * its earlier parts were not read in this run, not
			 * here): sha NULL */
	DS_DR_BAD,	/* damaged; the reason is in the report already */
};

#define DS_DR_SKIP	(-1)	/* from begin(): read past this part */

struct ds_dr_sink {
	void	*arg;
	/* A regular file part starts; *handle is the sink's own. */
	int	(*begin)(void *arg, const struct ds_dr_entry *e,
		    void **handle);
	/* LEN bytes at OFF in the file (not in the part). */
	int	(*data)(void *arg, void *handle, const void *buf, size_t len,
		    uint64_t off);
	/* The part ended; SHA is the file's SHA-256 when ST is DS_DR_OK. */
	int	(*end)(void *arg, void *handle, const struct ds_dr_entry *e,
		    enum ds_dr_status st, const uint8_t *sha);
	/* A folder, symbolic link, hard link or special. */
	int	(*other)(void *arg, const struct ds_dr_entry *e);
	/* DS_DR_WHOLE: PATH, whose earlier parts ended DS_DR_PART, is lost;
	 * may be NULL. */
	int	(*drop)(void *arg, const char *path);
};

struct ds_dreader;

/*
 * Opens every drive of O (sorted by index; header, trailer, manifest)
 * and, unless DS_DR_NO_KEY, loads and checks every key before anything
 * is read: a wrong key returns DS_E_BADKEY. Missing drives are named in
 * the report, not fatal. *out is allocated (ds_dreader_free).
 */
int	ds_dreader_open(const struct ds_dreader_opts *o,
	    struct ds_dreader **out, char **cause);

/* Checks every chunk of every drive (hash and tag) and names what is
 * wrong with headers, trailers and chunks in the report (verify). */
int	ds_dreader_check_chunks(struct ds_dreader *dr);

/* Reads the whole stream into SINK (see above). DS_E_OK even when the
 * report names damage; DS_E_CANCELED; a sink's code; DS_E_NOMEM. */
int	ds_dreader_run(struct ds_dreader *dr, const struct ds_dr_sink *sink);

/* A sink names the loss of PATH (a write that failed, a path refused):
 * counted as a failed file. Returns DS_E_OK or DS_E_NOMEM. */
int	ds_dreader_damage(struct ds_dreader *dr, const char *path,
	    const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* The report so far; borrowed until ds_dreader_free. */
const struct ds_read_report *ds_dreader_report(const struct ds_dreader *dr);

/* The report; the caller frees it (ds_read_report_free). Once only. */
struct ds_read_report *ds_dreader_take_report(struct ds_dreader *dr);

/* The manifests read, by drive index (NULL: missing or unreadable);
 * borrowed until ds_dreader_free. */
size_t	ds_dreader_ndrives(const struct ds_dreader *dr);
const struct ds_manifest *ds_dreader_manifest(const struct ds_dreader *dr,
	    size_t index);

/* Checks that the drive at PATH has a trailer and a manifest whose
 * SHA-256 is the trailer's, reading it a buffer at a time (nothing is
 * parsed or held); *cause names what is wrong. */
int	ds_drive_check_manifest(const char *path, char **cause);

/* Writes the manifest text of the drive at PATH to FP a buffer at a
 * time and flushes FP; DS_E_DAMAGED when its SHA-256 is not the
 * trailer's (what was written is then not to be used). */
int	ds_drive_copy_manifest(const char *path, FILE *fp, char **cause);

/* Frees DR; takes NULL. Keys are wiped. */
void	ds_dreader_free(struct ds_dreader *dr);

#endif
