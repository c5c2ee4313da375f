/* SPDX-License-Identifier: MIT */
/* The upload pool of the ingest: threads, one Blob client each. */
#include "config.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "upload.h"

enum req_kind { REQ_BLOCK, REQ_COMMIT, REQ_PUT };

struct req {
	struct req		*next;
	enum req_kind		 kind;
	struct upload		*u;
	char			*id;		/* BLOCK */
	void			*buf;		/* BLOCK, PUT */
	size_t			 len;
	char			**ids;		/* COMMIT */
	size_t			 nids;
	char			*md5;
	struct ds_blob_meta	*meta;		/* COMMIT, PUT */
	size_t			 nmeta;
};

struct upload {
	struct upload_pool	*p;
	char			*container;
	char			*name;
	upload_done_cb		 done;
	void			*arg;
	char			**have;		/* uncommitted block ids */
	size_t			 nhave;
	unsigned		 pending;	/* blocks not yet stored */
	int			 ended;		/* the caller is done */
	int			 rc;		/* first failure */
	char			*cause;
};

struct upload_pool {
	pthread_mutex_t		 mu;
	pthread_cond_t		 cv_req;	/* a request is queued */
	pthread_cond_t		 cv_space;	/* the queue has room */
	pthread_cond_t		 cv_done;	/* a request ended */
	struct req		*head, *tail;
	size_t			 nq, cap;
	unsigned		 busy;
	int			 stopping;
	int			 fatal;
	char			*fatal_cause;
	unsigned		 n;		/* threads started */
	unsigned		 nalloc;
	pthread_t		*th;
	struct ds_blob		**clients;
};

struct worker {
	struct upload_pool	*p;
	struct ds_blob		*b;
};

static void
meta_free(struct ds_blob_meta *m, size_t n)
{
	size_t	 i;

	for (i = 0; m != NULL && i < n; i++) {
		free(m[i].name);
		free(m[i].value);
	}
	free(m);
}

static struct ds_blob_meta *
meta_dup(const struct ds_blob_meta *m, size_t n)
{
	struct ds_blob_meta	*c;
	size_t			 i;

	if ((c = calloc(n + 1, sizeof *c)) == NULL)
		return NULL;
	for (i = 0; i < n; i++)
		if ((c[i].name = strdup(m[i].name)) == NULL ||
		    (c[i].value = strdup(m[i].value)) == NULL) {
			meta_free(c, n);
			return NULL;
		}
	return c;
}

static void
req_free(struct req *r)
{
	free(r->id);
	free(r->buf);
	ds_blob_ids_free(r->ids, r->nids);
	free(r->md5);
	meta_free(r->meta, r->nmeta);
	free(r);
}

static void
upload_free(struct upload *u)
{
	free(u->container);
	free(u->name);
	ds_blob_ids_free(u->have, u->nhave);
	free(u->cause);
	free(u);
}

/* Ends U with RC: its callback, then its memory. Called unlocked. */
static void
upload_end(struct upload *u, int rc)
{
	if (u->done != NULL)
		u->done(u->arg, rc, u->cause != NULL ? u->cause : "");
	upload_free(u);
}

/* Records the first failure of U (and of the run). Locked. */
static void
fail_locked(struct upload_pool *p, struct upload *u, int rc, char *cause)
{
	if (u->rc == DS_E_OK) {
		u->rc = rc;
		u->cause = cause != NULL ? strdup(cause) : NULL;
	}
	if (!p->fatal) {
		p->fatal = rc;
		p->fatal_cause = cause;
	} else
		free(cause);
}

static int
has_id(char **ids, size_t n, const char *id)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		if (strcmp(ids[i], id) == 0)
			return 1;
	return 0;
}

/* Does request R with client B. Called unlocked; R is freed after. */
static int
do_req(struct ds_blob *b, struct req *r, char **cause)
{
	struct upload	*u = r->u;

	switch (r->kind) {
	case REQ_BLOCK:
		if (has_id(u->have, u->nhave, r->id))
			return DS_E_OK;
		return ds_blob_put_block(b, u->container, u->name, r->id,
		    r->buf, r->len, cause);
	case REQ_COMMIT:
		return ds_blob_put_block_list(b, u->container, u->name,
		    r->ids, r->nids, r->md5, r->meta, r->nmeta, cause);
	case REQ_PUT:
		return ds_blob_put(b, u->container, u->name, r->buf, r->len,
		    r->meta, r->nmeta, cause);
	}
	return DS_E_INVAL;
}

static void *
worker_main(void *arg)
{
	struct worker		*w = arg;
	struct upload_pool	*p = w->p;
	struct upload		*u, *end;
	struct req		*r;
	char			*cause;
	int			 rc, end_rc;

	pthread_mutex_lock(&p->mu);
	for (;;) {
		while (p->head == NULL && !p->stopping)
			pthread_cond_wait(&p->cv_req, &p->mu);
		if (p->head == NULL)
			break;
		r = p->head;
		if ((p->head = r->next) == NULL)
			p->tail = NULL;
		p->nq--;
		p->busy++;
		pthread_cond_signal(&p->cv_space);
		u = r->u;
		/* A commit waits for the blocks of its blob. */
		while (r->kind == REQ_COMMIT && u->pending > 0)
			pthread_cond_wait(&p->cv_done, &p->mu);
		rc = p->fatal ? p->fatal : u->rc;
		pthread_mutex_unlock(&p->mu);
		cause = NULL;
		if (rc == DS_E_OK)
			rc = do_req(w->b, r, &cause);
		pthread_mutex_lock(&p->mu);
		end = NULL;
		end_rc = DS_E_OK;
		if (rc != DS_E_OK)
			fail_locked(p, u, rc, cause);
		else
			free(cause);
		if (r->kind == REQ_BLOCK) {
			u->pending--;
			/* An abandoned upload ends with its last block. */
			if (u->ended == 2 && u->pending == 0) {
				end = u;
				end_rc = DS_E_CANCELED;
			}
		} else {
			end = u;
			end_rc = u->rc;
		}
		/* Blocks done wake a commit waiting for them. */
		pthread_cond_broadcast(&p->cv_done);
		pthread_mutex_unlock(&p->mu);
		req_free(r);
		if (end != NULL)
			upload_end(end, end_rc);
		/* Busy until the callback returned: drain waits for it. */
		pthread_mutex_lock(&p->mu);
		p->busy--;
		pthread_cond_broadcast(&p->cv_done);
	}
	pthread_mutex_unlock(&p->mu);
	free(w);
	return NULL;
}

int
upload_pool_start(const char *account, const char *key,
    const char *endpoint, const struct ds_blob_opts *opts, unsigned n,
    struct upload_pool **out, char **cause)
{
	struct upload_pool	*p;
	struct worker		*w;
	unsigned		 i;
	int			 rc;

	*out = NULL;
	if (n == 0)
		n = 1;
	if ((p = calloc(1, sizeof *p)) == NULL ||
	    (p->th = calloc(n, sizeof *p->th)) == NULL ||
	    (p->clients = calloc(n, sizeof *p->clients)) == NULL) {
		if (p != NULL)
			free(p->th);
		free(p);
		return DS_E_NOMEM;
	}
	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->cv_req, NULL);
	pthread_cond_init(&p->cv_space, NULL);
	pthread_cond_init(&p->cv_done, NULL);
	p->cap = 2 * (size_t)n;
	p->nalloc = n;
	for (i = 0; i < n; i++) {
		if ((rc = ds_blob_open(account, key, endpoint, opts,
		    &p->clients[i], cause)) != DS_E_OK)
			goto fail;
		rc = DS_E_NOMEM;
		if ((w = calloc(1, sizeof *w)) == NULL)
			goto fail;
		w->p = p;
		w->b = p->clients[i];
		if (pthread_create(&p->th[i], NULL, worker_main, w) != 0) {
			free(w);
			rc = ds_cause(cause, DS_E_IO, "pthread_create");
			goto fail;
		}
		p->n++;
	}
	*out = p;
	return DS_E_OK;
fail:
	upload_pool_stop(p);
	return rc;
}

int
upload_pool_drain(struct upload_pool *p, char **cause)
{
	int	 rc;

	pthread_mutex_lock(&p->mu);
	while (p->nq > 0 || p->busy > 0)
		pthread_cond_wait(&p->cv_done, &p->mu);
	rc = p->fatal;
	if (rc != DS_E_OK && cause != NULL && p->fatal_cause != NULL)
		ds_cause(cause, rc, "%s", p->fatal_cause);
	pthread_mutex_unlock(&p->mu);
	return rc;
}

int
upload_pool_failed(struct upload_pool *p)
{
	int	 rc;

	pthread_mutex_lock(&p->mu);
	rc = p->fatal;
	pthread_mutex_unlock(&p->mu);
	return rc;
}

uint64_t
upload_pool_retries(struct upload_pool *p)
{
	uint64_t	 n = 0;
	unsigned	 i;

	for (i = 0; p != NULL && i < p->n; i++)
		n += ds_blob_retries(p->clients[i]);
	return n;
}

void
upload_pool_stop(struct upload_pool *p)
{
	unsigned	 i;
	void		*w;

	if (p == NULL)
		return;
	upload_pool_drain(p, NULL);
	pthread_mutex_lock(&p->mu);
	p->stopping = 1;
	pthread_cond_broadcast(&p->cv_req);
	pthread_mutex_unlock(&p->mu);
	for (i = 0; i < p->n; i++)
		pthread_join(p->th[i], &w);
	for (i = 0; i < p->nalloc; i++)
		ds_blob_free(p->clients[i]);
	free(p->clients);
	free(p->th);
	free(p->fatal_cause);
	pthread_mutex_destroy(&p->mu);
	pthread_cond_destroy(&p->cv_req);
	pthread_cond_destroy(&p->cv_space);
	pthread_cond_destroy(&p->cv_done);
	free(p);
}

struct upload *
upload_new(struct upload_pool *p, const char *container, const char *name,
    upload_done_cb done, void *arg)
{
	struct upload	*u;

	if ((u = calloc(1, sizeof *u)) == NULL ||
	    (u->container = strdup(container)) == NULL ||
	    (u->name = strdup(name)) == NULL) {
		if (u != NULL)
			upload_free(u);
		return NULL;
	}
	u->p = p;
	u->done = done;
	u->arg = arg;
	return u;
}

int
upload_have(struct upload *u, struct ds_blob *client, char **cause)
{
	return ds_blob_uncommitted(client, u->container, u->name, &u->have,
	    &u->nhave, cause);
}

/* Queues R, waiting for room. */
static void
enqueue(struct upload_pool *p, struct req *r)
{
	pthread_mutex_lock(&p->mu);
	while (p->nq >= p->cap)
		pthread_cond_wait(&p->cv_space, &p->mu);
	if (r->kind == REQ_BLOCK)
		r->u->pending++;
	if (p->tail != NULL)
		p->tail->next = r;
	else
		p->head = r;
	p->tail = r;
	p->nq++;
	pthread_cond_signal(&p->cv_req);
	pthread_mutex_unlock(&p->mu);
}

int
upload_block(struct upload *u, const char *id, void *buf, size_t len)
{
	struct req	*r;

	if ((r = calloc(1, sizeof *r)) == NULL ||
	    (r->id = strdup(id)) == NULL) {
		free(r);
		free(buf);
		return DS_E_NOMEM;
	}
	r->kind = REQ_BLOCK;
	r->u = u;
	r->buf = buf;
	r->len = len;
	enqueue(u->p, r);
	return DS_E_OK;
}

/*
 * Queues the final request of U: a copy of T (whose buffers it takes,
 * freed on failure too) with META.
 */
static int
finish(struct upload *u, const struct req *t, const struct ds_blob_meta *meta,
    size_t nmeta)
{
	struct req	*r;

	if ((r = calloc(1, sizeof *r)) == NULL) {
		free(t->buf);
		free(t->md5);
		ds_blob_ids_free(t->ids, t->nids);
		upload_abandon(u);
		return DS_E_NOMEM;
	}
	*r = *t;
	r->u = u;
	if ((r->meta = meta_dup(meta, nmeta)) == NULL) {
		req_free(r);
		upload_abandon(u);
		return DS_E_NOMEM;
	}
	r->nmeta = nmeta;
	pthread_mutex_lock(&u->p->mu);
	u->ended = 1;
	pthread_mutex_unlock(&u->p->mu);
	enqueue(u->p, r);
	return DS_E_OK;
}

int
upload_commit(struct upload *u, char **ids, size_t nids, const char *md5,
    const struct ds_blob_meta *meta, size_t nmeta)
{
	struct req	 t = { .kind = REQ_COMMIT, .ids = ids, .nids = nids };

	if (md5 != NULL && (t.md5 = strdup(md5)) == NULL) {
		ds_blob_ids_free(ids, nids);
		upload_abandon(u);
		return DS_E_NOMEM;
	}
	return finish(u, &t, meta, nmeta);
}

int
upload_put(struct upload *u, void *buf, size_t len,
    const struct ds_blob_meta *meta, size_t nmeta)
{
	struct req	 t = { .kind = REQ_PUT, .buf = buf, .len = len };

	return finish(u, &t, meta, nmeta);
}

void
upload_abandon(struct upload *u)
{
	int	 now;

	pthread_mutex_lock(&u->p->mu);
	u->ended = 2;
	now = u->pending == 0;
	pthread_mutex_unlock(&u->p->mu);
	if (now)
		upload_end(u, DS_E_CANCELED);
}
