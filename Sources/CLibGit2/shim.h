#ifndef PIPEOPS_CLIBGIT2_SHIM_H
#define PIPEOPS_CLIBGIT2_SHIM_H

#include <git2.h>

/* git_libgit2_opts is C-variadic, which Swift cannot call: expose the options pipeops needs. */
static inline int pipeops_git_set_owner_validation(int enabled) {
    return git_libgit2_opts(GIT_OPT_SET_OWNER_VALIDATION, enabled);
}

#endif
