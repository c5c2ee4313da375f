/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of the engine's primitives: header codec, chunk seal/open
 * (tamper, swap, replay), recovery keys, journal replay with a torn last
 * record, manifest codec, the header-hash format, the staging scan. One
 * function per case; each makes what it needs.
 */
#include "config.h"

#include <sys/stat.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "error.h"
#include "format.h"
#include "journal.h"
#include "manifest.h"
#include "prep.h"
#include "util.h"

#include "tap.h"

static void
sample_hdr(struct ds_hdr *h)
{
	memset(h, 0, sizeof *h);
	h->kind = DS_HDR_HEADER;
	h->version = DS_FMT_VERSION;
	memset(h->set_id, 0xab, sizeof h->set_id);
	h->index = 2;
	h->cipher = DS_FMT_CIPHER_GCM;
	h->chunk_size = 4 * 1024 * 1024;
	h->data_off = DS_FMT_DATA_OFF;
	h->drive_size = (uint64_t)8 << 30;
	h->created = 1700000000;
	memset(h->key_check, 0x11, 32);
	snprintf(h->job, sizeof h->job, "job-1");
}

/* Two keys, a set id and a plaintext the chunk cases share. */
struct chunk_fixture {
	uint8_t			key[32], key2[32];
	uint8_t			set[16];
	uint8_t			plain[1000];
	struct ds_chunk_rec	r;
};

static void
chunk_fixture(struct chunk_fixture *c)
{
	size_t i;

	for (i = 0; i < sizeof c->key; i++) {
		c->key[i] = (uint8_t)(i * 7 + 1);
		c->key2[i] = (uint8_t)(i * 7 + 2);
	}
	memset(c->set, 0x5a, sizeof c->set);
	for (i = 0; i < sizeof c->plain; i++)
		c->plain[i] = (uint8_t)i;
	memset(&c->r, 0, sizeof c->r);
	c->r.session = 3;
	c->r.index = 9;
	c->r.segment = 4;
	c->r.length = sizeof c->plain;
	c->r.flags = DS_FMT_CHUNK_LAST;
}

static void
test_header_round_trip(void)
{
	struct ds_hdr	h, h2;
	uint8_t		block[DS_FMT_BLOCK];

	TEST_START("header round trip");
	sample_hdr(&h);
	ds_hdr_encode(&h, block);
	ASSERT_INT_EQ(ds_hdr_decode(block, &h2, NULL), DS_E_OK);
	ASSERT_INT_EQ(h2.kind, DS_HDR_HEADER);
	ASSERT_INT_EQ(h2.index, 2);
	ASSERT_INT_EQ(h2.chunk_size, 4 * 1024 * 1024);
	ASSERT_TRUE(h2.drive_size == (uint64_t)8 << 30);
	ASSERT_MEM_EQ(h2.set_id, h.set_id, 16);
	ASSERT_STRING_EQ(h2.job, "job-1");
	TEST_DONE();
}

static void
test_header_damage(void)
{
	struct ds_hdr	 h, h2;
	uint8_t		 block[DS_FMT_BLOCK];
	char		*cause = NULL;

	TEST_START("header: a flipped byte is caught, the trailer kind kept");
	sample_hdr(&h);
	ds_hdr_encode(&h, block);
	block[200] ^= 1;
	ASSERT_INT_EQ(ds_hdr_decode(block, &h2, &cause), DS_E_PARSE);
	ASSERT_TRUE(cause != NULL);
	free(cause);
	memset(block, 0, sizeof block);
	ASSERT_INT_EQ(ds_hdr_decode(block, &h2, NULL), DS_E_PARSE);
	h.kind = DS_HDR_TRAILER;
	h.manifest_off = 12345 * 4096;
	h.manifest_len = 777;
	h.last = 1;
	ds_hdr_encode(&h, block);
	ASSERT_INT_EQ(ds_hdr_decode(block, &h2, NULL), DS_E_OK);
	ASSERT_INT_EQ(h2.kind, DS_HDR_TRAILER);
	ASSERT_INT_EQ(h2.manifest_len, 777);
	ASSERT_INT_EQ(h2.last, 1);
	TEST_DONE();
}

static void
test_trailer_offset(void)
{
	TEST_START("trailer offset is the last whole 4 KiB block");
	ASSERT_TRUE(ds_fmt_trailer_off(1 << 20) == (1 << 20) - 4096);
	ASSERT_TRUE(ds_fmt_trailer_off((1 << 20) + 100) == (1 << 20) - 4096);
	TEST_DONE();
}

static void
test_chunk_round_trip(void)
{
	struct chunk_fixture	c;
	struct ds_chunk_rec	r2;
	uint8_t			out[2000], back[1000];

	TEST_START("chunk seal/open round trip");
	chunk_fixture(&c);
	ASSERT_TRUE(ds_chunk_sealed_len(sizeof c.plain) <= sizeof out);
	ASSERT_INT_EQ(ds_chunk_seal(c.key, c.set, 1, &c.r, c.plain, out),
	    DS_E_OK);
	ASSERT_TRUE(memcmp(out + DS_FMT_REC_LEN, c.plain, 64) != 0);
	ASSERT_INT_EQ(ds_chunk_open(c.key, c.set, 1, 9, out, sizeof out, &r2,
	    back, NULL), DS_E_OK);
	ASSERT_INT_EQ(r2.length, sizeof c.plain);
	ASSERT_INT_EQ(r2.segment, 4);
	ASSERT_INT_EQ(r2.flags, DS_FMT_CHUNK_LAST);
	ASSERT_MEM_EQ(back, c.plain, sizeof c.plain);
	TEST_DONE();
}

static void
test_chunk_tamper(void)
{
	struct chunk_fixture	c;
	struct ds_chunk_rec	r2;
	uint8_t			out[2000], back[1000];

	TEST_START("chunk: tampered ciphertext, tag, record fail");
	chunk_fixture(&c);
	ASSERT_INT_EQ(ds_chunk_seal(c.key, c.set, 1, &c.r, c.plain, out),
	    DS_E_OK);
	out[DS_FMT_REC_LEN + 10] ^= 1;
	ASSERT_INT_EQ(ds_chunk_open(c.key, c.set, 1, 9, out, sizeof out, &r2,
	    back, NULL), DS_E_DAMAGED);
	out[DS_FMT_REC_LEN + 10] ^= 1;
	out[DS_FMT_REC_LEN + sizeof c.plain + 3] ^= 1;
	ASSERT_INT_EQ(ds_chunk_open(c.key, c.set, 1, 9, out, sizeof out, &r2,
	    back, NULL), DS_E_DAMAGED);
	out[DS_FMT_REC_LEN + sizeof c.plain + 3] ^= 1;
	out[12] ^= 1;	/* the segment number in the record */
	ASSERT_INT_EQ(ds_chunk_open(c.key, c.set, 1, 9, out, sizeof out, &r2,
	    back, NULL), DS_E_DAMAGED);
	out[12] ^= 1;
	ASSERT_INT_EQ(ds_chunk_open(c.key, c.set, 1, 9, out, sizeof out, &r2,
	    back, NULL), DS_E_OK);
	TEST_DONE();
}

static void
test_chunk_swap(void)
{
	struct chunk_fixture	 c;
	struct ds_chunk_rec	 r2;
	uint8_t			 out[2000], back[1000];
	char			*cause = NULL;

	TEST_START("chunk: swapped slot, other drive, other set, other key");
	chunk_fixture(&c);
	ASSERT_INT_EQ(ds_chunk_seal(c.key, c.set, 1, &c.r, c.plain, out),
	    DS_E_OK);
	/* Replayed at another slot: the record names slot 9. */
	ASSERT_INT_EQ(ds_chunk_open(c.key, c.set, 1, 10, out, sizeof out, &r2,
	    back, &cause), DS_E_DAMAGED);
	ASSERT_TRUE(strstr(cause, "10") != NULL);
	free(cause);
	ASSERT_INT_EQ(ds_chunk_open(c.key, c.set, 2, 9, out, sizeof out, &r2,
	    back, NULL), DS_E_DAMAGED);
	c.set[0] ^= 1;
	ASSERT_INT_EQ(ds_chunk_open(c.key, c.set, 1, 9, out, sizeof out, &r2,
	    back, NULL), DS_E_DAMAGED);
	c.set[0] ^= 1;
	ASSERT_INT_EQ(ds_chunk_open(c.key2, c.set, 1, 9, out, sizeof out, &r2,
	    back, NULL), DS_E_DAMAGED);
	/* A record rewritten to claim slot 10 fails its tag. */
	out[16] = 10;
	ASSERT_INT_EQ(ds_chunk_open(c.key, c.set, 1, 10, out, sizeof out, &r2,
	    back, NULL), DS_E_DAMAGED);
	TEST_DONE();
}

static void
test_chunk_session(void)
{
	struct chunk_fixture	c;
	uint8_t			out[2000], first[64];

	TEST_START("chunk: a new session gives another ciphertext");
	chunk_fixture(&c);
	ASSERT_INT_EQ(ds_chunk_seal(c.key, c.set, 1, &c.r, c.plain, out),
	    DS_E_OK);
	memcpy(first, out + DS_FMT_REC_LEN, sizeof first);
	c.r.session = 4;
	ASSERT_INT_EQ(ds_chunk_seal(c.key, c.set, 1, &c.r, c.plain, out),
	    DS_E_OK);
	ASSERT_TRUE(memcmp(first, out + DS_FMT_REC_LEN, sizeof first) != 0);
	TEST_DONE();
}

static void
test_key_check(void)
{
	struct chunk_fixture	c;
	uint8_t			kc1[32], kc2[32];

	TEST_START("key check depends on key, set and index");
	chunk_fixture(&c);
	ds_fmt_key_check(c.key, c.set, 0, kc1);
	ds_fmt_key_check(c.key, c.set, 0, kc2);
	ASSERT_MEM_EQ(kc1, kc2, 32);
	ds_fmt_key_check(c.key, c.set, 1, kc2);
	ASSERT_TRUE(memcmp(kc1, kc2, 32) != 0);
	ds_fmt_key_check(c.key2, c.set, 0, kc2);
	ASSERT_TRUE(memcmp(kc1, kc2, 32) != 0);
	TEST_DONE();
}

static void
test_rkey_round_trip(void)
{
	struct chunk_fixture	c;
	uint8_t			back[32];
	char			rk[DS_FMT_RKEY_LEN + 1];
	size_t			i;

	TEST_START("recovery key: format, parse, groups are multiples of 11");
	chunk_fixture(&c);
	ds_rkey_format(c.key, rk);
	ASSERT_INT_EQ(strlen(rk), DS_FMT_RKEY_LEN);
	for (i = 0; i < 16; i++) {
		ASSERT_TRUE(i == 15 || rk[7 * i + 6] == '-');
		ASSERT_INT_EQ(strtoul(rk + 7 * i, NULL, 10) % 11, 0);
	}
	memset(back, 0, sizeof back);
	ASSERT_INT_EQ(ds_rkey_parse(rk, back, NULL), DS_E_OK);
	ASSERT_MEM_EQ(c.key, back, 32);
	/* Spaces instead of dashes are fine. */
	for (i = 0; i < 15; i++)
		rk[7 * i + 6] = ' ';
	ASSERT_INT_EQ(ds_rkey_parse(rk, back, NULL), DS_E_OK);
	ASSERT_MEM_EQ(c.key, back, 32);
	TEST_DONE();
}

static void
test_rkey_mistyped(void)
{
	struct chunk_fixture	 c;
	uint8_t			 back[32];
	char			 rk[DS_FMT_RKEY_LEN + 1], *cause = NULL, *s;

	TEST_START("recovery key: a mistyped group is named");
	chunk_fixture(&c);
	ds_rkey_format(c.key, rk);
	rk[7 * 4 + 5] = rk[7 * 4 + 5] == '9' ? '0' : rk[7 * 4 + 5] + 1;
	ASSERT_INT_EQ(ds_rkey_parse(rk, back, &cause), DS_E_PARSE);
	ASSERT_TRUE(strstr(cause, "5") != NULL);
	free(cause);
	ASSERT_INT_EQ(ds_rkey_parse("123", back, NULL), DS_E_PARSE);
	ds_rkey_format(c.key, rk);
	rk[0] = '9';	/* 9xxxxx / 11 > 65535 or not a multiple */
	ASSERT_INT_EQ(ds_rkey_parse(rk, back, NULL), DS_E_PARSE);
	ds_rkey_format(c.key, rk);
	s = malloc(strlen(rk) + 8);
	snprintf(s, strlen(rk) + 8, "%s-000000", rk);
	ASSERT_INT_EQ(ds_rkey_parse(s, back, NULL), DS_E_PARSE);
	free(s);
	TEST_DONE();
}

static void
test_header_hash(void)
{
	struct ds_hdr	 h;
	uint8_t		 block[DS_FMT_BLOCK];
	char		*s;
	size_t		 i;

	TEST_START("header hash format");
	sample_hdr(&h);
	ds_hdr_encode(&h, block);
	s = ds_fmt_header_hash(block, block, 4096 * 100);
	ASSERT_TRUE(s != NULL);
	ASSERT_TRUE(strncmp(s, "0:4096:", 7) == 0);
	ASSERT_INT_EQ(strlen(s), 7 + 64 + 1 + strlen("409600:4096:") + 64);
	ASSERT_TRUE(strstr(s, ";409600:4096:") != NULL);
	for (i = 7; i < 7 + 64; i++)
		ASSERT_TRUE(strchr("0123456789ABCDEF", s[i]) != NULL);
	free(s);
	TEST_DONE();
}

static void
test_journal_torn(void)
{
	struct ds_journal	*j;
	json_t			*recs, *rec;
	char			 tmp[] = "/tmp/ds-test-engine.XXXXXX";
	char			 path[300];
	size_t			 i;
	int			 fd;

	TEST_START("journal: records replay, a torn last record is ignored");
	ASSERT_TRUE(mkdtemp(tmp) != NULL);
	snprintf(path, sizeof path, "%s/journal", tmp);
	ASSERT_INT_EQ(ds_journal_open(path, &j, &recs, NULL), DS_E_OK);
	ASSERT_INT_EQ(json_array_size(recs), 0);
	json_decref(recs);
	for (i = 0; i < 3; i++) {
		rec = json_pack("{s:s, s:i}", "t", "segment", "n", (int)i);
		ASSERT_INT_EQ(ds_journal_append(j, rec, NULL), DS_E_OK);
		json_decref(rec);
	}
	ds_journal_close(j);
	/* A torn record: half a line at the end. */
	fd = open(path, O_WRONLY | O_APPEND);
	ASSERT_TRUE(fd != -1);
	ASSERT_INT_EQ(write(fd, "0123abcd {\"t\":", 14), 14);
	close(fd);
	ASSERT_INT_EQ(ds_journal_open(path, &j, &recs, NULL), DS_E_OK);
	ASSERT_INT_EQ(json_array_size(recs), 3);
	ASSERT_INT_EQ(json_integer_value(json_object_get(json_array_get(recs,
	    2), "n")), 2);
	json_decref(recs);
	rec = json_pack("{s:s}", "t", "done");
	ASSERT_INT_EQ(ds_journal_append(j, rec, NULL), DS_E_OK);
	json_decref(rec);
	ds_journal_close(j);
	ASSERT_INT_EQ(ds_journal_read(path, &recs, NULL), DS_E_OK);
	ASSERT_INT_EQ(json_array_size(recs), 4);
	json_decref(recs);
	unlink(path);
	rmdir(tmp);
	TEST_DONE();
}

static void
test_journal_checksum(void)
{
	const char	*text = "0000000000000000000000000000000000000000"
			    "000000000000000000000000 {\"t\":\"x\"}\n";
	json_t		*recs;
	size_t		 valid;

	TEST_START("journal: a record with a wrong checksum ends the replay");
	recs = ds_journal_parse(text, strlen(text), &valid);
	ASSERT_INT_EQ(json_array_size(recs), 0);
	ASSERT_INT_EQ(valid, 0);
	json_decref(recs);
	TEST_DONE();
}

/* A manifest of two files (one named with a byte that is not UTF-8, so
 * stored as pathHex), one chunk, one segment; *CHUNKS borrowed. */
static json_t *
sample_manifest(const char *bad, json_t **chunks)
{
	struct ds_mf_file	 f;
	json_t			*files, *segs;
	char			 hex[65];

	memset(&f, 0, sizeof f);
	f.path = (char *)bad;
	f.type = DS_MF_FILE;
	f.size = 100;
	f.segment = 3;
	f.ordinal = 1;
	f.offset = 40;
	f.length = 60;
	f.last = 1;
	f.has_sha = 1;
	memset(f.sha, 0xcd, 32);
	f.has_times = 1;
	f.mtime_ns = 1700000000123456789LL;
	f.ctime_ns = 1700000001000000001LL;
	files = json_array();
	json_array_append_new(files, ds_mf_file_json(&f));
	f.path = (char *)"dir";
	f.type = DS_MF_DIR;
	f.size = f.length = f.offset = 0;
	f.has_sha = 0;
	f.has_times = 0;
	f.ordinal = 2;
	json_array_append_new(files, ds_mf_file_json(&f));
	ds_hex(hex, f.sha, 32);
	*chunks = json_pack("[{s:i, s:i, s:i, s:s}]", "index", 0,
	    "segment", 3, "length", 10, "sha256", hex);
	segs = json_pack("[{s:i, s:i, s:i, s:i}]", "segment", 3,
	    "firstChunk", 0, "chunks", 1, "streamBytes", 10);
	return json_pack("{s:s, s:i, s:s, s:i, s:s, s:i, s:b, s:o, s:o, "
	    "s:o}", "format", "diskseed-manifest", "version", 1,
	    "setId", "00112233445566778899aabbccddeeff", "drive", 1,
	    "job", "j", "chunkSize", 65536, "last", 1, "segments",
	    segs, "chunks", *chunks, "files", files);
}

static void
test_manifest(void)
{
	const char		 bad[] = { 'a', '/', (char)0xff, 'b', 0 };
	struct ds_manifest	*m = NULL;
	json_t			*root, *chunks;
	char			*text;

	TEST_START("manifest: build a file record, parse it back");
	root = sample_manifest(bad, &chunks);
	text = json_dumps(root, JSON_COMPACT);
	ASSERT_TRUE(strstr(text, "pathHex") != NULL);
	ASSERT_INT_EQ(ds_manifest_parse(text, strlen(text), &m, NULL),
	    DS_E_OK);
	ASSERT_INT_EQ(m->nfiles, 2);
	ASSERT_STRING_EQ(m->files[0].path, bad);
	ASSERT_INT_EQ(m->files[0].offset, 40);
	ASSERT_INT_EQ(m->files[0].length, 60);
	ASSERT_INT_EQ(m->files[0].segment, 3);
	ASSERT_TRUE(m->files[0].has_sha);
	ASSERT_INT_EQ(m->files[0].sha[5], 0xcd);
	ASSERT_TRUE(m->files[0].has_times);
	ASSERT_TRUE(m->files[0].mtime_ns == 1700000000123456789LL);
	ASSERT_TRUE(m->files[0].ctime_ns == 1700000001000000001LL);
	ASSERT_INT_EQ(m->files[1].type, DS_MF_DIR);
	ASSERT_INT_EQ(m->nchunks, 1);
	ASSERT_INT_EQ(m->chunks[0].length, 10);
	ASSERT_INT_EQ(m->nsegments, 1);
	ASSERT_INT_EQ(m->drive, 1);
	ASSERT_TRUE(m->last);
	ds_manifest_free(m);
	m = NULL;
	/* Another key order: parsed whole, the same result. */
	free(text);
	text = json_dumps(root, JSON_COMPACT | JSON_SORT_KEYS);
	ASSERT_INT_EQ(ds_manifest_parse(text, strlen(text), &m, NULL),
	    DS_E_OK);
	ASSERT_INT_EQ(m->nfiles, 2);
	ASSERT_STRING_EQ(m->files[0].path, bad);
	ASSERT_INT_EQ(m->nchunks, 1);
	ASSERT_INT_EQ(m->nsegments, 1);
	ds_manifest_free(m);
	m = NULL;
	/* Damage in the streamed lists. */
	free(text);
	text = json_dumps(root, JSON_COMPACT);
	text[strlen(text) - 3] = '?';
	ASSERT_INT_EQ(ds_manifest_parse(text, strlen(text), &m, NULL),
	    DS_E_PARSE);
	/* Not a manifest; a chunk list out of order. */
	ASSERT_INT_EQ(ds_manifest_parse("{}", 2, &m, NULL), DS_E_PARSE);
	json_object_set_new(json_array_get(chunks, 0), "index",
	    json_integer(5));
	free(text);
	text = json_dumps(root, JSON_COMPACT);
	ASSERT_INT_EQ(ds_manifest_parse(text, strlen(text), &m, NULL),
	    DS_E_PARSE);
	free(text);
	json_decref(root);
	TEST_DONE();
}

/* Writes TEXT into DIR/NAME. */
static int
put_file(const char *dir, const char *name, const char *text)
{
	char	 f[400];
	FILE	*fp;

	snprintf(f, sizeof f, "%s/%s", dir, name);
	if ((fp = fopen(f, "w")) == NULL)
		return -1;
	fputs(text, fp);
	return fclose(fp);
}

static void
test_staging_scan(void)
{
	char		 d[] = "/tmp/ds-test-scan.XXXXXX", f[400];
	struct ds_scan	*sc = NULL;

	TEST_START("staging scan: entries, bytes, a missing folder");
	ASSERT_TRUE(mkdtemp(d) != NULL);
	snprintf(f, sizeof f, "%s/sub", d);
	ASSERT_INT_EQ(mkdir(f, 0755), 0);
	ASSERT_INT_EQ(put_file(d, "sub/a", "12345"), 0);
	ASSERT_INT_EQ(put_file(d, "b", "123"), 0);
	ASSERT_INT_EQ(ds_staging_scan(d, NULL, &sc, NULL), DS_E_OK);
	ASSERT_INT_EQ(sc->files, 3);
	ASSERT_INT_EQ(sc->bytes, 8);
	ASSERT_INT_EQ(sc->nunreadable, 0);
	ds_scan_free(sc);
	snprintf(f, sizeof f, "%s/sub/a", d);
	unlink(f);
	snprintf(f, sizeof f, "%s/b", d);
	unlink(f);
	snprintf(f, sizeof f, "%s/sub", d);
	rmdir(f);
	rmdir(d);
	ASSERT_INT_EQ(ds_staging_scan(d, NULL, &sc, NULL), DS_E_NOTFOUND);
	TEST_DONE();
}

int
main(void)
{
	test_header_round_trip();
	test_header_damage();
	test_trailer_offset();
	test_chunk_round_trip();
	test_chunk_tamper();
	test_chunk_swap();
	test_chunk_session();
	test_key_check();
	test_rkey_round_trip();
	test_rkey_mistyped();
	test_header_hash();
	test_journal_torn();
	test_journal_checksum();
	test_manifest();
	test_staging_scan();
	return tap_end();
}
