"""Interactive widgets for the chapters: core ipywidgets (7.7 and 8.x) and inline matplotlib."""
