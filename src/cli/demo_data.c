/* demo_data: being written */
