"""A WSGI app (plain Flask) that reports what it sees, hangs or crashes on
request, for the tests of lib/pyhost."""

import json
import os
import socket
import time

from flask import Flask, Response, request

app = Flask(__name__)


@app.route("/environ")
def environ():
    e = request.environ
    return {
        "script_name": e.get("SCRIPT_NAME"),
        "path_info": e.get("PATH_INFO"),
        "remote_addr": e.get("REMOTE_ADDR"),
        "url_scheme": e.get("wsgi.url_scheme"),
        "query": e.get("QUERY_STRING"),
        "forged": e.get("HTTP_X_CROSSBAR_SCRIPT_NAME"),
        "url": request.url,
    }


@app.route("/pid")
def pid():
    return str(os.getpid())


@app.route("/hang")
def hang():
    time.sleep(3600)
    return "never"


@app.route("/crash")
def crash():
    os._exit(1)


@app.route("/echo", methods=["POST"])
def echo():
    return Response(request.get_data(), mimetype="application/octet-stream")


@app.route("/stream")
def stream():
    def chunks():
        for i in range(5):
            yield "chunk %d\n" % i
    return Response(chunks(), mimetype="text/plain")


@app.route("/sandbox")
def sandbox():
    result = {"env": sorted(os.environ.keys())}
    for name, path in [("passwd", "/etc/passwd"), ("cbdir", CONFIG)]:
        try:
            with open(path) as f:
                f.read(1)
            result[name] = "readable"
        except OSError as error:
            result[name] = type(error).__name__
    try:
        with open(os.path.join(os.path.dirname(__file__), "written"), "w") as f:
            f.write("x")
        result["write_app_dir"] = "written"
    except OSError as error:
        result["write_app_dir"] = type(error).__name__
    try:
        s = socket.create_connection(("127.0.0.1", int(request.args["port"])), 2)
        s.close()
        result["net"] = "connected"
    except OSError as error:
        result["net"] = type(error).__name__
    return result


# The node's own config, in .crossbar/ inside this app's folder.
CONFIG = os.path.join(os.path.dirname(__file__), ".crossbar", "config.json")


@app.route("/kill-server")
def kill_server():
    import signal
    os.kill(os.getppid(), signal.SIGKILL)
    return "killed"
