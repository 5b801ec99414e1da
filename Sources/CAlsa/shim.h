#include <alsa/asoundlib.h>

/* ALSA prints its own errors to stderr through a variadic handler; Swift cannot define a
   variadic C function, so the silent one lives here. psoas reports errors itself. */
static void psoas_alsa_quiet_handler(const char *file, int line, const char *function, int err,
                                     const char *fmt, ...) {
    (void)file; (void)line; (void)function; (void)err; (void)fmt;
}

static inline void psoas_alsa_silence_errors(void) {
    snd_lib_error_set_handler(psoas_alsa_quiet_handler);
}
