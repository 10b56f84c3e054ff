/* store_impl: the connection struct shared by the store_*.c files. Private. */
#ifndef HUZHU_STORE_STORE_IMPL_H
#define HUZHU_STORE_STORE_IMPL_H

#include "store/db.h"
#include "store/store.h"

struct store_conn {
    struct store *owner; /* pool it returns to */
    struct db *db;       /* the connection */
    bool in_use;         /* handed out by store_acquire */
};

#endif
