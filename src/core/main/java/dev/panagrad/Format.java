package dev.panagrad;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Prints tensors as PyTorch's {@code torch._tensor_str} does with its default options: 4 decimals; integral
 * floats as {@code 1.}; scientific notation when the nonzero finite magnitudes span more than 1000x, exceed
 * 1e8 or (for fractions) go below 1e-4; one common width; nested brackets, one row per line, lines wrapped
 * at 80 characters; more than 1000 elements summarised to 3 edge items per dim around {@code ...}; suffixes
 * {@code dtype=float64}, {@code gradFn=<...>} or {@code requiresGrad=true}.
 */
final class Format {
    private Format() {}

    private static final int SUMMARIZE_ABOVE = 1000;
    private static final int EDGE_ITEMS = 3;
    private static final int LINE_WIDTH = 80;
    private static final int PRECISION = 4;
    private static final String PREFIX = "tensor(";

    static String tensor(Tensor t) {
        if (t.storage().isReleased()) return "tensor(<released> " + t.describe() + ")";
        List<String> suffixes = new ArrayList<>();
        String body;
        if (t.numel() == 0) {
            // an empty tensor shows its size unless it is 1-D, and its dtype unless it is the default
            if (t.dim() != 1) suffixes.add("size=(" + Arrays.toString(t.shape()).replaceAll("[\\[\\]]", "") + ")");
            if (t.dtype() != DType.FLOAT32) suffixes.add("dtype=" + t.dtype());
            body = "[]";
        } else {
            if (t.dtype() == DType.FLOAT64) suffixes.add("dtype=" + t.dtype());
            if (!t.storage().pin()) throw t.storage().releasedError("toString", t.describe());
            try {
                body = new Printer(t).render();   // pinned: the bytes stay valid while they are read
            } finally {
                t.storage().unpin();
            }
        }
        if (t.gradFn() != null) suffixes.add("gradFn=<" + t.gradFn().name() + ">");
        else if (t.requiresGrad()) suffixes.add("requiresGrad=true");
        return withSuffixes(PREFIX + body, suffixes);
    }

    /** Appends ", suffix" or, when the line would pass the width, ",\n" + indent + suffix. */
    private static String withSuffixes(String text, List<String> suffixes) {
        StringBuilder sb = new StringBuilder(text);
        int lastLine = text.length() - text.lastIndexOf('\n') + 1;   // as PyTorch counts it
        for (String s : suffixes) {
            if (lastLine + s.length() + 2 > LINE_WIDTH) {
                sb.append(",\n").append(" ".repeat(PREFIX.length())).append(s);
                lastLine = PREFIX.length() + s.length();
            } else {
                sb.append(", ").append(s);
                lastLine += s.length() + 2;
            }
        }
        return sb.append(')').toString();
    }

    /** Formats the elements of one non-empty tensor; the style is chosen from the elements that are shown. */
    private static final class Printer {
        private final Tensor t;
        private final MemorySegment seg;
        private final long[] shape, strides;
        private final boolean summarize;
        private boolean intMode = true, sci;
        private int width = 1;

        Printer(Tensor t) {
            this.t = t;
            this.seg = t.segment();
            this.shape = t.shape();
            this.strides = t.strides();
            this.summarize = t.numel() > SUMMARIZE_ABOVE;
            List<Long> offsets = new ArrayList<>();
            collect(0, t.offset(), offsets);
            if (t.dtype().isFloating()) chooseFloatStyle(offsets);
            else for (long off : offsets) width = Math.max(width, cell(off).length());
        }

        String render() {
            return shape.length == 0 ? padded(t.offset()) : tensorStr(0, t.offset(), PREFIX.length());
        }

        /** Indices of a dim that are printed: all, or the edge items on both sides of the gap. */
        private long[] shown(long n) {
            if (!summarize || n <= 2 * EDGE_ITEMS) {
                long[] all = new long[(int) n];
                for (int i = 0; i < n; i++) all[i] = i;
                return all;
            }
            return new long[] {0, 1, 2, n - 3, n - 2, n - 1};
        }

        private void collect(int dim, long off, List<Long> out) {
            if (dim == shape.length) {
                out.add(off);
                return;
            }
            for (long i : shown(shape[dim])) collect(dim + 1, off + i * strides[dim], out);
        }

        /** PyTorch's _Formatter: looks only at nonzero finite values. */
        private void chooseFloatStyle(List<Long> offsets) {
            double maxAbs = 0, minAbs = Double.POSITIVE_INFINITY;
            List<Double> values = new ArrayList<>();
            for (long off : offsets) {
                double v = load(off);
                if (!Double.isFinite(v) || v == 0) continue;
                values.add(v);
                intMode &= v == Math.ceil(v);
                maxAbs = Math.max(maxAbs, Math.abs(v));
                minAbs = Math.min(minAbs, Math.abs(v));
            }
            if (values.isEmpty()) return;
            sci = maxAbs / minAbs > 1000 || maxAbs > 1e8 || (!intMode && minAbs < 1e-4);
            for (double v : values) width = Math.max(width, floatCell(v).length());
        }

        private String tensorStr(int dim, long off, int indent) {
            if (dim == shape.length - 1) return vectorStr(off, indent);
            List<String> slices = new ArrayList<>();
            long n = shape[dim];
            long[] idx = shown(n);
            for (int j = 0; j < idx.length; j++) {
                if (j == EDGE_ITEMS && idx.length < n) slices.add("...");
                slices.add(tensorStr(dim + 1, off + idx[j] * strides[dim], indent + 1));
            }
            int rank = shape.length - dim;
            return "[" + String.join("," + "\n".repeat(rank - 1) + " ".repeat(indent + 1), slices) + "]";
        }

        private String vectorStr(long off, int indent) {
            long n = shape[shape.length - 1], stride = strides[shape.length - 1];
            long[] idx = shown(n);
            List<String> data = new ArrayList<>();
            for (int j = 0; j < idx.length; j++) {
                if (j == EDGE_ITEMS && idx.length < n) data.add(" ...");
                data.add(padded(off + idx[j] * stride));
            }
            int perLine = Math.max(1, (LINE_WIDTH - indent) / (width + 2));
            List<String> lines = new ArrayList<>();
            for (int i = 0; i < data.size(); i += perLine) {
                lines.add(String.join(", ", data.subList(i, Math.min(data.size(), i + perLine))));
            }
            return "[" + String.join(",\n" + " ".repeat(indent + 1), lines) + "]";
        }

        private String padded(long off) {
            String c = cell(off);
            return " ".repeat(Math.max(0, width - c.length())) + c;
        }

        private String cell(long off) {
            return switch (t.dtype()) {
                case BOOL -> seg.get(ValueLayout.JAVA_BYTE, off) != 0 ? "True" : "False";
                case INT64 -> Long.toString(seg.getAtIndex(ValueLayout.JAVA_LONG, off));
                case INT32 -> Integer.toString(seg.getAtIndex(ValueLayout.JAVA_INT, off));
                case UINT8 -> Integer.toString(seg.get(ValueLayout.JAVA_BYTE, off) & 0xFF);
                case INT8 -> Byte.toString(seg.get(ValueLayout.JAVA_BYTE, off));
                case FLOAT32, FLOAT64 -> floatCell(load(off));
            };
        }

        private double load(long off) {
            return t.dtype() == DType.FLOAT32 ? seg.getAtIndex(ValueLayout.JAVA_FLOAT, off)
                    : seg.getAtIndex(ValueLayout.JAVA_DOUBLE, off);
        }

        private String floatCell(double v) {
            if (Double.isNaN(v)) return "nan";
            if (Double.isInfinite(v)) return v > 0 ? "inf" : "-inf";
            if (sci) return scientific(v);
            return intMode ? fixed(v, 0) + "." : fixed(v, PRECISION);
        }
    }

    /** Python's {@code "%.{decimals}f" % v}: the exact binary value rounded half-even, sign kept for -0. */
    static String fixed(double v, int decimals) {
        String s = new BigDecimal(v).setScale(decimals, RoundingMode.HALF_EVEN).toPlainString();
        boolean negative = v < 0 || (v == 0 && 1 / v < 0);
        return negative && !s.startsWith("-") ? "-" + s : s;
    }

    /** Python's {@code "%.4e" % v}: {@code 1.2346e+04}, with at least two exponent digits. */
    static String scientific(double v) {
        if (v == 0) return (1 / v < 0 ? "-" : "") + fixed(0, PRECISION) + "e+00";
        BigDecimal r = new BigDecimal(v).round(new MathContext(PRECISION + 1, RoundingMode.HALF_EVEN));
        int exp = r.precision() - r.scale() - 1;
        String mantissa = r.movePointLeft(exp).setScale(PRECISION, RoundingMode.UNNECESSARY).toPlainString();
        int e = Math.abs(exp);
        return mantissa + "e" + (exp < 0 ? "-" : "+") + (e < 10 ? "0" : "") + e;
    }
}
