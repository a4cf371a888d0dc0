"""Entry point for ``python -m archctl``."""

from archctl.cli import main

if __name__ == "__main__":
    main()
