package dev.panagrad.cli;

import dev.panagrad.Autograd;
import dev.panagrad.DType;
import dev.panagrad.Generator;
import dev.panagrad.GradMode;
import dev.panagrad.Tensor;
import dev.panagrad.autograd.Checkpoint;
import dev.panagrad.autograd.Context;
import dev.panagrad.autograd.Function;
import dev.panagrad.autograd.Functional;
import dev.panagrad.memory.MemoryPool;
import dev.panagrad.memory.Scope;

import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * PyTorch's autograd tutorial, section by section, printing the same quantities with the library's own
 * tensor formatting. Run it with {@code scripts/tutorial}. Every printed value is also kept in the returned
 * {@link Report} under the name it was printed with.
 *
 * <pre>{@code
 * Tutorial.Report r = Tutorial.run(System.out);
 * r.tensor("z").item();   // 31.0
 * }</pre>
 */
public final class Tutorial {
    private final PrintStream out;
    private final Report report = new Report();

    private Tutorial(PrintStream out) {
        this.out = out;
    }

    /** Runs every section, printing to standard output. */
    public static void main(String[] args) {
        run(System.out);
    }

    /** Runs every section in order, printing to {@code out}; returns what was printed, by name. */
    public static Report run(PrintStream out) {
        Tutorial t = new Tutorial(out);
        t.basics();
        t.accumulation();
        t.noGradAndDetach();
        t.nonScalarOutputs();
        t.higherOrder();
        t.inPlace();
        t.customFunction();
        t.practical();
        return t.report;
    }

    /** The values the tutorial printed, by the names it printed them with. */
    public static final class Report {
        private final Map<String, Object> values = new LinkedHashMap<>();

        /** The value printed under {@code name} (a tensor, a string, a boolean, a number or null). */
        public Object get(String name) {
            if (!values.containsKey(name)) {
                throw new IllegalArgumentException("Tutorial.Report: nothing was printed as '" + name + "'; printed "
                        + values.keySet());
            }
            return values.get(name);
        }

        /** The tensor printed under {@code name}. */
        public Tensor tensor(String name) {
            return (Tensor) get(name);
        }

        /** The text printed under {@code name}. */
        public String text(String name) {
            return (String) get(name);
        }
    }

    private void section(String title) {
        out.println();
        out.println("== " + title);
    }

    /** Prints {@code name = value} and reports the value as it is now (tensors are copied, since they may change). */
    private void show(String name, Object value) {
        report(name, value instanceof Tensor t ? t.detach().clone() : value);
        out.println(name + " = " + value);
    }

    private void report(String name, Object value) {
        if (report.values.containsKey(name)) throw new IllegalStateException("Tutorial: '" + name + "' shown twice");
        report.values.put(name, value);
    }

    /** 1. A scalar function of two leaves and its gradients. */
    private void basics() {
        section("1. Basics");
        Tensor x = Tensor.of(2.0).requiresGrad(true);
        Tensor y = Tensor.of(3.0).requiresGrad(true);
        Tensor z = x.pow(2).add(y.pow(3));   // z = x^2 + y^3 = 4 + 27
        show("z", z);
        z.backward();
        show("dz/dx", x.grad());             // 2x = 4
        show("dz/dy", y.grad());             // 3y^2 = 27
        show("z.gradFn", z.gradFn().name());
        show("x.gradFn", x.gradFn());        // a leaf: no grad function
    }

    /** 2. Gradients add up across backward calls until zeroed. */
    private void accumulation() {
        section("2. Gradient accumulation");
        Tensor x = Tensor.of(1.0).requiresGrad(true);
        Tensor y1 = x.mul(2);
        Tensor y2 = x.mul(3);
        y1.backward(null, true, false);
        show("x.grad after y1.backward(retainGraph)", x.grad());   // d(2x)/dx = 2
        y2.backward();
        show("x.grad after y2.backward()", x.grad());              // 2 + d(3x)/dx = 5
        x.grad().zero_();
        show("x.grad after zero_()", x.grad());
    }

    /** 3. Turning recording off, and detaching from the graph. */
    private void noGradAndDetach() {
        section("3. No-grad and detach");
        Tensor a = Tensor.of(1f, 2f).requiresGrad(true);
        Tensor b = a.mul(2);
        Tensor c;
        try (var off = GradMode.noGrad()) {
            c = a.mul(3);
        }
        show("c (computed under noGrad)", c);
        show("c.requiresGrad()", c.requiresGrad());
        Tensor d = b.detach();
        show("b.requiresGrad()", b.requiresGrad());
        show("d.requiresGrad()", d.requiresGrad());
        show("d shares b's storage", d.storage() == b.storage());
        d.add_(10);
        show("b after d.add_(10)", b);
    }

    /** 4. Backward from a vector needs the vector of a vector-Jacobian product. */
    private void nonScalarOutputs() {
        section("4. Non-scalar outputs");
        Generator.manualSeed(0);
        Tensor x = Tensor.randn(3).requiresGrad(true);
        Tensor y = x.mul(2);
        show("y", y);
        try {
            y.backward();
            show("y.backward() error", "none");
        } catch (IllegalArgumentException e) {
            show("y.backward() error", e.getMessage());
        }
        Tensor v = Tensor.of(0.1f, 1.0f, 0.001f);
        y.backward(v);
        show("x.grad after y.backward(v)", x.grad());   // v^T J with J = 2I: 2v
        show("jacobian(x -> 2x)", Functional.jacobian(t -> t.mul(2), x));
    }

    /** 5. Derivatives of derivatives, by recording the backward pass. */
    private void higherOrder() {
        section("5. Higher-order derivatives");
        Tensor x = Tensor.of(2.0).requiresGrad(true);
        Tensor y = x.pow(3);
        Tensor dy = Autograd.grad(y, x, true)[0];      // 3x^2 = 12
        show("dy/dx", dy);
        Tensor d2y = Autograd.grad(dy, x, true)[0];    // 6x = 12
        show("d2y/dx2", d2y);
        Tensor d3y = Autograd.grad(d2y, x, false)[0];  // 6
        show("d3y/dx3", d3y);
    }

    /** 6. What in-place operations may and may not do to the graph. */
    private void inPlace() {
        section("6. In-place operations");
        Tensor leaf = Tensor.of(1f, 2f).requiresGrad(true);
        show("leaf.add_(1) error", errorOf(() -> leaf.add_(1)));

        Tensor a = Tensor.of(0.5f, 1f).requiresGrad(true);
        Tensor h = a.mul(2);
        Tensor s = h.sin();   // SinBackward0 saves h
        h.add_(1);            // ... which is now a different value
        show("backward after modifying a saved tensor, error", errorOf(() -> s.sum().backward()));

        Tensor x = Tensor.of(-2f, 0.5f, 3f).requiresGrad(true);
        Tensor r = x.add(1);  // AddBackward0 saves nothing
        r.relu_();
        r.sum().backward();
        show("r = relu_(x + 1)", r);
        show("x.grad after r.sum().backward()", x.grad());   // 1 where x + 1 > 0
    }

    /** 7. A user-defined function with its own backward. */
    private void customFunction() {
        section("7. Custom autograd function");
        Tensor x = Tensor.of(-1f, 2f, -0.5f).requiresGrad(true);
        Tensor y = new MyRelu().applyOne(x);
        show("MyRelu(x)", y);
        y.backward(y.onesLike());
        show("x.grad after MyRelu backward", x.grad());
    }

    /** ReLU with a hand-written backward: d relu(x)/dx = 1 where x > 0, else 0. */
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

    /** 8. Flags, retained gradients, retained graphs and checkpointing. */
    private void practical() {
        section("8. Practical notes");
        Tensor x = Tensor.of(1f, 2f).requiresGrad(true);
        Tensor h = x.mul(3);
        h.retainGrad();
        Tensor loss = h.square().sum();   // loss = sum (3x)^2, dloss/dh = 2h, dloss/dx = 18x
        show("x.requiresGrad()", x.requiresGrad());
        show("x.isLeaf()", x.isLeaf());
        show("h.isLeaf()", h.isLeaf());
        loss.backward(null, true, false);
        show("h.grad (retainGrad)", h.grad());
        show("x.grad after a first backward", x.grad());
        loss.backward();   // the graph was retained, so a second backward works and accumulates
        show("x.grad after a second backward", x.grad());
        checkpointing();
    }

    /**
     * A deep stack of tanh layers, trained one step with and without checkpointing. Checkpointed, the stack
     * runs as 4 segments of 6 layers: only the segment boundaries stay alive after the forward, and one
     * segment's intermediates at a time while its gradient is computed.
     */
    private void checkpointing() {
        int layers = 24, width = 128, batch = 512;
        Generator g = new Generator(1);
        Tensor[] w = new Tensor[layers];
        for (int i = 0; i < layers; i++) w[i] = g.randn(DType.FLOAT32, width, width).mul(0.1).requiresGrad(true);
        Tensor input = g.randn(DType.FLOAT32, batch, width).requiresGrad(true);
        long plain = peakOfStep(w, input, false);
        Tensor[] plainGrads = grads(w, input);
        long checkpointed = peakOfStep(w, input, true);
        Tensor[] checkpointGrads = grads(w, input);
        double diff = 0;
        for (int i = 0; i < plainGrads.length; i++) {
            diff = Math.max(diff, plainGrads[i].sub(checkpointGrads[i]).abs().max().item());
        }
        showBytes("peak memory of a step, " + layers + " layers", plain);
        showBytes("peak memory of a step, " + layers + " checkpointed layers", checkpointed);
        showBytes("memory saved by checkpointing", plain - checkpointed);
        show("largest gradient difference", diff);
    }

    /** Peak bytes above the start while one forward and backward run inside a scope. */
    private static long peakOfStep(Tensor[] w, Tensor input, boolean checkpoint) {
        for (Tensor t : w) t.setGrad(null);
        input.setGrad(null);
        long before = MemoryPool.liveBytes();
        MemoryPool.resetPeak();
        try (Scope step = Scope.open()) {
            Tensor h = input;
            for (int from = 0; from < w.length; from += SEGMENT) {
                int start = from;
                h = checkpoint ? Checkpoint.checkpoint(in -> layers(w, start, in[0]), h) : layers(w, start, h);
            }
            h.square().mean().backward();
        }
        return MemoryPool.peakLiveBytes() - before;
    }

    private static final int SEGMENT = 6;

    /** Layers {@code from} to {@code from + SEGMENT - 1} of the stack: {@code h = tanh(h w)} each. */
    private static Tensor layers(Tensor[] w, int from, Tensor h) {
        for (int i = from; i < from + SEGMENT; i++) h = h.matmul(w[i]).tanh();
        return h;
    }

    private static Tensor[] grads(Tensor[] w, Tensor input) {
        Tensor[] out = new Tensor[w.length + 1];
        for (int i = 0; i < w.length; i++) out[i] = w[i].grad();
        out[w.length] = input.grad();
        return out;
    }

    /** Prints a byte count in MiB and reports the count itself. */
    private void showBytes(String name, long bytes) {
        report(name, bytes);
        out.println(name + " = " + String.format(Locale.ROOT, "%.2f MiB", bytes / (1024.0 * 1024.0)));
    }

    private static String errorOf(Runnable r) {
        try {
            r.run();
            return "none";
        } catch (RuntimeException e) {
            return e.getMessage();
        }
    }
}
