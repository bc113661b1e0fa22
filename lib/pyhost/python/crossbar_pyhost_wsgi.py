"""WSGI entry of a Python app hosted by crossbar-deno (lib/pyhost).

gunicorn serves ``application`` from this module. It imports the configured
app (``CROSSBAR_WSGI_MODULE`` / ``CROSSBAR_WSGI_OBJECT``) and wraps it:

* ``SCRIPT_NAME`` / ``PATH_INFO`` come from the mount prefix the node sends in
  ``X-Crossbar-Script-Name`` (the node removes any such header a client sent);
* ``REMOTE_ADDR`` comes from ``X-Crossbar-Remote-Addr`` (gunicorn only sees
  the node's unix socket);
* with ``CROSSBAR_WSGI_TIMEOUT`` (the path's ``timeout``, which the node
  always sets) above 0, a watchdog thread ends the worker process when a
  request runs longer (uWSGI's harakiri); gunicorn then starts a fresh
  worker.
"""

import importlib
import os
import sys
import threading
import time

_MODULE = os.environ.pop("CROSSBAR_WSGI_MODULE")
_OBJECT = os.environ.pop("CROSSBAR_WSGI_OBJECT")
_TIMEOUT = float(os.environ.pop("CROSSBAR_WSGI_TIMEOUT", "0") or 0)

_app = getattr(importlib.import_module(_MODULE), _OBJECT)
if not callable(_app):
    raise TypeError(
        "%s.%s is not a WSGI application (not callable)" % (_MODULE, _OBJECT)
    )

_running = {}
_lock = threading.Lock()
_watch_pid = None


def _watch():
    while True:
        time.sleep(min(0.25, _TIMEOUT / 4))
        now = time.monotonic()
        with _lock:
            late = [v for v in _running.values() if now - v[0] > _TIMEOUT]
        if late:
            sys.stderr.write(
                "request %s exceeded the timeout of %g s; "
                "the worker exits and is replaced\n" % (late[0][1], _TIMEOUT)
            )
            sys.stderr.flush()
            os._exit(1)


def _ensure_watchdog():
    global _watch_pid
    if _TIMEOUT > 0 and _watch_pid != os.getpid():
        _watch_pid = os.getpid()
        threading.Thread(target=_watch, daemon=True).start()


class _Tracked:
    """The app's response iterable; the request counts until it is closed."""

    def __init__(self, result, key):
        self._result = result
        self._key = key

    def __iter__(self):
        return iter(self._result)

    def close(self):
        try:
            close = getattr(self._result, "close", None)
            if close is not None:
                close()
        finally:
            with _lock:
                _running.pop(self._key, None)


def application(environ, start_response):
    prefix = environ.pop("HTTP_X_CROSSBAR_SCRIPT_NAME", "")
    remote = environ.pop("HTTP_X_CROSSBAR_REMOTE_ADDR", "")
    if remote:
        environ["REMOTE_ADDR"] = remote
    path = environ.get("PATH_INFO", "")
    if prefix and (path == prefix or path.startswith(prefix + "/")):
        environ["SCRIPT_NAME"] = prefix
        environ["PATH_INFO"] = path[len(prefix):]
    else:
        environ["SCRIPT_NAME"] = ""
    if _TIMEOUT <= 0:
        return _app(environ, start_response)
    _ensure_watchdog()
    key = object()
    what = "%s %s" % (environ.get("REQUEST_METHOD"), path)
    with _lock:
        _running[key] = (time.monotonic(), what)
    try:
        return _Tracked(_app(environ, start_response), key)
    except BaseException:
        with _lock:
            _running.pop(key, None)
        raise
