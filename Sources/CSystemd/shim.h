/* sd-bus, systemd's D-Bus library (libsystemd-dev). Only MediaBus imports it. */
#include <systemd/sd-bus.h>
