package dev.panagrad.data;

import dev.panagrad.Shape;
import dev.panagrad.Tensor;
import dev.panagrad.memory.Scope;
import dev.panagrad.ops.Pointwise;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * A dataset over tensors that share their first dim: example {@code i} is row {@code i} of each tensor.
 * Batches are gathered by copying whole rows, without autograd history.
 *
 * <pre>{@code
 * TensorDataset data = new TensorDataset(images, labels);   // [N, 784] and [N]
 * data.size();                                            // N
 * Batch b = data.batch(new long[] {5, 0, 7});             // [3, 784] and [3]
 * }</pre>
 */
public final class TensorDataset implements Dataset {
    private final Tensor[] tensors;

    /**
     * A dataset over the given tensors (at least one, each with at least one dim, equal first sizes).
     * Non-contiguous tensors are copied once into row-major layout; the copies belong to the garbage collector.
     */
    public TensorDataset(Tensor... tensors) {
        if (tensors.length == 0) {
            throw new IllegalArgumentException("TensorDataset: expected at least one tensor, given none");
        }
        this.tensors = new Tensor[tensors.length];
        for (int i = 0; i < tensors.length; i++) {
            Tensor t = tensors[i];
            if (t.dim() == 0 || t.size(0) != tensors[0].size(0)) {
                throw new IllegalArgumentException("TensorDataset: size mismatch between tensors: tensor " + i
                        + " is " + t.describe() + ", tensor 0 is " + tensors[0].describe()
                        + "; expected equal sizes in dim 0");
            }
            this.tensors[i] = t.isContiguous() ? t.detach() : Scope.unscoped(() -> Pointwise.convertRaw(t, t.dtype()));
        }
    }

    @Override
    public long size() {
        return tensors[0].size(0);
    }

    /** The tensor of field {@code i} as given (or its contiguous copy). */
    public Tensor tensor(int i) {
        return tensors[i];
    }

    /** The rows of example {@code index}, as views. */
    @Override
    public Tensor[] get(long index) {
        checkIndex(index);
        Tensor[] out = new Tensor[tensors.length];
        for (int f = 0; f < out.length; f++) out[f] = tensors[f].select(0, index);
        return out;
    }

    /** Copies the rows at {@code indices} into new tensors (owned by the caller's scope, else the GC). */
    @Override
    public Batch batch(long[] indices) {
        if (indices.length == 0) throw new IllegalArgumentException("batch: expected at least one index, given none");
        for (long i : indices) checkIndex(i);
        Tensor[] out = new Tensor[tensors.length];
        for (int f = 0; f < out.length; f++) out[f] = gatherRows(tensors[f], indices);
        return new Batch(out);
    }

    /** Examples {@code start} to {@code start + length - 1} as a dataset of views (no copy). */
    public TensorDataset narrow(long start, long length) {
        if (start < 0 || length < 0 || start + length > size()) {
            throw new IndexOutOfBoundsException("TensorDataset.narrow: rows [" + start + ", " + (start + length)
                    + ") are outside the dataset of " + size() + " examples");
        }
        Tensor[] parts = new Tensor[tensors.length];
        for (int f = 0; f < parts.length; f++) parts[f] = tensors[f].narrow(0, start, length);
        return new TensorDataset(parts);
    }

    private void checkIndex(long index) {
        if (index < 0 || index >= size()) {
            throw new IndexOutOfBoundsException("TensorDataset: index " + index + " is out of range; expected 0 <= "
                    + "index < " + size());
        }
    }

    // out[k] = t[indices[k]]: one block copy per row of a contiguous tensor
    private static Tensor gatherRows(Tensor t, long[] indices) {
        long[] shape = t.shape();
        long rowBytes = Shape.numel(Arrays.copyOfRange(shape, 1, shape.length)) * t.dtype().byteSize();
        shape[0] = indices.length;
        Tensor out = Tensor.empty(t.dtype(), shape);
        MemorySegment src = t.segment(), dst = out.segment();
        long base = t.offset() * t.dtype().byteSize();
        for (int k = 0; k < indices.length; k++) {
            MemorySegment.copy(src, base + indices[k] * rowBytes, dst, k * rowBytes, rowBytes);
        }
        return out;
    }
}
