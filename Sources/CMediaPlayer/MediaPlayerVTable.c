#include "MediaPlayerVTable.h"

#include <systemd/sd-bus.h>

static int forward_call(sd_bus_message *message, void *userdata, sd_bus_error *error) {
    (void)error;
    const psoas_media_player_handlers *handlers = userdata;
    int result = handlers->call(handlers->context, sd_bus_message_get_interface(message),
                                sd_bus_message_get_member(message));
    if (result < 0) return result;
    return sd_bus_reply_method_return(message, NULL);
}

static int forward_get(sd_bus *bus, const char *path, const char *interface, const char *property,
                       sd_bus_message *reply, void *userdata, sd_bus_error *error) {
    (void)bus; (void)path; (void)error;
    const psoas_media_player_handlers *handlers = userdata;
    return handlers->get(handlers->context, interface, property, reply);
}

static int forward_set(sd_bus *bus, const char *path, const char *interface, const char *property,
                       sd_bus_message *value, void *userdata, sd_bus_error *error) {
    (void)bus; (void)path; (void)error;
    const psoas_media_player_handlers *handlers = userdata;
    return handlers->set(handlers->context, interface, property, value);
}

#define CONSTANT(name, signature) \
    SD_BUS_PROPERTY(name, signature, forward_get, 0, SD_BUS_VTABLE_PROPERTY_CONST)
#define CHANGING(name, signature) \
    SD_BUS_PROPERTY(name, signature, forward_get, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE)

#define ROOT_MEMBERS \
    SD_BUS_METHOD("Raise", "", "", forward_call, SD_BUS_VTABLE_UNPRIVILEGED), \
    SD_BUS_METHOD("Quit", "", "", forward_call, SD_BUS_VTABLE_UNPRIVILEGED), \
    CONSTANT("CanQuit", "b"), \
    CONSTANT("CanRaise", "b"), \
    CONSTANT("HasTrackList", "b"), \
    CONSTANT("Identity", "s"), \
    CONSTANT("SupportedUriSchemes", "as"), \
    CONSTANT("SupportedMimeTypes", "as")

static const sd_bus_vtable root_vtable[] = {
    SD_BUS_VTABLE_START(0),
    ROOT_MEMBERS,
    SD_BUS_VTABLE_END
};

static const sd_bus_vtable root_vtable_with_desktop_entry[] = {
    SD_BUS_VTABLE_START(0),
    ROOT_MEMBERS,
    CONSTANT("DesktopEntry", "s"),
    SD_BUS_VTABLE_END
};

static const sd_bus_vtable player_vtable[] = {
    SD_BUS_VTABLE_START(0),
    SD_BUS_METHOD("Next", "", "", forward_call, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD("Previous", "", "", forward_call, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD("Pause", "", "", forward_call, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD("PlayPause", "", "", forward_call, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD("Stop", "", "", forward_call, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD("Play", "", "", forward_call, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD("Seek", "x", "", forward_call, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD("SetPosition", "ox", "", forward_call, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD("OpenUri", "s", "", forward_call, SD_BUS_VTABLE_UNPRIVILEGED),
    CHANGING("PlaybackStatus", "s"),
    CONSTANT("Rate", "d"),
    CHANGING("Metadata", "a{sv}"),
    SD_BUS_WRITABLE_PROPERTY("Volume", "d", forward_get, forward_set, 0,
                             SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE | SD_BUS_VTABLE_UNPRIVILEGED),
    /* Not announced when it changes (the MPRIS specification): clients ask for it. */
    SD_BUS_PROPERTY("Position", "x", forward_get, 0, 0),
    CONSTANT("MinimumRate", "d"),
    CONSTANT("MaximumRate", "d"),
    CONSTANT("CanGoNext", "b"),
    CONSTANT("CanGoPrevious", "b"),
    CONSTANT("CanPlay", "b"),
    CONSTANT("CanPause", "b"),
    CONSTANT("CanSeek", "b"),
    CONSTANT("CanControl", "b"),
    SD_BUS_SIGNAL("Seeked", "x", 0),
    SD_BUS_VTABLE_END
};

int psoas_media_player_export(struct sd_bus *bus, const char *path, const psoas_media_player_handlers *handlers,
                              int has_desktop_entry, struct sd_bus_slot **root_slot, struct sd_bus_slot **player_slot) {
    void *userdata = (void *)handlers;
    int result = sd_bus_add_object_vtable(bus, root_slot, path, "org.mpris.MediaPlayer2",
                                          has_desktop_entry ? root_vtable_with_desktop_entry : root_vtable, userdata);
    if (result < 0) return result;
    result = sd_bus_add_object_vtable(bus, player_slot, path, "org.mpris.MediaPlayer2.Player", player_vtable, userdata);
    if (result < 0) {
        *root_slot = sd_bus_slot_unref(*root_slot);
        return result;
    }
    return 0;
}
