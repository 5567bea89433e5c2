package dev.panagrad.autograd;

import dev.panagrad.DType;
import dev.panagrad.Tensor;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

/** The gradient checker itself: it passes correct derivatives and catches wrong ones, first and second order. */
class GradcheckTest {

    private static Tensor x() {
        return Tensor.of(DType.FLOAT64, new double[] {0.3, -1.2, 2.0}, 3).requiresGrad(true);
    }

    /** x^2 with a backward of {@code slope} * x * g, where the true slope is 2; {@code detached} breaks double backward. */
    private static Function square(double slope, boolean detached) {
        return new Function() {
            @Override
            protected Tensor[] forward(Context ctx, Object... args) {
                Tensor t = (Tensor) args[0];
                ctx.saveForBackward(t);
                return new Tensor[] {t.mul(t)};
            }

            @Override
            protected Tensor[] backward(Context ctx, Tensor... g) {
                Tensor t = ctx.savedTensors()[0];
                return new Tensor[] {g[0].mul(detached ? t.detach() : t).mul(slope)};
            }
        };
    }

    @Test
    void passesACorrectDerivative() {
        Gradcheck.gradcheck(in -> square(2, false).applyOne(in[0]), x());
        Gradcheck.gradgradcheck(in -> square(2, false).applyOne(in[0]), x());
    }

    @Test
    void catchesAWrongFirstDerivative() {
        var e = assertThrows(Gradcheck.GradcheckError.class,
                () -> Gradcheck.gradcheck(in -> square(2.01, false).applyOne(in[0]), x()));
        assertTrue(e.getMessage().contains("Jacobian mismatch for output 0 with respect to input 0"), e.getMessage());
    }

    @Test
    void catchesASecondDerivativeThatIsMissing() {
        Gradcheck.gradcheck(in -> square(2, true).applyOne(in[0]), x());
        assertThrows(Gradcheck.GradcheckError.class,
                () -> Gradcheck.gradgradcheck(in -> square(2, true).applyOne(in[0]), x()));
    }

    @Test
    void checksOnlyInputsThatRequireGrad() {
        Tensor index = Tensor.of(new long[] {2, 0}, 2);
        Gradcheck.gradcheck(in -> in[0].indexSelect(0, in[1]).exp(), x(), index);
    }

    @Test
    void refusesInputsThatCannotBeChecked() {
        var e1 = assertThrows(IllegalArgumentException.class,
                () -> Gradcheck.gradcheck(in -> in[0].exp(), Tensor.of(1f, 2f).requiresGrad(true)));
        assertTrue(e1.getMessage().contains("expected float64"), e1.getMessage());
        var e2 = assertThrows(IllegalArgumentException.class,
                () -> Gradcheck.gradcheck(in -> in[0].exp(), Tensor.of(DType.FLOAT64, new double[] {1}, 1)));
        assertTrue(e2.getMessage().contains("no input requires grad"), e2.getMessage());
    }
}
