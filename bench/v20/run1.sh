# Session 16, device call 1: PDL around the split kernel (gk32): correctness and chain times, then the A/B.
export PYTHONPATH=$PWD:$PWD/bench PYTHONUNBUFFERED=1
V="old=pkg,trig=bench/v20/gk32.py:GK_TRIG=1,pdls=bench/v20/gk32.py:GK_PDLS=1,both=bench/v20/gk32.py:GK_PDLS=1:GK_TRIG=1"
T=$(date -u +%H%M)
VARS=$V CASES="8/127/0/0/4/post/int8,1/15/0/0/4/post/int8,8/127/1/40/4/pre/-" timeout 280 python3 bench/v20/chain.py 2>&1 | tee $OUT/kernel_h200_${T}_v20_chain.log
VARS=$V CASES="8/127/0/0/4/post/int8,1/511/0/0/4/post/int8,1/15/0/0/4/post/int8,8/127/0/0/4/pre/-" timeout 250 python3 bench/v16/ab.py 2>&1 | tee $OUT/kernel_h200_${T}_v20_ab_pdl_split.log
