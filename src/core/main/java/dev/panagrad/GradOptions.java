package dev.panagrad;

/**
 * The keyword arguments of {@code torch.autograd.grad} and {@code backward}, as an immutable value with
 * withers, so that a call names only what differs from PyTorch's defaults: no explicit output gradients
 * (scalar outputs), {@code retainGraph} equal to {@code createGraph}, unused inputs refused, unused inputs'
 * gradients left null.
 *
 * <pre>{@code
 * // torch.autograd.grad(y, [x, w], create_graph=True, allow_unused=True, materialize_grads=True)
 * Tensor[] g = Autograd.grad(y, new Tensor[] {x, w},
 *         GradOptions.DEFAULT.createGraph(true).allowUnused(true).materializeGrads(true));
 * }</pre>
 *
 * @param gradOutputs      the vector of the vector-Jacobian product, one per output (null: ones for
 *                         one-element outputs); {@code grad_outputs} / {@code gradient}
 * @param retainGraph      keep the graph's saved tensors for another backward; null: the same as createGraph
 * @param createGraph      record the backward pass, so that the gradients can be differentiated again
 * @param allowUnused      give null (or zeros, see materializeGrads) for inputs the outputs do not depend on,
 *                         instead of throwing {@link AutogradException.UnusedInput}
 * @param materializeGrads give zeros instead of null for unused inputs (implies allowUnused)
 */
public record GradOptions(Tensor[] gradOutputs, Boolean retainGraph, boolean createGraph, boolean allowUnused,
                          boolean materializeGrads) {

    /** PyTorch's defaults. */
    public static final GradOptions DEFAULT = new GradOptions(null, null, false, false, false);

    /** These options with the given output gradients. */
    public GradOptions gradOutputs(Tensor... grads) {
        return new GradOptions(grads, retainGraph, createGraph, allowUnused, materializeGrads);
    }

    /** These options with an explicit retainGraph. */
    public GradOptions retainGraph(boolean retain) {
        return new GradOptions(gradOutputs, retain, createGraph, allowUnused, materializeGrads);
    }

    /** These options with createGraph (which retainGraph follows unless set). */
    public GradOptions createGraph(boolean create) {
        return new GradOptions(gradOutputs, retainGraph, create, allowUnused, materializeGrads);
    }

    /** These options with allowUnused. */
    public GradOptions allowUnused(boolean allow) {
        return new GradOptions(gradOutputs, retainGraph, createGraph, allow, materializeGrads);
    }

    /** These options with materializeGrads. */
    public GradOptions materializeGrads(boolean materialize) {
        return new GradOptions(gradOutputs, retainGraph, createGraph, allowUnused, materialize);
    }

    /** Whether the graph is kept: retainGraph when set, else createGraph. */
    public boolean retainsGraph() {
        return retainGraph != null ? retainGraph : createGraph;
    }
}
