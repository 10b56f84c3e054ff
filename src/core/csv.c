/* csv: placeholder, being written */
