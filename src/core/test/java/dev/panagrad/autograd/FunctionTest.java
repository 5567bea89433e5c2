package dev.panagrad.autograd;

import dev.panagrad.DType;
import dev.panagrad.Autograd;
import dev.panagrad.GradMode;
import dev.panagrad.Tensor;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

/** Custom functions: forward/backward, saved tensors, needed inputs, several inputs and outputs, higher order. */
class FunctionTest {

    private static Tensor vec(double... v) {
        return Tensor.of(DType.FLOAT64, v, v.length);
    }

    /** ReLU with a hand-written backward. */
    static final class MyRelu extends Function {
        @Override
        protected Tensor[] forward(Context ctx, Object... args) {
            Tensor x = (Tensor) args[0];
            ctx.saveForBackward(x);
            return new Tensor[] {x.clampMin(0)};
        }

        @Override
        protected Tensor[] backward(Context ctx, Tensor... grads) {
            Tensor x = ctx.savedTensors()[0];
            return new Tensor[] {Tensor.where(x.gt(0), grads[0], 0)};
        }
    }

    /** x^3 with a backward written in tensor ops (3 x^2 g), so it is differentiable again. */
    static final class Cube extends Function {
        @Override
        protected Tensor[] forward(Context ctx, Object... args) {
            Tensor x = (Tensor) args[0];
            ctx.saveForBackward(x);
            return new Tensor[] {x.mul(x).mul(x)};
        }

        @Override
        protected Tensor[] backward(Context ctx, Tensor... grads) {
            Tensor x = ctx.savedTensors()[0];
            return new Tensor[] {grads[0].mul(x.square().mul(3))};
        }
    }

    /** (a * scale, a + b) for tensors a, b and a double scale; records which inputs were needed. */
    static final class ScaleAndSum extends Function {
        boolean[] needed;

        @Override
        protected Tensor[] forward(Context ctx, Object... args) {
            Tensor a = (Tensor) args[0], b = (Tensor) args[2];
            double scale = (Double) args[1];
            ctx.put("scale", scale);
            return new Tensor[] {a.mul(scale), a.add(b)};
        }

        @Override
        protected Tensor[] backward(Context ctx, Tensor... grads) {
            needed = new boolean[] {ctx.needsInputGrad(0), ctx.needsInputGrad(1), ctx.needsInputGrad(2)};
            double scale = ctx.get("scale");
            // d(a s)/da = s, d(a + b)/da = 1, d(a + b)/db = 1
            Tensor ga = ctx.needsInputGrad(0) ? grads[0].mul(scale).add(grads[1]) : null;
            Tensor gb = ctx.needsInputGrad(2) ? grads[1] : null;
            return new Tensor[] {ga, null, gb};
        }
    }

    @Test
    void reluForwardAndBackward() {
        Tensor x = vec(-1, 2, -0.5).requiresGrad(true);
        Tensor y = new MyRelu().applyOne(x);
        assertArrayEquals(new double[] {0, 2, 0}, y.toDoubleArray());
        assertEquals("MyReluBackward", y.gradFn().name());
        y.backward(y.onesLike());
        assertArrayEquals(new double[] {0, 1, 0}, x.grad().toDoubleArray());
    }

    @Test
    void severalInputsAndOutputsAndNonTensorArguments() {
        Tensor a = vec(1, 2).requiresGrad(true);
        Tensor b = vec(10, 20).requiresGrad(true);
        ScaleAndSum f = new ScaleAndSum();
        Tensor[] out = f.apply(a, 3.0, b);
        assertArrayEquals(new double[] {3, 6}, out[0].toDoubleArray());
        assertArrayEquals(new double[] {11, 22}, out[1].toDoubleArray());
        assertSame(out[0].gradFn(), out[1].gradFn());
        out[0].sum().add(out[1].mul(2).sum()).backward();
        assertArrayEquals(new double[] {3 + 2, 3 + 2}, a.grad().toDoubleArray());
        assertArrayEquals(new double[] {2, 2}, b.grad().toDoubleArray());
        assertArrayEquals(new boolean[] {true, false, true}, f.needed);
    }

    @Test
    void needsInputGradTellsWhichTensorsWantAGradient() {
        Tensor a = vec(1, 2).requiresGrad(true);
        Tensor b = vec(10, 20);
        ScaleAndSum f = new ScaleAndSum();
        Tensor[] out = f.apply(a, 2.0, b);
        out[1].sum().backward();   // only the second output is used: the first gets zeros
        assertArrayEquals(new boolean[] {true, false, false}, f.needed);
        assertArrayEquals(new double[] {1, 1}, a.grad().toDoubleArray());
    }

    @Test
    void withoutMaterializedGradsAnUnusedOutputGetsNull() {
        Tensor x = vec(1, 2).requiresGrad(true);
        boolean[] sawNull = new boolean[1];
        Function f = new Function() {
            @Override
            protected Tensor[] forward(Context ctx, Object... args) {
                ctx.setMaterializeGrads(false);
                Tensor t = (Tensor) args[0];
                return new Tensor[] {t.mul(2), t.mul(3)};
            }

            @Override
            protected Tensor[] backward(Context ctx, Tensor... grads) {
                sawNull[0] = grads[1] == null;
                return new Tensor[] {grads[0].mul(2)};
            }
        };
        f.apply(x)[0].sum().backward();
        assertTrue(sawNull[0]);
        assertArrayEquals(new double[] {2, 2}, x.grad().toDoubleArray());
    }

    @Test
    void savedTensorsAreVersionChecked() {
        Tensor x = vec(-1, 2).requiresGrad(true);
        Tensor h = x.mul(1);
        Tensor y = new MyRelu().applyOne(h);
        h.add_(5);
        var e = assertThrows(IllegalStateException.class, () -> y.sum().backward());
        assertTrue(e.getMessage().contains("MyReluBackward"), e.getMessage());
        assertTrue(e.getMessage().contains("modified by an inplace operation"), e.getMessage());
    }

    @Test
    void savedTensorsAreFreedAfterBackward() {
        Tensor x = vec(-1, 2).requiresGrad(true);
        Tensor y = new MyRelu().applyOne(x).sum();
        y.backward();
        var e = assertThrows(IllegalStateException.class, y::backward);
        assertTrue(e.getMessage().contains("Trying to backward through the graph a second time"), e.getMessage());
    }

    @Test
    void backwardWrittenWithOpsWorksUnderCreateGraph() {
        Tensor x = Tensor.of(2.0).to(dev.panagrad.DType.FLOAT64).requiresGrad(true);
        Tensor y = new Cube().applyOne(x);
        Tensor dy = Autograd.grad(y, x, true)[0];      // 3x^2 = 12
        Tensor d2y = Autograd.grad(dy, x, false)[0];   // 6x = 12
        assertEquals(12, dy.item(), 1e-12);
        assertEquals(12, d2y.item(), 1e-12);
        Gradcheck.gradgradcheck(in -> new Cube().applyOne(in[0]), vec(0.5, -1.5).requiresGrad(true));
    }

    @Test
    void nonDifferentiableOutputsDoNotRequireGrad() {
        Tensor x = vec(3, 1, 2).requiresGrad(true);
        Function sortKey = new Function() {
            @Override
            protected Tensor[] forward(Context ctx, Object... args) {
                Tensor t = (Tensor) args[0];
                Tensor positive = t.gt(1.5).to(dev.panagrad.DType.FLOAT64);
                ctx.markNonDifferentiable(positive);
                return new Tensor[] {t.mul(2), positive};
            }

            @Override
            protected Tensor[] backward(Context ctx, Tensor... grads) {
                return new Tensor[] {grads[0].mul(2)};
            }
        };
        Tensor[] out = sortKey.apply(x);
        assertTrue(out[0].requiresGrad());
        assertFalse(out[1].requiresGrad());
        assertArrayEquals(new double[] {1, 0, 1}, out[1].toDoubleArray());
    }

    @Test
    void returningAnInputGivesANewTensorSharingItsStorage() {
        Tensor x = vec(1, 2).requiresGrad(true);
        Function identity = new Function() {
            @Override
            protected Tensor[] forward(Context ctx, Object... args) {
                return new Tensor[] {(Tensor) args[0]};
            }

            @Override
            protected Tensor[] backward(Context ctx, Tensor... grads) {
                return new Tensor[] {grads[0]};
            }
        };
        Tensor y = identity.applyOne(x);
        assertNotSame(x, y);
        assertSame(x.storage(), y.storage());
        assertTrue(x.isLeaf());
        assertEquals("FunctionBackward", y.gradFn().name());
        y.sum().backward();
        assertArrayEquals(new double[] {1, 1}, x.grad().toDoubleArray());
    }

    @Test
    void withoutInputsThatRequireGradNothingIsRecorded() {
        Tensor y = new MyRelu().applyOne(vec(-1, 1));
        assertFalse(y.requiresGrad());
        Tensor x = vec(-1, 1).requiresGrad(true);
        try (var off = GradMode.noGrad()) {
            assertFalse(new MyRelu().applyOne(x).requiresGrad());
        }
    }

    @Test
    void badGradientsFromBackwardAreReported() {
        Tensor x = vec(1, 2).requiresGrad(true);
        Function tooFew = gradientsOf(xs -> new Tensor[0]);
        var e1 = assertThrows(IllegalStateException.class, () -> tooFew.applyOne(x, 1.0).sum().backward());
        assertTrue(e1.getMessage().contains("incorrect number of gradients (expected 2, got 0)"), e1.getMessage());

        Function forNonTensor = gradientsOf(xs -> new Tensor[] {xs, Tensor.of(1.0)});
        var e2 = assertThrows(IllegalStateException.class, () -> forNonTensor.applyOne(x, 1.0).sum().backward());
        assertTrue(e2.getMessage().contains("argument 1, which is not a tensor"), e2.getMessage());

        Function wrongShape = gradientsOf(xs -> new Tensor[] {vec(1, 2, 3), null});
        var e3 = assertThrows(IllegalStateException.class, () -> wrongShape.applyOne(x, 1.0).sum().backward());
        assertTrue(e3.getMessage().contains("invalid gradient at index 0 - got [3] but expected shape compatible with [2]"),
                e3.getMessage());
    }

    @Test
    void aBroadcastGradientIsSummedToTheInputShape() {
        Tensor x = vec(1, 2).requiresGrad(true);
        Function broadcasting = gradientsOf(g -> new Tensor[] {g.unsqueeze(0).expand(3, 2), null});
        broadcasting.applyOne(x, 1.0).sum().backward();
        assertArrayEquals(new double[] {3, 3}, x.grad().toDoubleArray());
    }

    @Test
    void backwardMayRunABackwardOfItsOwnOnAFreshGraph() {
        Function cube = new Function() {
            @Override
            protected Tensor[] forward(Context ctx, Object... args) {
                Tensor x = (Tensor) args[0];
                ctx.saveForBackward(x);
                return new Tensor[] {x.pow(3)};
            }

            @Override
            protected Tensor[] backward(Context ctx, Tensor... g) {
                // d x^3 / dx computed by an inner backward pass over a graph built here (backward runs with
                // recording off unless createGraph, so it is switched on, as torch.enable_grad() would)
                Tensor x = ctx.savedTensors()[0].detach().requiresGrad(true);
                try (var on = GradMode.enableGrad()) {
                    Tensor dx = Autograd.grad(new Tensor[] {x.pow(3)}, new Tensor[] {x}, new Tensor[] {g[0]},
                            false, false, false)[0];
                    return new Tensor[] {dx};
                }
            }
        };
        Tensor x = vec(1, -2).requiresGrad(true);
        cube.applyOne(x).add(x).sum().backward();   // 3x^2 + 1
        assertArrayEquals(new double[] {4, 13}, x.grad().toDoubleArray(), 1e-12);
    }

    @Test
    void anInnerBackwardThatReachesTheOuterGraphIsRefused() {
        Tensor x = vec(1, 2).requiresGrad(true);
        Tensor h = x.mul(2);
        Function reentrant = new Function() {
            @Override
            protected Tensor[] forward(Context ctx, Object... args) {
                return new Tensor[] {((Tensor) args[0]).mul(3)};
            }

            @Override
            protected Tensor[] backward(Context ctx, Tensor... g) {
                try (var on = GradMode.enableGrad()) {
                    h.sum().backward();   // h's node is still waiting in the outer pass
                }
                return new Tensor[] {g[0].mul(3)};
            }
        };
        Tensor z = reentrant.applyOne(x).add(h).sum();
        var e = assertThrows(IllegalStateException.class, z::backward);
        assertTrue(e.getMessage().contains("MulBackward0 belongs to a backward pass that is still running on this "
                + "thread"), e.getMessage());
        // the failed passes left no state behind: the graph can be walked again
        Tensor[] g = Autograd.grad(new Tensor[] {h.sum()}, new Tensor[] {x}, null, false, false, false);
        assertArrayEquals(new double[] {2, 2}, g[0].toDoubleArray());
    }

    /** A function of (tensor, double) whose forward is 2x and whose backward returns what {@code grads} makes of g. */
    private static Function gradientsOf(java.util.function.Function<Tensor, Tensor[]> grads) {
        return new Function() {
            @Override
            protected Tensor[] forward(Context ctx, Object... args) {
                return new Tensor[] {((Tensor) args[0]).mul(2)};
            }

            @Override
            protected Tensor[] backward(Context ctx, Tensor... g) {
                return grads.apply(g[0]);
            }
        };
    }
}
