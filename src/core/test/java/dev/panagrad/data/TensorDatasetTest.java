package dev.panagrad.data;

import dev.panagrad.Tensor;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

class TensorDatasetTest {
    @Test
    void batchGathersRowsOfEveryField() {
        // x[i] = [3i, 3i+1, 3i+2], y[i] = 100 + i
        Tensor x = Tensor.arange(12).view(4, 3).to(dev.panagrad.DType.FLOAT32);
        Tensor y = Tensor.arange(100, 104, 1);
        Batch b = new TensorDataset(x, y).batch(new long[] {2, 0, 2});
        assertArrayEquals(new long[] {3, 3}, b.inputs().shape());
        assertArrayEquals(new float[] {6, 7, 8, 0, 1, 2, 6, 7, 8}, b.inputs().toFloatArray());
        assertArrayEquals(new long[] {102, 100, 102}, b.targets().toLongArray());
    }

    @Test
    void nonContiguousTensorsAreGatheredByRow() {
        // the transpose of [[0, 1, 2], [3, 4, 5]] has rows [0, 3], [1, 4], [2, 5]
        Tensor xt = Tensor.arange(6).view(2, 3).t();
        TensorDataset data = new TensorDataset(xt);
        assertEquals(3, data.size());
        assertArrayEquals(new long[] {2, 5, 1, 4}, data.batch(new long[] {2, 1}).inputs().toLongArray());
    }

    @Test
    void viewsOfAnOffsetTensor() {
        Tensor x = Tensor.arange(10).view(5, 2);
        TensorDataset tail = new TensorDataset(x).narrow(2, 3);   // rows [4, 5], [6, 7], [8, 9]
        assertEquals(3, tail.size());
        assertArrayEquals(new long[] {8, 9, 4, 5}, tail.batch(new long[] {2, 0}).inputs().toLongArray());
        assertArrayEquals(new long[] {6, 7}, tail.get(1)[0].toLongArray());
    }

    @Test
    void badInput() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new TensorDataset(Tensor.zeros(4, 2), Tensor.zeros(5)));
        assertTrue(e.getMessage().contains("[5]"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new TensorDataset(Tensor.of(1.0)));
        TensorDataset data = new TensorDataset(Tensor.zeros(4, 2));
        assertThrows(IndexOutOfBoundsException.class, () -> data.batch(new long[] {0, 4}));
        assertThrows(IndexOutOfBoundsException.class, () -> data.get(-1));
        assertThrows(IndexOutOfBoundsException.class, () -> data.narrow(3, 2));
    }
}
