#!/usr/bin/env bash
# Fit 4 shards of a corpus in parallel with `xargs -P 2`, merge them, and compare with a one-shot
# fit and with one-shot vectorize output: the scale-out contract, with nothing but the CLI.
# Usage: shards_xargs.sh PARALLAX_BINARY CORPUS.jsonl WORKDIR
set -euo pipefail
parallax=$1 corpus=$2 work=$3
cd "$work"
flags=(--min-df 2 --max-df 0.9)

"$parallax" fit "$corpus" --model one.json "${flags[@]}" -q
"$parallax" vectorize "$corpus" --out one "${flags[@]}" -q

split -n l/4 -d --additional-suffix=.jsonl "$corpus" part
ls part*.jsonl | xargs -P 2 -I{} "$parallax" fit --shard {} --model {}.shard.json -q
"$parallax" merge part*.jsonl.shard.json --model merged.json "${flags[@]}" -q
cmp one.json merged.json

# Each shard is transformed on its own with the merged model; concatenated, the rows equal the
# one-shot matrix.
ls part*.jsonl | xargs -P 2 -I{} "$parallax" transform {} --model merged.json --out {}.out --format jsonl -q
cat part*.jsonl.out/rows.jsonl > sharded-rows.jsonl
"$parallax" transform "$corpus" --model one.json --out whole --format jsonl -q
cmp whole/rows.jsonl sharded-rows.jsonl
cmp one/vocabulary.tsv whole/vocabulary.tsv
echo "shards: merged model and rows equal the one-shot run"
