package dev.panagrad.kernels;

import dev.panagrad.DType;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/** Reads and writes one element of any dtype as a double: the reference kernels' only memory access. */
final class Access {
    private Access() {}

    static double load(DType dt, MemorySegment s, long i) {
        return switch (dt) {
            case FLOAT32 -> s.getAtIndex(ValueLayout.JAVA_FLOAT, i);
            case FLOAT64 -> s.getAtIndex(ValueLayout.JAVA_DOUBLE, i);
            case INT64 -> s.getAtIndex(ValueLayout.JAVA_LONG, i);
            case BOOL, INT8 -> s.get(ValueLayout.JAVA_BYTE, i);
            case INT32 -> s.getAtIndex(ValueLayout.JAVA_INT, i);
            case UINT8 -> s.get(ValueLayout.JAVA_BYTE, i) & 0xFF;
        };
    }

    static void store(DType dt, MemorySegment s, long i, double v) {
        switch (dt) {
            case FLOAT32 -> s.setAtIndex(ValueLayout.JAVA_FLOAT, i, (float) v);
            case FLOAT64 -> s.setAtIndex(ValueLayout.JAVA_DOUBLE, i, v);
            case INT64 -> s.setAtIndex(ValueLayout.JAVA_LONG, i, (long) v);
            case BOOL -> s.set(ValueLayout.JAVA_BYTE, i, (byte) (v != 0 ? 1 : 0));
            // through long, so that out-of-range values wrap around as in C and PyTorch instead of saturating
            case INT32 -> s.setAtIndex(ValueLayout.JAVA_INT, i, (int) (long) v);
            case UINT8, INT8 -> s.set(ValueLayout.JAVA_BYTE, i, (byte) (long) v);
        }
    }

    static long loadIndex(MemorySegment s, long i) {
        return s.getAtIndex(ValueLayout.JAVA_LONG, i);
    }
}
