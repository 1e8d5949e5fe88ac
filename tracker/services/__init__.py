"""Services: the only code that reads rows into engine inputs and writes rows. They never commit."""
