#include "bolts/builtins.h"

extern "C" void gale_link_builtin_bolts() {}
