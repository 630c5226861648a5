#ifndef RCAS_CBLAS_SHIM_H
#define RCAS_CBLAS_SHIM_H
#include <cblas.h>
#include <lapacke.h>
#endif
