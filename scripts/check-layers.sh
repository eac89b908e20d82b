#!/usr/bin/env bash
# check-layers.sh: the layer rule of docs/design.md. A file in src/LAYER/
# includes only headers of its own layer, of the layers below it, of
# include/ (shared with BPF) or generated ones (build/: skeletons).
# Prints each violation and exits 1 if there is one.
set -euo pipefail
cd "$(dirname "$0")/.."

declare -A below=(
	[lib]=""
	[backends]="lib"
	[trace]="lib"
	[gate]="lib"
	[bench]="lib backends"
	[cli]="lib backends trace gate bench"
)
bad=0
for layer in "${!below[@]}"; do
	for f in src/"$layer"/*.[ch]; do
		while read -r h; do
			ok=0
			for d in "$layer" ${below[$layer]}; do
				[ -e "src/$d/$h" ] && ok=1
			done
			[ -e "include/$h" ] && ok=1
			case $h in *.skel.h) ok=1 ;; esac
			if [ $ok -eq 0 ]; then
				where=$(ls src/*/"$h" 2>/dev/null | head -n 1 || true)
				echo "check-layers: $f includes \"$h\" (${where:-not found})," \
					"not in its layer or below" >&2
				bad=1
			fi
		done < <(sed -n 's/^#include "\([^"]*\)".*/\1/p' "$f")
	done
done
# A folder under src/ that is not a layer would be built but not checked.
for d in src/*/; do
	d=${d#src/}
	d=${d%/}
	[ -n "${below[$d]+x}" ] || { echo "check-layers: src/$d is not a layer" >&2; bad=1; }
done
exit $bad
