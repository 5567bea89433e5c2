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
 * Written through a view, the view's base takes a {@link CopySlices} node instead, which sends the gradient of
 * the written elements through the op and the rest to the base's previous history.
 */
final class InPlace {
    private InPlace() {}

    static Tensor apply(String op, Tensor self, UnaryOperator<Tensor> outOfPlace, BinaryOp kernel, Tensor other) {
        self.checkInPlace(op);
        checkNoInternalOverlap(op, self);
        if (Graph.needsGrad(self, other)) return assign(op, self, keepOriginal(self, outOfPlace.apply(self)));
        long[] shape = self.shape();
        if (!Arrays.equals(Shape.broadcast(op, shape, other.shape()), shape)) {
            throw new IllegalArgumentException(op + ": output with shape " + Shape.str(shape) + " doesn't match the "
                    + "broadcast shape " + Shape.str(Shape.broadcast(op, shape, other.shape()))
                    + "; expected the other operand to broadcast to the output's shape");
        }
        DType promoted = DType.promote(self.dtype(), other.dtype());
        checkCast(op, self, kernel == BinaryOp.DIV && !promoted.isFloating() ? DType.FLOAT32 : promoted);   // true division
        Tensor c = other.dtype() == self.dtype() ? other : Pointwise.convertRaw(other, self.dtype());   // any strides will do
        // An operand that overlaps self without being self would be read after some of its elements were written.
        if (c.storage() == self.storage() && !Pointwise.sameView(c, self)) c = c.detach().clone();
        Tensor o = c.expand(shape);
        return write(op, self, () -> Pointwise.binaryInto(kernel, self, o, self));
    }

    static Tensor apply(String op, Tensor self, UnaryOperator<Tensor> outOfPlace, UnaryOp kernel) {
        self.checkInPlace(op);
        checkNoInternalOverlap(op, self);
        if (Graph.needsGrad(self)) return assign(op, self, keepOriginal(self, outOfPlace.apply(self)));
        checkCast(op, self, Pointwise.resultType(kernel, self.dtype()));
        return write(op, self, () -> Pointwise.mapInto(kernel, self, self));
    }

    /** Replaces {@code self} by {@code outOfPlace(self)}, as one in-place op. */
    static Tensor replace(String op, Tensor self, UnaryOperator<Tensor> outOfPlace) {
        self.checkInPlace(op);
        if (Graph.needsGrad(self)) return assign(op, self, keepOriginal(self, outOfPlace.apply(self)));
        Tensor result = outOfPlace.apply(self);
        return write(op, self, () -> Pointwise.copyRaw(self, result));
    }

    /**
     * Copies {@code src} into {@code self}. Recorded when either requires grad: the old value of self gets no
     * gradient, src gets the gradient summed back to its shape (PyTorch's CopyBackwards).
     */
    static Tensor copy(String op, Tensor self, Tensor src) {
        self.checkInPlace(op);
        checkNoInternalOverlap(op, self);
        if (Graph.needsGrad(self, src)) return assign(op, self, overwrite("CopyBackwards", self, src));
        return write(op, self, () -> Pointwise.copyRaw(self, src));
    }

    /** Sets every element; a recorded tensor keeps a history that sends zero gradient to its past. */
    static Tensor fill(Tensor self, double value) {
        self.checkInPlace("fill_");
        if (Graph.needsGrad(self)) return assign("fill_", self, overwrite("FillBackward0", self, self.like(value)));
        return write("fill_", self, () -> Pointwise.fillRaw(self, value));
    }

    /**
     * The value {@code src} takes in self's place, as a node whose derivative sends zeros to self's old value
     * (which it never reads, so infinities there cannot turn into NaN) and the gradient to src.
     */
    private static Tensor overwrite(String name, Tensor self, Tensor src) {
        Tensor value = src.to(self.dtype()).expand(self.shape()).clone();
        return Graph.record(name, value.detach(), Graph.of(self, value), null, (g, s) -> Graph.of(g.zerosLike(), g));
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
        Tensor base = self.viewBase();
        if (base == null) {
            self.becomeResultOf(result);
        } else {
            CopySlices.rebase(base, self, result);   // the view's own history is rebuilt from the base's when next asked
            self.markViewStale();
        }
        return self;
    }

    /** An expanded tensor (stride 0 over a dim of size > 1) has elements sharing memory: writing it is ambiguous. */
    private static void checkNoInternalOverlap(String op, Tensor self) {
        long[] shape = self.shape(), strides = self.strides();
        for (int i = 0; i < shape.length; i++) {
            if (strides[i] == 0 && shape[i] > 1) {
                throw new IllegalArgumentException(op + ": unsupported operation: more than one element of the "
                        + "written-to tensor refers to a single memory location; given " + self.describe()
                        + " with strides " + Shape.str(strides) + "; expected a tensor without expanded dims (clone() it first)");
            }
        }
    }

    private static void checkCast(String op, Tensor self, DType result) {
        if (result != self.dtype() && DType.promote(result, self.dtype()) != self.dtype()) {
            throw new IllegalArgumentException(op + ": result type " + result + " can't be cast to the desired output "
                    + "type " + self.dtype());
        }
    }

    private static Tensor write(String op, Tensor self, Runnable body) {
        Storage st = self.storage();
        if (st.isReleased()) throw st.releasedError(op, self.describe());
        st.beginWrite(op, self::describe);
        try {
            body.run();
            st.bumpVersion();
        } finally {
            st.endWrite();
        }
        return self;
    }
}
