// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "ksyms.h"

/* "[iommufd]" -> "iommufd"; anything else (vmlinux lines have no fourth
 * field) -> "". */
static void module_name(const char *field, char *out)
{
	size_t len = strlen(field);

	out[0] = '\0';
	if (len < 3 || field[0] != '[' || field[len - 1] != ']' ||
	    len - 2 >= KSYM_MODULE_MAX)
		return;
	memcpy(out, field + 1, len - 2);
	out[len - 2] = '\0';
}

int ksyms_find(const char *const *names, size_t n, struct ksym_where *where)
{
	char line[512], type, name[256], module[128];
	unsigned long long addr;
	size_t i;
	FILE *f;
	int fields, err;

	for (i = 0; i < n; i++)
		where[i] = (struct ksym_where){ 0 };
	f = fopen("/proc/kallsyms", "re");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		fields = sscanf(line, "%llx %c %255s %127s", &addr, &type, name,
				module);
		if (fields < 3 || (type != 't' && type != 'T'))
			continue;
		for (i = 0; i < n; i++) {
			if (where[i].present || strcmp(name, names[i]))
				continue;
			where[i].present = true;
			if (fields == 4)
				module_name(module, where[i].module);
		}
	}
	/* A read cut short (ENOMEM from the kernel) must not look like
	 * "not there": callers decide on absence. */
	err = ferror(f) ? -(errno ?: EIO) : 0;
	fclose(f);
	return err;
}
