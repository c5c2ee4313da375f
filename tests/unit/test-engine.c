/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of the engine's primitives: header codec, chunk seal/open
 * (tamper, swap, replay), recovery keys, journal replay with a torn last
 * record, manifest codec, the header-hash format.
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

int
main(void)
{
	struct ds_hdr		 h, h2;
	struct ds_chunk_rec	 r, r2;
	struct ds_manifest	*m = NULL;
	uint8_t			 block[DS_FMT_BLOCK], key[32], key2[32];
	uint8_t			 set[16], plain[1000], out[2000], back[1000];
	uint8_t			 kc1[32], kc2[32];
	char			 rk[DS_FMT_RKEY_LEN + 1], *cause = NULL, *s;
	char			 tmp[] = "/tmp/ds-test-engine.XXXXXX";
	char			 path[300];
	struct ds_journal	*j;
	json_t			*recs, *rec;
	size_t			 valid, i;
	int			 fd;

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

	TEST_START("header: a flipped byte is caught, the trailer kind kept");
	block[200] ^= 1;
	ASSERT_INT_EQ(ds_hdr_decode(block, &h2, &cause), DS_E_PARSE);
	ASSERT_TRUE(cause != NULL);
	free(cause);
	cause = NULL;
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

	TEST_START("trailer offset is the last whole 4 KiB block");
	ASSERT_TRUE(ds_fmt_trailer_off(1 << 20) == (1 << 20) - 4096);
	ASSERT_TRUE(ds_fmt_trailer_off((1 << 20) + 100) == (1 << 20) - 4096);
	TEST_DONE();

	for (i = 0; i < sizeof key; i++) {
		key[i] = (uint8_t)(i * 7 + 1);
		key2[i] = (uint8_t)(i * 7 + 2);
	}
	memset(set, 0x5a, sizeof set);
	for (i = 0; i < sizeof plain; i++)
		plain[i] = (uint8_t)i;

	TEST_START("chunk seal/open round trip");
	memset(&r, 0, sizeof r);
	r.session = 3;
	r.index = 9;
	r.segment = 4;
	r.length = sizeof plain;
	r.flags = DS_FMT_CHUNK_LAST;
	ASSERT_TRUE(ds_chunk_sealed_len(sizeof plain) <= sizeof out);
	ASSERT_INT_EQ(ds_chunk_seal(key, set, 1, &r, plain, out), DS_E_OK);
	ASSERT_TRUE(memcmp(out + DS_FMT_REC_LEN, plain, 64) != 0);
	ASSERT_INT_EQ(ds_chunk_open(key, set, 1, 9, out, sizeof out, &r2, back,
	    NULL), DS_E_OK);
	ASSERT_INT_EQ(r2.length, sizeof plain);
	ASSERT_INT_EQ(r2.segment, 4);
	ASSERT_INT_EQ(r2.flags, DS_FMT_CHUNK_LAST);
	ASSERT_MEM_EQ(back, plain, sizeof plain);
	TEST_DONE();

	TEST_START("chunk: tampered ciphertext, tag, record fail");
	out[DS_FMT_REC_LEN + 10] ^= 1;
	ASSERT_INT_EQ(ds_chunk_open(key, set, 1, 9, out, sizeof out, &r2, back,
	    NULL), DS_E_DAMAGED);
	out[DS_FMT_REC_LEN + 10] ^= 1;
	out[DS_FMT_REC_LEN + sizeof plain + 3] ^= 1;
	ASSERT_INT_EQ(ds_chunk_open(key, set, 1, 9, out, sizeof out, &r2, back,
	    NULL), DS_E_DAMAGED);
	out[DS_FMT_REC_LEN + sizeof plain + 3] ^= 1;
	out[12] ^= 1;	/* the segment number in the record */
	ASSERT_INT_EQ(ds_chunk_open(key, set, 1, 9, out, sizeof out, &r2, back,
	    NULL), DS_E_DAMAGED);
	out[12] ^= 1;
	ASSERT_INT_EQ(ds_chunk_open(key, set, 1, 9, out, sizeof out, &r2, back,
	    NULL), DS_E_OK);
	TEST_DONE();

	TEST_START("chunk: swapped slot, other drive, other set, other key");
	/* Replayed at another slot: the record names slot 9. */
	ASSERT_INT_EQ(ds_chunk_open(key, set, 1, 10, out, sizeof out, &r2,
	    back, &cause), DS_E_DAMAGED);
	ASSERT_TRUE(strstr(cause, "10") != NULL);
	free(cause);
	cause = NULL;
	ASSERT_INT_EQ(ds_chunk_open(key, set, 2, 9, out, sizeof out, &r2, back,
	    NULL), DS_E_DAMAGED);
	set[0] ^= 1;
	ASSERT_INT_EQ(ds_chunk_open(key, set, 1, 9, out, sizeof out, &r2, back,
	    NULL), DS_E_DAMAGED);
	set[0] ^= 1;
	ASSERT_INT_EQ(ds_chunk_open(key2, set, 1, 9, out, sizeof out, &r2,
	    back, NULL), DS_E_DAMAGED);
	/* A record rewritten to claim slot 10 fails its tag. */
	out[16] = 10;
	ASSERT_INT_EQ(ds_chunk_open(key, set, 1, 10, out, sizeof out, &r2,
	    back, NULL), DS_E_DAMAGED);
	TEST_DONE();

	TEST_START("chunk: a new session gives another ciphertext");
	r.session = 3;
	ASSERT_INT_EQ(ds_chunk_seal(key, set, 1, &r, plain, out), DS_E_OK);
	memcpy(back, out + DS_FMT_REC_LEN, 64);
	r.session = 4;
	ASSERT_INT_EQ(ds_chunk_seal(key, set, 1, &r, plain, out), DS_E_OK);
	ASSERT_TRUE(memcmp(back, out + DS_FMT_REC_LEN, 64) != 0);
	TEST_DONE();

	TEST_START("key check depends on key, set and index");
	ds_fmt_key_check(key, set, 0, kc1);
	ds_fmt_key_check(key, set, 0, kc2);
	ASSERT_MEM_EQ(kc1, kc2, 32);
	ds_fmt_key_check(key, set, 1, kc2);
	ASSERT_TRUE(memcmp(kc1, kc2, 32) != 0);
	ds_fmt_key_check(key2, set, 0, kc2);
	ASSERT_TRUE(memcmp(kc1, kc2, 32) != 0);
	TEST_DONE();

	TEST_START("recovery key: format, parse, groups are multiples of 11");
	ds_rkey_format(key, rk);
	ASSERT_INT_EQ(strlen(rk), DS_FMT_RKEY_LEN);
	for (i = 0; i < 16; i++) {
		ASSERT_TRUE(i == 15 || rk[7 * i + 6] == '-');
		ASSERT_INT_EQ(strtoul(rk + 7 * i, NULL, 10) % 11, 0);
	}
	memset(key2, 0, sizeof key2);
	ASSERT_INT_EQ(ds_rkey_parse(rk, key2, NULL), DS_E_OK);
	ASSERT_MEM_EQ(key, key2, 32);
	/* Spaces instead of dashes are fine. */
	for (i = 0; i < 15; i++)
		rk[7 * i + 6] = ' ';
	ASSERT_INT_EQ(ds_rkey_parse(rk, key2, NULL), DS_E_OK);
	ASSERT_MEM_EQ(key, key2, 32);
	TEST_DONE();

	TEST_START("recovery key: a mistyped group is named");
	ds_rkey_format(key, rk);
	rk[7 * 4 + 5] = rk[7 * 4 + 5] == '9' ? '0' : rk[7 * 4 + 5] + 1;
	ASSERT_INT_EQ(ds_rkey_parse(rk, key2, &cause), DS_E_PARSE);
	ASSERT_TRUE(strstr(cause, "5") != NULL);
	free(cause);
	cause = NULL;
	ASSERT_INT_EQ(ds_rkey_parse("123", key2, NULL), DS_E_PARSE);
	ds_rkey_format(key, rk);
	rk[0] = '9';	/* 9xxxxx / 11 > 65535 or not a multiple */
	ASSERT_INT_EQ(ds_rkey_parse(rk, key2, NULL), DS_E_PARSE);
	ds_rkey_format(key, rk);
	s = malloc(strlen(rk) + 8);
	snprintf(s, strlen(rk) + 8, "%s-000000", rk);
	ASSERT_INT_EQ(ds_rkey_parse(s, key2, NULL), DS_E_PARSE);
	free(s);
	TEST_DONE();

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

	TEST_START("journal: a record with a wrong checksum ends the replay");
	{
		const char *text = "0000000000000000000000000000000000000000"
		    "000000000000000000000000 {\"t\":\"x\"}\n";

		recs = ds_journal_parse(text, strlen(text), &valid);
		ASSERT_INT_EQ(json_array_size(recs), 0);
		ASSERT_INT_EQ(valid, 0);
		json_decref(recs);
	}
	TEST_DONE();

	TEST_START("manifest: build a file record, parse it back");
	{
		struct ds_mf_file	 f;
		json_t			*root, *files, *chunks, *segs;
		char			*text, hex[65];
		const char		 bad[] = { 'a', '/', (char)0xff,
			'b', 0 };

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
		chunks = json_pack("[{s:i, s:i, s:i, s:s}]", "index", 0,
		    "segment", 3, "length", 10, "sha256", hex);
		segs = json_pack("[{s:i, s:i, s:i, s:i}]", "segment", 3,
		    "firstChunk", 0, "chunks", 1, "streamBytes", 10);
		root = json_pack("{s:s, s:i, s:s, s:i, s:s, s:i, s:b, s:o, "
		    "s:o, s:o}", "format", "diskseed-manifest", "version", 1,
		    "setId", "00112233445566778899aabbccddeeff", "drive", 1,
		    "job", "j", "chunkSize", 65536, "last", 1, "segments",
		    segs, "chunks", chunks, "files", files);
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
		ASSERT_INT_EQ(ds_manifest_parse("{}", 2, &m, NULL),
		    DS_E_PARSE);
		json_object_set_new(json_array_get(chunks, 0), "index",
		    json_integer(5));
		free(text);
		text = json_dumps(root, JSON_COMPACT);
		ASSERT_INT_EQ(ds_manifest_parse(text, strlen(text), &m, NULL),
		    DS_E_PARSE);
		free(text);
		json_decref(root);
	}
	TEST_DONE();

	TEST_START("staging scan: entries, bytes, a missing folder");
	{
		char		 d[] = "/tmp/ds-test-scan.XXXXXX", f[400];
		struct ds_scan	*sc = NULL;
		FILE		*fp;

		ASSERT_TRUE(mkdtemp(d) != NULL);
		snprintf(f, sizeof f, "%s/sub", d);
		ASSERT_INT_EQ(mkdir(f, 0755), 0);
		snprintf(f, sizeof f, "%s/sub/a", d);
		ASSERT_TRUE((fp = fopen(f, "w")) != NULL);
		fputs("12345", fp);
		fclose(fp);
		snprintf(f, sizeof f, "%s/b", d);
		ASSERT_TRUE((fp = fopen(f, "w")) != NULL);
		fputs("123", fp);
		fclose(fp);
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
		ASSERT_INT_EQ(ds_staging_scan(d, NULL, &sc, NULL),
		    DS_E_NOTFOUND);
	}
	TEST_DONE();

	return tap_end();
}
