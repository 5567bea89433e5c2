package dev.panagrad.nn;

import dev.panagrad.Tensor;

import java.util.ArrayList;
import java.util.List;

/**
 * Modules applied one after another, named {@code "0"}, {@code "1"}, ... as in PyTorch (so the state dict
 * has keys such as {@code 0.weight}).
 *
 * <pre>{@code
 * Sequential mlp = new Sequential(new Linear(784, 512), new ReLU(), new Linear(512, 10));
 * Tensor logits = mlp.forward(images);   // [batch, 10]
 * }</pre>
 */
public class Sequential extends Module {
    private final List<Module> layers = new ArrayList<>();

    /** The given modules, in order. */
    public Sequential(Module... modules) {
        for (Module m : modules) add(m);
    }

    /** Appends a module (named by its position); returns this. */
    public Sequential add(Module module) {
        layers.add(registerModule(String.valueOf(layers.size()), module));
        return this;
    }

    /** The module at {@code index}. */
    public Module get(int index) {
        if (index < 0 || index >= layers.size()) {
            throw new IndexOutOfBoundsException("Sequential.get: index " + index + " is out of range; expected [0, "
                    + layers.size() + ")");
        }
        return layers.get(index);
    }

    /** The number of modules. */
    public int size() {
        return layers.size();
    }

    @Override
    public Tensor forward(Tensor input) {
        Tensor x = input;
        for (Module m : layers) x = m.forward(x);
        return x;
    }
}
