"""WSGI modules for servers that import the application themselves."""
