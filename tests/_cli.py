"Run a `klg-*` console script of this environment in a directory, as a user would from a shell."

import os, subprocess, sys
from pathlib import Path

BIN = Path(sys.executable).parent


def klg(family: str, cwd, *args, env: dict | None = None) -> subprocess.CompletedProcess:
    """Run `klg-<family> *args` in `cwd` with OMP_NUM_THREADS defaulting to 2 (`env` adds or
    overrides variables); output captured as text."""
    env = {**os.environ, 'OMP_NUM_THREADS': os.environ.get('OMP_NUM_THREADS', '2'), **(env or {})}
    return subprocess.run(
        [str(BIN / f'klg-{family}'), *args], capture_output=True, text=True, cwd=cwd, env=env
    )
