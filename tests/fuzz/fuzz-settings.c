/* SPDX-License-Identifier: MIT */
/*
 * Publish settings: the XML (ds_publish_parse) and, for each
 * subscription it lists, the base64 PKCS#12 management certificate
 * (ds_publish_cert_info, ds_settings_from_publish). An input starting
 * with the byte 0xff skips the XML: the rest is the PKCS#12 itself, so
 * the fuzzer reaches OpenSSL's DER reader without getting base64 right.
 */
#include "config.h"

#include <string.h>

#include <openssl/evp.h>
#include <openssl/provider.h>

#include "error.h"
#include "fuzz.h"
#include "settings.h"

static void
check_sub(const struct ds_publish_sub *sub)
{
	struct ds_cert_info	 info;
	struct ds_settings	*s = NULL;
	char			*cause = NULL;
	int			 rc, rc2;

	memset(&info, 0, sizeof info);
	rc = ds_publish_cert_info(sub, &info, &cause);
	FUZZ_CHECK(rc == DS_E_OK || cause != NULL);
	if (rc == DS_E_OK)
		FUZZ_CHECK(info.subject != NULL && info.thumbprint != NULL);
	ds_cert_info_clear(&info);
	free(cause);
	cause = NULL;

	rc2 = ds_settings_from_publish(sub, &s, &cause);
	FUZZ_CHECK(rc2 == DS_E_OK || cause != NULL);
	if (rc2 == DS_E_OK)
		FUZZ_CHECK(s != NULL && s->cert_pem != NULL &&
		    s->key_pem != NULL && rc == DS_E_OK);
	ds_settings_free(s);
	free(cause);
}

/* The 0xff form: DATA is the DER of a PKCS#12. */
static void
raw_p12(const uint8_t *data, size_t size)
{
	struct ds_publish_sub	 sub;
	char			*b64;

	if (size > 64 * 1024)
		return;
	if ((b64 = malloc(4 * ((size + 2) / 3) + 1)) == NULL)
		abort();
	EVP_EncodeBlock((unsigned char *)b64, data, (int)size);
	memset(&sub, 0, sizeof sub);
	sub.id = (char *)"00000000-0000-0000-0000-000000000000";
	sub.name = sub.id;
	sub.url = (char *)"https://127.0.0.1:1";
	sub.p12_b64 = b64;
	check_sub(&sub);
	free(b64);
}

static OSSL_PROVIDER *legacy;

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ds_publish		*p = NULL, *p2 = NULL;
	const struct ds_publish_sub	*sub;
	char				*cause = NULL;
	size_t				 i;
	int				 rc, rc2;

	/*
	 * open_p12() loads the legacy provider for good when it needs it
	 * (once a process, on purpose); hold it here so that LeakSanitizer
	 * does not count it at exit.
	 */
	if (legacy == NULL)
		legacy = OSSL_PROVIDER_try_load(NULL, "legacy", 1);
	if (size > 0 && data[0] == 0xff) {
		raw_p12(data + 1, size - 1);
		return 0;
	}
	rc = ds_publish_parse((const char *)data, size, &p, &cause);
	FUZZ_CHECK((rc == DS_E_OK) == (p != NULL));
	FUZZ_CHECK(rc == DS_E_OK || cause != NULL);
	free(cause);
	cause = NULL;
	/* The cause is optional (error.h): the same answer without one. */
	rc2 = ds_publish_parse((const char *)data, size, &p2, NULL);
	FUZZ_CHECK(rc2 == rc);
	ds_publish_free(p2);
	if (p == NULL)
		return 0;
	FUZZ_CHECK(p->nsubs > 0 && (p->schema == 1 || p->schema == 2));
	for (i = 0; i < p->nsubs; i++) {
		FUZZ_CHECK(p->subs[i].id != NULL && p->subs[i].url != NULL &&
		    p->subs[i].p12_b64 != NULL && p->subs[i].name != NULL);
		FUZZ_CHECK(ds_publish_find(p, p->subs[i].id, NULL) != NULL);
		check_sub(&p->subs[i]);
	}
	sub = ds_publish_find(p, NULL, &cause);
	FUZZ_CHECK((sub != NULL) == (p->nsubs == 1));
	free(cause);
	ds_publish_free(p);
	return 0;
}
