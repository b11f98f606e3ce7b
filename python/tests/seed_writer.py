"""One writer process of the seed's contention test (`test_concurrency.py`):
WRITES times, read the file with its revision, add this writer's line, write
it back with `expect` and no merge (a plain compare-and-swap, as the seed's
`safe_write_yaml(path, data, last_mtime)` meant to be), and on a conflict
read again and redo the change. Prints one JSON line: writes made, attempts.

    python seed_writer.py ROOT FILE NAME WRITES
"""

import json
import sys

import cfgsafe

root, file, name, writes = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
store = cfgsafe.Store(root, lock_timeout=60)
made = attempts = 0
for n in range(writes):
    while True:
        attempts += 1
        text, rev = store.read(file)
        try:
            store.write(file, text + f"{name}-{n}: {n}\n".encode(), expect=rev, merge=False)
        except cfgsafe.Conflict:
            continue
        made += 1
        break
print(json.dumps({"made": made, "attempts": attempts}))
