"""A live OpenStack on one machine, for running resize_tempest_plugin.

``python3 -m localcloud VERB`` from the repository root. The bootstrap
(:mod:`localcloud.cli`, :mod:`localcloud.install`) uses only the standard
library: it installs what is missing and then runs the rest inside the
cloud's own venv. The plugin never imports this package.
"""
