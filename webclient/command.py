"""The `anoni` command's entry point. Ctrl-C while webclient.cli and what it needs are still being
imported (about a tenth of a second) ends the command as it does later, not with a traceback."""

import sys


def main() -> int:
    try:
        from webclient.cli import main as run
    except KeyboardInterrupt:
        print("\nanoni: interrupted", file=sys.stderr)
        return 130
    return run()
