#!/usr/bin/env bash
# usage: run2.sh KINDLING_DLL OUTROOT: an uninterrupted 5-epoch run (E) and the same interrupted by SIGINT and resumed (D)
set -u
dll=$1; out=$2; mkdir -p $out; rm -rf $out/D $out/E
common="--plain --set training.threads=1 --set data.train_subset=2000 --set data.validation.holdout=1000 --set data.num_workers=1 --set training.epochs=5 --set training.accumulation_steps=2"
dotnet $dll train $common --out $out/E > $out/E.log 2>&1
timeout -s INT 11s dotnet $dll train $common --out $out/D > $out/D1.log 2>&1
dotnet $dll train --plain --resume $out/D > $out/D2.log 2>&1
echo done
