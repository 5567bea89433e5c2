package dev.panagrad.nn;

import dev.panagrad.DType;
import dev.panagrad.Tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * 2-D adaptive average pooling to a fixed output size: output row i averages input rows
 * {@code [floor(i*H/OH), ceil((i+1)*H/OH))}, and the same for columns, as PyTorch's windows (neighbouring
 * windows may overlap by one when H is not a multiple of OH).
 *
 * <pre>{@code
 * Tensor y = new AdaptiveAvgPool2d(1).forward(Tensor.randn(8, 512, 7, 7));   // [8, 512, 1, 1], global mean
 * }</pre>
 */
public class AdaptiveAvgPool2d extends Module {
    private final int[] outputSize;

    /** A square output {@code outputSize x outputSize}. */
    public AdaptiveAvgPool2d(int outputSize) {
        this(Windows.pair(outputSize));
    }

    /** An output of {height, width}. */
    public AdaptiveAvgPool2d(int[] outputSize) {
        this.outputSize = Windows.checkPair("AdaptiveAvgPool2d", "output_size", outputSize, 1);
    }

    @Override
    public Tensor forward(Tensor input) {
        return adaptiveAvgPool2d(input, outputSize);
    }

    @Override
    protected String extraRepr() {
        return "output_size=" + Windows.str(outputSize);
    }

    /**
     * Adaptive average pooling of the last two dims of x {@code [N, C, H, W]} or {@code [C, H, W]}. When the
     * sizes divide evenly it is {@link AvgPool2d#avgPool2d} with kernel = stride = H/OH; otherwise it is the
     * linear map {@code Ph x Pw^T}, with Ph {@code [OH, H]} holding 1/size over each window (two matrix
     * products, differentiable to any order).
     */
    public static Tensor adaptiveAvgPool2d(Tensor x, int[] outputSize) {
        Windows.checkImage("adaptiveAvgPool2d", x);
        int[] out = Windows.checkPair("adaptiveAvgPool2d", "output_size", outputSize, 1);
        long h = x.size(-2), w = x.size(-1);
        if (h < 1 || w < 1) {
            throw new IllegalArgumentException("adaptiveAvgPool2d: expected input with non-zero height and width; "
                    + "given " + x.describe());
        }
        if (h % out[0] == 0 && w % out[1] == 0) {
            int[] k = {(int) (h / out[0]), (int) (w / out[1])};
            return AvgPool2d.avgPool2d(x, k, k, Windows.pair(0), true);
        }
        Tensor ph = windows(x.dtype(), h, out[0]), pw = windows(x.dtype(), w, out[1]);
        // [.., H, W] @ Pw^T -> [.., H, OW]; transposed, @ Ph^T -> [.., OW, OH]; each a single GEMM
        return x.matmul(pw.t()).transpose(-2, -1).matmul(ph.t()).transpose(-2, -1).contiguous();
    }

    /** {@code [outs, size]}: row i is 1/len on PyTorch's window {@code [floor(i*size/outs), ceil((i+1)*size/outs))}. */
    private static Tensor windows(DType dtype, long size, long outs) {
        double[] p = new double[Math.toIntExact(outs * size)];
        for (long i = 0; i < outs; i++) {
            long lo = Math.floorDiv(i * size, outs), hi = -Math.floorDiv(-(i + 1) * size, outs);
            for (long j = lo; j < hi; j++) p[(int) (i * size + j)] = 1.0 / (hi - lo);
        }
        Tensor t = Tensor.empty(DType.FLOAT64, outs, size);
        MemorySegment.copy(p, 0, t.segment(), ValueLayout.JAVA_DOUBLE, 0, p.length);
        return t.to(dtype);
    }
}
