/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Output files that are complete or absent: written to a fresh temporary
 * file in the target folder (created O_EXCL, so no symlink is followed) and
 * renamed over the final name only when everything was written.
 */
#ifndef DIRTYSCOPE_OUTFILE_H
#define DIRTYSCOPE_OUTFILE_H

#include <limits.h>
#include <stdio.h>

struct outfile {
	FILE *f;
	char path[PATH_MAX];
	char tmp[PATH_MAX];
};

/* Create dir if missing (one level); fail if it is not a directory. */
int outdir_prepare(const char *dir);
int outfile_open(struct outfile *o, const char *dir, const char *name);
/* Flush, sync and rename into place. On error the temp file is removed. */
int outfile_commit(struct outfile *o);
/* Commit n files as one set: all are flushed, synced and closed, then all
 * renamed into place. On error none of them stays: the temp files are
 * removed and those already renamed are unlinked again. Entries that are
 * NULL or were never opened are skipped; at most 64. */
int outfile_commit_all(struct outfile *const *o, size_t n);
/* Remove the temp file; safe on a file never opened or already done. */
void outfile_abort(struct outfile *o);
/* Write s as one CSV field, quoted when it holds , " or a line break. */
void csv_field(FILE *f, const char *s);

#endif
