/* Bit-fields cannot be stored as arrays. */
#include "ecs_schema.h"
ECS_COMPONENT(Flags) { unsigned a : 3; unsigned b : 5; };
ECS_ARCHETYPE(Thing, Flags);
// expect: tests/bad/bitfield.h:3:33: error: bit-field 'a' in 'Flags': fields of components are stored as arrays and cannot be bit-fields
// expect: tests/bad/bitfield.h:3:49: error: bit-field 'b' in 'Flags': fields of components are stored as arrays and cannot be bit-fields
