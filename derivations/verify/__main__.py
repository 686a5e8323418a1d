import sys

from derivations.verify import main

sys.exit(main())
