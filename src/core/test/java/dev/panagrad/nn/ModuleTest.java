package dev.panagrad.nn;

import dev.panagrad.DType;
import dev.panagrad.GradMode;
import dev.panagrad.Tensor;
import dev.panagrad.memory.Scope;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Registration, traversal, modes, gradients and state dicts of modules. */
class ModuleTest {

    /** A module with a child, a nested Sequential and batch norm buffers. */
    static final class Net extends Module {
        final Linear fc1 = registerModule("fc1", new Linear(4, 3));
        final BatchNorm1d bn = registerModule("bn", new BatchNorm1d(3));
        final Sequential head = registerModule("head", new Sequential(new ReLU(), new Dropout(0.5), new Linear(3, 2)));

        @Override
        public Tensor forward(Tensor x) {
            return head.forward(bn.forward(fc1.forward(x)));
        }
    }

    @Test
    void namesFollowPyTorch() {
        Net net = new Net();
        assertEquals(List.of("fc1.weight", "fc1.bias", "bn.weight", "bn.bias", "head.2.weight", "head.2.bias"),
                new ArrayList<>(net.namedParameters().keySet()));
        assertEquals(List.of("fc1.weight", "fc1.bias", "bn.weight", "bn.bias", "bn.running_mean", "bn.running_var",
                "bn.num_batches_tracked", "head.2.weight", "head.2.bias"), new ArrayList<>(net.stateDict().keySet()));
        assertEquals(DType.INT64, net.stateDict().get("bn.num_batches_tracked").dtype());
        assertEquals(List.of("", "fc1", "bn", "head", "head.0", "head.1", "head.2"),
                new ArrayList<>(net.namedModules().keySet()));
        assertEquals(4 * 3 + 3 + 3 + 3 + 3 * 2 + 2, net.parameterCount());
        for (Tensor p : net.parameters()) {
            assertTrue(p.requiresGrad() && p.isLeaf());
        }
        assertEquals("Net(\n  (fc1): Linear(in_features=4, out_features=3, bias=True)\n"
                + "  (bn): BatchNorm1d(3, eps=1.0E-5, momentum=0.1, affine=True, track_running_stats=True)\n"
                + "  (head): Sequential(\n    (0): ReLU()\n    (1): Dropout(p=0.5)\n"
                + "    (2): Linear(in_features=3, out_features=2, bias=True)\n  )\n)", net.toString());
    }

    @Test
    void trainAndEvalReachEveryDescendant() {
        Net net = new Net();
        net.eval();
        for (Module m : net.namedModules().values()) assertFalse(m.isTraining());
        net.train();
        for (Module m : net.namedModules().values()) assertTrue(m.isTraining());
    }

    @Test
    void zeroGradKeepsTheGradientMemoryOrDropsIt() {
        Net net = new Net();
        net.forward(Tensor.randn(5, 4)).sum().backward();
        Tensor g = net.fc1.weight().grad();
        net.zeroGrad(false);
        assertSame(g, net.fc1.weight().grad());
        assertEquals(0, g.abs().sum().item());
        net.zeroGrad();   // PyTorch 2's default: set_to_none=True
        assertNull(net.fc1.weight().grad());
    }

    @Test
    void applyVisitsChildrenFirstAndCanInitialise() {
        Net net = new Net();
        List<String> order = new ArrayList<>();
        net.apply(m -> order.add(m.getClass().getSimpleName()));
        assertEquals(List.of("Linear", "BatchNorm1d", "ReLU", "Dropout", "Linear", "Sequential", "Net"), order);
        net.apply(m -> {
            if (m instanceof Linear l) Init.constant_(l.weight(), 0.5);
        });
        assertEquals(0.5, net.head.get(2).parameters().get(0).max().item());
    }

    @Test
    void parametersOutliveTheScopeTheModuleWasCreatedIn() {
        Net net;
        try (Scope s = Scope.open()) {
            net = new Net();
            try (Scope step = Scope.open()) {
                net.forward(Tensor.randn(5, 4)).sum().backward();
            }
        }
        assertEquals(net.fc1.weight().grad().numel(), 12);   // gradient and parameters are still readable
        assertArrayEquals(new long[] {3, 2}, net.forward(Tensor.randn(3, 4)).shape());
    }

    @Test
    void toConvertsParametersAndFloatingBuffers() {
        Net net = new Net();
        double[] w = net.fc1.weight().toDoubleArray();
        net.to(DType.FLOAT64);
        assertEquals(DType.FLOAT64, net.fc1.weight().dtype());
        assertEquals(DType.FLOAT64, net.bn.runningVar().dtype());
        assertEquals(DType.INT64, net.stateDict().get("bn.num_batches_tracked").dtype());
        assertArrayEquals(w, net.fc1.weight().toDoubleArray());
        assertTrue(net.fc1.weight().requiresGrad());
    }

    @Test
    void stateDictRoundTrip() {
        Net a = new Net(), b = new Net();
        a.train().forward(Tensor.randn(6, 4));   // running statistics and the batch counter move
        Map<String, Tensor> saved = new LinkedHashMap<>();
        a.stateDict().forEach((k, v) -> saved.put(k, v.clone()));
        b.loadStateDict(saved);
        a.stateDict().forEach((k, v) -> assertArrayEquals(v.toDoubleArray(), b.stateDict().get(k).toDoubleArray(), k));
        // loading copies values: the module keeps its own tensors
        assertNotSame(saved.get("fc1.weight").storage(), b.fc1.weight().storage());
        a.eval();
        b.eval();
        Tensor x = Tensor.randn(2, 4);
        assertArrayEquals(a.forward(x).toDoubleArray(), b.forward(x).toDoubleArray());
    }

    @Test
    void loadStateDictRejectsMismatchesAndLeavesTheModuleUntouched() {
        Net net = new Net();
        Map<String, Tensor> before = new LinkedHashMap<>();
        net.stateDict().forEach((k, v) -> before.put(k, v.clone()));

        Map<String, Tensor> bad = new LinkedHashMap<>();
        before.forEach((k, v) -> bad.put(k, v.add(1)));
        bad.put("fc1.weight", Tensor.zeros(3, 5));                                   // wrong shape
        bad.put("bn.num_batches_tracked", Tensor.zeros(DType.FLOAT32));              // wrong dtype
        bad.remove("head.2.bias");                                                   // missing
        bad.put("head.3.weight", Tensor.zeros(1));                                   // unexpected
        var e = assertThrows(IllegalArgumentException.class, () -> net.loadStateDict(bad));
        String msg = e.getMessage();
        assertTrue(msg.startsWith("loadStateDict: Error(s) in loading state_dict for Net: "), msg);
        assertTrue(msg.contains("size mismatch for fc1.weight: copying a param with shape [3, 5] from checkpoint, "
                + "the shape in current model is [3, 4]"), msg);
        assertTrue(msg.contains("dtype mismatch for bn.num_batches_tracked"), msg);
        assertTrue(msg.contains("Missing key(s) in state_dict: [head.2.bias]"), msg);
        assertTrue(msg.contains("Unexpected key(s) in state_dict: [head.3.weight]"), msg);
        net.stateDict().forEach((k, v) -> assertArrayEquals(before.get(k).toDoubleArray(), v.toDoubleArray(), k));

        // non-strict loading skips missing and unexpected keys but still copies the rest
        Map<String, Tensor> partial = new LinkedHashMap<>();
        partial.put("fc1.bias", Tensor.ones(3));
        partial.put("extra", Tensor.ones(1));
        Module.LoadResult r = net.loadStateDict(partial, false);
        assertEquals(List.of("extra"), r.unexpectedKeys());
        assertTrue(r.missingKeys().contains("fc1.weight"));
        assertArrayEquals(new double[] {1, 1, 1}, net.fc1.bias().toDoubleArray());
    }

    @Test
    void registrationRejectsDuplicateNames() {
        class Dup extends Module {
            Dup() {
                registerModule("a", new ReLU());
                registerBuffer("a", Tensor.zeros(1));
            }

            @Override
            public Tensor forward(Tensor x) {
                return x;
            }
        }
        var e = assertThrows(IllegalArgumentException.class, Dup::new);
        assertEquals("Dup: attribute 'a' already exists; expected a new name", e.getMessage());
    }

    @Test
    void parameterCopiesOutOfScopes() {
        Tensor p;
        try (Scope s = Scope.open()) {
            p = Parameter.of(Tensor.ones(2, 2).mul(3));
        }
        assertEquals(12, p.sum().item());
        assertTrue(p.requiresGrad() && p.isLeaf());
        try (var off = GradMode.noGrad()) {
            assertThrows(IllegalArgumentException.class, () -> Parameter.of(Tensor.arange(3)));
        }
    }
}
