/* SPDX-License-Identifier: MIT */
/* The on-drive format: header and trailer blocks, sealed chunks, keys. */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/sha.h>

#include "error.h"
#include "format.h"
#include "util.h"

static const char hdr_magic[8] = { 'D', 'S', 'E', 'E', 'D', 'H', 'D', '1' };
static const char trl_magic[8] = { 'D', 'S', 'E', 'E', 'D', 'T', 'R', '1' };
static const char rec_magic[4] = { 'D', 'S', 'C', 'K' };

static void
put32(uint8_t *p, uint32_t v)
{
	int i;

	for (i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void
put64(uint8_t *p, uint64_t v)
{
	int i;

	for (i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static uint32_t
get32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	    (uint32_t)p[3] << 24;
}

static uint64_t
get64(const uint8_t *p)
{
	return (uint64_t)get32(p) | (uint64_t)get32(p + 4) << 32;
}

void
ds_hdr_encode(const struct ds_hdr *h, uint8_t *out)
{
	size_t joblen = strnlen(h->job, DS_FMT_JOB_MAX);

	memset(out, 0, DS_FMT_BLOCK);
	memcpy(out, h->kind == DS_HDR_TRAILER ? trl_magic : hdr_magic, 8);
	put32(out + 8, h->version);
	memcpy(out + 16, h->set_id, DS_FMT_SET_LEN);
	put32(out + 32, h->index);
	put32(out + 36, h->cipher);
	put32(out + 40, h->chunk_size);
	put32(out + 44, h->last);
	put64(out + 48, h->data_off);
	put64(out + 56, h->drive_size);
	put64(out + 64, h->created);
	put64(out + 72, h->manifest_off);
	put64(out + 80, h->manifest_len);
	put64(out + 88, h->chunks);
	memcpy(out + 96, h->key_check, 32);
	memcpy(out + 128, h->manifest_hash, 32);
	out[160] = (uint8_t)joblen;
	out[161] = (uint8_t)(joblen >> 8);
	memcpy(out + 162, h->job, joblen);
	SHA256(out, DS_FMT_BLOCK - 32, out + DS_FMT_BLOCK - 32);
}

int
ds_hdr_decode(const uint8_t *in, struct ds_hdr *h, char **cause)
{
	uint8_t	 sum[32];
	size_t	 joblen;

	memset(h, 0, sizeof *h);
	if (memcmp(in, hdr_magic, 8) == 0)
		h->kind = DS_HDR_HEADER;
	else if (memcmp(in, trl_magic, 8) == 0)
		h->kind = DS_HDR_TRAILER;
	else
		return ds_cause(cause, DS_E_PARSE,
		    _("not a diskseed drive (no header)"));
	SHA256(in, DS_FMT_BLOCK - 32, sum);
	if (CRYPTO_memcmp(sum, in + DS_FMT_BLOCK - 32, 32) != 0)
		return ds_cause(cause, DS_E_PARSE,
		    _("the %s block is damaged (checksum mismatch)"),
		    h->kind == DS_HDR_HEADER ? _("header") : _("trailer"));
	h->version = get32(in + 8);
	if (h->version != DS_FMT_VERSION)
		return ds_cause(cause, DS_E_PARSE,
		    _("unsupported format version %u"), h->version);
	memcpy(h->set_id, in + 16, DS_FMT_SET_LEN);
	h->index = get32(in + 32);
	h->cipher = get32(in + 36);
	h->chunk_size = get32(in + 40);
	h->last = get32(in + 44);
	h->data_off = get64(in + 48);
	h->drive_size = get64(in + 56);
	h->created = get64(in + 64);
	h->manifest_off = get64(in + 72);
	h->manifest_len = get64(in + 80);
	h->chunks = get64(in + 88);
	memcpy(h->key_check, in + 96, 32);
	memcpy(h->manifest_hash, in + 128, 32);
	joblen = (size_t)in[160] | (size_t)in[161] << 8;
	if (joblen > DS_FMT_JOB_MAX || h->cipher != DS_FMT_CIPHER_GCM ||
	    h->chunk_size < 2 * DS_FMT_BLOCK || h->chunk_size % DS_FMT_BLOCK ||
	    h->chunk_size > DS_FMT_CHUNK_MAX ||
	    h->data_off != DS_FMT_DATA_OFF || h->index >= DS_FMT_MAX_DRIVES ||
	    h->drive_size < (uint64_t)DS_FMT_DATA_OFF + DS_FMT_BLOCK)
		return ds_cause(cause, DS_E_PARSE,
		    _("the header holds impossible values"));
	memcpy(h->job, in + 162, joblen);
	h->job[joblen] = '\0';
	return DS_E_OK;
}

uint64_t
ds_fmt_trailer_off(uint64_t size)
{
	return (size / DS_FMT_BLOCK) * DS_FMT_BLOCK - DS_FMT_BLOCK;
}

void
ds_fmt_key_check(const uint8_t *key, const uint8_t *set_id, uint32_t index,
    uint8_t out[32])
{
	static const char	 label[] = "diskseed key check";
	uint8_t			 msg[sizeof label - 1 + DS_FMT_SET_LEN + 4];
	size_t			 outlen = 32;

	memcpy(msg, label, sizeof label - 1);
	memcpy(msg + sizeof label - 1, set_id, DS_FMT_SET_LEN);
	put32(msg + sizeof label - 1 + DS_FMT_SET_LEN, index);
	if (EVP_Q_mac(NULL, "HMAC", NULL, "SHA256", NULL, key, DS_FMT_KEY_LEN,
	    msg, sizeof msg, out, 32, &outlen) == NULL)
		memset(out, 0, 32);
}

size_t
ds_chunk_payload(uint32_t chunk_size)
{
	return chunk_size - DS_FMT_REC_LEN - DS_FMT_TAG_LEN;
}

size_t
ds_chunk_sealed_len(size_t len)
{
	return DS_FMT_REC_LEN + len + DS_FMT_TAG_LEN;
}

static void
rec_encode(const struct ds_chunk_rec *r, uint8_t *out)
{
	memset(out, 0, DS_FMT_REC_LEN);
	memcpy(out, rec_magic, 4);
	put32(out + 4, r->flags);
	put32(out + 8, r->session);
	put32(out + 12, r->segment);
	put64(out + 16, r->index);
	put64(out + 24, r->stream_off);
	put32(out + 32, r->length);
}

/* Builds the nonce and AAD of the chunk whose record header is REC. */
static void
chunk_iv_aad(const uint8_t *set_id, uint32_t drive,
    const struct ds_chunk_rec *r, const uint8_t *rec, uint8_t iv[12],
    uint8_t aad[DS_FMT_SET_LEN + 4 + DS_FMT_REC_LEN])
{
	put32(iv, r->session);
	put64(iv + 4, r->index);
	memcpy(aad, set_id, DS_FMT_SET_LEN);
	put32(aad + DS_FMT_SET_LEN, drive);
	memcpy(aad + DS_FMT_SET_LEN + 4, rec, DS_FMT_REC_LEN);
}

int
ds_chunk_seal(const uint8_t *key, const uint8_t *set_id, uint32_t drive,
    const struct ds_chunk_rec *r, const uint8_t *plain, uint8_t *out)
{
	EVP_CIPHER_CTX	*ctx;
	uint8_t		 iv[12], aad[DS_FMT_SET_LEN + 4 + DS_FMT_REC_LEN];
	int		 n, ok;

	rec_encode(r, out);
	chunk_iv_aad(set_id, drive, r, out, iv, aad);
	if ((ctx = EVP_CIPHER_CTX_new()) == NULL)
		return DS_E_NOMEM;
	ok = EVP_EncryptInit_ex(ctx, EVP_aes_256_gcm(), NULL, key, iv) == 1 &&
	    EVP_EncryptUpdate(ctx, NULL, &n, aad, sizeof aad) == 1 &&
	    EVP_EncryptUpdate(ctx, out + DS_FMT_REC_LEN, &n, plain,
	    (int)r->length) == 1 &&
	    EVP_EncryptFinal_ex(ctx, out + DS_FMT_REC_LEN + n, &n) == 1 &&
	    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, DS_FMT_TAG_LEN,
	    out + DS_FMT_REC_LEN + r->length) == 1;
	EVP_CIPHER_CTX_free(ctx);
	return ok ? DS_E_OK : DS_E_IO;
}

int
ds_chunk_open(const uint8_t *key, const uint8_t *set_id, uint32_t drive,
    uint64_t index, const uint8_t *in, size_t inlen, struct ds_chunk_rec *r,
    uint8_t *plain, char **cause)
{
	EVP_CIPHER_CTX	*ctx;
	uint8_t		 iv[12], aad[DS_FMT_SET_LEN + 4 + DS_FMT_REC_LEN];
	uint8_t		 tag[DS_FMT_TAG_LEN];
	int		 n, ok;

	memset(r, 0, sizeof *r);
	if (inlen < DS_FMT_REC_LEN || memcmp(in, rec_magic, 4) != 0)
		return ds_cause(cause, DS_E_DAMAGED,
		    _("chunk %llu: no chunk record"),
		    (unsigned long long)index);
	r->flags = get32(in + 4);
	r->session = get32(in + 8);
	r->segment = get32(in + 12);
	r->index = get64(in + 16);
	r->stream_off = get64(in + 24);
	r->length = get32(in + 32);
	if (r->index != index)
		return ds_cause(cause, DS_E_DAMAGED,
		    _("chunk %llu: holds chunk %llu (moved or replayed)"),
		    (unsigned long long)index, (unsigned long long)r->index);
	if (ds_chunk_sealed_len(r->length) > inlen)
		return ds_cause(cause, DS_E_DAMAGED,
		    _("chunk %llu: impossible length"),
		    (unsigned long long)index);
	if (key == NULL)
		return DS_E_OK;
	chunk_iv_aad(set_id, drive, r, in, iv, aad);
	memcpy(tag, in + DS_FMT_REC_LEN + r->length, DS_FMT_TAG_LEN);
	if ((ctx = EVP_CIPHER_CTX_new()) == NULL)
		return DS_E_NOMEM;
	ok = EVP_DecryptInit_ex(ctx, EVP_aes_256_gcm(), NULL, key, iv) == 1 &&
	    EVP_DecryptUpdate(ctx, NULL, &n, aad, sizeof aad) == 1 &&
	    EVP_DecryptUpdate(ctx, plain, &n, in + DS_FMT_REC_LEN,
	    (int)r->length) == 1 &&
	    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, DS_FMT_TAG_LEN,
	    tag) == 1 &&
	    EVP_DecryptFinal_ex(ctx, plain + n, &n) == 1;
	EVP_CIPHER_CTX_free(ctx);
	if (!ok) {
		OPENSSL_cleanse(plain, r->length);
		return ds_cause(cause, DS_E_DAMAGED,
		    _("chunk %llu: authentication failed (damaged, or from "
		    "another drive)"), (unsigned long long)index);
	}
	return DS_E_OK;
}

void
ds_rkey_format(const uint8_t *key, char *out)
{
	int		 g;
	unsigned	 v;

	for (g = 0; g < 16; g++) {
		v = ((unsigned)key[2 * g] | (unsigned)key[2 * g + 1] << 8) * 11;
		snprintf(out + 7 * g, 8, "%06u%s", v, g < 15 ? "-" : "");
	}
	out[DS_FMT_RKEY_LEN] = '\0';
}

int
ds_rkey_parse(const char *text, uint8_t *key, char **cause)
{
	const char	*p = text;
	unsigned long	 v;
	int		 g, d;

	for (g = 0; g < 16; g++) {
		while (*p == '-' || *p == ' ')
			p++;
		v = 0;
		for (d = 0; d < 6; d++, p++) {
			if (!isdigit((unsigned char)*p))
				goto bad;
			v = v * 10 + (unsigned long)(*p - '0');
		}
		if (v % 11 != 0 || v / 11 > 0xffff)
			goto bad;
		key[2 * g] = (uint8_t)(v / 11);
		key[2 * g + 1] = (uint8_t)((v / 11) >> 8);
	}
	while (*p == ' ' || *p == '\n')
		p++;
	if (*p != '\0') {
		OPENSSL_cleanse(key, DS_FMT_KEY_LEN);
		return ds_cause(cause, DS_E_PARSE,
		    _("the recovery key has more than 16 groups"));
	}
	return DS_E_OK;
bad:
	OPENSSL_cleanse(key, DS_FMT_KEY_LEN);
	return ds_cause(cause, DS_E_PARSE,
	    _("group %d of the recovery key is mistyped"), g + 1);
}

char *
ds_fmt_header_hash(const uint8_t *header, const uint8_t *trailer,
    uint64_t trailer_off)
{
	uint8_t	 a[32], b[32];
	char	 ha[65], hb[65], *out;

	SHA256(header, DS_FMT_BLOCK, a);
	SHA256(trailer, DS_FMT_BLOCK, b);
	ds_hex_upper(ha, a, 32);
	ds_hex_upper(hb, b, 32);
	if (asprintf(&out, "0:%d:%s;%llu:%d:%s", DS_FMT_BLOCK, ha,
	    (unsigned long long)trailer_off, DS_FMT_BLOCK, hb) == -1)
		return NULL;
	return out;
}
