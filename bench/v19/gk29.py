"""Study module (session 15): 05b with the two parts of a call that are not the split kernel made cheaper.
GK_PDL=1: when the stream is not being captured (an eager call), the merge launches by programmatic dependent launch
(sm_90: `griddepcontrol.wait` at its start, `launch_pdl`), so that its launch overlaps the split kernel's end; under
capture, the plain merge (session 10: PDL cost +1 µs in graphs). GK_OH=1: the split partials stored as fp16 (the
normalised rows; the log-sum-exps stay fp32), half the bytes written and read back by the merge.
Its substitutions apply to 05b as of commit 3cb9cb0."""
import os, sys
sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "v17"))
from derive import derive

_PDL, _OH = int(os.environ.get("GK_PDL", 1)), int(os.environ.get("GK_OH", 0))

SUBS = [
    ("    gl.store(O_PART + (row[:, None] * n_splits + slot) * acc.shape[1] + chan[None, :], acc / l_safe[:, None], mask=ok[:, None])",
     "    gl.store(O_PART + (row[:, None] * n_splits + slot) * acc.shape[1] + chan[None, :], (acc / l_safe[:, None]).to(O_PART.dtype.element_ty), mask=ok[:, None])"),
    ('    o_part = _scratch(dev, B * H * n_splits * D, "o")',
     '    o_part = _scratch16(dev, B * H * n_splits * D) if _OH else _scratch(dev, B * H * n_splits * D, "o")'),
    ("    plan = _Plan(dev, (B * G, n_progs),", "    plan = (_PlanPDL if _PDL else _Plan)(dev, (B * G, n_progs),"),
    ("def make_gluon_plan(", '''import triton
import triton.language as tl
from unsloth_spectral.triton_attention import _raw_stream, _DIRECT, _merge_splits
_E = __import__("os").environ
_PDL, _OH = int(_E.get("GK_PDL", 1)), int(_E.get("GK_OH", 0))
_S16 = {}

def _scratch16(device, n):
    b = _S16.get(device)
    if b is None or b.numel() < n: b = _S16[device] = torch.empty(max(n, 1), device=device, dtype=torch.float16)
    return b

@triton.jit(do_not_specialize=["OUT"])
def _merge_pdl(O_PART, LSE_PART, OUT, so_b, so_h, so_q, so_d, H, n_splits,
               QLEN: tl.constexpr, NS_P: tl.constexpr, D: tl.constexpr):
    row = tl.program_id(0).to(tl.int64)
    s = tl.arange(0, NS_P)
    offs_d = tl.arange(0, D)
    ok = s < n_splits
    tl.extra.cuda.gdc_wait()
    lse = tl.load(LSE_PART + row * n_splits + s, mask=ok, other=float("-inf"))
    m = tl.max(lse, 0)
    w = tl.exp2(lse - tl.where(m == float("-inf"), 0., m))
    w = tl.where(ok, w, 0.)
    o = tl.load(O_PART + (row * n_splits + s)[:, None] * D + offs_d[None, :], mask=ok[:, None], other=0.).to(tl.float32)
    w_sum = tl.sum(w, 0)
    out = tl.sum(w[:, None] * o, 0) / tl.where(w_sum > 0, w_sum, 1.)
    b = row // (H * QLEN)
    h = (row // QLEN) % H
    q = row % QLEN
    tl.store(OUT + b * so_b + h * so_h + q * so_q + offs_d * so_d, out.to(OUT.dtype.element_ty))

class _PlanPDL(_Plan):
    "The merge by PDL on eager calls, the plain merge under capture."
    k_pdl = None
    def __call__(self, query, n_hot):
        if self.k_pdl is None or torch.cuda.is_current_stream_capturing():
            out = _Plan.__call__(self, query, n_hot)
            if self.k_pdl is None and self.k_split is not None:
                m = self.margs.copy(); m[2] = out
                self.k_pdl = _merge_pdl[self.merge_grid](*m, num_warps=4, launch_pdl=True)
            return out
        out = query.new_empty(self.out_shape)
        a = self.args.copy()
        a[0], a[self.n_hot_arg] = query, n_hot
        stream = _raw_stream(self.device)
        k = self.k_split
        k.run(*self.split_grid, 1, stream, k.function, k.packed_metadata, None, None, None, *a)
        m = self.margs.copy(); m[2] = out
        k = self.k_pdl
        k.run(self.merge_grid[0], 1, 1, stream, k.function, k.packed_metadata, None, None, None, *m)
        return out

def make_gluon_plan('''),
]
globals().update(derive("gk29", __doc__, SUBS))
