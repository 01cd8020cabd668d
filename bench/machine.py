"""One line about the machine a benchmark ran on, printed with its figures.

The figures depend on it more than on anything else: an upload hashes every byte with SHA-256
three times in the client (the tree hash's leaves, the box's MAC, the request signature) and once
in the server, where the crypto baseline hashes it once; on a CPU without the SHA extensions each
of those passes costs more than twice as much as AES-256-CBC (docs/performance.md, ◊).
"""

import os
from pathlib import Path


def describe() -> str:
    model, flags = "unknown CPU", set()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            name, _, value = line.partition(":")
            if name.strip() == "model name":
                model = value.strip()
            elif name.strip() == "flags":
                flags = set(value.split())
                break
    except OSError:
        pass
    sha, aes = ("yes" if flag in flags else "no" for flag in ("sha_ni", "aes"))
    return f"machine: {model}, {os.cpu_count()} cores, SHA extensions: {sha}, AES-NI: {aes}"
