/* SPDX-License-Identifier: MIT */
/*
 * The connection guard of serve: what keeps hostile clients from locking
 * out the others. It owns the listening socket (evhttp is bound to it),
 * makes each accepted connection a TLS one, and
 *   - caps the connections per peer address and in total; over the total
 *     it closes the oldest connection still in its TLS handshake, so idle
 *     sockets that never speak TLS cannot starve clients that do;
 *   - closes a connection whose TLS handshake is not done in time;
 *   - stops accepting for a moment when descriptors run out (EMFILE),
 *     and before they do (a budget below RLIMIT_NOFILE);
 *   - logs what it refused at most once a minute, never per attempt.
 * Idle keep-alive connections are closed by evhttp's own timeout.
 *
 * evhttp owns each connection's bufferevent and frees it; the guard
 * learns of the end through the SSL object's ex_data free callback,
 * which runs when the bufferevent frees its SSL (BEV_OPT_CLOSE_ON_FREE).
 * It learns the peer one step after the accept: evhttp gives the
 * bufferevent its descriptor only after the callback that made it.
 */
#include "config.h"

#include <sys/queue.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/types.h>

#include <netdb.h>
#include <netinet/in.h>

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/listener.h>

#include "error.h"
#include "importd.h"

/* Descriptors kept for everything that is not a client connection: the
 * database and its journal, the log, certificates, libevent's own. */
#define CONNS_RESERVE_FDS	64
#define CONNS_PEER_BUCKETS	1024
#define CONNS_NOTICE_SECS	60
#define CONNS_PAUSE_MSECS	200

struct peer {
	struct peer	*next;
	unsigned char	 addr[16];	/* IPv4 as ::ffff:a.b.c.d */
	int		 n;
};

struct conn {
	struct conns		*c;
	TAILQ_ENTRY(conn)	 entry;	/* in fresh or handshaking */
	int			 list;	/* which list: 0, 1 fresh, 2 hs */
	SSL			*ssl;	/* owned by the bufferevent */
	struct bufferevent	*bev;	/* owned by evhttp */
	struct peer		*peer;	/* counted in; NULL before admit */
	struct event		*deadline;
	int			 closing;
};
TAILQ_HEAD(conn_list, conn);

struct conns {
	struct event_base	*base;
	SSL_CTX			*ssl;		/* borrowed */
	struct conns_limits	 lim;
	int			 budget;	/* descriptors for clients */
	struct evconnlistener	*listener;	/* owned */
	struct event		*admit;		/* sees fresh connections */
	struct event		*resume;	/* ends a pause */
	struct event		*notice;	/* the once-a-minute log */
	struct conn_list	 fresh;		/* peer not known yet */
	struct conn_list	 handshaking;	/* oldest first */
	int			 nconns;	/* live (hold a descriptor) */
	int			 nclosing;	/* of which being closed */
	int			 nfresh;	/* of which in fresh */
	int			 paused;	/* listener disabled */
	int			 stopped;	/* listener gone */
	unsigned long		 over_peer, over_total, timed_out, nofile;
	int			 accept_errno;	/* the last one */
	struct peer		*peers[CONNS_PEER_BUCKETS];
};

/* libevent calls the listener's error callback with evhttp's pointer,
 * not ours; there is one guard per process. */
static struct conns	*conns_active;
static int		 conns_ex_index = -1;

static void	conns_resume_now(struct conns *c);
static void	conns_ex_free(void *, void *, CRYPTO_EX_DATA *, int, long,
		    void *);
static void	conns_accept_error(struct evconnlistener *, void *);
static struct bufferevent *conns_bev(struct event_base *, void *);

int
conns_limits_load(struct config *cf, struct conns_limits *lim, char **cause)
{
	static const struct {
		const char	*key;
		size_t		 off;
		int		 def, min, max;
	} keys[] = {
		{ "maxConnections",
		    offsetof(struct conns_limits, max_total), 1000, 1,
		    1000000 },
		{ "maxConnectionsPerAddress",
		    offsetof(struct conns_limits, max_per_peer), 128, 1,
		    1000000 },
		{ "tlsHandshakeTimeout",
		    offsetof(struct conns_limits, handshake_secs), 15, 1,
		    3600 },
		{ "idleTimeout",
		    offsetof(struct conns_limits, idle_secs), 30, 1, 86400 },
	};
	size_t	 i;
	json_t	*v;
	int	*field;

	for (i = 0; i < sizeof keys / sizeof keys[0]; i++) {
		field = (int *)(void *)((char *)lim + keys[i].off);
		*field = keys[i].def;
		v = cf != NULL ? json_object_get(cf->root, keys[i].key) : NULL;
		if (v == NULL)
			continue;
		if (!json_is_integer(v) ||
		    json_integer_value(v) < keys[i].min ||
		    json_integer_value(v) > keys[i].max)
			return ds_cause(cause, DS_E_IMPORTD_CONFIG,
			    _("importd.conf: \"%s\" must be a whole number "
			    "from %d to %d"), keys[i].key, keys[i].min,
			    keys[i].max);
		*field = (int)json_integer_value(v);
	}
	return DS_E_OK;
}

int
conns_raise_nofile(void)
{
	struct rlimit	rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
		return 1024;
	if (rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &rl) != 0)
			(void)getrlimit(RLIMIT_NOFILE, &rl);
	}
	if (rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur > INT32_MAX)
		return INT32_MAX;
	return (int)rl.rlim_cur;
}

/* Logs what was refused since the last notice, then waits a minute
 * before the next one. */
static void
conns_notice_cb(evutil_socket_t fd, short what, void *arg)
{
	struct conns	*c = arg;
	struct timeval	 tv = { CONNS_NOTICE_SECS, 0 };

	(void)fd;
	(void)what;
	if (c->over_peer + c->over_total + c->timed_out + c->nofile == 0)
		return;
	importd_log("connections refused or closed: %lu over the per-address "
	    "limit, %lu over the total limit, %lu TLS handshakes too slow, "
	    "%lu accept failures (last: %s); %d open", c->over_peer,
	    c->over_total, c->timed_out, c->nofile,
	    c->nofile > 0 ? strerror(c->accept_errno) : "none", c->nconns);
	c->over_peer = c->over_total = c->timed_out = c->nofile = 0;
	evtimer_add(c->notice, &tv);
}

/* Something was refused: logs now unless a notice went out within the
 * minute (then the next notice counts it). */
static void
conns_noticed(struct conns *c)
{
	if (!evtimer_pending(c->notice, NULL))
		conns_notice_cb(-1, 0, c);
}

static unsigned
conns_hash(const unsigned char *a)
{
	unsigned	h = 2166136261u;
	int		i;

	for (i = 0; i < 16; i++)
		h = (h ^ a[i]) * 16777619u;
	return h % CONNS_PEER_BUCKETS;
}

/* Counts one more connection from the address of descriptor FD. */
static struct peer *
conns_peer_get(struct conns *c, int fd)
{
	struct sockaddr_storage	 ss;
	socklen_t		 sl = sizeof ss;
	unsigned char		 a[16];
	struct peer		*p, **head;

	if (getpeername(fd, (struct sockaddr *)&ss, &sl) != 0)
		return NULL;
	memset(a, 0, sizeof a);
	if (ss.ss_family == AF_INET) {
		a[10] = a[11] = 0xff;
		memcpy(a + 12, &((struct sockaddr_in *)&ss)->sin_addr, 4);
	} else if (ss.ss_family == AF_INET6)
		memcpy(a, &((struct sockaddr_in6 *)&ss)->sin6_addr, 16);
	else
		return NULL;
	head = &c->peers[conns_hash(a)];
	for (p = *head; p != NULL; p = p->next)
		if (memcmp(p->addr, a, 16) == 0)
			break;
	if (p == NULL) {
		if ((p = calloc(1, sizeof *p)) == NULL)
			return NULL;
		memcpy(p->addr, a, 16);
		p->next = *head;
		*head = p;
	}
	p->n++;
	return p;
}

static void
conns_peer_put(struct conns *c, struct peer *p)
{
	struct peer	**pp;

	if (--p->n > 0)
		return;
	for (pp = &c->peers[conns_hash(p->addr)]; *pp != NULL;
	    pp = &(*pp)->next) {
		if (*pp == p) {
			*pp = p->next;
			free(p);
			return;
		}
	}
}

static void
conns_unlist(struct conn *k)
{
	if (k->list == 1) {
		TAILQ_REMOVE(&k->c->fresh, k, entry);
		k->c->nfresh--;
	}
	else if (k->list == 2)
		TAILQ_REMOVE(&k->c->handshaking, k, entry);
	k->list = 0;
}

/* Closes connection K: shutting the socket down makes its bufferevent
 * fail at once, and evhttp frees the connection (and K with it). */
static void
conns_drop(struct conn *k)
{
	int	fd;

	if (k->closing)
		return;
	k->closing = 1;
	k->c->nclosing++;
	conns_unlist(k);
	if ((fd = bufferevent_getfd(k->bev)) >= 0)
		shutdown(fd, SHUT_RDWR);
}

/* Closes the oldest connection that has not finished its TLS handshake;
 * returns 0 when there is none. Finished ones leave the list here. */
static int
conns_evict_oldest(struct conns *c)
{
	struct conn	*k;

	while ((k = TAILQ_FIRST(&c->handshaking)) != NULL) {
		if (!SSL_is_init_finished(k->ssl)) {
			conns_drop(k);
			return 1;
		}
		conns_unlist(k);
	}
	return 0;
}

static void
conns_pause(struct conns *c, int msecs)
{
	struct timeval	tv = { msecs / 1000, (msecs % 1000) * 1000 };

	if (!c->paused) {
		evconnlistener_disable(c->listener);
		c->paused = 1;
	}
	if (msecs > 0)
		evtimer_add(c->resume, &tv);
}

static void
conns_resume_now(struct conns *c)
{
	if (!c->paused || c->stopped)
		return;
	c->paused = 0;
	evtimer_del(c->resume);
	evconnlistener_enable(c->listener);
}

static void
conns_resume_cb(evutil_socket_t fd, short what, void *arg)
{
	struct conns	*c = arg;

	(void)fd;
	(void)what;
	if (c->nconns < c->budget)
		conns_resume_now(c);
	else
		conns_pause(c, CONNS_PAUSE_MSECS);
}

/* The handshake deadline of one connection. */
static void
conns_deadline_cb(evutil_socket_t fd, short what, void *arg)
{
	struct conn	*k = arg;

	(void)fd;
	(void)what;
	if (k->closing)
		return;
	if (SSL_is_init_finished(k->ssl)) {
		conns_unlist(k);
		return;
	}
	k->c->timed_out++;
	conns_drop(k);
	conns_noticed(k->c);
}

/* Runs after the accept callbacks: each fresh connection now has its
 * descriptor, so its peer is known and the caps apply. */
static void
conns_admit_cb(evutil_socket_t fd, short what, void *arg)
{
	struct conns	*c = arg;
	struct conn	*k;
	struct timeval	 tv = { c->lim.handshake_secs, 0 };
	int		 refused = 0, sfd;

	(void)fd;
	(void)what;
	while ((k = TAILQ_FIRST(&c->fresh)) != NULL) {
		conns_unlist(k);
		sfd = bufferevent_getfd(k->bev);
		if (sfd < 0 || (k->peer = conns_peer_get(c, sfd)) == NULL) {
			conns_drop(k);
			continue;
		}
		TAILQ_INSERT_TAIL(&c->handshaking, k, entry);
		k->list = 2;
		if ((k->deadline = evtimer_new(c->base, conns_deadline_cb,
		    k)) == NULL || evtimer_add(k->deadline, &tv) != 0) {
			conns_drop(k);
			continue;
		}
		if (k->peer->n > c->lim.max_per_peer) {
			c->over_peer++;
			refused = 1;
			conns_drop(k);
			continue;
		}
		/* Connections being closed still hold descriptors, but they
		 * go within this turn of the loop; fresh ones are not
		 * admitted yet (most of a burst may be refused above). */
		if (c->nconns - c->nclosing - c->nfresh > c->lim.max_total) {
			c->over_total++;
			refused = 1;
			if (!conns_evict_oldest(c))
				conns_drop(k);
		}
	}
	if (refused)
		conns_noticed(c);
}

/* The bufferevent callback evhttp calls for each accepted connection. */
static struct bufferevent *
conns_bev(struct event_base *base, void *arg)
{
	struct conns		*c = arg;
	struct conn		*k;
	SSL			*ssl;
	struct bufferevent	*bev;

	if ((ssl = SSL_new(c->ssl)) == NULL)
		return NULL;
	if ((k = calloc(1, sizeof *k)) == NULL) {
		SSL_free(ssl);
		return NULL;
	}
	k->c = c;
	k->ssl = ssl;
	if (SSL_set_ex_data(ssl, conns_ex_index, k) != 1) {
		free(k);
		SSL_free(ssl);
		return NULL;
	}
	/* From here on, freeing the SSL frees K. */
	c->nconns++;
	bev = bufferevent_openssl_socket_new(base, -1, ssl,
	    BUFFEREVENT_SSL_ACCEPTING, BEV_OPT_CLOSE_ON_FREE);
	if (bev == NULL) {
		SSL_free(ssl);
		return NULL;
	}
	k->bev = bev;
	TAILQ_INSERT_TAIL(&c->fresh, k, entry);
	k->list = 1;
	c->nfresh++;
	event_active(c->admit, EV_TIMEOUT, 1);
	if (c->nconns >= c->budget)
		conns_pause(c, 0);
	return bev;
}

/* The SSL object of a connection is freed with its bufferevent: the
 * connection is gone, and its descriptor closed. */
static void
conns_ex_free(void *parent, void *ptr, CRYPTO_EX_DATA *ad, int idx,
    long argl, void *argp)
{
	struct conn	*k = ptr;
	struct conns	*c;

	(void)parent;
	(void)ad;
	(void)idx;
	(void)argl;
	(void)argp;
	if (k == NULL)
		return;
	c = k->c;
	conns_unlist(k);
	if (k->deadline != NULL)
		event_free(k->deadline);
	if (k->peer != NULL)
		conns_peer_put(c, k->peer);
	if (k->closing)
		c->nclosing--;
	c->nconns--;
	free(k);
	if (!c->stopped && c->paused && c->nconns < c->budget &&
	    !evtimer_pending(c->resume, NULL))
		conns_resume_now(c);
}

/* accept() failed with something other than EAGAIN: out of descriptors
 * most likely. Stop accepting for a moment (the listening socket stays
 * readable, so going on would spin) and make room. */
static void
conns_accept_error(struct evconnlistener *lev, void *arg)
{
	struct conns	*c = conns_active;
	int		 err = EVUTIL_SOCKET_ERROR();

	(void)lev;
	(void)arg;
	if (c == NULL)
		return;
	c->nofile++;
	c->accept_errno = err;
	if (err == EMFILE || err == ENFILE)
		conns_evict_oldest(c);
	conns_pause(c, CONNS_PAUSE_MSECS);
	conns_noticed(c);
}

struct conns *
conns_new(struct event_base *base, SSL_CTX *ssl,
    const struct conns_limits *lim, int nofile)
{
	struct conns	*c;

	if (conns_ex_index < 0 && (conns_ex_index = SSL_get_ex_new_index(0,
	    NULL, NULL, NULL, conns_ex_free)) < 0)
		return NULL;
	if ((c = calloc(1, sizeof *c)) == NULL)
		return NULL;
	c->base = base;
	c->ssl = ssl;
	c->lim = *lim;
	c->budget = nofile - CONNS_RESERVE_FDS;
	if (c->budget < 8)
		c->budget = 8;
	/* The total stays below the budget, so the connections over it
	 * can be accepted and closed rather than left in the backlog. */
	if (c->lim.max_total > c->budget * 3 / 4)
		c->lim.max_total = c->budget * 3 / 4;
	if (c->lim.max_per_peer > c->lim.max_total)
		c->lim.max_per_peer = c->lim.max_total;
	TAILQ_INIT(&c->fresh);
	TAILQ_INIT(&c->handshaking);
	c->admit = event_new(base, -1, 0, conns_admit_cb, c);
	c->resume = evtimer_new(base, conns_resume_cb, c);
	c->notice = evtimer_new(base, conns_notice_cb, c);
	if (c->admit == NULL || c->resume == NULL || c->notice == NULL) {
		conns_free(c);
		return NULL;
	}
	conns_active = c;
	return c;
}

const struct conns_limits *
conns_limits(const struct conns *c)
{
	return &c->lim;
}

int
conns_listen(struct conns *c, struct evhttp *http, const char *addr,
    int port, int *bound, char **cause)
{
	struct addrinfo		 hints, *ai = NULL;
	struct sockaddr_storage	 ss;
	socklen_t		 sl = sizeof ss;
	char			 serv[16];
	int			 e;

	memset(&hints, 0, sizeof hints);
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
	snprintf(serv, sizeof serv, "%d", port);
	if ((e = getaddrinfo(addr, serv, &hints, &ai)) != 0)
		return ds_cause(cause, DS_E_IMPORTD_LISTEN, "%s:%d: %s", addr,
		    port, gai_strerror(e));
	c->listener = evconnlistener_new_bind(c->base, NULL, NULL,
	    LEV_OPT_CLOSE_ON_FREE | LEV_OPT_CLOSE_ON_EXEC |
	    LEV_OPT_REUSEABLE, 128, ai->ai_addr, (int)ai->ai_addrlen);
	e = errno;
	freeaddrinfo(ai);
	if (c->listener == NULL)
		return ds_cause(cause, DS_E_IMPORTD_LISTEN, "%s:%d: %s", addr,
		    port, strerror(e));
	/* evhttp takes over the accept callback; the error one is ours. */
	if (evhttp_bind_listener(http, c->listener) == NULL) {
		evconnlistener_free(c->listener);
		c->listener = NULL;
		return ds_cause(cause, DS_E_IMPORTD_LISTEN, "%s:%d: %s", addr,
		    port, "evhttp");
	}
	evconnlistener_set_error_cb(c->listener, conns_accept_error);
	evhttp_set_bevcb(http, conns_bev, c);
	evhttp_set_timeout(http, c->lim.idle_secs);
	*bound = port;
	if (getsockname(evconnlistener_get_fd(c->listener),
	    (struct sockaddr *)&ss, &sl) == 0)
		*bound = ntohs(ss.ss_family == AF_INET6 ?
		    ((struct sockaddr_in6 *)&ss)->sin6_port :
		    ((struct sockaddr_in *)&ss)->sin_port);
	return DS_E_OK;
}

void
conns_stop(struct conns *c)
{
	if (c == NULL)
		return;
	c->stopped = 1;
	evtimer_del(c->resume);
}

void
conns_free(struct conns *c)
{
	size_t		 i;
	struct peer	*p;

	if (c == NULL)
		return;
	/* evhttp_free() leaves the bufferevents to libevent's finalizers,
	 * which run in the loop: run it until every connection is gone, so
	 * none frees its SSL (and calls back here) after C is freed. */
	for (i = 0; c->nconns > 0 && i < 1000; i++)
		event_base_loop(c->base, EVLOOP_NONBLOCK);
	if (conns_active == c)
		conns_active = NULL;
	/* The listener belongs to evhttp's bound socket once bound;
	 * evhttp_free() has freed it. */
	if (c->admit != NULL)
		event_free(c->admit);
	if (c->resume != NULL)
		event_free(c->resume);
	if (c->notice != NULL)
		event_free(c->notice);
	for (i = 0; i < CONNS_PEER_BUCKETS; i++) {
		while ((p = c->peers[i]) != NULL) {
			c->peers[i] = p->next;
			free(p);
		}
	}
	free(c);
}
