"""One kernel case in its own process (a device fault cannot poison the caller): prints 'ok <rel err>' or the error.
Usage: python3 bench/kernel_fault.py 'B=1,G=4,D=64,S=4,N=7,L=128,n_hot=125,cap=208,RK=64,RV=64,quant=None' H Q rope values
       [kernel options as JSON]"""
import json, sys, torch
from unsloth_spectral.triton_attention import (decode_attention_factors, random_layer, dense_oracle, rel_err,
                                               _layer_tensors, _values_int4, TOLERANCE)
kw = {k: (None if v == "None" else v if not v.lstrip("-").isdigit() else int(v))
      for k, v in (x.split("=") for x in sys.argv[1].split(","))}
H, Qn, rope, values = int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5]
layer = random_layer(**kw, rope=rope, values=values, dtype=torch.bfloat16, device="cuda", seed=7)
q = torch.randn(kw["B"], H, Qn, kw["D"], device="cuda").to(torch.bfloat16)
out = decode_attention_factors(*_layer_tensors(q, layer), layer.pad, kw["D"] ** -0.5, quant=layer.quant,
                               inv_freq=layer.inv_freq if rope == "pre" else None,
                               values="int4" if _values_int4(layer) else "lowrank",
                               **(json.loads(sys.argv[6]) if len(sys.argv) > 6 else {}))
torch.cuda.synchronize()
err = rel_err(out, dense_oracle(q, layer, kw["D"] ** -0.5))
print(f"{'ok' if err < TOLERANCE[torch.bfloat16] else 'FAIL'} {err:.2e}")
