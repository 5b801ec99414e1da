/* pipe2 and posix_spawn_file_actions_addclosefrom_np are declared only under _GNU_SOURCE
   (glibc 2.34+ for the latter); declare them here for the tests' child processes. */
#include <spawn.h>

extern int pipe2(int fds[2], int flags);
extern int posix_spawn_file_actions_addclosefrom_np(posix_spawn_file_actions_t *actions, int from);
