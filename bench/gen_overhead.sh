#!/bin/sh
# bench/gen_overhead.sh -- writes the schema and the system bodies of
# workload W4 (docs/bench.md): 400 systems, 200 that match no entity and 200
# that each update the 100 entities of archetype Busy with one float add.
#
#   sh bench/gen_overhead.sh SCHEMA.h BODIES.c
#
# build.ninja runs it into build/bgen/; ecsc then compiles SCHEMA.h like any
# other schema. Every system has a component of its own, so no two systems
# conflict and the schedule has no edges: an executor may run them in any
# order on any thread. The output depends on nothing but this script.
set -eu
schema=$1
bodies=$2
n=200 # systems of each kind

ids() { i=0; while [ "$i" -lt "$n" ]; do printf '%03d\n' "$i"; i=$((i + 1)); done; }

{
    echo "/* W4 schema, written by bench/gen_overhead.sh; do not edit. */"
    echo "#ifndef BENCH_OVERHEAD_SCHEMA_H"
    echo "#define BENCH_OVERHEAD_SCHEMA_H"
    echo
    echo '#include "ecs_schema.h"'
    echo
    echo "/* I###: data of idle system idle###; no entity ever has it. */"
    for i in $(ids); do echo "ECS_COMPONENT(I$i) { float v; };"; done
    echo "/* W###: data of working system work###; the 100 Busy entities have it. */"
    for i in $(ids); do echo "ECS_COMPONENT(W$i) { float v; };"; done
    echo
    printf 'ECS_ARCHETYPE(Nobody'; for i in $(ids); do printf ', I%s' "$i"; done; echo ');'
    printf 'ECS_ARCHETYPE(Busy'; for i in $(ids); do printf ', W%s' "$i"; done; echo ');'
    echo
    for i in $(ids); do echo "ECS_SYSTEM(idle$i, ECS_WRITE(I$i));"; done
    for i in $(ids); do echo "ECS_SYSTEM(work$i, ECS_WRITE(W$i));"; done
    echo
    echo "#endif"
} >"$schema.tmp"
mv "$schema.tmp" "$schema"

{
    echo "/* W4 system bodies, written by bench/gen_overhead.sh; do not edit."
    echo " * Each adds 1 to its component of every entity it is given. */"
    echo '#include "overhead.h"'
    echo
    body() { # system name, component member
        echo "void $1(${1}_view v) {"
        echo "    for (int32_t i = 0; i < v.count; i++) v.$2.v[i] += 1.0f;"
        echo "}"
    }
    for i in $(ids); do body "idle$i" "i$i"; done
    for i in $(ids); do body "work$i" "w$i"; done
} >"$bodies.tmp"
mv "$bodies.tmp" "$bodies"
