/*
 * Writes a one-drive image by hand, following doc/format.md, holding
 * entries prep itself would never write: absolute paths, ".." and files
 * behind symbolic links. It is what a hostile or broken drive looks like
 * to restore (tests/engine/hostile.sh).
 *
 *	mkevil [-t] IMAGE SIZE ENTRY...
 *
 * The manifest's keys come in the order doc/format.md gives ("totals"
 * before the lists); with -t, "totals" comes last, after "files".
 * ENTRY is "f:PATH:TEXT" (a file holding TEXT) or "l:PATH:TARGET" (a
 * symbolic link). The archive entry and the manifest both carry PATH.
 * Prints "SET-ID KEY" (hex) on standard output: a test key, for the
 * state folder's keys/SET-ID.json.
 */
#include "config.h"

#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include "format.h"

#define CHUNK	65536
#define ARCMAX	(1024 * 1024)

/* Lowercase hex of LEN bytes of BUF into OUT (2 * LEN + 1 bytes). */
static void
hex(char *out, const uint8_t *buf, size_t len)
{
	size_t	i;

	for (i = 0; i < len; i++)
		snprintf(out + 2 * i, 3, "%02x", buf[i]);
}

/* Appends to the growing string *S; exits on failure (a test tool). */
static void
cat(char **s, const char *fmt, ...)
{
	va_list	 ap;
	char	*add, *n;

	va_start(ap, fmt);
	if (vasprintf(&add, fmt, ap) == -1)
		exit(1);
	va_end(ap);
	if (asprintf(&n, "%s%s", *s, add) == -1)
		exit(1);
	free(*s);
	free(add);
	*s = n;
}

int
main(int argc, char **argv)
{
	struct archive		*a;
	struct archive_entry	*e;
	struct ds_hdr		 h;
	struct ds_chunk_rec	 r;
	uint8_t			 key[32], set[16], *arc, *sealed, sum[32];
	char			 sethex[33], keyhex[65], sumhex[65];
	char			*mf, *files, *spec, *path, *text;
	size_t			 arclen, pay, off, len, sl, nch = 0;
	uint64_t		 size, moff;
	int			 fd, i, tlast = 0;

	if (argc > 1 && strcmp(argv[1], "-t") == 0) {
		tlast = 1;
		argc--;
		argv++;
	}
	if (argc < 4)
		return 2;
	size = strtoull(argv[2], NULL, 10);
	if (RAND_bytes(key, sizeof key) != 1 ||
	    RAND_bytes(set, sizeof set) != 1)
		return 1;
	hex(sethex, set, sizeof set);
	hex(keyhex, key, sizeof key);

	/* The segment: a pax archive, zstd-compressed, in memory. */
	if ((arc = malloc(ARCMAX)) == NULL || (files = strdup("")) == NULL)
		return 1;
	a = archive_write_new();
	if (archive_write_set_format_pax(a) != ARCHIVE_OK ||
	    archive_write_add_filter_zstd(a) != ARCHIVE_OK ||
	    archive_write_set_bytes_per_block(a, 0) != ARCHIVE_OK ||
	    archive_write_open_memory(a, arc, ARCMAX, &arclen) != ARCHIVE_OK)
		return 1;
	for (i = 3; i < argc; i++) {
		if ((spec = strdup(argv[i])) == NULL)
			return 1;
		path = strchr(spec, ':') + 1;
		text = strchr(path, ':');
		*text++ = '\0';
		e = archive_entry_new();
		archive_entry_set_pathname(e, path);
		archive_entry_set_mtime(e, 1600000000, 0);
		if (spec[0] == 'l') {
			archive_entry_set_filetype(e, AE_IFLNK);
			archive_entry_set_perm(e, 0777);
			archive_entry_set_symlink(e, text);
			cat(&files, "%s{\"path\":\"%s\",\"type\":\"symlink\","
			    "\"size\":0,\"segment\":0,\"ordinal\":%d}",
			    i > 3 ? "," : "", path, i - 3);
		} else {
			archive_entry_set_filetype(e, AE_IFREG);
			archive_entry_set_perm(e, 0644);
			archive_entry_set_size(e, (la_int64_t)strlen(text));
			SHA256((uint8_t *)text, strlen(text), sum);
			hex(sumhex, sum, 32);
			cat(&files, "%s{\"path\":\"%s\",\"type\":\"file\","
			    "\"size\":%zu,\"segment\":0,\"ordinal\":%d,"
			    "\"sha256\":\"%s\"}", i > 3 ? "," : "", path,
			    strlen(text), i - 3, sumhex);
		}
		if (archive_write_header(a, e) != ARCHIVE_OK ||
		    (spec[0] == 'f' && archive_write_data(a, text,
		    strlen(text)) < 0))
			return 1;
		archive_entry_free(e);
		free(spec);
	}
	if (archive_write_close(a) != ARCHIVE_OK)
		return 1;
	archive_write_free(a);

	/* Header, then the sealed chunks in consecutive slots. */
	if ((fd = open(argv[1], O_RDWR | O_CREAT | O_TRUNC, 0600)) == -1 ||
	    ftruncate(fd, (off_t)size) == -1)
		return 1;
	memset(&h, 0, sizeof h);
	h.kind = DS_HDR_HEADER;
	h.version = DS_FMT_VERSION;
	memcpy(h.set_id, set, sizeof set);
	h.cipher = DS_FMT_CIPHER_GCM;
	h.chunk_size = CHUNK;
	h.data_off = DS_FMT_DATA_OFF;
	h.drive_size = size;
	h.created = (uint64_t)time(NULL);
	ds_fmt_key_check(key, set, 0, h.key_check);
	snprintf(h.job, sizeof h.job, "evil");
	if ((sealed = calloc(1, CHUNK)) == NULL ||
	    (mf = strdup("")) == NULL)
		return 1;
	ds_hdr_encode(&h, sealed);
	if (pwrite(fd, sealed, DS_FMT_BLOCK, 0) != DS_FMT_BLOCK)
		return 1;
	pay = ds_chunk_payload(CHUNK);
	cat(&mf, "{\"format\":\"diskseed-manifest\",\"version\":1,"
	    "\"setId\":\"%s\",\"drive\":0,\"job\":\"evil\",\"chunkSize\":%d,"
	    "\"dataOffset\":%d,\"last\":true,", sethex, CHUNK,
	    DS_FMT_DATA_OFF);
	if (!tlast)
		cat(&mf, "\"totals\":{\"files\":%d,\"bytes\":0,"
		    "\"chunks\":%zu},", argc - 3, (arclen + pay - 1) / pay);
	cat(&mf, "\"segments\":[{\"segment\":0,\"firstChunk\":0,"
	    "\"chunks\":%zu,\"streamBytes\":%zu}],\"chunks\":[",
	    (arclen + pay - 1) / pay, arclen);
	for (off = 0; off < arclen; off += len, nch++) {
		len = arclen - off < pay ? arclen - off : pay;
		memset(&r, 0, sizeof r);
		r.flags = off + len == arclen ? DS_FMT_CHUNK_LAST : 0;
		r.session = 1;
		r.index = nch;
		r.length = (uint32_t)len;
		r.stream_off = off;
		memset(sealed, 0, CHUNK);
		if (ds_chunk_seal(key, set, 0, &r, arc + off, sealed) != 0)
			return 1;
		sl = ds_chunk_sealed_len(len);
		SHA256(sealed, sl, sum);
		hex(sumhex, sum, 32);
		cat(&mf, "%s{\"index\":%zu,\"segment\":0,\"length\":%zu,"
		    "\"sha256\":\"%s\"}", nch > 0 ? "," : "", nch, len,
		    sumhex);
		if (pwrite(fd, sealed, CHUNK, (off_t)(DS_FMT_DATA_OFF +
		    nch * CHUNK)) != CHUNK)
			return 1;
	}
	cat(&mf, "],\"files\":[%s]", files);
	if (tlast)
		cat(&mf, ",\"totals\":{\"files\":%d,\"bytes\":0,"
		    "\"chunks\":%zu}", argc - 3, nch);
	cat(&mf, "}");

	/* The manifest after the last slot, then the trailer. */
	moff = DS_FMT_DATA_OFF + nch * CHUNK;
	if (pwrite(fd, mf, strlen(mf), (off_t)moff) != (ssize_t)strlen(mf))
		return 1;
	h.kind = DS_HDR_TRAILER;
	h.manifest_off = moff;
	h.manifest_len = strlen(mf);
	h.chunks = nch;
	h.last = 1;
	SHA256((uint8_t *)mf, strlen(mf), h.manifest_hash);
	ds_hdr_encode(&h, sealed);
	if (pwrite(fd, sealed, DS_FMT_BLOCK,
	    (off_t)ds_fmt_trailer_off(size)) != DS_FMT_BLOCK || close(fd))
		return 1;
	printf("%s %s\n", sethex, keyhex);
	free(files);
	free(mf);
	free(sealed);
	free(arc);
	return 0;
}
