"""`python -m benchmarks`: print every benchmark's figures; exit 1 if a target is missed."""

from __future__ import annotations

import sys

from . import (
    bounded,
    detection,
    extraction,
    fidelity,
    insights,
    journeys,
    meaning,
    relevance,
    rendering,
    reuse,
    search,
    workspace,
)


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
            f"  {row['case']:<16} {row['words']:>8} words  {row['suggestions']:>6} suggestions "
            f"({row['warnings']} warnings)  {row['seconds']:6.3f} s  (target < {row['target']:.1f} s) {mark}"
        )
        failed |= not row["ok"]
    peak = detection.worker_peak()
    print(
        f"  {peak['case']:<16} {peak['mb']:8.0f} MB  (target < {peak['target']} MB) "
        + ("ok" if peak["ok"] else "MORE THAN TARGET")
    )
    failed |= not peak["ok"]
    answers, growth = bounded.run()
    print("Bounded work per upload (read in the worker with the configured limits)")
    for row in answers:
        mark = "ok" if row["ok"] else "SLOWER THAN TARGET"
        print(
            f"  {row['case']:<18} {row['bytes'] / 1024:8.0f} KB  {row['outcome']:<34} "
            f"{row['seconds']:6.3f} s  (target < {row['target']:.0f} s) {mark}"
        )
        failed |= not row["ok"]
    mark = "ok" if growth["ok"] else "GROWS FASTER THAN LINEAR"
    print(
        f"  detection and final-check look-ups: 10,000 words {growth['small']:.3f} s "
        f"({growth['small_found']} found), 100,000 words {growth['large']:.3f} s "
        f"({growth['large_found']} found): "
        f"x{growth['ratio']:.1f} for x10 input (target <= x{growth['target']:.0f}) {mark}"
    )
    failed |= not growth["ok"]
    print("PDF fidelity (benchmarks/fidelity.py: PDFs made with known text; held-out seeds never tuned on)")
    for part, seeds in (("development", fidelity.DEVELOPMENT), ("held out", fidelity.HELD_OUT)):
        for name, value in fidelity.measure(seeds).items():
            print(f"  {part:<12} {name}: {value}")
    for name, value in fidelity.upload_times().items():
        print(f"  {name}: {value}")
    print(
        f"Adversarial markdown ({rendering.LIMIT:,} characters, and the most the element limit takes; "
        f"each page's first opening, target < {rendering.PAGE_TARGET_S:.0f} s)"
    )
    for row in rendering.run():
        mark = "ok" if row["ok"] else "SLOWER THAN TARGET"
        pages = "  ".join(f"{name} {seconds:.2f}" for name, seconds in row["pages"].items())
        print(
            f"  {row['shape']:<16} {row['characters']:>8} chars {row['elements']:>7} elements  "
            f"{row['outcome']:<22} upload {row['upload']:5.2f} s  {pages}  {mark}"
        )
        failed |= not row["ok"]
    print(
        f"Search ({len(search.QUERIES)} realistic queries x {len(search.FILTERS)} filter sets; in process, "
        f"then GET /api/v1/search under gunicorn with 2 workers: one client, then {search.CLIENTS} at once)"
    )
    for row in search.run():
        target = f"{row['target']:.0f}" if row["target"] else "none"
        mark = "ok" if row["ok"] else "MISSES A TARGET"
        print(
            f"  {row['backend']:<8} {row['documents']:>6} docs  indexing {row['rate']:5.0f} docs/s"
            f"  in process p50 {row['p50']:5.1f} p95 {row['p95']:5.1f} ms"
            f"  HTTP p50 {row['http_p50']:5.1f} p95 {row['http_p95']:6.1f} ms (target {target})"
            f"  {row['qps']:5.1f} q/s  worker {row['rss_mb']:4.0f} MB"
            f"  (reader may read {row['readable']}, a query finds {row['share']:.0%} of that)  {mark}"
        )
        failed |= not row["ok"]
    print(
        f"  targets at 10,000: indexing >= {search.RATE_TARGET:.0f} docs/s (default backend), "
        f">= {search.QPS_TARGET:.0f} q/s, worker < {search.RSS_TARGET_MB:.0f} MB"
    )
    row = meaning.run()
    mark = "ok" if row["ok"] else "MISSES A TARGET"
    print(
        f"Search by meaning: a 20-page self-assessment ({row['words']:,} words, {row['passages']} passages) "
        f"embedded in {row['seconds']:.3f} s (target < {meaning.EMBED_TARGET_S:.0f} s); a process with the "
        f"model loaded {row['memory_mb']:.0f} MB (target < {meaning.MEMORY_TARGET_MB:.0f} MB)  {mark}"
    )
    failed |= not row["ok"]
    print("Search relevance (nDCG@10 through the app; benchmarks/relevance: held-out sets never tuned on)")
    for name in relevance.SETS:
        for hybrid_on in (False, True):
            r = relevance.measure(name, hybrid_on=hybrid_on)
            kinds = "  ".join(f"{k} {v:.2f}" for k, v in r["by_kind"].items())
            how = "words and meaning" if hybrid_on else "words alone"
            print(
                f"  {name:<8} {how:<18} {r['ndcg']:.2f}  ({kinds})"
                f"  {r['empty']} of {r['queries']} queries found nothing; {r['documents']} documents"
            )
        related = relevance.measure_related(name)["precision_at_5"]
        outline = relevance.measure_outline(name)["f1"]
        print(f"  {name:<8} related documents precision@5 {related:.2f}; outline grouping (F1) {outline:.2f}")
    print(
        "Starter: sections and key lines of enquiry recognised (benchmarks/relevance/starter.toml; "
        "'heldout' never tuned on)"
    )
    for (part, key), r in relevance.measure_starter().items():
        print(
            f"  {part:<8} {key:<9} right {r['right']:>2} of {r['of']}, "
            f"given the wrong kind or theme {r['wrong']}"
        )
    row = workspace.run()
    mark = "ok" if row["ok"] else "MISSES A TARGET"
    print(f"Redaction workspace (a 20-page self-assessment, {row['suggestions']} suggestions, over HTTP)")
    print(
        f"  open, p95 of 20: {row['open_pending']:.3f} s with suggestions to review, "
        f"{row['open_checked']:.3f} s with the final check (target < {workspace.OPEN_TARGET_S:.1f} s); "
        f"page {row['bytes'] / 1024:.0f} KB (target < {workspace.BYTES_TARGET / 1024:.0f} KB)"
    )
    print(
        f"  one decision, request to updated preview ({row['decisions']}): p50 {row['p50']:.1f} ms, "
        f"p95 {row['p95']:.1f} ms (target < {workspace.DECISION_P95_TARGET_MS:.0f}) {mark}"
    )
    print(
        f"  the final check that follows once nothing is pending ({row['checks']}): "
        f"p50 {row['check_p50']:.0f} ms, p95 {row['check_p95']:.0f} ms"
    )
    failed |= not row["ok"]
    print(
        f"Main journeys ({journeys.DOCUMENTS:,} published documents; each page opened {journeys.OPENS} "
        f"times over HTTP by a signed-in person; target p95 < {journeys.TARGET_MS:.0f} ms)"
    )
    for row in journeys.run():
        mark = "ok" if row["ok"] else "SLOWER THAN TARGET"
        print(
            f"  {row['role']:<12} {row['page']:<30} p50 {row['p50']:6.1f} ms  p95 {row['p95']:6.1f} ms  "
            f"{row['kb']:6.0f} KB  {mark}"
        )
        failed |= not row["ok"]
    print(
        f"Starting from examples ({reuse.DOCUMENTS:,} published documents; {reuse.EXAMPLES} SEND "
        f"self-assessments the reader may read; through the app, {reuse.CALLS} calls each)"
    )
    for row in reuse.run():
        mark = "ok" if row["ok"] else "MISSES A TARGET"
        print(
            f"  {row['database']:<10} outline of {row['examples']} examples ({row['headings']} sections in "
            f"{row['groups']} groups): p50 {row['outline_p50']:.0f} ms, p95 {row['outline_p95']:.0f} ms "
            f"(target < {reuse.OUTLINE_TARGET_MS:.0f});  starter: p50 {row['starter_p50']:.0f} ms, "
            f"p95 {row['starter_p95']:.0f} ms (target < {reuse.STARTER_TARGET_MS:.0f}), "
            f"{row['starter_kb']:.0f} KB  {mark}"
        )
        failed |= not row["ok"]
    print(
        f"Insights ({insights.DOCUMENTS:,} published documents, {insights.READS:,} reads recorded; "
        f"through the app, {insights.CALLS} calls each)"
    )
    for row in insights.run():
        mark = "ok" if row["ok"] else "MISSES A TARGET"
        print(
            f"  {row['database']:<10} /insights: a reader p50 {row['reader_p50']:.0f} ms, "
            f"p95 {row['reader_p95']:.0f} ms; an administrator p50 {row['admin_p50']:.0f} ms, "
            f"p95 {row['admin_p95']:.0f} ms (target < {insights.PAGE_TARGET_MS:.0f});  a document request "
            f"p95 {row['on_p95']:.2f} ms counting, {row['off_p95']:.2f} ms not: "
            f"adds {row['added_p95']:.2f} ms (target < {insights.COUNT_TARGET_MS:.0f}); "
            f"{row['reads']:,} reads  {mark}"
        )
        failed |= not row["ok"]
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
