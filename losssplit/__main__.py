"""``python -m losssplit`` and the ``losssplit`` console script: see ``losssplit._cli``."""

from losssplit._cli import main

if __name__ == "__main__":
    raise SystemExit(main())
