#!/bin/sh
# bench/profile_w4.sh -- instructions per W4 frame, by function, counted by
# callgrind (repeatable, unlike times on a shared machine). Builds
# bench/overhead_profile.c with the runtime into build/prof/ for x86-64-v3
# (valgrind does not decode AVX-512, which -march=native emits here), runs
# FRAMES profiled frames at THREADS threads and prints the self counts per
# frame of the top functions. memset by `rep stosb` counts one per byte.
# Under callgrind every run takes ~50x longer, so the executor's threshold
# for tiny runs (EXEC_TINY_NS, runtime/exec.c) is scaled by 50 too: the
# profile then takes the path a native run takes.
#
#   sh bench/profile_w4.sh [FRAMES [THREADS]]   (default 1000 1; after `ninja`)
set -eu
n=${1:-1000}
threads=${2:-1}
out=build/prof
mkdir -p "$out"
[ -f build/bgen/overhead.h ] || ninja build/bgen/overhead.h
gcc -std=c11 -O2 -fvect-cost-model=dynamic -g -march=x86-64-v3 -ffp-contract=off \
    -fno-strict-aliasing -DEXEC_TINY_NS=50000.0 -D_GNU_SOURCE -pthread -I/usr/include/cjson -iquote . -iquote gen \
    -iquote runtime -iquote build/bgen -o "$out/overhead_profile" bench/overhead_profile.c \
    build/bgen/overhead.c build/bgen/overhead_systems.c runtime/*.c -lcjson
valgrind --tool=callgrind --callgrind-out-file="$out/w4.out" \
    --toggle-collect=profiled_frames "$out/overhead_profile" "$n" "$threads" \
    >/dev/null 2>"$out/valgrind.log" || { tail -20 "$out/valgrind.log"; exit 1; }
# System bodies (overhead_systems.c) and adapters (work###__Busy) are
# summed into one line each, so the list shows what the runtime costs.
callgrind_annotate --inclusive=no --auto=no "$out/w4.out" | awk -v n="$n" '
    /PROGRAM TOTALS/ { c = $1; gsub(",", "", c); total = c; next }
    /^ *[0-9,]+ .*:[^ ]+ \[/ {
        c = $1; gsub(",", "", c)
        name = $0; sub(/^ *[0-9,]+ +(\([^)]*\) +)?/, "", name); sub(/ \[.*/, "", name)
        sub(/.*\//, "", name)
        if (name ~ /^overhead_systems\.c:/) name = "overhead_systems.c: system bodies"
        else if (name ~ /^overhead\.c:[a-z]+[0-9]+__/) name = "overhead.c: generated adapters"
        if (!(name in ir)) order[k++] = name
        ir[name] += c
    }
    END {
        for (i = 0; i < k; i++) if (ir[order[i]] / n >= 10) printf "%9.0f  %s\n", ir[order[i]] / n, order[i]
        printf "%9.0f  total per frame\n", total / n
    }'
