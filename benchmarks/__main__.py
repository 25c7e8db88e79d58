"""`python -m benchmarks`: print every benchmark's figures; exit 1 if a target is missed."""

from __future__ import annotations

import sys

from . import detection, extraction


def main() -> int:
    failed = False
    print("Extraction (median of 3 runs)")
    for row in extraction.run():
        mark = "ok" if row["ok"] else "SLOWER THAN TARGET"
        print(
            f"  {row['case']:<16} {row['bytes'] / 1024:8.0f} KB  {row['characters']:>8} chars  "
            f"{row['seconds']:6.3f} s  (target < {row['target']:.1f} s) {mark}"
        )
        failed |= not row["ok"]
    print("Redaction detection (median of 3 runs)")
    for row in detection.run():
        mark = "ok" if row["ok"] else "SLOWER THAN TARGET"
        print(
            f"  {row['case']:<16} {row['words']:>8} words  {row['suggestions']:>6} suggestions  "
            f"{row['seconds']:6.3f} s  (target < {row['target']:.1f} s) {mark}"
        )
        failed |= not row["ok"]
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
