"""Personal data of employees: erase on request, export on request, retention."""
