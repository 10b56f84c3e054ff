/* adjudicate: placeholder, being written */
