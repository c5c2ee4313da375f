/* SPDX-License-Identifier: MIT */
/*
 * The manifest of a drive: plain JSON (readable without the key), written
 * right after the drive's last chunk; doc/format.md lists its fields.
 * Prep builds it from the journal's segment records (whose "chunks" and
 * "files" entries are already in manifest form); inspect, verify and
 * restore parse it with ds_manifest_parse().
 */
#ifndef DS_MANIFEST_H
#define DS_MANIFEST_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#define DS_MF_NOSEG	UINT32_MAX	/* a skipped file: no segment */

enum ds_mf_type {
	DS_MF_FILE,
	DS_MF_DIR,
	DS_MF_SYMLINK,
	DS_MF_HARDLINK,
	DS_MF_OTHER,
};

/* A row: 96 bytes (a manifest can hold millions), its path apart. */
struct ds_mf_file {
	char		*path;		/* raw bytes, relative; in a parsed
					 * manifest, in its path pool */
	uint64_t	 size;		/* the whole file's size */
	uint64_t	 offset;	/* of this part in the file */
	uint64_t	 length;	/* of this part */
	int64_t		 mtime_ns;	/* when it was read */
	int64_t		 ctime_ns;
	uint32_t	 segment;	/* DS_MF_NOSEG when skipped */
	uint32_t	 ordinal;	/* entry number in its segment */
	enum ds_mf_type	 type;
	unsigned int	 last:1;	/* last (or only) part */
	unsigned int	 has_sha:1;	/* sha: the whole file's SHA-256 */
	unsigned int	 changed:1;	/* changed while it was read */
	unsigned int	 skipped:1;	/* unreadable, not copied */
	unsigned int	 has_times:1;
	uint8_t		 sha[32];
};

struct ds_mf_chunk {
	uint64_t	 index;
	uint32_t	 segment;
	uint32_t	 length;	/* plaintext bytes */
	uint8_t		 sha[32];	/* of the sealed bytes on the drive */
};

struct ds_mf_segment {
	uint32_t	 segment;
	uint64_t	 first_chunk;
	uint64_t	 nchunks;
	uint64_t	 stream_bytes;	/* uncompressed (pax) bytes */
};

struct ds_manifest {
	char			 set_id[33];
	uint32_t		 drive;
	char			*job;
	uint32_t		 chunk_size;
	int			 last;
	size_t			 nsegments;
	struct ds_mf_segment	*segments;
	size_t			 nchunks;
	struct ds_mf_chunk	*chunks;
	size_t			 nfiles;
	struct ds_mf_file	*files;
	size_t			 chunks_cap;	/* allocated */
	size_t			 files_cap;
	uint64_t		 bytes;		/* file bytes stored here */
	uint64_t		 stream_bytes;
	/* The rows' paths, packed in blocks that never move. */
	char			**pool;
	size_t			 npool;
	size_t			 pool_used;	/* in the last block */
	size_t			 pool_size;	/* of the last block */
};

/* Parses manifest text; *out is allocated (ds_manifest_free). */
int	 ds_manifest_parse(const char *buf, size_t len,
	    struct ds_manifest **out, char **cause);

/*
 * Reads the LEN bytes of manifest at OFF of FD a window at a time (a
 * million rows' text is never held whole: only the rows' C form stays)
 * and parses them into *out (allocated; NULL: only hashed). SUM gets the
 * SHA-256 of every byte read, also when they do not parse: the caller
 * compares it to the trailer's before it trusts *out. Returns DS_E_IO
 * when the bytes cannot be read, DS_E_PARSE when they are no manifest
 * (*out NULL; SUM set), DS_E_NOMEM, else DS_E_OK.
 */
int	 ds_manifest_read(int fd, uint64_t off, uint64_t len,
	    uint8_t sum[32], struct ds_manifest **out);
void	 ds_manifest_free(struct ds_manifest *m);

/* The JSON of F as stored in the journal and manifest; new reference. */
json_t	*ds_mf_file_json(const struct ds_mf_file *f);

/* Reads KEY (or KEY"Hex") of OBJ as an allocated raw string; NULL when
 * it has neither. */
char	*ds_mf_path(json_t *obj, const char *key);

/* Sets KEY (or KEY"Hex" when PATH is not UTF-8) of OBJ to PATH. */
int	 ds_mf_set_path(json_t *obj, const char *key, const char *path);

#endif
