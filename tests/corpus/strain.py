"""Notebooks for 02-quadratic-fit that try to strain the machine or reach the next submission.

Each is added (as extra cells) to the same wrong notebook, ``attacks.CONSTANT_MSE``:
grading must give it exactly the score of that notebook without the attack.  An
attack reports what it achieved in its own error message (``WROTE: ...``,
``HELD: ...``, ``FOUND: ...``), which the tests read back from the result.
``tests/test_sandbox_isolation.py`` grades them end to end.
"""

from __future__ import annotations

# Fill every RAM-backed folder it can write: the sandbox's /tmp, /dev/shm, /dev, its home and
# working folders, in files of 32 MB (under the per-file limit), up to 1.6 GB each.
FILL_RAM_FOLDERS = """
import os
written = {}
block = b"x" * (32 << 20)
for folder in ("/tmp", "/dev/shm", "/dev", os.path.expanduser("~"), "."):
    done = 0
    try:
        for number in range(50):
            with open(os.path.join(folder, f"fill-{number}.bin"), "wb") as handle:
                handle.write(block)
                handle.flush()
                os.fsync(handle.fileno())
            done += len(block)
    except OSError:
        pass
    written[folder] = done >> 20
del block
raise RuntimeError(f"WROTE: {sum(written.values())} MB {written}")
"""

# Four children, each holding 40% of the memory limit (each under the per-process limit),
# report how many got there alive.
CHILDREN_HOLD = """
import os, select, time
limit_mb = {memory_mb}
read_end, write_end = os.pipe()
children = []
for _ in range(4):
    pid = os.fork()
    if pid == 0:
        hold = bytearray(b"x") * (limit_mb * 4 // 10 << 20)
        os.write(write_end, b"1")
        time.sleep(120)
        os._exit(0)
    children.append(pid)
os.close(write_end)
alive = set(children)
arrived, deadline = b"", time.monotonic() + 20
while len(arrived) < 4 and alive and time.monotonic() < deadline:
    alive -= {pid for pid in alive if os.waitpid(pid, os.WNOHANG)[0] == pid}
    if select.select([read_end], [], [], 0.2)[0]:
        arrived += os.read(read_end, 4)
time.sleep(1)
alive -= {pid for pid in alive if os.waitpid(pid, os.WNOHANG)[0] == pid}
held = min(len(arrived), len(alive)) * (limit_mb * 4 // 10)
raise RuntimeError(f"HELD: {held} MB by {len(alive)} of 4 children")
"""

# Leave something everywhere one submission could leave it for the next: files in the
# RAM-backed folders and /dev, POSIX and System V message queues and shared memory, a
# key in the user's keyring.
LEAVE_BEHIND = """
import ctypes, os
libc = ctypes.CDLL(None, use_errno=True)
left = []
for folder in ("/tmp", "/dev/shm", "/dev", os.path.expanduser("~"), ".", "/scratch"):
    try:
        with open(os.path.join(folder, "left-by-previous.txt"), "w") as handle:
            handle.write("secret answers")
        left.append(folder)
    except OSError:
        pass
libc.mq_open.restype = ctypes.c_int
queue = libc.mq_open(b"/left-by-previous", os.O_CREAT | os.O_RDWR, 0o666, None)
if queue >= 0 and libc.mq_send(queue, b"secret answers", 14, 0) == 0:
    left.append("mqueue")
segment = libc.shmget(0x5EC2E7, 4096, 0o1000 | 0o666)
if segment >= 0:
    left.append("sysv-shm")
if libc.msgget(0x5EC2E7, 0o1000 | 0o666) >= 0:
    left.append("sysv-msg")
if libc.syscall(248, b"user", b"left-by-previous", b"secret", 6, -4) > 0:  # add_key to @u (x86_64)
    left.append("keyring")
raise RuntimeError(f"LEFT: {left}")
"""

LOOK_FOR_IT = """
import ctypes, os
libc = ctypes.CDLL(None, use_errno=True)
found = []
for folder in ("/tmp", "/dev/shm", "/dev", os.path.expanduser("~"), ".", "/scratch"):
    if os.path.exists(os.path.join(folder, "left-by-previous.txt")):
        found.append(folder)
if libc.mq_open(b"/left-by-previous", os.O_RDONLY, 0, None) >= 0:
    found.append("mqueue")
if libc.shmget(0x5EC2E7, 0, 0) >= 0:
    found.append("sysv-shm")
if libc.msgget(0x5EC2E7, 0) >= 0:
    found.append("sysv-msg")
if libc.syscall(249, b"user", b"left-by-previous", None, 0) > 0:  # request_key (x86_64)
    found.append("keyring")
raise RuntimeError(f"FOUND: {found}")
"""

# Replies that would cost the grader far more than their size to read: 40 MB of numbers,
# 20 MB that would parse into 5,000,000 lists, 1.6 MB that would parse into 400,000.
# ``mse`` is wrong either way.
HUGE_REPLY = """
def mse(preds, targets):
    return torch.zeros(2_000_000) + 1.0 / 3
"""

MANY_LISTS = """
def mse(preds, targets):
    return [[]] * 5_000_000
"""

MANY_SMALL_LISTS = """
def mse(preds, targets):
    return [[]] * 400_000
"""
