#ifndef PIPEOPS_CLIBGIT2_SHIM_H
#define PIPEOPS_CLIBGIT2_SHIM_H

/* Everything pipeops calls is in git2.h as far back as libgit2 1.1 (Ubuntu 22.04). A C-variadic
   function such as git_libgit2_opts would need a non-variadic wrapper here; none is needed now. */
#include <git2.h>

#endif
