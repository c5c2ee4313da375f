/* SPDX-License-Identifier: MIT */
/*
 * The hasher thread (see hasher.h). Only big files go through it, one
 * wake-up a MiB: small files are hashed by the read-ahead, as the hand-off
 * would cost more than the hash (make bench, commit 86f9453).
 */
#include "config.h"

#include <pthread.h>
#include <stdlib.h>

#include "hasher.h"

struct ds_hasher {
	pthread_t	 thread;
	pthread_mutex_t	 mtx;
	pthread_cond_t	 cond;
	EVP_MD_CTX	*md;
	const void	*buf;
	size_t		 len;
	int		 busy;
	int		 quit;
};

static void *
hasher_main(void *arg)
{
	struct ds_hasher *h = arg;

	pthread_mutex_lock(&h->mtx);
	for (;;) {
		while (!h->busy && !h->quit)
			pthread_cond_wait(&h->cond, &h->mtx);
		if (!h->busy)
			break;
		pthread_mutex_unlock(&h->mtx);
		EVP_DigestUpdate(h->md, h->buf, h->len);
		pthread_mutex_lock(&h->mtx);
		h->busy = 0;
		pthread_cond_broadcast(&h->cond);
	}
	pthread_mutex_unlock(&h->mtx);
	return NULL;
}

int
ds_hasher_start(struct ds_hasher **hp)
{
	struct ds_hasher *h;

	*hp = NULL;
	if ((h = calloc(1, sizeof *h)) == NULL)
		return -1;
	pthread_mutex_init(&h->mtx, NULL);
	pthread_cond_init(&h->cond, NULL);
	if (pthread_create(&h->thread, NULL, hasher_main, h) != 0) {
		pthread_mutex_destroy(&h->mtx);
		pthread_cond_destroy(&h->cond);
		free(h);
		return -1;
	}
	*hp = h;
	return 0;
}

void
ds_hasher_wait(struct ds_hasher *h)
{
	pthread_mutex_lock(&h->mtx);
	while (h->busy)
		pthread_cond_wait(&h->cond, &h->mtx);
	pthread_mutex_unlock(&h->mtx);
}

void
ds_hasher_put(struct ds_hasher *h, EVP_MD_CTX *md, const void *buf,
    size_t len)
{
	pthread_mutex_lock(&h->mtx);
	while (h->busy)
		pthread_cond_wait(&h->cond, &h->mtx);
	h->md = md;
	h->buf = buf;
	h->len = len;
	h->busy = 1;
	pthread_cond_broadcast(&h->cond);
	pthread_mutex_unlock(&h->mtx);
}

void
ds_hasher_stop(struct ds_hasher *h)
{
	if (h == NULL)
		return;
	pthread_mutex_lock(&h->mtx);
	h->quit = 1;
	pthread_cond_broadcast(&h->cond);
	pthread_mutex_unlock(&h->mtx);
	pthread_join(h->thread, NULL);
	pthread_mutex_destroy(&h->mtx);
	pthread_cond_destroy(&h->cond);
	free(h);
}
