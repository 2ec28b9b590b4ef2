"""xlclient: client tiering and visit planning for an advertising agency's Excel client book.

The package is layered:

* :mod:`xlclient.engine` -- the rules of SPEC section 4 on pandas data; knows nothing of
  Excel or files.
* :mod:`xlclient.xlsx` -- reading the client book from a workbook file and writing the
  sheets xlclient owns back into it safely.
* :mod:`xlclient.cli`, :mod:`xlclient.udfs`, :mod:`xlclient.macros` -- the command line and
  the thin xlwings layers.
"""

__version__ = "0.1.0"
