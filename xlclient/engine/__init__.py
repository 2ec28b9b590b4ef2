"""The pure engine: SPEC section 4 rules on pandas data, no Excel and no file I/O."""
