#ifndef RCAS_CMPI_SHIM_H
#define RCAS_CMPI_SHIM_H
/* Open MPI defines its predefined handles as macros that take the address of a
   global object; Swift cannot import such macros, so each handle RCAS needs is
   returned by a static inline function instead. */
#include <mpi.h>

static inline MPI_Comm rcas_mpi_comm_world(void) { return MPI_COMM_WORLD; }
static inline MPI_Comm rcas_mpi_comm_null(void) { return MPI_COMM_NULL; }
static inline MPI_Datatype rcas_mpi_double(void) { return MPI_DOUBLE; }
static inline MPI_Datatype rcas_mpi_float(void) { return MPI_FLOAT; }
static inline MPI_Datatype rcas_mpi_int64(void) { return MPI_INT64_T; }
static inline MPI_Datatype rcas_mpi_int32(void) { return MPI_INT32_T; }
static inline MPI_Datatype rcas_mpi_uint8(void) { return MPI_UINT8_T; }
static inline MPI_Op rcas_mpi_sum(void) { return MPI_SUM; }
static inline MPI_Op rcas_mpi_max(void) { return MPI_MAX; }
static inline MPI_Op rcas_mpi_min(void) { return MPI_MIN; }
static inline void *rcas_mpi_in_place(void) { return MPI_IN_PLACE; }
static inline MPI_Errhandler rcas_mpi_errors_return(void) { return MPI_ERRORS_RETURN; }
static inline MPI_Status *rcas_mpi_status_ignore(void) { return MPI_STATUS_IGNORE; }
static inline int rcas_mpi_success(void) { return MPI_SUCCESS; }
static inline int rcas_mpi_max_error_string(void) { return MPI_MAX_ERROR_STRING; }
static inline int rcas_mpi_undefined(void) { return MPI_UNDEFINED; }

#endif
