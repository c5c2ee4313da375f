/* SPDX-License-Identifier: MIT */
/*
 * A thread that feeds buffers to a digest beside its caller: the archiver
 * reads the next part of a big file while the part before is hashed.
 * One buffer at a time; the caller keeps a buffer untouched until the
 * next ds_hasher_put or ds_hasher_wait returns.
 */
#ifndef DS_HASHER_H
#define DS_HASHER_H

#include <stddef.h>

#include <openssl/evp.h>

struct ds_hasher;

/* Starts the thread; -1 when it cannot. */
int	 ds_hasher_start(struct ds_hasher **);

/* Waits for the buffer before, then has LEN bytes at BUF fed to MD. */
void	 ds_hasher_put(struct ds_hasher *, EVP_MD_CTX *md, const void *buf,
	    size_t len);

/* Waits until the last buffer is hashed: MD and BUF are the caller's. */
void	 ds_hasher_wait(struct ds_hasher *);

/* Stops the thread; takes NULL. */
void	 ds_hasher_stop(struct ds_hasher *);

#endif
