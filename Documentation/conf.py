# SPDX-License-Identifier: GPL-2.0
#
# Sphinx configuration of tdx_host_rs' documentation: `make htmldocs`
# (scripts/htmldocs.sh) builds it into build/htmldocs/ with every warning
# an error. Only what Debian 12's python3-sphinx ships: no extension, the
# default theme.

project = "tdx_host_rs"
copyright = "The tdx_host_rs authors"
author = "The tdx_host_rs authors"

root_doc = "index"
exclude_patterns = ["ABI"]

# Every cross-reference must resolve.
nitpicky = True

# Literal blocks are log lines, C and shell: no guessing at a language.
highlight_language = "none"

html_title = "tdx_host_rs"
html_show_sourcelink = False
html_last_updated_fmt = None
