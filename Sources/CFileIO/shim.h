/* sync_file_range is declared by <fcntl.h> only under _GNU_SOURCE; declare it here. */
#include <stdint.h>

extern int sync_file_range(int fd, int64_t offset, int64_t nbytes, unsigned int flags);

/* Starts writing back a file's dirty pages without waiting (SYNC_FILE_RANGE_WRITE). */
static inline int psoas_start_writeback(int fd) {
    return sync_file_range(fd, 0, 0, 2);
}

/* accept4 is declared by <sys/socket.h> only under _GNU_SOURCE. */
#include <sys/socket.h>

extern int accept4(int fd, struct sockaddr *address, socklen_t *length, int flags);

/* O_TMPFILE is declared by <fcntl.h> only under _GNU_SOURCE; __O_TMPFILE always is. */
#include <fcntl.h>

/* Opens an unnamed regular file in `folder` (O_TMPFILE), to be linked in when complete;
   -1 with errno when the filesystem does not support it. */
static inline int psoas_open_unnamed(const char *folder, unsigned int mode) {
    return open(folder, __O_TMPFILE | O_RDWR | O_CLOEXEC, mode);
}

/* eventfd is not in the Glibc module; a non-blocking, close-on-exec one (0 when made). */
#include <sys/eventfd.h>

static inline int psoas_wake_descriptor(void) {
    return eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
}

/* mkostemp is declared by <stdlib.h> only under _GNU_SOURCE; declare it here. */
extern int mkostemp(char *template, int flags);
