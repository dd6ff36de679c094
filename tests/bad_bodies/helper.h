/* tests/bad_bodies/helper.h -- a helper from a header, used by
 * header_helper.c: its racy write is reported at the call in the system. */
static int calls_made;
static inline void count_call(void) { calls_made++; }
