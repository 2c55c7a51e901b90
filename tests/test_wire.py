"""The plain-data format between the grader and the sandbox: framing and validation."""

from __future__ import annotations

import json
import math
import os
import threading
import time

import numpy
import pytest
import torch

from autograder import framing, wire
from autograder.framing import LineReader, WireError, send
from autograder.wire import Opaque, SourceCode, decode, encode


def pipe_with(*chunks: bytes, close: bool = True) -> int:
    """A pipe's read end, after ``chunks`` were written to it by a thread."""
    read_end, write_end = os.pipe()

    def write() -> None:
        for chunk in chunks:
            os.write(write_end, chunk)
        if close:
            os.close(write_end)

    threading.Thread(target=write, daemon=True).start()
    return read_end


def test_several_messages_in_one_chunk_and_one_message_in_many():
    one = b'{"a": 1}\n{"b": 2}\n{"c"'
    reader = LineReader(pipe_with(one, b": 3}", b"\n"))
    assert [reader.read(), reader.read(), reader.read(), reader.read()] == [{"a": 1}, {"b": 2}, {"c": 3}, None]


def test_a_large_message_arrives_whole():
    payload = {"data": list(range(400_000))}
    assert len(json.dumps(payload)) > framing.MAX_MESSAGE / 2
    data = (json.dumps(payload) + "\n").encode()
    pieces = [data[i:i + 4096] for i in range(0, len(data), 4096)]
    reader = LineReader(pipe_with(*pieces))
    assert reader.read() == payload
    assert reader.read() is None


def test_byte_at_a_time_reader_never_reads_past_its_line():
    """The zygote reads one byte at a time, so a supervisor it forks finds the rest unread."""
    read_end = pipe_with(b'{"op": "session"}\n{"op": "run"}\n')
    assert LineReader(read_end, unbuffered=True).read() == {"op": "session"}
    assert LineReader(read_end).read() == {"op": "run"}


def test_deadline_and_size_limit(monkeypatch):
    read_end = pipe_with(b'{"slow": ', close=False)
    with pytest.raises(TimeoutError):
        LineReader(read_end).read(time.monotonic() + 0.2)
    monkeypatch.setattr(framing, "MAX_MESSAGE", 100)
    with pytest.raises(WireError):
        LineReader(pipe_with(b"x" * 500)).read()


def test_send_frames_one_line():
    read_end, write_end = os.pipe()
    send(write_end, {"event": "cell", "text": "two\nlines"})
    os.close(write_end)
    assert LineReader(read_end).read() == {"event": "cell", "text": "two\nlines"}


def roundtrip(value, sources: bool = False):
    return decode(json.loads(json.dumps(encode(value), allow_nan=False)), sources=sources)


def test_tensors_come_back_as_plain_fresh_tensors():
    class Liar(torch.Tensor):
        def __eq__(self, other):
            return True

    lying = torch.tensor([1.0, float("nan"), float("inf")]).as_subclass(Liar)
    back = roundtrip(lying)
    assert type(back) is torch.Tensor and back.wire_type == "Liar"
    assert back[0] == 1 and math.isnan(back[1]) and back[2] == math.inf
    leaf = torch.tensor([2.0, 3.0], requires_grad=True)
    (leaf**2).sum().backward()
    back = roundtrip(leaf)
    assert back.requires_grad and torch.equal(back.grad, torch.tensor([4.0, 6.0]))
    assert torch.equal(roundtrip(numpy.arange(6).reshape(2, 3)), torch.arange(6).reshape(2, 3))


def test_objects_that_could_lie_become_opaque():
    class Number:
        def __float__(self):
            return 1.0

        def __eq__(self, other):
            return True

    class Losses(list):
        def __len__(self):
            return 30

    assert isinstance(roundtrip(Number()), Opaque)
    assert isinstance(roundtrip(Losses([1.0])), Opaque)
    assert roundtrip((1, [2.5, "x"], {"k": None})) == (1, [2.5, "x"], {"k": None})


def test_source_code_is_only_rebuilt_where_it_is_trusted():
    """Data from the sandbox never gets evaluated in the grader, even if it claims to be code."""
    payload = {"__source__": "__import__('os').environ.__setitem__('WIRE_PWNED', '1') or (lambda: 0)", "name": None}
    assert isinstance(decode(payload), Opaque)
    assert "WIRE_PWNED" not in os.environ
    function = roundtrip(SourceCode("lambda t: t * 2"), sources=True)
    assert function(21) == 42


@pytest.mark.parametrize(
    "data",
    [
        {"__float__": "1e999"},
        {"__tensor__": {"dtype": "float32", "shape": [2], "data": [1.0]}},
        {"__tensor__": {"dtype": "float32", "shape": [1], "data": ["x"]}},
        {"__tensor__": {"dtype": "object", "shape": [1], "data": [1]}},
        {"__tensor__": {"dtype": "float32", "shape": [-1], "data": []}},
        {"__mystery__": 1},
        {},
        {"__tuple__": "not a list"},
        {"__dict__": [["k", {"__nope__": 0}]]},
        [[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]],
    ],
)
def test_malformed_data_is_refused(data):
    with pytest.raises(WireError):
        decode(data)


def test_a_line_nested_a_million_deep_is_refused_not_a_crash():
    with pytest.raises(WireError):
        LineReader(pipe_with(b"[" * 1_000_000 + b"\n")).read()


def test_an_oversized_message_is_refused_while_it_arrives():
    """The reader gives up once MAX_MESSAGE bytes came without a newline; it never waits for the rest."""
    chunk = b"[" + b"1," * (1 << 19)
    reader = LineReader(pipe_with(*[chunk] * (2 * framing.MAX_MESSAGE // len(chunk) + 1), close=False))
    with pytest.raises(WireError, match="too large"):
        reader.read(time.monotonic() + 600)
    assert reader.size <= framing.MAX_MESSAGE + (1 << 16)


@pytest.mark.parametrize(
    "line",
    [
        b"[" + b"[]," * (framing.MAX_CONTAINERS + 1) + b"[]]",  # 150 KB that would parse into 50,000 lists
        b'{"event": "result", "value": ' + b"{}," * 60_000 + b"1}",
        b"[" * (framing.MAX_NESTING + 1) + b"]" * (framing.MAX_NESTING + 1),
        b'{"a": ' + b'{"b": [' * 40 + b"1" + b"]}" * 40 + b"}",
    ],
    ids=["lists", "objects", "nested", "nested-objects"],
)
def test_lines_that_would_be_costly_to_parse_are_refused_before_parsing(line, monkeypatch):
    def parse(_):
        raise AssertionError("parsed")

    monkeypatch.setattr(json, "loads", parse)
    with pytest.raises(WireError, match="lists and objects|nested"):
        LineReader(pipe_with(line + b"\n")).read()


def test_brackets_inside_strings_do_not_count():
    text = '"[[[\\"{{{' * 50 + '\\\\'
    line = json.dumps({"event": "cell", "error": text, "value": [[[1]]]}).encode()
    assert LineReader(pipe_with(line + b"\n")).read()["error"] == text


def test_a_value_nested_as_deep_as_encode_allows_still_arrives():
    value: object = torch.ones(2)
    for _ in range(wire.MAX_DEPTH):
        value = {"k": (value, [1.0])}
    read_end, write_end = os.pipe()
    send(write_end, {"event": "result", "ok": True, "value": encode(value), "args_after": [encode([value])]})
    os.close(write_end)
    assert isinstance(decode(LineReader(read_end).read()["value"]), dict)


def test_send_refuses_what_the_reader_would_refuse():
    read_end, write_end = os.pipe()
    with pytest.raises(WireError, match="over the limit"):
        send(write_end, {"value": encode(torch.zeros(framing.MAX_MESSAGE // 4))})
    os.close(write_end)
    assert os.read(read_end, 10) == b""


def test_send_refuses_a_value_with_too_many_parts():
    read_end, write_end = os.pipe()
    with pytest.raises(WireError, match="lists and objects"):
        send(write_end, {"value": encode([[]] * (framing.MAX_CONTAINERS + 1))})
    os.close(write_end)
