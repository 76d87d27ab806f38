"""Type checks of the Python module, run by CTest (pqbpf_python_mypy).

1. mypy --strict over the package itself (its annotations and _native.pyi);
2. mypy --strict over typed_client.py, a client written against the API;
3. mypy over typed_misuse.py must report exactly the errors marked there
   (so the checks above are not passing because mypy sees nothing);
4. mypy.stubtest: every name in _native.pyi exists in the built extension
   and the other way round;
5. the argument names of each _native function and method in the stub equal
   the ones pybind11 records in the function's docstring (stubtest cannot
   see them: pybind11 functions carry no inspectable signature).
Exit 77 (skipped) when mypy is not installed.
"""

from __future__ import annotations

import importlib.util
import pathlib
import re
import subprocess
import sys
import tempfile

HERE = pathlib.Path(__file__).resolve().parent


def mypy(cache: str, *args: str) -> subprocess.CompletedProcess[str]:
    cmd = [sys.executable, "-m", "mypy", "--cache-dir", cache, "--no-color-output", *args]
    return subprocess.run(cmd, capture_output=True, text=True)


def main() -> int:
    if importlib.util.find_spec("mypy") is None:
        print("SKIPPED: mypy is not installed (Debian: python3-mypy)")
        return 77
    failures = 0
    with tempfile.TemporaryDirectory() as cache:
        for what, args in (
            ("package", ["--strict", "-p", "pqc_ebpf_attestation"]),
            ("typed client", ["--strict", str(HERE / "typed_client.py")]),
        ):
            done = mypy(cache, *args)
            print(f"mypy {what}: exit {done.returncode}\n{done.stdout}{done.stderr}")
            failures += done.returncode != 0

        misuse = HERE / "typed_misuse.py"
        expected = {i + 1 for i, line in enumerate(misuse.read_text().splitlines()) if "# expect-error" in line}
        done = mypy(cache, "--strict", str(misuse))
        reported = {int(m.group(1)) for m in re.finditer(r"typed_misuse\.py:(\d+): error", done.stdout)}
        print(f"mypy misuse: expected errors on lines {sorted(expected)}, got {sorted(reported)}")
        if reported != expected:
            print(done.stdout)
            failures += 1

        stub = subprocess.run(
            [sys.executable, "-m", "mypy.stubtest", "--allowlist", str(HERE / "stubtest_allowlist.txt"),
             "pqc_ebpf_attestation._native"],
            capture_output=True, text=True,
        )
        print(f"stubtest: exit {stub.returncode}\n{stub.stdout}{stub.stderr}")
        failures += stub.returncode != 0
    failures += check_argument_names()
    return 1 if failures else 0


def split_top_level(text: str) -> list[str]:
    parts, depth, start = [], 0, 0
    for i, c in enumerate(text):
        if c in "[(":
            depth += 1
        elif c in "])":
            depth -= 1
        elif c == "," and depth == 0:
            parts.append(text[start:i])
            start = i + 1
    if text[start:].strip():
        parts.append(text[start:])
    return parts


def runtime_arg_names(obj: object) -> list[str] | None:
    doc = (getattr(obj, "__doc__", None) or "").splitlines()
    m = re.match(r"^\w+\((.*)\) ->", doc[0]) if doc else None
    if m is None:
        return None
    names = [p.split(":")[0].strip() for p in split_top_level(m.group(1))]
    return [n for n in names if n != "self"]


def check_argument_names() -> int:
    import ast

    from pqc_ebpf_attestation import _native

    tree = ast.parse((pathlib.Path(_native.__file__).parent / "_native.pyi").read_text())
    failures = checked = 0

    def check(fn: ast.FunctionDef, runtime: object, where: str) -> None:
        nonlocal failures, checked
        if any(isinstance(d, ast.Name) and d.id == "property" for d in fn.decorator_list):
            return
        stub = [a.arg for a in fn.args.args if a.arg != "self"]
        actual = runtime_arg_names(runtime)
        checked += 1
        if actual != stub:
            print(f"argument names differ for {where}: stub {stub}, extension {actual}")
            failures += 1

    for node in tree.body:
        if isinstance(node, ast.FunctionDef):
            check(node, getattr(_native, node.name), node.name)
        elif isinstance(node, ast.ClassDef):
            cls = getattr(_native, node.name)
            for item in node.body:
                if isinstance(item, ast.FunctionDef):
                    check(item, getattr(cls, item.name), f"{node.name}.{item.name}")
    print(f"argument names: {checked} functions checked, {failures} differ")
    return 1 if failures or checked == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
