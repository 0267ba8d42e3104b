#!/usr/bin/env bash
# usage: run.sh KINDLING_DLL OUTROOT  -- records small fixed-seed runs for the before/after metrics check
set -u
dll=$1; out=$2; mkdir -p $out
common="--plain --set training.threads=1 --set data.train_subset=2000 --set data.validation.holdout=1000 --set data.num_workers=1"
k() { dotnet $dll "$@"; }
k train $common --set training.epochs=2 --out $out/A > $out/A.log 2>&1
k train $common --set training.epochs=2 --set batch_mix.mixup_alpha=0.2 --set batch_mix.cutmix_alpha=1.0 --set training.ema.decay=0.99 \
  --set training.accumulation_steps=3 --set training.clip_grad_norm=1.0 --out $out/B > $out/B.log 2>&1
k train $common --set training.epochs=1 --set data.train_subset=600 --set training.precision=fp16_mixed --out $out/C > $out/C.log 2>&1
timeout -s INT 12s dotnet $dll train $common --set training.epochs=2 --out $out/D > $out/D1.log 2>&1
k train --plain --resume $out/D > $out/D2.log 2>&1
echo done
