"""gunicorn settings of a Python app hosted by crossbar-deno (lib/pyhost).

``when_ready`` tells the node, on standard output, that the app is imported
and the socket accepts requests.
"""

import os


def when_ready(server):
    os.write(1, b"crossbar-pyhost: ready\n")
