/* SPDX-License-Identifier: MIT */
/*
 * Inside the hostile-drive reader (dreader.c, dreader-drive.c): a drive
 * opened for reading, and the reader's state. Not for other modules.
 */
#ifndef DS_DREADER_INT_H
#define DS_DREADER_INT_H

#include <stdarg.h>
#include <stdint.h>

#include "dreader.h"
#include "format.h"

/* A drive opened for reading. */
struct rdrive {
	char			*path;
	int			 fd;
	uint64_t		 size;
	struct ds_hdr		 h;	/* header, or the trailer's copy */
	struct ds_hdr		 trl;
	int			 hdr_ok;
	int			 trl_ok;
	int			 mf_ok;
	struct ds_manifest	*mf;
	uint8_t			 hblock[DS_FMT_BLOCK];
	uint8_t			 tblock[DS_FMT_BLOCK];
	uint8_t			 key[DS_FMT_KEY_LEN];
	int			 have_key;
	char			*why_no_mf;	/* translated */
};

struct ds_dreader {
	struct ds_dreader_opts	 o;
	struct ds_read_report	*r;
	struct rdrive		**byidx;	/* by index; NULL: missing */
	size_t			 nidx;
	uint8_t			*sealed;	/* bufsize bytes */
	uint8_t			*plain;
	size_t			 bufsize;
	int			 ran;
	int			 sink_bad;	/* the sink named damage */
	int			 checked;	/* bad chunks named already */
	uint64_t		 done_bytes;	/* for progress */
	uint64_t		 bytes_total;
	uint64_t		 files_done;
	uint64_t		 files_total;
	int			 cur_drive;	/* -1: none */
};

/* How much of a drive's manifest dr_drive_open() reads. */
enum dr_mf {
	DR_MF_NONE,		/* header and trailer only */
	DR_MF_HASH,		/* and the manifest's SHA-256 checked */
	DR_MF_PARSE,		/* and the manifest parsed (mf, mf_ok) */
};

/* Opens PATH and reads its header, trailer and (MODE) manifest; a
 * manifest that cannot be used is named in why_no_mf. */
int	dr_drive_open(const char *path, enum dr_mf mode, struct rdrive **out,
	    char **cause);
void	dr_drive_free(struct rdrive *d);

/* Opens every drive of DR's options, sorted by index. */
int	dr_open_set(struct ds_dreader *dr, char **cause);

/* Checks chunk I of D (manifest hash, then tag) into dr->plain; *lenp
 * gets its plaintext length; *why an allocated reason when not. */
int	dr_check_chunk(struct ds_dreader *dr, struct rdrive *d, uint64_t i,
	    uint32_t *lenp, char **why);

/* Adds a problem to R (ds_read_problem with a va_list). */
int	dr_vproblem(struct ds_read_report *r, int drive, int64_t chunk,
	    const char *path, const char *fmt, va_list ap)
	    __attribute__((format(printf, 5, 0)));

/* Calls the progress callback; non-zero: stop. */
int	dr_progress(struct ds_dreader *dr, const char *current);

#endif
