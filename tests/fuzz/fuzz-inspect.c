/*
 * A whole drive as inspect, verify and restore open it (src/restore.c:
 * header, trailer, the manifest the trailer points at), through
 * ds_drive_inspect() on an image file made from the input.
 *
 * Input: one flag byte, the header block, the trailer block (each
 * DS_FMT_BLOCK bytes, zero-padded when short), then the manifest. The
 * image is DS_FMT_DATA_OFF bytes, the manifest (padded to a block), and
 * the trailer block. Flags:
 *   0x01  reseal both blocks (their SHA-256), to get past the checksum;
 *   0x02  point the trailer at the manifest (offset, length, SHA-256);
 *   0x04  set both blocks' drive size to the image's.
 */
#include "config.h"

#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include <openssl/sha.h>

#include "error.h"
#include "format.h"
#include "fuzz.h"
#include "restore.h"

static void
put64(uint8_t *p, uint64_t v)
{
	int i;

	for (i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
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
	if (flags & 0x04) {
		put64(hdr + 56, img);
		put64(trl + 56, img);
	}
	if (flags & 0x01) {
		SHA256(hdr, DS_FMT_BLOCK - 32, hdr + DS_FMT_BLOCK - 32);
		SHA256(trl, DS_FMT_BLOCK - 32, trl + DS_FMT_BLOCK - 32);
	}
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
	return 0;
}
