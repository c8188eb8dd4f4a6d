"""No on-disk derivation cache in these tests: every system is derived afresh in the
test process (memoized in memory only), so no test relies on a cache a test wrote."""

import os

os.environ["VLASER_CACHE_DIR"] = "off"
