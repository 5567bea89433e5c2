package dev.panagrad.ops;

import dev.panagrad.DType;
import dev.panagrad.Graph;
import dev.panagrad.GradMode;
import dev.panagrad.Shape;
import dev.panagrad.Tensor;
import dev.panagrad.kernels.BinaryOp;
import dev.panagrad.kernels.CompareOp;
import dev.panagrad.kernels.Kernels;
import dev.panagrad.kernels.UnaryOp;

import java.util.Arrays;

/**
 * Elementwise ops with NumPy broadcasting, each forward beside its derivative. The {@code *Raw} and
 * {@code *Into} methods compute without recording autograd; the others record.
 *
 * <pre>{@code
 * Tensor y = Pointwise.unary(UnaryOp.TANH, x);   // same as x.tanh()
 * }</pre>
 */
public final class Pointwise {
    private Pointwise() {}

    private static final Kernels K = Kernels.active();
    private static final double INV_SQRT2 = 0.7071067811865476;
    private static final double INV_SQRT_2PI = 0.3989422804014327;
    private static final double TWO_OVER_SQRT_PI = 1.1283791670955126;

    // ------------------------------------------------------------ unary

    /** {@code op(x)} elementwise, recording its derivative. */
    public static Tensor unary(UnaryOp op, Tensor x) {
        Tensor out = mapRaw(op, x);
        return switch (op) {
            case NEG -> Graph.record("NegBackward0", out, x, (g, s) -> g.neg());
            case EXP -> Graph.record("ExpBackward0", out, x, (g, s) -> g.mul(s[0]), out);
            case LOG -> Graph.record("LogBackward0", out, x, (g, s) -> g.div(s[0]), x);
            case SQRT -> Graph.record("SqrtBackward0", out, x, (g, s) -> g.div(s[0].mul(2)), out);
            case RSQRT -> Graph.record("RsqrtBackward0", out, x, (g, s) -> g.mul(s[0].pow(3)).mul(-0.5), out);
            case ABS -> Graph.record("AbsBackward0", out, x, (g, s) -> g.mul(s[0].sign()), x);
            case SIGN -> Graph.record("SignBackward0", out, x, (g, s) -> g.zerosLike());   // not g * 0: inf * 0
            case SIN -> Graph.record("SinBackward0", out, x, (g, s) -> g.mul(s[0].cos()), x);
            case COS -> Graph.record("CosBackward0", out, x, (g, s) -> g.mul(s[0].sin()).neg(), x);
            case TANH -> Graph.record("TanhBackward0", out, x, (g, s) -> g.mul(s[0].square().rsub(1)), out);
            case SIGMOID -> Graph.record("SigmoidBackward0", out, x, (g, s) -> g.mul(s[0].mul(s[0].rsub(1))), out);
            case RELU -> Graph.record("ReluBackward0", out, x, (g, s) -> binary(BinaryOp.RELU_GRAD, g, s[0]), out);
            // d/dx x*Phi(x) = Phi(x) + x*phi(x)
            case GELU -> Graph.record("GeluBackward0", out, x, (g, s) -> {
                Tensor cdf = s[0].mul(INV_SQRT2).erf().add(1).mul(0.5);
                Tensor pdf = s[0].square().mul(-0.5).exp().mul(INV_SQRT_2PI);
                return g.mul(cdf.add(s[0].mul(pdf)));
            }, x);
            case SOFTPLUS -> Graph.record("SoftplusBackward0", out, x,
                    (g, s) -> g.mul(Tensor.where(s[0].gt(20), s[0].onesLike(), s[0].sigmoid())), x);
            case ERF -> Graph.record("ErfBackward0", out, x,
                    (g, s) -> g.mul(s[0].square().neg().exp().mul(TWO_OVER_SQRT_PI)), x);
            case RECIPROCAL -> Graph.record("ReciprocalBackward0", out, x, (g, s) -> g.mul(s[0].square()).neg(), out);
            case FLOOR -> Graph.record("FloorBackward0", out, x, (g, s) -> g.mul(0));
            case CEIL -> Graph.record("CeilBackward0", out, x, (g, s) -> g.mul(0));
            case ROUND -> Graph.record("RoundBackward0", out, x, (g, s) -> g.mul(0));
            case TRUNC -> Graph.record("TruncBackward0", out, x, (g, s) -> g.mul(0));
            // asin' = 1/sqrt(1-x^2), acos' = -1/sqrt(1-x^2), atan' = 1/(1+x^2)
            case ASIN -> Graph.record("AsinBackward0", out, x, (g, s) -> g.mul(s[0].square().rsub(1).rsqrt()), x);
            case ACOS -> Graph.record("AcosBackward0", out, x, (g, s) -> g.mul(s[0].square().rsub(1).rsqrt()).neg(), x);
            case ATAN -> Graph.record("AtanBackward0", out, x, (g, s) -> g.div(s[0].square().add(1)), x);
            // asinh' = 1/sqrt(x^2+1), acosh' = 1/sqrt(x^2-1), atanh' = 1/(1-x^2)
            case ASINH -> Graph.record("AsinhBackward0", out, x, (g, s) -> g.mul(s[0].square().add(1).rsqrt()), x);
            case ACOSH -> Graph.record("AcoshBackward0", out, x, (g, s) -> g.mul(s[0].square().sub(1).rsqrt()), x);
            case ATANH -> Graph.record("AtanhBackward0", out, x, (g, s) -> g.div(s[0].square().rsub(1)), x);
            case LOGICAL_NOT -> out;
        };
    }

    /** {@code op(x)} without autograd; integer inputs of real-valued functions are computed in float32. */
    public static Tensor mapRaw(UnaryOp op, Tensor x) {
        DType dt = resultType(op, x.dtype());
        if (dt != x.dtype()) x = convertRaw(x, dt);
        Tensor out = Tensor.empty(dt, x.shape());
        mapInto(op, x, out);
        return out;
    }

    /** The dtype of {@code op} applied to {@code dt}: real-valued functions of integers and masks give float32. */
    public static DType resultType(UnaryOp op, DType dt) {
        boolean keepsType = op == UnaryOp.NEG || op == UnaryOp.ABS || op == UnaryOp.SIGN || op == UnaryOp.RELU
                || op == UnaryOp.LOGICAL_NOT || op == UnaryOp.FLOOR || op == UnaryOp.CEIL || op == UnaryOp.ROUND
                || op == UnaryOp.TRUNC;
        return dt.isFloating() || keepsType ? dt : DType.FLOAT32;
    }

    /** Writes {@code op(x)} into {@code out} of the same shape and dtype (out may be x itself). */
    public static void mapInto(UnaryOp op, Tensor x, Tensor out) {
        DType dt = out.dtype();
        Loops.forEach(Loops.name(op), out.shape(), new Tensor[] {out, x},
                (seg, off, st, n) -> K.unary(op, dt, seg[1], off[1], st[1], seg[0], off[0], st[0], n));
    }

    // ------------------------------------------------------------ binary

    /** {@code op(a, b)} with broadcasting and type promotion, recording its derivative. */
    public static Tensor binary(BinaryOp op, Tensor a, Tensor b) {
        Tensor x, y, out;
        Tensor whole = smallWithoutBroadcastViews(op, a, b);
        if (whole != null) {
            x = a;
            y = b;
            out = whole.emptyLike();
        } else {
            long[] shape = Shape.broadcast(Loops.name(op), a.shape(), b.shape());
            DType dt = DType.promote(a.dtype(), b.dtype());
            if (floatResult(op) && !dt.isFloating()) dt = DType.FLOAT32;   // true division, as PyTorch
            x = a.to(dt).expand(shape);
            y = b.to(dt).expand(shape);
            out = Tensor.empty(dt, shape);
        }
        binaryInto(op, x, y, out);
        if (!Graph.needsGrad(x, y)) return out;
        Tensor[] in = Graph.of(x, y);
        return switch (op) {
            case ADD -> Graph.record("AddBackward0", out, in, null, (g, s) -> Graph.of(g, g));
            case SUB -> Graph.record("SubBackward0", out, in, null, (g, s) -> Graph.of(g, g.neg()));
            case MUL -> Graph.record("MulBackward0", out, in, saveIfOtherNeedsGrad(x, y),
                    (g, s) -> Graph.of(s[1] == null ? null : g.mul(s[1]), s[0] == null ? null : g.mul(s[0])));
            case DIV -> Graph.record("DivBackward0", out, in, Graph.of(x, y),
                    (g, s) -> Graph.of(g.div(s[1]), y.requiresGrad() ? g.neg().mul(s[0]).div(s[1].square()) : null));
            // d/da a^b = b a^(b-1); d/db a^b = a^b log a (0 where a == 0 and b >= 0)
            // (as PyTorch: 0 where b == 0, where b a^(b-1) would be 0 * inf at a == 0)
            case POW -> Graph.record("PowBackward1", out, in, Graph.of(x, y, out), (g, s) -> Graph.of(
                    Tensor.where(s[1].eq(0), 0, g.mul(s[1]).mul(s[0].pow(s[1].sub(1)))),
                    y.requiresGrad() ? g.mul(s[2].mul(s[0].log()).maskedFill(s[0].eq(0).logicalAnd(s[1].ge(0)), 0))
                            : null));
            // the larger operand gets the gradient; ties share it equally
            case MAX, MIN -> Graph.record(op == BinaryOp.MAX ? "MaximumBackward0" : "MinimumBackward0", out, in,
                    Graph.of(x, y), (g, s) -> {
                        Tensor aWins = op == BinaryOp.MAX ? s[0].gt(s[1]) : s[0].lt(s[1]);
                        Tensor tie = s[0].eq(s[1]);
                        Tensor half = g.mul(0.5);
                        Tensor ga = Tensor.where(aWins, g, Tensor.where(tie, half, 0));
                        Tensor gb = Tensor.where(aWins.logicalOr(tie), Tensor.where(tie, half, 0), g);
                        return Graph.of(ga, gb);
                    });
            // linear in a, piecewise constant in b
            case RELU_GRAD -> Graph.record("ThresholdBackwardBackward0", out, in, Graph.of(y),
                    (g, s) -> Graph.of(binary(BinaryOp.RELU_GRAD, g, s[0]), null));
            // d/da atan2(a, b) = b / (a^2 + b^2), d/db = -a / (a^2 + b^2)
            case ATAN2 -> Graph.record("Atan2Backward0", out, in, Graph.of(x, y), (g, s) -> {
                Tensor r2 = s[0].square().add(s[1].square());
                return Graph.of(g.mul(s[1]).div(r2), g.mul(s[0]).div(r2).neg());
            });
            // a - q b with q = trunc(a / b) (fmod) or floor(a / b) (remainder), q piecewise constant
            case FMOD, REMAINDER -> Graph.record(op == BinaryOp.FMOD ? "FmodBackward1" : "RemainderBackward1", out, in,
                    Graph.of(x, y), (g, s) -> {
                        Tensor q = s[0].div(s[1]);
                        return Graph.of(g, g.mul(op == BinaryOp.FMOD ? q.trunc() : q.floor()).neg());
                    });
        };
    }

    /** Ops whose integer operands give float32, as true division does in PyTorch. */
    private static boolean floatResult(BinaryOp op) {
        return op == BinaryOp.DIV || op == BinaryOp.ATAN2;
    }

    /**
     * The operand whose shape the result takes when {@code op(a, b)} needs neither type conversion nor
     * broadcast views, or null: a small op on contiguous operands of one type, where both have one shape or one
     * of them is a single element that needs no gradient (a constant: its gradient would need summing).
     * {@link Loops} then reads the single element with stride 0. Saves a training loop's many scalar ops the
     * views and shape arrays of the general path.
     */
    private static Tensor smallWithoutBroadcastViews(BinaryOp op, Tensor a, Tensor b) {
        DType dt = a.dtype();
        if (b.dtype() != dt || (floatResult(op) && !dt.isFloating()) || !a.isContiguous() || !b.isContiguous()) {
            return null;
        }
        Tensor whole = a.sameShape(b) ? a
                : isConstantElement(b, a) ? a
                : isConstantElement(a, b) ? b : null;
        return whole != null && Loops.isSmall(whole.numel()) ? whole : null;
    }

    private static boolean isConstantElement(Tensor e, Tensor other) {
        return e.numel() == 1 && e.dim() <= other.dim() && !(e.requiresGrad() && GradMode.isEnabled());
    }

    /** MulBackward0 needs the other operand only for inputs that require grad. */
    private static Tensor[] saveIfOtherNeedsGrad(Tensor x, Tensor y) {
        return Graph.of(y.requiresGrad() ? x : null, x.requiresGrad() ? y : null);
    }

    /** {@code x ^ exponent} for a scalar exponent. */
    public static Tensor pow(Tensor x, double exponent) {
        boolean integral = exponent == Math.rint(exponent);
        if (!x.dtype().isFloating() && integral && exponent < 0) {
            throw new IllegalArgumentException("pow: integers to negative integer powers are not allowed; given "
                    + x.describe() + " and exponent " + exponent + "; expected a floating tensor (x.to(FLOAT32))");
        }
        DType et = x.dtype().isFloating() || x.dtype().isIntegral() && integral ? x.dtype() : integral ? DType.INT64 : DType.FLOAT32;
        Tensor out = binaryRaw(BinaryOp.POW, x, Tensor.scalar(et, exponent));
        return Graph.record("PowBackward0", out, x,
                (g, s) -> exponent == 0 ? g.zerosLike() : g.mul(s[0].pow(exponent - 1).mul(exponent)), x);
    }

    /** {@code op(a, b)} with broadcasting, computed in the promoted dtype, without autograd. */
    public static Tensor binaryRaw(BinaryOp op, Tensor a, Tensor b) {
        long[] shape = Shape.broadcast(Loops.name(op), a.shape(), b.shape());
        DType dt = DType.promote(a.dtype(), b.dtype());
        Tensor out = Tensor.empty(dt, shape);
        binaryInto(op, convertRaw(a, dt).expand(shape), convertRaw(b, dt).expand(shape), out);
        return out;
    }

    /** Writes {@code op(a, b)} into {@code out}; a and b have out's shape and dtype (out may alias a). */
    public static void binaryInto(BinaryOp op, Tensor a, Tensor b, Tensor out) {
        DType dt = out.dtype();
        Loops.forEach(Loops.name(op), out.shape(), new Tensor[] {out, a, b}, (seg, off, st, n) ->
                K.binary(op, dt, seg[1], off[1], st[1], seg[2], off[2], st[2], seg[0], off[0], st[0], n));
    }

    /** {@code a op b} as a bool mask (never requires grad). */
    public static Tensor compare(CompareOp op, Tensor a, Tensor b) {
        long[] shape = Shape.broadcast(Loops.name(op), a.shape(), b.shape());
        DType dt = DType.promote(a.dtype(), b.dtype());
        Tensor x = convertRaw(a, dt).expand(shape), y = convertRaw(b, dt).expand(shape);
        Tensor out = Tensor.empty(DType.BOOL, shape);
        Loops.forEach(Loops.name(op), shape, new Tensor[] {out, x, y}, (seg, off, st, n) ->
                K.compare(op, dt, seg[1], off[1], st[1], seg[2], off[2], st[2], seg[0], off[0], st[0], n));
        return out;
    }

    /** Elementwise AND (MIN) or OR (MAX) of two masks. */
    public static Tensor logical(BinaryOp op, Tensor a, Tensor b) {
        return binaryRaw(op, convertRaw(a, DType.BOOL), convertRaw(b, DType.BOOL));
    }

    /** {@code mask ? a : b} with broadcasting; the gradient flows to the chosen operand. */
    public static Tensor where(Tensor mask, Tensor a, Tensor b) {
        if (mask.dtype() != DType.BOOL) {
            throw new IllegalArgumentException("where: expected a bool condition (a mask from a comparison), given "
                    + mask.describe() + "; use ne(0) to make a mask");
        }
        long[] shape = Shape.broadcast("where", Shape.broadcast("where", mask.shape(), a.shape()), b.shape());
        DType dt = DType.promote(a.dtype(), b.dtype());
        Tensor m = mask.expand(shape);
        Tensor x = a.to(dt).expand(shape), y = b.to(dt).expand(shape);
        Tensor out = Tensor.empty(dt, shape);
        Loops.forEach("where", shape, new Tensor[] {out, m, x, y}, (seg, off, st, n) -> K.where(dt,
                seg[1], off[1], st[1], seg[2], off[2], st[2], seg[3], off[3], st[3], seg[0], off[0], st[0], n));
        return Graph.record("WhereBackward0", out, Graph.of(x, y), Graph.of(m),
                (g, s) -> Graph.of(Tensor.where(s[0], g, 0), Tensor.where(s[0], 0, g)));
    }

    /** Values limited to [min, max]; the gradient passes where {@code min <= x <= max}. */
    public static Tensor clamp(Tensor x, double min, double max) {
        if (min > max) {
            throw new IllegalArgumentException("clamp: min " + min + " is greater than max " + max
                    + "; expected min <= max");
        }
        Tensor out = binaryRaw(BinaryOp.MIN, binaryRaw(BinaryOp.MAX, x, Tensor.scalar(x.dtype(), min)),
                Tensor.scalar(x.dtype(), max));
        String name = min == Double.NEGATIVE_INFINITY ? "ClampMaxBackward0"
                : max == Double.POSITIVE_INFINITY ? "ClampMinBackward0" : "ClampBackward1";
        return Graph.record(name, out, x,
                (g, s) -> Tensor.where(s[0].ge(min).logicalAnd(s[0].le(max)), g, 0), x);
    }

    // ------------------------------------------------------------ copies and conversion

    /** A copy in another dtype (x itself when it matches), recording ToCopyBackward0. */
    public static Tensor to(Tensor x, DType dt) {
        if (x.dtype() == dt) return x;
        Tensor out = convertRaw(x, dt);
        if (!dt.isFloating()) return out;
        DType from = x.dtype();
        return Graph.record("ToCopyBackward0", out, x, (g, s) -> g.to(from));
    }

    /** A contiguous copy recorded as CloneBackward0. */
    public static Tensor cloneTensor(Tensor x) {
        Tensor out = Tensor.empty(x.dtype(), x.shape());
        copyRaw(out, x);
        return Graph.record("CloneBackward0", out, x, (g, s) -> g);
    }

    /** A contiguous tensor of dtype dt with x's values (x itself when already contiguous of that dtype). */
    public static Tensor convertRaw(Tensor x, DType dt) {
        if (x.dtype() == dt && x.isContiguous()) return x;
        Tensor out = Tensor.empty(dt, x.shape());
        copyRaw(out, x);
        return out;
    }

    /** Copies src (broadcast to dst's shape, converted to dst's dtype) into dst, without autograd. */
    public static void copyRaw(Tensor dst, Tensor src) {
        long[] shape = dst.shape();
        if (!Arrays.equals(Shape.broadcast("copy_", src.shape(), shape), shape)) {
            throw new IllegalArgumentException("copy_: source of shape " + Shape.str(src.shape())
                    + " cannot be broadcast to the destination's shape " + Shape.str(shape));
        }
        Tensor s = src.detach();
        if (s.storage() == dst.storage() && !sameView(s, dst)) s = s.clone();   // overlapping source: read a copy
        s = s.expand(shape);
        DType from = src.dtype(), to = dst.dtype();
        Loops.forEach("copy_", shape, new Tensor[] {dst, s},
                (seg, off, st, n) -> K.convert(from, seg[1], off[1], st[1], to, seg[0], off[0], st[0], n));
    }

    /** True when a and b are the same elements in the same order (reading a while writing b is then safe). */
    public static boolean sameView(Tensor a, Tensor b) {
        return a.storage() == b.storage() && a.offset() == b.offset() && Arrays.equals(a.shape(), b.shape())
                && Arrays.equals(a.strides(), b.strides());
    }

    /** Sets every element of t (any strides) to value, without autograd. */
    public static void fillRaw(Tensor t, double value) {
        DType dt = t.dtype();
        Loops.forEach("fill_", t.shape(), new Tensor[] {t}, (seg, off, st, n) -> K.fill(dt, seg[0], off[0], st[0], n, value));
    }
}
