/* SPDX-License-Identifier: MIT */
/* Readiness for systemd (importd/notify.h); nothing without libsystemd. */
#include "config.h"

#ifdef HAVE_LIBSYSTEMD
#include <systemd/sd-daemon.h>
#endif

#include "notify.h"

void
notify_ready(int port)
{
#ifdef HAVE_LIBSYSTEMD
	/* Errors are ignored: a service manager that does not listen is
	 * not a reason to stop serving. */
	(void)sd_notifyf(0, "READY=1\nSTATUS=listening on port %d", port);
#else
	(void)port;
#endif
}

void
notify_stopping(void)
{
#ifdef HAVE_LIBSYSTEMD
	(void)sd_notify(0, "STOPPING=1");
#endif
}
