"""The worker process that runs one learner's notebook for the grader (see :mod:`losslab.grading.sandbox`).

Started once per grading run as ``python -I -m losslab.grading.worker FD``: a fork
server that imports NumPy and TensorFlow once, then forks a worker per learner
notebook. Each worker confines itself (no network, Landlock, resource limits, no
privileges) before any learner code runs, then serves the grader:

* ``exec``: run the graded cells (each cell's error is reported, the next cell still runs);
* ``describe``: report each graded name as data, as a callable, or as missing;
* ``call`` / ``vjp``: call a learner's function (or its gradient) on data the grader sends.

The grading tests never enter this process: they run in the grader, which sees
only the data sent back, so nothing the learner's code does here (monkeypatching
NumPy, objects that equal everything, writing fake results) can change a grade
except through the values its functions return.
"""

from __future__ import annotations

import json
import os
import sys
import traceback

__all__ = ["compile_cell", "error_info", "main"]

_CELL_PREFIX = "<graded cell "


def error_info(exc: BaseException) -> dict:
    """What the grader needs to rebuild an exception: type, base types, message, learner's line."""
    mro = [[c.__module__, c.__name__] for c in type(exc).__mro__]
    frames = traceback.extract_tb(exc.__traceback__)
    learner = [f for f in frames if f.filename.startswith(_CELL_PREFIX)]
    frame = learner[-1] if learner else (frames[-1] if frames else None)
    line, func = (frame.lineno, frame.name) if frame else (getattr(exc, "lineno", None), "")
    try:
        message = str(exc)
    except BaseException:  # noqa: BLE001 - a learner's exception may break str()
        message = "?"
    cell = (
        frame.filename[len(_CELL_PREFIX) : -1] if frame and frame.filename.startswith(_CELL_PREFIX) else None
    )
    if isinstance(exc, SyntaxError) and exc.filename and exc.filename.startswith(_CELL_PREFIX):
        cell, line, func = exc.filename[len(_CELL_PREFIX) : -1], exc.lineno, ""
    return {
        "type": type(exc).__name__,
        "mro": mro,
        "message": message[:2000],
        "line": line,
        "func": func,
        "cell": cell,
    }


def compile_cell(source: str, index: int):
    """The code object of graded cell ``index``, its magics turned into Python as IPython does.

    ``%magic`` and ``!shell`` lines (continuation lines inside brackets too) become
    ``get_ipython()`` calls through IPython's own input transformation; in the worker
    :class:`_Shell` answers them without running anything.
    """
    from losslab.grading.code_review import python_source

    return compile(python_source(source), f"{_CELL_PREFIX}{index}>", "exec")


class _Shell:
    """What ``get_ipython()`` gives a graded cell: magics and shell escapes do nothing when graded."""

    def run_line_magic(self, name, line, *args, **kwargs):
        return None

    def run_cell_magic(self, name, line, cell, *args, **kwargs):
        return None

    def system(self, command, *args, **kwargs):
        return None

    def getoutput(self, command, *args, **kwargs):
        return []

    def __getattr__(self, name):
        return lambda *args, **kwargs: None


def _kernel_namespace() -> dict:
    """A fresh ``__main__`` namespace with what an IPython kernel adds: ``display``, ``get_ipython``."""
    from IPython.display import display

    shell = _Shell()
    return {"__name__": "__main__", "display": display, "get_ipython": lambda: shell}


def _signature(value) -> list | None:
    import inspect

    from losslab.grading import wire

    params = []
    try:
        for p in inspect.signature(value).parameters.values():
            entry = {"name": p.name, "kind": int(p.kind)}
            if p.default is not inspect.Parameter.empty:
                entry["default"] = wire.encode(p.default)
            params.append(entry)
    except (TypeError, ValueError, wire.WireError):
        return None
    return params


def _keras_model(value) -> dict | None:
    """A Keras functional or Sequential model as data: its config, weights and compile config."""
    import keras

    from losslab.grading import wire

    if not isinstance(value, keras.Model):
        return None
    try:
        compiled = value.get_compile_config() if getattr(value, "compiled", False) else None
        built = any(getattr(m, "metrics", None) for m in value.metrics)
        return {
            "$": "keras_model",
            "config": value.to_json(),
            "weights": [wire.encode(w) for w in value.get_weights()],
            "compile": json.dumps(keras.saving.serialize_keras_object(compiled)) if compiled else None,
            "metrics_built": bool(built),
        }
    except Exception as exc:  # a subclassed model has no config
        return {
            "$": "opaque",
            "type": type(value).__name__,
            "repr": f"a Keras model that cannot be saved ({exc})",
        }


class _Server:
    def __init__(self, sock, tf):
        self.sock, self.tf, self.namespace = sock, tf, _kernel_namespace()
        self.handles: dict[str, object] = {}  # functions returned by learner functions, by handle

    def describe_object(self, value) -> dict:
        """Tagged description of a non-data object: a callable gets a handle the grader can call."""
        from losslab.grading import wire

        model = _keras_model(value)
        if model is not None:
            return model
        if callable(value):
            handle = f"#{len(self.handles) + 1}"
            self.handles[handle] = value
            name = str(getattr(value, "__name__", "function"))[:100]
            return {"$": "callable", "name": name, "handle": handle, "params": _signature(value)}
        return {"$": "opaque", "type": type(value).__name__, "repr": wire._short_repr(value)}

    def send(self, message: dict) -> None:
        from losslab.grading import wire

        wire.send_message(self.sock, message)

    def decode(self, obj):
        from losslab.grading import wire

        return wire.decode(obj, make_tensor=self.tf.constant)

    def encode_result(self, value):
        from losslab.grading import wire

        try:
            return wire.encode(value, describe=self.describe_object)
        except BaseException as exc:  # noqa: BLE001 - learner objects may break while encoded
            return {
                "$": "opaque",
                "type": type(value).__name__,
                "repr": f"(could not be read: {type(exc).__name__})",
            }

    def run_cells(self, cells, skip) -> None:
        for index, source in cells:
            if index in skip:
                continue
            self.send({"op": "cell_start", "index": index})
            error = None
            try:
                code = compile_cell(source, index)
                exec(code, self.namespace)  # noqa: S102 - running the learner's code is the point
            except BaseException as exc:  # noqa: BLE001 - sys.exit and friends included
                error = error_info(exc)
            self.send({"op": "cell_done", "index": index, "error": error})
        self.send({"op": "exec_done"})

    def describe(self, names, seq=None) -> None:
        found = {}
        for name in names:
            found[name] = (
                self.encode_result(self.namespace[name]) if name in self.namespace else {"$": "missing"}
            )
        self.send({"op": "described", "targets": found, "seq": seq})

    def call(self, message: dict) -> None:
        try:
            target = message["target"]
            fn = self.handles[target] if target.startswith("#") else self.namespace[target]
            args = self.decode(message["args"])
            kwargs = dict(self.decode(message["kwargs"]))
            if message["op"] == "call":
                value = fn(*args, **kwargs)
            else:
                value = self.vjp(fn, args, kwargs, message["wrt"], self.decode(message["upstream"]))
        except BaseException as exc:  # noqa: BLE001
            self.send({"op": "raised", "error": error_info(exc), "seq": message.get("seq")})
            return
        self.send({"op": "result", "value": self.encode_result(value), "seq": message.get("seq")})

    def vjp(self, fn, args, kwargs, wrt, upstream):
        """Gradients of sum(upstream * fn(...)) with respect to the inputs at positions ``wrt``."""
        tf = self.tf
        flat = list(args) + list(kwargs.values())
        keys = list(kwargs)
        with tf.GradientTape() as tape:
            watched = []
            for i in wrt:
                flat[i] = tf.identity(flat[i])
                tape.watch(flat[i])
                watched.append(flat[i])
            new_args, new_kwargs = flat[: len(args)], dict(zip(keys, flat[len(args) :], strict=True))
            out = fn(*new_args, **new_kwargs)
            target = tf.reduce_sum(tf.cast(out, upstream.dtype) * upstream)
        return list(tape.gradient(target, watched))

    def serve(self) -> None:
        from losslab.grading import wire

        while True:
            try:
                message = wire.receive_message(self.sock)
            except EOFError:
                return
            op = message["op"]
            if op == "exec":
                self.run_cells(message["cells"], set(message.get("skip", [])))
            elif op == "describe":
                self.describe(message["targets"], message.get("seq"))
            elif op in ("call", "vjp"):
                self.call(message)
            elif op == "stop":
                return


def _import_tensorflow():
    """Import TensorFlow and Keras without running an op (thread pools start later, confined)."""
    import warnings

    devnull = os.open(os.devnull, os.O_WRONLY)
    saved = os.dup(2)
    os.dup2(devnull, 2)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            import keras  # noqa: F401
            import tensorflow as tf
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)
    return tf


def _confine_and_serve(sock, tf, config: dict) -> None:
    """In a freshly forked child: confine this process, then serve the grader until it hangs up."""
    from losslab.grading import confinement

    os.setsid()
    sandbox = config.get("sandbox") or ""
    limits = {"sandbox": sandbox}
    if sandbox:  # bubblewrap: no network, own PID, mount and IPC namespaces, no capabilities
        limits["network"] = "bubblewrap network namespace"
    else:
        limits["network"] = confinement.isolate_network()
    os.chdir(config["scratch"])
    address_space = None
    if config.get("address_space_mb") and _current_address_space():
        address_space = (config["address_space_mb"] << 20) + _current_address_space()
    limits["resources"] = confinement.set_resource_limits(address_space, config["file_size_mb"] << 20)
    limits["files"] = confinement.restrict_filesystem(config["scratch"], config["protected"])
    if os.geteuid() == 0:
        limits["privileges"] = confinement.drop_privileges()
    else:
        limits["privileges"] = f"unprivileged user {os.geteuid()}"
    for key, value in config.get("env", {}).items():
        os.environ[key] = value
    sys.dont_write_bytecode = True
    server = _Server(sock, tf)
    server.send({"op": "ready", "limits": limits})
    server.serve()


def main(argv: list[str] | None = None) -> int:
    """Fork server: import TensorFlow once, then fork one confined worker per request.

    A request on the control socket (file descriptor ``argv[0]``) is a JSON config
    with two file descriptors attached: the worker's socket to the grader and its
    output file. The reply is the worker's process id.
    """
    import signal
    import socket

    import numpy  # noqa: F401

    from losslab.environment import runtime  # noqa: F401 - the learner's imports cell uses it

    # The learner's imports cell uses ``check`` too. Import it before confinement: once confined,
    # the worker cannot list src/losslab/exercises/ (it holds the protected suites), so Python's
    # import system could not find a module there.
    from losslab.exercises import checks  # noqa: F401
    from losslab.grading import code_review

    code_review.python_source("x = 1")  # imports IPython's input transformation once, before forking
    import IPython.display  # noqa: F401

    argv = sys.argv[1:] if argv is None else argv
    control = socket.socket(fileno=int(argv[0]))
    zygote = os.getpid()
    _die_with_parent(os.getppid())
    tf = _import_tensorflow()
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # workers are reaped by the kernel
    while True:
        try:
            data, fds, _, _ = socket.recv_fds(control, 1 << 20, 2)
        except OSError:
            return 0
        if not data or len(fds) != 2:
            return 0
        config = json.loads(data.decode("utf-8"))
        pid = os.fork()
        if pid == 0:  # the worker
            code = 0
            try:
                _die_with_parent(zygote)
                control.close()
                signal.signal(signal.SIGCHLD, signal.SIG_DFL)
                os.dup2(fds[1], 1)
                os.dup2(fds[1], 2)
                _confine_and_serve(socket.socket(fileno=fds[0]), tf, config)
            except BaseException:  # noqa: BLE001 - report, never return into the fork server's loop
                traceback.print_exc()
                code = 1
            finally:
                os._exit(code)
        for fd in fds:
            os.close(fd)
        try:
            namespace = os.readlink("/proc/self/ns/pid")
        except OSError:  # no procfs (macOS)
            namespace = ""
        reply = {"pid": pid, "server": os.getpid(), "pidns": namespace}
        control.sendall(json.dumps(reply).encode("utf-8") + b"\n")


def _die_with_parent(parent: int) -> None:
    """Get SIGKILL when the parent process ends (no orphaned workers if the grader is killed)."""
    import ctypes
    import signal

    if sys.platform != "linux":
        return
    ctypes.CDLL(None).prctl(1, int(signal.SIGKILL), 0, 0, 0)  # PR_SET_PDEATHSIG
    if os.getppid() != parent:
        os._exit(1)


def _current_address_space() -> int:
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmSize:"):
                    return int(line.split()[1]) << 10
    except OSError:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
