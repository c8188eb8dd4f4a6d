"""Eight-wide vector primitives of the trajectory kernel (numba intrinsics).

numba vectorizes short loops poorly (its SLP vectorizer is off and the loop vectorizer
adds run-time alias checks that cost more than an 8-element loop), so the two
vector-shaped operations of :mod:`vlaser.motion.kernel` are written directly as LLVM
vector code on ``<8 x double>``: LLVM lowers them to AVX-512, AVX2 or SSE2
instructions, whichever the CPU has. The arrays are flat, C-contiguous float64
arrays and the offsets are element indices; nothing is bounds-checked, so the callers
size the arrays (see the docstrings).

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

#: Vector width (float64 elements) of the primitives.
WIDTH = 8

_F64 = ir.DoubleType()
_V8 = ir.VectorType(_F64, WIDTH)
_I32 = ir.IntType(32)


def _ptr(context: Any, builder: Any, aryty: Any, ary: Any, idx: Any) -> Any:
    """Pointer to ``ary[idx]`` as a ``<8 x double>*`` (no bounds check)."""
    arr = context.make_array(aryty)(context, builder, ary)
    return builder.bitcast(builder.gep(arr.data, [idx]), _V8.as_pointer())


def _load(builder: Any, ptr: Any) -> Any:
    return builder.load(ptr, align=8)


def _store(builder: Any, value: Any, ptr: Any) -> None:
    builder.store(value, ptr, align=8)


def _splat(builder: Any, x: Any) -> Any:
    v = builder.insert_element(ir.Constant(_V8, ir.Undefined), x, ir.Constant(_I32, 0))
    mask = ir.Constant(ir.VectorType(_I32, WIDTH), [0] * WIDTH)
    return builder.shuffle_vector(v, ir.Constant(_V8, ir.Undefined), mask)


def _vector(builder: Any, values: list[Any]) -> Any:
    v = ir.Constant(_V8, ir.Undefined)
    for i, x in enumerate(values):
        v = builder.insert_element(v, x, ir.Constant(_I32, i))
    return v


def _fmuladd(builder: Any, a: Any, b: Any, c: Any) -> Any:
    fnty = ir.FunctionType(_V8, [_V8, _V8, _V8])
    fn = cgutils.get_or_insert_function(builder.module, fnty, "llvm.fmuladd.v8f64")
    return builder.call(fn, [a, b, c])


def _shuffle(builder: Any, x: Any, y: Any, mask: list[int]) -> Any:
    return builder.shuffle_vector(x, y, ir.Constant(ir.VectorType(_I32, WIDTH), mask))


def _fabs(builder: Any, x: Any) -> Any:
    fn = cgutils.get_or_insert_function(
        builder.module, ir.FunctionType(_V8, [_V8]), "llvm.fabs.v8f64"
    )
    return builder.call(fn, [x])


def _popcount(builder: Any, mask: Any, int_t: Any) -> Any:
    """Number of true lanes of an ``<8 x i1>`` mask, as ``int_t``."""
    i8 = ir.IntType(8)
    fn = cgutils.get_or_insert_function(builder.module, ir.FunctionType(i8, [i8]), "llvm.ctpop.i8")
    return builder.zext(builder.call(fn, [builder.bitcast(mask, i8)]), int_t)


#: 1/m! for m = 0..15, in the two halves used by :func:`taylor8`.
_INV_FACT = [1.0 / math.factorial(m) for m in range(2 * WIDTH)]
#: Coupling terms with |θ|^m/m! (|θ| + 1) below this are dropped (see :func:`taylor8`).
COUPLING_TOL = 1e-17


def _coupling(builder: Any, c: Any, sn: Any, theta: Any, scale: Any, int_t: Any) -> Any:
    """Coefficients w_m = scale [s^m] cos(φ + θ s), m = 0..15, as two vectors, and the
    index of the last term kept (terms with |θ|^m/m! (|θ| + 1) < COUPLING_TOL are 0)."""
    one = ir.Constant(_F64, 1.0)
    t2 = builder.fmul(theta, theta)
    t4 = builder.fmul(t2, t2)
    pw = builder.fmul(
        builder.fmul(_vector(builder, [one, theta] * 4), _vector(builder, [one, one, t2, t2] * 2)),
        _vector(builder, [one] * 4 + [t4] * 4),
    )
    halves = [pw, builder.fmul(pw, _splat(builder, builder.fmul(t4, t4)))]
    nc = builder.fneg(c)
    nsn = builder.fneg(sn)
    pattern = builder.fmul(_splat(builder, scale), _vector(builder, [c, nsn, nc, sn] * 2))
    bound = _splat(builder, builder.fadd(_fabs_scalar(builder, theta), one))
    tol = ir.Constant(_V8, [COUPLING_TOL] * WIDTH)
    lane0 = ir.Constant(ir.VectorType(ir.IntType(1), WIDTH), [1] + [0] * (WIDTH - 1))
    out = []
    count = ir.Constant(int_t, 0)
    for h, half in enumerate(halves):
        q = builder.fmul(half, ir.Constant(_V8, _INV_FACT[WIDTH * h : WIDTH * (h + 1)]))
        keep = builder.fcmp_ordered(">=", builder.fmul(_fabs(builder, q), bound), tol)
        if h == 0:
            keep = builder.and_(keep, builder.not_(lane0))
        count = builder.add(count, _popcount(builder, keep, int_t))
        if h == 0:
            keep = builder.or_(keep, lane0)
        zero = ir.Constant(_V8, [0.0] * WIDTH)
        out.append(builder.select(keep, builder.fmul(q, pattern), zero))
    return out, count


def _fabs_scalar(builder: Any, x: Any) -> Any:
    fn = cgutils.get_or_insert_function(
        builder.module, ir.FunctionType(_F64, [_F64]), "llvm.fabs.f64"
    )
    return builder.call(fn, [x])


@intrinsic
def taylor8(
    typingctx: Any,
    b: Any,
    order: Any,
    hd: Any,
    cpl: Any,
    w2: Any,
    w3: Any,
    rows: Any,
    fact: Any,
    inv_fact: Any,
    psi_end: Any,
) -> Any:
    """Taylor coefficients of ψ over one step, scaled as b_n = n! a_n (ψ(s) = Σ a_n s^n).

    A complex 3-vector z is the vector (Re z1, Im z1, Re z2, Im z2, Re z3, Im z3, 0, 0).
    ``b[0:8]`` holds b_0 = ψ(0) on entry, ``b[8n : 8n+8]`` holds b_n (n <= order) on
    return and ``psi_end[0:8]`` ψ(1) = Σ_n b_n/n!.

    ``hd`` = (Re, Im of h d1, Re, Im of h d2): h D = diag(0, h d1, h d2) is the diagonal of
    h H_eff. ``cpl`` = (cos φ2, sin φ2, θ2, h Ω2, cos φ3, sin φ3, θ3, h Ω3): the coupling
    h Ω_i cos(φ_i + θ_i s) = Σ_m w_i[m] s^m along axis i; its coefficients (m <= 15,
    terms with |θ_i|^m/m! (|θ_i| + 1) < ``COUPLING_TOL`` dropped) are written to
    ``w2``, ``w3`` (16 each). The recursion
    (n+1) a_{n+1} = −i [h D a_n + Σ_m W_m a_{n−m}], W_m = w2[m] X2 + w3[m] X3
    (X_i = σ_i1 + σ_1i), reads

        b_{n+1} = −i h D b_n − i W_0 b_n − i n W_1 b_{n−1} + n! R_n,

    R_n = −i Σ_{m>=2} W_m a_{n−m}: each product −i D z, −i W_m z is two element-wise
    products with shuffles of z, so the chain from b_n to b_{n+1} is four vector
    operations. The sums R_n accumulate in ``rows[8n : 8n+8]``: a_k is added to the rows
    k+2..min(k+mc, order−1) as soon as it is known (mc: the last coupling term kept);
    each row is cleared once read, so ``rows`` must be zero on entry and is zero on
    return.

    Sizes: b 8(order+1), rows 8·order, fact and inv_fact order+1, psi_end 8.
    """
    sig = types.void(b, order, hd, cpl, w2, w3, rows, fact, inv_fact, psi_end)

    def codegen(context: Any, builder: Any, signature: Any, args: Any) -> Any:
        tys = signature.args
        b_p, hd_p, cpl_p, w2_p, w3_p, rows_p, fact_p, ifact_p, end_p = (
            context.make_array(tys[i])(context, builder, args[i]).data
            for i in (0, 2, 3, 4, 5, 6, 7, 8, 9)
        )
        order_ = args[1]
        int_t = order_.type

        def const(i: int) -> Any:
            return ir.Constant(int_t, i)

        def vptr(base: Any, idx: Any) -> Any:
            return builder.bitcast(builder.gep(base, [idx]), _V8.as_pointer())

        def scalar(base: Any, i: Any) -> Any:
            return builder.load(builder.gep(base, [i if isinstance(i, ir.Value) else const(i)]))

        zero = ir.Constant(_V8, [0.0] * WIDTH)
        sgn_u = ir.Constant(_V8, [1.0, -1.0, 1.0, -1.0, 0.0, 0.0, 0.0, 0.0])
        sgn_v = ir.Constant(_V8, [1.0, -1.0, 0.0, 0.0, 1.0, -1.0, 0.0, 0.0])
        # coupling coefficients of both axes
        cp = [scalar(cpl_p, i) for i in range(8)]
        (w2lo, w2hi), m2 = _coupling(builder, *cp[0:4], int_t)
        (w3lo, w3hi), m3 = _coupling(builder, *cp[4:8], int_t)
        mc = builder.select(builder.icmp_signed(">", m2, m3), m2, m3)
        for base, lo, hi in ((w2_p, w2lo, w2hi), (w3_p, w3lo, w3hi)):
            _store(builder, lo, vptr(base, const(0)))
            _store(builder, hi, vptr(base, const(WIDTH)))

        def coef(vec: Any, m: int, sgn: Any) -> Any:
            return builder.fmul(_shuffle(builder, vec, vec, [m] * WIDTH), sgn)

        # −i W_m z = cu_m * su(z) + cv_m * sv(z)
        cu0, cu1 = coef(w2lo, 0, sgn_u), coef(w2lo, 1, sgn_u)
        cv0, cv1 = coef(w3lo, 0, sgn_v), coef(w3lo, 1, sgn_v)
        # −i h D z = cd1 * swap(z) + cd2 * z
        h1r, h1i, h2r, h2i = (scalar(hd_p, i) for i in range(4))
        f0 = ir.Constant(_F64, 0.0)
        cd1 = _vector(builder, [f0, f0, h1r, builder.fneg(h1r), h2r, builder.fneg(h2r), f0, f0])
        cd2 = _vector(builder, [f0, f0, h1i, h1i, h2i, h2i, f0, f0])
        x0 = _load(builder, vptr(b_p, const(0)))
        x_slot = cgutils.alloca_once_value(builder, x0)
        e_slot = cgutils.alloca_once_value(builder, x0)
        q_slot = cgutils.alloca_once_value(builder, zero)
        with cgutils.for_range(builder, order_) as loop:
            n = loop.index
            x = builder.load(x_slot)
            sw = _shuffle(builder, x, x, [1, 0, 3, 2, 5, 4, 7, 6])
            su = _shuffle(builder, x, zero, [3, 2, 1, 0, 8, 8, 8, 8])
            sv = _shuffle(builder, x, zero, [5, 4, 8, 8, 1, 0, 8, 8])
            # scatter a_n = b_n/n! into the rows n+2 .. min(n+mc, order−1)
            lim = builder.sub(builder.sub(order_, const(1)), n)
            top = builder.select(builder.icmp_signed("<", mc, lim), mc, lim)
            g = _splat(builder, scalar(ifact_p, n))
            sua = builder.fmul(builder.fmul(g, sgn_u), su)
            sva = builder.fmul(builder.fmul(g, sgn_v), sv)
            with cgutils.for_range(builder, builder.sub(top, const(1))) as inner:
                m = builder.add(inner.index, const(2))
                rp = vptr(rows_p, builder.mul(builder.add(n, m), const(WIDTH)))
                acc = _fmuladd(builder, _splat(builder, scalar(w2_p, m)), sua, _load(builder, rp))
                _store(builder, _fmuladd(builder, _splat(builder, scalar(w3_p, m)), sva, acc), rp)
            # read row n and clear it for the next call (every row written is read once)
            row_p = vptr(rows_p, builder.mul(n, const(WIDTH)))
            row = _load(builder, row_p)
            _store(builder, zero, row_p)
            t = _fmuladd(builder, _splat(builder, scalar(fact_p, n)), row, builder.load(q_slot))
            diag = _fmuladd(builder, cd1, sw, _fmuladd(builder, cd2, x, t))
            xn = builder.fadd(diag, _fmuladd(builder, cu0, su, builder.fmul(cv0, sv)))
            n1 = builder.add(n, const(1))
            nf = _splat(builder, builder.sitofp(n1, _F64))
            q = builder.fmul(nf, _fmuladd(builder, cu1, su, builder.fmul(cv1, sv)))
            builder.store(q, q_slot)
            _store(builder, xn, vptr(b_p, builder.mul(n1, const(WIDTH))))
            builder.store(xn, x_slot)
            gi = _splat(builder, scalar(ifact_p, n1))
            builder.store(_fmuladd(builder, gi, xn, builder.load(e_slot)), e_slot)
        _store(builder, builder.load(e_slot), vptr(end_p, const(0)))
        return context.get_dummy_value()

    return sig, codegen


@intrinsic
def poly_lanes8(typingctx: Any, coef: Any, order: Any, powers: Any, out: Any) -> Any:
    """Evaluate six polynomials at eight points at once.

    ``out[8c + g] = Σ_{k<=order} coef[8k + c] * powers[8k + g]`` for c = 0..5 and
    g = 0..7 (``powers[8k + g]`` is the k-th basis function at point g, e.g. s_g^k/k!);
    even and odd k are summed separately (two independent chains). ``coef`` and
    ``powers`` need 8(order+1), ``out`` 48 elements.
    """
    sig = types.void(coef, order, powers, out)

    def codegen(context: Any, builder: Any, signature: Any, args: Any) -> Any:
        tys = signature.args
        coef_p, pow_p, out_p = (
            context.make_array(tys[i])(context, builder, args[i]).data for i in (0, 2, 3)
        )
        int_t = args[1].type

        def const(i: int) -> Any:
            return ir.Constant(int_t, i)

        def vptr(base: Any, idx: Any) -> Any:
            return builder.bitcast(builder.gep(base, [idx]), _V8.as_pointer())

        zero = ir.Constant(_V8, [0.0] * WIDTH)
        slots = [[cgutils.alloca_once_value(builder, zero) for _ in range(6)] for _ in range(2)]

        def add_term(k: Any, acc: list[Any]) -> None:
            row = builder.mul(k, const(WIDTH))
            pv = _load(builder, vptr(pow_p, row))
            for c in range(6):
                x = builder.load(builder.gep(coef_p, [builder.add(row, const(c))]))
                builder.store(
                    _fmuladd(builder, _splat(builder, x), pv, builder.load(acc[c])), acc[c]
                )

        n_terms = builder.add(args[1], const(1))
        with cgutils.for_range(builder, builder.sdiv(n_terms, const(2))) as loop:
            k = builder.mul(loop.index, const(2))
            add_term(k, slots[0])
            add_term(builder.add(k, const(1)), slots[1])
        odd = builder.icmp_signed("!=", builder.srem(n_terms, const(2)), const(0))
        with builder.if_then(odd):
            add_term(args[1], slots[0])
        for c in range(6):
            total = builder.fadd(builder.load(slots[0][c]), builder.load(slots[1][c]))
            _store(builder, total, vptr(out_p, const(WIDTH * c)))
        return context.get_dummy_value()

    return sig, codegen


#: Taylor coefficients of cos a = Σ_j COS_SERIES[j] (a²)^j and sin a = a Σ_j SIN_SERIES[j] (a²)^j
#: used by :func:`quad8` (|a| <= 0.2: truncation error below 1e-17).
COS_SERIES = (1.0, -1.0 / 2.0, 1.0 / 24.0, -1.0 / 720.0, 1.0 / 40320.0, -1.0 / 3628800.0)
SIN_SERIES = (1.0, -1.0 / 6.0, 1.0 / 120.0, -1.0 / 5040.0, 1.0 / 362880.0, -1.0 / 39916800.0)


def _poly(builder: Any, x: Any, coefs: tuple[float, ...]) -> Any:
    """Σ_j coefs[j] x^j by Horner's rule (x a vector)."""
    acc = ir.Constant(_V8, [coefs[-1]] * WIDTH)
    for c in coefs[-2::-1]:
        acc = _fmuladd(builder, acc, x, ir.Constant(_V8, [c] * WIDTH))
    return acc


def _sum8(builder: Any, vecs: list[Any]) -> Any:
    """The sums of the elements of eight vectors, as one vector (in the input order)."""

    def level(pairs: list[tuple[Any, Any]], lo: list[int], hi: list[int]) -> list[Any]:
        return [
            builder.fadd(_shuffle(builder, x, y, lo), _shuffle(builder, x, y, hi)) for x, y in pairs
        ]

    v = level(
        list(zip(vecs[0::2], vecs[1::2], strict=True)),
        [0, 1, 2, 3, 8, 9, 10, 11],
        [4, 5, 6, 7, 12, 13, 14, 15],
    )
    v = level(
        [(v[0], v[1]), (v[2], v[3])], [0, 1, 8, 9, 4, 5, 12, 13], [2, 3, 10, 11, 6, 7, 14, 15]
    )
    (r,) = level([(v[0], v[1])], [0, 8, 2, 10, 4, 12, 6, 14], [1, 9, 3, 11, 5, 13, 7, 15])
    # r holds the sums of vecs 0, 4, 2, 6, 1, 5, 3, 7
    return _shuffle(builder, r, r, [0, 4, 2, 6, 1, 5, 3, 7])


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
    ``out`` needs 8 elements.
    """
    sig = types.void(lanes, svals, qw, qwl, *([types.float64] * 8), out)

    def codegen(context: Any, builder: Any, signature: Any, args: Any) -> Any:
        tys = signature.args
        lanes_p, sv_p, qw_p, qwl_p = (
            context.make_array(tys[i])(context, builder, args[i]).data for i in range(4)
        )
        out_p = context.make_array(tys[12])(context, builder, args[12]).data
        int_t = ir.IntType(64)

        def vload(base: Any, idx: int) -> Any:
            ptr = builder.bitcast(builder.gep(base, [ir.Constant(int_t, idx)]), _V8.as_pointer())
            return _load(builder, ptr)

        x0r, x0i, x1r, x1i, x2r, x2i = (vload(lanes_p, WIDTH * c) for c in range(6))
        n0 = _fmuladd(builder, x0i, x0i, builder.fmul(x0r, x0r))
        n1 = _fmuladd(builder, x1i, x1i, builder.fmul(x1r, x1r))
        n2 = _fmuladd(builder, x2i, x2i, builder.fmul(x2r, x2r))
        one = ir.Constant(_V8, [1.0] * WIDTH)
        inv = builder.fdiv(one, builder.fadd(builder.fadd(n0, n1), n2))
        re12 = builder.fmul(_fmuladd(builder, x0i, x1i, builder.fmul(x0r, x1r)), inv)
        re13 = builder.fmul(_fmuladd(builder, x0i, x2i, builder.fmul(x0r, x2r)), inv)
        sg = vload(sv_p, 0)
        th2_, th3_, om2_, s2_, c2_, om3_, s3_, c3_ = args[4:12]
        two = ir.Constant(_V8, [2.0] * WIDTH)

        def force(theta: Any, om: Any, s: Any, c: Any, re: Any) -> Any:
            a = builder.fmul(_splat(builder, theta), sg)
            a2 = builder.fmul(a, a)
            ca = _poly(builder, a2, COS_SERIES)
            sa = builder.fmul(a, _poly(builder, a2, SIN_SERIES))
            sin_phi = _fmuladd(
                builder, _splat(builder, s), ca, builder.fmul(_splat(builder, c), sa)
            )
            return builder.fmul(builder.fmul(builder.fmul(_splat(builder, om), two), sin_phi), re)

        fa = force(th2_, om2_, s2_, c2_, re12)
        fb = force(th3_, om3_, s3_, c3_, re13)
        w = vload(qw_p, 0)
        wl = vload(qwl_p, 0)
        zero = ir.Constant(_V8, [0.0] * WIDTH)
        terms = [
            builder.fmul(w, builder.fmul(n0, inv)),
            builder.fmul(w, builder.fmul(n1, inv)),
            builder.fmul(w, fa),
            builder.fmul(w, fb),
            builder.fmul(wl, fa),
            builder.fmul(wl, fb),
            zero,
            zero,
        ]
        ptr = builder.bitcast(out_p, _V8.as_pointer())
        _store(builder, _sum8(builder, terms), ptr)
        return context.get_dummy_value()

    return sig, codegen
