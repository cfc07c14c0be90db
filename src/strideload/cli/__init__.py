"""The command line: thin wiring over the library. The only package that imports click."""
