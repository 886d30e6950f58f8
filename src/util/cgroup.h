/*
 * cgroup.h - cgroup v2 facts of the host: where cgroup2 is mounted, a
 * process's cgroup path (/proc/PID/cgroup "0::/path"), a cgroup's id (the
 * inode number of its directory, as the kernel's cgroup_id() on v2) and
 * the cgroup behind a file descriptor.
 */
#ifndef BX_UTIL_CGROUP_H
#define BX_UTIL_CGROUP_H

#include <stddef.h>
#include <stdint.h>

#define BX_CGROUP_PATH_MAX 4096

/* The cgroup2 mount point into buf: 0, or -ENOENT if none is mounted. */
int bx_cgroup_mount(char *buf, size_t n);
/* The cgroup v2 path of process `pid` (0: this process), "/" for the root:
 * 0, or a negative errno (-ENOENT: no v2 entry). */
int bx_cgroup_path_of_pid(int pid, char *buf, size_t n);
/* The id of the v2 cgroup at `path` (relative to the mount): 0 and *id,
 * or a negative errno. */
int bx_cgroup_id_of_path(const char *path, uint64_t *id);
/* The cgroup v2 directory open as `fd`: its id and path relative to the
 * mount. -EBADF if fd is no cgroup2 directory (the kernel's
 * cgroup_get_from_fd()). */
int bx_cgroup_of_fd(int fd, uint64_t *id, char *path, size_t n);
/* Is cgroup path `child` `anc` or below it (cgroup_is_descendant())? */
int bx_cgroup_is_descendant(const char *child, const char *anc);

#endif /* BX_UTIL_CGROUP_H */
