"""``python -m devtools``: the developer command line (scripts/bidclient-dev)."""

import sys

from devtools.cli import main

sys.exit(main())
