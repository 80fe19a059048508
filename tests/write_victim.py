"""A test helper process: load bundles once, then run writes that are killed with SIGKILL on request.

Used by tests/test_atomic_writes.py, never by certconv. Started as
``python write_victim.py NAME=BUNDLE.pem ...``, it loads each bundle, prints
``ready`` and then reads one JSON request per line on stdin::

    {"bundle": "a", "out": "/tmp/x/out", "force": false, "kill_at": 1234}

For each it forks a child that calls ``certconv.write_split``. ``kill_at``: the
child sends itself SIGKILL at that step of the write (the N-th call of
``certconv.output._atomic._phase``, the seam the library calls at every step: a
deterministic point in any phase; never a delay, whose point would depend on
the machine's load). It answers
one JSON line: ``{"killed": true|false, "exit": code, "error": class name}``.
A child killed by SIGKILL is killed as by ``kill -9``: no handler, no cleanup,
the kernel releases its file locks.

``race`` requests (``{"race": true, "bundle": ..., "out": ...}``) instead wait
for a line ``go`` on stdin and write in this process, answering
``{"ok": true}`` or ``{"ok": false, "error": ...}``: two such processes started
by the test write into one folder at the same moment.
"""

from __future__ import annotations

import json
import os
import signal
import sys
from pathlib import Path
from typing import Any

import certconv
from certconv.output import _atomic


def main() -> None:
    bundles = {}
    for arg in sys.argv[1:]:
        name, _, path = arg.partition("=")
        bundles[name] = certconv.load(Path(path).read_bytes())
    print("ready", flush=True)
    for line in sys.stdin:
        request = json.loads(line)
        answer = race(bundles, request) if request.get("race") else run(bundles, request)
        print(json.dumps(answer), flush=True)


def run(bundles: dict[str, certconv.Bundle], request: dict[str, Any]) -> dict[str, Any]:
    read_error, write_error = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: write, maybe die on the way
        os.close(read_error)
        kill_at = request.get("kill_at")
        steps = {"n": 0}

        def phase(step: str) -> None:
            steps["n"] += 1
            if steps["n"] == kill_at:
                os.kill(os.getpid(), signal.SIGKILL)

        _atomic._phase = phase
        # fsync guards against power loss, which this harness does not stage: a process killed
        # by SIGKILL leaves its writes in the page cache for the next run to read all the same.
        os.fsync = lambda fd: None
        try:
            certconv.write_split(bundles[request["bundle"]], request["out"], force=request["force"])
        except certconv.CertconvError as exc:
            os.write(write_error, type(exc).__name__.encode())
            os._exit(3)
        os._exit(0)
    os.close(write_error)
    _, status = os.waitpid(pid, 0)
    error = os.read(read_error, 200).decode()
    os.close(read_error)
    killed = os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL
    return {"killed": killed, "exit": os.waitstatus_to_exitcode(status), "error": error or None}


def race(bundles: dict[str, certconv.Bundle], request: dict[str, Any]) -> dict[str, Any]:
    bundle = bundles[request["bundle"]]
    print("set", flush=True)
    sys.stdin.readline()  # "go"
    try:
        certconv.write_split(bundle, request["out"], force=request.get("force", False))
    except certconv.CertconvError as exc:
        return {"ok": False, "error": type(exc).__name__}
    return {"ok": True}


if __name__ == "__main__":
    main()
