package dev.panagrad.djl;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDArrayIndexer;
import ai.djl.ndarray.index.full.NDIndexFullPick;
import ai.djl.ndarray.index.full.NDIndexFullSlice;
import ai.djl.ndarray.index.full.NDIndexFullTake;
import dev.panagrad.DType;
import dev.panagrad.GradMode;
import dev.panagrad.Tensor;

import java.util.Arrays;

/**
 * DJL's {@code NDIndex} on panagrad: slices (with steps and fixed indices) as views,
 * picks as gathers, takes as index selections.
 *
 * <pre>{@code
 * NDArray row = array.get("1, :");          // a view of row 1
 * NDArray picked = scores.get(new NDIndex().addAllDim().addPickDim(labels));
 * NDArray rows = images.get(new NDIndex("{}", manager.create(new long[] {4, 1})));   // take
 * }</pre>
 */
final class PanagradIndexer extends NDArrayIndexer {
    private final PanagradNDManager manager;

    PanagradIndexer(PanagradNDManager manager) {
        this.manager = manager;
    }

    /** Values at {@code index} along the pick axis; the index gets trailing 1s up to the array's rank. */
    @Override
    public NDArray get(NDArray array, NDIndexFullPick fullPick) {
        Tensor x = PanagradNDManager.unwrap("pick", array).tensor();
        Tensor idx = PanagradNDManager.unwrap("pick", fullPick.getIndices()).tensor();
        return Lifetimes.compute(manager, () -> {
            Tensor i = idx.to(DType.INT64);
            if (i.dim() < x.dim()) {
                long[] shape = Arrays.copyOf(i.shape(), x.dim());
                Arrays.fill(shape, i.dim(), shape.length, 1);
                i = i.reshape(shape);
            }
            return x.gather(fullPick.getAxis(), i);
        });
    }

    /** The entries at a rank-1 index along the take axis (DJL allows only rank-1 take indices). */
    @Override
    public NDArray get(NDArray array, NDIndexFullTake fullTake) {
        Tensor x = PanagradNDManager.unwrap("take", array).tensor();
        Tensor idx = PanagradNDManager.unwrap("take", fullTake.getIndices()).tensor();
        return Lifetimes.compute(manager, () -> x.indexSelect(fullTake.getAxis(), idx.to(DType.INT64)));
    }

    @Override
    public NDArray get(NDArray array, NDIndexFullSlice fullSlice) {
        Tensor x = PanagradNDManager.unwrap("get", array).tensor();
        return Lifetimes.compute(manager, () -> PanagradNDArray.squeeze(slice(x, fullSlice), fullSlice.getToSqueeze()));
    }

    /** The view {@code s} selects; a fixed index outside its dimension is refused (slicing would clamp it). */
    private static Tensor slice(Tensor x, NDIndexFullSlice s) {
        long[] min = s.getMin(), max = s.getMax(), step = s.getStep();
        for (int d : s.getToSqueeze()) {
            if (min[d] < 0 || min[d] >= x.size(d)) {
                throw new IndexOutOfBoundsException("NDIndex: index " + min[d] + " is out of bounds for dimension "
                        + d + " with size " + x.size(d) + "; expected an index in [0, " + x.size(d) + ")");
            }
        }
        Tensor r = x;
        for (int d = 0; d < min.length; d++) {
            if (min[d] != 0 || max[d] != x.size(d) || step[d] != 1) r = r.slice(d, min[d], max[d], step[d]);
        }
        return r;
    }

    @Override
    public void set(NDArray array, NDIndexFullSlice fullSlice, NDArray value) {
        Tensor x = PanagradNDManager.unwrap("set", array).tensor();
        Tensor v = PanagradNDManager.unwrap("set", value).tensor();
        Lifetimes.temporarily(() -> {
            try (var g = GradMode.noGrad()) {
                Tensor target = slice(x, fullSlice);
                target.copy_(v.reshape(squeezedOrFull(target, v)));
            }
        });
    }

    /** The value's shape when it already matches, else the slice's shape (the value has the squeezed shape). */
    private static long[] squeezedOrFull(Tensor target, Tensor v) {
        return v.numel() == target.numel() ? target.shape() : v.shape();
    }

    @Override
    public void set(NDArray array, NDIndexFullSlice fullSlice, Number value) {
        Tensor x = PanagradNDManager.unwrap("set", array).tensor();
        Lifetimes.temporarily(() -> {
            try (var g = GradMode.noGrad()) {
                slice(x, fullSlice).fill_(value.doubleValue());
            }
        });
    }
}
