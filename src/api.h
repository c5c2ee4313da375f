/* SPDX-License-Identifier: MIT */
/*
 * The import-job client: the Microsoft.ImportExport operations
 * (api-version 2021-01-01) and their models, as the wizard and the
 * subcommands use them. Nothing here prints.
 *
 * Call order: ds_api_open() (loads the saved settings), then any of the
 * operations, then ds_api_close(). Every struct an operation returns is
 * allocated and freed by its *_free() function, which takes NULL.
 * A failed answer from the service gives DS_E_SERVICE (or DS_E_AUTH for
 * 401/403, DS_E_NOTFOUND for 404, DS_E_BADANSWER for an answer that is
 * not the expected JSON) with *cause built from the ErrorResponse.
 */
#ifndef DS_API_H
#define DS_API_H

#include <stddef.h>
#include <stdint.h>

#define DS_API_VERSION	"2021-01-01"

struct ds_api;
struct ds_settings;
struct ds_prepared;

/* Addresses: a return address (ReturnAddress) or where to ship to. */
struct ds_address {
	char	*recipient_name;
	char	*street1;
	char	*street2;
	char	*city;
	char	*state;		/* stateOrProvince */
	char	*postal_code;
	char	*country;	/* countryOrRegion */
	char	*phone;
	char	*email;		/* return addresses only */
	char	*additional;	/* shipping addresses only */
};

/* A datacenter drives can be shipped to (Location). */
struct ds_location {
	char		*id;
	char		*name;
	struct ds_address address;
	char		**carriers;	/* supportedCarriers */
	size_t		 ncarriers;
	char		**alternates;	/* alternateLocations */
	size_t		 nalternates;
};

/* The package the drives travel in (DeliveryPackageInformation). */
struct ds_package {
	char	*carrier;
	char	*tracking;
	long	 drive_count;	/* 0: not given */
	char	*ship_date;	/* as given; NULL: not given */
};

/* One drive of a job (DriveStatus); keys are never kept here. */
struct ds_drive_status {
	char		*drive_id;
	char		*manifest_file;
	char		*manifest_hash;
	char		*header_hash;
	char		*state;
	char		*copy_status;
	long long	 percent;	/* -1: not reported */
	long long	 bytes;		/* bytesSucceeded; -1: not reported */
	char		*verbose_log;
	char		*error_log;
	char		*manifest_uri;
};

/* A job as the service reports it (JobResponse). */
struct ds_job {
	char		*id;
	char		*name;
	char		*resource_group;	/* from id */
	char		*location;
	char		*storage_account_id;
	char		*job_type;
	char		*state;
	char		*provisioning_state;
	char		*diagnostics_path;
	char		*log_level;
	int		 cancel_requested;
	long long	 percent;		/* -1: not reported */
	char		*created_at;		/* systemData */
	char		*last_modified;		/* systemData */
	struct ds_address *return_address;	/* NULL: not set */
	struct ds_address *ship_to;		/* shippingInformation */
	char		*return_carrier;	/* returnShipping */
	char		*return_account;
	struct ds_package *delivery;		/* NULL: not set */
	struct ds_package *return_package;	/* NULL: not set */
	char		*container;		/* tag "container" */
	size_t		 ndrives;
	struct ds_drive_status *drives;
};

/* What a new import job is made of. */
struct ds_job_spec {
	const char	*name;
	const char	*resource_group;	/* NULL: the settings' */
	const char	*location;
	const char	*storage_account;	/* account name */
	const char	*container;		/* NULL: none (sent as tag) */
	const struct ds_address *return_address; /* may be NULL */
	const char	*return_carrier;	/* may be NULL */
	const char	*return_account;
	const char	*log_level;		/* NULL: "Verbose" */
	const struct ds_prepared *prepared;	/* the driveList */
};

/* Opens a client with the saved settings; *out freed by ds_api_close. */
int	ds_api_open(struct ds_api **out, char **cause);

/* Opens a client with S, which stays owned by the caller. */
int	ds_api_open_with(const struct ds_settings *s, struct ds_api **out,
	    char **cause);

/* The settings the client uses; borrowed. */
const struct ds_settings *ds_api_settings(const struct ds_api *api);

/* Closes API; takes NULL. */
void	ds_api_close(struct ds_api *api);

/* Locations_List: *locs is an array of *n, freed by ds_locations_free. */
int	ds_api_locations(struct ds_api *api, struct ds_location **locs,
	    size_t *n, char **cause);

/* Locations_Get by name or id; freed by ds_location_free. */
int	ds_api_location_get(struct ds_api *api, const char *name,
	    struct ds_location **out, char **cause);

void	ds_location_free(struct ds_location *l);
void	ds_locations_free(struct ds_location *locs, size_t n);

/*
 * Jobs_Create from SPEC: checks every name and the drive list first
 * (1 to 10 drives, each complete), then PUTs the job. *out is the job
 * the service answered with; free with ds_job_free.
 */
int	ds_api_job_create(struct ds_api *api, const struct ds_job_spec *spec,
	    struct ds_job **out, char **cause);

/* Jobs_Get; RG NULL means the settings' resource group. */
int	ds_api_job_get(struct ds_api *api, const char *rg, const char *name,
	    struct ds_job **out, char **cause);

/*
 * Jobs_ListBySubscription, following nextLink; *jobs is an array of *n
 * allocated jobs, freed by ds_jobs_free.
 */
int	ds_api_job_list(struct ds_api *api, struct ds_job ***jobs, size_t *n,
	    char **cause);

/*
 * Jobs_Update with the shipping details: sets returnAddress (when RA is
 * not NULL), deliveryPackage and state Shipping in one PATCH.
 */
int	ds_api_job_ship(struct ds_api *api, const char *rg, const char *name,
	    const struct ds_address *ra, const struct ds_package *pkg,
	    struct ds_job **out, char **cause);

/* Jobs_Update with cancelRequested true. */
int	ds_api_job_cancel(struct ds_api *api, const char *rg,
	    const char *name, struct ds_job **out, char **cause);

/* Jobs_Delete. */
int	ds_api_job_delete(struct ds_api *api, const char *rg,
	    const char *name, char **cause);

void	ds_job_free(struct ds_job *j);
void	ds_jobs_free(struct ds_job **jobs, size_t n);

/*
 * Reads a return address from a JSON file shaped as ReturnAddress and
 * checks its required fields; freed by ds_address_free.
 */
int	ds_address_load(const char *path, struct ds_address **out,
	    char **cause);

/* Checks the fields ReturnAddress requires; DS_E_INVAL names the first
 * missing one. */
int	ds_address_check(const struct ds_address *a, char **cause);

void	ds_address_free(struct ds_address *a);

/* The days a job waits for the drives after the shipping details. */
#define DS_SHIP_DEADLINE_DAYS	14

#endif
