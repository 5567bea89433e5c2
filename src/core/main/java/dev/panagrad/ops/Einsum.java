package dev.panagrad.ops;

import dev.panagrad.Tensor;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * torch.einsum: Einstein summation over subscripts such as {@code "bij,bjk->bik"}, with {@code ...} for
 * broadcast dims and the implicit output (labels that occur once, in alphabetical order) when there is no
 * {@code ->}. Operands are contracted left to right; each pair becomes one batched matrix product over
 * (shared kept labels) x (left-only) x (shared summed labels) x (right-only), so the derivative is
 * matmul's and no operand is ever expanded to the full index space. A label repeated within one operand
 * takes the diagonal.
 *
 * <pre>{@code
 * Tensor c = Tensor.einsum("ij,jk->ik", a, b);   // a.matmul(b)
 * Tensor tr = Tensor.einsum("ii", m);            // trace
 * }</pre>
 */
public final class Einsum {
    private Einsum() {}

    /** A tensor with one label per dim. */
    private record Labeled(Tensor t, List<Integer> labels) {}

    /** Labels of ellipsis dims, counted from the right, so they align as broadcasting does. */
    private static final int ELLIPSIS_LABEL = 1000;

    /** Evaluates the equation on the operands. */
    public static Tensor einsum(String equation, Tensor... operands) {
        String eq = equation.replace(" ", "");
        int arrow = eq.indexOf("->");
        String[] inputs = (arrow >= 0 ? eq.substring(0, arrow) : eq).split(",", -1);
        if (inputs.length != operands.length) {
            throw new IllegalArgumentException("einsum: the equation \"" + equation + "\" specifies " + inputs.length
                    + " operands; given " + operands.length);
        }
        List<Labeled> ops = new ArrayList<>();
        Map<Integer, Integer> occurrences = new HashMap<>();
        int ellipsisRank = 0;
        for (int i = 0; i < operands.length; i++) {
            List<Integer> labels = parse(equation, inputs[i], operands[i].dim());
            for (int l : labels) occurrences.merge(l, 1, Integer::sum);
            for (int l : labels) if (l >= ELLIPSIS_LABEL) ellipsisRank = Math.max(ellipsisRank, l - ELLIPSIS_LABEL + 1);
            ops.add(diagonals(new Labeled(operands[i], labels)));
        }
        List<Integer> output = new ArrayList<>();
        if (arrow >= 0) {
            output = parse(equation, eq.substring(arrow + 2), -1);
            if (eq.substring(arrow + 2).contains("...")) {
                output.removeIf(l -> l >= ELLIPSIS_LABEL);
                int at = eq.substring(arrow + 2).indexOf("...");   // letters before it are one label each
                for (int k = ellipsisRank - 1; k >= 0; k--) output.add(at, ELLIPSIS_LABEL + k);
            }
            for (int l : output) {
                if (!occurrences.containsKey(l)) {
                    throw new IllegalArgumentException("einsum: output subscript " + name(l) + " does not appear in the "
                            + "equation for any input operand in \"" + equation + "\"");
                }
            }
            if (new LinkedHashSet<>(output).size() != output.size()) {
                throw new IllegalArgumentException("einsum: output subscript appears more than once in \"" + equation + "\"");
            }
        } else {
            for (int k = ellipsisRank - 1; k >= 0; k--) output.add(ELLIPSIS_LABEL + k);
            Set<Integer> once = new TreeSet<>();
            occurrences.forEach((l, n) -> {
                if (n == 1 && l < ELLIPSIS_LABEL) once.add(l);
            });
            output.addAll(once);
        }
        Labeled acc = ops.getFirst();
        for (int i = 1; i < ops.size(); i++) {
            Set<Integer> needed = new LinkedHashSet<>(output);
            for (int j = i + 1; j < ops.size(); j++) needed.addAll(ops.get(j).labels());
            acc = contract(acc, ops.get(i), needed);
        }
        acc = sumOut(acc, new LinkedHashSet<>(output));
        int[] order = new int[output.size()];
        for (int i = 0; i < order.length; i++) order[i] = acc.labels().indexOf(output.get(i));
        return acc.t().permute(order);
    }

    /** The labels of one operand's subscript; ellipsis dims get labels counted from the right. */
    private static List<Integer> parse(String equation, String subscript, int rank) {
        List<Integer> labels = new ArrayList<>();
        int dots = subscript.indexOf("...");
        String plain = dots >= 0 ? subscript.substring(0, dots) + subscript.substring(dots + 3) : subscript;
        for (char c : plain.toCharArray()) {
            if (!Character.isLetter(c) || c > 'z') {
                throw new IllegalArgumentException("einsum: invalid subscript given: '" + c + "' in \"" + equation
                        + "\"; expected letters a-z, A-Z and '...'");
            }
            labels.add((int) c);
        }
        if (rank < 0) {
            if (dots >= 0) labels.add(dots, ELLIPSIS_LABEL);   // placeholder, replaced by the caller
            return labels;
        }
        int spread = rank - labels.size();
        if (dots < 0 ? spread != 0 : spread < 0) {
            throw new IllegalArgumentException("einsum: the number of subscripts in \"" + subscript + "\" does not match"
                    + " the number of dimensions (" + rank + ") of its operand in \"" + equation + "\"");
        }
        for (int k = 0; k < spread; k++) labels.add(dots + k, ELLIPSIS_LABEL + spread - 1 - k);
        return labels;
    }

    private static String name(int label) {
        return label >= ELLIPSIS_LABEL ? "..." : String.valueOf((char) label);
    }

    /** Replaces each label repeated within the operand by its diagonal. */
    private static Labeled diagonals(Labeled x) {
        List<Integer> labels = new ArrayList<>(x.labels());
        Tensor t = x.t();
        for (int p = 0; p < labels.size(); p++) {
            int q = labels.lastIndexOf(labels.get(p));
            while (q > p) {
                long n = t.size(p);
                if (t.size(q) != n) {
                    throw new IllegalArgumentException("einsum: subscript " + name(labels.get(p)) + " is repeated for"
                            + " operand dimensions of sizes " + n + " and " + t.size(q) + "; expected equal sizes");
                }
                long[] eyeShape = new long[t.dim()];
                java.util.Arrays.fill(eyeShape, 1);
                eyeShape[p] = eyeShape[q] = n;
                t = t.mul(Tensor.eye(t.dtype(), n, n).reshape(eyeShape)).sum(q, false);   // x[.., i, .., i, ..]
                labels.remove(q);
                q = labels.lastIndexOf(labels.get(p));
            }
        }
        return new Labeled(t, labels);
    }

    /** Sums over the labels not in {@code keep}. */
    private static Labeled sumOut(Labeled x, Set<Integer> keep) {
        List<Integer> labels = new ArrayList<>(), drop = new ArrayList<>();
        for (int i = 0; i < x.labels().size(); i++) {
            if (keep.contains(x.labels().get(i))) labels.add(x.labels().get(i));
            else drop.add(i);
        }
        if (drop.isEmpty()) return x;
        return new Labeled(x.t().sum(drop.stream().mapToInt(Integer::intValue).toArray(), false), labels);
    }

    /** The product of a and b summed over the labels they share that are not needed later, as one bmm. */
    private static Labeled contract(Labeled a, Labeled b, Set<Integer> needed) {
        Set<Integer> keepA = new LinkedHashSet<>(needed), keepB = new LinkedHashSet<>(needed);
        keepA.addAll(b.labels());
        keepB.addAll(a.labels());
        a = sumOut(a, keepA);
        b = sumOut(b, keepB);
        List<Integer> batch = new ArrayList<>(), left = new ArrayList<>(), summed = new ArrayList<>(), right = new ArrayList<>();
        for (int l : a.labels()) {
            if (!b.labels().contains(l)) left.add(l);
            else if (needed.contains(l)) batch.add(l);
            else summed.add(l);
        }
        for (int l : b.labels()) if (!a.labels().contains(l)) right.add(l);
        Map<Integer, Long> size = new HashMap<>();
        for (Labeled x : List.of(a, b)) {
            for (int i = 0; i < x.labels().size(); i++) {
                long s = x.t().size(i), prev = size.getOrDefault(x.labels().get(i), 1L);
                if (s != 1 && prev != 1 && s != prev) {
                    throw new IllegalArgumentException("einsum: operands do not broadcast: subscript "
                            + name(x.labels().get(i)) + " has sizes " + prev + " and " + s);
                }
                size.put(x.labels().get(i), Math.max(s, prev));
            }
        }
        Tensor ma = arrange(a, batch, left, summed, size), mb = arrange(b, batch, summed, right, size);
        Tensor product = ma.matmul(mb);
        List<Integer> labels = new ArrayList<>(batch);
        labels.addAll(left);
        labels.addAll(right);
        long[] shape = new long[labels.size()];
        for (int i = 0; i < shape.length; i++) shape[i] = size.get(labels.get(i));
        return new Labeled(product.reshape(shape), labels);
    }

    /** x permuted to (batch, rows, cols) label groups, broadcast to the common sizes and merged to [B, R, C]. */
    private static Tensor arrange(Labeled x, List<Integer> batch, List<Integer> rows, List<Integer> cols,
                                  Map<Integer, Long> size) {
        List<Integer> order = new ArrayList<>(batch);
        order.addAll(rows);
        order.addAll(cols);
        int[] perm = new int[order.size()];
        long[] full = new long[order.size()];
        for (int i = 0; i < perm.length; i++) {
            perm[i] = x.labels().indexOf(order.get(i));
            full[i] = size.get(order.get(i));
        }
        return x.t().permute(perm).expand(full).reshape(product(batch, size), product(rows, size), product(cols, size));
    }

    private static long product(List<Integer> labels, Map<Integer, Long> size) {
        long n = 1;
        for (int l : labels) n *= size.get(l);
        return n;
    }
}
