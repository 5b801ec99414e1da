#ifndef PSOAS_MEDIA_PLAYER_VTABLE_H
#define PSOAS_MEDIA_PLAYER_VTABLE_H

/* The shape of an MPRIS object (org.mpris.MediaPlayer2 and org.mpris.MediaPlayer2.Player):
   its methods, properties and signal, as sd-bus vtables. sd-bus builds vtables with C macros
   that do not import into Swift, so they are written here; every call is forwarded to the
   three functions of `psoas_media_player_handlers`. sd-bus checks each call's arguments
   against the signatures below before forwarding it (a wrong one gets InvalidArgs), and
   answers unknown methods and properties itself. */

#include <stdint.h>

struct sd_bus;
struct sd_bus_message;
struct sd_bus_slot;

typedef struct psoas_media_player_handlers {
    /* Handed back to each function. */
    void *context;
    /* A method was called. Returns 0 for an empty reply, or a negative errno for an error reply. */
    int (*call)(void *context, const char *interface, const char *member);
    /* Appends the value of `property` (of its signature below) to `reply`. Returns 0 or a negative errno. */
    int (*get)(void *context, const char *interface, const char *property, struct sd_bus_message *reply);
    /* Reads a new value of the writable `property` (Volume, a double) from `value`. Returns 0 or a negative errno. */
    int (*set)(void *context, const char *interface, const char *property, struct sd_bus_message *value);
} psoas_media_player_handlers;

/* Exports the object at `path` on `bus`, with `DesktopEntry` when `has_desktop_entry` is not 0.
   `handlers` must stay valid until both slots are released (sd_bus_slot_unref).
   Returns 0, or a negative errno. */
int psoas_media_player_export(struct sd_bus *bus, const char *path, const psoas_media_player_handlers *handlers,
                              int has_desktop_entry, struct sd_bus_slot **root_slot, struct sd_bus_slot **player_slot);

#endif
