package dev.panagrad;

import dev.panagrad.ops.Pointwise;

/**
 * Where a view lies inside its base, as both lie in their shared storage: the geometry (shape, strides,
 * offset) of each. Gradients of the base are moved to and from the view's elements through a scratch buffer
 * laid out like the storage, so any chain of views (slices, selects, transposes, reshapes) maps the same way.
 * The three moves are linear and recorded, each the other's derivative, so that gradients through in-place
 * ops on views can be differentiated again.
 */
record ViewRegion(DType dtype, long[] baseShape, long[] baseStrides, long baseOffset,
                  long[] shape, long[] strides, long offset) {

    /** The region of {@code view} inside {@code base} (the root of the view's chain of views). */
    static ViewRegion of(Tensor base, Tensor view) {
        return new ViewRegion(base.dtype(), base.shape(), base.strides(), base.offset(),
                view.shape(), view.strides(), view.offset());
    }

    /** The view's elements of a base-shaped {@code g} (as_strided): view-shaped. */
    Tensor take(Tensor g) {
        Scratch s = scratch();
        Pointwise.copyRaw(s.base, g);
        Tensor out = Tensor.empty(dtype, shape);
        Pointwise.copyRaw(out, s.view);
        return Graph.record("AsStridedBackward0", out, g, (gg, saved) -> put(gg));
    }

    /** Base-shaped zeros with the view-shaped {@code g} at the view's elements. */
    Tensor put(Tensor g) {
        Scratch s = scratch();
        Pointwise.copyRaw(s.view, g);
        return Graph.record("AsStridedScatterBackward0", s.contiguousBase(), g, (gg, saved) -> take(gg));
    }

    /** A base-shaped copy of {@code g} with zeros at the view's elements: the gradient of what was not written. */
    Tensor clear(Tensor g) {
        Scratch s = scratch();
        Pointwise.copyRaw(s.base, g);
        Pointwise.fillRaw(s.view, 0);
        return Graph.record("CopySlicesBackward0", s.contiguousBase(), g, (gg, saved) -> clear(gg));
    }

    /** Zeros covering the base's span of the storage, seen as the base and as the view. */
    private Scratch scratch() {
        long lo = baseOffset, hi = baseOffset;
        for (int i = 0; i < baseShape.length; i++) {
            long span = (baseShape[i] - 1) * baseStrides[i];
            if (baseShape[i] == 0) return new Scratch(Tensor.zeros(dtype, baseShape), Tensor.zeros(dtype, shape));
            if (span < 0) lo += span;
            else hi += span;
        }
        Tensor buffer = Tensor.zeros(dtype, hi - lo + 1);
        return new Scratch(buffer.stridedView(baseShape, baseStrides, baseOffset - lo),
                buffer.stridedView(shape, strides, offset - lo));
    }

    private record Scratch(Tensor base, Tensor view) {
        Tensor contiguousBase() {
            if (base.isContiguous() && base.offset() == 0) return base;
            Tensor out = base.emptyLike();
            Pointwise.copyRaw(out, base);
            return out;
        }
    }
}
