import sys

from broadcast.agent.cli import main

sys.exit(main())
