/* SPDX-License-Identifier: MIT */
/*
 * Publish settings: the .publishsettings file the portal hands out (XML
 * with a base64 PKCS#12 management certificate, empty password) and the
 * settings diskseed keeps once one subscription of it is imported.
 *
 * Call order for an import: ds_publish_load() (or ds_publish_parse()),
 * show its subscriptions, ds_publish_find() the chosen one,
 * ds_settings_from_publish() then ds_settings_save(); free everything
 * with the *_free() functions, which take NULL and wipe secrets.
 * Later commands call ds_settings_load().
 *
 * The XML is read by libxml2 with no network access and without loading
 * or substituting external entities. Nothing here prints.
 */
#ifndef DS_SETTINGS_H
#define DS_SETTINGS_H

#include <stddef.h>
#include <time.h>

/* What a management certificate says about itself (no secrets). */
struct ds_cert_info {
	char	*subject;	/* one-line distinguished name */
	char	*thumbprint;	/* SHA-1 of the DER, uppercase hex, as the
				   portal shows it */
	time_t	 not_before;
	time_t	 not_after;
	int	 expired;	/* not_after is in the past */
};

struct ds_publish_sub {
	char	*id;		/* subscription GUID as written */
	char	*name;		/* display name */
	char	*url;		/* service management URL */
	char	*p12_b64;	/* base64 PKCS#12; secret, wiped on free */
};

struct ds_publish {
	int			 schema;	/* 1 or 2 */
	size_t			 nsubs;
	struct ds_publish_sub	*subs;
};

/* Parses publish settings from memory; *out is freed by the caller. */
int	ds_publish_parse(const char *buf, size_t len, struct ds_publish **out,
	    char **cause);

/* Reads and parses the file PATH; same ownership as ds_publish_parse. */
int	ds_publish_load(const char *path, struct ds_publish **out,
	    char **cause);

/*
 * Returns the subscription whose id matches ID without regard to case,
 * or the only one when ID is NULL and there is exactly one; borrowed
 * from P. NULL with *cause set (DS_E_NOSUB) otherwise.
 */
const struct ds_publish_sub *ds_publish_find(const struct ds_publish *p,
	    const char *id, char **cause);

/* Frees P, wiping the certificates; takes NULL. */
void	ds_publish_free(struct ds_publish *p);

/*
 * Decodes and opens SUB's certificate (empty password) and fills *info
 * (caller frees with ds_cert_info_clear). Fails with DS_E_BADCERT when it
 * cannot be read; an expired certificate is not an error here.
 */
int	ds_publish_cert_info(const struct ds_publish_sub *sub,
	    struct ds_cert_info *info, char **cause);

/* Frees the strings of INFO; takes NULL. */
void	ds_cert_info_clear(struct ds_cert_info *info);

/*
 * The settings the user chose, kept in the configuration folder
 * ($XDG_CONFIG_HOME/diskseed/settings.json, mode 0600; src/state.h).
 */
struct ds_settings {
	char		*subscription_id;
	char		*subscription_name;
	char		*url;		/* base URL of the service */
	char		*cert_pem;	/* management certificate, PEM */
	char		*key_pem;	/* its private key, PEM; secret */
	struct ds_cert_info cert;
	char		*ca_file;	/* CA bundle to verify the service;
					   NULL: the system's */
	char		*proxy;		/* proxy URL; NULL: https_proxy */
	char		*resource_group; /* default resource group */
	long		 connect_timeout; /* seconds */
	long		 total_timeout;	/* seconds, per attempt */
	int		 retries;	/* attempts after the first */
};

/* Default resource group when the user names none. */
#define DS_DEFAULT_RESOURCE_GROUP "diskseed"

/*
 * Makes settings from the chosen subscription: decodes the PKCS#12 into
 * PEM certificate and key, checks the expiry (DS_E_CERTEXPIRED when
 * past). *out is freed with ds_settings_free.
 */
int	ds_settings_from_publish(const struct ds_publish_sub *sub,
	    struct ds_settings **out, char **cause);

/* Writes S to the configuration folder (mode 0600, atomically). */
int	ds_settings_save(const struct ds_settings *s, char **cause);

/*
 * Loads the saved settings; DS_E_NOSETTINGS when none were imported,
 * DS_E_INSECURE when the file is readable by others.
 */
int	ds_settings_load(struct ds_settings **out, char **cause);

/*
 * Moves settings.json from the state folder (before 0.2.0) to the
 * configuration folder, once. After a move *note is an allocated
 * sentence for the user saying so (the caller prints and frees it);
 * else NULL. Call it once, before any other settings call.
 */
int	ds_settings_migrate(char **note, char **cause);

/*
 * Changes one setting by name ("ca-file", "proxy", "resource-group",
 * "connect-timeout", "timeout", "retries"); VALUE "" resets it.
 */
int	ds_settings_set(struct ds_settings *s, const char *key,
	    const char *value, char **cause);

/* Frees S, wiping the private key; takes NULL. */
void	ds_settings_free(struct ds_settings *s);

#endif
