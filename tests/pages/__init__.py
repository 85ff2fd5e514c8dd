"""The page harness: every Python block of every page runs as a test.

* ``markup``: what a page's Markdown means (Sybil's lexers, our rules);
* ``compare``: printed output against a page's output block;
* ``runner``: one run of a page's code, shared by its zh and en versions;
* ``plugin``: the pytest plugin (``-p tests.pages.plugin``);
* ``__main__``: ``python -m tests.pages [--update] PAGES``.
"""
