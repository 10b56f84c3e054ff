/* db_pg: being written */
