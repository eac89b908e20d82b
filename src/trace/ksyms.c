// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "ksyms.h"

int ksyms_present(const char *const *names, size_t n, bool *present)
{
	char line[512], type, name[256];
	unsigned long long addr;
	size_t i;
	FILE *f;

	for (i = 0; i < n; i++)
		present[i] = false;
	f = fopen("/proc/kallsyms", "re");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%llx %c %255s", &addr, &type, name) != 3)
			continue;
		if (type != 't' && type != 'T')
			continue;
		for (i = 0; i < n; i++)
			if (!present[i] && !strcmp(name, names[i]))
				present[i] = true;
	}
	fclose(f);
	return 0;
}
