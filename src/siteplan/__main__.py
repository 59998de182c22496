"""``python -m siteplan``: the same command line as the ``siteplan`` console script."""

from siteplan.cli import main

if __name__ == "__main__":
    main()
