/* plan: placeholder, being written */
