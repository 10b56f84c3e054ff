/* json_util: placeholder, being written */
