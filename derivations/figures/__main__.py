import sys

from derivations.figures import main

sys.exit(main())
