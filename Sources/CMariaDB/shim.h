#ifndef ORCHD_CMARIADB_SHIM_H
#define ORCHD_CMARIADB_SHIM_H
#include <mysql.h>
#endif
