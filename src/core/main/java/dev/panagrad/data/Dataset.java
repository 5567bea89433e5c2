package dev.panagrad.data;

import dev.panagrad.Tensor;

import java.util.ArrayList;
import java.util.List;

/**
 * A finite, indexable collection of examples; each example is a fixed number of tensors (its fields).
 * {@link DataLoader} asks for whole batches through {@link #batch}, which implementations may override to
 * gather rows directly instead of stacking single examples.
 *
 * <pre>{@code
 * Dataset squares = new Dataset() {
 *     public long size() { return 100; }
 *     public Tensor[] get(long i) { return new Tensor[] {Tensor.of(i), Tensor.of(i * i)}; }
 * };
 * Batch b = squares.batch(new long[] {3, 4});   // fields of shape [2]: [3, 4] and [9, 16]
 * }</pre>
 */
public interface Dataset {
    /** The number of examples. */
    long size();

    /** The fields of example {@code index}, without a batch dim. */
    Tensor[] get(long index);

    /**
     * The examples at {@code indices}, each field stacked along a new first dim. May be called from a
     * loader's background thread, so it must not depend on the caller's scope or grad mode.
     */
    default Batch batch(long[] indices) {
        if (indices.length == 0) throw new IllegalArgumentException("batch: expected at least one index, given none");
        List<Tensor[]> examples = new ArrayList<>(indices.length);
        for (long i : indices) examples.add(get(i));
        Tensor[] fields = new Tensor[examples.get(0).length];
        for (int k = 0; k < indices.length; k++) {
            if (examples.get(k).length != fields.length) {
                throw new IllegalStateException("batch: example " + indices[k] + " has " + examples.get(k).length
                        + " fields; expected " + fields.length + " like example " + indices[0]);
            }
        }
        for (int f = 0; f < fields.length; f++) {
            List<Tensor> column = new ArrayList<>(indices.length);
            for (Tensor[] example : examples) column.add(example[f]);
            fields[f] = Tensor.stack(column, 0);
        }
        return new Batch(fields);
    }
}
