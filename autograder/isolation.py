"""Inside the sandbox: the kernel-level isolation of one call process (see ``call_server``).

A call process enters new user, mount, IPC and network namespaces and sees every
writable folder through a copy-on-write overlay whose changes vanish with it, then
gives up every capability.  Standard library only: this file runs in the sandbox
next to ``worker.py``.
"""

from __future__ import annotations

import ctypes
import gc
import os
import signal
import sys
import threading

CLONE_NEWNS = 0x00020000
CLONE_NEWIPC = 0x08000000
CLONE_NEWUSER = 0x10000000
CLONE_NEWNET = 0x40000000
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_REMOUNT, MS_BIND, MS_REC, MS_PRIVATE = 1, 2, 4, 32, 4096, 16384, 1 << 18
PR_SET_DUMPABLE, PR_SET_NO_NEW_PRIVS = 4, 38
LINUX_CAPABILITY_VERSION_3 = 0x20080522

libc = ctypes.CDLL(None, use_errno=True)


class _CapHeader(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]


class _CapData(ctypes.Structure):
    _fields_ = [("effective", ctypes.c_uint32), ("permitted", ctypes.c_uint32), ("inheritable", ctypes.c_uint32)]


def drop_capabilities() -> None:
    """Give up every capability (those a new user namespace grants included), for good."""
    libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)
    header = _CapHeader(LINUX_CAPABILITY_VERSION_3, 0)
    data = (_CapData * 2)()
    libc.capset(ctypes.byref(header), data)


def forget_hooks() -> None:
    """Remove the ways code left by the cells could run in this process on its own."""
    sys.settrace(None)
    sys.setprofile(None)
    threading.settrace(None)  # type: ignore[arg-type]
    threading.setprofile(None)  # type: ignore[arg-type]
    gc.callbacks.clear()
    for number in range(1, signal.NSIG):
        if number not in (signal.SIGKILL, signal.SIGSTOP):
            try:
                signal.signal(number, signal.SIG_DFL)
            except (OSError, ValueError):
                pass


def map_ids(uid: int, gid: int) -> bool:
    """Map our own user and group into a user namespace just entered (no other ids exist there)."""
    try:
        for name, text in (("setgroups", "deny"), ("uid_map", f"{uid} {uid} 1"), ("gid_map", f"{gid} {gid} 1")):
            with open(f"/proc/self/{name}", "w") as handle:
                handle.write(text)
    except OSError:
        return False
    return True


def writable_folders() -> list[str]:
    """Mount points of writable RAM file systems, plus ``/dev/shm``; never ``/dev`` itself."""
    found: list[str] = []
    try:
        with open("/proc/self/mounts") as mounts:
            for line in mounts:
                fields = line.split()
                if len(fields) > 3 and fields[2] == "tmpfs" and "rw" in fields[3].split(","):
                    if fields[1] != "/dev" and fields[1] not in found:
                        found.append(fields[1])
    except OSError:
        return []
    if os.path.isdir("/dev/shm") and "/dev/shm" not in found:
        found.append("/dev/shm")
    return found


def _mount(source: str, target: str, kind: str | None, flags: int, options: str | None) -> bool:
    encoded = options.encode() if options is not None else None
    return libc.mount(source.encode(), target.encode(), kind.encode() if kind else None, flags, encoded) == 0


def private_view(upper_mb: int) -> bool:
    """Enter new user, mount, IPC and network namespaces; make every writable folder copy-on-write.

    Writes land in a fresh tmpfs of ``upper_mb`` MB that vanishes with this process,
    so the next request never sees them; ``/dev`` becomes read-only.  False (nothing
    changed) where the kernel refuses.
    """
    uid, gid = os.getuid(), os.getgid()
    cwd = os.getcwd()
    folders = writable_folders()
    if libc.unshare(CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWIPC | CLONE_NEWNET) != 0:
        return False
    if not map_ids(uid, gid):
        return False
    if not _mount("none", "/", None, MS_PRIVATE | MS_REC, None):
        return False
    ok = True
    for folder in folders:
        ok &= overlay(folder, upper_mb)
    if os.path.isdir("/dev"):
        _mount("/dev", "/dev", None, MS_BIND | MS_REMOUNT | MS_RDONLY, None)
    try:
        os.chdir(cwd)  # the same path, now seen through the overlay
    except OSError:
        ok = False
    return ok


def overlay(folder: str, upper_mb: int) -> bool:
    """Mount a copy-on-write view of ``folder`` over itself, its changes kept in a fresh tmpfs.

    A folder with mounts inside (the Python environment, when the project lives under
    ``/tmp``) cannot be an overlay's lower layer in a user namespace: it gets an empty
    tmpfs instead, with those mounts bound again.
    """
    try:
        lower = os.open(folder, os.O_PATH | os.O_DIRECTORY)
    except OSError:
        return False
    try:
        has_mounts = bool(mounts_inside(folder))
        if not fresh_tmpfs(folder, upper_mb, "755"):
            return False
        if has_mounts:
            return True
        os.mkdir(os.path.join(folder, ".upper"))
        os.mkdir(os.path.join(folder, ".work"))
        options = f"lowerdir=/proc/self/fd/{lower},upperdir={folder}/.upper,workdir={folder}/.work"
        return _mount("overlay", folder, "overlay", 0, options)
    except OSError:
        return False
    finally:
        os.close(lower)


def fresh_tmpfs(folder: str, size_mb: int, mode: str, flags: int = 0) -> bool:
    """An empty tmpfs of ``size_mb`` over ``folder`` (in a mount namespace of our own), with the
    mounts that were inside it bound again at the same places; False if a mount failed."""
    try:
        inside = [(path, os.open(path, os.O_PATH)) for path in mounts_inside(folder)]
    except OSError:
        return False
    try:
        if not _mount("tmpfs", folder, "tmpfs", flags, f"size={size_mb}m,mode={mode}"):
            return False
        for path, _ in inside:
            os.makedirs(path, exist_ok=True)
        return all([_mount(f"/proc/self/fd/{fd}", path, None, MS_BIND | MS_REC, None) for path, fd in inside])
    except OSError:
        return False
    finally:
        for _, fd in inside:
            os.close(fd)


def mount_points() -> set[str]:
    """Every mount point in this mount namespace."""
    try:
        with open("/proc/self/mounts") as mounts:
            return {line.split()[1] for line in mounts if len(line.split()) > 1}
    except OSError:
        return set()


def mounts_inside(folder: str) -> list[str]:
    """The outermost mount points strictly inside ``folder``."""
    prefix = folder.rstrip("/") + "/"
    inside = [point for point in sorted(mount_points()) if point.startswith(prefix)]
    return [point for point in inside if not any(point.startswith(other + "/") for other in inside)]


def fresh_folders(folders: list[str], size_mb: int) -> bool:
    """In a mount namespace of our own: an empty tmpfs of ``size_mb`` over each folder.

    What the notebook writes there counts against its memory, vanishes with its
    namespace and is never seen by another process of the sandbox.  Mounts inside a
    folder (the Python environment, when the project lives under ``/tmp``) are bound
    again at the same place.  False if a mount failed (that folder stays as it was).
    """
    if not _mount("none", "/", None, MS_REC | MS_PRIVATE, None):
        return False
    ok = True
    for folder in filter(os.path.isdir, folders):
        mode = "1777" if folder in ("/tmp", "/dev/shm") else "700"
        ok &= fresh_tmpfs(folder, size_mb, mode, MS_NOSUID | MS_NODEV)
    return ok
