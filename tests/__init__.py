"""The test suite mirrors the package layout; packages keep same-named test modules apart."""
