// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <string.h>
#include <unistd.h>
#include "elf_funcs.h"

/* Mark the names one symbol table defines as functions. */
static void scan_symtab(Elf *elf, Elf_Scn *scn, const GElf_Shdr *sh,
			const char *const *names, size_t n, bool *found)
{
	Elf_Data *data = elf_getdata(scn, NULL);
	size_t count, i, k;
	GElf_Sym sym;
	const char *name;

	if (!data || !sh->sh_entsize)
		return;
	count = sh->sh_size / sh->sh_entsize;
	for (i = 0; i < count; i++) {
		if (!gelf_getsym(data, i, &sym))
			break;
		/* An import is undefined here: its code is elsewhere. */
		if (GELF_ST_TYPE(sym.st_info) != STT_FUNC ||
		    sym.st_shndx == SHN_UNDEF || !sym.st_value)
			continue;
		name = elf_strptr(elf, sh->sh_link, sym.st_name);
		if (!name)
			continue;
		for (k = 0; k < n; k++)
			if (!found[k] && !strcmp(name, names[k]))
				found[k] = true;
	}
}

int elf_find_functions(const char *path, const char *const *names, size_t n,
		       bool *found)
{
	Elf_Scn *scn = NULL;
	GElf_Shdr sh;
	Elf *elf;
	int fd, err = 0;

	memset(found, 0, n * sizeof(*found));
	if (elf_version(EV_CURRENT) == EV_NONE)
		return -EINVAL;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	elf = elf_begin(fd, ELF_C_READ, NULL);
	if (!elf || elf_kind(elf) != ELF_K_ELF) {
		err = -ENOEXEC;
		goto out;
	}
	while ((scn = elf_nextscn(elf, scn))) {
		if (!gelf_getshdr(scn, &sh))
			continue;
		if (sh.sh_type == SHT_SYMTAB || sh.sh_type == SHT_DYNSYM)
			scan_symtab(elf, scn, &sh, names, n, found);
	}
out:
	elf_end(elf);
	close(fd);
	return err;
}
