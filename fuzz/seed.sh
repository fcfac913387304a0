#!/usr/bin/env bash
# Seeds each target's corpus (fuzz/corpus/TARGET/, not committed) from the repository:
# examples and fixtures for pipelines, state fixtures, and plans the binary writes.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p fuzz/corpus/{pipeline,cli_args,state_file,plan_file}
cp examples/*.dag examples/shared/*.dag tests/fixtures/invalid/*.dag tests/fixtures/variants/*.dag fuzz/corpus/pipeline/ 2>/dev/null || true
cp tests/fixtures/state/* fuzz/corpus/state_file/ 2>/dev/null || true
cargo build --quiet
for f in examples/*.dag; do
  name=$(basename "$f" .dag)
  target/debug/dagplan plan "$f" --as-of 2024-06-01T00:00:00Z --format json -o "fuzz/corpus/plan_file/$name.json" 2>/dev/null || true
  target/debug/dagplan plan "$f" --as-of 2024-06-01T00:00:00Z --format jsonl -o "fuzz/corpus/plan_file/$name.jsonl" 2>/dev/null || true
done
printf '\x00--as-of\x002024-01-05T00:00:00Z\x00--format\x00jsonl' > fuzz/corpus/cli_args/plan
printf '\x01daily\x00--limit\x003' > fuzz/corpus/cli_args/keys
printf '\x02--from\x00raw_sales\x00--to\x00clean_sales\x00--key\x002024-01-02' > fuzz/corpus/cli_args/map
printf '\x00--select\x00group:ingest+\x00--partitions\x00last:3' > fuzz/corpus/cli_args/select
S=fuzz/corpus/state_file/marked.toml
rm -f "$S"
target/debug/dagplan state add-keys stores north south --state "$S" >/dev/null 2>&1 || true
target/debug/dagplan state mark tests/fixtures/state/stores.dag ingest --partitions 2024-01-01...2024-01-03 \
  --materialized --state "$S" --as-of 2024-07-01T00:00:00Z >/dev/null 2>&1 || true
rm -f "$S.lock"
