/*
 * cgroup.c - cgroup v2 facts of the host (see cgroup.h).
 */
#include "util/cgroup.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#define BX_CGROUP2_SUPER_MAGIC 0x63677270

/* Scan /proc/self/mounts for the first cgroup2 mount. */
int bx_cgroup_mount(char *buf, size_t n)
{
	char line[4096], dev[256], dir[4096], type[64];
	FILE *f = fopen("/proc/self/mounts", "re");
	int err = -ENOENT;

	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%255s %4095s %63s", dev, dir, type) == 3 &&
		    strcmp(type, "cgroup2") == 0) {
			if (strlen(dir) + 1 > n) {
				err = -ENAMETOOLONG;
				break;
			}
			strcpy(buf, dir);
			err = 0;
			break;
		}
	}
	fclose(f);
	return err;
}

/* Read the "0::" line of /proc/PID/cgroup. */
int bx_cgroup_path_of_pid(int pid, char *buf, size_t n)
{
	char fn[64], line[BX_CGROUP_PATH_MAX + 8];
	FILE *f;
	int err = -ENOENT;

	if (pid > 0)
		snprintf(fn, sizeof(fn), "/proc/%d/cgroup", pid);
	else
		snprintf(fn, sizeof(fn), "/proc/self/cgroup");
	f = fopen(fn, "re");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		size_t len;

		if (strncmp(line, "0::", 3) != 0)
			continue;
		len = strcspn(line + 3, "\n");
		if (len + 1 > n) {
			err = -ENAMETOOLONG;
			break;
		}
		memcpy(buf, line + 3, len);
		buf[len] = 0;
		err = 0;
		break;
	}
	fclose(f);
	return err;
}

/* stat() the cgroup directory under the mount. */
int bx_cgroup_id_of_path(const char *path, uint64_t *id)
{
	char mnt[BX_CGROUP_PATH_MAX], full[2 * BX_CGROUP_PATH_MAX + 2];
	struct stat st;
	int err = bx_cgroup_mount(mnt, sizeof(mnt));

	if (err)
		return err;
	snprintf(full, sizeof(full), "%s%s", mnt, path);
	if (stat(full, &st))
		return -errno;
	*id = st.st_ino;
	return 0;
}

/* fstatfs + fstat the fd; its path from /proc/self/fd minus the mount. */
int bx_cgroup_of_fd(int fd, uint64_t *id, char *path, size_t n)
{
	char mnt[BX_CGROUP_PATH_MAX], link[64], full[BX_CGROUP_PATH_MAX];
	struct statfs sf;
	struct stat st;
	size_t ml;
	ssize_t len;

	if (fd < 0 || fstatfs(fd, &sf) || sf.f_type != BX_CGROUP2_SUPER_MAGIC ||
	    fstat(fd, &st) || !S_ISDIR(st.st_mode))
		return -EBADF;
	if (bx_cgroup_mount(mnt, sizeof(mnt)))
		return -EBADF;
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	len = readlink(link, full, sizeof(full) - 1);
	if (len < 0)
		return -EBADF;
	full[len] = 0;
	ml = strlen(mnt);
	if (strncmp(full, mnt, ml) != 0 || (full[ml] && full[ml] != '/'))
		return -EBADF;
	snprintf(path, n, "%s", full[ml] ? full + ml : "/");
	*id = st.st_ino;
	return 0;
}

/* Path prefix at a '/' boundary ("/" is everyone's ancestor). */
int bx_cgroup_is_descendant(const char *child, const char *anc)
{
	size_t al = strlen(anc);

	while (al > 1 && anc[al - 1] == '/')
		al--;
	if (al == 1 && anc[0] == '/')
		return 1;
	return strncmp(child, anc, al) == 0 && (child[al] == 0 || child[al] == '/');
}
