#!/bin/sh
# bench/profile_w3.sh -- instructions per W3 operation, counted by callgrind
# (repeatable, unlike times on a shared machine; perf counters are not
# available here). Builds bench/churn_profile.c with the runtime into
# build/prof/ for x86-64-v3 (valgrind does not decode AVX-512, which
# -march=native emits here), runs it under callgrind and prints, per
# operation, the instructions of one call (the caller's loop included).
#
#   sh bench/profile_w3.sh [ENTITIES]     (default 1000000; after `ninja`)
set -eu
n=${1:-1000000}
out=build/prof
mkdir -p "$out"
[ -f build/bgen/churn.h ] || ninja build/bgen/churn.h
gcc -std=c11 -O2 -g -march=x86-64-v3 -ffp-contract=off -fno-strict-aliasing -fno-ipa-icf -D_GNU_SOURCE \
    -pthread -I/usr/include/cjson -iquote . -iquote gen -iquote runtime -iquote build/bgen \
    -o "$out/churn_profile" bench/churn_profile.c build/bgen/churn.c \
    runtime/*.c -lcjson
valgrind --tool=callgrind --callgrind-out-file="$out/callgrind.out" \
    --toggle-collect=profiled_round "$out/churn_profile" "$n" >/dev/null 2>"$out/valgrind.log" ||
    { tail -20 "$out/valgrind.log"; exit 1; }
callgrind_annotate --inclusive=yes "$out/callgrind.out" | awk -v n="$n" '
    /churn_profile\.c:phase_[a-z_]+ \[/ {
        gsub(",", "", $1)
        op = $0; sub(/.*:phase_/, "", op); sub(/ .*/, "", op)
        if (op != "tag") printf "%-12s %7.1f instructions per op\n", op, $1 / n
    }'
