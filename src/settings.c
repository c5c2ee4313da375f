/* SPDX-License-Identifier: MIT */
/* Publish settings: read the portal's file, keep one subscription. */
#include "config.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <jansson.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>
#include <openssl/provider.h>
#include <openssl/x509.h>

#include "error.h"
#include "jsonx.h"
#include "names.h"
#include "settings.h"
#include "state.h"
#include "util.h"

#define SETTINGS_FILE		"settings.json"
#define PUBLISH_MAX		(4 * 1024 * 1024)
/* Windows exports 2000, OpenSSL 2048, PBKDF2 advice 600000; far more
 * only stalls the import (2 x 10^8 took minutes). */
#define DS_P12_MAX_ITER		1000000

static void
sub_clear(struct ds_publish_sub *s)
{
	free(s->id);
	free(s->name);
	free(s->url);
	if (s->p12_b64 != NULL)
		ds_freezero(s->p12_b64, strlen(s->p12_b64));
}

void
ds_publish_free(struct ds_publish *p)
{
	size_t i;

	if (p == NULL)
		return;
	for (i = 0; i < p->nsubs; i++)
		sub_clear(&p->subs[i]);
	free(p->subs);
	free(p);
}

static char *
xprop(xmlNode *n, const char *name)
{
	xmlChar	*v;
	char	*s;

	if ((v = xmlGetProp(n, (const xmlChar *)name)) == NULL)
		return NULL;
	s = strdup((const char *)v);
	xmlFree(v);
	return s;
}

static int
is_elem(xmlNode *n, const char *name)
{
	return n->type == XML_ELEMENT_NODE &&
	    strcmp((const char *)n->name, name) == 0;
}

static int
add_sub(struct ds_publish *p, xmlNode *n, const char *url, const char *cert,
    char **cause)
{
	struct ds_publish_sub	*subs, *s;
	char			*id;

	if ((id = xprop(n, "Id")) == NULL)
		return ds_cause(cause, DS_E_BADSETTINGS, "%s",
		    _("a Subscription element has no Id"));
	subs = reallocarray(p->subs, p->nsubs + 1, sizeof *subs);
	if (subs == NULL) {
		free(id);
		return DS_E_NOMEM;
	}
	p->subs = subs;
	s = &subs[p->nsubs++];
	memset(s, 0, sizeof *s);
	s->id = id;
	s->name = xprop(n, "Name");
	s->url = xprop(n, "ServiceManagementUrl");
	if (s->url == NULL && url != NULL)
		s->url = strdup(url);
	s->p12_b64 = xprop(n, "ManagementCertificate");
	if (s->p12_b64 == NULL && cert != NULL)
		s->p12_b64 = strdup(cert);
	if (s->name == NULL)
		s->name = strdup(s->id);
	if (s->url == NULL)
		return ds_cause(cause, DS_E_BADSETTINGS,
		    _("subscription %s has no service URL"), s->id);
	if (s->p12_b64 == NULL)
		return ds_cause(cause, DS_E_BADSETTINGS,
		    _("subscription %s has no management certificate"),
		    s->id);
	return ds_name_check_subscription(s->id, cause);
}

/* Reads one PublishProfile: schema 2 keeps URL and certificate on each
 * Subscription, schema 1 on the profile. */
static int
read_profile(struct ds_publish *p, xmlNode *prof, char **cause)
{
	xmlNode	*n;
	char	*schema, *url, *cert;
	int	 rc = DS_E_OK;

	schema = xprop(prof, "SchemaVersion");
	url = xprop(prof, "Url");
	cert = xprop(prof, "ManagementCertificate");
	if (schema == NULL || strncmp(schema, "1", 1) == 0)
		p->schema = p->schema > 1 ? p->schema : 1;
	else if (strncmp(schema, "2", 1) == 0)
		p->schema = 2;
	else {
		rc = ds_cause(cause, DS_E_BADSETTINGS,
		    _("unknown SchemaVersion \"%s\""), schema);
		goto out;
	}
	for (n = prof->children; n != NULL; n = n->next) {
		if (!is_elem(n, "Subscription"))
			continue;
		if ((rc = add_sub(p, n, url, cert, cause)) != DS_E_OK)
			break;
	}
out:
	free(schema);
	free(url);
	if (cert != NULL)
		ds_freezero(cert, strlen(cert));
	return rc;
}

int
ds_publish_parse(const char *buf, size_t len, struct ds_publish **out,
    char **cause)
{
	xmlParserCtxtPtr	 ctx = NULL;
	xmlDocPtr		 doc = NULL;
	xmlNode			*root, *n;
	struct ds_publish	*p = NULL;
	const xmlError		*xe;
	int			 rc;

	*out = NULL;
	ds_wipe_allocators();
	if (len > INT32_MAX)
		return ds_cause(cause, DS_E_BADSETTINGS, "%s",
		    _("file too large"));
	if ((ctx = xmlNewParserCtxt()) == NULL)
		return DS_E_NOMEM;
	/*
	 * No XML_PARSE_NOENT and no XML_PARSE_DTDLOAD: external entities
	 * are neither loaded nor substituted; no network either.
	 */
	doc = xmlCtxtReadMemory(ctx, buf, (int)len, "publishsettings", NULL,
	    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	if (doc == NULL) {
		xe = xmlCtxtGetLastError(ctx);
		rc = ds_cause(cause, DS_E_BADSETTINGS, _("not valid XML: "
		    "line %d: %s"), xe != NULL ? xe->line : 0,
		    xe != NULL && xe->message != NULL ? xe->message : "?");
		if (cause != NULL && *cause != NULL && (*cause)[0] != '\0') {
			char *nl = strchr(*cause, '\n');
			if (nl != NULL)
				*nl = '\0';
		}
		goto fail;
	}
	/* A publish-settings file has no DTD; one is an attack, refuse it. */
	if (doc->intSubset != NULL || doc->extSubset != NULL) {
		rc = ds_cause(cause, DS_E_BADSETTINGS, "%s",
		    _("the file has a document type declaration (DTD), "
		    "which publish settings never have; refused"));
		goto fail;
	}
	root = xmlDocGetRootElement(doc);
	if (root == NULL || !is_elem(root, "PublishData")) {
		rc = ds_cause(cause, DS_E_BADSETTINGS, "%s",
		    _("no PublishData element: not a publish-settings file"));
		goto fail;
	}
	if ((p = calloc(1, sizeof *p)) == NULL) {
		rc = DS_E_NOMEM;
		goto fail;
	}
	for (n = root->children; n != NULL; n = n->next) {
		if (!is_elem(n, "PublishProfile"))
			continue;
		if ((rc = read_profile(p, n, cause)) != DS_E_OK)
			goto fail;
	}
	if (p->nsubs == 0) {
		rc = ds_cause(cause, DS_E_BADSETTINGS, "%s",
		    _("the file lists no subscription"));
		goto fail;
	}
	xmlFreeDoc(doc);
	xmlFreeParserCtxt(ctx);
	*out = p;
	return DS_E_OK;

fail:
	ds_publish_free(p);
	xmlFreeDoc(doc);
	xmlFreeParserCtxt(ctx);
	return rc;
}

int
ds_publish_load(const char *path, struct ds_publish **out, char **cause)
{
	char	*buf;
	size_t	 len;
	int	 rc;

	*out = NULL;
	if ((rc = ds_read_file(path, PUBLISH_MAX, &buf, &len, cause)) != 0)
		return rc;
	rc = ds_publish_parse(buf, len, out, cause);
	ds_freezero(buf, len);
	if (rc != DS_E_OK && cause != NULL && *cause != NULL) {
		char *c = *cause;
		*cause = NULL;
		ds_cause(cause, rc, "%s: %s", path, c);
		free(c);
	}
	return rc;
}

const struct ds_publish_sub *
ds_publish_find(const struct ds_publish *p, const char *id, char **cause)
{
	size_t i;

	if (id == NULL) {
		if (p->nsubs == 1)
			return &p->subs[0];
		ds_cause(cause, DS_E_NOSUB, "%s",
		    _("the file has several subscriptions; "
		    "choose one with --subscription"));
		return NULL;
	}
	for (i = 0; i < p->nsubs; i++) {
		if (strcasecmp(p->subs[i].id, id) == 0)
			return &p->subs[i];
	}
	ds_cause(cause, DS_E_NOSUB, "%s", id);
	return NULL;
}

/* Decodes base64 that may hold white space; *out allocated. */
static int
b64_decode(const char *in, unsigned char **out, size_t *outlen)
{
	EVP_ENCODE_CTX	*ctx;
	unsigned char	*buf;
	size_t		 len = strlen(in);
	int		 n = 0, fin = 0, ok;

	if ((buf = malloc(len / 4 * 3 + 4)) == NULL)
		return -1;
	if ((ctx = EVP_ENCODE_CTX_new()) == NULL) {
		free(buf);
		return -1;
	}
	EVP_DecodeInit(ctx);
	ok = EVP_DecodeUpdate(ctx, buf, &n, (const unsigned char *)in,
	    (int)len) != -1 && EVP_DecodeFinal(ctx, buf + n, &fin) == 1;
	EVP_ENCODE_CTX_free(ctx);
	if (!ok || n + fin == 0) {
		ds_freezero(buf, len / 4 * 3 + 4);
		return -1;
	}
	*out = buf;
	*outlen = (size_t)(n + fin);
	return 0;
}

/*
 * The iteration count of the password-based algorithm ALG (PKCS#12 PBE
 * or PBES2 with PBKDF2); 0 when it is neither or cannot be read.
 */
static long
pbe_iter(const X509_ALGOR *alg)
{
	const ASN1_OBJECT	*oid;
	const void		*pv;
	const ASN1_STRING	*param;
	PBEPARAM		*pbe;
	PBE2PARAM		*pbe2;
	PBKDF2PARAM		*kdf;
	long			 iter = 0;
	int			 ptype;

	X509_ALGOR_get0(&oid, &ptype, &pv, alg);
	if (ptype != V_ASN1_SEQUENCE)
		return 0;
	param = pv;
	if (OBJ_obj2nid(oid) == NID_pbes2) {
		pbe2 = ASN1_item_unpack(param, ASN1_ITEM_rptr(PBE2PARAM));
		if (pbe2 == NULL)
			return 0;
		kdf = OBJ_obj2nid(pbe2->keyfunc->algorithm) == NID_id_pbkdf2 ?
		    ASN1_TYPE_unpack_sequence(ASN1_ITEM_rptr(PBKDF2PARAM),
		    pbe2->keyfunc->parameter) : NULL;
		if (kdf != NULL)
			iter = ASN1_INTEGER_get(kdf->iter);
		PBKDF2PARAM_free(kdf);
		PBE2PARAM_free(pbe2);
		return iter;
	}
	if ((pbe = ASN1_item_unpack(param, ASN1_ITEM_rptr(PBEPARAM))) !=
	    NULL) {
		iter = ASN1_INTEGER_get(pbe->iter);
		PBEPARAM_free(pbe);
	}
	return iter;
}

/*
 * Refuses a PKCS#12 whose MAC or key derivations ask for more than
 * DS_P12_MAX_ITER iterations: opening it would keep settings import
 * busy for minutes (or be a way to stall it). Reads only what is not
 * encrypted: the MAC data, the encrypted parts' and key bags' algorithms.
 */
static int
check_p12_iter(PKCS12 *p12, const struct ds_publish_sub *sub, char **cause)
{
	STACK_OF(PKCS7)			*safes = NULL;
	STACK_OF(PKCS12_SAFEBAG)	*bags;
	const ASN1_INTEGER		*miter = NULL;
	const X509_ALGOR		*alg;
	const X509_SIG			*p8;
	PKCS7				*p7;
	long				 most = 0, n;
	int				 i, j;

	PKCS12_get0_mac(NULL, NULL, NULL, &miter, p12);
	if (miter != NULL)
		most = ASN1_INTEGER_get(miter);
	if ((safes = PKCS12_unpack_authsafes(p12)) != NULL) {
		for (i = 0; i < sk_PKCS7_num(safes); i++) {
			p7 = sk_PKCS7_value(safes, i);
			if (OBJ_obj2nid(p7->type) == NID_pkcs7_encrypted &&
			    p7->d.encrypted != NULL &&
			    (n = pbe_iter(p7->d.encrypted->enc_data->
			    algorithm)) > most)
				most = n;
			if (OBJ_obj2nid(p7->type) != NID_pkcs7_data ||
			    (bags = PKCS12_unpack_p7data(p7)) == NULL)
				continue;
			for (j = 0; j < sk_PKCS12_SAFEBAG_num(bags); j++) {
				p8 = PKCS12_SAFEBAG_get0_pkcs8(
				    sk_PKCS12_SAFEBAG_value(bags, j));
				if (p8 == NULL)
					continue;
				X509_SIG_get0(p8, &alg, NULL);
				if ((n = pbe_iter(alg)) > most)
					most = n;
			}
			sk_PKCS12_SAFEBAG_pop_free(bags, PKCS12_SAFEBAG_free);
		}
		sk_PKCS7_pop_free(safes, PKCS7_free);
	}
	if (most > DS_P12_MAX_ITER)
		return ds_cause(cause, DS_E_BADCERT, _("subscription %s: the "
		    "certificate asks for %ld key-derivation iterations; at "
		    "most %d are accepted"), sub->id, most, DS_P12_MAX_ITER);
	return DS_E_OK;
}

/* Opens SUB's PKCS#12 with the empty password; the legacy provider is
 * loaded when the file uses the old RC2/3DES ciphers. */
static int
open_p12(const struct ds_publish_sub *sub, EVP_PKEY **pkey, X509 **cert,
    char **cause)
{
	unsigned char		*der = NULL;
	const unsigned char	*p;
	size_t			 len = 0;
	PKCS12			*p12 = NULL;
	OSSL_PROVIDER		*legacy = NULL;
	int			 rc = DS_E_OK, tries;

	*pkey = NULL;
	*cert = NULL;
	if (b64_decode(sub->p12_b64, &der, &len) == -1)
		return ds_cause(cause, DS_E_BADCERT, _("subscription %s: the "
		    "certificate is not valid base64"), sub->id);
	p = der;
	if ((p12 = d2i_PKCS12(NULL, &p, (long)len)) == NULL) {
		rc = ds_cause(cause, DS_E_BADCERT, _("subscription %s: the "
		    "certificate is not PKCS#12"), sub->id);
		goto out;
	}
	if ((rc = check_p12_iter(p12, sub, cause)) != DS_E_OK)
		goto out;
	for (tries = 0; tries < 2; tries++) {
		if (PKCS12_parse(p12, "", pkey, cert, NULL) == 1 ||
		    PKCS12_parse(p12, NULL, pkey, cert, NULL) == 1)
			break;
		if (legacy == NULL)
			legacy = OSSL_PROVIDER_try_load(NULL, "legacy", 1);
	}
	if (*cert == NULL || *pkey == NULL) {
		EVP_PKEY_free(*pkey);
		X509_free(*cert);
		*pkey = NULL;
		*cert = NULL;
		rc = ds_cause(cause, DS_E_BADCERT, _("subscription %s: cannot "
		    "open the PKCS#12 with an empty password, or it holds no "
		    "certificate and key"), sub->id);
	}
out:
	PKCS12_free(p12);
	if (legacy != NULL)
		OSSL_PROVIDER_unload(legacy);
	ds_freezero(der, len);
	return rc;
}

static int
fill_info(X509 *x, struct ds_cert_info *info)
{
	unsigned char	 md[EVP_MAX_MD_SIZE];
	unsigned int	 mdlen = 0, i;
	BIO		*bio;
	BUF_MEM		*bm;
	struct tm	 tm;

	memset(info, 0, sizeof *info);
	if ((bio = BIO_new(BIO_s_mem())) == NULL)
		return DS_E_NOMEM;
	X509_NAME_print_ex(bio, X509_get_subject_name(x), 0,
	    XN_FLAG_ONELINE & ~ASN1_STRFLGS_ESC_MSB);
	BIO_get_mem_ptr(bio, &bm);
	info->subject = strndup(bm->data, bm->length);
	BIO_free(bio);
	if (X509_digest(x, EVP_sha1(), md, &mdlen) == 1 &&
	    (info->thumbprint = malloc(mdlen * 2 + 1)) != NULL) {
		ds_hex(info->thumbprint, md, mdlen);
		for (i = 0; i < mdlen * 2; i++)
			info->thumbprint[i] = (char)toupper(
			    (unsigned char)info->thumbprint[i]);
	}
	if (ASN1_TIME_to_tm(X509_get0_notBefore(x), &tm) == 1)
		info->not_before = timegm(&tm);
	if (ASN1_TIME_to_tm(X509_get0_notAfter(x), &tm) == 1)
		info->not_after = timegm(&tm);
	info->expired = info->not_after <= time(NULL);
	if (info->subject == NULL || info->thumbprint == NULL) {
		ds_cert_info_clear(info);
		return DS_E_NOMEM;
	}
	return DS_E_OK;
}

void
ds_cert_info_clear(struct ds_cert_info *info)
{
	if (info == NULL)
		return;
	free(info->subject);
	free(info->thumbprint);
	memset(info, 0, sizeof *info);
}

int
ds_publish_cert_info(const struct ds_publish_sub *sub,
    struct ds_cert_info *info, char **cause)
{
	EVP_PKEY	*pkey;
	X509		*x;
	int		 rc;

	memset(info, 0, sizeof *info);
	if ((rc = open_p12(sub, &pkey, &x, cause)) != DS_E_OK)
		return rc;
	rc = fill_info(x, info);
	EVP_PKEY_free(pkey);
	X509_free(x);
	return rc;
}

static char *
bio_string(BIO *bio)
{
	BUF_MEM	*bm;
	char	*s;

	BIO_get_mem_ptr(bio, &bm);
	if ((s = malloc(bm->length + 1)) == NULL)
		return NULL;
	memcpy(s, bm->data, bm->length);
	s[bm->length] = '\0';
	return s;
}

static void
format_time(char *buf, size_t size, time_t t)
{
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, size, "%Y-%m-%d %H:%M:%S UTC", &tm);
}

int
ds_settings_from_publish(const struct ds_publish_sub *sub,
    struct ds_settings **out, char **cause)
{
	struct ds_settings	*s = NULL;
	EVP_PKEY		*pkey = NULL;
	X509			*x = NULL;
	BIO			*cb = NULL, *kb = NULL;
	char			 when[64];
	int			 rc;

	*out = NULL;
	if ((rc = open_p12(sub, &pkey, &x, cause)) != DS_E_OK)
		return rc;
	if ((s = calloc(1, sizeof *s)) == NULL) {
		rc = DS_E_NOMEM;
		goto fail;
	}
	if ((rc = fill_info(x, &s->cert)) != DS_E_OK)
		goto fail;
	if (s->cert.expired) {
		format_time(when, sizeof when, s->cert.not_after);
		rc = ds_cause(cause, DS_E_CERTEXPIRED, _("subscription %s: "
		    "certificate %s expired on %s"), sub->id,
		    s->cert.thumbprint, when);
		goto fail;
	}
	cb = BIO_new(BIO_s_secmem());
	kb = BIO_new(BIO_s_secmem());
	if (cb == NULL || kb == NULL || PEM_write_bio_X509(cb, x) != 1 ||
	    PEM_write_bio_PrivateKey(kb, pkey, NULL, NULL, 0, NULL,
	    NULL) != 1) {
		rc = ds_cause(cause, DS_E_BADCERT, "%s",
		    _("cannot convert the certificate to PEM"));
		goto fail;
	}
	s->cert_pem = bio_string(cb);
	s->key_pem = bio_string(kb);
	s->subscription_id = strdup(sub->id);
	s->subscription_name = strdup(sub->name);
	s->url = strdup(sub->url);
	s->resource_group = strdup(DS_DEFAULT_RESOURCE_GROUP);
	s->retries = -1;
	if (s->cert_pem == NULL || s->key_pem == NULL ||
	    s->subscription_id == NULL || s->subscription_name == NULL ||
	    s->url == NULL || s->resource_group == NULL) {
		rc = DS_E_NOMEM;
		goto fail;
	}
	*out = s;
	s = NULL;
	rc = DS_E_OK;
fail:
	BIO_free(cb);
	BIO_free(kb);
	EVP_PKEY_free(pkey);
	X509_free(x);
	ds_settings_free(s);
	return rc;
}

void
ds_settings_free(struct ds_settings *s)
{
	if (s == NULL)
		return;
	free(s->subscription_id);
	free(s->subscription_name);
	free(s->url);
	free(s->cert_pem);
	if (s->key_pem != NULL)
		ds_freezero(s->key_pem, strlen(s->key_pem));
	ds_cert_info_clear(&s->cert);
	free(s->ca_file);
	free(s->proxy);
	free(s->resource_group);
	free(s);
}

int
ds_settings_save(const struct ds_settings *s, char **cause)
{
	json_t	*o;
	char	*path = NULL, *text = NULL;
	int	 rc = DS_E_NOMEM;

	ds_wipe_allocators();
	if ((o = json_object()) == NULL)
		return DS_E_NOMEM;
	if (ds_jset(o, "subscriptionId", s->subscription_id) != 0 ||
	    ds_jset(o, "subscriptionName", s->subscription_name) != 0 ||
	    ds_jset(o, "url", s->url) != 0 ||
	    ds_jset(o, "certificate", s->cert_pem) != 0 ||
	    ds_jset(o, "privateKey", s->key_pem) != 0 ||
	    ds_jset(o, "caFile", s->ca_file) != 0 ||
	    ds_jset(o, "proxy", s->proxy) != 0 ||
	    ds_jset(o, "resourceGroup", s->resource_group) != 0 ||
	    json_object_set_new(o, "connectTimeout",
	    json_integer(s->connect_timeout)) != 0 ||
	    json_object_set_new(o, "timeout",
	    json_integer(s->total_timeout)) != 0 ||
	    json_object_set_new(o, "retries", json_integer(s->retries)) != 0)
		goto out;
	if ((text = json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER)) ==
	    NULL)
		goto out;
	if ((path = ds_config_path(SETTINGS_FILE, cause)) == NULL) {
		rc = DS_E_STATEDIR;
		goto out;
	}
	rc = ds_write_file_atomic(path, text, strlen(text), 0600, cause);
out:
	if (text != NULL)
		ds_freezero(text, strlen(text));
	free(path);
	json_decref(o);
	return rc;
}

int
ds_settings_load(struct ds_settings **out, char **cause)
{
	struct ds_settings	*s = NULL;
	json_t			*o = NULL;
	json_error_t		 je;
	char			*path, *text = NULL;
	size_t			 len = 0;
	BIO			*bio = NULL;
	X509			*x = NULL;
	int			 rc;

	*out = NULL;
	ds_wipe_allocators();
	if ((path = ds_config_path(SETTINGS_FILE, cause)) == NULL)
		return DS_E_STATEDIR;
	rc = ds_read_file(path, PUBLISH_MAX, &text, &len, cause);
	if (rc == DS_E_NOTFOUND) {
		free(*cause);
		*cause = NULL;
		rc = DS_E_NOSETTINGS;
		goto out;
	}
	if (rc != DS_E_OK || (rc = ds_check_private(path, cause)) != DS_E_OK)
		goto out;
	if ((o = json_loadb(text, len, 0, &je)) == NULL) {
		rc = ds_cause(cause, DS_E_PARSE, "%s: %d: %s", path, je.line,
		    je.text);
		goto out;
	}
	if ((s = calloc(1, sizeof *s)) == NULL) {
		rc = DS_E_NOMEM;
		goto out;
	}
	s->subscription_id = ds_jstr(o, "subscriptionId");
	s->subscription_name = ds_jstr(o, "subscriptionName");
	s->url = ds_jstr(o, "url");
	s->cert_pem = ds_jstr(o, "certificate");
	s->key_pem = ds_jstr(o, "privateKey");
	s->ca_file = ds_jstr(o, "caFile");
	s->proxy = ds_jstr(o, "proxy");
	s->resource_group = ds_jstr(o, "resourceGroup");
	s->connect_timeout = (long)ds_jint(o, "connectTimeout", 0);
	s->total_timeout = (long)ds_jint(o, "timeout", 0);
	s->retries = (int)ds_jint(o, "retries", -1);
	if (s->subscription_id == NULL || s->url == NULL ||
	    s->cert_pem == NULL || s->key_pem == NULL) {
		rc = ds_cause(cause, DS_E_PARSE, _("%s: incomplete settings; "
		    "import the publish settings again"), path);
		goto out;
	}
	if (s->resource_group == NULL &&
	    (s->resource_group = strdup(DS_DEFAULT_RESOURCE_GROUP)) == NULL) {
		rc = DS_E_NOMEM;
		goto out;
	}
	if ((bio = BIO_new_mem_buf(s->cert_pem, -1)) == NULL ||
	    (x = PEM_read_bio_X509(bio, NULL, NULL, NULL)) == NULL) {
		rc = ds_cause(cause, DS_E_BADCERT, "%s", path);
		goto out;
	}
	if ((rc = fill_info(x, &s->cert)) != DS_E_OK)
		goto out;
	*out = s;
	s = NULL;
out:
	X509_free(x);
	BIO_free(bio);
	json_decref(o);
	if (text != NULL)
		ds_freezero(text, len);
	ds_settings_free(s);
	free(path);
	return rc;
}

static int
set_long(long *v, const char *key, const char *value, long max,
    char **cause)
{
	char	*end;
	long	 n;

	if (*value == '\0') {
		*v = 0;
		return DS_E_OK;
	}
	n = strtol(value, &end, 10);
	if (*end != '\0' || n < 0 || n > max)
		return ds_cause(cause, DS_E_INVAL, _("%s: not a number from "
		    "0 to %ld: %s"), key, max, value);
	*v = n;
	return DS_E_OK;
}

/*
 * Refuses a CA file that holds no PEM certificate now, rather than on
 * the first TLS handshake with a message about something else.
 */
static int
check_ca_file(const char *path, char **cause)
{
	X509	*x;
	BIO	*b;
	char	*text;
	size_t	 len;
	int	 rc;

	if ((rc = ds_read_file(path, PUBLISH_MAX, &text, &len, cause)) !=
	    DS_E_OK)
		return rc;
	x = NULL;
	if ((b = BIO_new_mem_buf(text, (int)len)) != NULL)
		x = PEM_read_bio_X509(b, NULL, NULL, NULL);
	BIO_free(b);
	free(text);
	if (x == NULL)
		return ds_cause(cause, DS_E_BADCERT, _("%s holds no PEM "
		    "certificate (-----BEGIN CERTIFICATE-----)"), path);
	X509_free(x);
	return DS_E_OK;
}

static int
set_str(char **v, const char *value)
{
	char *copy = NULL;

	if (*value != '\0' && (copy = strdup(value)) == NULL)
		return DS_E_NOMEM;
	free(*v);
	*v = copy;
	return DS_E_OK;
}

int
ds_settings_set(struct ds_settings *s, const char *key, const char *value,
    char **cause)
{
	long	n;
	int	rc;

	if (strcmp(key, "ca-file") == 0) {
		if (*value != '\0' && *value != '/')
			return ds_cause(cause, DS_E_INVAL, "%s",
			    _("ca-file: give an absolute path"));
		if (*value != '\0' && (rc = check_ca_file(value, cause)) !=
		    DS_E_OK)
			return rc;
		return set_str(&s->ca_file, value);
	}
	if (strcmp(key, "proxy") == 0)
		return set_str(&s->proxy, value);
	if (strcmp(key, "resource-group") == 0) {
		if (*value == '\0')
			value = DS_DEFAULT_RESOURCE_GROUP;
		if ((rc = ds_name_check_group(value, cause)) != DS_E_OK)
			return rc;
		return set_str(&s->resource_group, value);
	}
	if (strcmp(key, "connect-timeout") == 0)
		return set_long(&s->connect_timeout, key, value, 3600, cause);
	if (strcmp(key, "timeout") == 0)
		return set_long(&s->total_timeout, key, value, 86400, cause);
	if (strcmp(key, "retries") == 0) {
		n = s->retries;
		if ((rc = set_long(&n, key, value, 20, cause)) != DS_E_OK)
			return rc;
		s->retries = *value == '\0' ? -1 : (int)n;
		return DS_E_OK;
	}
	return ds_cause(cause, DS_E_INVAL, _("unknown setting \"%s\"; known: "
	    "ca-file, proxy, resource-group, connect-timeout, timeout, "
	    "retries"), key);
}

int
ds_settings_migrate(char **note, char **cause)
{
	char	*from, *to;
	int	 rc;

	*note = NULL;
	if ((rc = ds_state_move_to_config(SETTINGS_FILE, &from, &to,
	    cause)) != DS_E_OK || from == NULL)
		return rc;
	/* TRANSLATORS: the old and the new path of the settings file. */
	if (asprintf(note, _("settings moved from %s to %s (settings now "
	    "live in $XDG_CONFIG_HOME/diskseed; keys and jobs stay in "
	    "$XDG_STATE_HOME/diskseed)"), from, to) == -1) {
		*note = NULL;
		rc = DS_E_NOMEM;
	}
	free(from);
	free(to);
	return rc;
}
