package dev.panagrad.djl;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.Activation;
import ai.djl.training.GradientCollector;
import ai.djl.training.loss.Loss;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.Function;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Every supported operation on random inputs, run on panagrad and on DJL's PyTorch engine (libtorch 2.7.1):
 * same shapes, same data types, values within float32 rounding. Layer operations also compare the gradients
 * of their inputs and parameters. Arguments the engines refuse throw the same exception types.
 */
class PyTorchDifferentialTest {
    private static final Engine PANAGRAD = Engine.getEngine("Panagrad");
    private static final Engine PYTORCH = Engine.getEngine("PyTorch");

    /** An operation on inputs of the given shapes; {@code positive} inputs are in [0.1, 2.1), others N(0, 1). */
    private record Case(String name, Function<NDList, NDArray> op, boolean positive, boolean grads, Shape... shapes) {}

    private static Case op(String name, Function<NDList, NDArray> op, Shape... shapes) {
        return new Case(name, op, false, false, shapes);
    }

    private static Case positive(String name, Function<NDList, NDArray> op, Shape... shapes) {
        return new Case(name, op, true, false, shapes);
    }

    private static Case withGrads(String name, Function<NDList, NDArray> op, Shape... shapes) {
        return new Case(name, op, false, true, shapes);
    }

    private static final Shape M = new Shape(3, 4), N = new Shape(4, 5), IMG = new Shape(2, 3, 6, 6);

    private static List<Case> cases() {
        List<Case> c = new ArrayList<>();
        // pointwise, one operand
        c.add(op("neg", a -> a.get(0).neg(), M));
        c.add(op("abs", a -> a.get(0).abs(), M));
        c.add(op("sign", a -> a.get(0).sign(), M));
        c.add(op("square", a -> a.get(0).square(), M));
        c.add(positive("sqrt", a -> a.get(0).sqrt(), M));
        c.add(op("exp", a -> a.get(0).exp(), M));
        c.add(positive("log", a -> a.get(0).log(), M));
        c.add(positive("log2", a -> a.get(0).log2(), M));
        c.add(positive("log10", a -> a.get(0).log10(), M));
        c.add(op("sin", a -> a.get(0).sin(), M));
        c.add(op("cos", a -> a.get(0).cos(), M));
        c.add(op("tanh", a -> a.get(0).tanh(), M));
        c.add(op("erf", a -> a.get(0).erf(), M));
        c.add(op("clip", a -> a.get(0).clip(-0.5, 0.5), M));
        c.add(op("isNaN", a -> a.get(0).isNaN(), M));
        c.add(op("isInfinite", a -> a.get(0).div(0).isInfinite(), M));
        c.add(op("add(Number)", a -> a.get(0).add(1.5), M));
        c.add(op("sub(Number)", a -> a.get(0).sub(1.5), M));
        c.add(op("mul(Number)", a -> a.get(0).mul(-2), M));
        c.add(op("div(Number)", a -> a.get(0).div(4), M));
        c.add(positive("pow(Number)", a -> a.get(0).pow(1.7), M));
        c.add(op("maximum(Number)", a -> a.get(0).maximum(0.2), M));
        c.add(op("minimum(Number)", a -> a.get(0).minimum(0.2), M));
        for (String cmp : new String[] {"eq", "neq", "gt", "gte", "lt", "lte"}) {
            c.add(op(cmp + "(Number)", a -> compare(cmp, a.get(0).mul(2).toType(DataType.INT32, false).toType(DataType.FLOAT32, false), 0), M));
        }
        // pointwise, two operands with broadcasting
        Shape row = new Shape(1, 4);
        c.add(op("add", a -> a.get(0).add(a.get(1)), M, row));
        c.add(op("sub", a -> a.get(0).sub(a.get(1)), M, M));
        c.add(op("mul", a -> a.get(0).mul(a.get(1)), M, row));
        c.add(positive("div", a -> a.get(0).div(a.get(1)), M, M));
        c.add(positive("pow", a -> a.get(0).pow(a.get(1)), M, M));
        c.add(op("maximum", a -> a.get(0).maximum(a.get(1)), M, M));
        c.add(op("minimum", a -> a.get(0).minimum(a.get(1)), M, row));
        for (String cmp : new String[] {"eq", "neq", "gt", "gte", "lt", "lte"}) {
            c.add(op(cmp, a -> compare(cmp, a.get(0), a.get(1)), M, row));
        }
        c.add(op("logicalAnd", a -> a.get(0).gt(0).logicalAnd(a.get(1).gt(0)), M, M));
        c.add(op("logicalOr", a -> a.get(0).gt(0).logicalOr(a.get(1).gt(0)), M, M));
        c.add(op("logicalXor", a -> a.get(0).gt(0).logicalXor(a.get(1).gt(0)), M, M));
        c.add(op("logicalNot", a -> a.get(0).gt(0).logicalNot(), M));
        c.add(op("where", a -> NDArrays.where(a.get(0).gt(0), a.get(0), a.get(1)), M, M));
        c.add(op("matMul", a -> a.get(0).matMul(a.get(1)), M, N));
        c.add(op("dot", a -> a.get(0).dot(a.get(1)), M, N));
        // reductions
        c.add(op("sum", a -> a.get(0).sum(), M));
        c.add(op("sum(axes)", a -> a.get(0).sum(new int[] {1}), M));
        c.add(op("sum(axes, keepDims)", a -> a.get(0).sum(new int[] {0}, true), M));
        c.add(op("mean", a -> a.get(0).mean(), M));
        c.add(op("mean(axes)", a -> a.get(0).mean(new int[] {1}), M));
        c.add(op("prod", a -> a.get(0).prod(), new Shape(2, 3)));
        c.add(op("max", a -> a.get(0).max(), M));
        c.add(op("max(axes)", a -> a.get(0).max(new int[] {1}), M));
        c.add(op("min", a -> a.get(0).min(), M));
        c.add(op("min(axes)", a -> a.get(0).min(new int[] {0}, true), M));
        c.add(op("argMax", a -> a.get(0).argMax(), M));
        c.add(op("argMax(axis)", a -> a.get(0).argMax(1), M));
        c.add(op("argMin", a -> a.get(0).argMin(), M));
        c.add(op("argMin(axis)", a -> a.get(0).argMin(0), M));
        c.add(op("softmax", a -> a.get(0).softmax(1), M));
        c.add(op("logSoftmax", a -> a.get(0).logSoftmax(-1), M));
        // shapes, types, indexing
        c.add(op("reshape", a -> a.get(0).reshape(2, -1), M));
        c.add(op("expandDims", a -> a.get(0).expandDims(1), M));
        c.add(op("squeeze", a -> a.get(0).expandDims(0).squeeze(), M));
        c.add(op("squeeze(axes)", a -> a.get(0).expandDims(2).squeeze(new int[] {2}), M));
        c.add(op("flatten", a -> a.get(0).flatten(), M));
        c.add(op("transpose", a -> a.get(0).transpose(), new Shape(2, 3, 4)));
        c.add(op("transpose(axes)", a -> a.get(0).transpose(1, 0, 2), new Shape(2, 3, 4)));
        c.add(op("broadcast", a -> a.get(0).broadcast(new Shape(2, 3, 4)), M));
        c.add(op("split", a -> a.get(0).split(2, 1).get(1), M));
        c.add(op("split(indices)", a -> a.get(0).split(new long[] {1}, 0).get(1), M));
        c.add(op("toType(float64)", a -> a.get(0).toType(DataType.FLOAT64, false), M));
        c.add(op("toType(int32)", a -> a.get(0).mul(3).toType(DataType.INT32, false), M));
        c.add(op("toType(uint8)", a -> a.get(0).abs().mul(50).toType(DataType.UINT8, false), M));
        c.add(op("toType(int8)", a -> a.get(0).mul(50).toType(DataType.INT8, false), M));
        c.add(op("duplicate", a -> a.get(0).duplicate(), M));
        c.add(op("get(slice)", a -> a.get(0).get("1:, ::2"), M));
        c.add(op("get(fixed)", a -> a.get(0).get(":, 2"), M));
        c.add(op("get(pick)", a -> a.get(0).get(new NDIndex().addAllDim().addPickDim(
                a.get(0).getManager().create(new int[] {3, 0, 1}))), M));
        c.add(op("get(take)", a -> a.get(0).get(new NDIndex("{}", a.get(0).getManager().create(new long[] {2, 0}))), M));
        c.add(op("gather", a -> a.get(0).gather(a.get(0).getManager().create(new long[] {0, 3, 1, 2, 2, 0}, new Shape(3, 2)), 1), M));
        c.add(op("oneHot", a -> a.get(0).abs().mul(2).toType(DataType.INT64, false).oneHot(6), new Shape(5)));
        c.add(op("stack", a -> NDArrays.stack(new NDList(a.get(0), a.get(1)), 1), M, M));
        c.add(op("concat", a -> NDArrays.concat(new NDList(a.get(0), a.get(1)), 0), M, M));
        c.add(op("addi", a -> a.get(0).duplicate().addi(a.get(1)), M, M));
        c.add(op("muli(Number)", a -> a.get(0).duplicate().muli(3), M));
        // activations and layers (NDArrayEx)
        c.add(withGrads("relu", a -> Activation.relu(a.get(0)), M));
        c.add(withGrads("sigmoid", a -> Activation.sigmoid(a.get(0)), M));
        c.add(withGrads("tanh(activation)", a -> Activation.tanh(a.get(0)), M));
        c.add(withGrads("softPlus", a -> Activation.softPlus(a.get(0)), M));
        c.add(withGrads("leakyRelu", a -> Activation.leakyRelu(a.get(0), 0.1f), M));
        c.add(withGrads("elu", a -> Activation.elu(a.get(0), 0.7f), M));
        c.add(withGrads("selu", a -> Activation.selu(a.get(0)), M));
        c.add(withGrads("gelu", a -> Activation.gelu(a.get(0)), M));
        c.add(withGrads("linear", a -> ex(a).linear(a.get(0), a.get(1), a.get(2)).singletonOrThrow(),
                new Shape(3, 4), new Shape(5, 4), new Shape(5)));
        c.add(withGrads("convolution", a -> ex(a).convolution(a.get(0), a.get(1), a.get(2), new Shape(2, 1),
                new Shape(1, 1), new Shape(1, 1), 1).singletonOrThrow(), IMG, new Shape(4, 3, 3, 3), new Shape(4)));
        c.add(withGrads("convolution(1-D)", a -> ex(a).convolution(a.get(0), a.get(1), a.get(2), new Shape(2),
                new Shape(1), new Shape(1), 1).singletonOrThrow(), new Shape(2, 3, 11), new Shape(4, 3, 3),
                new Shape(4)));
        c.add(withGrads("convolution(1-D, dilated, grouped)", a -> ex(a).convolution(a.get(0), a.get(1), a.get(2),
                new Shape(1), new Shape(2), new Shape(2), 2).singletonOrThrow(), new Shape(2, 4, 9), new Shape(6, 2, 3),
                new Shape(6)));
        c.add(withGrads("maxPool", a -> ex(a).maxPool(new Shape(2, 2), new Shape(2, 2), new Shape(0, 0), false), IMG));
        c.add(withGrads("avgPool", a -> ex(a).avgPool(new Shape(3, 3), new Shape(2, 2), new Shape(1, 1), false, true), IMG));
        c.add(withGrads("globalMaxPool", a -> ex(a).globalMaxPool(), IMG));
        c.add(withGrads("globalAvgPool", a -> ex(a).globalAvgPool(), IMG));
        c.add(withGrads("batchNorm(training)", a -> ex(a).batchNorm(a.get(0), a.get(1).zerosLike(), a.get(1).onesLike(),
                a.get(1), a.get(2), 1, 0.9f, 1e-5f, true).singletonOrThrow(), IMG, new Shape(3), new Shape(3)));
        c.add(withGrads("batchNorm(inference)", a -> ex(a).batchNorm(a.get(0), a.get(1).stopGradient().mul(0.1), a.get(1).stopGradient().abs().add(1),
                a.get(1), a.get(2), 1, 0.9f, 1e-5f, false).singletonOrThrow(), IMG, new Shape(3), new Shape(3)));
        c.add(withGrads("layerNorm", a -> ex(a).layerNorm(a.get(0), new Shape(4), a.get(1), a.get(2), 1e-5f)
                .singletonOrThrow(), M, new Shape(4), new Shape(4)));
        c.add(withGrads("dropout(inference)", a -> ex(a).dropout(a.get(0), 0.5f, false).singletonOrThrow(), M));
        c.add(withGrads("embedding", a -> ex(a).embedding(a.get(1).getManager().create(new long[] {2, 0, 2}), a.get(1),
                SparseFormat.DENSE).singletonOrThrow(), M, new Shape(3, 4)));
        c.add(withGrads("softmaxCrossEntropyLoss", a -> Loss.softmaxCrossEntropyLoss().evaluate(
                new NDList(a.get(0).getManager().create(new int[] {1, 3, 0})), new NDList(a.get(0))), M));
        return c;
    }

    private static ai.djl.ndarray.internal.NDArrayEx ex(NDList a) {
        return a.get(0).getNDArrayInternal();
    }

    private static NDArray compare(String op, NDArray a, Object b) {
        boolean n = b instanceof Number;
        return switch (op) {
            case "eq" -> n ? a.eq((Number) b) : a.eq((NDArray) b);
            case "neq" -> n ? a.neq((Number) b) : a.neq((NDArray) b);
            case "gt" -> n ? a.gt((Number) b) : a.gt((NDArray) b);
            case "gte" -> n ? a.gte((Number) b) : a.gte((NDArray) b);
            case "lt" -> n ? a.lt((Number) b) : a.lt((NDArray) b);
            default -> n ? a.lte((Number) b) : a.lte((NDArray) b);
        };
    }

    @TestFactory
    Stream<DynamicTest> everyOperationMatchesPyTorch() {
        return cases().stream().map(c -> DynamicTest.dynamicTest(c.name, () -> check(c)));
    }

    private static void check(Case c) {
        Random r = new Random(c.name.hashCode());
        List<float[]> data = new ArrayList<>();
        for (Shape s : c.shapes) {
            float[] v = new float[Math.toIntExact(s.size())];
            for (int i = 0; i < v.length; i++) {
                v[i] = c.positive ? 0.1f + 2 * r.nextFloat() : (float) r.nextGaussian();
            }
            data.add(v);
        }
        try (NDManager pm = PANAGRAD.newBaseManager(); NDManager tm = PYTORCH.newBaseManager()) {
            Result mine = run(c, pm, data), ref = run(c, tm, data);
            assertEquals(ref.out.getShape(), mine.out.getShape(), c.name + ": shape");
            assertEquals(ref.out.getDataType(), mine.out.getDataType(), c.name + ": data type");
            assertClose(c.name, ref.out, mine.out);
            for (int i = 0; i < ref.grads.size(); i++) {
                assertClose(c.name + ": gradient of input " + i, ref.grads.get(i), mine.grads.get(i));
            }
        }
    }

    @TestFactory
    Stream<DynamicTest> optimizerUpdatesMatchPyTorch() {
        // the two updates DJL's PyTorch engine implements; inputs: weight, gradient, optimizer state. A plain
        // gradient (rescale 1, no clipping) takes panagrad's fused kernels, a rescaled or clipped one its ops
        return Stream.of(
                DynamicTest.dynamicTest("adamUpdate", () -> checkUpdate(4, (ex, in) -> ex.adamUpdate(in,
                        new NDList(in.get(0)), 0.01f, 0.03f, 0.001f, 1f, -1f, 0.9f, 0.999f, 1e-8f, true, false))),
                DynamicTest.dynamicTest("adamUpdate(adamw)", () -> checkUpdate(4, (ex, in) -> ex.adamUpdate(in,
                        new NDList(in.get(0)), 0.01f, 0.03f, 0.01f, 1f, -1f, 0.9f, 0.999f, 1e-8f, true, true))),
                DynamicTest.dynamicTest("adamUpdate(adamw, rescaled)", () -> checkUpdate(4, (ex, in) -> ex.adamUpdate(in,
                        new NDList(in.get(0)), 0.01f, 0.03f, 0.01f, 0.5f, -1f, 0.9f, 0.999f, 1e-8f, true, true))),
                DynamicTest.dynamicTest("adamUpdate(clipped)", () -> checkUpdate(4, (ex, in) -> ex.adamUpdate(in,
                        new NDList(in.get(0)), 0.01f, 0.03f, 0f, 1f, 0.5f, 0.8f, 0.99f, 1e-3f, true, false))),
                DynamicTest.dynamicTest("sgdUpdate", () -> checkUpdate(3, (ex, in) -> ex.sgdUpdate(in,
                        new NDList(in.get(0)), 0.1f, 0.01f, 1f, -1f, 0.9f, true))),
                DynamicTest.dynamicTest("sgdUpdate(no momentum)", () -> checkUpdate(2, (ex, in) -> ex.sgdUpdate(in,
                        new NDList(in.get(0)), 0.1f, 0.01f, 1f, -1f, 0f, true))),
                DynamicTest.dynamicTest("sgdUpdate(rescaled)", () -> checkUpdate(3, (ex, in) -> ex.sgdUpdate(in,
                        new NDList(in.get(0)), 0.1f, 0f, 2f, -1f, 0.5f, true))));
    }

    /**
     * Updates arrays of 37 elements (whole vectors and a tail), twice, on both engines. The gradient (input 1)
     * lies in [-0.5, 1.5): DJL documents clipping to [-clipGrad, clipGrad], which panagrad does, while its
     * PyTorch engine clamps from above only, so the clipped case clips above and agrees on both.
     */
    private static void checkUpdate(int arrays, java.util.function.BiConsumer<ai.djl.ndarray.internal.NDArrayEx, NDList> update) {
        Random r = new Random(arrays);
        List<float[]> data = new ArrayList<>();
        for (int i = 0; i < arrays; i++) {
            float[] v = new float[37];
            for (int j = 0; j < v.length; j++) {
                v[j] = switch (i) {
                    case 1 -> 2 * r.nextFloat() - 0.5f;
                    case 3 -> r.nextFloat();
                    default -> (float) r.nextGaussian();
                };
            }
            data.add(v);
        }
        try (NDManager pm = PANAGRAD.newBaseManager(); NDManager tm = PYTORCH.newBaseManager()) {
            NDList mine = new NDList(), ref = new NDList();
            for (float[] v : data) {
                mine.add(pm.create(v));
                ref.add(tm.create(v));
            }
            for (int step = 0; step < 2; step++) {
                update.accept(mine.get(0).getNDArrayInternal(), mine);
                update.accept(ref.get(0).getNDArrayInternal(), ref);
            }
            for (int i = 0; i < arrays; i++) {
                if (i != 1) assertClose("input " + i + " after the update", ref.get(i), mine.get(i));
            }
        }
    }

    /** An argument DJL's engines refuse, made on the given manager. */
    private record Refusal(String name, Function<NDManager, Object> call) {}

    private static List<Refusal> refusals() {
        Shape m23 = new Shape(2, 3);
        return List.of(
                new Refusal("add, shapes that do not broadcast", m -> m.ones(m23).add(m.ones(new Shape(4)))),
                new Refusal("addi, shapes that do not broadcast", m -> m.ones(m23).addi(m.ones(new Shape(4)))),
                new Refusal("matMul, inner dimensions differ", m -> m.ones(m23).matMul(m.ones(m23))),
                new Refusal("matMul, a scalar", m -> m.create(1f).matMul(m.ones(m23))),
                new Refusal("reshape to another size", m -> m.ones(m23).reshape(4, 2)),
                new Refusal("concat, sizes differ", m -> NDArrays.concat(new NDList(m.ones(m23),
                        m.ones(new Shape(2, 2))))),
                new Refusal("concat, scalars", m -> NDArrays.concat(new NDList(m.create(1f), m.create(2f)))),
                new Refusal("stack, sizes differ", m -> NDArrays.stack(new NDList(m.ones(new Shape(2)),
                        m.ones(new Shape(3))))),
                new Refusal("broadcast to a shape that does not fit", m -> m.ones(m23).broadcast(new Shape(4, 5))),
                new Refusal("transpose, too few axes", m -> m.ones(m23).transpose(0)),
                new Refusal("transpose, axes of a scalar", m -> m.create(1f).transpose(0)),
                new Refusal("sum, axis out of range", m -> m.ones(m23).sum(new int[] {5})),
                new Refusal("expandDims, axis out of range", m -> m.ones(m23).expandDims(7)),
                new Refusal("squeeze, an axis of size 2", m -> m.ones(m23).squeeze(new int[] {0})),
                new Refusal("get, index out of range", m -> m.ones(m23).get(5)),
                new Refusal("argMax of an empty array", m -> m.create(new Shape(0)).argMax()),
                new Refusal("linear, sizes differ", m -> m.ones(m23).getNDArrayInternal().linear(m.ones(m23),
                        m.ones(new Shape(4, 5)), null)),
                new Refusal("convolution, channels differ", m -> m.ones(m23).getNDArrayInternal().convolution(
                        m.ones(new Shape(1, 3, 5)), m.ones(new Shape(2, 4, 3)), null, new Shape(1), new Shape(0),
                        new Shape(1), 1)),
                new Refusal("setRequiresGradient on integers", m -> {
                    m.create(new int[] {1}).setRequiresGradient(true);
                    return null;
                }),
                new Refusal("toFloatArray of integers", m -> m.create(new int[] {1}).toFloatArray()),
                new Refusal("create, buffer of another type", m -> m.create(FloatBuffer.wrap(new float[] {1}),
                        new Shape(1), DataType.INT32)),
                new Refusal("getGradient without setRequiresGradient", m -> m.ones(m23).getGradient()),
                new Refusal("create on a closed manager", m -> {
                    NDManager sub = m.newSubManager();
                    sub.close();
                    return sub.ones(m23);
                }));
    }

    @TestFactory
    Stream<DynamicTest> refusalsThrowPyTorchsExceptionTypes() {
        return refusals().stream().map(r -> DynamicTest.dynamicTest(r.name, () -> {
            try (NDManager pm = PANAGRAD.newBaseManager(); NDManager tm = PYTORCH.newBaseManager()) {
                Class<?> want = thrown(r, tm), got = thrown(r, pm);
                assertEquals(want, got, r.name);
            }
        }));
    }

    private static Class<?> thrown(Refusal r, NDManager m) {
        try {
            r.call.apply(m);
        } catch (RuntimeException e) {
            return e.getClass();
        }
        return fail(r.name + ": " + m.getEngine().getEngineName() + " throws nothing");
    }

    private record Result(NDArray out, List<NDArray> grads) {}

    private static Result run(Case c, NDManager m, List<float[]> data) {
        NDList in = new NDList();
        for (int i = 0; i < data.size(); i++) in.add(m.create(data.get(i), c.shapes[i]));
        if (!c.grads) return new Result(c.op.apply(in), List.of());
        for (NDArray a : in) a.setRequiresGradient(true);
        NDArray out;
        try (GradientCollector gc = m.getEngine().newGradientCollector()) {
            out = c.op.apply(in);
            // a weighted sum, so that every output element gets its own gradient
            NDArray w = m.arange(0f, out.size(), 1f, DataType.FLOAT32).reshape(out.getShape()).mul(0.1).add(1);
            gc.backward(out.mul(w).sum());
        }
        List<NDArray> grads = new ArrayList<>();
        for (NDArray a : in) grads.add(a.getGradient());
        return new Result(out, grads);
    }

    private static void assertClose(String what, NDArray want, NDArray got) {
        double[] w = asDoubles(want), g = asDoubles(got);
        assertEquals(w.length, g.length, what + ": element count");
        for (int i = 0; i < w.length; i++) {
            if (Double.isNaN(w[i]) && Double.isNaN(g[i])) continue;
            if (Double.isInfinite(w[i]) && w[i] == g[i]) continue;
            double tol = 2e-5 + 2e-5 * Math.abs(w[i]);
            if (!(Math.abs(w[i] - g[i]) <= tol)) {
                fail(what + ": element " + i + " is " + g[i] + "; PyTorch gives " + w[i] + "\npanagrad " + Arrays.toString(g)
                        + "\npytorch  " + Arrays.toString(w));
            }
        }
    }

    private static double[] asDoubles(NDArray a) {
        return a.getDataType() == DataType.BOOLEAN ? asDoubles(a.toType(DataType.INT32, false))
                : a.toType(DataType.FLOAT64, false).toDoubleArray();
    }
}
