package dev.panagrad.data;

import dev.panagrad.Shape;
import dev.panagrad.Tensor;

/**
 * Several examples stacked along a new first dim: one tensor per field of the dataset (for example
 * images and labels). All fields have the same first size, the number of examples.
 *
 * <pre>{@code
 * for (Batch b : loader) {
 *     Tensor x = b.inputs();    // [128, 1, 28, 28]
 *     Tensor y = b.targets();   // [128]
 * }
 * }</pre>
 */
public final class Batch {
    private final Tensor[] fields;

    /** A batch of the given fields; each must have at least one dim, all with the same first size. */
    public Batch(Tensor... fields) {
        if (fields.length == 0) throw new IllegalArgumentException("Batch: expected at least one field, given none");
        for (int i = 0; i < fields.length; i++) {
            if (fields[i].dim() == 0 || fields[i].size(0) != fields[0].size(0)) {
                throw new IllegalArgumentException("Batch: field " + i + " has shape " + Shape.str(fields[i].shape())
                        + "; expected a first dim of size " + (fields[0].dim() == 0 ? "n" : fields[0].size(0))
                        + " like field 0 " + Shape.str(fields[0].shape()));
            }
        }
        this.fields = fields.clone();
    }

    /** Field {@code i} (0 for inputs, 1 for targets in the usual two-field dataset). */
    public Tensor get(int i) {
        if (i < 0 || i >= fields.length) {
            throw new IndexOutOfBoundsException("Batch.get: field " + i + " does not exist; this batch has "
                    + fields.length + " field(s)");
        }
        return fields[i];
    }

    /** The first field. */
    public Tensor inputs() {
        return get(0);
    }

    /** The second field. */
    public Tensor targets() {
        return get(1);
    }

    /** The number of fields. */
    public int fieldCount() {
        return fields.length;
    }

    /** Hands every field to the enclosing scope (or the garbage collector), as {@link Tensor#keep()}; returns this. */
    public Batch keep() {
        for (Tensor f : fields) f.keep();
        return this;
    }

    /** The number of examples. */
    public long size() {
        return fields[0].size(0);
    }
}
