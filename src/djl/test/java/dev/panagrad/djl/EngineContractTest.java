package dev.panagrad.djl;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.engine.EngineException;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.internal.NDArrayEx;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.panagrad.GradMode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** DJL's engine contracts on panagrad: discovery, lifetimes, dtypes, gradients and the exceptions DJL expects. */
class EngineContractTest {
    private static final Engine ENGINE = Engine.getEngine("Panagrad");

    @Test
    void engineIsFoundByServiceLoader() {
        assertTrue(Engine.getAllEngines().contains("Panagrad"));
        assertSame(PanagradEngine.class, ENGINE.getClass());
        assertEquals("Panagrad", ENGINE.getEngineName());
        assertEquals(0, ENGINE.getGpuCount());
        try (NDManager m = ENGINE.newBaseManager()) {
            assertSame(ENGINE, m.getEngine());
            assertTrue(m.create(1f) instanceof PanagradNDArray);
        }
    }

    @Test
    void arraysWrapTensorsAndCopyOutAsDjlSpecifies() {
        try (NDManager m = ENGINE.newBaseManager()) {
            NDArray a = m.create(new float[] {1, 2, 3, 4, 5, 6}, new Shape(2, 3));
            assertEquals(new Shape(2, 3), a.getShape());
            assertEquals(DataType.FLOAT32, a.getDataType());
            assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6}, a.toFloatArray());
            // the NDArray is the tensor: no copy between them
            PanagradNDArray p = (PanagradNDArray) a;
            assertArrayEquals(new long[] {2, 3}, p.tensor().shape());
            ByteBuffer bb = a.toByteBuffer();
            assertEquals(ByteOrder.nativeOrder(), bb.order());
            assertEquals(24, bb.remaining());
            assertEquals(3f, bb.getFloat(8));
            // a transposed view copies out in row-major order of the view
            assertArrayEquals(new float[] {1, 4, 2, 5, 3, 6}, a.transpose().toFloatArray());
            assertArrayEquals(new int[] {7, -1}, m.create(new int[] {7, -1}).toIntArray());
            assertArrayEquals(new long[] {1L << 40}, m.create(new long[] {1L << 40}).toLongArray());
            NDArray u = m.create(ByteBuffer.wrap(new byte[] {(byte) 200, 3}), new Shape(2), DataType.UINT8);
            assertEquals(DataType.UINT8, u.getDataType());
            assertArrayEquals(new float[] {200, 3}, u.toType(DataType.FLOAT32, false).toFloatArray());
            assertArrayEquals(new boolean[] {true, false}, m.create(new boolean[] {true, false}).toBooleanArray());
            assertArrayEquals(new double[] {0.5}, m.create(new double[] {0.5}).toDoubleArray());
        }
    }

    @Test
    void closingAManagerClosesItsArraysAndSubManagersOnly() {
        NDManager parent = ENGINE.newBaseManager();
        NDArray kept = parent.create(new float[] {1, 2});
        NDManager child = parent.newSubManager();
        NDArray temp = child.create(new float[] {3});
        NDArray moved = child.create(new float[] {4});
        moved.attach(parent);
        child.close();
        assertTrue(temp.isReleased());
        assertFalse(moved.isReleased(), "an array attached elsewhere outlives its first manager");
        assertArrayEquals(new float[] {4}, moved.toFloatArray());
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> temp.add(1));
        assertTrue(e.getMessage().contains("closed"), e.getMessage());
        assertThrows(IllegalStateException.class, () -> child.create(new float[] {1}));
        temp.close();   // closing twice is harmless
        parent.close();
        assertTrue(kept.isReleased() && moved.isReleased());
        assertFalse(parent.isOpen());
    }

    @Test
    void closingFreesMemoryAtOnceButNeverUnderALiveView() {
        try (NDManager parent = ENGINE.newBaseManager()) {
            NDManager child = parent.newSubManager();
            PanagradNDArray temp = (PanagradNDArray) child.create(new float[] {1, 2, 3, 4}).mul(2);
            PanagradNDArray base = (PanagradNDArray) child.create(new float[] {5, 6, 7, 8}).add(0);
            NDArray view = base.reshape(2, 2);
            view.attach(parent);
            var tempTensor = temp.tensor();
            child.close();
            // temp's bytes went back to the pool: its tensor now refuses to be read
            assertThrows(IllegalStateException.class, tempTensor::toFloatArray);
            // base was closed too, but its bytes stay alive for the view that outlives it
            assertArrayEquals(new float[] {5, 6, 7, 8}, view.toFloatArray());
        }
    }

    @Test
    void resultsBelongToTheFirstOperandsManager() {
        try (NDManager a = ENGINE.newBaseManager(); NDManager b = ENGINE.newBaseManager()) {
            NDArray x = a.create(new float[] {1}), y = b.create(new float[] {2});
            assertSame(a, x.add(y).getManager());
            assertSame(b, y.add(x).getManager());
        }
    }

    @Test
    void gradientCollectorRecordsAndAccumulates() {
        try (NDManager m = ENGINE.newBaseManager()) {
            NDArray x = m.create(new float[] {1, 2, 3});
            x.setRequiresGradient(true);
            try (GradientCollector gc = ENGINE.newGradientCollector()) {
                // y = sum(x^2), so dy/dx = 2x
                gc.backward(x.mul(x).sum());
            }
            assertArrayEquals(new float[] {2, 4, 6}, x.getGradient().toFloatArray());
            try (GradientCollector gc = ENGINE.newGradientCollector()) {
                gc.backward(x.sum());   // accumulates: 2x + 1
            }
            assertArrayEquals(new float[] {3, 5, 7}, x.getGradient().toFloatArray());
            try (GradientCollector gc = ENGINE.newGradientCollector()) {
                gc.zeroGradients();
            }
            assertArrayEquals(new float[] {0, 0, 0}, x.getGradient().toFloatArray());
            assertTrue(x.hasGradient());
            assertFalse(x.stopGradient().hasGradient());
        }
    }

    @Test
    void collectorRestoresGradModeAndRefusesUseAfterClose() {
        try (NDManager m = ENGINE.newBaseManager(); var off = GradMode.noGrad()) {
            GradientCollector gc = ENGINE.newGradientCollector();
            assertTrue(GradMode.isEnabled());
            gc.close();
            assertFalse(GradMode.isEnabled(), "closing restores the mode found at opening");
            NDArray x = m.create(new float[] {1});
            assertThrows(IllegalStateException.class, () -> gc.backward(x));
        }
    }

    // DJL's exception types, as its integration tests (ai.djl.integration.tests.ndarray) and its PyTorch engine
    // have them: what libtorch refuses is an EngineException; what DJL checks in Java an IllegalArgumentException;
    // closed or capped managers and arrays, and dtype mismatches on copying out, IllegalStateException.

    @Test
    void argumentsTheCoreRefusesGiveEngineExceptionWithTheCoresMessage() {
        try (NDManager m = ENGINE.newBaseManager()) {
            NDArray a = m.ones(new Shape(2, 3)), v = m.ones(new Shape(4));
            EngineException add = engineError(IllegalArgumentException.class, () -> a.add(v));
            assertTrue(add.getMessage().startsWith("add: ") && add.getMessage().contains("[2, 3] and [4]"),
                    add.getMessage());
            engineError(IllegalArgumentException.class, () -> a.duplicate().muli(v));
            EngineException mm = engineError(IllegalArgumentException.class, () -> a.matMul(a));
            assertTrue(mm.getMessage().contains("inner dimensions"), mm.getMessage());
            EngineException reshape = engineError(IllegalArgumentException.class, () -> a.reshape(4, 2));
            assertTrue(reshape.getMessage().contains("[4, 2] is invalid for input of size 6"), reshape.getMessage());
            NDArray square = m.ones(new Shape(2, 2));
            engineError(IllegalArgumentException.class, () -> NDArrays.concat(new NDList(a, square), 0));
            engineError(IllegalArgumentException.class, () -> NDArrays.stack(new NDList(a, m.ones(new Shape(3, 2)))));
            engineError(IllegalArgumentException.class, () -> a.broadcast(new Shape(4, 5)));
            engineError(IndexOutOfBoundsException.class, () -> a.sum(new int[] {5}));
            engineError(IndexOutOfBoundsException.class, () -> a.expandDims(7));
            EngineException index = engineError(IndexOutOfBoundsException.class, () -> a.get(5));
            assertTrue(index.getMessage().contains("index 5 is out of bounds"), index.getMessage());
            engineError(IndexOutOfBoundsException.class, () -> a.set(new NDIndex(2), 1f));
            // wrong dtype: libtorch refuses gradients on integers
            engineError(IllegalArgumentException.class, () -> m.create(new int[] {1}).setRequiresGradient(true));
            NDArrayEx ex = a.getNDArrayInternal();
            engineError(IllegalArgumentException.class, () -> ex.linear(a, m.ones(new Shape(4, 5)), null));
            engineError(IllegalArgumentException.class, () -> ex.convolution(m.ones(new Shape(1, 3, 5)),
                    m.ones(new Shape(2, 4, 3)), null, new Shape(1), new Shape(0), new Shape(1), 1));
            assertArrayEquals(new float[] {1, 1, 1}, a.get(1).toFloatArray(), "a refusal leaves the operand intact");
        }
    }

    /** Asserts an EngineException whose cause is the core's exception of type {@code cause}, with its message. */
    private static EngineException engineError(Class<? extends RuntimeException> cause, Executable call) {
        EngineException e = assertThrows(EngineException.class, call);
        assertSame(cause, e.getCause().getClass(), () -> "cause of " + e);
        assertEquals(e.getCause().getMessage(), e.getMessage());
        return e;
    }

    @Test
    void whatDjlChecksInJavaIsIllegalArgument() {
        try (NDManager m = ENGINE.newBaseManager()) {
            NDArray a = m.ones(new Shape(2, 3)), scalar = m.create(1f);
            assertThrows(IllegalArgumentException.class, () -> scalar.matMul(a));
            assertThrows(IllegalArgumentException.class, () -> NDArrays.concat(new NDList(scalar, m.create(2f))));
            assertThrows(IllegalArgumentException.class, () -> NDArrays.concat(new NDList(m.ones(new Shape(2)),
                    m.ones(new Shape(3, 1)))));
            assertThrows(IllegalArgumentException.class, () -> a.squeeze(new int[] {0}));
            assertThrows(IllegalArgumentException.class, () -> scalar.squeeze(new int[] {1}));
            assertThrows(IllegalArgumentException.class, () -> scalar.transpose(0));
            assertThrows(IllegalArgumentException.class, () -> m.create(new Shape(0)).argMax());
            assertThrows(IllegalArgumentException.class, () -> m.create(FloatBuffer.wrap(new float[] {1}), new Shape(1),
                    DataType.INT32));
            assertThrows(IllegalArgumentException.class, () -> m.create(new Shape(1), DataType.FLOAT32, Device.gpu()));
        }
    }

    @Test
    void closedOrCappedManagersAndArraysAndMissingGradientsAreIllegalState() {
        NDManager m = ENGINE.newBaseManager();
        NDArray a = m.ones(new Shape(3, 4)), ints = m.create(new int[] {1});
        assertThrows(IllegalStateException.class, ints::toFloatArray);   // wrong dtype
        IllegalStateException grad = assertThrows(IllegalStateException.class, a::getGradient);
        assertTrue(grad.getMessage().contains("setRequiresGradient"), grad.getMessage());
        m.cap();
        assertThrows(IllegalStateException.class, () -> m.ones(new Shape(2)));
        assertThrows(IllegalStateException.class, () -> a.get(1));
        m.close();
        assertThrows(IllegalStateException.class, () -> m.ones(new Shape(2)));
        assertThrows(IllegalStateException.class, () -> a.add(1));
        assertThrows(IllegalStateException.class, a::toFloatArray);
    }

    @Test
    void missingOperationsAndTypesAreUnsupported() {
        try (NDManager m = ENGINE.newBaseManager()) {
            NDArray a = m.ones(new Shape(2, 3));
            UnsupportedOperationException dtype = assertThrows(UnsupportedOperationException.class,
                    () -> m.create(new Shape(2), DataType.FLOAT16));
            assertTrue(dtype.getMessage().contains("float16"), dtype.getMessage());
            UnsupportedOperationException lstm = assertThrows(UnsupportedOperationException.class,
                    () -> a.getNDArrayInternal().lstm(a, new NDList(), new NDList(), true, 1, 0, true, false, true));
            assertTrue(lstm.getMessage().contains("lstm"), lstm.getMessage());
            assertThrows(UnsupportedOperationException.class, () -> a.fft(4));
            assertThrows(UnsupportedOperationException.class, () -> m.ones(new Shape(1, 2, 6)).getNDArrayInternal()
                    .maxPool(new Shape(2), new Shape(2), new Shape(0), false));
        }
    }

    @Test
    void convolutionOfSequencesMatchesADirectLoopAndPassesGradients() {
        int n = 2, c = 4, len = 9, out = 4, k = 3, groups = 2, stride = 2, pad = 1, dil = 2;
        int lout = (len + 2 * pad - dil * (k - 1) - 1) / stride + 1, cg = c / groups, og = out / groups;
        Random r = new Random(3);
        float[] xs = gaussian(r, n * c * len), ws = gaussian(r, out * cg * k), bs = gaussian(r, out);
        // y[i, o, t] = b[o] + sum_{ci, j} w[o, ci, j] x[i, g cg + ci, t stride - pad + j dil], g = o / og; so for
        // L = sum(y): dL/db[o] = n lout, dL/dw[o, ci, j] = sum_{i, t} of the x it meets, dL/dx = sum of the w it meets
        float[] y = new float[n * out * lout], gx = new float[xs.length], gw = new float[ws.length];
        for (int i = 0; i < n; i++) {
            for (int o = 0; o < out; o++) {
                for (int t = 0; t < lout; t++) {
                    float sum = bs[o];
                    for (int ci = 0; ci < cg; ci++) {
                        for (int j = 0; j < k; j++) {
                            int at = t * stride - pad + j * dil;
                            if (at < 0 || at >= len) continue;
                            int xi = (i * c + o / og * cg + ci) * len + at, wi = (o * cg + ci) * k + j;
                            sum += ws[wi] * xs[xi];
                            gw[wi] += xs[xi];
                            gx[xi] += ws[wi];
                        }
                    }
                    y[(i * out + o) * lout + t] = sum;
                }
            }
        }
        try (NDManager m = ENGINE.newBaseManager()) {
            NDArray x = m.create(xs, new Shape(n, c, len)), w = m.create(ws, new Shape(out, cg, k));
            NDArray b = m.create(bs, new Shape(out));
            for (NDArray a : new NDArray[] {x, w, b}) a.setRequiresGradient(true);
            try (GradientCollector gc = ENGINE.newGradientCollector()) {
                NDArray got = x.getNDArrayInternal().convolution(x, w, b, new Shape(stride), new Shape(pad),
                        new Shape(dil), groups).singletonOrThrow();
                assertEquals(new Shape(n, out, lout), got.getShape());
                assertArrayEquals(y, got.toFloatArray(), 1e-5f);
                gc.backward(got.sum());
            }
            assertArrayEquals(gx, x.getGradient().toFloatArray(), 1e-5f);
            assertArrayEquals(gw, w.getGradient().toFloatArray(), 1e-5f);
            float[] gb = new float[out];
            Arrays.fill(gb, n * lout);
            assertArrayEquals(gb, b.getGradient().toFloatArray(), 1e-5f);
        }
    }

    private static float[] gaussian(Random r, int size) {
        float[] v = new float[size];
        for (int i = 0; i < size; i++) v[i] = (float) r.nextGaussian();
        return v;
    }

    @Test
    void indexingSlicesPicksAndSets() {
        try (NDManager m = ENGINE.newBaseManager()) {
            NDArray a = m.arange(0f, 12f, 1f, DataType.FLOAT32).reshape(3, 4);
            assertArrayEquals(new float[] {4, 5, 6, 7}, a.get(1).toFloatArray());
            assertArrayEquals(new float[] {1, 5, 9}, a.get(":, 1").toFloatArray());
            assertArrayEquals(new float[] {1, 3, 9, 11}, a.get("0::2, 1::2").toFloatArray());
            NDArray picked = a.get(new NDIndex().addAllDim().addPickDim(m.create(new int[] {3, 0, 1})));
            assertArrayEquals(new float[] {3, 4, 9}, picked.toFloatArray());
            assertArrayEquals(new float[] {8, 9, 10, 11, 0, 1, 2, 3},
                    a.get(new NDIndex("{}", m.create(new long[] {2, 0}))).toFloatArray());
            a.set(new NDIndex("0, :"), 7f);
            assertArrayEquals(new float[] {7, 7, 7, 7}, a.get(0).toFloatArray());
        }
    }
}
