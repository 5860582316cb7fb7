"Does tl.trans(tl.reshape(tl.join(lo, hi), (T, R))) as a tl.dot operand give the right product on this GPU? (session 7: the v10 study's cold scores were wrong on the H200 with Triton 3.6 and right under the interpreter)."
import os, torch, triton
import triton.language as tl

@triton.jit
def _k(X, QB, OUT, T: tl.constexpr, R: tl.constexpr, HOW: tl.constexpr):
    t = tl.arange(0, T)
    r = tl.arange(0, R)
    m = tl.arange(0, 16)
    x = tl.load(X + t[:, None] * (R // 2) + tl.arange(0, R // 2)[None, :])          # [T, R/2] uint8
    lo = ((x & 15).to(tl.float32) - 8.).to(tl.float16)
    hi = ((x >> 4).to(tl.float32) - 8.).to(tl.float16)
    c = tl.reshape(tl.join(lo, hi), (T, R))                                          # [T, R], rank 2i = low nibble of byte i
    qb = tl.load(QB + m[:, None] * R + r[None, :])                                   # [16, R]
    s = tl.zeros([16, T], tl.float32)
    if HOW == 0:     # the study's form: the joined codes turned, as the B operand
        s = tl.dot(qb, tl.trans(c))                                                  # [16, T]
    elif HOW == 1:   # the shipped kernel's form: the joined codes as the A operand, scores turned
        s = tl.trans(tl.dot(c, tl.trans(qb)))
    else:            # no product: the codes stored, then multiplied by torch
        tl.store(OUT + t[:, None] * R + r[None, :], c.to(tl.float32))
    if HOW < 2:
        tl.store(OUT + m[:, None] * T + t[None, :], s)

if __name__ == "__main__":
    dev = "cuda" if torch.cuda.is_available() else "cpu"
    g = torch.Generator().manual_seed(0)
    for T, R, nw in ((32, 16, 1), (64, 16, 1), (32, 16, 4), (128, 16, 4), (32, 32, 1)):
        x = torch.randint(0, 256, (T, R // 2), generator=g, dtype=torch.uint8).to(dev)
        qb = torch.randn(16, R, generator=g).half().to(dev)
        codes = torch.stack(((x & 15).float() - 8, (x >> 4).float() - 8), -1).reshape(T, R)
        ref = qb.float() @ codes.T
        perm = qb.float() @ torch.cat(((x & 15).float() - 8, (x >> 4).float() - 8), -1).T   # ranks [lo..., hi...]
        line = f"T {T} R {R} warps {nw}:"
        for how in (0, 1, 2):
            out = torch.empty(T * R if how == 2 else 16 * T, device=dev)
            _k[(1,)](x, qb, out, T, R, how, num_warps=nw)
            got = (qb.float() @ out.view(T, R).T) if how == 2 else out.view(16, T)
            e = lambda a: float((got - a).norm() / a.norm())
            line += f" | form {how}: err {e(ref):.1e} (vs [lo, hi] rank order {e(perm):.1e})"
        print(line, flush=True)
