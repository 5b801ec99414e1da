#include <sndfile.h>

/* SF_CUES holds at most 100 cue points; SF_CUES_VAR is a macro Swift cannot import. */
typedef SF_CUES_VAR(1000) psoas_sf_cues;
