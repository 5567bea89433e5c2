package dev.panagrad.nn;

import dev.panagrad.Autograd;
import dev.panagrad.DType;
import dev.panagrad.Generator;
import dev.panagrad.Tensor;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

import static dev.panagrad.nn.NumericGrad.leaf;

/** Every layer's gradients (input and parameters) against central differences in float64. */
class LayerGradientTest {

    /** Checks d/d input and d/d every parameter of {@code m} at an input of the given shape. */
    private static void checkModule(Module m, long... inputShape) {
        m.to(DType.FLOAT64);
        Tensor x = leaf(1, inputShape);
        List<Tensor> inputs = new ArrayList<>(List.of(x));
        inputs.addAll(m.parameters());
        NumericGrad.check(in -> m.forward(in[0]), inputs.toArray(new Tensor[0]));
    }

    @Test
    void linear() {
        checkModule(new Linear(4, 3), 5, 4);
        checkModule(new Linear(4, 3), 2, 3, 4);                    // leading dims are folded into the rows
        checkModule(new Linear(3, 2, false, DType.FLOAT64), 4, 3);
    }

    @Test
    void conv2dStridePaddingDilationGroups() {
        checkModule(new Conv2d(2, 3, 3, 1, 1), 2, 2, 5, 5);
        checkModule(new Conv2d(2, 2, new int[] {2, 3}, new int[] {2, 1}, new int[] {1, 0}, new int[] {1, 2}, 1, true,
                DType.FLOAT64), 2, 2, 6, 7);
        checkModule(new Conv2d(4, 2, new int[] {3, 3}, new int[] {1, 2}, new int[] {1, 1}, new int[] {1, 1}, 2, false,
                DType.FLOAT64), 1, 4, 5, 5);
        checkModule(new Conv2d(1, 2, 3), 1, 5, 4);                 // unbatched [C, H, W]
    }

    @Test
    void pooling() {
        checkModule(new MaxPool2d(2), 2, 2, 4, 6);
        checkModule(new MaxPool2d(new int[] {3, 2}, new int[] {2, 1}, new int[] {1, 1}, new int[] {1, 2}), 1, 2, 6, 5);
        checkModule(new AvgPool2d(2), 2, 2, 4, 4);
        checkModule(new AvgPool2d(new int[] {3, 3}, new int[] {2, 2}, new int[] {1, 1}, true), 1, 2, 5, 5);
        checkModule(new AvgPool2d(new int[] {3, 3}, new int[] {2, 2}, new int[] {1, 1}, false), 1, 2, 5, 5);
    }

    @Test
    void batchNormTrainingAndEvaluation() {
        checkModule(new BatchNorm1d(3), 4, 3);
        checkModule(new BatchNorm1d(3), 2, 3, 4);
        checkModule(new BatchNorm2d(2), 3, 2, 2, 3);
        checkModule(new BatchNorm2d(2, 1e-5, 0.1, false, false, DType.FLOAT64), 3, 2, 2, 2);
        BatchNorm2d bn = new BatchNorm2d(2);
        bn.forward(Tensor.randn(4, 2, 3, 3));   // move the running statistics away from 0 and 1
        checkModule(bn.eval(), 3, 2, 2, 3);
        checkModule(new BatchNormReLU2d(2), 3, 2, 2, 3);
        checkModule(new BatchNormReLU2d(2, 1e-5, 0.1, false, false, DType.FLOAT64), 3, 2, 2, 2);
        BatchNormReLU2d fused = new BatchNormReLU2d(2);
        fused.forward(Tensor.randn(4, 2, 3, 3));
        checkModule(fused.eval(), 3, 2, 2, 3);
    }

    @Test
    void layerNorm() {
        checkModule(new LayerNorm(5), 3, 5);
        checkModule(new LayerNorm(3, 4), 2, 3, 4);
        checkModule(new LayerNorm(new long[] {4}, 1e-5, false, DType.FLOAT64), 3, 4);
    }

    @Test
    void activationsFlattenSequential() {
        checkModule(new ReLU(), 3, 4);
        checkModule(new GELU(), 3, 4);
        checkModule(new Tanh(), 3, 4);
        checkModule(new Sigmoid(), 3, 4);
        checkModule(new Softmax(1), 3, 4);
        checkModule(new Flatten(), 2, 3, 2);
        checkModule(new Sequential(new Linear(4, 5), new Tanh(), new Linear(5, 2)), 3, 4);
    }

    @Test
    void dropoutWithAFixedMask() {
        Function<Tensor[], Tensor> f = in -> Dropout.dropout(in[0], 0.4, true, new Generator(5));
        NumericGrad.check(f, leaf(1, 4, 5));
    }

    @Test
    void embedding() {
        Embedding emb = new Embedding(5, 3);
        emb.to(DType.FLOAT64);
        Tensor idx = Tensor.of(new long[] {4, 0, 4, 2, 2, 2}, 2, 3);   // repeated rows accumulate
        NumericGrad.check(in -> emb.forward(idx), emb.weight());
    }

    @Test
    void losses() {
        Tensor labels = Tensor.of(new long[] {2, 0, -100, 1}, 4);
        Tensor target = leaf(2, 4, 3);
        for (Reduction r : Reduction.values()) {
            NumericGrad.check(in -> Losses.crossEntropy(in[0], labels, -100, 0.2, r), leaf(1, 4, 3));
            NumericGrad.check(in -> Losses.crossEntropy(in[0], labels, -100, 0, r), leaf(1, 4, 3));
            NumericGrad.check(in -> Losses.nllLoss(in[0].logSoftmax(1), labels, -100, r), leaf(1, 4, 3));
            NumericGrad.check(in -> Losses.mseLoss(in[0], in[1], r), leaf(1, 4, 3), target);
            NumericGrad.check(in -> Losses.binaryCrossEntropyWithLogits(in[0], in[1].sigmoid(), r), leaf(1, 4, 3),
                    target);
        }
    }

    // ---------------------------------------------------------------- second order

    /** d/d inputs of a first derivative taken with createGraph: the derivative ops are differentiable again. */
    private static void checkSecondOrder(Function<Tensor[], Tensor> f, Tensor... inputs) {
        Tensor w = new Generator(7).randn(DType.FLOAT64, f.apply(inputs).shape());
        NumericGrad.check(in -> {
            Tensor y = f.apply(in).mul(w).sum();
            Tensor[] g = Autograd.grad(new Tensor[] {y}, in, null, true, true, true);
            Tensor sum = Tensor.scalar(DType.FLOAT64, 0);
            for (Tensor gi : g) if (gi != null) sum = sum.add(gi.square().sum());
            return sum;
        }, inputs);
    }

    @Test
    void secondOrder() {
        checkSecondOrder(in -> Conv2d.conv2d(in[0], in[1], in[2], new int[] {2, 1}, new int[] {1, 1},
                new int[] {1, 1}, 1).tanh(), leaf(1, 2, 2, 5, 4), leaf(2, 3, 2, 3, 2), leaf(3, 3));
        checkSecondOrder(in -> AvgPool2d.avgPool2d(in[0], new int[] {2, 2}, new int[] {1, 1}, new int[] {1, 1}, false)
                .tanh(), leaf(1, 1, 2, 3, 3));
        checkSecondOrder(in -> Linear.linear(in[0], in[1], in[2]).tanh(), leaf(1, 3, 4), leaf(2, 2, 4), leaf(3, 2));
        checkSecondOrder(in -> BatchNorm.batchNorm(in[0], null, null, in[1], in[2], true, 0.1, 1e-5),
                leaf(1, 4, 2, 3), leaf(2, 2), leaf(3, 2));
        checkSecondOrder(in -> BatchNorm.batchNormRelu(in[0], null, null, in[1], in[2], true, 0.1, 1e-5).square(),
                leaf(1, 4, 2, 3), leaf(2, 2), leaf(3, 2));
        checkSecondOrder(in -> LayerNorm.layerNorm(in[0], new long[] {3}, in[1], in[2], 1e-5), leaf(1, 4, 3),
                leaf(2, 3), leaf(3, 3));
        Tensor labels = Tensor.of(new long[] {1, 0, 2}, 3);
        checkSecondOrder(in -> Losses.crossEntropy(in[0], labels, -100, 0.1, Reduction.MEAN), leaf(1, 3, 3));
        checkSecondOrder(in -> MaxPool2d.maxPool2d(in[0], 2).square(), leaf(1, 1, 2, 4, 4));
    }
}
