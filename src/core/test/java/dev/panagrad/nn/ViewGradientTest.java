package dev.panagrad.nn;

import dev.panagrad.DType;
import dev.panagrad.Generator;
import dev.panagrad.Tensor;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A layer given its input, or its backward given its incoming gradient, as a view that starts inside a larger
 * tensor (contiguous, nonzero offset, as a slice of a batch or of a concatenation's gradient is) must give
 * what it gives for a fresh copy of the same values: kernels that read a tensor's storage must start at its
 * offset.
 */
class ViewGradientTest {

    static Stream<Arguments> layers() {
        return Stream.of(
                layer("Conv2d", new Conv2d(2, 3, 3, 1, 1), 2, 2, 5, 5),
                layer("Conv2d strided, grouped", new Conv2d(4, 6, new int[] {3, 2}, new int[] {2, 1}, new int[] {1, 0},
                        new int[] {1, 1}, 2, true, DType.FLOAT32), 2, 4, 6, 5),
                layer("Conv1d", new Conv1d(2, 3, 3), 2, 2, 7),
                layer("ConvTranspose2d", new ConvTranspose2d(2, 3, 3, 2, 1), 2, 2, 4, 4),
                layer("Linear", new Linear(5, 4), 3, 5),
                layer("BatchNorm2d", new BatchNorm2d(3), 4, 3, 3, 3),
                layer("BatchNormReLU2d", new BatchNormReLU2d(3), 4, 3, 3, 3),
                layer("LayerNorm", new LayerNorm(6), 3, 6),
                layer("GroupNorm", new GroupNorm(2, 4), 2, 4, 3, 3),
                layer("MaxPool2d", new MaxPool2d(2), 2, 3, 4, 4),
                layer("AvgPool2d", new AvgPool2d(2), 2, 3, 4, 4));
    }

    private static Arguments layer(String name, Module m, long... inputShape) {
        return Arguments.of(Named.of(name, m), inputShape);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("layers")
    void gradientAsAnOffsetViewGivesTheSameGradients(Module layer, long[] inputShape) {
        Generator.manualSeed(5);
        Tensor x = Tensor.randn(inputShape).requiresGrad(true);
        long[] outShape = layer.forward(x).shape();
        long[] twice = outShape.clone();
        twice[0] *= 2;
        Tensor view = Tensor.randn(twice).narrow(0, outShape[0], outShape[0]);
        assertTrue(view.isContiguous() && view.offset() > 0, "the gradient is an offset view");
        List<double[]> fromView = gradients(layer, x, view), fromCopy = gradients(layer, x, view.clone());
        for (int i = 0; i < fromView.size(); i++) assertArrayEquals(fromCopy.get(i), fromView.get(i), "gradient " + i);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("layers")
    void inputAsAnOffsetViewGivesTheSameOutputAndGradients(Module layer, long[] inputShape) {
        Generator.manualSeed(6);
        long[] twice = inputShape.clone();
        twice[0] *= 2;
        Tensor view = Tensor.randn(twice).narrow(0, inputShape[0], inputShape[0]).requiresGrad(true);
        Tensor copy = view.detach().clone().requiresGrad(true);
        assertTrue(view.isContiguous() && view.offset() > 0, "the input is an offset view");
        Tensor upstream = Tensor.randn(layer.forward(copy).shape());
        assertArrayEquals(layer.forward(copy).toDoubleArray(), layer.forward(view).toDoubleArray(), "output");
        List<double[]> fromView = gradients(layer, view, upstream), fromCopy = gradients(layer, copy, upstream);
        for (int i = 0; i < fromView.size(); i++) assertArrayEquals(fromCopy.get(i), fromView.get(i), "gradient " + i);
    }

    /** The input's gradient, then every parameter's, after one backward with the given upstream gradient. */
    private static List<double[]> gradients(Module layer, Tensor x, Tensor upstream) {
        layer.zeroGrad(true);
        x.setGrad(null);
        layer.forward(x).backward(upstream);
        List<double[]> grads = new ArrayList<>(List.of(x.grad().toDoubleArray()));
        for (Tensor p : layer.parameters()) grads.add(p.grad().toDoubleArray());
        return grads;
    }
}
