package dev.panagrad;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

class SmokeTest {
    @Test
    void basics() {
        // z = x^2 + y^3, so dz/dx = 2x = 4 and dz/dy = 3y^2 = 27 at x = 2, y = 3
        Tensor x = Tensor.of(2.0).requiresGrad(true);
        Tensor y = Tensor.of(3.0).requiresGrad(true);
        Tensor z = x.pow(2).add(y.pow(3));
        assertEquals("tensor(31., gradFn=<AddBackward0>)", z.toString());
        z.backward();
        assertEquals(4.0, x.grad().item());
        assertEquals(27.0, y.grad().item());
        assertNull(x.gradFn());
        System.out.println(Tensor.of(new float[] {1, 2, 3, 4}, 2, 2));
        System.out.println(Tensor.randn(3, 4).matmul(Tensor.randn(4, 2)));
        Tensor a = Tensor.randn(5, 7).requiresGrad(true);
        Tensor s = a.softmax(1).mul(Tensor.randn(5, 7)).sum();
        s.backward();
        System.out.println(a.grad());
    }
}
