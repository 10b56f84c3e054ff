/* err: stable code strings for enum err. */
#include "core/err.h"

static const char *const err_codes[] = {
#define ERR_CODE(name, code) [ERR_##name] = code,
    ERR_LIST(ERR_CODE)
#undef ERR_CODE
};

const char *err_str(enum err e)
{
    if ((unsigned)e >= ERR__COUNT) {
        return "INTERNAL";
    }
    return err_codes[e];
}
