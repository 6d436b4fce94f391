"""Group activities on the shared screen (pygame). Importing this package imports no pygame."""
