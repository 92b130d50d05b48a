#!/usr/bin/env python3
"""The retrieval benchmark's high anchor: tantivy (PyPI `tantivy`) on the same corpus and questions.

    python3 bench/retrieval/tantivy_anchor.py [--corpus .build-bench/retrieval-corpus.jsonl]
        [--queries .build-bench/retrieval-queries.jsonl] [--threads 1] [--heap-mb 256]

Both files come from `retrieval-bench` (bench/retrieval/main.swift), which writes every
passage's and question's search tokens as `SearchTokenizer` makes them. tantivy indexes those
token strings with its `whitespace` tokenizer (no further folding), in two fields weighted as
SearchIndex weighs its FTS5 columns (title 2, body 1), and runs each question as an OR of its
tokens over both fields, BM25, top 5, reading the 5 stored ids.

Two query sets: `all` (every token of the question, as a user typed it, stop words removed as
QueryPlan does) and `capped` (only the tokens SearchIndex sends to FTS5 after dropping those held
by more than 5 % of the passages), so the comparison with ours holds either way.

Prints one `RESULT {json}` line per measurement.
"""

import argparse
import json
import math
import os
import shutil
import sys
import tempfile
import time

try:
    import tantivy
except ImportError as error:  # run.sh installs it into .build-bench/venv
    sys.exit(f"tantivy_anchor: cannot import tantivy ({error}); pip install tantivy")


def result(name, fields):
    fields = dict(fields, name=name)
    print("RESULT " + json.dumps(fields, sort_keys=True, ensure_ascii=False), flush=True)


def summary(times_ms):
    """p50, p99, p99.9 (nearest rank), max and mean, in ms."""
    if not times_ms:
        return {"count": 0}
    ordered = sorted(times_ms)

    def percentile(p):
        return ordered[min(len(ordered) - 1, max(0, math.ceil(p * len(ordered)) - 1))]

    return {
        "count": len(ordered),
        "p50_ms": percentile(0.50),
        "p90_ms": percentile(0.90),
        "p99_ms": percentile(0.99),
        "p999_ms": percentile(0.999),
        "max_ms": ordered[-1],
        "mean_ms": sum(ordered) / len(ordered),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", default=".build-bench/retrieval-corpus.jsonl")
    parser.add_argument("--queries", default=".build-bench/retrieval-queries.jsonl")
    parser.add_argument("--threads", type=int, default=1, help="indexing threads (ours indexes on one)")
    parser.add_argument("--heap-mb", type=int, default=256, help="the writer's memory budget")
    parser.add_argument("--repeat", type=int, default=1, help="extra passes over the questions")
    parser.add_argument("--index", help="keep the index in this folder (default: a temporary one)")
    parser.add_argument("--ours", help="retrieval-bench --results-out file: report the top-5 overlap")
    args = parser.parse_args()

    builder = tantivy.SchemaBuilder()
    builder.add_text_field("id", stored=True, tokenizer_name="raw", index_option="basic")
    # Positions, like FTS5's default detail=full, so the index holds what ours does.
    builder.add_text_field("title", tokenizer_name="whitespace", index_option="position")
    builder.add_text_field("body", tokenizer_name="whitespace", index_option="position")
    schema = builder.build()

    folder = args.index or tempfile.mkdtemp(prefix="retrieval-tantivy-")
    if args.index:
        shutil.rmtree(folder, ignore_errors=True)
        os.makedirs(folder)

    # Read the corpus first: the build time counts tantivy, not JSON parsing.
    passages = []
    with open(args.corpus, encoding="utf-8") as lines:
        for line in lines:
            row = json.loads(line)
            passages.append((row["id"], row["title_tokens"], row["tokens"]))
    questions = []
    with open(args.queries, encoding="utf-8") as lines:
        for line in lines:
            questions.append(json.loads(line))

    start = time.perf_counter()
    index = tantivy.Index(schema, path=folder)
    writer = index.writer(heap_size=args.heap_mb << 20, num_threads=args.threads)
    for identifier, title, body in passages:
        writer.add_document(tantivy.Document(id=identifier, title=title, body=body))
    writer.commit()
    writer.wait_merging_threads()
    build_s = time.perf_counter() - start
    index.reload()
    searcher = index.searcher()
    size = sum(os.path.getsize(os.path.join(folder, name)) for name in os.listdir(folder))
    result(
        "tantivy-build",
        {
            "passages": searcher.num_docs,
            "build_s": build_s,
            "passages_per_s": len(passages) / build_s,
            "threads": args.threads,
            "heap_mb": args.heap_mb,
            "index_bytes": size,
            "segments": searcher.num_segments,
            "tantivy": getattr(tantivy, "__version__", "?"),
        },
    )

    def query_for(tokens):
        clauses = []
        for token in tokens:
            clauses.append((tantivy.Occur.Should, tantivy.Query.boost_query(tantivy.Query.term_query(schema, "title", token), 2.0)))
            clauses.append((tantivy.Occur.Should, tantivy.Query.term_query(schema, "body", token)))
        return tantivy.Query.boolean_query(clauses) if clauses else None

    def run(tokens):
        """ms and ids for one question: build the query, top 5 by BM25 (no total count, so
        tantivy may skip blocks that cannot reach the top 5), read the 5 stored ids."""
        begin = time.perf_counter_ns()
        query = query_for(tokens)
        ids = []
        if query is not None:
            for _score, address in searcher.search(query, limit=5, count=False).hits:
                ids.append(searcher.doc(address)["id"][0])
        return (time.perf_counter_ns() - begin) / 1e6, ids

    # Warm-up: every question once, so the first measured pass is not paying for page faults.
    for question in questions[: min(200, len(questions))]:
        run(question["tokens"])

    for pass_number in range(1 + args.repeat):
        for mode, field in (("all", "tokens"), ("capped", "capped_tokens")):
            times = []
            empty = 0
            found_ids = []
            for question in questions:
                ms, ids = run(question[field])
                times.append(ms)
                empty += not ids
                found_ids.append(ids)
            suffix = "" if mode == "all" else "-capped-terms"
            if pass_number:
                suffix += "-repeat"
            fields = summary(times)
            fields.update({"empty": empty, "passages": searcher.num_docs, "terms": mode})
            fields["pass"] = "repeat" if pass_number else "first"
            result("tantivy-search" + suffix, fields)
            frequent = [ms for ms, question in zip(times, questions) if question["frequent"]]
            result("tantivy-search-frequent" + suffix, summary(frequent))
            all_frequent = [
                ms for ms, question in zip(times, questions)
                if question["over_cap"] and question["over_cap"] == len(question["tokens"])
            ]
            result("tantivy-search-all-frequent" + suffix, summary(all_frequent))
            if not pass_number and args.ours:
                ours = {}
                with open(args.ours, encoding="utf-8") as lines:
                    for line in lines:
                        row = json.loads(line)
                        ours[row["id"]] = row["documents"]
                shares = []
                by_kind = {}
                for question, ids in zip(questions, found_ids):
                    mine = ours.get(question["id"], [])
                    if mine or ids:
                        share = len(set(mine) & set(ids)) / max(len(mine), len(ids))
                        shares.append(share)
                        by_kind.setdefault(question["kind"], []).append(share)
                result(
                    "tantivy-overlap" + ("" if mode == "all" else "-capped-terms"),
                    {
                        "overlap_at_5": sum(shares) / max(1, len(shares)),
                        "questions": len(shares),
                        "terms": mode,
                        "by_kind": {kind: round(sum(v) / len(v), 3) for kind, v in sorted(by_kind.items())},
                    },
                )
            if not pass_number and mode == "all":
                kinds = {}
                for kind in sorted({question["kind"] for question in questions}):
                    kinds[kind] = summary([ms for ms, question in zip(times, questions) if question["kind"] == kind])
                result("tantivy-search-kinds", {"kinds": kinds})

    if not args.index:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
