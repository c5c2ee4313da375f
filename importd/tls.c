/* SPDX-License-Identifier: MIT */
/* Keys and certificates of the service: CA, server, management. */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>

#include "error.h"
#include "util.h"
#include "importd.h"

/* Fails with the OpenSSL error queue's last message. */
static int
tls_fail(char **cause, const char *what)
{
	char	buf[256];
	unsigned long e = ERR_peek_last_error();

	ERR_error_string_n(e, buf, sizeof buf);
	ERR_clear_error();
	return ds_cause(cause, DS_E_IMPORTD_TLS, "%s: %s", what,
	    e != 0 ? buf : "failed");
}

int
tls_new_key(EVP_PKEY **out, char **cause)
{
	if ((*out = EVP_EC_gen("P-256")) == NULL)
		return tls_fail(cause, "EC key");
	return DS_E_OK;
}

static int
tls_ext(X509 *cert, X509 *issuer, int nid, const char *value)
{
	X509V3_CTX	 ctx;
	X509_EXTENSION	*ext;
	int		 ok;

	X509V3_set_ctx(&ctx, issuer != NULL ? issuer : cert, cert, NULL,
	    NULL, 0);
	if ((ext = X509V3_EXT_conf_nid(NULL, &ctx, nid, value)) == NULL)
		return 0;
	ok = X509_add_ext(cert, ext, -1);
	X509_EXTENSION_free(ext);
	return ok;
}

int
tls_new_cert(X509 **out, EVP_PKEY *key, const char *cn, X509 *issuer,
    EVP_PKEY *issuer_key, long days, enum tls_kind kind, char **cause)
{
	X509		*x;
	X509_NAME	*name;
	unsigned char	 serial[16];
	BIGNUM		*bn = NULL;
	int		 ok = 0;

	*out = NULL;
	if ((x = X509_new()) == NULL)
		return DS_E_NOMEM;
	if (RAND_bytes(serial, sizeof serial) != 1)
		goto done;
	serial[0] &= 0x7f;
	if ((bn = BN_bin2bn(serial, sizeof serial, NULL)) == NULL ||
	    BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x)) == NULL)
		goto done;
	if (!X509_set_version(x, 2) ||
	    X509_gmtime_adj(X509_getm_notBefore(x),
	    days < 0 ? (days - 1) * 86400L : -3600L) == NULL ||
	    X509_gmtime_adj(X509_getm_notAfter(x), days * 86400L) == NULL ||
	    !X509_set_pubkey(x, key))
		goto done;
	name = X509_get_subject_name(x);
	if (!X509_NAME_add_entry_by_txt(name, "O", MBSTRING_UTF8,
	    (const unsigned char *)"diskseed-importd", -1, -1, 0) ||
	    !X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
	    (const unsigned char *)cn, -1, -1, 0))
		goto done;
	if (!X509_set_issuer_name(x, issuer != NULL ?
	    X509_get_subject_name(issuer) : name))
		goto done;
	switch (kind) {
	case TLS_CA:
		ok = tls_ext(x, issuer, NID_basic_constraints,
		    "critical,CA:TRUE") &&
		    tls_ext(x, issuer, NID_key_usage,
		    "critical,keyCertSign,cRLSign");
		break;
	case TLS_SERVER:
		ok = tls_ext(x, issuer, NID_basic_constraints, "CA:FALSE") &&
		    tls_ext(x, issuer, NID_key_usage,
		    "critical,digitalSignature,keyAgreement") &&
		    tls_ext(x, issuer, NID_ext_key_usage, "serverAuth") &&
		    tls_ext(x, issuer, NID_subject_alt_name,
		    "IP:127.0.0.1,DNS:localhost,IP:::1");
		break;
	case TLS_CLIENT:
		ok = tls_ext(x, issuer, NID_basic_constraints, "CA:FALSE") &&
		    tls_ext(x, issuer, NID_key_usage,
		    "critical,digitalSignature") &&
		    tls_ext(x, issuer, NID_ext_key_usage, "clientAuth");
		break;
	}
	ok = ok && tls_ext(x, issuer, NID_subject_key_identifier, "hash");
	if (ok && issuer != NULL)
		ok = tls_ext(x, issuer, NID_authority_key_identifier,
		    "keyid:always");
	if (ok)
		ok = X509_sign(x, issuer_key != NULL ? issuer_key : key,
		    EVP_sha256()) > 0;
done:
	BN_free(bn);
	if (!ok) {
		X509_free(x);
		return tls_fail(cause, cn);
	}
	*out = x;
	return DS_E_OK;
}

/* Opens PATH for writing with MODE, whatever the umask. */
static FILE *
tls_create(const char *path, int mode, char **cause)
{
	FILE	*f;
	int	 fd;

	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	if (fd == -1 || fchmod(fd, mode) == -1 ||
	    (f = fdopen(fd, "w")) == NULL) {
		ds_cause(cause, DS_E_IO, "%s: %s", path, strerror(errno));
		if (fd != -1)
			close(fd);
		return NULL;
	}
	return f;
}

int
tls_save_key(const char *path, EVP_PKEY *key, char **cause)
{
	FILE	*f;
	int	 ok;

	if ((f = tls_create(path, 0600, cause)) == NULL)
		return DS_E_IO;
	ok = PEM_write_PrivateKey(f, key, NULL, NULL, 0, NULL, NULL);
	if (fclose(f) != 0 || !ok)
		return ds_cause(cause, DS_E_IO, "%s", path);
	return DS_E_OK;
}

int
tls_save_cert(const char *path, X509 *cert, int mode, char **cause)
{
	FILE	*f;
	int	 ok;

	if ((f = tls_create(path, mode, cause)) == NULL)
		return DS_E_IO;
	ok = PEM_write_X509(f, cert);
	if (fclose(f) != 0 || !ok)
		return ds_cause(cause, DS_E_IO, "%s", path);
	return DS_E_OK;
}

int
tls_load_key(const char *path, EVP_PKEY **out, char **cause)
{
	FILE	*f;

	if ((f = fopen(path, "re")) == NULL)
		return ds_cause(cause, DS_E_IO, "%s: %s", path,
		    strerror(errno));
	*out = PEM_read_PrivateKey(f, NULL, NULL, NULL);
	fclose(f);
	if (*out == NULL)
		return tls_fail(cause, path);
	return DS_E_OK;
}

int
tls_load_cert(const char *path, X509 **out, char **cause)
{
	FILE	*f;

	if ((f = fopen(path, "re")) == NULL)
		return ds_cause(cause, DS_E_IO, "%s: %s", path,
		    strerror(errno));
	*out = PEM_read_X509(f, NULL, NULL, NULL);
	fclose(f);
	if (*out == NULL)
		return tls_fail(cause, path);
	return DS_E_OK;
}

void
tls_fingerprint(X509 *cert, char out[65])
{
	unsigned char	md[EVP_MAX_MD_SIZE];
	unsigned int	 len = 0;

	if (!X509_digest(cert, EVP_sha256(), md, &len) || len != 32) {
		out[0] = '\0';
		return;
	}
	ds_hex(out, md, 32);
}

int
tls_p12_base64(X509 *cert, EVP_PKEY *key, const char *name, char **out,
    char **cause)
{
	PKCS12		*p12;
	unsigned char	*der = NULL;
	int		 len, blen;
	char		*b64;

	*out = NULL;
	/* The portal's files carry an empty password: "" (not NULL). */
	p12 = PKCS12_create("", name, key, cert, NULL, 0, 0, 0, 0, 0);
	if (p12 == NULL)
		return tls_fail(cause, "PKCS#12");
	len = i2d_PKCS12(p12, &der);
	PKCS12_free(p12);
	if (len <= 0)
		return tls_fail(cause, "PKCS#12");
	blen = 4 * ((len + 2) / 3) + 1;
	if ((b64 = malloc(blen)) == NULL) {
		ds_freezero(der, len);
		return DS_E_NOMEM;
	}
	EVP_EncodeBlock((unsigned char *)b64, der, len);
	OPENSSL_clear_free(der, len);
	*out = b64;
	return DS_E_OK;
}

/* Accepts every client certificate at the handshake: the request
 * handler checks it, so a bad one gets a 403 body, not a TLS alert. */
static int
tls_accept_any(int ok, X509_STORE_CTX *ctx)
{
	(void)ok;
	(void)ctx;
	return 1;
}

int
tls_server_ctx(const char *dir, SSL_CTX **out, char **cause)
{
	SSL_CTX	*ctx;
	char	*crt, *key, *ca;
	int	 rc = DS_E_OK;
	STACK_OF(X509_NAME) *names;

	*out = NULL;
	if ((ctx = SSL_CTX_new(TLS_server_method())) == NULL)
		return tls_fail(cause, "SSL_CTX_new");
	SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
	SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION);
	crt = config_path(dir, "server.pem");
	key = config_path(dir, "server.key");
	ca = config_path(dir, "ca.pem");
	if (SSL_CTX_use_certificate_chain_file(ctx, crt) != 1)
		rc = tls_fail(cause, crt);
	else if (SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM) != 1)
		rc = tls_fail(cause, key);
	else if (SSL_CTX_check_private_key(ctx) != 1)
		rc = tls_fail(cause, key);
	else if ((names = SSL_load_client_CA_file(ca)) == NULL)
		rc = tls_fail(cause, ca);
	else {
		SSL_CTX_set_client_CA_list(ctx, names);
		SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, tls_accept_any);
		/* No session tickets or cache: every connection presents
		 * its certificate again. */
		SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
		SSL_CTX_set_num_tickets(ctx, 0);
		SSL_CTX_set_options(ctx, SSL_OP_NO_TICKET);
	}
	free(crt);
	free(key);
	free(ca);
	if (rc != DS_E_OK) {
		SSL_CTX_free(ctx);
		return rc;
	}
	*out = ctx;
	return DS_E_OK;
}

int
tls_ca_store(const char *dir, X509_STORE **out, char **cause)
{
	X509_STORE	*st;
	char		*ca = config_path(dir, "ca.pem");
	int		 rc = DS_E_OK;

	*out = NULL;
	if ((st = X509_STORE_new()) == NULL)
		rc = DS_E_NOMEM;
	else if (X509_STORE_load_file(st, ca) != 1) {
		rc = tls_fail(cause, ca);
		X509_STORE_free(st);
	} else
		*out = st;
	free(ca);
	return rc;
}

int
tls_verify_client(X509_STORE *store, X509 *cert)
{
	X509_STORE_CTX	*ctx;
	int		 rc;

	if ((ctx = X509_STORE_CTX_new()) == NULL)
		return X509_V_ERR_OUT_OF_MEM;
	if (X509_STORE_CTX_init(ctx, store, cert, NULL) != 1) {
		X509_STORE_CTX_free(ctx);
		return X509_V_ERR_UNSPECIFIED;
	}
	X509_STORE_CTX_set_purpose(ctx, X509_PURPOSE_SSL_CLIENT);
	rc = X509_verify_cert(ctx) == 1 ? X509_V_OK :
	    X509_STORE_CTX_get_error(ctx);
	if (rc == X509_V_OK && X509_STORE_CTX_get_error(ctx) != X509_V_OK)
		rc = X509_STORE_CTX_get_error(ctx);
	X509_STORE_CTX_free(ctx);
	ERR_clear_error();
	return rc;
}
