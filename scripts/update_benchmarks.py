#!/usr/bin/env python3
"""Replaces the measured block of docs/benchmarks.md with a fresh benchmark run's output.

The block sits between the markers <!-- route-benchmark:begin --> and <!-- route-benchmark:end -->;
everything else in the document is prose kept by hand.
"""

import sys
from pathlib import Path

BEGIN, END = "<!-- route-benchmark:begin -->", "<!-- route-benchmark:end -->"


def main(document: str, results: str) -> None:
    doc = Path(document).read_text()
    fresh = Path(results).read_text().strip()
    if BEGIN not in doc or END not in doc:
        sys.exit(f"{document} has no {BEGIN} ... {END} block")
    head, rest = doc.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    Path(document).write_text(f"{head}{BEGIN}\n{fresh}\n{END}{tail}")


if __name__ == "__main__":
    main(*sys.argv[1:3])
