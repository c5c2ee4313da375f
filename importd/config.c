/* SPDX-License-Identifier: MIT */
/* importd.conf: the service's configuration, a JSON file. */
#include "config.h"

#include <sys/file.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "error.h"
#include "importd.h"

/*
 * The locations a fresh service offers: the shape (and the addresses) of
 * the API's own examples, so that its examples replay as they are. An
 * operator edits them in importd.conf.
 */
static const char default_config[] =
"{\n"
"  \"listen\": \"%s\",\n"
"  \"locations\": [\n"
"    {\n"
"      \"id\": \"/providers/Microsoft.ImportExport/locations/westus\",\n"
"      \"name\": \"West US\",\n"
"      \"type\": \"Microsoft.ImportExport/locations\",\n"
"      \"properties\": {\n"
"        \"recipientName\": \"Microsoft Azure Import/Export Service\",\n"
"        \"streetAddress1\": \"2045 Lafayette Street\",\n"
"        \"streetAddress2\": \"\",\n"
"        \"city\": \"Santa Clara\",\n"
"        \"stateOrProvince\": \"CA\",\n"
"        \"postalCode\": \"95050\",\n"
"        \"countryOrRegion\": \"USA\",\n"
"        \"phone\": \"408 352 7600\",\n"
"        \"additionalShippingInformation\": \"\",\n"
"        \"supportedCarriers\": [ \"FedEx\" ],\n"
"        \"alternateLocations\": [\n"
"          \"/providers/Microsoft.ImportExport/locations/westus\" ]\n"
"      }\n"
"    },\n"
"    {\n"
"      \"id\": \"/providers/Microsoft.ImportExport/locations/"
"australiaeast\",\n"
"      \"name\": \"Australia East\",\n"
"      \"type\": \"Microsoft.ImportExport/locations\",\n"
"      \"properties\": {\n"
"        \"recipientName\": \"Windows Azure Import/Export Service\",\n"
"        \"streetAddress1\": \"Customer-A c/o NEXTDC Ltd, Delivery code "
"ABCDEFG, 4 Eden Park Drive\",\n"
"        \"streetAddress2\": \"\",\n"
"        \"city\": \"Macquarie Park\",\n"
"        \"stateOrProvince\": \"NSW\",\n"
"        \"postalCode\": \"2113\",\n"
"        \"countryOrRegion\": \"Australia\",\n"
"        \"phone\": \"612 0000 0000\",\n"
"        \"additionalShippingInformation\": \"\",\n"
"        \"supportedCarriers\": [ \"DHL\" ],\n"
"        \"alternateLocations\": [\n"
"          \"/providers/Microsoft.ImportExport/locations/australiaeast\" ]\n"
"      }\n"
"    },\n"
"    {\n"
"      \"id\": \"/providers/Microsoft.ImportExport/locations/"
"australiasoutheast\",\n"
"      \"name\": \"Australia Southeast\",\n"
"      \"type\": \"Microsoft.ImportExport/locations\",\n"
"      \"properties\": {\n"
"        \"recipientName\": \"Microsoft Azure Import/Export Service\",\n"
"        \"streetAddress1\": \"Microsoft, c/o NEXTDC Ltd, Delivery code "
"ABCDEFG, 826-830 Lorimer St, Port\",\n"
"        \"streetAddress2\": \"\",\n"
"        \"city\": \"Melbourne\",\n"
"        \"stateOrProvince\": \"Melbourne\",\n"
"        \"postalCode\": \"3207\",\n"
"        \"countryOrRegion\": \"Australia\",\n"
"        \"phone\": \"61 0 0000 0000\",\n"
"        \"additionalShippingInformation\": \"\",\n"
"        \"supportedCarriers\": [ \"DHL\" ],\n"
"        \"alternateLocations\": [\n"
"          \"/providers/Microsoft.ImportExport/locations/"
"australiasoutheast\" ]\n"
"      }\n"
"    }\n"
"  ],\n"
"  \"storageAccounts\": [\n"
"    {\n"
"      \"name\": \"devstoreaccount1\",\n"
"      \"blobEndpoint\": \"http://127.0.0.1:10000/devstoreaccount1\",\n"
"      \"subscriptions\": []\n"
"    }\n"
"  ]\n"
"}\n";

char *
config_path(const char *dir, const char *name)
{
	char	*p;

	if (asprintf(&p, "%s/%s", dir, name) == -1)
		return NULL;
	return p;
}

int
config_split_listen(const char *s, char **addr, int *port, char **cause)
{
	const char	*colon = strrchr(s, ':');
	char		*end;
	long		 n;

	*addr = NULL;
	if (colon == NULL || colon == s)
		return ds_cause(cause, DS_E_IMPORTD_CONFIG,
		    _("%s: expected ADDRESS:PORT"), s);
	errno = 0;
	n = strtol(colon + 1, &end, 10);
	if (*end != '\0' || colon[1] == '\0' || n < 0 || n > 65535)
		return ds_cause(cause, DS_E_IMPORTD_CONFIG,
		    _("%s: bad port"), s);
	if (s[0] == '[' && colon[-1] == ']')
		*addr = strndup(s + 1, colon - s - 2);
	else
		*addr = strndup(s, colon - s);
	if (*addr == NULL)
		return DS_E_NOMEM;
	*port = (int)n;
	return DS_E_OK;
}

int
config_write_default(const char *dir, const char *listen, char **cause)
{
	char	*path = config_path(dir, "importd.conf");
	FILE	*f = NULL;
	int	 fd, rc = DS_E_OK;

	if (path == NULL)
		return DS_E_NOMEM;
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd == -1 || (f = fdopen(fd, "w")) == NULL) {
		rc = ds_cause(cause, errno == EEXIST ? DS_E_EXISTS : DS_E_IO,
		    "%s: %s", path, strerror(errno));
		if (fd != -1)
			close(fd);
		goto out;
	}
	fprintf(f, default_config, listen);
	if (fclose(f) != 0)
		rc = ds_cause(cause, DS_E_IO, "%s: %s", path, strerror(errno));
out:
	free(path);
	return rc;
}

/* Whether V, an account's "subscriptions", is absent or a list of
 * GUIDs. */
static int
valid_owners(json_t *v)
{
	json_t	*s;
	size_t	 i;

	if (v == NULL)
		return 1;
	if (!json_is_array(v))
		return 0;
	json_array_foreach(v, i, s) {
		if (!valid_guid(json_string_value(s)))
			return 0;
	}
	return 1;
}

int
config_load(const char *dir, struct config **out, char **cause)
{
	struct config	*cf;
	json_error_t	 je;
	char		*path;
	const char	*listen;
	size_t		 i;
	json_t		*v;
	int		 rc = DS_E_IMPORTD_CONFIG;

	*out = NULL;
	if ((cf = calloc(1, sizeof *cf)) == NULL ||
	    (path = config_path(dir, "importd.conf")) == NULL) {
		free(cf);
		return DS_E_NOMEM;
	}
	if ((cf->root = json_load_file(path, 0, &je)) == NULL) {
		rc = ds_cause(cause, DS_E_IMPORTD_CONFIG, "%s:%d: %s", path,
		    je.line, je.text);
		goto fail;
	}
	listen = json_string_value(json_object_get(cf->root, "listen"));
	if (asprintf(&cf->listen, "%s", listen != NULL ? listen :
	    "127.0.0.1:8443") == -1) {
		cf->listen = NULL;
		rc = DS_E_NOMEM;
		goto fail;
	}
	cf->locations = json_object_get(cf->root, "locations");
	cf->accounts = json_object_get(cf->root, "storageAccounts");
	if (!json_is_array(cf->locations) || !json_is_array(cf->accounts)) {
		rc = ds_cause(cause, rc, _("%s: \"locations\" and "
		    "\"storageAccounts\" must be arrays"), path);
		goto fail;
	}
	json_array_foreach(cf->locations, i, v) {
		if (!json_is_string(json_object_get(v, "id")) ||
		    !json_is_string(json_object_get(v, "name")) ||
		    !json_is_object(json_object_get(v, "properties"))) {
			rc = ds_cause(cause, rc, _("%s: location %zu needs "
			    "\"id\", \"name\" and \"properties\""), path,
			    i + 1);
			goto fail;
		}
	}
	json_array_foreach(cf->accounts, i, v) {
		if (!valid_account_name(json_string_value(json_object_get(v,
		    "name")))) {
			rc = ds_cause(cause, rc, _("%s: storage account %zu: "
			    "bad or missing \"name\""), path, i + 1);
			goto fail;
		}
		if (!valid_owners(json_object_get(v, "subscriptions"))) {
			rc = ds_cause(cause, rc, _("%s: storage account %zu: "
			    "\"subscriptions\" must be a list of subscription "
			    "ids (GUIDs)"), path, i + 1);
			goto fail;
		}
	}
	if (stat(path, &cf->st) == -1) {
		rc = ds_cause(cause, DS_E_IO, "%s: %s", path, strerror(errno));
		goto fail;
	}
	if ((cf->dir = strdup(dir)) == NULL) {
		rc = DS_E_NOMEM;
		goto fail;
	}
	free(path);
	*out = cf;
	return DS_E_OK;
fail:
	free(path);
	config_free(cf);
	return rc;
}

void
config_free(struct config *cf)
{
	if (cf == NULL)
		return;
	json_decref(cf->root);
	free(cf->listen);
	free(cf->dir);
	free(cf);
}

json_t *
config_location(struct config *cf, const char *name)
{
	size_t		 i;
	json_t		*v;
	const char	*id, *slash;

	json_array_foreach(cf->locations, i, v) {
		id = json_string_value(json_object_get(v, "id"));
		slash = strrchr(id, '/');
		if (strcasecmp(json_string_value(json_object_get(v, "name")),
		    name) == 0 || strcasecmp(slash != NULL ? slash + 1 : id,
		    name) == 0)
			return v;
	}
	return NULL;
}

json_t *
config_account(struct config *cf, const char *name)
{
	size_t	 i;
	json_t	*v;

	json_array_foreach(cf->accounts, i, v) {
		if (strcmp(json_string_value(json_object_get(v, "name")),
		    name) == 0)
			return v;
	}
	return NULL;
}

json_t *
config_account_for(struct config *cf, const char *name, const char *sub)
{
	json_t	*a = config_account(cf, name), *s;
	size_t	 i;

	/* No "subscriptions": the account serves nobody, not everybody. */
	json_array_foreach(json_object_get(a, "subscriptions"), i, s) {
		if (strcasecmp(json_string_value(s), sub) == 0)
			return a;
	}
	return NULL;
}

int
config_refresh(struct config *cf, char **cause)
{
	struct config	*n;
	struct stat	 st;
	char		*path;
	int		 rc;

	if ((path = config_path(cf->dir, "importd.conf")) == NULL)
		return DS_E_NOMEM;
	rc = stat(path, &st);
	free(path);
	if (rc == 0 && st.st_ino == cf->st.st_ino &&
	    st.st_dev == cf->st.st_dev && st.st_size == cf->st.st_size &&
	    st.st_mtim.tv_sec == cf->st.st_mtim.tv_sec &&
	    st.st_mtim.tv_nsec == cf->st.st_mtim.tv_nsec)
		return DS_E_OK;
	if ((rc = config_load(cf->dir, &n, cause)) != DS_E_OK)
		return rc;
	json_decref(cf->root);
	cf->root = n->root;
	cf->locations = n->locations;
	cf->accounts = n->accounts;
	cf->st = n->st;
	n->root = NULL;
	config_free(n);
	return DS_E_OK;
}

/* Adds or removes SUB in ACCOUNT's "subscriptions" of ROOT. */
static int
grant_in(json_t *root, const char *path, const char *account,
    const char *sub, int grant, char **cause)
{
	json_t	*accounts = json_object_get(root, "storageAccounts");
	json_t	*a = NULL, *owners, *s;
	size_t	 i;

	json_array_foreach(accounts, i, a) {
		if (strcmp(json_string_value(json_object_get(a, "name")),
		    account) == 0)
			break;
	}
	if (i == json_array_size(accounts))
		return ds_cause(cause, DS_E_NOTFOUND, _("%s: no storage "
		    "account %s"), path, account);
	if ((owners = json_object_get(a, "subscriptions")) == NULL) {
		owners = json_array();
		json_object_set_new(a, "subscriptions", owners);
	}
	json_array_foreach(owners, i, s) {
		if (strcasecmp(json_string_value(s), sub) == 0)
			break;
	}
	if (grant && i == json_array_size(owners))
		json_array_append_new(owners, json_string(sub));
	else if (!grant && i < json_array_size(owners))
		json_array_remove(owners, i);
	return DS_E_OK;
}

int
config_grant(const char *dir, const char *account, const char *sub,
    int grant, char **cause)
{
	struct config	*cf = NULL;
	char		*path = NULL, *tmp = NULL;
	FILE		*f = NULL;
	int		 fd = -1, lock = -1, rc;

	/* One rewrite at a time: a lock on the service directory. */
	if ((lock = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1 ||
	    flock(lock, LOCK_EX) == -1) {
		rc = ds_cause(cause, DS_E_IO, "%s: %s", dir, strerror(errno));
		goto out;
	}
	if ((rc = config_load(dir, &cf, cause)) != DS_E_OK)
		goto out;
	if ((path = config_path(dir, "importd.conf")) == NULL ||
	    asprintf(&tmp, "%s.XXXXXX", path) == -1) {
		tmp = NULL;
		rc = DS_E_NOMEM;
		goto out;
	}
	if ((rc = grant_in(cf->root, path, account, sub, grant, cause)) !=
	    DS_E_OK)
		goto out;
	/* mkstemp() makes it 0600, as the account keys in it need. */
	if ((fd = mkostemp(tmp, O_CLOEXEC)) == -1 ||
	    (f = fdopen(fd, "w")) == NULL) {
		rc = ds_cause(cause, DS_E_IO, "%s: %s", tmp, strerror(errno));
		if (fd != -1)
			close(fd);
		fd = -1;
		goto out;
	}
	fd = -1;
	if (json_dumpf(cf->root, f, JSON_INDENT(2)) != 0 ||
	    fputc('\n', f) == EOF || fflush(f) != 0 ||
	    fsync(fileno(f)) != 0) {
		rc = ds_cause(cause, DS_E_IO, "%s: %s", tmp, strerror(errno));
		goto out;
	}
	rc = fclose(f);
	f = NULL;
	if (rc != 0 || rename(tmp, path) != 0) {
		rc = ds_cause(cause, DS_E_IO, "%s: %s", path, strerror(errno));
		goto out;
	}
	free(tmp);
	tmp = NULL;
	rc = DS_E_OK;
out:
	if (f != NULL)
		fclose(f);
	if (tmp != NULL)
		unlink(tmp);
	if (lock != -1)
		close(lock);
	free(tmp);
	free(path);
	config_free(cf);
	return rc;
}
