// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "outfile.h"

int outdir_prepare(const char *dir)
{
	struct stat st;

	if (mkdir(dir, 0755) && errno != EEXIST)
		return -errno;
	/* lstat: a symlink where a folder should be is refused. */
	if (lstat(dir, &st))
		return -errno;
	if (!S_ISDIR(st.st_mode))
		return -ENOTDIR;
	return 0;
}

int outfile_open(struct outfile *o, const char *dir, const char *name)
{
	int fd;

	memset(o, 0, sizeof(*o));
	if (snprintf(o->path, sizeof(o->path), "%s/%s", dir, name) >=
		    (int)sizeof(o->path) ||
	    snprintf(o->tmp, sizeof(o->tmp), "%s/.%s.XXXXXX", dir, name) >=
		    (int)sizeof(o->tmp))
		return -ENAMETOOLONG;
	fd = mkstemp(o->tmp);
	if (fd < 0) {
		o->tmp[0] = '\0';
		return -errno;
	}
	fchmod(fd, 0644);
	o->f = fdopen(fd, "w");
	if (!o->f) {
		int err = -errno;

		close(fd);
		outfile_abort(o);
		return err;
	}
	return 0;
}

/* Flush, sync and close: the temp file is complete on disk. */
static int finish(struct outfile *o)
{
	int err = 0;

	if (!o->f)
		return -EBADF;
	if (fflush(o->f) || ferror(o->f) || fsync(fileno(o->f)))
		err = errno ? -errno : -EIO;
	if (fclose(o->f) && !err)
		err = -errno;
	o->f = NULL;
	return err;
}

int outfile_commit(struct outfile *o)
{
	if (!o->f)
		return -EBADF;
	return outfile_commit_all(&o, 1);
}

int outfile_commit_all(struct outfile *const *o, size_t n)
{
	uint64_t renamed = 0; /* bit i: o[i] is in place */
	size_t i;
	int err = 0;

	if (n > 64)
		return -E2BIG;
	for (i = 0; i < n && !err; i++)
		if (o[i] && o[i]->f)
			err = finish(o[i]);
	for (i = 0; i < n && !err; i++) {
		if (!o[i] || !o[i]->tmp[0])
			continue;
		if (rename(o[i]->tmp, o[i]->path))
			err = -errno;
		else
			renamed |= 1ull << i;
	}
	if (!err) {
		for (i = 0; i < n; i++)
			if (o[i])
				o[i]->tmp[0] = '\0';
		return 0;
	}
	/* None of the set stays: a file failed after others were in place. */
	for (i = 0; i < n; i++) {
		if (renamed & (1ull << i)) {
			unlink(o[i]->path);
			o[i]->tmp[0] = '\0';
		}
		if (o[i])
			outfile_abort(o[i]);
	}
	return err;
}

void outfile_abort(struct outfile *o)
{
	if (o->f) {
		fclose(o->f);
		o->f = NULL;
	}
	if (o->tmp[0]) {
		unlink(o->tmp);
		o->tmp[0] = '\0';
	}
}

void csv_field(FILE *f, const char *s)
{
	if (!strpbrk(s, ",\"\r\n")) {
		fputs(s, f);
		return;
	}
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', f);
		fputc(*s, f);
	}
	fputc('"', f);
}
