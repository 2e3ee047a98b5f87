#ifndef ORCHD_CMARIADB_SHIM_H
#define ORCHD_CMARIADB_SHIM_H
#include <mysql.h>
/* mallopt, for MemoryTuning (not in Swift's Glibc module). */
#include <malloc.h>
#endif
