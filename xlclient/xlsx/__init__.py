"""Workbook files: reading client books and writing the sheets xlclient owns."""
