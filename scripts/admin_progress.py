#!/usr/bin/env python3
# This file is part of the property service suite. See README.md.
"""Progress of `trytond-admin -v` (its log on stdin): every few seconds
how many modules are loaded out of those to load (the dependency closure of
the modules named as arguments), then the translations; every line that
is not an INFO line (warnings, errors, tracebacks) is passed through.

    trytond-admin -v ... 2>&1 | python scripts/admin_progress.py MODULE...
"""
import re
import sys
import time

EVERY = 5  # seconds between two progress lines
LOAD = re.compile(r' INFO trytond\.modules (\w+) load$')
STEP = re.compile(r' INFO trytond\.admin (.*)$')


def closure(names):
    from trytond.modules import get_module_info
    seen = {'ir', 'res'}
    todo = list(names)
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        todo.extend(get_module_info(name).get('depends', []))
    return seen


def main():
    total = len(closure(sys.argv[1:]))
    started = last = time.monotonic()
    loaded = set()
    for line in sys.stdin:
        line = line.rstrip('\n')
        now = time.monotonic()
        match = LOAD.search(line)
        if match:
            loaded.add(match.group(1))
            if now - last >= EVERY or len(loaded) == total:
                print('  modules loaded %d/%d (%s, %.0f s)' % (
                        len(loaded), total, match.group(1), now - started),
                    flush=True)
                last = now
            continue
        match = STEP.search(line)
        if match:
            print('  %s (%.0f s)' % (match.group(1), now - started),
                flush=True)
            last = now
            continue
        if ' INFO ' in line:
            continue
        print(line, file=sys.stderr, flush=True)


if __name__ == '__main__':
    main()
