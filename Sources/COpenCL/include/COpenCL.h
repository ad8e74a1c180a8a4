/*
 * COpenCL: the OpenCL API as a table of function pointers, loaded at run time with dlopen.
 *
 * The binary therefore starts (and runs its CPU backend) on machines without any OpenCL
 * runtime, and a missing runtime becomes a one-line error instead of a loader failure.
 * Only AutoconvOpenCL imports this module.
 *
 * It also exposes the kernels' shared header, so Swift reads the same struct layouts.
 */
#ifndef COPENCL_H
#define COPENCL_H

#define CL_TARGET_OPENCL_VERSION 120
#include <CL/cl.h>
#include <stddef.h>

#include "../../../Kernels/autoconv_shared.h"

/* Every OpenCL entry point the backend uses. */
#define AC_CL_ENTRY_POINTS(X) \
    X(GetPlatformIDs) X(GetPlatformInfo) X(GetDeviceIDs) X(GetDeviceInfo) \
    X(CreateContext) X(ReleaseContext) X(CreateCommandQueue) X(ReleaseCommandQueue) \
    X(CreateProgramWithSource) X(BuildProgram) X(GetProgramBuildInfo) X(ReleaseProgram) \
    X(CreateKernel) X(ReleaseKernel) X(SetKernelArg) X(GetKernelWorkGroupInfo) \
    X(CreateBuffer) X(ReleaseMemObject) X(EnqueueWriteBuffer) X(EnqueueReadBuffer) \
    X(EnqueueNDRangeKernel) X(Finish)

typedef struct {
#define AC_CL_FIELD(name) __typeof__(&cl##name) name;
    AC_CL_ENTRY_POINTS(AC_CL_FIELD)
#undef AC_CL_FIELD
} ac_opencl_api;

/*
 * Loads an OpenCL ICD loader and resolves every entry point into *api. `path` NULL tries
 * libOpenCL.so.1 then libOpenCL.so. Returns 0 on success; otherwise -1 with a message
 * (the dlerror text or the missing symbol) in `error`.
 */
int ac_opencl_load(const char *path, ac_opencl_api *api, char *error, size_t error_size);

#endif /* COPENCL_H */
