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
