"""Type checks of the Python module, run by CTest (pqbpf_python_mypy).

1. mypy --strict over the package itself (its annotations and _native.pyi);
2. mypy --strict over typed_client.py, a client written against the API;
3. mypy over typed_misuse.py must report exactly the errors marked there
   (so the checks above are not passing because mypy sees nothing);
4. mypy.stubtest: _native.pyi matches the built extension.
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
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
