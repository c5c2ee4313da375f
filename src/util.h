/* SPDX-License-Identifier: MIT */
/* Small helpers every module uses: hex, secret wiping, sizes. */
#ifndef DS_UTIL_H
#define DS_UTIL_H

#include <sys/stat.h>

#include <stddef.h>
#include <stdint.h>

/* Writes 2*LEN lowercase hex digits and a NUL to OUT. */
void	 ds_hex(char *out, const void *buf, size_t len);

/* The same with uppercase digits (the service's driveHeaderHash). */
void	 ds_hex_upper(char *out, const void *buf, size_t len);

/* Parses exactly 2*LEN hex digits into OUT; -1 when S is not that. */
int	 ds_unhex(void *out, size_t len, const char *s);

/*
 * Keeps this process out of core dumps and ptrace for the rest of its
 * life (prctl PR_SET_DUMPABLE 0): diskseed holds drive keys, recovery
 * keys and the management key. Call before any is loaded.
 */
void	 ds_secrets_protect(void);

/*
 * LEN zeroed bytes on pages of their own marked MADV_DONTDUMP, for a
 * structure that holds keys; NULL without memory. Free with
 * ds_secret_free (wipes); both take what the other gives.
 */
void	*ds_secret_alloc(size_t len);
void	 ds_secret_free(void *p, size_t len);

/* Wipes then frees; takes NULL (OpenSSH freezero). */
void	 ds_freezero(void *p, size_t len);

/* Formats BYTES as "1.5 GiB" into BUF (at least 16 bytes). */
const char *ds_human_size(char *buf, size_t size, uint64_t bytes);

/* Parses "10G", "512M", "4096", "10T" (binary units); -1 when invalid. */
int	 ds_parse_size(const char *s, uint64_t *out);

/* qsort's comparison of two char * (strcmp order). */
int	 ds_cmp_strp(const void *a, const void *b);

/* Writes the current time as ISO 8601 UTC ("2026-12-07T21:00:00Z"). */
void	 ds_now_iso(char *buf, size_t size);

/* Whether a file's size, mtime or ctime differ between two stats: it was
 * written to (or replaced) in between. */
int	 ds_stat_changed(const struct stat *before, const struct stat *after);

#endif
