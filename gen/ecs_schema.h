/* ecs_schema.h -- the declaration language of ecsc schemas.
 *
 * A schema is an ordinary C header. Each macro below expands to a plain C
 * declaration that clang (through libclang, in gen/parse.c) resolves and that
 * gcc compiles as part of the generated code. Names are checked by the C
 * compiler itself: a misspelt component is clang's "unknown type name" at the
 * user's line and column. The macros mark declarations with clang's
 * `annotate` attribute; gcc, which lacks it, sees the same declarations
 * without the marks (guarded by __has_attribute, so it stays quiet).
 *
 *   ECS_COMPONENT(Name) { fields };     per-entity data, stored field by field
 *   ECS_TAG(Name);                      per-entity flag with no data (a bit)
 *   ECS_RESOURCE(Name) { fields };      one instance per world (time, bounds)
 *   ECS_ARCHETYPE(Name, C1, C2, Tag..); a fixed set of components and tags
 *   ECS_EXPECTED_COUNT(Arch, n);        typical live entities of Arch (cost model)
 *   ECS_PHASE(Name);                    a phase; phases run in declaration order
 *   ECS_SYSTEM(name, access...);        a function over entities or resources
 *   ECS_FRAME_BUDGET(ms);               the frame's target time (default 16.667)
 *   ECS_PHASE_BUDGET(P, target_ms, critical_ms)
 *                                       the budget of every system of phase P
 *                                       that declares none itself
 *
 * System access (arguments of ECS_SYSTEM):
 *   ECS_READ(X) / ECS_WRITE(X)          component or resource X
 *   ECS_WITH(X) / ECS_WITHOUT(X)        filter on a tag or component, no access
 *   ECS_CREATES(A) / ECS_DESTROYS(A)    structural changes to archetype A
 *   ECS_TOGGLES(T)                      switches tag T on and off
 *   ECS_AFTER(s) / ECS_BEFORE(s)        explicit order against system s: s's
 *                                       run happens before (after) this one's
 *   ECS_ORDERED_AFTER(s) / ECS_ORDERED_BEFORE(s)
 *                                       order against s where they conflict,
 *                                       and no dependency where they do not
 *   ECS_ALLOW_AMBIGUOUS(s)              leave the order against s to
 *                                       declaration order without a warning
 *   ECS_IN_PHASE(P)                     the system belongs to phase P
 *   ECS_MAIN_THREAD / ECS_ASYNC / ECS_SERIAL    thread affinity
 *   ECS_JOB_INPUT(T)                    an ECS_ASYNC system's job input: a
 *                                       typedef'd struct T, copied per job
 *                                       (docs/jobs.md)
 *   ECS_BUDGET(target_ms, critical_ms)  per-frame budget: over target is a
 *                                       warning, over critical an emergency
 *   ECS_DEGRADABLE                      may run every k-th frame under load
 *   ECS_DEGRADABLE_SLICE                may run on 1/k of its entities per
 *                                       frame under load (rotating)
 *
 * Budget numbers are constant expressions that clang checks (a misspelt name
 * is clang's error at your line); ecsc reads them from the annotation, where
 * the macros also write them as text, so each must be a number literal (or a
 * macro expanding to one), e.g. ECS_BUDGET(2.0, 4.0). See docs/budgets.md.
 *
 * See docs/schema.md for the full language and an example, docs/schedule.md
 * for how the schedule is derived from the access lists.
 */
#ifndef ECS_SCHEMA_H
#define ECS_SCHEMA_H

#include <stdint.h>
#include <stdbool.h>

#if defined(__has_attribute)
#  if __has_attribute(annotate)
#    define ECS__ANNOTATE(s) __attribute__((annotate(s)))
#  endif
#endif
#ifndef ECS__ANNOTATE
#  define ECS__ANNOTATE(s)
#endif
/* An annotation that carries numbers: as text in the string (what ecsc
 * reads) and as constant-expression arguments (what clang checks). */
#if defined(__clang__)
#  define ECS__ANNOTATE_ARGS(s, ...) __attribute__((annotate(s, __VA_ARGS__)))
#else
#  define ECS__ANNOTATE_ARGS(s, ...)
#endif
#define ECS__STR2(x) #x
#define ECS__STR(x) ECS__STR2(x)

#define ECS_COMPONENT(N) typedef struct N N; struct ECS__ANNOTATE("ecs.component") N
#define ECS_RESOURCE(N)  typedef struct N N; struct ECS__ANNOTATE("ecs.resource") N
#define ECS_TAG(N) \
    typedef struct N N; struct ECS__ANNOTATE("ecs.tag") N { char ecs_tag_; }

/* An archetype is a prototype whose parameters are the member types: clang
 * resolves each name, and the archetype's name becomes an opaque type that
 * ECS_CREATES / ECS_DESTROYS refer to. */
#define ECS_ARCHETYPE(N, ...) \
    typedef struct ecs_archetype__##N N; \
    ECS__ANNOTATE("ecs.archetype") void ecs_archetype__##N(__VA_ARGS__)

/* The expected number of live entities of an archetype, used only by the
 * scheduler's cost model. The count is an array bound, so clang evaluates
 * any constant expression and a misspelt archetype is clang's error. */
#define ECS_EXPECTED_COUNT(A, n) \
    ECS__ANNOTATE("ecs.expected") void ecs_expected__##A(A *, char (*)[(n)])

/* A phase orders whole groups of systems: every system of an earlier phase
 * runs before every system of a later one. */
#define ECS_PHASE(N) ECS__ANNOTATE("ecs.phase") void ecs_phase__##N(void)

/* A system is a prototype whose parameters are its access list. */
#define ECS_SYSTEM(N, ...) \
    ECS__ANNOTATE("ecs.system") void ecs_system__##N(__VA_ARGS__)

#define ECS_READ(X)     const X *ecs_read__##X ECS__ANNOTATE("ecs.read")
#define ECS_WRITE(X)    X *ecs_write__##X ECS__ANNOTATE("ecs.write")
#define ECS_WITH(X)     const X *ecs_with__##X ECS__ANNOTATE("ecs.with")
#define ECS_WITHOUT(X)  const X *ecs_without__##X ECS__ANNOTATE("ecs.without")
#define ECS_CREATES(A)  A *ecs_creates__##A ECS__ANNOTATE("ecs.creates")
#define ECS_DESTROYS(A) A *ecs_destroys__##A ECS__ANNOTATE("ecs.destroys")
#define ECS_TOGGLES(T)  T *ecs_toggles__##T ECS__ANNOTATE("ecs.toggles")
/* Systems may be declared in any order, so an order names its system by
 * identifier only; the generator resolves it and reports unknown names. */
#define ECS_AFTER(S)    char ecs_after__##S ECS__ANNOTATE("ecs.after")
#define ECS_BEFORE(S)   char ecs_before__##S ECS__ANNOTATE("ecs.before")
#define ECS_ORDERED_AFTER(S)  char ecs_ordered_after__##S ECS__ANNOTATE("ecs.ordered_after")
#define ECS_ORDERED_BEFORE(S) char ecs_ordered_before__##S ECS__ANNOTATE("ecs.ordered_before")
#define ECS_ALLOW_AMBIGUOUS(S) \
    char ecs_allow_ambiguous__##S ECS__ANNOTATE("ecs.allow_ambiguous")
#define ECS_IN_PHASE(P) char ecs_in_phase__##P ECS__ANNOTATE("ecs.in_phase")
#define ECS_MAIN_THREAD char ecs_main_thread_ ECS__ANNOTATE("ecs.main_thread")
#define ECS_ASYNC       char ecs_async_ ECS__ANNOTATE("ecs.async")
#define ECS_SERIAL      char ecs_serial_ ECS__ANNOTATE("ecs.serial")
/* The input an async system copies into each job: any type named by one
 * identifier (a typedef). clang resolves it, so a misspelt name is clang's
 * error; the job's result type is generated from what the system writes. */
#define ECS_JOB_INPUT(T) const T *ecs_job_input__##T ECS__ANNOTATE("ecs.job_input")

/* Budgets (docs/budgets.md). Times are milliseconds per frame. */
#define ECS_BUDGET(target_ms, critical_ms) \
    char ecs_budget_ ECS__ANNOTATE_ARGS("ecs.budget " ECS__STR(target_ms) " " \
                                        ECS__STR(critical_ms), \
                                        (double)(target_ms), (double)(critical_ms))
#define ECS_DEGRADABLE  char ecs_degradable_ ECS__ANNOTATE("ecs.degradable")
#define ECS_DEGRADABLE_SLICE \
    char ecs_degradable_slice_ ECS__ANNOTATE("ecs.degradable_slice")
#define ECS_FRAME_BUDGET(ms) \
    ECS__ANNOTATE_ARGS("ecs.frame_budget " ECS__STR(ms), (double)(ms)) \
    void ecs_frame_budget__(void)
#define ECS_PHASE_BUDGET(P, target_ms, critical_ms) \
    ECS__ANNOTATE_ARGS("ecs.phase_budget " ECS__STR(target_ms) " " ECS__STR(critical_ms), \
                       (double)(target_ms), (double)(critical_ms)) \
    void ecs_phase_budget__##P(void)

#endif /* ECS_SCHEMA_H */
