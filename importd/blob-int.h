/* SPDX-License-Identifier: MIT */
/*
 * Inside the Blob client: what blob.c gives blob-file.c. No other module
 * includes this; they use blob.h.
 */
#ifndef DS_BLOB_INT_H
#define DS_BLOB_INT_H

#include <stddef.h>

#include "blob.h"

/* The most request headers (metadata included) one request carries. */
#define MAX_HEADERS	32

/* The client's block size and largest single Put Blob (its options). */
size_t	 ds_blob_block_size(const struct ds_blob *b);
size_t	 ds_blob_single_put_max(const struct ds_blob *b);

/* Base64 of LEN bytes at P; allocated, NULL without memory. */
char	*ds_blob_base64(const void *p, size_t len);

#endif
