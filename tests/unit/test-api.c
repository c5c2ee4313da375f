/* SPDX-License-Identifier: MIT */
/* Unit tests of the import-job client: names, publish settings XML,
 * Accept-Language. */
#include "config.h"

#include <locale.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "error.h"
#include "http.h"
#include "names.h"
#include "settings.h"
#include "tap.h"

#define GUID_A	"0a1b2c3d-0000-4000-8000-00000000000a"

static int
parse(const char *xml, struct ds_publish **p, char **cause)
{
	free(*cause);
	*cause = NULL;
	return ds_publish_parse(xml, strlen(xml), p, cause);
}

static void
test_names(void)
{
	static const char *good_jobs[] = { "abc", "job-1", "a0-0-0", NULL };
	static const char *bad_jobs[] = { "ab", "1job", "Job", "job_1",
	    "-job", "job one", "", NULL };
	char	*cause = NULL;
	char	 long_name[80];
	int	 i;

	TEST_START("job names");
	for (i = 0; good_jobs[i] != NULL; i++)
		ASSERT_INT_EQ(ds_name_check_job(good_jobs[i], NULL), DS_E_OK);
	for (i = 0; bad_jobs[i] != NULL; i++)
		ASSERT_INT_EQ(ds_name_check_job(bad_jobs[i], NULL),
		    DS_E_BADNAME);
	memset(long_name, 'a', 65);
	long_name[65] = '\0';
	ASSERT_INT_EQ(ds_name_check_job(long_name, NULL), DS_E_BADNAME);
	long_name[64] = '\0';
	ASSERT_INT_EQ(ds_name_check_job(long_name, NULL), DS_E_OK);
	ASSERT_INT_EQ(ds_name_check_job("A", &cause), DS_E_BADNAME);
	ASSERT_TRUE(cause != NULL && strstr(cause, "'A'") != NULL);
	free(cause);
	TEST_DONE();

	TEST_START("storage account and container names");
	ASSERT_INT_EQ(ds_name_check_account("abc", NULL), DS_E_OK);
	ASSERT_INT_EQ(ds_name_check_account("devstoreaccount1", NULL), 0);
	ASSERT_INT_EQ(ds_name_check_account("ab", NULL), DS_E_BADNAME);
	ASSERT_INT_EQ(ds_name_check_account("Abc", NULL), DS_E_BADNAME);
	ASSERT_INT_EQ(ds_name_check_account("a-bc", NULL), DS_E_BADNAME);
	ASSERT_INT_EQ(ds_name_check_account("abcdefghijklmnopqrstuvwxy",
	    NULL), DS_E_BADNAME);
	ASSERT_INT_EQ(ds_name_check_container("backup-1", NULL), DS_E_OK);
	ASSERT_INT_EQ(ds_name_check_container("1ab", NULL), DS_E_OK);
	ASSERT_INT_EQ(ds_name_check_container("a--b", NULL), DS_E_BADNAME);
	ASSERT_INT_EQ(ds_name_check_container("-ab", NULL), DS_E_BADNAME);
	ASSERT_INT_EQ(ds_name_check_container("ab-", NULL), DS_E_BADNAME);
	ASSERT_INT_EQ(ds_name_check_container("ab", NULL), DS_E_BADNAME);
	ASSERT_INT_EQ(ds_name_check_container("aBc", NULL), DS_E_BADNAME);
	TEST_DONE();

	TEST_START("subscription ids, groups, locations");
	ASSERT_INT_EQ(ds_name_check_subscription(GUID_A, NULL), DS_E_OK);
	ASSERT_INT_EQ(ds_name_check_subscription(
	    "0A1B2C3D-0000-4000-8000-00000000000A", NULL), DS_E_OK);
	ASSERT_INT_EQ(ds_name_check_subscription(
	    "0a1b2c3d-0000-4000-8000-00000000000", NULL), DS_E_BADNAME);
	ASSERT_INT_EQ(ds_name_check_subscription(
	    "0a1b2c3d-0000-4000-8000-00000000000ab", NULL), DS_E_BADNAME);
	ASSERT_INT_EQ(ds_name_check_subscription(
	    "0a1b2c3dx0000-4000-8000-00000000000a", NULL), DS_E_BADNAME);
	ASSERT_INT_EQ(ds_name_check_subscription("", NULL), DS_E_BADNAME);
	ASSERT_INT_EQ(ds_name_check_group("my_rg.(1)", NULL), DS_E_OK);
	ASSERT_INT_EQ(ds_name_check_group("rg.", NULL), DS_E_BADNAME);
	ASSERT_INT_EQ(ds_name_check_group("a/b", NULL), DS_E_BADNAME);
	ASSERT_INT_EQ(ds_name_check_location("West US", NULL), DS_E_OK);
	ASSERT_INT_EQ(ds_name_check_location("westus", NULL), DS_E_OK);
	ASSERT_INT_EQ(ds_name_check_location("west/us", NULL), DS_E_BADNAME);
	ASSERT_INT_EQ(ds_name_check_location("", NULL), DS_E_BADNAME);
	TEST_DONE();
}

static void
test_publish(void)
{
	struct ds_publish		*p = NULL;
	const struct ds_publish_sub	*s;
	char				*cause = NULL;

	TEST_START("publish settings schema 2, several subscriptions");
	ASSERT_INT_EQ(parse("<?xml version=\"1.0\"?><PublishData>"
	    "<PublishProfile SchemaVersion=\"2.0\">"
	    "<Subscription ServiceManagementUrl=\"https://a\" Id=\""
	    GUID_A "\" Name=\"A\" ManagementCertificate=\"QUJD\"/>"
	    "<Subscription ServiceManagementUrl=\"https://b\" "
	    "Id=\"0A1B2C3D-0000-4000-8000-00000000000B\" Name=\"B\" "
	    "ManagementCertificate=\"REVG\"/>"
	    "</PublishProfile></PublishData>", &p, &cause), DS_E_OK);
	ASSERT_INT_EQ(p->schema, 2);
	ASSERT_INT_EQ(p->nsubs, 2);
	ASSERT_PTR_EQ(ds_publish_find(p, NULL, NULL), NULL);
	s = ds_publish_find(p, "0a1b2c3d-0000-4000-8000-00000000000b", NULL);
	ASSERT_TRUE(s != NULL);
	ASSERT_STRING_EQ(s->name, "B");
	ASSERT_STRING_EQ(s->url, "https://b");
	ASSERT_STRING_EQ(s->p12_b64, "REVG");
	ASSERT_PTR_EQ(ds_publish_find(p,
	    "11111111-0000-4000-8000-00000000000b", NULL), NULL);
	ds_publish_free(p);
	p = NULL;
	TEST_DONE();

	TEST_START("publish settings schema 1");
	ASSERT_INT_EQ(parse("<PublishData><PublishProfile Url=\"https://u\" "
	    "ManagementCertificate=\"QUJD\"><Subscription Id=\"" GUID_A
	    "\" Name=\"One\"/></PublishProfile></PublishData>", &p, &cause),
	    DS_E_OK);
	ASSERT_INT_EQ(p->schema, 1);
	s = ds_publish_find(p, NULL, NULL);
	ASSERT_TRUE(s != NULL);
	ASSERT_STRING_EQ(s->url, "https://u");
	ASSERT_STRING_EQ(s->p12_b64, "QUJD");
	ds_publish_free(p);
	p = NULL;
	TEST_DONE();

	TEST_START("publish settings refused");
	ASSERT_INT_EQ(parse("<PublishData/>", &p, &cause), DS_E_BADSETTINGS);
	ASSERT_INT_EQ(parse("<Other/>", &p, &cause), DS_E_BADSETTINGS);
	ASSERT_INT_EQ(parse("<PublishData><PublishProfile><Subscription "
	    "Id=\"" GUID_A "\"/></PublishProfile></PublishData>", &p, &cause),
	    DS_E_BADSETTINGS);
	ASSERT_TRUE(strstr(cause, "service URL") != NULL);
	ASSERT_INT_EQ(parse("<PublishData><PublishProfile Url=\"https://u\" "
	    "ManagementCertificate=\"QUJD\"><Subscription Id=\"nope\"/>"
	    "</PublishProfile></PublishData>", &p, &cause), DS_E_BADNAME);
	ASSERT_INT_EQ(parse("<PublishData><PublishProfile SchemaVersion="
	    "\"3.0\"/></PublishData>", &p, &cause), DS_E_BADSETTINGS);
	ASSERT_INT_EQ(parse("<!DOCTYPE PublishData [<!ENTITY e \"QUJD\">]>"
	    "<PublishData><PublishProfile Url=\"https://u\" "
	    "ManagementCertificate=\"&e;\"><Subscription Id=\"" GUID_A "\"/>"
	    "</PublishProfile></PublishData>", &p, &cause),
	    DS_E_BADSETTINGS);
	ASSERT_TRUE(strstr(cause, "DTD") != NULL);
	ASSERT_INT_EQ(parse("<PublishData>", &p, &cause), DS_E_BADSETTINGS);
	ASSERT_PTR_EQ(p, NULL);
	/* The cause is optional (found by tests/fuzz/fuzz-settings). */
	ASSERT_INT_EQ(ds_publish_parse("<PublishData><", 14, &p, NULL),
	    DS_E_BADSETTINGS);
	free(cause);
	TEST_DONE();
}

static void
test_lang(void)
{
	char *l;

	TEST_START("Accept-Language from the locale");
	setlocale(LC_ALL, "C");
	l = ds_http_accept_language();
	ASSERT_STRING_EQ(l, "en-US");
	free(l);
	if (setlocale(LC_MESSAGES, "it_IT.UTF-8") != NULL) {
		l = ds_http_accept_language();
		ASSERT_STRING_EQ(l, "it-IT");
		free(l);
	}
	setlocale(LC_ALL, "C");
	TEST_DONE();

	TEST_START("return address check");
	{
		struct ds_address a;
		char *cause = NULL;

		memset(&a, 0, sizeof a);
		a.recipient_name = "R";
		a.street1 = "S";
		a.city = "C";
		a.postal_code = "1";
		a.country = "IT";
		a.phone = "0";
		ASSERT_INT_EQ(ds_address_check(&a, &cause), DS_E_INVAL);
		ASSERT_TRUE(strstr(cause, "email") != NULL);
		free(cause);
		a.email = "r@example.org";
		ASSERT_INT_EQ(ds_address_check(&a, NULL), DS_E_OK);
	}
	TEST_DONE();
}

/* Random damage to a valid file never crashes the parser. */
static void
test_publish_fuzz(void)
{
	static const char good[] = "<?xml version=\"1.0\"?><PublishData>"
	    "<PublishProfile SchemaVersion=\"2.0\"><Subscription "
	    "ServiceManagementUrl=\"https://a\" Id=\"" GUID_A "\" Name=\"A\" "
	    "ManagementCertificate=\"QUJD\"/></PublishProfile></PublishData>";
	static const char bytes[] = "<>&;\"'=/!?[]%#\0\xff\xc3 aZ0";
	struct ds_publish	*p;
	char			 buf[sizeof good], *cause;
	unsigned int		 seed = 4;
	volatile int		 ok = 0;
	int			 i, j;

	TEST_START("publish settings parser under random damage");
	for (i = 0; i < 3000; i++) {
		memcpy(buf, good, sizeof good);
		for (j = 0; j < 1 + i % 4; j++)
			buf[rand_r(&seed) % (sizeof good - 1)] =
			    bytes[rand_r(&seed) % (sizeof bytes - 1)];
		p = NULL;
		cause = NULL;
		if (ds_publish_parse(buf, sizeof good - 1 - (size_t)(i % 7),
		    &p, &cause) == DS_E_OK) {
			ASSERT_TRUE(p != NULL && p->nsubs >= 1);
			ok++;
		} else
			ASSERT_TRUE(p == NULL);
		ds_publish_free(p);
		free(cause);
	}
	ASSERT_TRUE(ok < 3000);
	TEST_DONE();
}

int
main(void)
{
	test_names();
	test_publish();
	test_publish_fuzz();
	test_lang();
	return tap_end();
}
