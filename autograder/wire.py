"""Plain-data encoding of values that cross the sandbox boundary.

Values are turned into JSON-compatible structures on one side and rebuilt on the
other.  The grading side never unpickles anything: every tensor it receives is a
fresh ``torch.Tensor`` built from a list of numbers, so nothing the student
defined (a ``Tensor`` subclass, an object whose ``__eq__`` lies) survives the trip.

This module is also loaded inside the sandbox, so it imports only torch, ``framing`` and the
standard library.
"""

from __future__ import annotations

import math
from typing import Any

import torch

if __package__:
    from autograder.framing import WireError
else:  # in the sandbox, beside worker.py
    from framing import WireError  # type: ignore[no-redef]

MAX_ELEMENTS = 2_000_000
MAX_DEPTH = 12
MAX_TEXT = 2_000
_DTYPES = {
    str(dtype).removeprefix("torch."): dtype
    for dtype in (
        torch.float16,
        torch.bfloat16,
        torch.float32,
        torch.float64,
        torch.int8,
        torch.int16,
        torch.int32,
        torch.int64,
        torch.uint8,
        torch.bool,
    )
}


class SourceCode:
    """A callable defined by source text, so it can be rebuilt on the other side.

    ``SourceCode("lambda t: (t[0] - 3) ** 2")`` behaves like the lambda locally and
    travels as its text.  ``SourceCode(text, name=...)`` with a ``def`` block
    evaluates the block and picks the function called ``name``.
    """

    def __init__(self, source: str, name: str | None = None) -> None:
        self.source = source
        self.name = name
        self._function = build_function(source, name)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self._function(*args, **kwargs)

    def __repr__(self) -> str:
        return f"SourceCode({self.name or self.source!r})"


def build_function(source: str, name: str | None) -> Any:
    """Evaluate ``source`` (an expression, or ``def`` blocks when ``name`` is given)."""
    import torch as _torch
    from torch import nn as _nn

    namespace: dict[str, Any] = {"torch": _torch, "nn": _nn, "math": math}
    if name is None:
        return eval(compile(source, "<source>", "eval"), namespace)
    exec(compile(source, "<source>", "exec"), namespace)
    return namespace[name]


def _float(value: float) -> Any:
    if math.isfinite(value):
        return value
    return {"__float__": repr(value)}


def encode(value: Any, depth: int = 0) -> Any:
    """Encode ``value`` as JSON-compatible data (tensors, numbers, containers)."""
    if depth > MAX_DEPTH:
        return {"__object__": "too deeply nested"}
    if value is None or type(value) in (bool, int):
        return value
    if type(value) is str:
        return value[:MAX_TEXT]
    if type(value) is float:
        return _float(value)
    if isinstance(value, torch.Tensor):
        return {"__tensor__": _encode_tensor(value, depth)}
    if isinstance(value, SourceCode):
        return {"__source__": value.source, "name": value.name}
    if type(value) in (list, tuple):
        items = [encode(item, depth + 1) for item in list(value)[:MAX_ELEMENTS]]
        return items if type(value) is list else {"__tuple__": items}
    if type(value) is dict:
        return {
            "__dict__": [[str(key)[:MAX_TEXT], encode(item, depth + 1)] for key, item in value.items()]
        }
    return _encode_other(value)


def _encode_tensor(value: torch.Tensor, depth: int) -> dict[str, Any]:
    plain = torch.Tensor.detach(value)
    if type(plain) is not torch.Tensor:
        plain = plain.as_subclass(torch.Tensor)
    if plain.numel() > MAX_ELEMENTS:
        raise WireError(f"a tensor with {plain.numel()} elements is too large to return")
    flat = plain.reshape(-1).tolist()
    if plain.dtype.is_floating_point:
        flat = [_float(x) for x in flat]
    grad = torch.Tensor.grad.__get__(value) if value.requires_grad or value.grad is not None else None
    return {
        "dtype": str(plain.dtype).removeprefix("torch."),
        "shape": list(plain.shape),
        "data": flat,
        "requires_grad": bool(value.requires_grad),
        "grad": None if grad is None or depth > MAX_DEPTH else _encode_tensor(grad, depth + 1),
        "type": type(value).__name__,
    }


def _encode_other(value: Any) -> dict[str, Any]:
    try:
        import numpy

        if isinstance(value, numpy.ndarray):
            return {"__tensor__": _encode_tensor(torch.from_numpy(numpy.array(value)), 0)}
        if isinstance(value, numpy.generic):
            return encode(value.item())
    except Exception:  # noqa: BLE001 - numpy missing or a hostile object
        pass
    if isinstance(value, torch.optim.Optimizer):
        group = value.param_groups[0] if value.param_groups else {}
        return {
            "__optimizer__": type(value).__name__,
            "lr": _float(float(group.get("lr", float("nan")))),
            "momentum": _float(float(group.get("momentum", 0.0) or 0.0)),
            "n_params": sum(len(g["params"]) for g in value.param_groups),
        }
    kind = "callable" if callable(value) else "object"
    return {"__object__": type(value).__name__[:100], "kind": kind}


class Opaque:
    """Stands for an object that cannot be rebuilt (a class instance, a module...)."""

    def __init__(self, type_name: str, kind: str) -> None:
        self.type_name = type_name
        self.kind = kind

    def __repr__(self) -> str:
        return f"<{self.kind} of type {self.type_name}>"


class OptimizerInfo(Opaque):
    """What the grader can know about an optimizer built by the student."""

    def __init__(self, type_name: str, lr: float, momentum: float, n_params: int) -> None:
        super().__init__(type_name, "optimizer")
        self.lr = lr
        self.momentum = momentum
        self.n_params = n_params


def decode(data: Any, depth: int = 0, sources: bool = False) -> Any:
    """Rebuild a value from wire data, validating every part of it.

    ``sources=True`` only inside the sandbox, for the grader's ``SourceCode``
    arguments: building one evaluates its text, so data coming FROM the sandbox is
    always decoded with ``sources=False`` (a function there stays an ``Opaque``).
    """
    if depth > MAX_DEPTH + 2:
        raise WireError("nested too deeply")
    if data is None or type(data) in (bool, int, float, str):
        return data
    if type(data) is list:
        return [decode(item, depth + 1, sources) for item in data]
    if type(data) is not dict or len(data) == 0:
        raise WireError(f"unexpected {type(data).__name__}")
    if "__float__" in data:
        text = data["__float__"]
        if text not in ("inf", "-inf", "nan"):
            raise WireError("bad float")
        return float(text)
    if "__tensor__" in data:
        return _decode_tensor(data["__tensor__"], depth)
    if "__tuple__" in data:
        return tuple(decode(item, depth + 1, sources) for item in _as_list(data["__tuple__"]))
    if "__dict__" in data:
        return {str(key): decode(item, depth + 1, sources) for key, item in _as_list(data["__dict__"])}
    if "__source__" in data:
        if not sources:
            return Opaque("SourceCode", "callable")
        return SourceCode(str(data["__source__"]), data.get("name"))
    if "__optimizer__" in data:
        return OptimizerInfo(
            str(data["__optimizer__"])[:100],
            float(decode(data.get("lr"))),
            float(decode(data.get("momentum", 0.0))),
            int(data.get("n_params", 0)),
        )
    if "__object__" in data:
        return Opaque(str(data["__object__"])[:100], str(data.get("kind", "object"))[:20])
    raise WireError("unknown value kind")


def _as_list(value: Any) -> list[Any]:
    if type(value) is not list:
        raise WireError("expected a list")
    return value


def _decode_tensor(spec: Any, depth: int) -> torch.Tensor:
    if type(spec) is not dict:
        raise WireError("bad tensor")
    dtype = _DTYPES.get(spec.get("dtype"))
    shape = spec.get("shape")
    if dtype is None or type(shape) is not list or not all(type(n) is int and n >= 0 for n in shape):
        raise WireError("bad tensor header")
    numel = math.prod(shape)
    data = [decode(x, depth + 1) for x in _as_list(spec.get("data"))]
    if numel > MAX_ELEMENTS or len(data) != numel:
        raise WireError("tensor data does not match its shape")
    if not all(type(x) in (int, float, bool) for x in data):
        raise WireError("tensor data must be numbers")
    tensor = torch.tensor(data, dtype=dtype).reshape(shape)
    if spec.get("requires_grad") is True and (dtype.is_floating_point or dtype.is_complex):
        tensor.requires_grad_(True)
    if spec.get("grad") is not None:
        grad = _decode_tensor(spec["grad"], depth + 1)
        if grad.shape == tensor.shape and grad.dtype == tensor.dtype:
            tensor.grad = grad
    tensor.wire_type = str(spec.get("type", "Tensor"))[:100]  # type: ignore[attr-defined]
    return tensor
