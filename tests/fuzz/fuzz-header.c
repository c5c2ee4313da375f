/* SPDX-License-Identifier: MIT */
/*
 * The drive's header and trailer blocks (ds_hdr_decode) and the record
 * header of a sealed chunk (ds_chunk_open).
 *
 * Input: one flag byte, then a block of DS_FMT_BLOCK bytes (zero-padded
 * when short), then the bytes of one chunk slot. Flags:
 *   0x01  reseal the block (write its SHA-256) so that the fields behind
 *         the checksum are reached;
 *   0x02  open the chunk with a key too, not only its record header;
 *   0x04  seal the chunk's bytes as plaintext first (with the record the
 *         input names), then open it: the round trip must give them back.
 */
#include "config.h"

#include <endian.h>
#include <string.h>

#include <openssl/sha.h>

#include "error.h"
#include "format.h"
#include "fuzz.h"

static const uint8_t key[DS_FMT_KEY_LEN] = { 1, 2, 3, 4, 5, 6, 7, 8 };
static const uint8_t set_id[DS_FMT_SET_LEN] = { 9, 9, 9 };

static void
fuzz_block(uint8_t *block)
{
	struct ds_hdr	 h, h2;
	uint8_t		 again[DS_FMT_BLOCK];
	char		*cause = NULL, *hh;
	int		 rc;

	rc = ds_hdr_decode(block, &h, &cause);
	FUZZ_CHECK(rc == DS_E_OK || (rc == DS_E_PARSE && cause != NULL));
	free(cause);
	FUZZ_CHECK(ds_hdr_decode(block, &h2, NULL) == rc);
	if (rc != DS_E_OK)
		return;
	FUZZ_CHECK(h.kind == DS_HDR_HEADER || h.kind == DS_HDR_TRAILER);
	FUZZ_CHECK(strlen(h.job) <= DS_FMT_JOB_MAX);
	FUZZ_CHECK(h.chunk_size >= 2 * DS_FMT_BLOCK);
	/* What decodes encodes to a block that decodes the same. */
	ds_hdr_encode(&h, again);
	FUZZ_CHECK(ds_hdr_decode(again, &h2, NULL) == DS_E_OK);
	FUZZ_CHECK(strcmp(h.job, h2.job) == 0);
	memset(h.job, 0, sizeof h.job);
	memset(h2.job, 0, sizeof h2.job);
	FUZZ_CHECK(memcmp(&h, &h2, sizeof h) == 0);
	FUZZ_CHECK(ds_chunk_payload(h.chunk_size) > 0);
	hh = ds_fmt_header_hash(block, again,
	    ds_fmt_trailer_off(h.drive_size));
	FUZZ_CHECK(hh != NULL);
	free(hh);
}

static void
fuzz_chunk(const uint8_t *in, size_t len, int flags)
{
	struct ds_chunk_rec	 r, r2;
	uint8_t			*plain, *sealed;
	uint64_t		 index = 0;
	char			*cause = NULL;
	int			 rc;

	/* Ask for the slot the record names, to get past that check. */
	if (len >= 24)
		memcpy(&index, in + 16, 8);
	index = le64toh(index);
	if ((plain = malloc(len > 0 ? len : 1)) == NULL)
		abort();
	rc = ds_chunk_open(NULL, set_id, 0, index, in, len, &r, plain,
	    &cause);
	FUZZ_CHECK(rc == DS_E_OK || (rc == DS_E_DAMAGED && cause != NULL));
	free(cause);
	cause = NULL;
	if (rc == DS_E_OK)
		FUZZ_CHECK(ds_chunk_sealed_len(r.length) <= len);
	if (rc == DS_E_OK && (flags & 0x02)) {
		rc = ds_chunk_open(key, set_id, 0, index, in, len, &r, plain,
		    &cause);
		FUZZ_CHECK(rc == DS_E_OK || cause != NULL);
		free(cause);
		cause = NULL;
	}
	if ((flags & 0x04) && len < (1 << 20)) {
		memset(&r, 0, sizeof r);
		r.index = index;
		r.length = (uint32_t)len;
		r.session = len > 0 ? in[0] : 0;
		r.flags = len > 1 ? in[1] & DS_FMT_CHUNK_LAST : 0;
		sealed = malloc(ds_chunk_sealed_len(len));
		if (sealed == NULL)
			abort();
		FUZZ_CHECK(ds_chunk_seal(key, set_id, 7, &r, in, sealed) ==
		    DS_E_OK);
		rc = ds_chunk_open(key, set_id, 7, index, sealed,
		    ds_chunk_sealed_len(len), &r2, plain, &cause);
		FUZZ_CHECK(rc == DS_E_OK);
		FUZZ_CHECK(r2.length == len && memcmp(plain, in, len) == 0);
		/* Another drive of the set must not open it. */
		rc = ds_chunk_open(key, set_id, 8, index, sealed,
		    ds_chunk_sealed_len(len), &r2, plain, &cause);
		FUZZ_CHECK(rc == DS_E_DAMAGED);
		free(cause);
		free(sealed);
	}
	free(plain);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t	*block;
	size_t	 n;
	int	 flags;

	if (size == 0)
		return 0;
	flags = data[0];
	data++;
	size--;
	/* A block of its exact size, so an overread shows. */
	if ((block = calloc(1, DS_FMT_BLOCK)) == NULL)
		abort();
	n = size < DS_FMT_BLOCK ? size : DS_FMT_BLOCK;
	memcpy(block, data, n);
	if (flags & 0x01)
		SHA256(block, DS_FMT_BLOCK - 32, block + DS_FMT_BLOCK - 32);
	fuzz_block(block);
	free(block);
	fuzz_chunk(data + n, size - n, flags);
	return 0;
}
