#!/bin/sh
# The short recipe runs behind README's "Recipes" table: resnet5 on CIFAR-10-format and resnet9 on
# CIFAR-100-format procedural files (bench/make-cifar.ts), BP, LR and ALR with a few settings each,
# one epoch on a few hundred records (2 shared cores: these are small by necessity). Prints one line
# per run: the command's settings, test accuracy, and wall seconds, read from each train-report.json.
# Usage: bench/recipes.sh OUT_DIR [RUNS...]; RUNS are labels of the list below (default: all).
# CIFAR_DIR=DIR reads CIFAR files from DIR (e.g. real CIFAR, or files from another generator) instead
# of writing procedural ones to OUT_DIR/data.
set -eu
out=${1:?usage: bench/recipes.sh OUT_DIR [RUNS...]}
shift
data=${CIFAR_DIR:-$out/data}
[ -d "$data/cifar-10-batches-bin" ] || [ -n "${CIFAR_DIR:-}" ] || npx tsx bench/make-cifar.ts "$data" >/dev/null
alrflow() { node src/cli/alrflow.mjs "$@"; }
run() {
  label=$1
  shift
  if [ -n "${RUNS:-}" ] && ! echo " $RUNS " | grep -q " $label "; then return 0; fi
  alrflow train "$@" --data-dir "$data" --out "$out/$label" --force --quiet >/dev/null 2>"$out/$label.err" || true
  node -e "
    const r = require('$out/$label/train-report.json').summary;
    console.log('$label', 'test', (100 * r.final.testAccuracy).toFixed(1) + '%', 'train', (100 * r.final.trainAccuracy).toFixed(1) + '%', r.wallSeconds.toFixed(0) + ' s');
  " 2>/dev/null || echo "$label failed: $(tail -1 "$out/$label.err")"
}
RUNS="$*"
r5="--model resnet5 --dataset cifar10 --epochs 1 --test-limit 500"
r9="--model resnet9 --dataset cifar100 --epochs 1 --test-limit 200"
run r5-bp-sgd $r5 --method bp --limit 4096 --batch 32 --optimizer sgd --lr 0.05
run r5-bp-adam $r5 --method bp --limit 4096 --batch 32 --optimizer adam --lr 0.001
run r5-alr-adam $r5 --method alr --copies 8 --sigma 0.1 --limit 1024 --batch 32 --optimizer adam --lr 0.001
run r5-alr-sgd $r5 --method alr --copies 8 --sigma 0.1 --limit 1024 --batch 32 --optimizer sgd --lr 0.01
run r5-lr-adam $r5 --method lr --copies 8 --sigma 0.1 --limit 1024 --batch 32 --optimizer adam --lr 0.001
run r9-bp-adam $r9 --method bp --limit 256 --batch 32 --optimizer adam --lr 0.001
run r9-alr-adam $r9 --method alr --copies 4 --sigma 0.1 --limit 64 --batch 16 --optimizer adam --lr 0.001
run r9-lr-adam $r9 --method lr --copies 4 --sigma 0.1 --limit 64 --batch 16 --optimizer adam --lr 0.001
run r5-alr-adam-4k $r5 --method alr --copies 8 --sigma 0.1 --limit 4096 --batch 32 --optimizer adam --lr 0.003
run r9-alr-adam-1e-4 $r9 --method alr --copies 4 --sigma 0.1 --limit 64 --batch 16 --optimizer adam --lr 0.0001
# The ALR diagnosis on 1,024 records (README): which part of resnet5 ALR moves in one short epoch.
k8="--limit 1024 --batch 32 --copies 8 --sigma 0.1"
convs=conv1,conv1.bn,res1.conv1,res1.conv1.bn,res1.conv2,res1.conv2.bn,conv2,conv2.bn
run r5-1k-bp-adam $r5 $k8 --method bp --optimizer adam --lr 0.001
run r5-1k-alr-adam $r5 $k8 --method alr --optimizer adam --lr 0.001
run r5-1k-alr-adam-3e-4 $r5 $k8 --method alr --optimizer adam --lr 0.0003
run r5-1k-alr-sgd $r5 $k8 --method alr --optimizer sgd --lr 0.01
run r5-1k-ahybrid-fc-bp $r5 $k8 --method a-hybrid --optimizer adam --lr 0.001
run r5-1k-ahybrid-fc-alr $r5 $k8 --method a-hybrid --bp-layers $convs --optimizer adam --lr 0.001
