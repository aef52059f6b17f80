// The protobuf-c runtime (Debian libprotobuf-c-dev). The generated messages live in CFerryProto.
#ifndef FERRY_CPROTOBUFC_SHIM_H
#define FERRY_CPROTOBUFC_SHIM_H
#include <protobuf-c/protobuf-c.h>
#endif
