/* SPDX-License-Identifier: MIT */
/*
 * A whole drive as inspect, verify and restore open it (src/restore.c:
 * header, trailer, the manifest the trailer points at, the chunk slots
 * they name), through ds_drive_inspect() and ds_verify() on an image
 * file made from the input.
 *
 * Input: one flag byte, the header block, the trailer block (each
 * DS_FMT_BLOCK bytes, zero-padded when short), then the manifest. The
 * image is DS_FMT_DATA_OFF bytes, the manifest (padded to a block), and
 * the trailer block. Flags:
 *   0x01  reseal both blocks (their SHA-256), to get past the checksum;
 *   0x02  point the trailer at the manifest (offset, length, SHA-256);
 *   0x04  set both blocks' drive size to the image's;
 *   0x08  verify too, with the drive's key in the key file (the blocks'
 *         key-check values are set to match it);
 *   0x10  make the image long enough for one chunk slot of the size the
 *         header names (sparse, at most 1 GiB).
 */
#include "config.h"

#include <sys/stat.h>

#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include <openssl/sha.h>

#include "error.h"
#include "format.h"
#include "fuzz.h"
#include "keys.h"
#include "restore.h"
#include "util.h"

static const uint8_t key[DS_FMT_KEY_LEN] = { 0x42, 0x17 };

static uint32_t
get32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	    (uint32_t)p[3] << 24;
}

static void
put64(uint8_t *p, uint64_t v)
{
	int i;

	for (i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/* Verifies the drive at PATH with its key in the key file. */
static void
verify(const char *path, const uint8_t *hdr)
{
	struct ds_read_opts	 o;
	struct ds_read_report	*r = NULL;
	const char		*drives[1];
	char			 set[2 * DS_FMT_SET_LEN + 1], *cause = NULL;
	int			 rc;

	ds_hex(set, hdr + 16, DS_FMT_SET_LEN);
	FUZZ_CHECK(ds_keys_save(set, get32(hdr + 32), key, NULL) == DS_E_OK);
	memset(&o, 0, sizeof o);
	drives[0] = path;
	o.drives = drives;
	o.ndrives = 1;
	rc = ds_verify(&o, &r, &cause);
	FUZZ_CHECK(rc == DS_E_OK || rc == DS_E_DAMAGED || rc == DS_E_NOMEM ||
	    cause != NULL);
	FUZZ_CHECK((rc == DS_E_OK || rc == DS_E_DAMAGED) == (r != NULL));
	ds_read_report_free(r);
	free(cause);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ds_drive_info	 info;
	uint8_t			 hdr[DS_FMT_BLOCK], trl[DS_FMT_BLOCK];
	const uint8_t		*mf;
	size_t			 n, mflen;
	uint64_t		 img, moff = DS_FMT_DATA_OFF;
	char			 path[128], *cause = NULL;
	int			 flags, fd, rc;

	if (size == 0 || size > (1 << 20))
		return 0;
	flags = data[0];
	data++;
	size--;
	memset(hdr, 0, sizeof hdr);
	memset(trl, 0, sizeof trl);
	n = size < DS_FMT_BLOCK ? size : DS_FMT_BLOCK;
	memcpy(hdr, data, n);
	data += n;
	size -= n;
	n = size < DS_FMT_BLOCK ? size : DS_FMT_BLOCK;
	memcpy(trl, data, n);
	mf = data + n;
	mflen = size - n;
	img = moff + (mflen + DS_FMT_BLOCK - 1) / DS_FMT_BLOCK *
	    DS_FMT_BLOCK + DS_FMT_BLOCK;
	if (flags & 0x02) {
		put64(trl + 72, moff);
		put64(trl + 80, mflen);
		SHA256(mf, mflen, trl + 128);
	}
	if ((flags & 0x10) && get32(hdr + 40) <= (1U << 30))
		img += get32(hdr + 40);
	if (flags & 0x08) {
		ds_fmt_key_check(key, hdr + 16, get32(hdr + 32), hdr + 96);
		ds_fmt_key_check(key, trl + 16, get32(trl + 32), trl + 96);
	}
	if (flags & 0x04) {
		put64(hdr + 56, img);
		put64(trl + 56, img);
	}
	if (flags & 0x01) {
		SHA256(hdr, DS_FMT_BLOCK - 32, hdr + DS_FMT_BLOCK - 32);
		SHA256(trl, DS_FMT_BLOCK - 32, trl + DS_FMT_BLOCK - 32);
	}
	snprintf(path, sizeof path, "%s/state", fuzz_tmpdir());
	setenv("XDG_STATE_HOME", path, 1);
	snprintf(path, sizeof path, "%s/drive.img", fuzz_tmpdir());
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	FUZZ_CHECK(fd != -1);
	FUZZ_CHECK(ftruncate(fd, (off_t)img) == 0);
	FUZZ_CHECK(pwrite(fd, hdr, sizeof hdr, 0) == sizeof hdr);
	FUZZ_CHECK(mflen == 0 || pwrite(fd, mf, mflen, (off_t)moff) ==
	    (ssize_t)mflen);
	FUZZ_CHECK(pwrite(fd, trl, sizeof trl, (off_t)ds_fmt_trailer_off(img))
	    == sizeof trl);
	close(fd);

	rc = ds_drive_inspect(path, &info, &cause);
	FUZZ_CHECK(rc == DS_E_OK || cause != NULL);
	if (rc == DS_E_OK) {
		FUZZ_CHECK(info.job != NULL && info.manifest_file != NULL);
		FUZZ_CHECK(info.size == img);
		FUZZ_CHECK(!info.complete || info.manifest_hash != NULL);
	}
	ds_drive_info_clear(&info);
	free(cause);
	if (flags & 0x08)
		verify(path, hdr);
	return 0;
}
