package dev.panagrad;

import org.junit.jupiter.api.Test;

import static dev.panagrad.Ref.assertExact;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** int32, uint8 and int8: creation, conversion, promotion and the integer ops, with PyTorch's results. */
class IntegerDTypeTest {

    @Test
    void promotionFollowsPyTorch() {
        // torch.promote_types: bool < uint8, int8 < int32 < int64 < float32 < float64
        assertEquals(DType.UINT8, DType.promote(DType.BOOL, DType.UINT8));
        assertEquals(DType.INT32, DType.promote(DType.INT8, DType.INT32));
        assertEquals(DType.INT64, DType.promote(DType.INT32, DType.INT64));
        assertEquals(DType.FLOAT32, DType.promote(DType.INT64, DType.FLOAT32));
        assertEquals(DType.FLOAT32, DType.promote(DType.UINT8, DType.FLOAT32));
        // PyTorch gives int16 for uint8 with int8; int32 is the narrowest type here holding both ranges
        assertEquals(DType.INT32, DType.promote(DType.UINT8, DType.INT8));
        assertEquals(DType.INT32, DType.promote(DType.INT8, DType.UINT8));
        assertEquals(4, DType.INT32.byteSize());
        assertEquals(1, DType.UINT8.byteSize());
        assertTrue(DType.INT8.isIntegral() && !DType.BOOL.isIntegral() && !DType.FLOAT32.isIntegral());
    }

    @Test
    void creationAndArraysRoundTrip() {
        Tensor i = Tensor.of(new int[] {1, -2, 3, Integer.MAX_VALUE}, 2, 2);
        assertEquals(DType.INT32, i.dtype());
        assertArrayEquals(new int[] {1, -2, 3, Integer.MAX_VALUE}, i.toIntArray());
        assertArrayEquals(new long[] {1, -2, 3, Integer.MAX_VALUE}, i.toLongArray());
        Tensor u = Tensor.ofBytes(DType.UINT8, new byte[] {0, 1, (byte) 200, (byte) 255}, 4);
        assertExact(new double[] {0, 1, 200, 255}, u, 4);                  // read unsigned
        assertArrayEquals(new byte[] {0, 1, (byte) 200, (byte) 255}, u.toByteArray());
        Tensor s = Tensor.ofBytes(DType.INT8, new byte[] {-128, -1, 0, 127}, 4);
        assertExact(new double[] {-128, -1, 0, 127}, s, 4);
        assertThrows(IllegalArgumentException.class, () -> Tensor.ofBytes(DType.FLOAT32, new byte[1], 1));
        assertEquals(DType.UINT8, Tensor.zeros(DType.UINT8, 3).dtype());
        assertExact(new double[] {7, 7}, Tensor.full(DType.INT8, 7, 2), 2);
    }

    @Test
    void conversionsTruncateTowardZeroAndWrapLikeACast() {
        Tensor f = Tensor.of(new float[] {3.7f, -3.7f, 0.2f}, 3);
        // torch.tensor([3.7, -3.7, 0.2]).to(torch.int32) == [3, -3, 0]
        assertExact(new double[] {3, -3, 0}, f.to(DType.INT32), 3);
        assertExact(new double[] {3, -3, 0}, f.to(DType.INT8), 3);
        // int32 300 to uint8 keeps the low byte: 300 - 256 = 44; to int8: 44 as well; 200 to int8: 200 - 256 = -56
        Tensor big = Tensor.of(new int[] {300, 200}, 2);
        assertExact(new double[] {44, 200}, big.to(DType.UINT8), 2);
        assertExact(new double[] {44, -56}, big.to(DType.INT8), 2);
        assertExact(new double[] {200, 255}, Tensor.ofBytes(DType.UINT8, new byte[] {(byte) 200, -1}, 2).to(DType.FLOAT32), 2);
        assertExact(new double[] {1, 0}, Tensor.of(new int[] {5, 0}, 2).to(DType.BOOL), 2);
    }

    @Test
    void arithmeticKeepsTheIntegerTypeAndWraps() {
        Tensor a = Tensor.of(new int[] {7, -7, 4}, 3), b = Tensor.of(new int[] {2, 2, 3}, 3);
        Tensor sum = a.add(b);
        assertEquals(DType.INT32, sum.dtype());
        assertExact(new double[] {9, -5, 7}, sum, 3);
        assertExact(new double[] {5, -9, 1}, a.sub(b), 3);
        assertExact(new double[] {14, -14, 12}, a.mul(b), 3);
        assertEquals(DType.INT32, a.mul(3).dtype(), "an integral Python-style scalar keeps the tensor's type");
        // true division gives float32, as torch.div does for integers: 7 / 2 = 3.5
        Tensor q = a.div(b);
        assertEquals(DType.FLOAT32, q.dtype());
        assertExact(new double[] {3.5, -3.5, (float) (4.0 / 3)}, q, 3);
        // uint8 arithmetic is modulo 256: 200 + 100 = 300 - 256 = 44
        Tensor u = Tensor.ofBytes(DType.UINT8, new byte[] {(byte) 200}, 1);
        Tensor w = u.add(Tensor.ofBytes(DType.UINT8, new byte[] {100}, 1));
        assertEquals(DType.UINT8, w.dtype());
        assertExact(new double[] {44}, w, 1);
        // mixed types promote: uint8 + int32 -> int32, int32 + float32 -> float32
        assertEquals(DType.INT32, u.add(a.narrow(0, 0, 1)).dtype());
        assertEquals(DType.FLOAT32, a.add(Tensor.of(0.5f)).dtype());
        assertExact(new double[] {7.5, -6.5, 4.5}, a.add(0.5), 3);
        assertEquals(DType.INT32, a.pow(2).dtype());
        assertExact(new double[] {49, 49, 16}, a.pow(2), 3);
    }

    @Test
    void comparisonsAndIndexing() {
        Tensor s = Tensor.ofBytes(DType.INT8, new byte[] {-5, 3, 9}, 3);
        Tensor u = Tensor.ofBytes(DType.UINT8, new byte[] {3, 3, (byte) 250}, 3);
        // compared in int32: -5 < 3, 3 == 3, 9 < 250 (uint8 250 is not -6)
        assertExact(new double[] {1, 0, 1}, s.lt(u), 3);
        assertExact(new double[] {0, 1, 0}, s.eq(u), 3);
        assertExact(new double[] {0, 1, 1}, s.gt(0), 3);
        Tensor t = Tensor.of(new int[] {10, 20, 30, 40, 50, 60}, 2, 3);
        Tensor picked = t.indexSelect(1, Tensor.of(new long[] {2, 0}, 2));
        assertEquals(DType.INT32, picked.dtype());
        assertExact(new double[] {30, 10, 60, 40}, picked, 2, 2);
        assertExact(new double[] {20, 50}, t.select(1, 1), 2);
        assertExact(new double[] {60, 30}, Tensor.where(t.gt(25), t, 0).flatten().indexSelect(0, Tensor.of(new long[] {5, 2}, 2)), 2);
    }

    @Test
    void reductionsSumToInt64AndArgmaxGivesInt64() {
        Tensor t = Tensor.of(new int[] {Integer.MAX_VALUE, Integer.MAX_VALUE, 1}, 3);
        Tensor sum = t.sum();
        // torch.sum of int32 returns int64, so 2 * (2^31 - 1) + 1 = 4294967295 does not overflow
        assertEquals(DType.INT64, sum.dtype());
        assertEquals(4294967295L, sum.toLongArray()[0]);
        Tensor u = Tensor.ofBytes(DType.UINT8, new byte[] {1, (byte) 250, 7, 3, 9, (byte) 255}, 2, 3);
        assertEquals(DType.INT64, u.sum(1, false).dtype());
        assertExact(new double[] {258, 267}, u.sum(1, false), 2);
        Tensor am = u.argmax(1, false);
        assertEquals(DType.INT64, am.dtype());
        assertArrayEquals(new long[] {1, 2}, am.toLongArray());
        assertEquals(255, u.max().item());
    }

    @Test
    void floatOnlyOpsPromoteOrRefuse() {
        Tensor t = Tensor.of(new int[] {0, 1}, 2);
        Tensor e = t.exp();
        assertEquals(DType.FLOAT32, e.dtype(), "real functions of integers compute in float32");
        assertExact(new double[] {1, (float) Math.E}, e, 2);
        IllegalArgumentException mean = assertThrows(IllegalArgumentException.class, t::mean);
        assertTrue(mean.getMessage().contains("mean") && mean.getMessage().contains("int32"), mean.getMessage());
        assertThrows(RuntimeException.class, () -> t.requiresGrad(true));
        assertThrows(IllegalArgumentException.class, () -> t.softmax(0));
    }
}
