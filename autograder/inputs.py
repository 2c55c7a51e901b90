"""Find the submissions of a class: notebooks, per-student folders, otter zips, Gradescope exports.

``discover(path, workdir)`` turns whatever an instructor downloaded into a list of
``pipeline.Submission``.  Anything that cannot be unpacked (an empty or corrupt zip, a zip
or folder with no notebook or with two) becomes a Submission whose ``problem`` says why, so
it still gets its row in the grades; nothing here raises for a student's files.  Zips are
unpacked into ``workdir`` (a private temporary folder the caller owns), refusing absolute
paths, ``..`` and links, and stopping at size limits (zip bombs).
"""

from __future__ import annotations

import hashlib
import re
import stat
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

import yaml

from autograder.notebook import MalformedNotebook, Notebook, read_notebook
from autograder.pipeline import Submission

METADATA = "submission_metadata.yml"
MAX_MEMBERS = 2000
MAX_MEMBER_BYTES = 60 * 2**20
MAX_TOTAL_BYTES = 500 * 2**20
MAX_KEY = 80  # characters of a submission's key, which names its output files
KEPT_SUFFIXES = (".ipynb", ".zip", ".yml", ".yaml")
IGNORED_NAMES = ("__MACOSX", "__pycache__")


class SubmissionsError(ValueError):
    """SUBMISSIONS itself cannot be read (not a student's fault): a usage error."""


class UnsafeZip(ValueError):
    """A zip that cannot be unpacked safely or at all; the message says why."""


def ignored(part: str) -> bool:
    """Hidden files, ``.ipynb_checkpoints`` and macOS resource folders are never submissions."""
    return part.startswith(".") or part in IGNORED_NAMES


def visible_children(folder: Path) -> list[Path]:
    """The entries of ``folder`` that may hold a submission, sorted by name."""
    return sorted(child for child in folder.iterdir() if not ignored(child.name))


def notebooks_under(folder: Path) -> list[Path]:
    """Every notebook below ``folder``, skipping ignored folders and files."""
    found = []
    for path in sorted(folder.rglob("*.ipynb")):
        parts = path.relative_to(folder).parts
        if not any(ignored(part) for part in parts) and path.is_file():
            found.append(path)
    return found


# ---------------------------------------------------------------- zips


def safe_member_path(info: zipfile.ZipInfo) -> PurePosixPath | None:
    """The member's relative path, or None for folders; ``UnsafeZip`` for traversal or links."""
    name = info.filename.replace("\\", "/")
    path = PurePosixPath(name)
    if name.startswith("/") or re.match(r"^[A-Za-z]:", name) or ".." in path.parts:
        raise UnsafeZip(f"it contains an unsafe path ({info.filename!r})")
    if stat.S_ISLNK(info.external_attr >> 16):
        raise UnsafeZip(f"it contains a symbolic link ({info.filename!r})")
    if info.is_dir() or not path.parts:
        return None
    return path


def unpack_zip(source: Path, target: Path) -> Path:
    """Unpack the notebooks, zips and metadata of ``source`` into ``target``; ``UnsafeZip`` if impossible."""
    size = source.stat().st_size
    if size == 0:
        raise UnsafeZip("the zip file is empty (0 bytes)")
    try:
        with zipfile.ZipFile(source) as archive:
            members = archive.infolist()
            if len(members) > MAX_MEMBERS:
                raise UnsafeZip(f"it has too many files ({len(members)})")
            total = 0
            for info in members:
                path = safe_member_path(info)
                if path is None or any(ignored(p) for p in path.parts):
                    continue
                if not path.name.lower().endswith(KEPT_SUFFIXES):
                    continue
                total += extract_member(archive, info, target / path, MAX_TOTAL_BYTES - total)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, NotImplementedError, RuntimeError) as error:
        raise UnsafeZip(f"it is not a readable zip file ({error})") from error
    except OSError as error:
        raise UnsafeZip(f"it could not be unpacked ({error.strerror or error})") from error
    return target


def extract_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, destination: Path, budget: int) -> int:
    """Copy one member, counting the bytes really written (sizes in a zip header can lie)."""
    limit = min(MAX_MEMBER_BYTES, budget)
    if info.file_size > limit:
        raise UnsafeZip(f"{info.filename!r} unpacks to more than {limit // 2**20} MB (a zip bomb?)")
    destination.parent.mkdir(parents=True, exist_ok=True)
    written = 0
    with archive.open(info) as source, destination.open("wb") as sink:
        while chunk := source.read(2**20):
            written += len(chunk)
            if written > limit:
                raise UnsafeZip(f"{info.filename!r} unpacks to more than {limit // 2**20} MB (a zip bomb?)")
            sink.write(chunk)
    return written


# ---------------------------------------------------------------- one submission


@dataclass
class Choice:
    """The notebook to grade among several, and what to tell the student about the choice."""

    path: Path | None
    note: str = ""  # which one was graded, when there were several
    problem: str = ""  # why none could be chosen


def readable(path: Path) -> Notebook | None:
    try:
        return read_notebook(path)
    except MalformedNotebook:
        return None


def choose_notebook(found: list[tuple[str, Path]], where: str, assignment: str | None = None) -> Choice:
    """The notebook to grade among ``found`` (what the student calls it, its path).

    Notebooks with the same code count as one (the ``.ipynb`` next to the zip ``grader.export()``
    made of it).  Among different ones, the one named after the assignment (``<assignment>.ipynb``,
    the assignment being ``assignment`` or the one the notebooks' otter metadata names) is graded
    and a draft beside it is not; the note says which was graded.  Otherwise it is a ``problem``.
    """
    if len(found) == 1:
        return Choice(found[0][1])
    notebooks = {label: readable(path) for label, path in found}
    groups: dict[Any, list[str]] = {}
    for label, notebook in notebooks.items():
        groups.setdefault(tuple(notebook.cells) if notebook else label, []).append(label)
    names = {name.lower() for name in {assignment, *(nb.assignment for nb in notebooks.values() if nb)} if name}
    paths = dict(found)
    named = [label for label in paths if paths[label].stem.lower() in names]
    listed = ", ".join(label for label, _ in found[:5]) + (", ..." if len(found) > 5 else "")
    if len(groups) == 1:
        label = (named or [found[0][0]])[0]
        return Choice(paths[label], note=f"{where} holds {len(found)} notebooks ({listed}) with the same code: "
                                         f"{label} was graded.")
    chosen = [group for group in groups.values() if set(group) & set(named)]
    if len(chosen) == 1:
        label = next(label for label in chosen[0] if label in named)
        return Choice(paths[label], note=f"{where} holds {len(found)} notebooks ({listed}) whose code differs: "
                                         f"{label}, the one named after the assignment, was graded.")
    expected = " or ".join(sorted(f"{name}.ipynb" for name in names)) or "the assignment"
    why = f"more than one is named {expected}" if chosen else f"none is named {expected}"
    return Choice(None, problem=f"{where} holds {len(found)} notebooks ({listed}) whose code differs, and {why}: "
                                "submit exactly one.")


@dataclass
class Finder:
    """Unpacks zips into numbered private folders under ``workdir``."""

    workdir: Path
    count: int = 0
    skipped: list[str] = field(default_factory=list)

    def scratch(self) -> Path:
        self.count += 1
        folder = self.workdir / f"u{self.count:05d}"
        folder.mkdir(parents=True)
        return folder

    def unpack(self, source: Path) -> Path:
        return unpack_zip(source, self.scratch())

    def one_notebook(self, key: str, source: Path, **who: str) -> Submission:
        """The notebook in a file, folder or zip (``choose_notebook`` when there are several); else a ``problem``."""
        what = "zip" if source.is_file() else "folder"
        try:
            folder = self.unpack(source) if source.is_file() else source
        except UnsafeZip as error:
            return Submission(key, None, problem=f"The {what} {source.name} cannot be graded: {error}.", **who)
        found = notebooks_under(folder)
        if not found and source.is_dir():
            zips = [p for p in visible_children(folder) if p.suffix.lower() == ".zip" and p.is_file()]
            if len(zips) == 1:
                return self.one_notebook(key, zips[0], **who)
        if not found:
            problem = f"The {what} {source.name} holds no notebook (.ipynb); submit exactly one."
            return Submission(key, None, problem=problem, **who)
        choice = choose_notebook([(str(p.relative_to(folder)), p) for p in found], f"The {what} {source.name}")
        return Submission(key, choice.path, problem=choice.problem, note=choice.note, **who)

    def entry(self, path: Path) -> Submission | None:
        """One entry of a class folder, or None if it is not a submission (a stray file)."""
        suffix = path.suffix.lower()
        if path.is_dir():  # a per-student folder: its name is the student's
            return self.one_notebook(path.name, path, student=path.name)
        if suffix in (".ipynb", ".zip") and not path.is_file():  # a pipe or device would block reading
            return Submission(path.stem, None, problem=f"{path.name} is not a regular file.")
        if suffix == ".ipynb":
            return Submission(path.stem, path)
        if suffix == ".zip":
            return self.one_notebook(path.stem, path)
        self.skipped.append(path.name)
        return None


# ---------------------------------------------------------------- Gradescope exports


class LenientLoader(yaml.SafeLoader):
    """A safe YAML loader that reads Ruby object tags as plain data instead of failing."""


def construct_tagged(loader: yaml.SafeLoader, _suffix: str, node: yaml.Node) -> Any:
    if isinstance(node, yaml.MappingNode):
        return loader.construct_mapping(node, deep=True)
    if isinstance(node, yaml.SequenceNode):
        return loader.construct_sequence(node, deep=True)
    return loader.construct_scalar(node)


LenientLoader.add_multi_constructor("!", construct_tagged)
LenientLoader.add_multi_constructor("tag:", construct_tagged)


def plain_key(key: Any) -> str:
    """``:name`` (Ruby symbol style) and ``name`` alike become ``name``."""
    return str(key).lstrip(":")


def submitters(record: Any) -> tuple[str, str]:
    """Names and emails of a metadata record, several submitters joined with "; "."""
    if not isinstance(record, dict):
        return "", ""
    fields = {plain_key(k): v for k, v in record.items()}
    people = fields.get("submitters") or []
    if not isinstance(people, list):
        people = [people]
    names, emails = [], []
    for person in people:
        if isinstance(person, dict):
            person = {plain_key(k): v for k, v in person.items()}
            names.append(str(person.get("name") or person.get("sid") or "").strip())
            emails.append(str(person.get("email") or "").strip())
    return "; ".join(n for n in names if n), "; ".join(e for e in emails if e)


def read_metadata(path: Path) -> dict[str, Any]:
    """The export's ``submission_metadata.yml`` as a dict keyed by submission folder name."""
    try:
        data = yaml.load(path.read_text(encoding="utf-8", errors="replace"), Loader=LenientLoader)
    except yaml.YAMLError as error:
        raise SubmissionsError(f"{path} is not valid YAML: {error}") from error
    return {plain_key(k): v for k, v in data.items()} if isinstance(data, dict) else {}


def export_root(folder: Path) -> Path | None:
    """The folder holding ``submission_metadata.yml``: ``folder`` itself or its one export folder."""
    if (folder / METADATA).is_file():
        return folder
    children = [c for c in visible_children(folder) if c.is_dir()]
    if len(children) == 1 and (children[0] / METADATA).is_file():
        return children[0]
    return None


def export_submissions(root: Path, finder: Finder) -> list[Submission]:
    """Every submission of a Gradescope export, with its submitters' names and emails."""
    metadata = read_metadata(root / METADATA)
    folders = {c.name: c for c in visible_children(root) if c.is_dir()}
    found = []
    for name in sorted(set(folders) | set(metadata)):
        student, email = submitters(metadata.get(name))
        if name in folders:
            found.append(finder.one_notebook(name, folders[name], student=student, email=email))
        else:
            problem = f"{METADATA} lists {name} but the export has no folder for it."
            found.append(Submission(name, None, student=student, email=email, problem=problem))
    return found


# ---------------------------------------------------------------- the class


def discover(source: Path, workdir: Path, skipped: list[str] | None = None) -> list[Submission]:
    """Every submission in ``source`` (a folder, a zip or one notebook), with unique keys.

    The names of files that are neither notebooks, zips nor folders are added to ``skipped``.
    """
    finder = Finder(workdir, skipped=skipped if skipped is not None else [])
    if not source.exists():
        raise SubmissionsError(f"{source} does not exist")
    if source.is_file() and source.suffix.lower() == ".ipynb":
        found = [(source.name, Submission(source.stem, source))]
    elif source.is_file():
        try:
            found = class_folder(finder.unpack(source), finder)
        except UnsafeZip as error:
            raise SubmissionsError(f"{source} cannot be unpacked: {error}") from error
    else:
        found = class_folder(source, finder)
    return unique_keys(found)


def class_folder(folder: Path, finder: Finder) -> list[tuple[str, Submission]]:
    """A Gradescope export, or a folder of notebooks, zips and per-student folders, each with
    the name it has in the class (its file, folder or export name: unique in the class)."""
    root = export_root(folder)
    if root is not None:
        return [(submission.key, submission) for submission in export_submissions(root, finder)]
    entries = [(path.name, finder.entry(path)) for path in visible_children(folder)]
    return [(name, entry) for name, entry in entries if entry is not None]


def clean_key(name: str) -> str:
    """``name`` as a short, safe file name: letters, digits and ``._@+-``, at most ``MAX_KEY`` long."""
    cleaned = re.sub(r"[^A-Za-z0-9._@+-]+", "_", name).strip("._-")[:MAX_KEY].rstrip("._-")
    return cleaned or "submission"


def unique_keys(found: list[tuple[str, Submission]]) -> list[Submission]:
    """Give every submission a key that is a safe file name, unique (ignoring case) and stable.

    ``found`` pairs each submission with its name in the class.  A submission whose key is
    already clean keeps it (the first by name, when ``Ada.ipynb`` and ``ada.zip`` both claim
    ``ada``); any other (``alice!``, a 251-character name, a second claimant) gets its cleaned
    key plus a short hash of its name.  So a key depends only on the class, never on the order
    of discovery, and no submission ever takes the key of one named exactly that.
    """
    taken: set[str] = set()

    def claims_own_key(index: int) -> bool:
        return clean_key(found[index][1].key) == found[index][1].key

    for index in sorted(range(len(found)), key=lambda i: (not claims_own_key(i), found[i][0])):
        name, submission = found[index]
        base = clean_key(submission.key)
        key, attempt = base if claims_own_key(index) else "", 0
        while not key or key.lower() in taken:
            digest = hashlib.sha256(f"{name}\0{attempt}".encode("utf-8", "surrogateescape")).hexdigest()
            key, attempt = f"{base[:MAX_KEY - 9]}-{digest[:8]}", attempt + 1
        taken.add(key.lower())
        submission.key = key
    return [submission for _, submission in found]
