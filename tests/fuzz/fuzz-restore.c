/* SPDX-License-Identifier: MIT */
/*
 * What restore does with a drive's stream: the pax archive inside the
 * sealed chunks and the manifest's file list that drives it
 * (ds_verify() and ds_restore() of src/restore.c). The receiving side
 * restores drives whose key their sender knows, so everything in them is
 * untrusted: nothing may land outside the restore folder.
 *
 * Input: one flag byte, a 2-byte little-endian length L, L bytes of the
 * segment's stream (a tar/pax archive; with flag 0x01 the checksum of
 * each header block is set right), then the manifest's "files" array
 * (JSON); flag 0x02 verifies the drive before it is restored. The
 * target seals the stream into chunks with a key of its own and writes
 * the rest of the drive (header, manifest, trailer) around them, so the
 * input reaches the archive reader and the restore logic.
 *
 * Run the fuzzer as an unprivileged user: a bug here writes files where
 * the input says (make check replays only inputs known to be safe).
 */
#include "config.h"

#include <sys/stat.h>

#include <fcntl.h>
#include <ftw.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>
#include <openssl/sha.h>

#include "error.h"
#include "format.h"
#include "fuzz.h"
#include "restore.h"
#include "util.h"

#define CHUNK		(64 * 1024)
#define STREAM_MAX	(4 * (CHUNK - DS_FMT_REC_LEN - DS_FMT_TAG_LEN))

static const uint8_t key[DS_FMT_KEY_LEN] = { 0x42, 0x17, 0x99 };
static const uint8_t set_id[DS_FMT_SET_LEN] = { 0xde, 0xad, 0xbe, 0xef };

/* Sets the checksum of every tar header block of S (LEN bytes). */
static void
fix_tar(uint8_t *s, size_t len)
{
	size_t		off = 0, i, size;
	unsigned	sum;
	char		num[16];

	while (off + 512 <= len) {
		uint8_t *h = s + off;

		for (i = 0; i < 512 && h[i] == 0; i++)
			;
		if (i == 512)
			break;
		memset(h + 148, ' ', 8);
		for (sum = 0, i = 0; i < 512; i++)
			sum += h[i];
		snprintf(num, sizeof num, "%06o", sum & 0777777);
		memcpy(h + 148, num, 7);
		h[155] = ' ';
		memcpy(num, h + 124, 12);
		num[12] = '\0';
		size = strtoul(num, NULL, 8);
		if (size > len)
			break;
		off += 512 + (size + 511) / 512 * 512;
	}
}

static int
rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	remove(path);
	return 0;
}

static char	 out_dir[128];
static size_t	 out_len;

/* Fails for anything in the fuzz folder outside the restore folder
 * other than what the target made itself. */
static int
check_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	const char *base = fuzz_tmpdir();

	(void)st;
	(void)flag;
	(void)ftw;
	if (strncmp(path, out_dir, out_len) == 0 &&
	    (path[out_len] == '\0' || path[out_len] == '/'))
		return 0;
	path += strlen(base);
	FUZZ_CHECK(*path == '\0' || strcmp(path, "/drive.img") == 0 ||
	    strcmp(path, "/a") == 0 || strcmp(path, "/a/b") == 0 ||
	    strcmp(path, "/a/b/c") == 0);
	return 0;
}

/* Writes the drive: chunks of STREAM, the manifest with FILES, the
 * header and the trailer; returns its size. */
static uint64_t
make_drive(int fd, const uint8_t *stream, size_t slen, json_t *files)
{
	struct ds_hdr		 h;
	struct ds_chunk_rec	 r;
	uint8_t			 sealed[CHUNK], sum[32], block[DS_FMT_BLOCK];
	size_t			 payload = ds_chunk_payload(CHUNK), n, i;
	json_t			*chunks, *mf;
	char			 hex[65], set[33], *text;
	uint64_t		 moff, size;

	n = slen == 0 ? 1 : (slen + payload - 1) / payload;
	chunks = json_array();
	for (i = 0; i < n; i++) {
		memset(&r, 0, sizeof r);
		r.index = i;
		r.session = 1;
		r.stream_off = i * payload;
		r.length = (uint32_t)(slen - i * payload < payload ?
		    slen - i * payload : payload);
		r.flags = i == n - 1 ? DS_FMT_CHUNK_LAST : 0;
		memset(sealed, 0, sizeof sealed);
		FUZZ_CHECK(ds_chunk_seal(key, set_id, 0, &r, stream +
		    r.stream_off, sealed) == DS_E_OK);
		SHA256(sealed, ds_chunk_sealed_len(r.length), sum);
		ds_hex(hex, sum, 32);
		json_array_append_new(chunks, json_pack("{s:I, s:i, s:I, s:s}",
		    "index", (json_int_t)i, "segment", 0, "length",
		    (json_int_t)r.length, "sha256", hex));
		FUZZ_CHECK(pwrite(fd, sealed, CHUNK, DS_FMT_DATA_OFF +
		    (off_t)i * CHUNK) == CHUNK);
	}
	ds_hex(set, set_id, DS_FMT_SET_LEN);
	mf = json_pack("{s:s, s:i, s:s, s:i, s:s, s:i, s:i, s:b, "
	    "s:[{s:i, s:i, s:I, s:I}], s:o, s:O}",
	    "format", "diskseed-manifest", "version", 1, "setId", set,
	    "drive", 0, "job", "fuzz", "chunkSize", CHUNK, "dataOffset",
	    DS_FMT_DATA_OFF, "last", 1, "segments", "segment", 0,
	    "firstChunk", 0, "chunks", (json_int_t)n, "streamBytes",
	    (json_int_t)slen, "chunks", chunks, "files", files);
	FUZZ_CHECK(mf != NULL);
	text = json_dumps(mf, JSON_COMPACT);
	json_decref(mf);
	moff = DS_FMT_DATA_OFF + (uint64_t)n * CHUNK;
	FUZZ_CHECK(pwrite(fd, text, strlen(text), (off_t)moff) ==
	    (ssize_t)strlen(text));
	size = moff + (strlen(text) + DS_FMT_BLOCK - 1) / DS_FMT_BLOCK *
	    DS_FMT_BLOCK + DS_FMT_BLOCK;

	memset(&h, 0, sizeof h);
	h.kind = DS_HDR_HEADER;
	h.version = DS_FMT_VERSION;
	memcpy(h.set_id, set_id, DS_FMT_SET_LEN);
	h.cipher = DS_FMT_CIPHER_GCM;
	h.chunk_size = CHUNK;
	h.data_off = DS_FMT_DATA_OFF;
	h.drive_size = size;
	snprintf(h.job, sizeof h.job, "fuzz");
	ds_fmt_key_check(key, set_id, 0, h.key_check);
	ds_hdr_encode(&h, block);
	FUZZ_CHECK(pwrite(fd, block, sizeof block, 0) == sizeof block);
	h.kind = DS_HDR_TRAILER;
	h.manifest_off = moff;
	h.manifest_len = strlen(text);
	SHA256((uint8_t *)text, strlen(text), h.manifest_hash);
	h.chunks = n;
	h.last = 1;
	ds_hdr_encode(&h, block);
	FUZZ_CHECK(pwrite(fd, block, sizeof block,
	    (off_t)ds_fmt_trailer_off(size)) == sizeof block);
	free(text);
	return size;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ds_read_opts	 o;
	struct ds_read_report	*r = NULL;
	const char		*drives[1], *keys[1];
	uint8_t			*stream;
	size_t			 slen;
	json_t			*files;
	char			 path[128], rk[DS_FMT_RKEY_LEN + 1];
	char			*cause = NULL;
	int			 fd, rc;

	if (size < 3)
		return 0;
	slen = (size_t)data[1] | (size_t)data[2] << 8;
	if (slen > size - 3 || slen > STREAM_MAX)
		return 0;
	stream = malloc(slen > 0 ? slen : 1);
	FUZZ_CHECK(stream != NULL);
	memcpy(stream, data + 3, slen);
	if (data[0] & 0x01)
		fix_tar(stream, slen);
	files = json_loadb((const char *)data + 3 + slen, size - 3 - slen, 0,
	    NULL);
	if (!json_is_array(files)) {
		json_decref(files);
		files = json_array();
	}

	snprintf(path, sizeof path, "%s/drive.img", fuzz_tmpdir());
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	FUZZ_CHECK(fd != -1);
	FUZZ_CHECK(ftruncate(fd, (off_t)make_drive(fd, stream, slen,
	    files)) == 0);
	close(fd);
	free(stream);
	json_decref(files);

	ds_rkey_format(key, rk);
	memset(&o, 0, sizeof o);
	drives[0] = path;
	keys[0] = rk;
	o.drives = drives;
	o.ndrives = 1;
	o.recovery_keys = keys;
	o.nrecovery_keys = 1;
	if (data[0] & 0x02) {
		rc = ds_verify(&o, &r, &cause);
		FUZZ_CHECK(rc == DS_E_OK || rc == DS_E_DAMAGED ||
		    rc == DS_E_NOMEM || cause != NULL);
		ds_read_report_free(r);
		r = NULL;
		free(cause);
		cause = NULL;
	}

	snprintf(out_dir, sizeof out_dir, "%s/a/b/c/out", fuzz_tmpdir());
	out_len = strlen(out_dir);
	o.to = out_dir;
	rc = ds_restore(&o, &r, &cause);
	if (getenv("FUZZ_VERBOSE") != NULL)
		fprintf(stderr, "restore: %s, %llu files ok, %zu problems"
		    "%s%s\n", ds_errname(rc), r != NULL ? (unsigned long long)
		    r->files_ok : 0, r != NULL ? r->nproblems : 0,
		    cause != NULL ? ": " : "", cause != NULL ? cause : "");
	FUZZ_CHECK(rc == DS_E_OK || rc == DS_E_DAMAGED || rc == DS_E_NOMEM ||
	    cause != NULL);
	FUZZ_CHECK((rc == DS_E_OK || rc == DS_E_DAMAGED) == (r != NULL));
	ds_read_report_free(r);
	free(cause);
	/* Nothing outside the restore folder. */
	nftw(fuzz_tmpdir(), check_one, 16, FTW_PHYS);
	snprintf(path, sizeof path, "%s/a", fuzz_tmpdir());
	nftw(path, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	return 0;
}
