/* db_sqlite: being written */
