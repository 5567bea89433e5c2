package dev.panagrad;

import dev.panagrad.kernels.BinaryOp;
import dev.panagrad.kernels.UnaryOp;
import dev.panagrad.memory.Storage;
import dev.panagrad.ops.Pointwise;

import java.util.Arrays;
import java.util.function.UnaryOperator;

/**
 * In-place ops. Without autograd the kernel writes straight into the tensor. When the op must be recorded,
 * the out-of-place op runs on the current value and its result is copied in: the tensor takes the
 * result's node, and any node that saved the old value sees the version bump and refuses to backward.
 */
final class InPlace {
    private InPlace() {}

    static Tensor apply(String op, Tensor self, UnaryOperator<Tensor> outOfPlace, BinaryOp kernel, Tensor other) {
        self.checkInPlace(op);
        if (Graph.needsGrad(self, other)) return assign(op, self, keepOriginal(self, outOfPlace.apply(self)));
        long[] shape = self.shape();
        if (!Arrays.equals(Shape.broadcast(op, shape, other.shape()), shape)) {
            throw new IllegalArgumentException(op + ": output with shape " + Shape.str(shape) + " doesn't match the "
                    + "broadcast shape " + Shape.str(Shape.broadcast(op, shape, other.shape()))
                    + "; expected the other operand to broadcast to the output's shape");
        }
        checkCast(op, self, DType.promote(self.dtype(), other.dtype()));
        Tensor o = Pointwise.convertRaw(other, self.dtype()).expand(shape);
        return write(op, self, () -> Pointwise.binaryInto(kernel, self, o, self));
    }

    static Tensor apply(String op, Tensor self, UnaryOperator<Tensor> outOfPlace, UnaryOp kernel) {
        self.checkInPlace(op);
        if (Graph.needsGrad(self)) return assign(op, self, keepOriginal(self, outOfPlace.apply(self)));
        checkCast(op, self, Pointwise.mapRaw(kernel, Tensor.scalar(self.dtype(), 0)).dtype());
        return write(op, self, () -> Pointwise.mapInto(kernel, self, self));
    }

    /** Replaces {@code self} by {@code outOfPlace(self)}, as one in-place op. */
    static Tensor replace(String op, Tensor self, UnaryOperator<Tensor> outOfPlace) {
        self.checkInPlace(op);
        if (Graph.needsGrad(self)) return assign(op, self, keepOriginal(self, outOfPlace.apply(self)));
        Tensor result = outOfPlace.apply(self);
        return write(op, self, () -> Pointwise.copyRaw(self, result));
    }

    /** Copies {@code src} into {@code self}, recording the copy when src requires grad. */
    static Tensor copy(String op, Tensor self, Tensor src) {
        self.checkInPlace(op);
        if (Graph.needsGrad(src)) {
            long[] shape = self.shape();
            return assign(op, self, src.to(self.dtype()).expand(shape).clone());
        }
        return write(op, self, () -> Pointwise.copyRaw(self, src));
    }

    /** Sets every element; a recorded tensor keeps a history that sends zero gradient to its past. */
    static Tensor fill(Tensor self, double value) {
        self.checkInPlace("fill_");
        if (Graph.needsGrad(self)) return assign("fill_", self, self.mul(0).add(value));
        return write("fill_", self, () -> Pointwise.fillRaw(self, value));
    }

    /**
     * The out-of-place op may have saved {@code self} for its derivative (mul saves its other operand, log its
     * input); the node gets its own copy of that value, since the write into self is about to change it.
     */
    private static Tensor keepOriginal(Tensor self, Tensor result) {
        if (result.gradFn() instanceof FunctionNode node) node.keepSavedApartFrom(self.storage());
        return result;
    }

    private static Tensor assign(String op, Tensor self, Tensor result) {
        if (!Arrays.equals(result.shape(), self.shape())) {
            throw new IllegalArgumentException(op + ": output with shape " + Shape.str(self.shape()) + " doesn't match "
                    + "the broadcast shape " + Shape.str(result.shape()) + "; expected them to be equal");
        }
        checkCast(op, self, result.dtype());
        write(op, self, () -> Pointwise.copyRaw(self, result.detach()));
        self.becomeResultOf(result);
        return self;
    }

    private static void checkCast(String op, Tensor self, DType result) {
        if (result != self.dtype() && DType.promote(result, self.dtype()) != self.dtype()) {
            throw new IllegalArgumentException(op + ": result type " + result + " can't be cast to the desired output "
                    + "type " + self.dtype());
        }
    }

    private static Tensor write(String op, Tensor self, Runnable body) {
        Storage st = self.storage();
        st.beginWrite(op);
        try {
            body.run();
        } finally {
            st.endWrite();
        }
        st.bumpVersion();
        return self;
    }
}
