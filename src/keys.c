/* SPDX-License-Identifier: MIT */
/* Per-drive keys in the state directory's private key files. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>
#include <openssl/crypto.h>

#include "error.h"
#include "format.h"
#include "keys.h"
#include "state.h"
#include "util.h"

/* Loads the key file of SET_HEX into *root (an empty object if none). */
static int
keys_read(const char *set_hex, char **pathp, json_t **root, char **cause)
{
	char	 name[64], *buf = NULL;
	size_t	 len;
	int	 rc;

	*root = NULL;
	snprintf(name, sizeof name, "keys/%s.json", set_hex);
	if ((*pathp = ds_state_path(name, cause)) == NULL)
		return DS_E_STATEDIR;
	if (access(*pathp, F_OK) == -1) {
		*root = json_object();
		return DS_E_OK;
	}
	if ((rc = ds_check_private(*pathp, cause)) != DS_E_OK)
		return rc;
	if ((rc = ds_read_file(*pathp, 1 << 20, &buf, &len, cause)) != DS_E_OK)
		return rc;
	*root = json_loadb(buf, len, 0, NULL);
	ds_freezero(buf, len);
	if (*root == NULL || !json_is_object(*root)) {
		json_decref(*root);
		*root = NULL;
		return ds_cause(cause, DS_E_PARSE, "%s", *pathp);
	}
	return DS_E_OK;
}

int
ds_keys_save(const char *set_hex, uint32_t index, const uint8_t *key,
    char **cause)
{
	json_t	*root = NULL, *keys;
	char	*path = NULL, *text = NULL, hex[65], idx[16];
	int	 rc;

	if ((rc = keys_read(set_hex, &path, &root, cause)) != DS_E_OK)
		goto out;
	json_object_set_new(root, "setId", json_string(set_hex));
	if ((keys = json_object_get(root, "keys")) == NULL) {
		keys = json_object();
		json_object_set_new(root, "keys", keys);
	}
	ds_hex(hex, key, DS_FMT_KEY_LEN);
	snprintf(idx, sizeof idx, "%u", index);
	json_object_set_new(keys, idx, json_string(hex));
	OPENSSL_cleanse(hex, sizeof hex);
	if ((text = json_dumps(root, JSON_INDENT(2))) == NULL) {
		rc = DS_E_NOMEM;
		goto out;
	}
	rc = ds_write_file_atomic(path, text, strlen(text), 0600, cause);
out:
	if (text != NULL)
		ds_freezero(text, strlen(text));
	json_decref(root);
	free(path);
	return rc;
}

int
ds_keys_load(const char *set_hex, uint32_t index, uint8_t *key, char **cause)
{
	json_t		*root = NULL;
	const char	*hex;
	char		*path = NULL, idx[16];
	int		 rc;

	if ((rc = keys_read(set_hex, &path, &root, cause)) != DS_E_OK)
		goto out;
	snprintf(idx, sizeof idx, "%u", index);
	hex = json_string_value(json_object_get(json_object_get(root, "keys"),
	    idx));
	if (hex == NULL)
		rc = ds_cause(cause, DS_E_NOTFOUND,
		    _("no key for drive %u of drive set %s in %s"), index,
		    set_hex, path);
	else if (strlen(hex) != 2 * DS_FMT_KEY_LEN ||
	    ds_unhex(key, DS_FMT_KEY_LEN, hex) == -1)
		rc = ds_cause(cause, DS_E_PARSE, "%s", path);
out:
	json_decref(root);
	free(path);
	return rc;
}
