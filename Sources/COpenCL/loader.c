#include "COpenCL.h"

#include <dlfcn.h>
#include <stdio.h>
#include <string.h>

int ac_opencl_load(const char *path, ac_opencl_api *api, char *error, size_t error_size)
{
    static const char *const defaults[] = { "libOpenCL.so.1", "libOpenCL.so" };
    void *library = NULL;
    if (path != NULL) {
        library = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    } else {
        for (size_t i = 0; i < sizeof defaults / sizeof defaults[0] && library == NULL; i++) {
            library = dlopen(defaults[i], RTLD_NOW | RTLD_LOCAL);
        }
    }
    if (library == NULL) {
        const char *why = dlerror();
        snprintf(error, error_size, "%s", why != NULL ? why : "cannot load libOpenCL.so.1");
        return -1;
    }
    memset(api, 0, sizeof *api);
#define AC_CL_RESOLVE(name)                                                          \
    api->name = (__typeof__(api->name))dlsym(library, "cl" #name);                   \
    if (api->name == NULL) {                                                         \
        snprintf(error, error_size, "the OpenCL library lacks cl%s", #name);         \
        dlclose(library);                                                            \
        return -1;                                                                   \
    }
    AC_CL_ENTRY_POINTS(AC_CL_RESOLVE)
#undef AC_CL_RESOLVE
    /* The library stays loaded for the life of the process: the API table points into it. */
    return 0;
}
