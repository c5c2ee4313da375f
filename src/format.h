/* SPDX-License-Identifier: MIT */
/*
 * The on-drive format (doc/format.md describes it byte by byte): the
 * header block at offset 0 and its copy, the trailer, in the last 4 KiB;
 * fixed-size chunk slots from DS_FMT_DATA_OFF, each a record header, the
 * AES-256-GCM ciphertext and its tag; the recovery key's text form.
 *
 * Pure functions over buffers: nothing here does I/O, so the unit tests
 * and the fuzzers can call them directly.
 */
#ifndef DS_FORMAT_H
#define DS_FORMAT_H

#include <stddef.h>
#include <stdint.h>

#define DS_FMT_VERSION		1
#define DS_FMT_BLOCK		4096
#define DS_FMT_DATA_OFF		(1024 * 1024)
#define DS_FMT_CIPHER_GCM	1
#define DS_FMT_KEY_LEN		32
#define DS_FMT_SET_LEN		16
#define DS_FMT_TAG_LEN		16
#define DS_FMT_REC_LEN		64	/* chunk record header */
#define DS_FMT_JOB_MAX		255
#define DS_FMT_RKEY_LEN		111	/* 16 groups of 6 digits + 15 '-' */
#define DS_FMT_CHUNK_MAX	(64 * 1024 * 1024)
/* Drives in one set: the one limit, for prep, the CLI and the decoder. */
#define DS_MAX_DRIVES		64
#define DS_FMT_MAX_DRIVES	DS_MAX_DRIVES

#define DS_FMT_CHUNK_LAST	0x1	/* flag: last chunk of its segment */

/* The header (kind DS_HDR_HEADER) and trailer (DS_HDR_TRAILER) block. */
enum ds_hdr_kind {
	DS_HDR_HEADER = 1,
	DS_HDR_TRAILER = 2,
};

struct ds_hdr {
	enum ds_hdr_kind kind;
	uint32_t	 version;
	uint8_t		 set_id[DS_FMT_SET_LEN];
	uint32_t	 index;
	uint32_t	 cipher;
	uint32_t	 chunk_size;	/* bytes per slot */
	uint64_t	 data_off;
	uint64_t	 drive_size;
	uint64_t	 created;	/* seconds since the epoch */
	uint8_t		 key_check[32];
	char		 job[DS_FMT_JOB_MAX + 1];
	/* Trailer only (zero in the header). */
	uint64_t	 manifest_off;
	uint64_t	 manifest_len;
	uint8_t		 manifest_hash[32];
	uint64_t	 chunks;
	uint32_t	 last;		/* the stream ends on this drive */
};

/* Encodes H into the DS_FMT_BLOCK bytes at OUT (sealed by a SHA-256). */
void	ds_hdr_encode(const struct ds_hdr *h, uint8_t *out);

/*
 * Decodes the block at IN; DS_E_PARSE when the magic, version or the
 * block's SHA-256 is wrong, with *cause saying which.
 */
int	ds_hdr_decode(const uint8_t *in, struct ds_hdr *h, char **cause);

/* The offset of the trailer block on a drive of SIZE bytes. */
uint64_t ds_fmt_trailer_off(uint64_t size);

/* The key-check value of KEY for drive INDEX of SET_ID. */
void	ds_fmt_key_check(const uint8_t *key, const uint8_t *set_id,
	    uint32_t index, uint8_t out[32]);

/* The chunk record header in front of each chunk's ciphertext. */
struct ds_chunk_rec {
	uint32_t	 flags;
	uint32_t	 session;	/* nonce prefix: write session */
	uint64_t	 index;		/* chunk (slot) index on the drive */
	uint32_t	 segment;
	uint32_t	 length;	/* plaintext bytes */
	uint64_t	 stream_off;	/* offset of the chunk in its segment */
};

/* Plaintext bytes a slot of CHUNK_SIZE bytes holds. */
size_t	ds_chunk_payload(uint32_t chunk_size);

/* Bytes of a sealed chunk of LEN plaintext bytes (record + data + tag). */
size_t	ds_chunk_sealed_len(size_t len);

/*
 * Seals R->length bytes of PLAIN into OUT (ds_chunk_sealed_len bytes):
 * record header, AES-256-GCM ciphertext, tag. The nonce is R->session
 * and R->index; the AAD binds SET_ID, INDEX and the record header.
 */
int	ds_chunk_seal(const uint8_t *key, const uint8_t *set_id,
	    uint32_t drive, const struct ds_chunk_rec *r, const uint8_t *plain,
	    uint8_t *out);

/*
 * Opens the sealed chunk IN (at most INLEN bytes) expected at slot
 * INDEX: fills R and writes R->length bytes to PLAIN (room for
 * ds_chunk_payload). DS_E_DAMAGED when the record, the slot or the tag
 * is wrong. KEY NULL: only the record header is decoded.
 */
int	ds_chunk_open(const uint8_t *key, const uint8_t *set_id,
	    uint32_t drive, uint64_t index, const uint8_t *in, size_t inlen,
	    struct ds_chunk_rec *r, uint8_t *plain, char **cause);

/* Writes KEY as the recovery key text (DS_FMT_RKEY_LEN + 1 bytes). */
void	ds_rkey_format(const uint8_t *key, char *out);

/*
 * Parses a recovery key (groups separated by '-' or spaces) into KEY.
 * DS_E_PARSE names the first group that is mistyped (not a multiple of
 * 11, or too big), counting from 1.
 */
int	ds_rkey_parse(const char *text, uint8_t *key, char **cause);

/* The driveHeaderHash of a drive: "0:4096:HEX;OFF:4096:HEX". */
char	*ds_fmt_header_hash(const uint8_t *header, const uint8_t *trailer,
	    uint64_t trailer_off);

#endif
