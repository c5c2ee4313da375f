/* SPDX-License-Identifier: MIT */
/*
 * Writes a drive image by hand, following doc/format.md, holding what
 * prep itself would never write: archive entries and manifest rows are
 * written independently, so an entry can lie about its type, size, path
 * or parts, and rows can point at segments or entries that do not exist.
 * It is what a hostile or broken drive looks like to restore, verify
 * --deep and the import service's receive (tests/engine/hostile*.sh).
 *
 *	mkevil [-t] [-m] [-i INDEX] [-s SETHEX -k KEYHEX] IMAGE SIZE ITEM...
 *
 * -t	the manifest's "totals" come last, after "files" (the order of
 *	keys doc/format.md gives is not required)
 * -m	more drives follow: the trailer and manifest do not say "last"
 * -i	the drive's index in its set (default 0)
 * -s, -k	the set id (32 hex) and key (64 hex) to use (default: new
 *	random ones), so several images make one set
 *
 * Every item is one of:
 *	f:PATH:TEXT	an archive entry and its row: a file holding TEXT
 *	l:PATH:TARGET	an archive entry and its row: a symbolic link
 *	a:KIND:PATH:ARG	an archive entry alone, of KIND:
 *		f  a regular file holding ARG
 *		n  a regular file of ARG bytes (decimal), all 'x'
 *		z  a sparse regular file of ARG bytes (decimal): "hi" at
 *		   offset 0, the rest a hole
 *		l  a symbolic link to ARG
 *		h  a hard link to ARG
 *		d  a folder (ARG ignored)
 *		b, c  a block or character device, ARG = MAJOR,MINOR
 *		p  a FIFO (ARG ignored)
 *	r:TYPE:PATH:KEY=VALUE,...	a manifest row alone; TYPE is file,
 *		dir, symlink, hardlink or other; keys (all optional):
 *		size (default 0), seg (segment, default 0), ord (ordinal,
 *		default: the number of the last archive entry written, so
 *		a row given right after its entry matches it), off (part
 *		offset, default 0), len (part length, default size), last
 *		(0 or 1, default 1), sha (64 hex, or "none"; default: the
 *		SHA-256 of the last entry's data when it was f or n)
 * Archive entries are numbered from 0 in the order given, all in
 * segment 0, the only segment the manifest lists. Paths are bytes; one
 * that is not plain ASCII goes into the manifest as "pathHex".
 * Prints "SET-ID KEY" (hex) on standard output: a test key, for the
 * state folder's keys/SET-ID.json.
 *
 * This syntax is stable: tests of the import service use it too.
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
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include "format.h"
#include "util.h"

#define CHUNK	65536
#define ARCMAX	(4 * 1024 * 1024)

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

/* What the items written so far leave for the next ones. */
struct items {
	char	*files;		/* the manifest's rows, JSON */
	int	 nrows;
	int	 nent;		/* archive entries written */
	int	 has_sha;	/* of the last entry's data */
	uint8_t	 sha[32];
};

/* Appends "path":"PATH" to *S, or "pathHex" when PATH is not plain. */
static void
cat_path(char **s, const char *path)
{
	const uint8_t	*p;
	char		*h;

	for (p = (const uint8_t *)path; *p != '\0'; p++)
		if (*p < 0x20 || *p >= 0x7f || *p == '"' || *p == '\\')
			break;
	if (*p == '\0') {
		cat(s, "\"path\":\"%s\"", path);
		return;
	}
	if ((h = malloc(2 * strlen(path) + 1)) == NULL)
		exit(1);
	hex(h, (const uint8_t *)path, strlen(path));
	cat(s, "\"pathHex\":\"%s\"", h);
	free(h);
}

/* Writes one archive entry of KIND (see above). */
static void
add_entry(struct archive *a, struct items *it, char kind, const char *path,
    const char *arg)
{
	struct archive_entry	*e = archive_entry_new();
	uint64_t		 n = strtoull(arg, NULL, 10), i;
	char			 buf[65536];
	unsigned int		 maj = 0, mn = 0;
	EVP_MD_CTX		*c;
	unsigned int		 mdlen = 32;

	archive_entry_set_pathname(e, path);
	archive_entry_set_mtime(e, 1600000000, 0);
	archive_entry_set_perm(e, 0644);
	it->has_sha = 0;
	switch (kind) {
	case 'f':
	case 'n':
	case 'z':
		archive_entry_set_filetype(e, AE_IFREG);
		if (kind == 'f')
			n = strlen(arg);
		archive_entry_set_size(e, (la_int64_t)n);
		if (kind == 'z')
			archive_entry_sparse_add_entry(e, 0, 2);
		break;
	case 'l':
		archive_entry_set_filetype(e, AE_IFLNK);
		archive_entry_set_perm(e, 0777);
		archive_entry_set_symlink(e, arg);
		break;
	case 'h':
		archive_entry_set_filetype(e, AE_IFREG);
		archive_entry_set_hardlink(e, arg);
		archive_entry_set_size(e, 0);
		break;
	case 'd':
		archive_entry_set_filetype(e, AE_IFDIR);
		archive_entry_set_perm(e, 0755);
		break;
	case 'b':
	case 'c':
		sscanf(arg, "%u,%u", &maj, &mn);
		archive_entry_set_filetype(e, kind == 'b' ? AE_IFBLK :
		    AE_IFCHR);
		archive_entry_set_rdevmajor(e, maj);
		archive_entry_set_rdevminor(e, mn);
		break;
	case 'p':
		archive_entry_set_filetype(e, AE_IFIFO);
		break;
	default:
		exit(2);
	}
	if (archive_write_header(a, e) != ARCHIVE_OK)
		exit(1);
	if (kind == 'f') {
		if (archive_write_data(a, arg, strlen(arg)) < 0)
			exit(1);
		SHA256((const uint8_t *)arg, strlen(arg), it->sha);
		it->has_sha = 1;
	} else if (kind == 'n') {
		memset(buf, 'x', sizeof buf);
		if ((c = EVP_MD_CTX_new()) == NULL ||
		    EVP_DigestInit_ex(c, EVP_sha256(), NULL) != 1)
			exit(1);
		for (i = 0; i < n; i += sizeof buf) {
			size_t k = n - i < sizeof buf ? (size_t)(n - i) :
			    sizeof buf;

			EVP_DigestUpdate(c, buf, k);
			if (archive_write_data(a, buf, k) < 0)
				exit(1);
		}
		EVP_DigestFinal_ex(c, it->sha, &mdlen);
		EVP_MD_CTX_free(c);
		it->has_sha = 1;
	} else if (kind == 'z' && archive_write_data(a, "hi", 2) < 0)
		exit(1);
	archive_entry_free(e);
	it->nent++;
}

/* Every value opt() gave, kept reachable until the tool exits (so the
 * leak checker of the sanitizer pass does not count them). */
static char	**opt_kept;
static size_t	  opt_nkept;

/* The value of KEY in OPTS ("k=v,k=v"), or DEF; kept until exit. */
static const char *
opt(const char *opts, const char *key, const char *def)
{
	const char	*p = opts;
	size_t		 kl = strlen(key);
	char		*v, **nv;

	while (p != NULL && *p != '\0') {
		if (strncmp(p, key, kl) == 0 && p[kl] == '=') {
			p += kl + 1;
			if ((v = strndup(p, strcspn(p, ","))) == NULL ||
			    (nv = reallocarray(opt_kept, opt_nkept + 1,
			    sizeof *nv)) == NULL)
				exit(1);
			opt_kept = nv;
			opt_kept[opt_nkept++] = v;
			return v;
		}
		p = strchr(p, ',');
		if (p != NULL)
			p++;
	}
	return def;
}

/* Adds a manifest row of TYPE for PATH with OPTS (see above). */
static void
add_row(struct items *it, const char *type, const char *path,
    const char *opts)
{
	char		 ord[16], sumhex[65];
	const char	*size = opt(opts, "size", "0"), *sha;

	snprintf(ord, sizeof ord, "%d", it->nent > 0 ? it->nent - 1 : 0);
	sumhex[0] = '\0';
	if (it->has_sha)
		hex(sumhex, it->sha, 32);
	sha = opt(opts, "sha", it->has_sha ? sumhex : "none");
	cat(&it->files, "%s{", it->nrows > 0 ? "," : "");
	cat_path(&it->files, path);
	cat(&it->files, ",\"type\":\"%s\",\"size\":%s,\"segment\":%s,"
	    "\"ordinal\":%s,\"offset\":%s,\"length\":%s,\"last\":%s", type,
	    size, opt(opts, "seg", "0"), opt(opts, "ord", ord),
	    opt(opts, "off", "0"), opt(opts, "len", size),
	    strcmp(opt(opts, "last", "1"), "0") == 0 ? "false" : "true");
	if (strcmp(sha, "none") != 0)
		cat(&it->files, ",\"sha256\":\"%s\"", sha);
	cat(&it->files, "}");
	it->nrows++;
}

/* Writes item SPEC (see above) into the archive A and the rows. */
static void
add_item(struct archive *a, struct items *it, const char *spec)
{
	char	*s, *kind, *path, *rest, sz[32];

	if ((s = strdup(spec)) == NULL || strlen(s) < 2 || s[1] != ':')
		exit(2);
	if (s[0] == 'f' || s[0] == 'l') {
		path = s + 2;
		if ((rest = strchr(path, ':')) == NULL)
			exit(2);
		*rest++ = '\0';
		add_entry(a, it, s[0], path, rest);
		snprintf(sz, sizeof sz, "size=%zu", s[0] == 'f' ?
		    strlen(rest) : (size_t)0);
		add_row(it, s[0] == 'f' ? "file" : "symlink", path, sz);
	} else if (s[0] == 'a' || s[0] == 'r') {
		kind = s + 2;
		if ((path = strchr(kind, ':')) == NULL)
			exit(2);
		*path++ = '\0';
		if ((rest = strchr(path, ':')) != NULL)
			*rest++ = '\0';
		else
			rest = "";
		if (s[0] == 'a')
			add_entry(a, it, kind[0], path, rest);
		else
			add_row(it, kind, path, rest);
	} else
		exit(2);
	free(s);
}

/* Writes the items ITEMS[0..N) as a zstd-compressed pax archive into
 * ARC (ARCMAX bytes) and the rows into IT; returns its length. */
static size_t
build_archive(int n, char **items, struct items *it, uint8_t *arc)
{
	struct archive	*a = archive_write_new();
	size_t		 arclen;
	int		 i;

	if (archive_write_set_format_pax(a) != ARCHIVE_OK ||
	    archive_write_set_format_option(a, "pax", "hdrcharset",
	    "BINARY") != ARCHIVE_OK ||
	    archive_write_add_filter_zstd(a) != ARCHIVE_OK ||
	    archive_write_set_bytes_per_block(a, 0) != ARCHIVE_OK ||
	    archive_write_open_memory(a, arc, ARCMAX, &arclen) != ARCHIVE_OK)
		exit(1);
	for (i = 0; i < n; i++)
		add_item(a, it, items[i]);
	if (archive_write_close(a) != ARCHIVE_OK)
		exit(1);
	archive_write_free(a);
	return arclen;
}

/* Seals ARC into consecutive chunk slots of FD, adding each chunk to the
 * manifest text *MF; returns the number of chunks. */
static size_t
seal_chunks(int fd, const uint8_t *key, const uint8_t *set,
    unsigned int index, const uint8_t *arc, size_t arclen, uint8_t *sealed,
    char **mf)
{
	struct ds_chunk_rec	 r;
	uint8_t			 sum[32];
	char			 sumhex[65];
	size_t			 off, len, nch = 0;
	size_t			 pay = ds_chunk_payload(CHUNK);

	for (off = 0; off < arclen; off += len, nch++) {
		len = arclen - off < pay ? arclen - off : pay;
		memset(&r, 0, sizeof r);
		r.flags = off + len == arclen ? DS_FMT_CHUNK_LAST : 0;
		r.session = 1;
		r.index = nch;
		r.length = (uint32_t)len;
		r.stream_off = off;
		memset(sealed, 0, CHUNK);
		if (ds_chunk_seal(key, set, index, &r, arc + off, sealed) != 0)
			exit(1);
		SHA256(sealed, ds_chunk_sealed_len(len), sum);
		hex(sumhex, sum, 32);
		cat(mf, "%s{\"index\":%zu,\"segment\":0,\"length\":%zu,"
		    "\"sha256\":\"%s\"}", nch > 0 ? "," : "", nch, len,
		    sumhex);
		if (pwrite(fd, sealed, CHUNK, (off_t)(DS_FMT_DATA_OFF +
		    nch * CHUNK)) != CHUNK)
			exit(1);
	}
	return nch;
}

int
main(int argc, char **argv)
{
	struct ds_hdr		 h;
	struct items		 it;
	uint8_t			 key[32], set[16], *arc, *sealed;
	char			 sethex[33], keyhex[65];
	char			*mf;
	const char		*sarg = NULL, *karg = NULL;
	size_t			 arclen, pay, nch;
	uint64_t		 size, moff;
	unsigned int		 index = 0;
	int			 fd, ch, tlast = 0, more = 0;

	while ((ch = getopt(argc, argv, "tmi:s:k:")) != -1) {
		switch (ch) {
		case 't':
			tlast = 1;
			break;
		case 'm':
			more = 1;
			break;
		case 'i':
			index = (unsigned int)strtoul(optarg, NULL, 10);
			break;
		case 's':
			sarg = optarg;
			break;
		case 'k':
			karg = optarg;
			break;
		default:
			return 2;
		}
	}
	argc -= optind - 1;
	argv += optind - 1;
	if (argc < 4)
		return 2;
	size = strtoull(argv[2], NULL, 10);
	if (RAND_bytes(key, sizeof key) != 1 ||
	    RAND_bytes(set, sizeof set) != 1)
		return 1;
	if ((sarg != NULL && (strlen(sarg) != 32 || ds_unhex(set, sizeof set,
	    sarg) != 0)) || (karg != NULL && (strlen(karg) != 64 ||
	    ds_unhex(key, sizeof key, karg) != 0)))
		return 2;
	hex(sethex, set, sizeof set);
	hex(keyhex, key, sizeof key);

	/* The segment: a pax archive, zstd-compressed, in memory. */
	memset(&it, 0, sizeof it);
	if ((arc = malloc(ARCMAX)) == NULL || (it.files = strdup("")) == NULL)
		return 1;
	arclen = build_archive(argc - 3, argv + 3, &it, arc);

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
	h.index = index;
	ds_fmt_key_check(key, set, index, h.key_check);
	snprintf(h.job, sizeof h.job, "evil");
	if ((sealed = calloc(1, CHUNK)) == NULL ||
	    (mf = strdup("")) == NULL)
		return 1;
	ds_hdr_encode(&h, sealed);
	if (pwrite(fd, sealed, DS_FMT_BLOCK, 0) != DS_FMT_BLOCK)
		return 1;
	pay = ds_chunk_payload(CHUNK);
	cat(&mf, "{\"format\":\"diskseed-manifest\",\"version\":1,"
	    "\"setId\":\"%s\",\"drive\":%u,\"job\":\"evil\",\"chunkSize\":%d,"
	    "\"dataOffset\":%d,\"last\":%s,", sethex, index, CHUNK,
	    DS_FMT_DATA_OFF, more ? "false" : "true");
	if (!tlast)
		cat(&mf, "\"totals\":{\"files\":%d,\"bytes\":0,"
		    "\"chunks\":%zu},", it.nrows, (arclen + pay - 1) / pay);
	cat(&mf, "\"segments\":[{\"segment\":0,\"firstChunk\":0,"
	    "\"chunks\":%zu,\"streamBytes\":%zu}],\"chunks\":[",
	    (arclen + pay - 1) / pay, arclen);
	nch = seal_chunks(fd, key, set, index, arc, arclen, sealed, &mf);
	cat(&mf, "],\"files\":[%s]", it.files);
	if (tlast)
		cat(&mf, ",\"totals\":{\"files\":%d,\"bytes\":0,"
		    "\"chunks\":%zu}", it.nrows, nch);
	cat(&mf, "}");

	/* The manifest after the last slot, then the trailer. */
	moff = DS_FMT_DATA_OFF + nch * CHUNK;
	if (pwrite(fd, mf, strlen(mf), (off_t)moff) != (ssize_t)strlen(mf))
		return 1;
	h.kind = DS_HDR_TRAILER;
	h.manifest_off = moff;
	h.manifest_len = strlen(mf);
	h.chunks = nch;
	h.last = !more;
	SHA256((uint8_t *)mf, strlen(mf), h.manifest_hash);
	ds_hdr_encode(&h, sealed);
	if (pwrite(fd, sealed, DS_FMT_BLOCK,
	    (off_t)ds_fmt_trailer_off(size)) != DS_FMT_BLOCK || close(fd))
		return 1;
	printf("%s %s\n", sethex, keyhex);
	free(it.files);
	free(mf);
	free(sealed);
	free(arc);
	return 0;
}
