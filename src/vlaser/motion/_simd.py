"""Vector primitives of the trajectory kernel (numba intrinsics on ``<4 x double>``).

numba vectorizes short loops poorly (its SLP vectorizer is off and the loop vectorizer
adds run-time alias checks that cost more than an 8-element loop), so the three
vector-shaped parts of one step of :mod:`vlaser.motion.kernel` are written directly as
LLVM vector code: the Taylor recursion of ψ (:func:`taylor8`), ψ at the eight
quadrature lanes (:func:`poly_lanes8`) and the quadrature sums (:func:`quad8`).

The vectors are four doubles wide (AVX2 registers; SSE2 pairs on older CPUs). Eight-wide
AVX-512 arithmetic would need fewer instructions, but it lowers the clock of the core
(by about 20 % on the development machine) for everything else that runs on it.

Layout: a complex 3-vector z (ψ or a Taylor coefficient) is the row of eight floats
(Re z1, Im z1, Re z2, Im z2, Re z3, Im z3, 0, 0). Arrays are flat, C-contiguous float64
arrays and offsets are element indices; nothing is bounds-checked, so the callers size
the arrays (see the docstrings).

Multiply-adds use ``llvm.fmuladd``: one fused multiply-add where the CPU has FMA, a
multiply and an add otherwise (the same choice on every call of a compiled kernel, so
results do not depend on the thread or the order of the calls).

numba's on-disk cache keys the compiled kernel on the source of
:mod:`vlaser.motion.kernel` only: after editing this module, clear the cache (or touch
``kernel.py``) so that the kernel is compiled again.
"""

from __future__ import annotations

import math
from typing import Any

from llvmlite import ir
from numba import types
from numba.core import cgutils
from numba.extending import intrinsic

#: Floats per ψ row and number of quadrature lanes.
WIDTH = 8
#: Coupling coefficients w_m, m = 0..15, computed per step and axis.
N_COUPLING = 16
#: Coupling terms with |θ|^m/m! (|θ| + 1) below this are dropped (see :func:`taylor8`).
COUPLING_TOL = 1e-17
#: Taylor coefficients of cos a = Σ_j COS_SERIES[j] (a²)^j and sin a = a Σ_j SIN_SERIES[j]
#: (a²)^j used by :func:`quad8` (|a| <= 0.2: truncation error below 1e-17).
COS_SERIES = (1.0, -1.0 / 2.0, 1.0 / 24.0, -1.0 / 720.0, 1.0 / 40320.0, -1.0 / 3628800.0)
SIN_SERIES = (1.0, -1.0 / 6.0, 1.0 / 120.0, -1.0 / 5040.0, 1.0 / 362880.0, -1.0 / 39916800.0)

_F64 = ir.DoubleType()
_V4 = ir.VectorType(_F64, 4)
_V2 = ir.VectorType(_F64, 2)
_I32 = ir.IntType(32)


class _Vec:
    """Small builder of ``<4 x double>`` code inside one intrinsic."""

    def __init__(self, context: Any, builder: Any, int_t: Any) -> None:
        self.b = builder
        self.context = context
        self.int_t = int_t

    def i(self, value: int) -> Any:
        return ir.Constant(self.int_t, value)

    def data(self, aryty: Any, ary: Any) -> Any:
        return self.context.make_array(aryty)(self.context, self.b, ary).data

    def ptr(self, base: Any, idx: Any, vty: Any = _V4) -> Any:
        idx = idx if isinstance(idx, ir.Value) else self.i(idx)
        return self.b.bitcast(self.b.gep(base, [idx]), vty.as_pointer())

    def load(self, base: Any, idx: Any, vty: Any = _V4) -> Any:
        return self.b.load(self.ptr(base, idx, vty), align=8)

    def store(self, value: Any, base: Any, idx: Any) -> None:
        self.b.store(value, self.ptr(base, idx, value.type), align=8)

    def scalar(self, base: Any, idx: Any) -> Any:
        idx = idx if isinstance(idx, ir.Value) else self.i(idx)
        return self.b.load(self.b.gep(base, [idx]))

    def const(self, values: list[float]) -> Any:
        return ir.Constant(ir.VectorType(_F64, len(values)), values)

    def vector(self, values: list[Any]) -> Any:
        v = ir.Constant(_V4, ir.Undefined)
        for k, x in enumerate(values):
            v = self.b.insert_element(v, x, ir.Constant(_I32, k))
        return v

    def splat(self, x: Any) -> Any:
        return self.shuffle(self.vector([x, x, x, x]), None, [0, 0, 0, 0])

    def shuffle(self, x: Any, y: Any, mask: list[int]) -> Any:
        y = ir.Constant(x.type, ir.Undefined) if y is None else y
        return self.b.shuffle_vector(x, y, ir.Constant(ir.VectorType(_I32, len(mask)), mask))

    def swap(self, x: Any) -> Any:
        """(x1, x0, x3, x2): exchange Re and Im of each complex pair."""
        return self.shuffle(x, None, [1, 0, 3, 2])

    def fma(self, a: Any, b: Any, c: Any) -> Any:
        """a * b + c (fused where the CPU has FMA)."""
        name = f"llvm.fmuladd.v{a.type.count}f64"
        fn = cgutils.get_or_insert_function(
            self.b.module, ir.FunctionType(a.type, [a.type] * 3), name
        )
        return self.b.call(fn, [a, b, c])

    def mul(self, a: Any, b: Any) -> Any:
        return self.b.fmul(a, b)

    def add(self, a: Any, b: Any) -> Any:
        return self.b.fadd(a, b)

    def fabs(self, x: Any) -> Any:
        name = (
            f"llvm.fabs.v{x.type.count}f64"
            if isinstance(x.type, ir.VectorType)
            else "llvm.fabs.f64"
        )
        fn = cgutils.get_or_insert_function(self.b.module, ir.FunctionType(x.type, [x.type]), name)
        return self.b.call(fn, [x])

    def popcount(self, mask: Any) -> Any:
        """Number of true lanes of an ``<4 x i1>`` mask, as the index type."""
        i4 = ir.IntType(4)
        fn = cgutils.get_or_insert_function(
            self.b.module, ir.FunctionType(i4, [i4]), "llvm.ctpop.i4"
        )
        return self.b.zext(self.b.call(fn, [self.b.bitcast(mask, i4)]), self.int_t)

    def loop(self, count: Any) -> Any:
        return cgutils.for_range(self.b, count)


def _coupling(v: _Vec, c: Any, sn: Any, theta: Any, scale: Any) -> tuple[list[Any], Any]:
    """w_m = scale [s^m] cos(φ + θ s), m = 0..15, as four vectors, and the index of the
    last term kept (terms with |θ|^m/m! (|θ| + 1) < COUPLING_TOL are 0)."""
    b = v.b
    one = ir.Constant(_F64, 1.0)
    t2 = b.fmul(theta, theta)
    t4 = v.splat(b.fmul(t2, t2))
    powers = [v.vector([one, theta, t2, b.fmul(t2, theta)])]  # θ^m, m = 4j..4j+3
    for _ in range(3):
        powers.append(v.mul(powers[-1], t4))
    # [s^m] cos(φ + θ s) = θ^m/m! times cos φ, −sin φ, −cos φ, sin φ for m = 0, 1, 2, 3 (mod 4)
    pattern = v.mul(v.splat(scale), v.vector([c, b.fneg(sn), b.fneg(c), sn]))
    bound = v.splat(b.fadd(v.fabs(theta), one))
    tol = v.const([COUPLING_TOL] * 4)
    first = ir.Constant(ir.VectorType(ir.IntType(1), 4), [1, 0, 0, 0])
    zero = v.const([0.0] * 4)
    out = []
    count = v.i(0)
    for j, pw in enumerate(powers):
        q = v.mul(pw, v.const([1.0 / math.factorial(m) for m in range(4 * j, 4 * j + 4)]))
        keep = b.fcmp_ordered(">=", v.mul(v.fabs(q), bound), tol)
        if j == 0:
            keep = b.and_(keep, b.not_(first))
        count = b.add(count, v.popcount(keep))
        if j == 0:
            keep = b.or_(keep, first)
        out.append(b.select(keep, v.mul(q, pattern), zero))
    return out, count


def _lane_accumulators(v: _Vec) -> list[Any]:
    zero = v.const([0.0] * 4)
    return [cgutils.alloca_once_value(v.b, zero) for _ in range(12)]


def _add_lane_row(v: _Vec, coef_p: Any, pow_p: Any, k: Any, acc: list[Any]) -> None:
    """acc[2c + h] += coef[8k + c] * powers[8k + 4h : 8k + 4h + 4] (c < 6, h < 2)."""
    row = v.b.mul(k, v.i(WIDTH))
    halves = (v.load(pow_p, row), v.load(pow_p, v.b.add(row, v.i(4))))
    for c in range(6):
        x = v.splat(v.scalar(coef_p, v.b.add(row, v.i(c))))
        for h in range(2):
            slot = acc[2 * c + h]
            v.b.store(v.fma(x, halves[h], v.b.load(slot)), slot)


def _store_lanes(v: _Vec, acc: list[Any], out_p: Any) -> None:
    for k in range(12):
        v.store(v.b.load(acc[k]), out_p, 4 * k)


@intrinsic
def taylor8(
    typingctx: Any,
    b: Any,
    order: Any,
    hd: Any,
    cpl: Any,
    w2: Any,
    w3: Any,
    ctab: Any,
    rows: Any,
    fact: Any,
    inv_fact: Any,
    psi_end: Any,
    basis: Any,
    lanes: Any,
) -> Any:
    """Taylor coefficients of ψ over one step, scaled as b_n = n! a_n (ψ(s) = Σ a_n s^n).

    ``b[0:8]`` holds the row of b_0 = ψ(0) on entry, ``b[8n : 8n+8]`` the row of b_n
    (n <= order) on return and ``psi_end[0:8]`` the row of ψ(1) = Σ_n b_n/n!. Also
    evaluates ψ at eight points as :func:`poly_lanes8` (``lanes``, from ``basis``),
    as each b_n is known.

    ``hd`` = (Re, Im of h d1, Re, Im of h d2): h D = diag(0, h d1, h d2) is the diagonal of
    h H_eff. ``cpl`` = (cos φ2, sin φ2, θ2, h Ω2, cos φ3, sin φ3, θ3, h Ω3): the coupling
    h Ω_i cos(φ_i + θ_i s) = Σ_m w_i[m] s^m along axis i; its coefficients (m <= 15,
    terms with |θ_i|^m/m! (|θ_i| + 1) < ``COUPLING_TOL`` dropped) are written to ``w2``
    and ``w3``. The recursion (n+1) a_{n+1} = −i [h D a_n + Σ_m W_m a_{n−m}],
    W_m = w2[m] X2 + w3[m] X3 (X_i = σ_i1 + σ_1i), reads

        b_{n+1} = −i h D b_n − i W_0 b_n − i n W_1 b_{n−1} + n! R_n,

    R_n = −i Σ_{m>=2} W_m a_{n−m}. It runs on two vectors: P = (z2, z3) and
    G = (z1, z1) (ground amplitude twice); −i h D z, −i W z are element-wise products
    with P, G and their Re/Im swaps, the |1> part summed in the form (u z2, v z3) and
    folded once per order. The swapped a_k are kept in ``rows[8k : 8k+8]`` (scratch),
    from which R_n is summed over m = 2..min(mc, n) (mc: the last coupling term kept)
    in two independent chains.

    Sizes: b 8(order+1), rows 8·order, ctab 64 (rows and ctab: scratch), w2, w3 16,
    fact and inv_fact order+1, psi_end 8, basis 8(order+1), lanes 48.
    """
    sig = types.void(b, order, hd, cpl, w2, w3, ctab, rows, fact, inv_fact, psi_end, basis, lanes)

    def codegen(context: Any, builder: Any, signature: Any, args: Any) -> Any:
        tys = signature.args
        v = _Vec(context, builder, args[1].type)
        b_p, hd_p, cpl_p, w2_p, w3_p, ct_p, rows_p, fact_p, ifact_p, end_p, basis_p, lanes_p = (
            v.data(tys[k], args[k]) for k in (0, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12)
        )
        order_ = args[1]
        cp = [v.scalar(cpl_p, k) for k in range(8)]
        w2v, m2 = _coupling(v, *cp[0:4])
        w3v, m3 = _coupling(v, *cp[4:8])
        mc = builder.select(builder.icmp_signed(">", m2, m3), m2, m3)
        sgn = v.const([1.0, -1.0, 1.0, -1.0])
        for j in range(4):
            v.store(w2v[j], w2_p, 4 * j)
            v.store(w3v[j], w3_p, 4 * j)
            for k in range(4):
                # ctab[4m : 4m+4] = (w2[m], −w2[m], w3[m], −w3[m]), m = 4j + k
                cuv = v.mul(v.shuffle(w2v[j], w3v[j], [k, k, 4 + k, 4 + k]), sgn)
                v.store(cuv, ct_p, 4 * (4 * j + k))
        cuv0 = v.load(ct_p, 0)
        cuv1 = v.load(ct_p, 4)
        h1r, h1i, h2r, h2i = (v.scalar(hd_p, k) for k in range(4))
        # −i h D (z2, z3) = cd1 * swap(P) + cd2 * P
        cd1 = v.vector([h1r, builder.fneg(h1r), h2r, builder.fneg(h2r)])
        cd2 = v.vector([h1i, h1i, h2i, h2i])
        zero = v.const([0.0] * 4)
        p0 = v.load(b_p, 2)
        g0 = v.shuffle(v.load(b_p, 0, _V2), None, [0, 1, 0, 1])
        slots = {
            name: cgutils.alloca_once_value(builder, init)
            for name, init in (
                ("p", p0),
                ("g", g0),
                ("ep", p0),
                ("eg", g0),
                ("qp", zero),
                ("qu", zero),
            )
        }
        lane_acc = _lane_accumulators(v)
        _add_lane_row(v, b_p, basis_p, v.i(0), lane_acc)
        with v.loop(order_) as loop:
            n = loop.index
            p, g = builder.load(slots["p"]), builder.load(slots["g"])
            swp, swg = v.swap(p), v.swap(g)
            # history row n: (−i a_n) in the two forms, a_n = b_n/n!
            gi = v.splat(v.scalar(ifact_p, n))
            row = builder.mul(n, v.i(WIDTH))
            v.store(v.mul(gi, swg), rows_p, row)
            v.store(v.mul(gi, swp), rows_p, builder.add(row, v.i(4)))
            # R_n = Σ_{m=2}^{min(mc, n)} cuv_m (history row n − m), two chains (m even, odd)
            top = builder.select(builder.icmp_signed("<", mc, n), mc, n)
            count = builder.sub(top, v.i(1))
            acc = [cgutils.alloca_once_value(builder, zero) for _ in range(4)]
            for a in acc:
                builder.store(zero, a)

            def add_term(m: Any, slot_g: Any, slot_p: Any) -> None:
                cuv = v.load(ct_p, builder.mul(m, v.i(4)))
                hist = builder.mul(builder.sub(n, m), v.i(WIDTH))
                builder.store(v.fma(cuv, v.load(rows_p, hist), builder.load(slot_g)), slot_g)
                hist_u = builder.add(hist, v.i(4))
                builder.store(v.fma(cuv, v.load(rows_p, hist_u), builder.load(slot_p)), slot_p)

            with v.loop(builder.sdiv(count, v.i(2))) as inner:
                m = builder.add(builder.mul(inner.index, v.i(2)), v.i(2))
                add_term(m, acc[0], acc[1])
                add_term(builder.add(m, v.i(1)), acc[2], acc[3])
            odd = builder.icmp_signed(">", builder.srem(count, v.i(2)), v.i(0))
            with builder.if_then(odd):
                add_term(top, acc[0], acc[1])
            f = v.splat(v.scalar(fact_p, n))
            rg = v.add(builder.load(acc[0]), builder.load(acc[2]))
            rp = v.add(builder.load(acc[1]), builder.load(acc[3]))
            tp = v.fma(f, rg, builder.load(slots["qp"]))
            tu = v.fma(f, rp, builder.load(slots["qu"]))
            pn = v.fma(cuv0, swg, v.fma(cd1, swp, v.fma(cd2, p, tp)))
            u = v.fma(cuv0, swp, tu)
            gn = v.add(v.shuffle(u, None, [0, 1, 0, 1]), v.shuffle(u, None, [2, 3, 2, 3]))
            n1 = builder.add(n, v.i(1))
            c1 = v.mul(v.splat(builder.sitofp(n1, _F64)), cuv1)
            builder.store(v.mul(c1, swg), slots["qp"])
            builder.store(v.mul(c1, swp), slots["qu"])
            out = builder.mul(n1, v.i(WIDTH))
            v.store(v.shuffle(gn, None, [0, 1]), b_p, out)
            v.store(pn, b_p, builder.add(out, v.i(2)))
            builder.store(pn, slots["p"])
            builder.store(gn, slots["g"])
            gi1 = v.splat(v.scalar(ifact_p, n1))
            builder.store(v.fma(gi1, pn, builder.load(slots["ep"])), slots["ep"])
            builder.store(v.fma(gi1, gn, builder.load(slots["eg"])), slots["eg"])
            _add_lane_row(v, b_p, basis_p, n1, lane_acc)
        v.store(v.shuffle(builder.load(slots["eg"]), None, [0, 1]), end_p, 0)
        v.store(builder.load(slots["ep"]), end_p, 2)
        _store_lanes(v, lane_acc, lanes_p)
        return context.get_dummy_value()

    return sig, codegen


@intrinsic
def poly_lanes8(typingctx: Any, coef: Any, order: Any, powers: Any, out: Any) -> Any:
    """Evaluate six polynomials at eight points at once.

    ``out[8c + g] = Σ_{k<=order} coef[8k + c] * powers[8k + g]`` for c = 0..5 and
    g = 0..7 (``powers[8k + g]`` is the k-th basis function at point g, e.g. s_g^k/k!),
    summed in increasing k. ``coef`` and ``powers`` need 8(order+1), ``out`` 48 elements.
    """
    sig = types.void(coef, order, powers, out)

    def codegen(context: Any, builder: Any, signature: Any, args: Any) -> Any:
        tys = signature.args
        v = _Vec(context, builder, args[1].type)
        coef_p, pow_p, out_p = (v.data(tys[k], args[k]) for k in (0, 2, 3))
        acc = _lane_accumulators(v)
        with v.loop(builder.add(args[1], v.i(1))) as loop:
            _add_lane_row(v, coef_p, pow_p, loop.index, acc)
        _store_lanes(v, acc, out_p)
        return context.get_dummy_value()

    return sig, codegen


def _poly(v: _Vec, x: Any, coefs: tuple[float, ...]) -> Any:
    """Σ_j coefs[j] x^j by Horner's rule (x a vector)."""
    acc = v.const([coefs[-1]] * 4)
    for c in coefs[-2::-1]:
        acc = v.fma(acc, x, v.const([c] * 4))
    return acc


def _sum4(v: _Vec, vecs: list[Any]) -> Any:
    """The sums of the elements of four vectors, as one vector (in the input order)."""
    ab = v.add(v.shuffle(vecs[0], vecs[1], [0, 1, 4, 5]), v.shuffle(vecs[0], vecs[1], [2, 3, 6, 7]))
    cd = v.add(v.shuffle(vecs[2], vecs[3], [0, 1, 4, 5]), v.shuffle(vecs[2], vecs[3], [2, 3, 6, 7]))
    return v.add(v.shuffle(ab, cd, [0, 2, 4, 6]), v.shuffle(ab, cd, [1, 3, 5, 7]))


@intrinsic
def quad8(
    typingctx: Any,
    lanes: Any,
    svals: Any,
    qw: Any,
    qwl: Any,
    th2: Any,
    th3: Any,
    om2: Any,
    s2: Any,
    c2: Any,
    om3: Any,
    s3: Any,
    c3: Any,
    out: Any,
) -> Any:
    """Quadrature sums of the normalized state's observables over eight lanes.

    ``lanes[8c + g]`` is component c (Re, Im of ψ1, ψ2, ψ3) of ψ at s = ``svals[g]``;
    ``qw`` and ``qwl`` are the weights w_g and w_g (1 − x_g) of the rule (0 on unused
    lanes, whose state must still be finite and non-zero). Writes ``out[0:6]`` =
    Σ w_g <σ11>, Σ w_g <σ22>, Σ w_g F_2, Σ w_g F_3, Σ w_g (1 − x_g) F_2 and
    Σ w_g (1 − x_g) F_3, with F_i = 2 Ω_i sin(φ_i + θ_i s_g) Re<σ1i> (ħk_i Γ3), from
    sin φ_i = s_i, cos φ_i = c_i and the series of cos, sin(θ_i s_g) (|θ_i| <= 0.2).
    ``out`` needs 8 elements (out[6:8] = 0).
    """
    sig = types.void(lanes, svals, qw, qwl, *([types.float64] * 8), out)

    def codegen(context: Any, builder: Any, signature: Any, args: Any) -> Any:
        tys = signature.args
        v = _Vec(context, builder, ir.IntType(64))
        lanes_p, sv_p, qw_p, qwl_p = (v.data(tys[k], args[k]) for k in range(4))
        out_p = v.data(tys[12], args[12])
        th2_, th3_, om2_, s2_, c2_, om3_, s3_, c3_ = args[4:12]
        one = v.const([1.0] * 4)
        parts = [[] for _ in range(6)]
        for h in range(2):
            x0r, x0i, x1r, x1i, x2r, x2i = (v.load(lanes_p, WIDTH * c + 4 * h) for c in range(6))
            n0 = v.fma(x0i, x0i, v.mul(x0r, x0r))
            n1 = v.fma(x1i, x1i, v.mul(x1r, x1r))
            n2 = v.fma(x2i, x2i, v.mul(x2r, x2r))
            inv = builder.fdiv(one, v.add(v.add(n0, n1), n2))
            re12 = v.mul(v.fma(x0i, x1i, v.mul(x0r, x1r)), inv)
            re13 = v.mul(v.fma(x0i, x2i, v.mul(x0r, x2r)), inv)
            sg = v.load(sv_p, 4 * h)

            def force(theta: Any, om: Any, s: Any, c: Any, re: Any, sg: Any = sg) -> Any:
                a = v.mul(v.splat(theta), sg)
                a2 = v.mul(a, a)
                ca = _poly(v, a2, COS_SERIES)
                sa = v.mul(a, _poly(v, a2, SIN_SERIES))
                sin_phi = v.fma(v.splat(s), ca, v.mul(v.splat(c), sa))
                return v.mul(v.mul(v.splat(builder.fmul(om, ir.Constant(_F64, 2.0))), sin_phi), re)

            fa = force(th2_, om2_, s2_, c2_, re12)
            fb = force(th3_, om3_, s3_, c3_, re13)
            w = v.load(qw_p, 4 * h)
            wl = v.load(qwl_p, 4 * h)
            terms = (v.mul(n0, inv), v.mul(n1, inv), fa, fb)
            for k, t in enumerate(terms):
                parts[k].append(v.mul(w, t))
            parts[4].append(v.mul(wl, fa))
            parts[5].append(v.mul(wl, fb))
        sums = [v.add(a, b) for a, b in parts]
        zero = v.const([0.0] * 4)
        v.store(_sum4(v, sums[0:4]), out_p, 0)
        v.store(_sum4(v, [sums[4], sums[5], zero, zero]), out_p, 4)
        return context.get_dummy_value()

    return sig, codegen


@intrinsic
def scale_rows8(typingctx: Any, src: Any, n_rows: Any, factors: Any, dst: Any) -> Any:
    """``dst[8k : 8k+8] = src[8k : 8k+8] * factors[k]`` for k < n_rows.

    (Written out here so that LLVM does not vectorize it with gathers and eight-wide
    registers.) ``src`` and ``dst`` need 8·n_rows, ``factors`` n_rows elements.
    """
    sig = types.void(src, n_rows, factors, dst)

    def codegen(context: Any, builder: Any, signature: Any, args: Any) -> Any:
        tys = signature.args
        v = _Vec(context, builder, args[1].type)
        src_p, fac_p, dst_p = (v.data(tys[k], args[k]) for k in (0, 2, 3))
        with v.loop(args[1]) as loop:
            row = builder.mul(loop.index, v.i(WIDTH))
            f = v.splat(v.scalar(fac_p, loop.index))
            for h in (0, 4):
                at = builder.add(row, v.i(h))
                v.store(v.mul(v.load(src_p, at), f), dst_p, at)
        return context.get_dummy_value()

    return sig, codegen
