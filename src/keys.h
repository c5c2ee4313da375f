/* SPDX-License-Identifier: MIT */
/*
 * Per-drive keys in the state directory: keys/<set-id>.json, mode 0600,
 * {"setId": HEX, "keys": {"<index>": HEX}}. Keys are 32 bytes; callers
 * wipe them (OPENSSL_cleanse) when done.
 */
#ifndef DS_KEYS_H
#define DS_KEYS_H

#include <stdint.h>

/* Stores KEY as the key of drive INDEX of set SET_HEX. */
int	ds_keys_save(const char *set_hex, uint32_t index, const uint8_t *key,
	    char **cause);

/* Loads the key of drive INDEX of set SET_HEX; DS_E_NOTFOUND if none. */
int	ds_keys_load(const char *set_hex, uint32_t index, uint8_t *key,
	    char **cause);

#endif
