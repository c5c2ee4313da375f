/* SPDX-License-Identifier: MIT */
/*
 * diskseed-importd: the modules of the import service and how they meet.
 *
 *   main.c         command dispatch (init, subscription, serve, job, drive)
 *   admin.c        the administration commands
 *   config.c       importd.conf (JSON): listen address, locations,
 *                  storage accounts
 *   tls.c          keys and certificates (CA, server, management), PKCS#12
 *   db.c, db.h     SQLite state
 *   server.c       HTTPS (libevent evhttp + bufferevent_openssl), mutual
 *                  TLS authentication, routing, errors, fault injection
 *                  (test hooks only)
 *   conns.c        the connection guard: listener, per-address and total
 *                  caps, TLS handshake deadline, pause when out of fds
 *   logesc.c       escaping of client bytes in log lines
 *   routes-*.c     one file per resource: jobs, locations, operations
 *   validate.c     the naming and body rules of NOTES.md
 *
 * Files of a service directory: ca.pem, ca.key, server.pem, server.key,
 * importd.conf, importd.db, port (written by serve), publishsettings/.
 */
#ifndef IMPORTD_H
#define IMPORTD_H

#include <sys/stat.h>

#include <stdarg.h>

#include <jansson.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "i18n.h"

#define IMPORTD_API_VERSION	"2021-01-01"
#define IMPORTD_DEFAULT_PORT	8443
#define IMPORTD_MAX_DRIVES	10

struct db;
struct evkeyvalq;
struct evhttp_request;

/* config.c */
struct config {
	char	*dir;
	char	*listen;	/* "ADDR:PORT" */
	json_t	*root;		/* the whole file */
	json_t	*locations;	/* borrowed from root: Location objects */
	json_t	*accounts;	/* borrowed from root: {name, blobEndpoint,
				   subscriptions} */
	struct stat st;		/* importd.conf when read (config_refresh) */
};
/* Reads DIR/importd.conf; caller frees *out with config_free(). */
int	 config_load(const char *dir, struct config **out, char **cause);
void	 config_free(struct config *cf);
/* Writes a fresh DIR/importd.conf (0600) listening on LISTEN. */
int	 config_write_default(const char *dir, const char *listen,
	    char **cause);
/* The Location whose name or short id is NAME (any case); borrowed. */
json_t	*config_location(struct config *cf, const char *name);
/* The storage account named NAME; borrowed, NULL when unknown. */
json_t	*config_account(struct config *cf, const char *name);
/*
 * The storage account named NAME when subscription SUB (a GUID, any case)
 * is in its "subscriptions"; borrowed. NULL when unknown or another
 * tenant's: the caller cannot tell which, and neither can a client.
 */
json_t	*config_account_for(struct config *cf, const char *name,
	    const char *sub);
/*
 * Reads importd.conf again when it changed since CF was read (another
 * inode, size or time): its locations and accounts replace CF's, so
 * what CF lent before is freed. The listen address stays. On a bad file
 * CF is kept as it was and the error returned.
 */
int	 config_refresh(struct config *cf, char **cause);
/*
 * Adds (GRANT 1) or removes (0) subscription SUB in the "subscriptions"
 * of storage account ACCOUNT in DIR/importd.conf, rewriting the file
 * (0600) by rename so a reader never sees half of it. DS_E_NOTFOUND
 * when the file has no such account.
 */
int	 config_grant(const char *dir, const char *account, const char *sub,
	    int grant, char **cause);
/* Splits "ADDR:PORT"; *addr is allocated. */
int	 config_split_listen(const char *s, char **addr, int *port,
	    char **cause);
/* Returns an allocated "DIR/NAME". */
char	*config_path(const char *dir, const char *name);

/* tls.c */
enum tls_kind { TLS_CA, TLS_SERVER, TLS_CLIENT };
int	 tls_new_key(EVP_PKEY **out, char **cause);
/* Makes a certificate for KEY valid from now-1h for DAYS days (may be
 * negative for tests), signed by ISSUER (self-signed when NULL). */
int	 tls_new_cert(X509 **out, EVP_PKEY *key, const char *cn,
	    X509 *issuer, EVP_PKEY *issuer_key, long days, enum tls_kind kind,
	    char **cause);
int	 tls_save_key(const char *path, EVP_PKEY *key, char **cause);
int	 tls_save_cert(const char *path, X509 *cert, int mode, char **cause);
int	 tls_load_key(const char *path, EVP_PKEY **out, char **cause);
int	 tls_load_cert(const char *path, X509 **out, char **cause);
/* Writes the hex SHA-256 of CERT's DER form (65 bytes with the NUL). */
void	 tls_fingerprint(X509 *cert, char out[65]);
/* Sets *out (allocated; caller wipes and frees) to the base64 PKCS#12 of
 * CERT and KEY with an empty password. */
int	 tls_p12_base64(X509 *cert, EVP_PKEY *key, const char *name,
	    char **out, char **cause);
/* The server's context: DIR/server.pem, DIR/server.key, client
 * certificates requested (verified later, per request). */
int	 tls_server_ctx(const char *dir, SSL_CTX **out, char **cause);
/* Whether CERT is signed by the CA of DIR and within its validity:
 * X509_V_OK or the X509_V_ERR_* code. */
int	 tls_verify_client(X509_STORE *store, X509 *cert);
int	 tls_ca_store(const char *dir, X509_STORE **out, char **cause);

/* admin.c: the commands; return exit codes. */
/* The exit codes of diskseed-importd, in diskseed-importd(8). */
#define EXIT_OK		0
#define EXIT_ERROR	1
#define EXIT_USAGE	2
#define EXIT_PARTIAL	3

/*
 * Runs the command ARGV[0] (its verb in ARGV[1]) from the table in
 * admin.c; returns the exit code.
 */
int	 admin_main(int argc, char **argv);

/* Lists the commands and their summaries, for --help. */
void	 admin_commands(FILE *f);

/* A usage error: the message (FMT may be NULL), then "Try
 * 'diskseed-importd CMD --help'..."; returns EXIT_USAGE. */
int	 admin_usage_error(const char *cmd, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));

/* ingest.c: the receiving side; return exit codes. */
int	 ingest_receive(int argc, char **argv);
int	 ingest_never_received(int argc, char **argv);

/* main.c */
void	 importd_err(const char *fmt, ...)
	    __attribute__((format(printf, 1, 2)));
void	 importd_err_code(int code, char *cause);
void	 importd_log(const char *fmt, ...)
	    __attribute__((format(printf, 1, 2)));
/* Returns an allocated copy of S (NULL reads "-") fit for one log line:
 * every byte outside printable ASCII, and the backslash and the double
 * quote, written as \xNN, so a client cannot forge or break log lines.
 * Caller frees; NULL when out of memory. */
char	*importd_log_escape(const char *s);

/* conns.c: the connection guard of serve. Call order: conns_raise_nofile,
 * conns_limits_load, conns_new, conns_listen (binds evhttp to the
 * listener and makes every connection TLS), the loop, then conns_stop,
 * evhttp_free, conns_free. */
struct conns;
struct evhttp;
struct event_base;
struct conns_limits {
	int	max_total;	/* connections at once */
	int	max_per_peer;	/* from one address */
	int	handshake_secs;	/* to finish the TLS handshake */
	int	idle_secs;	/* idle keep-alive, and evhttp's timeout */
};
/* Reads the limits from importd.conf (defaults for absent keys). */
int	 conns_limits_load(struct config *cf, struct conns_limits *lim,
	    char **cause);
/* Raises the soft RLIMIT_NOFILE to the hard one; returns the soft. */
int	 conns_raise_nofile(void);
/* A guard for NOFILE descriptors; SSL is borrowed. NULL: no memory. */
struct conns *conns_new(struct event_base *base, SSL_CTX *ssl,
	    const struct conns_limits *lim, int nofile);
/* The limits in force (lowered to fit the descriptors); borrowed. */
const struct conns_limits *conns_limits(const struct conns *c);
/* Listens on ADDR:PORT for HTTP; *bound is the port (PORT 0 picks). */
int	 conns_listen(struct conns *c, struct evhttp *http, const char *addr,
	    int port, int *bound, char **cause);
/* Before evhttp_free(): the listener goes with it. */
void	 conns_stop(struct conns *c);
/* After evhttp_free(), before event_base_free(): runs the loop until the
 * connections evhttp left to libevent's finalizers are freed. */
void	 conns_free(struct conns *c);

/* server.c */
struct server;
struct req;
/* Runs the service until SIGTERM/SIGINT. LISTEN overrides the config. */
int	 server_run(const char *dir, const char *listen, char **cause);
/* Replies STATUS with BODY (stolen; NULL for no body). */
void	 server_reply(struct req *r, int status, json_t *body);
/* Replies STATUS with an ErrorResponse. */
void	 server_error(struct req *r, int status, const char *code,
	    const char *target, const char *fmt, ...)
	    __attribute__((format(printf, 5, 6)));

/* What a route handler sees of a request. */
struct req {
	struct evhttp_request	*ev;
	struct server		*srv;
	struct config		*cf;
	struct db		*db;
	int			 method;	/* EVHTTP_REQ_* */
	const char		*sub;		/* path parts or NULL */
	const char		*rg;
	const char		*job;
	const char		*location;
	const char		*action;	/* "listBitLockerKeys" */
	char			*caller;	/* subscription name */
	const char		*base;		/* "https://host:port" */
	struct evkeyvalq	*query;
	json_t			*body;		/* parsed JSON or NULL */
};
/* Parses the request body as a JSON object into r->body; on failure it
 * has answered 400 and returns -1. */
int	 server_body(struct req *r);

/* routes-*.c */
void	 routes_locations(struct req *r);
void	 routes_operations(struct req *r);
void	 routes_jobs(struct req *r);
void	 routes_job_list(struct req *r);

/* validate.c: 1 when valid. */
int	 valid_guid(const char *s);
int	 valid_job_name(const char *s);
int	 valid_rg_name(const char *s);
int	 valid_account_name(const char *s);
int	 valid_container_name(const char *s);
/* The same, in any case: what receive makes of a "container" tag. */
int	 valid_container_name_any_case(const char *s);
/* Frees (and wipes) what jansson allocated, e.g. json_dumps()'s string;
 * takes NULL. */
void	 importd_json_free(void *p);
/* The current UTC time as "YYYY-MM-DDTHH:MM:SS.0000000Z" in BUF. */
const char *importd_now(char *buf, size_t len);

/* Job states and drive states, in the order operators move them. */
extern const char *const job_states[];
extern const char *const drive_states[];
int	 state_index(const char *const *states, const char *s);

/* The job document without its secrets (BitLocker keys): new
 * reference. */
json_t	*jobs_render(json_t *doc);

#endif
