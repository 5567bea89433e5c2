package dev.panagrad.cli;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.*;

/** Every value and message the tutorial prints, against the values of PyTorch's autograd tutorial. */
class TutorialTest {
    private static Tutorial.Report report;
    private static String printed;

    @BeforeAll
    static void run() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        report = Tutorial.run(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        printed = bytes.toString(StandardCharsets.UTF_8);
    }

    private static void assertValues(double[] expected, String name) {
        assertArrayEquals(expected, report.tensor(name).toDoubleArray(), 1e-6, name);
    }

    @Test
    void sectionsArePrintedInOrder() {
        int at = -1;
        for (int s = 1; s <= 8; s++) {
            int next = printed.indexOf("== " + s + ".");
            assertTrue(next > at, "section " + s);
            at = next;
        }
    }

    @Test
    void basics() {
        // z = x^2 + y^3 at x = 2, y = 3: z = 31, dz/dx = 2x = 4, dz/dy = 3y^2 = 27
        assertEquals(31, report.tensor("z").item());
        assertEquals(4, report.tensor("dz/dx").item());
        assertEquals(27, report.tensor("dz/dy").item());
        assertEquals("AddBackward0", report.text("z.gradFn"));
        assertNull(report.get("x.gradFn"));
        assertTrue(printed.contains("z = tensor(31., gradFn=<AddBackward0>)"), printed);
    }

    @Test
    void accumulation() {
        // y1 = 2x, y2 = 3x: 2, then 2 + 3
        assertEquals(2, report.tensor("x.grad after y1.backward(retainGraph)").item());
        assertEquals(5, report.tensor("x.grad after y2.backward()").item());
        assertEquals(0, report.tensor("x.grad after zero_()").item());
    }

    @Test
    void noGradAndDetach() {
        assertEquals(false, report.get("c.requiresGrad()"));
        assertEquals(true, report.get("b.requiresGrad()"));
        assertEquals(false, report.get("d.requiresGrad()"));
        assertEquals(true, report.get("d shares b's storage"));
        assertValues(new double[] {12, 14}, "b after d.add_(10)");   // b = 2a = [2, 4], then +10 through d
    }

    @Test
    void nonScalarOutputs() {
        assertTrue(report.text("y.backward() error").contains("grad can be implicitly created only for scalar outputs"));
        assertValues(new double[] {0.2, 2.0, 0.002}, "x.grad after y.backward(v)");
        assertValues(new double[] {2, 0, 0, 0, 2, 0, 0, 0, 2}, "jacobian(x -> 2x)");
    }

    @Test
    void higherOrder() {
        // y = x^3 at x = 2: 3x^2 = 12, 6x = 12, 6
        assertEquals(12, report.tensor("dy/dx").item());
        assertEquals(12, report.tensor("d2y/dx2").item());
        assertEquals(6, report.tensor("d3y/dx3").item());
    }

    @Test
    void inPlace() {
        assertTrue(report.text("leaf.add_(1) error").contains("a leaf Variable that requires grad is being used in an "
                + "in-place operation"));
        String saved = report.text("backward after modifying a saved tensor, error");
        assertTrue(saved.contains("SinBackward0") && saved.contains("version 1") && saved.contains("expected version 0"),
                saved);
        assertValues(new double[] {0, 1.5, 4}, "r = relu_(x + 1)");
        assertValues(new double[] {0, 1, 1}, "x.grad after r.sum().backward()");
    }

    @Test
    void customFunction() {
        assertValues(new double[] {0, 2, 0}, "MyRelu(x)");
        assertTrue(printed.contains("gradFn=<MyReluBackward>"), printed);
        assertValues(new double[] {0, 1, 0}, "x.grad after MyRelu backward");
        assertTrue(printed.contains("x.grad after MyRelu backward = tensor([0., 1., 0.])"), printed);
    }

    @Test
    void practical() {
        assertEquals(true, report.get("x.requiresGrad()"));
        assertEquals(true, report.get("x.isLeaf()"));
        assertEquals(false, report.get("h.isLeaf()"));
        // loss = sum (3x)^2 at x = [1, 2]: dloss/dh = 2h = [6, 12], dloss/dx = 18x = [18, 36], twice after a retained graph
        assertValues(new double[] {6, 12}, "h.grad (retainGrad)");
        assertValues(new double[] {18, 36}, "x.grad after a first backward");
        assertValues(new double[] {36, 72}, "x.grad after a second backward");
        long plain = (Long) report.get("peak memory of a step, 24 layers");
        long checkpointed = (Long) report.get("peak memory of a step, 24 checkpointed layers");
        assertTrue(checkpointed < plain, checkpointed + " < " + plain);
        assertEquals(plain - checkpointed, (long) (Long) report.get("memory saved by checkpointing"));
        assertEquals(0.0, (Double) report.get("largest gradient difference"), 1e-5);
    }
}
