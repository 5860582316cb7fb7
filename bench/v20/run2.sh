# Session 16, device call 2: a sibling's last tiles prefetched into L2 by each cold program at its end (gk33).
export PYTHONPATH=$PWD:$PWD/bench PYTHONUNBUFFERED=1
G=bench/v20/gk33.py
V="old=pkg,pf2h=$G:GK_PF=2,pf4h=$G:GK_PF=4,pf8h=$G:GK_PF=8,pf4n=$G:GK_PF=4:GK_PFP=next"
T=$(date -u +%H%M)
VARS=$V CASES="8/127/0/0/4/post/int8,1/511/0/0/4/post/int8,8/15/0/0/4/post/int8,8/127/0/0/4/post/-" timeout 400 python3 bench/v16/ab.py 2>&1 | tee $OUT/kernel_h200_${T}_v20_ab_pf.log
