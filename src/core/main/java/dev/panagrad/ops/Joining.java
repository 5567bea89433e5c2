package dev.panagrad.ops;

import dev.panagrad.DType;
import dev.panagrad.Graph;
import dev.panagrad.Shape;
import dev.panagrad.Tensor;

import java.util.ArrayList;
import java.util.List;

/**
 * Joining and splitting along a dim: cat and stack copy into one new tensor; split and chunk return views.
 *
 * <pre>{@code
 * Tensor both = Tensor.cat(List.of(a, b), 0);
 * List<Tensor> halves = both.chunk(2, 0);
 * }</pre>
 */
public final class Joining {
    private Joining() {}

    /** Concatenation along an existing dim; all other sizes must match. */
    public static Tensor cat(List<Tensor> tensors, int dim) {
        if (tensors.isEmpty()) throw new IllegalArgumentException("cat: expected a non-empty list of tensors");
        Tensor first = tensors.get(0);
        if (first.dim() == 0) {
            throw new IllegalArgumentException("cat: zero-dimensional tensor (at position 0) cannot be concatenated");
        }
        int d = Shape.wrapDim("cat", dim, first.dim());
        long[] shape = first.shape();
        long total = 0;
        DType dt = first.dtype();
        for (int i = 0; i < tensors.size(); i++) {
            Tensor t = tensors.get(i);
            dt = DType.promote(dt, t.dtype());
            long[] s = t.shape();
            boolean ok = s.length == shape.length;
            for (int j = 0; ok && j < s.length; j++) ok = j == d || s[j] == shape[j];
            if (!ok) {
                throw new IllegalArgumentException("cat: sizes of tensors must match except in dimension " + d
                        + "; tensor 0 is " + Shape.str(shape) + ", tensor " + i + " is " + Shape.str(s));
            }
            total += s[d];
        }
        long[] outShape = shape.clone();
        outShape[d] = total;
        Tensor out = Tensor.empty(dt, outShape);
        long[] sizes = new long[tensors.size()];
        long at = 0;
        for (int i = 0; i < tensors.size(); i++) {
            Tensor t = tensors.get(i);
            sizes[i] = t.size(d);
            Pointwise.copyRaw(out.narrow(d, at, sizes[i]), t);
            at += sizes[i];
        }
        Tensor[] inputs = tensors.toArray(new Tensor[0]);
        return Graph.record("CatBackward0", out, inputs, null, (g, s) -> {
            Tensor[] grads = new Tensor[sizes.length];
            long start = 0;
            for (int i = 0; i < sizes.length; i++) {
                grads[i] = g.narrow(d, start, sizes[i]);
                start += sizes[i];
            }
            return grads;
        });
    }

    /** Concatenation along a new dim; all shapes must be equal. */
    public static Tensor stack(List<Tensor> tensors, int dim) {
        if (tensors.isEmpty()) throw new IllegalArgumentException("stack: expected a non-empty list of tensors");
        long[] shape = tensors.get(0).shape();
        int d = Shape.wrapDim("stack", dim, shape.length + 1);
        List<Tensor> parts = new ArrayList<>(tensors.size());
        for (int i = 0; i < tensors.size(); i++) {
            Tensor t = tensors.get(i);
            if (!java.util.Arrays.equals(t.shape(), shape)) {
                throw new IllegalArgumentException("stack: expects each tensor to be equal size, but got "
                        + Shape.str(shape) + " at entry 0 and " + Shape.str(t.shape()) + " at entry " + i);
            }
            parts.add(t.detach().unsqueeze(d));
        }
        // one node, as PyTorch's StackBackward0: each input gets its slice of the gradient
        Tensor out = cat(parts, d);
        return Graph.record("StackBackward0", out, tensors.toArray(new Tensor[0]), null, (g, s) -> {
            Tensor[] grads = new Tensor[parts.size()];
            for (int i = 0; i < grads.length; i++) grads[i] = g.select(d, i);
            return grads;
        });
    }

    /** Views of {@code size} along dim; the last may be shorter. */
    public static List<Tensor> split(Tensor x, long size, int dim) {
        int d = Shape.wrapDim("split", dim, Views.requireDims("split", x));
        if (size <= 0) throw new IllegalArgumentException("split: split size must be positive; given " + size);
        long n = x.size(d);
        List<Tensor> out = new ArrayList<>();
        for (long start = 0; start < n || (n == 0 && out.isEmpty()); start += size) {
            out.add(x.narrow(d, start, Math.min(size, n - start)));
        }
        return out;
    }

    /** {@code chunks} views of nearly equal size (ceil(n / chunks)) along dim. */
    public static List<Tensor> chunk(Tensor x, int chunks, int dim) {
        if (chunks <= 0) throw new IllegalArgumentException("chunk: number of chunks must be positive; given " + chunks);
        int d = Shape.wrapDim("chunk", dim, Views.requireDims("chunk", x));
        long n = x.size(d);
        return split(x, Math.max(1, (n + chunks - 1) / chunks), d);
    }
}
