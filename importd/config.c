/* importd.conf: the service's configuration, a JSON file. */
#include "config.h"

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
"      \"blobEndpoint\": \"http://127.0.0.1:10000/devstoreaccount1\"\n"
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
