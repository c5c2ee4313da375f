/* SPDX-License-Identifier: MIT */
/*
 * Read-ahead for prep (see readahead.h). One thread, a queue of items in
 * the walk's order, and a ring buffer holding the bytes of the small
 * files read whole. Both are bounded, so memory stays the same whatever
 * the number and size of the files; a file bigger than DS_RA_WHOLE_MAX
 * is left open for the archiver to stream.
 */
#include "config.h"

#include <sys/stat.h>
#include <sys/types.h>

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>
#include <openssl/sha.h>

#include "readahead.h"
#include "util.h"

#define RA_ITEMS	256			/* entries read ahead */
#define RA_RING		(8 * 1024 * 1024)	/* bytes read ahead */
/* A thread that found the queue empty (or full) sleeps until this many
 * items are there (or free): one wake-up per batch, not per file. */
#define RA_BATCH	32

struct ds_ra {
	char			*staging;
	size_t			 next;		/* next entry to read */
	size_t			 n;
	ds_ra_src_fn		 src;
	void			*arg;
	struct archive		*rd;

	pthread_t		 thread;
	pthread_mutex_t		 mtx;
	pthread_cond_t		 cond;
	struct ds_ra_item	 items[RA_ITEMS];
	size_t			 first;		/* entry of the oldest item */
	size_t			 count;		/* items read */
	int			 quit;
	int			 nomem;
	int			 get_waits;	/* for RA_BATCH items */
	int			 put_waits;	/* for RA_BATCH free items */

	/* The ring: bytes [tail, head) are in use, wrapping at the end;
	 * ring_used counts them with what a wrap skipped. */
	uint8_t			*ring;
	size_t			 head, tail, ring_used;
};

/* Room for LEN bytes in the ring, or NULL. Lock held. */
static uint8_t *
ring_take(struct ds_ra *ra, size_t len, size_t *reserved)
{
	size_t at;

	if (len == 0) {
		*reserved = 0;
		return ra->ring + ra->head;
	}
	if (ra->ring_used == 0)
		ra->head = ra->tail = 0;
	if (ra->ring_used > 0 && ra->head <= ra->tail) {
		/* Free space is [head, tail). */
		if (ra->tail - ra->head < len)
			return NULL;
		at = ra->head;
		*reserved = len;
	} else if (RA_RING - ra->head >= len) {
		at = ra->head;
		*reserved = len;
	} else if (ra->tail >= len) {
		/* Skip the end of the ring and start again at 0. */
		at = 0;
		*reserved = RA_RING - ra->head + len;
	} else
		return NULL;
	ra->head = at + len;
	if (ra->head == RA_RING)
		ra->head = 0;
	ra->ring_used += *reserved;
	return ra->ring + at;
}

static void
item_clear(struct ds_ra_item *it)
{
	if (it->fd != -1)
		close(it->fd);
	if (it->ae != NULL)
		archive_entry_free(it->ae);
	free(it->meta_err);
	memset(it, 0, sizeof *it);
	it->fd = -1;
}

/* Lets go of the oldest item. Lock held. */
static void
item_drop(struct ds_ra *ra)
{
	struct ds_ra_item *it = &ra->items[ra->first % RA_ITEMS];

	if (it->ring_len > 0) {
		ra->tail = it->ring_end;
		ra->ring_used -= it->ring_len;
	}
	item_clear(it);
	ra->first++;
	ra->count--;
}

/*
 * Reads the LEN bytes of FD into BUF and hashes them. A file that gets
 * shorter or fails to read is padded with zeros and said to have changed,
 * as the archiver does for a file it streams.
 */
static void
read_whole(struct ds_ra_item *it, uint8_t *buf, size_t len)
{
	struct stat	after;
	size_t		got = 0;
	ssize_t		n;

	while (got < len) {
		n = pread(it->fd, buf + got, len - got, (off_t)got);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0) {
			memset(buf + got, 0, len - got);
			it->changed = 1;
			break;
		}
		got += (size_t)n;
	}
	SHA256(buf, len, it->sha);
	it->data = buf;
	it->len = len;
	it->whole = 1;
	if (fstat(it->fd, &after) == 0 && ds_stat_changed(&it->before, &after))
		it->changed = 1;
	close(it->fd);
	it->fd = -1;
}

/* Opens entry I and reads its metadata into IT; 0, or -1 when out of
 * memory. */
static int
read_meta(struct ds_ra *ra, size_t i, struct ds_ra_item *it)
{
	struct ds_ra_src	 s;
	char			*full;
	int			 rc;

	memset(&s, 0, sizeof s);
	ra->src(ra->arg, i, &s);
	it->index = i;
	if (s.skip)
		return 0;
	if (asprintf(&full, "%s/%s", ra->staging, s.rel) == -1)
		return -1;
	if (S_ISREG(s.mode)) {
		it->fd = open(full, O_RDONLY | O_NOFOLLOW | O_CLOEXEC |
		    O_NOATIME);
		if (it->fd == -1 && errno == EPERM)
			it->fd = open(full, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
		if (it->fd == -1) {
			it->open_errno = errno;
			free(full);
			return 0;
		}
		if (fstat(it->fd, &it->before) == -1)
			it->stat_errno = errno;
		else if (!S_ISREG(it->before.st_mode))
			it->not_reg = 1;
		if (it->stat_errno || it->not_reg) {
			free(full);
			return 0;
		}
	}
	if ((it->ae = archive_entry_new()) == NULL) {
		free(full);
		return -1;
	}
	archive_entry_copy_pathname(it->ae, s.rel);
	archive_entry_copy_sourcepath(it->ae, full);
	free(full);
	rc = archive_read_disk_entry_from_file(ra->rd, it->ae, it->fd,
	    it->fd != -1 ? &it->before : NULL);
	it->meta_rc = rc;
	if (rc < ARCHIVE_WARN && (it->meta_err = strdup(
	    archive_error_string(ra->rd) != NULL ?
	    archive_error_string(ra->rd) : "?")) == NULL)
		return -1;
	archive_entry_copy_pathname(it->ae, s.rel);
	return 0;
}

/* Wakes the reader if it waits and a batch is free. Lock held. */
static void
wake_reader(struct ds_ra *ra)
{
	if (ra->put_waits && (RA_ITEMS - ra->count >= RA_BATCH ||
	    ra->ring_used <= RA_RING / 2)) {
		ra->put_waits = 0;
		pthread_cond_broadcast(&ra->cond);
	}
}

static void *
reader_main(void *arg)
{
	struct ds_ra		*ra = arg;
	struct ds_ra_item	 it;
	uint8_t			*buf;
	size_t			 len, reserved;
	int			 whole;

	while (ra->next < ra->n) {
		memset(&it, 0, sizeof it);
		it.fd = -1;
		if (read_meta(ra, ra->next, &it) == -1) {
			item_clear(&it);
			pthread_mutex_lock(&ra->mtx);
			ra->nomem = 1;
			pthread_cond_broadcast(&ra->cond);
			pthread_mutex_unlock(&ra->mtx);
			return NULL;
		}
		whole = it.fd != -1 && it.meta_rc >= ARCHIVE_WARN &&
		    it.before.st_size <= DS_RA_WHOLE_MAX;
		len = whole ? (size_t)it.before.st_size : 0;

		/* Wait for a free item and, if read whole, ring room. */
		pthread_mutex_lock(&ra->mtx);
		for (;;) {
			buf = NULL;
			reserved = 0;
			if (ra->quit)
				break;
			if (ra->count < RA_ITEMS && (!whole ||
			    (buf = ring_take(ra, len, &reserved)) != NULL))
				break;
			/* Full: let the archiver catch up, and have it
			 * wake this thread once a batch is free. */
			if (ra->get_waits) {
				ra->get_waits = 0;
				pthread_cond_broadcast(&ra->cond);
			}
			ra->put_waits = 1;
			pthread_cond_wait(&ra->cond, &ra->mtx);
		}
		if (ra->quit) {
			pthread_mutex_unlock(&ra->mtx);
			item_clear(&it);
			return NULL;
		}
		pthread_mutex_unlock(&ra->mtx);

		if (whole) {
			read_whole(&it, buf, len);
			it.ring_len = reserved;
			it.ring_end = (size_t)(buf - ra->ring) + len;
		}
		pthread_mutex_lock(&ra->mtx);
		ra->items[(ra->first + ra->count) % RA_ITEMS] = it;
		ra->count++;
		ra->next++;
		if (ra->get_waits && (ra->count >= RA_BATCH ||
		    ra->next == ra->n)) {
			ra->get_waits = 0;
			pthread_cond_broadcast(&ra->cond);
		}
		pthread_mutex_unlock(&ra->mtx);
	}
	return NULL;
}

/* Frees RA, whose thread is not running. */
static void
ra_free(struct ds_ra *ra)
{
	pthread_mutex_destroy(&ra->mtx);
	pthread_cond_destroy(&ra->cond);
	if (ra->rd != NULL)
		archive_read_free(ra->rd);
	free(ra->ring);
	free(ra->staging);
	free(ra);
}

int
ds_ra_start(struct ds_ra **rap, const char *staging, size_t first,
    size_t n, ds_ra_src_fn src, void *arg)
{
	struct ds_ra	*ra;
	size_t		 i;

	*rap = NULL;
	if ((ra = calloc(1, sizeof *ra)) == NULL)
		return -1;
	for (i = 0; i < RA_ITEMS; i++)
		ra->items[i].fd = -1;
	ra->staging = strdup(staging);
	ra->ring = malloc(RA_RING);
	ra->rd = archive_read_disk_new();
	pthread_mutex_init(&ra->mtx, NULL);
	pthread_cond_init(&ra->cond, NULL);
	if (ra->staging == NULL || ra->ring == NULL || ra->rd == NULL) {
		ra_free(ra);
		return -1;
	}
	archive_read_disk_set_standard_lookup(ra->rd);
	ra->next = ra->first = first;
	ra->n = n;
	ra->src = src;
	ra->arg = arg;
	if (pthread_create(&ra->thread, NULL, reader_main, ra) != 0) {
		ra_free(ra);
		return -1;
	}
	*rap = ra;
	return 0;
}

struct ds_ra_item *
ds_ra_get(struct ds_ra *ra, size_t i)
{
	struct ds_ra_item *it = NULL;

	pthread_mutex_lock(&ra->mtx);
	for (;;) {
		while (ra->count > 0 && ra->first < i)
			item_drop(ra);
		wake_reader(ra);
		if (ra->count > 0 || ra->nomem || i >= ra->n)
			break;
		ra->get_waits = 1;
		pthread_cond_wait(&ra->cond, &ra->mtx);
	}
	if (ra->count > 0 && ra->first == i)
		it = &ra->items[i % RA_ITEMS];
	pthread_mutex_unlock(&ra->mtx);
	return it;
}

void
ds_ra_stop(struct ds_ra *ra)
{
	if (ra == NULL)
		return;
	pthread_mutex_lock(&ra->mtx);
	ra->quit = 1;
	pthread_cond_broadcast(&ra->cond);
	pthread_mutex_unlock(&ra->mtx);
	pthread_join(ra->thread, NULL);
	while (ra->count > 0)
		item_drop(ra);
	ra_free(ra);
}
