#ifndef RCAS_CNETCDF_SHIM_H
#define RCAS_CNETCDF_SHIM_H
#include <netcdf.h>
#endif
