"""The Dockerfile's own install commands, run on this machine (no Docker engine here): its
``ARG`` defaults, ``COPY`` lines and ``RUN`` commands read from the file, container paths
mapped to the checkout (what was copied) or a folder of the caller's (what the build makes),
and ``pip install`` run as ``uv pip install`` with the same arguments (uv resolves as pip
does, only faster; ``--no-cache-dir`` is dropped so uv keeps its cache between runs).
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from local_stack.airflow_env import PROJECT_ROOT

DOCKERFILE = PROJECT_ROOT / "Dockerfile"


@dataclass(frozen=True)
class Dockerfile:
    """What a build of the file does, read from it."""

    args: dict[str, str]
    copies: dict[PurePosixPath, Path]
    runs: list[list[str]]
    env: dict[str, str]


def instructions(text: str) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, continuation lines joined, comments dropped."""
    lines = [line for line in text.splitlines() if not line.lstrip().startswith("#")]
    joined = re.sub(r"\\\n", " ", "\n".join(lines))
    return [(line.split(None, 1)[0].upper(), line.split(None, 1)[1]) for line in joined.splitlines() if line.strip()]


def substitute(text: str, args: dict[str, str]) -> str:
    """``${NAME}`` / ``$NAME`` build arguments replaced by their defaults."""
    return re.sub(r"\$\{(\w+)\}|\$(\w+)", lambda m: args[m.group(1) or m.group(2)], text)


def read_dockerfile(text: str | None = None) -> Dockerfile:
    """The file's build arguments, copied paths (container path -> checkout path), RUN
    commands (each ``&&`` step as an argument list) and ENV settings."""
    args: dict[str, str] = {}
    copies: dict[PurePosixPath, Path] = {}
    runs: list[list[str]] = []
    env: dict[str, str] = {}
    for instruction, rest in instructions(DOCKERFILE.read_text() if text is None else text):
        if instruction == "ARG" and "=" in rest:
            name, value = rest.split("=", 1)
            args.setdefault(name.strip(), value.strip())
        elif instruction == "COPY":
            *sources, dest = [word for word in shlex.split(rest) if not word.startswith("--")]
            for source in sources:
                target = PurePosixPath(dest) / source if dest.endswith("/") else PurePosixPath(dest)
                copies[target] = PROJECT_ROOT / source
        elif instruction == "ENV" and "=" in rest:
            name, value = rest.split("=", 1)
            env[name.strip()] = substitute(value.strip(), args)
        elif instruction == "RUN":
            runs += [shlex.split(substitute(step, args)) for step in rest.split("&&")]
    return Dockerfile(args, copies, runs, env)


def local_path(path: str, dockerfile: Dockerfile, build_dir: Path) -> str:
    """A container path as this machine's: a copied file or folder is the checkout's; a folder
    whose contents were all copied from the checkout in its layout is the checkout; anything
    else the build makes goes under ``build_dir``."""
    target = PurePosixPath(path)
    for dest, source in dockerfile.copies.items():
        if target == dest or dest in target.parents:
            return str(source / target.relative_to(dest))
    inside = [(dest, source) for dest, source in dockerfile.copies.items() if target in dest.parents]
    if inside and all(source == PROJECT_ROOT / dest.relative_to(target) for dest, source in inside):
        return str(PROJECT_ROOT)
    return str(build_dir / target.relative_to(target.anchor))


def local_command(command: list[str], dockerfile: Dockerfile, build_dir: Path, *, image_python: Path,
                  python: str, uv: str) -> list[str]:
    """One RUN step as the command that does the same here: ``pip install`` (the image's pip,
    or a venv's ``bin/pip``) as ``uv pip install --python`` that environment's interpreter,
    ``python -m venv`` with ``python``; paths mapped by ``local_path``."""
    def mapped(word: str) -> str:
        return local_path(word, dockerfile, build_dir) if word.startswith("/") else word

    program, *rest = command
    words = [mapped(word) for word in rest if word != "--no-cache-dir"]
    if program == "pip" or program.endswith("/bin/pip"):
        target = image_python if program == "pip" else Path(mapped(program)).with_name("python")
        return [uv, "pip", *words[:1], "--python", str(target), *words[1:]]
    if program == "python":
        return [python, *words]
    raise ValueError(f"no local equivalent for the RUN step {shlex.join(command)}")
