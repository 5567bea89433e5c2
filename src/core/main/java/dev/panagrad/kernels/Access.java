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
            case BOOL -> s.get(ValueLayout.JAVA_BYTE, i);
        };
    }

    static void store(DType dt, MemorySegment s, long i, double v) {
        switch (dt) {
            case FLOAT32 -> s.setAtIndex(ValueLayout.JAVA_FLOAT, i, (float) v);
            case FLOAT64 -> s.setAtIndex(ValueLayout.JAVA_DOUBLE, i, v);
            case INT64 -> s.setAtIndex(ValueLayout.JAVA_LONG, i, (long) v);
            case BOOL -> s.set(ValueLayout.JAVA_BYTE, i, (byte) (v != 0 ? 1 : 0));
        }
    }

    static long loadIndex(MemorySegment s, long i) {
        return s.getAtIndex(ValueLayout.JAVA_LONG, i);
    }
}
