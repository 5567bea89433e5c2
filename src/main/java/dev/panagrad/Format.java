package dev.panagrad;

import java.util.Locale;

/** Prints tensors as PyTorch does: {@code tensor([[1., 2.], [3., 4.]])}, 4 decimals or scientific, summarised when large. */
final class Format {
    private Format() {}

    private static final int SUMMARIZE_ABOVE = 1000;
    private static final int EDGE_ITEMS = 3;

    static String tensor(Tensor t) {
        if (t.storage().isReleased()) return "tensor(<released> " + t.describe() + ")";
        double[] v = t.toDoubleArray();
        long[] shape = t.shape();
        boolean summarize = v.length > SUMMARIZE_ABOVE;
        String[] cells = cells(t.dtype(), v);
        int width = 0;
        for (String c : cells) width = Math.max(width, c.length());
        StringBuilder sb = new StringBuilder("tensor(");
        if (shape.length == 0) {
            sb.append(cells[0]);
        } else if (v.length == 0) {
            sb.append("[]");
        } else {
            nest(sb, cells, width, shape, 0, 0, Shape.contiguousStrides(shape), summarize);
        }
        if (v.length == 0 && shape.length > 1) sb.append(", size=").append(Shape.str(shape).replace('[', '(').replace(']', ')'));
        if (t.dtype() == DType.FLOAT64 || (t.dtype() == DType.INT64 && v.length == 0)) sb.append(", dtype=").append(t.dtype());
        if (t.gradFn() != null) sb.append(", gradFn=<").append(t.gradFn().name()).append('>');
        else if (t.requiresGrad()) sb.append(", requiresGrad=true");
        return sb.append(')').toString();
    }

    private static void nest(StringBuilder sb, String[] cells, int width, long[] shape, int dim, long base,
                             long[] strides, boolean summarize) {
        sb.append('[');
        long n = shape[dim];
        boolean cut = summarize && n > 2 * EDGE_ITEMS;
        String indent = " ".repeat("tensor(".length() + dim + 1);
        for (long i = 0; i < n; i++) {
            if (cut && i == EDGE_ITEMS) {
                sb.append("...");
                i = n - EDGE_ITEMS - 1;
                sb.append(dim == shape.length - 1 ? ", " : ",\n" + indent);
                continue;
            }
            if (dim == shape.length - 1) {
                String c = cells[(int) (base + i)];
                sb.append(" ".repeat(width - c.length())).append(c);
                if (i < n - 1) sb.append(", ");
            } else {
                nest(sb, cells, width, shape, dim + 1, base + i * strides[dim], strides, summarize);
                if (i < n - 1) sb.append(",").append("\n".repeat(shape.length - dim - 1)).append(indent);
            }
        }
        sb.append(']');
    }

    private static String[] cells(DType dt, double[] v) {
        String[] out = new String[v.length];
        if (dt == DType.BOOL) {
            for (int i = 0; i < v.length; i++) out[i] = v[i] != 0 ? "True" : "False";
            return out;
        }
        if (dt == DType.INT64) {
            for (int i = 0; i < v.length; i++) out[i] = Long.toString((long) v[i]);
            return out;
        }
        boolean integral = true;
        double maxAbs = 0, minAbs = Double.POSITIVE_INFINITY;
        for (double x : v) {
            if (!Double.isFinite(x)) continue;
            integral &= x == Math.rint(x);
            double a = Math.abs(x);
            maxAbs = Math.max(maxAbs, a);
            if (a != 0) minAbs = Math.min(minAbs, a);
        }
        boolean sci = integral ? maxAbs > 1e8
                : minAbs != Double.POSITIVE_INFINITY && (maxAbs / minAbs > 1000 || maxAbs > 1e8 || minAbs < 1e-4);
        for (int i = 0; i < v.length; i++) {
            double x = v[i];
            if (Double.isNaN(x)) out[i] = "nan";
            else if (Double.isInfinite(x)) out[i] = x > 0 ? "inf" : "-inf";
            else if (sci) out[i] = scientific(x);
            else if (integral) out[i] = String.format(Locale.ROOT, "%.0f.", x);
            else out[i] = String.format(Locale.ROOT, "%.4f", x);
        }
        return out;
    }

    private static String scientific(double x) {
        String s = String.format(Locale.ROOT, "%.4e", x);   // 1.0000e-03
        int e = s.indexOf('e');
        String mant = s.substring(0, e), exp = s.substring(e + 1);
        char sign = exp.charAt(0) == '-' ? '-' : '+';
        String digits = exp.replaceFirst("^[+-]", "");
        if (digits.length() < 2) digits = "0" + digits;
        return mant + "e" + sign + digits;
    }
}
