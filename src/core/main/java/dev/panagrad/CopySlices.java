package dev.panagrad;

/**
 * The history a base takes on when an in-place op writes through one of its views, as PyTorch's
 * {@code CopySlices}: the new base equals the old one except at the view's elements, which hold the op's
 * result. So the base's gradient goes unchanged to the old base everywhere but there, and the gradient at the
 * view's elements goes to the result, whose own node routes it through the op (and on to the old base through
 * the view, when the op read the view).
 *
 * <pre>{@code
 * Tensor x = root.clone();
 * x.select(0, 0).mul_(2);     // x.gradFn(): CopySlices
 * x.sum().backward();         // root.grad() = [2, 1, 1, ...]
 * }</pre>
 */
final class CopySlices extends Node {
    private final ViewRegion region;

    private CopySlices(ViewRegion region) {
        super("CopySlices", 1);
        this.region = region;
    }

    /** Makes {@code base}, whose view {@code view} now holds {@code result}, the output of a CopySlices node. */
    static void rebase(Tensor base, Tensor view, Tensor result) {
        CopySlices node = new CopySlices(ViewRegion.of(base, view));
        Graph.attach(node, new Tensor[] {base}, new Tensor[] {base, result});
    }

    @Override
    protected Tensor[] apply(Tensor[] gradOutputs) {
        Tensor g = gradOutputs[0];
        return new Tensor[] {region.clear(g), region.take(g)};
    }
}
