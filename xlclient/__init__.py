"""xlclient: client tiering and visit planning for an advertising agency's Excel client book.

The package is layered:

* :mod:`xlclient.engine` -- the rules of SPEC section 4 on pandas data; knows nothing of
  Excel or files.
* :mod:`xlclient.xlsx` -- reading the client book from a workbook file and writing the
  sheets xlclient owns back into it safely.
* :mod:`xlclient.cli`, :mod:`xlclient.udfs`, :mod:`xlclient.macros` -- the command line and
  the thin xlwings layers.
"""

import os as _os

# The engine's numeric work is small vectors; a multi-threaded BLAS only adds thread
# hand-offs (measured: the likelihood fit 2-3x slower on a busy 2-core machine). Set before
# numpy is first imported; a value the user set wins.
_os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

__version__ = "0.1.0"
