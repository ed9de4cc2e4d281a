"""``python -m srcgrad``: the ``srcgrad`` command."""

import sys

from srcgrad.cli import main

sys.exit(main())
