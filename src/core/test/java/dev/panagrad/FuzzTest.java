package dev.panagrad;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Seeded property-based test: random ops on random shapes, dims, indices and dtypes. Each call must either give
 * the result of a double-precision reference computed here with plain loops, or, exactly when the reference
 * finds the arguments invalid, throw one of the documented exception types (IllegalArgumentException,
 * IndexOutOfBoundsException) with a message that starts with the op's name.
 *
 * <p>A few thousand calls run in the suite; nightly runs take more with
 * {@code -Dpanagrad.fuzz.iterations=1000000} (and another {@code -Dpanagrad.fuzz.seed=...}). A failure prints
 * the seed and call number, which replay it.
 */
class FuzzTest {
    private static final long SEED = Long.getLong("panagrad.fuzz.seed", 20261204L);
    private static final int ITERATIONS = Integer.getInteger("panagrad.fuzz.iterations", 3000);
    private static final DType[] DTYPES = {DType.FLOAT32, DType.FLOAT64, DType.INT64};

    /** A contiguous row-major array of doubles: the reference's tensor. */
    record Arr(long[] shape, double[] v) {
        int rank() { return shape.length; }
        long[] strides() {
            long[] st = new long[shape.length];
            long s = 1;
            for (int i = shape.length - 1; i >= 0; i--) {
                st[i] = s;
                s *= shape[i];
            }
            return st;
        }
        static Arr of(long[] shape) {
            long n = 1;
            for (long s : shape) n *= s;
            return new Arr(shape, new double[(int) n]);
        }
        /** The multi-index of row-major position p. */
        long[] index(long p) {
            long[] idx = new long[shape.length];
            for (int d = shape.length - 1; d >= 0; d--) {
                if (shape[d] == 0) return idx;
                idx[d] = p % shape[d];
                p /= shape[d];
            }
            return idx;
        }
        double at(long[] idx) {
            long[] st = strides();
            long p = 0;
            for (int d = 0; d < idx.length; d++) p += idx[d] * st[d];
            return v[(int) p];
        }
    }

    /** Thrown by a reference when PyTorch would refuse the arguments. */
    static final class Invalid extends RuntimeException {
        Invalid() { super(null, null, false, false); }
    }

    private Random rnd;

    @Test
    void randomOpsMatchTheReferenceOrFailCleanly() {
        rnd = new Random(SEED);
        for (int call = 0; call < ITERATIONS; call++) {
            try {
                oneCall();
            } catch (AssertionError e) {
                throw new AssertionError("fuzz seed " + SEED + ", call " + call + ": " + e.getMessage(), e);
            }
        }
    }

    // ---------------------------------------------------------------- random inputs

    private long[] randomShape(int maxRank) {
        long[] s = new long[rnd.nextInt(maxRank + 1)];
        for (int i = 0; i < s.length; i++) s[i] = rnd.nextInt(10) == 0 ? 0 : 1 + rnd.nextInt(3);
        return s;
    }

    private Arr randomArr(long[] shape) {
        Arr a = Arr.of(shape);
        for (int i = 0; i < a.v.length; i++) a.v[i] = rnd.nextInt(9) - 4;   // small integers: exact in every dtype
        return a;
    }

    /** The tensor of a reference array, sometimes laid out non-contiguously (same values). */
    private Tensor tensor(Arr a, DType dt) {
        Tensor t = Tensor.of(a.v.clone(), a.shape.clone()).to(dt);
        if (a.rank() >= 2 && rnd.nextBoolean()) t = t.transpose(0, -1).contiguous().transpose(0, -1);
        return t;
    }

    private int randomDim(int rank) {
        int r = Math.max(rank, 1);
        return rnd.nextInt(8) == 0 ? (rnd.nextBoolean() ? r + rnd.nextInt(2) : -r - 1 - rnd.nextInt(2))
                : rnd.nextInt(2 * r) - r;
    }

    private long randomIndex(long size) {
        return switch (rnd.nextInt(10)) {
            case 0 -> Long.MAX_VALUE;
            case 1 -> Long.MIN_VALUE;
            default -> rnd.nextLong(-size - 2, size + 3);
        };
    }

    private static int wrap(int dim, int rank) {
        int r = Math.max(rank, 1);
        if (dim < -r || dim >= r) throw new Invalid();
        return dim < 0 ? dim + r : dim;
    }

    // ---------------------------------------------------------------- one call

    private void oneCall() {
        DType dt = DTYPES[rnd.nextInt(DTYPES.length)];
        Arr a = randomArr(randomShape(4));
        Tensor x = tensor(a, dt);
        switch (rnd.nextInt(16)) {
            case 0 -> {
                String[] names = {"add", "sub", "mul", "maximum", "minimum"};
                int op = rnd.nextInt(names.length);
                DType dt2 = DTYPES[rnd.nextInt(DTYPES.length)];
                Arr b = randomArr(broadcastableTo(a.shape));
                Tensor y = tensor(b, dt2);
                check(names[op], () -> binary(op, a, b), () -> switch (op) {
                    case 0 -> x.add(y);
                    case 1 -> x.sub(y);
                    case 2 -> x.mul(y);
                    case 3 -> x.maximum(y);
                    default -> x.minimum(y);
                });
            }
            case 1 -> {
                int op = rnd.nextInt(3);
                String name = new String[] {"neg", "abs", "exp"}[op];
                if (op == 2 && dt == DType.INT64) return;
                check(name, () -> map(a, op == 0 ? v -> -v : op == 1 ? Math::abs : Math::exp),
                        () -> op == 0 ? x.neg() : op == 1 ? x.abs() : x.exp());
            }
            case 2 -> {
                int dim = randomDim(a.rank());
                boolean keep = rnd.nextBoolean(), mean = rnd.nextBoolean();
                check(mean ? "mean" : "sum", () -> {
                    if (mean && dt == DType.INT64) throw new Invalid();   // PyTorch: mean needs a floating input
                    return reduce(a, dim, keep, mean);
                }, () -> mean ? x.mean(dim, keep) : x.sum(dim, keep));
            }
            case 3 -> {
                int d0 = randomDim(a.rank()), d1 = randomDim(a.rank());
                check("transpose", () -> {
                    int[] perm = identity(a.rank());
                    if (a.rank() == 0) {
                        wrap(d0, 0);
                        wrap(d1, 0);
                        return a;
                    }
                    int p = wrap(d0, a.rank()), q = wrap(d1, a.rank());
                    perm[p] = q;
                    perm[q] = p;
                    return permute(a, perm);
                }, () -> x.transpose(d0, d1));
            }
            case 4 -> {
                int[] dims = identity(a.rank());
                for (int i = dims.length - 1; i > 0; i--) swap(dims, i, rnd.nextInt(i + 1));
                if (rnd.nextInt(6) == 0 && dims.length > 0) dims[rnd.nextInt(dims.length)] = randomDim(a.rank());
                if (rnd.nextInt(10) == 0) dims = Arrays.copyOf(dims, dims.length + 1);
                int[] given = dims;
                check("permute", () -> {
                    if (given.length != a.rank()) throw new Invalid();
                    int[] p = new int[given.length];
                    boolean[] seen = new boolean[given.length];
                    for (int i = 0; i < p.length; i++) {
                        p[i] = wrap(given[i], a.rank());
                        if (seen[p[i]]) throw new Invalid();
                        seen[p[i]] = true;
                    }
                    return permute(a, p);
                }, () -> x.permute(given));
            }
            case 5 -> {
                int dim = randomDim(a.rank());
                long size = a.rank() == 0 ? 0 : a.shape[Math.floorMod(dim, a.rank())];
                long start = randomIndex(size), length = rnd.nextInt(8) == 0 ? Long.MAX_VALUE : rnd.nextLong(-1, size + 2);
                check("narrow", () -> {
                    if (a.rank() == 0) throw new Invalid();
                    int d = wrap(dim, a.rank());
                    long n = a.shape[d];
                    if (start < -n || start > n) throw new Invalid();
                    long s = start < 0 ? start + n : start;
                    if (length < 0 || length > n - s) throw new Invalid();
                    return slice(a, d, s, s + length, 1);
                }, () -> x.narrow(dim, start, length));
            }
            case 6 -> {
                int dim = randomDim(a.rank());
                long size = a.rank() == 0 ? 0 : a.shape[Math.floorMod(dim, a.rank())];
                long start = randomIndex(size), end = randomIndex(size);
                long step = new long[] {-1, 0, 1, 1, 2, 3, Long.MAX_VALUE}[rnd.nextInt(7)];
                check("slice", () -> {
                    if (a.rank() == 0) throw new Invalid();
                    int d = wrap(dim, a.rank());
                    if (step <= 0) throw new Invalid();
                    long n = a.shape[d], lo = clamp(start, n), hi = Math.max(lo, clamp(end, n));
                    return slice(a, d, lo, hi, step);
                }, () -> x.slice(dim, start, end, step));
            }
            case 7 -> {
                int dim = randomDim(a.rank());
                long size = a.rank() == 0 ? 0 : a.shape[Math.floorMod(dim, a.rank())];
                long index = randomIndex(size);
                check("select", () -> {
                    if (a.rank() == 0) throw new Invalid();
                    int d = wrap(dim, a.rank());
                    long n = a.shape[d];
                    if (index < -n || index >= n) throw new Invalid();
                    long i = index < 0 ? index + n : index;
                    Arr s = slice(a, d, i, i + 1, 1);
                    return new Arr(remove(s.shape, d), s.v);
                }, () -> x.select(dim, index));
            }
            case 8 -> {
                int dim = randomDim(a.rank() + 1);
                check("unsqueeze", () -> {
                    int d = wrap(dim, a.rank() + 1);
                    long[] s = new long[a.rank() + 1];
                    for (int i = 0, j = 0; i < s.length; i++) s[i] = i == d ? 1 : a.shape[j++];
                    return new Arr(s, a.v);
                }, () -> x.unsqueeze(dim));
            }
            case 9 -> {
                long[] target = reshapeTarget(a);
                check("reshape", () -> reshape(a, target), () -> x.reshape(target));
            }
            case 10 -> {
                int dim = randomDim(a.rank());
                check("squeeze", () -> {
                    int d = wrap(dim, a.rank());
                    return a.rank() == 0 || a.shape[d] != 1 ? a : new Arr(remove(a.shape, d), a.v);
                }, () -> x.squeeze(dim));
            }
            case 11 -> {
                int start = randomDim(a.rank()), end = randomDim(a.rank());
                check("flatten", () -> {
                    if (a.rank() == 0) {
                        wrap(start, 0);
                        wrap(end, 0);
                        return new Arr(new long[] {1}, a.v);
                    }
                    int p = wrap(start, a.rank()), q = wrap(end, a.rank());
                    if (p > q) throw new Invalid();
                    List<Long> shape = new ArrayList<>();
                    long merged = 1;
                    for (int i = 0; i < a.rank(); i++) {
                        if (i < p || i > q) shape.add(a.shape[i]);
                        else merged *= a.shape[i];
                        if (i == q) shape.add(merged);
                    }
                    return new Arr(shape.stream().mapToLong(Long::longValue).toArray(), a.v);
                }, () -> x.flatten(start, end));
            }
            case 12 -> {
                long[] target = expandTarget(a.shape);
                check("expand", () -> expand(a, target), () -> x.expand(target));
            }
            case 13 -> {
                if (dt == DType.INT64) return;
                Arr img = randomArr(new long[] {1 + rnd.nextInt(2), rnd.nextInt(6), rnd.nextInt(6)});
                Tensor t = tensor(img, dt);
                int[] k = {1 + rnd.nextInt(3), 1 + rnd.nextInt(3)}, st = {1 + rnd.nextInt(3), 1 + rnd.nextInt(3)};
                int[] pad = {rnd.nextInt(2), rnd.nextInt(2)}, dil = {1 + rnd.nextInt(2), 1 + rnd.nextInt(2)};
                check("maxPool2d", () -> maxPool(img, k, st, pad, dil),
                        () -> dev.panagrad.nn.MaxPool2d.maxPool2dWithIndices(t, k, st, pad, dil)[0]);
            }
            default -> {
                if (dt == DType.INT64) return;
                long n = 1 + rnd.nextInt(3), k = rnd.nextInt(4), m = 1 + rnd.nextInt(3);
                long k2 = rnd.nextInt(6) == 0 ? k + 1 : k;
                long[] as = switch (rnd.nextInt(3)) {
                    case 0 -> new long[] {k};
                    case 1 -> new long[] {n, k};
                    default -> new long[] {1 + rnd.nextInt(2), n, k};
                };
                long[] bs = rnd.nextBoolean() ? new long[] {k2} : new long[] {k2, m};
                Arr p = randomArr(as), q = randomArr(bs);
                Tensor tp = tensor(p, dt), tq = tensor(q, dt);
                check("matmul", () -> matmul(p, q), () -> tp.matmul(tq));
            }
        }
    }

    // ---------------------------------------------------------------- the property

    private static void check(String op, Supplier<Arr> reference, Supplier<Tensor> call) {
        Arr expected;
        try {
            expected = reference.get();
        } catch (Invalid e) {
            expected = null;
        }
        Tensor got;
        try {
            got = call.get();
        } catch (IllegalArgumentException | IndexOutOfBoundsException e) {
            if (expected != null) fail(op + " refused valid arguments: " + e);
            if (e.getMessage() == null || !e.getMessage().startsWith(op + ": ")) {
                fail(op + " threw a message that does not name the op: " + e);
            }
            return;
        } catch (RuntimeException e) {
            throw new AssertionError(op + " threw an undocumented " + e.getClass().getName() + ": " + e.getMessage(), e);
        }
        if (expected == null) fail(op + " accepted invalid arguments, giving " + got.describe());
        assertArrayEquals(expected.shape, got.shape(), op + " shape");
        double[] values = got.toDoubleArray();
        for (int i = 0; i < values.length; i++) {
            double e = expected.v[i], g = values[i];
            if (Double.isNaN(e) && Double.isNaN(g)) continue;
            double tolerance = got.dtype() == DType.FLOAT32 ? 1e-6 * Math.max(1, Math.abs(e)) : 1e-12 * Math.max(1, Math.abs(e));
            if (Math.abs(e - g) > tolerance) {
                assertEquals(e, g, tolerance, op + " element " + i + " of " + got.describe());
            }
        }
    }

    // ---------------------------------------------------------------- the reference

    private long[] broadcastableTo(long[] shape) {
        if (rnd.nextInt(8) == 0) return randomShape(4);   // often incompatible
        int drop = shape.length == 0 ? 0 : rnd.nextInt(shape.length + 1);
        long[] s = Arrays.copyOfRange(shape, drop, shape.length);
        for (int i = 0; i < s.length; i++) if (rnd.nextInt(3) == 0) s[i] = 1;
        if (rnd.nextInt(6) == 0) {   // or b has more dims than a
            long[] more = new long[s.length + 1];
            more[0] = 1 + rnd.nextInt(2);
            System.arraycopy(s, 0, more, 1, s.length);
            return more;
        }
        return s;
    }

    private static Arr binary(int op, Arr a, Arr b) {
        int n = Math.max(a.rank(), b.rank());
        long[] shape = new long[n];
        for (int i = 0; i < n; i++) {
            long x = i < n - a.rank() ? 1 : a.shape[i - (n - a.rank())];
            long y = i < n - b.rank() ? 1 : b.shape[i - (n - b.rank())];
            if (x != y && x != 1 && y != 1) throw new Invalid();
            shape[i] = x == 1 ? y : x;
        }
        Arr out = Arr.of(shape);
        for (int p = 0; p < out.v.length; p++) {
            long[] idx = out.index(p);
            double x = a.at(broadcastIndex(idx, a.shape)), y = b.at(broadcastIndex(idx, b.shape));
            out.v[p] = switch (op) {
                case 0 -> x + y;
                case 1 -> x - y;
                case 2 -> x * y;
                case 3 -> Math.max(x, y);
                default -> Math.min(x, y);
            };
        }
        return out;
    }

    private static long[] broadcastIndex(long[] idx, long[] shape) {
        long[] r = new long[shape.length];
        for (int i = 0; i < shape.length; i++) r[i] = shape[i] == 1 ? 0 : idx[idx.length - shape.length + i];
        return r;
    }

    private static Arr map(Arr a, java.util.function.DoubleUnaryOperator f) {
        Arr out = Arr.of(a.shape);
        for (int i = 0; i < a.v.length; i++) out.v[i] = f.applyAsDouble(a.v[i]);
        return out;
    }

    private static Arr reduce(Arr a, int dim, boolean keep, boolean mean) {
        int d = wrap(dim, a.rank());
        if (a.rank() == 0) return mean ? a : a;   // a 0-dim tensor reduced over its only "dim" is itself
        long[] kept = a.shape.clone();
        kept[d] = 1;
        Arr out = Arr.of(kept);
        for (int p = 0; p < a.v.length; p++) {
            long[] idx = a.index(p);
            idx[d] = 0;
            out.v[(int) flat(idx, kept)] += a.v[p];
        }
        if (mean) for (int i = 0; i < out.v.length; i++) out.v[i] /= a.shape[d];
        return keep ? out : new Arr(remove(kept, d), out.v);
    }

    private static long flat(long[] idx, long[] shape) {
        long p = 0;
        for (int i = 0; i < shape.length; i++) p = p * shape[i] + idx[i];
        return p;
    }

    private static Arr permute(Arr a, int[] perm) {
        long[] shape = new long[perm.length];
        for (int i = 0; i < perm.length; i++) shape[i] = a.shape[perm[i]];
        Arr out = Arr.of(shape);
        for (int p = 0; p < out.v.length; p++) {
            long[] idx = out.index(p), src = new long[perm.length];
            for (int i = 0; i < perm.length; i++) src[perm[i]] = idx[i];
            out.v[p] = a.at(src);
        }
        return out;
    }

    private static Arr slice(Arr a, int d, long lo, long hi, long step) {
        long len = hi <= lo ? 0 : (hi - lo - 1) / step + 1;
        long[] shape = a.shape.clone();
        shape[d] = len;
        Arr out = Arr.of(shape);
        for (int p = 0; p < out.v.length; p++) {
            long[] idx = out.index(p);
            idx[d] = lo + idx[d] * step;
            out.v[p] = a.at(idx);
        }
        return out;
    }

    private static long clamp(long i, long size) {
        if (i < 0) i += size;
        return Math.max(0, Math.min(i, size));
    }

    private long[] reshapeTarget(Arr a) {
        List<Long> factors = new ArrayList<>();
        long n = a.v.length;
        if (n == 0) {
            factors.add(0L);
            if (rnd.nextBoolean()) factors.add(1L << 40);   // an empty tensor may take huge sizes
        }
        for (long f = 2; n > 1 && f <= n; f++) {
            while (n % f == 0) {
                factors.add(f);
                n /= f;
            }
        }
        if (rnd.nextInt(3) == 0) factors.add(1L);
        if (rnd.nextInt(8) == 0) factors.add(2L);   // invalid unless something absorbs it
        java.util.Collections.shuffle(factors, rnd);
        long[] t = factors.stream().mapToLong(Long::longValue).toArray();
        if (t.length > 0 && rnd.nextInt(3) == 0) t[rnd.nextInt(t.length)] = -1;
        return t;
    }

    private static Arr reshape(Arr a, long[] target) {
        long known = 1;
        int infer = -1;
        for (int i = 0; i < target.length; i++) {
            if (target[i] == -1) {
                if (infer >= 0) throw new Invalid();
                infer = i;
            } else if (target[i] < 0) {
                throw new Invalid();
            } else {
                known = Math.multiplyHigh(known, target[i]) != 0 ? Long.MAX_VALUE : known * target[i];
            }
        }
        long[] shape = target.clone();
        long n = a.v.length;
        if (infer >= 0) {
            if (known == 0 || n % known != 0) throw new Invalid();
            shape[infer] = n / known;
        } else if (known != n) {
            throw new Invalid();
        }
        return new Arr(shape, a.v);
    }

    private static Arr matmul(Arr a, Arr b) {
        long k = a.shape[a.rank() - 1], k2 = b.shape[0];
        if (k != k2) throw new Invalid();
        long m = b.rank() == 1 ? 1 : b.shape[1];
        long rows = a.v.length / Math.max(k, 1);
        if (k == 0) rows = a.rank() == 1 ? 1 : Arrays.stream(a.shape, 0, a.rank() - 1).reduce(1, (x, y) -> x * y);
        double[] out = new double[(int) (rows * m)];
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < m; j++) {
                double s = 0;
                for (int i = 0; i < k; i++) s += a.v[(int) (r * k + i)] * b.v[(int) (i * m + j)];
                out[(int) (r * m + j)] = s;
            }
        }
        List<Long> shape = new ArrayList<>();
        for (int i = 0; i < a.rank() - 1; i++) shape.add(a.shape[i]);
        if (b.rank() == 2) shape.add(m);
        return new Arr(shape.stream().mapToLong(Long::longValue).toArray(), out);
    }

    private long[] expandTarget(long[] shape) {
        int lead = rnd.nextInt(3) == 0 ? 1 : 0;
        long[] t = new long[shape.length + lead];
        if (lead == 1) t[0] = rnd.nextInt(3);
        for (int i = 0; i < shape.length; i++) {
            long s = shape[i];
            t[i + lead] = switch (rnd.nextInt(5)) {
                case 0 -> -1;
                case 1 -> s == 1 ? rnd.nextInt(4) : s + 1;   // grow a 1, or (invalid) another size
                default -> s;
            };
        }
        return t;
    }

    private static Arr expand(Arr a, long[] target) {
        int lead = target.length - a.rank();
        if (lead < 0) throw new Invalid();
        long[] shape = new long[target.length];
        for (int i = 0; i < target.length; i++) {
            long want = target[i];
            if (i < lead) {
                if (want < 0) throw new Invalid();
                shape[i] = want;
                continue;
            }
            long have = a.shape[i - lead];
            if (want == -1 || want == have) shape[i] = have;
            else if (have == 1 && want >= 0) shape[i] = want;
            else throw new Invalid();
        }
        Arr out = Arr.of(shape);
        for (int p = 0; p < out.v.length; p++) out.v[p] = a.at(broadcastIndex(out.index(p), a.shape));
        return out;
    }

    /** Max pooling of [C, H, W] as PyTorch, refusing what the library documents (empty planes, padding-only windows). */
    private static Arr maxPool(Arr x, int[] k, int[] s, int[] p, int[] d) {
        long c = x.shape[0], h = x.shape[1], w = x.shape[2];
        if (2 * p[0] > k[0] || 2 * p[1] > k[1] || h == 0 || w == 0) throw new Invalid();
        long oh = Math.floorDiv(h + 2 * p[0] - d[0] * (k[0] - 1) - 1, s[0]) + 1;
        long ow = Math.floorDiv(w + 2 * p[1] - d[1] * (k[1] - 1) - 1, s[1]) + 1;
        if (oh <= 0 || ow <= 0) throw new Invalid();
        Arr out = Arr.of(new long[] {c, oh, ow});
        for (int ch = 0; ch < c; ch++) {
            for (int i = 0; i < oh; i++) {
                for (int j = 0; j < ow; j++) {
                    double best = Double.NEGATIVE_INFINITY;
                    boolean rowInside = false, colInside = false;
                    for (int a = 0; a < k[0]; a++) {
                        long r = (long) i * s[0] - p[0] + (long) a * d[0];
                        if (r < 0 || r >= h) continue;
                        rowInside = true;
                        for (int b = 0; b < k[1]; b++) {
                            long q = (long) j * s[1] - p[1] + (long) b * d[1];
                            if (q < 0 || q >= w) continue;
                            colInside = true;
                            best = Math.max(best, x.at(new long[] {ch, r, q}));
                        }
                    }
                    if (!rowInside || !colInside) throw new Invalid();
                    out.v[(int) ((ch * oh + i) * ow + j)] = best;
                }
            }
        }
        return out;
    }

    private static int[] identity(int n) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) p[i] = i;
        return p;
    }

    private static void swap(int[] a, int i, int j) {
        int t = a[i];
        a[i] = a[j];
        a[j] = t;
    }

    private static long[] remove(long[] a, int i) {
        return java.util.stream.IntStream.range(0, a.length).filter(j -> j != i).mapToLong(j -> a[j]).toArray();
    }
}
