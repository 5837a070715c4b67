"""`python -m muse` is the `muse` console script."""

from muse.cli import main

main()
