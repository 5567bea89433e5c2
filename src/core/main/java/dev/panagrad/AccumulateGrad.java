package dev.panagrad;

/** The node at a leaf that requires grad: the engine adds what reaches it into the leaf's {@code grad}. */
final class AccumulateGrad extends Node {
    final Tensor leaf;

    AccumulateGrad(Tensor leaf) {
        super("AccumulateGrad", 1);
        this.leaf = leaf;
    }

    @Override
    protected Tensor[] apply(Tensor[] gradOutputs) {
        leaf.receiveLeafGrad(gradOutputs[0]);
        return new Tensor[0];
    }
}
