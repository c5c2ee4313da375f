/* SPDX-License-Identifier: MIT */
/*
 * Readiness and shutdown for the service manager (systemd Type=notify,
 * through $NOTIFY_SOCKET). Built without libsystemd, or run outside a
 * notify unit, every call does nothing: serve never depends on them.
 * Call notify_ready() once serve listens, notify_stopping() when it
 * begins to stop.
 */
#ifndef IMPORTD_NOTIFY_H
#define IMPORTD_NOTIFY_H

void	notify_ready(int port);
void	notify_stopping(void);

#endif
