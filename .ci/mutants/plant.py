#!/usr/bin/env python3
"""Hand-made mutation testing: plants one small bug at a time in the source, builds and runs a test
project, records whether any test failed, and restores the file. Run it on a scratch copy of the
repository (it edits files in place while it runs):

    git archive HEAD | tar -x -C /tmp/mut && cd /tmp/mut && .ci/mutants/plant.py .ci/mutants/invalidation.py

A list file defines M = [(label, file, old, new), ...]: `old` must occur exactly once in `file`.
Prints KILLED / SURVIVED / TIMEOUT / COMPILE-ERROR per mutation with the failed tests, then the count.
"""
import os
import pathlib
import re
import shutil
import subprocess
import sys

root = pathlib.Path(os.environ.get('PLANT_ROOT', pathlib.Path(__file__).resolve().parents[2]))
ns = {}
exec(open(sys.argv[1]).read(), ns)
project = sys.argv[2] if len(sys.argv) > 2 else 'tests/SmmuLab.Driver.Tests'
# PLANT_LIBRARY=SmmuLab.Driver: rebuild only that library (every mutation must be in it).
library = os.environ.get('PLANT_LIBRARY')
if library:
    original = (root / project / 'bin/Debug/net10.0' / f'{library}.dll').read_bytes()
results = []
for label, f, old, new in ns['M']:
    p = root / f
    src = p.read_text()
    if src.count(old) != 1:
        print(f'SKIP {label}: pattern found {src.count(old)} times', flush=True)
        continue
    p.write_text(src.replace(old, new))
    try:
        if library:
            # Only the mutated library is rebuilt and copied over the test project's copy (the test
            # project must have been built once): much faster than rebuilding every project.
            b = subprocess.run(['dotnet', 'build', f'src/{library}', '--no-restore', '-v', 'q', '-clp:ErrorsOnly'], cwd=root, capture_output=True, text=True)
            if b.returncode == 0:
                shutil.copy(root / 'src' / library / 'bin/Debug/net10.0' / f'{library}.dll', root / project / 'bin/Debug/net10.0')
        else:
            b = subprocess.run(['dotnet', 'build', project, '-v', 'q', '-clp:ErrorsOnly'], cwd=root, capture_output=True, text=True)
        if b.returncode != 0:
            print(f'COMPILE-ERROR {label}', flush=True)
            continue
        try:
            t = subprocess.run(['dotnet', 'test', '--project', project, '--no-build'], cwd=root, capture_output=True, text=True, timeout=600)
            failed = sorted(set(re.findall(r'^failed (\S+)', t.stdout + t.stderr, re.M)))
            status = 'killed' if t.returncode != 0 else 'survived'
        except subprocess.TimeoutExpired:
            failed, status = ['(timeout)'], 'timeout'
        print(f'{status.upper()} {label}: {len(failed)} failed: {" ".join(x.split(".")[-1] for x in failed[:8])}', flush=True)
        results.append((label, status))
    finally:
        p.write_text(src)
        if library:
            (root / project / 'bin/Debug/net10.0' / f'{library}.dll').write_bytes(original)
caught = sum(1 for r in results if r[1] != 'survived')
print(f'caught {caught} of {len(results)}')
