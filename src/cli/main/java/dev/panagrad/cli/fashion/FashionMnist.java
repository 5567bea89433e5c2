package dev.panagrad.cli.fashion;

import dev.panagrad.DType;
import dev.panagrad.Tensor;
import dev.panagrad.data.IdxArray;
import dev.panagrad.data.TensorDataset;
import dev.panagrad.memory.Scope;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * Fashion-MNIST (or any folder of MNIST-format files): 28x28 grey images of 10 classes, 60000 for training
 * and 10000 for testing. Images become float32 {@code [N, 1, 28, 28]}, scaled to [0, 1] and then standardised
 * with the training set's mean and standard deviation; labels become int64 {@code [N]}. The tensors belong to
 * the garbage collector.
 *
 * <pre>{@code
 * TensorDataset train = FashionMnist.train(FashionMnist.DEFAULT_DIR);
 * TensorDataset test = FashionMnist.test(FashionMnist.DEFAULT_DIR);
 * FashionMnist.CLASSES.get((int) label);   // "Ankle boot"
 * }</pre>
 */
public final class FashionMnist {
    private FashionMnist() {}

    /** Where Debian's {@code dataset-fashion-mnist} package installs the files. */
    public static final Path DEFAULT_DIR = Path.of("/usr/share/datasets/fashion-mnist");
    /** Mean pixel value of the training images, on the [0, 1] scale. */
    public static final double MEAN = 0.2860;
    /** Standard deviation of the training pixels, on the [0, 1] scale. */
    public static final double STD = 0.3530;
    /** The class names, by label. */
    public static final List<String> CLASSES = List.of("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
            "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot");

    /** The training split of the MNIST-format files in {@code dir} ({@code train-images-idx3-ubyte[.gz]}, ...). */
    public static TensorDataset train(Path dir) throws IOException {
        return load(find(dir, "train-images", "idx3"), find(dir, "train-labels", "idx1"));
    }

    /** The test split of the MNIST-format files in {@code dir} ({@code t10k-images-idx3-ubyte[.gz]}, ...). */
    public static TensorDataset test(Path dir) throws IOException {
        return load(find(dir, "t10k-images", "idx3"), find(dir, "t10k-labels", "idx1"));
    }

    /** True when {@code dir} holds all four files. */
    public static boolean isPresent(Path dir) {
        try {
            for (String[] f : new String[][] {{"train-images", "idx3"}, {"train-labels", "idx1"},
                    {"t10k-images", "idx3"}, {"t10k-labels", "idx1"}}) {
                find(dir, f[0], f[1]);
            }
            return true;
        } catch (NoSuchFileException e) {
            return false;
        }
    }

    /**
     * Images {@code [N, H, W]} of unsigned bytes and labels {@code [N]} in 0..9 from two IDX files, as a dataset
     * of standardised float32 images {@code [N, 1, H, W]} and int64 labels.
     */
    public static TensorDataset load(Path images, Path labels) throws IOException {
        IdxArray x = IdxArray.read(images), y = IdxArray.read(labels);
        int[] xd = x.dims(), yd = y.dims();
        if (xd.length != 3 || x.type() != IdxArray.Type.UBYTE) {
            throw new IOException("mnist: " + images + " holds " + x.type() + " " + Arrays.toString(xd)
                    + "; expected unsigned bytes of 3 dims [images, height, width]");
        }
        if (yd.length != 1 || y.type() != IdxArray.Type.UBYTE) {
            throw new IOException("mnist: " + labels + " holds " + y.type() + " " + Arrays.toString(yd)
                    + "; expected unsigned bytes of 1 dim [labels]");
        }
        if (xd[0] != yd[0]) {
            throw new IOException("mnist: " + images + " has " + xd[0] + " images but " + labels + " has " + yd[0]
                    + " labels; expected one label per image");
        }
        Tensor classes = Scope.unscoped(() -> y.toTensor(DType.INT64));
        long outside = Arrays.stream(classes.toLongArray()).filter(c -> c >= CLASSES.size()).count();
        if (outside > 0) {
            throw new IOException("mnist: " + labels + " has " + outside + " labels outside 0.."
                    + (CLASSES.size() - 1) + "; expected class numbers of the " + CLASSES.size() + " classes");
        }
        // pixel p in 0..255 becomes (p / 255 - MEAN) / STD
        Tensor pixels = Scope.unscoped(() -> x.toTensor(DType.FLOAT32, 1 / (255 * STD), -MEAN / STD));
        return new TensorDataset(pixels.view(xd[0], 1, xd[1], xd[2]), classes);
    }

    /** The file {@code prefix-kind-ubyte} in dir, also accepting a {@code .gz} suffix and a dot before kind. */
    static Path find(Path dir, String prefix, String kind) throws NoSuchFileException {
        List<String> names = List.of(prefix + "-" + kind + "-ubyte.gz", prefix + "-" + kind + "-ubyte",
                prefix + "." + kind + "-ubyte.gz", prefix + "." + kind + "-ubyte");
        for (String name : names) {
            Path p = dir.resolve(name);
            if (Files.isRegularFile(p)) return p;
        }
        throw new NoSuchFileException(dir.toString(), null, "mnist: none of " + names
                + " found; expected a folder of MNIST-format files");
    }
}
