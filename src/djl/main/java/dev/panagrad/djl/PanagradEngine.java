package dev.panagrad.djl;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import dev.panagrad.Generator;

/**
 * panagrad as a DJL engine: CPU tensors, autograd and training in pure Java plus OpenBLAS.
 *
 * <pre>{@code
 * try (NDManager manager = Engine.getEngine("Panagrad").newBaseManager()) {
 *     NDArray a = manager.create(new float[] {1, 2, 3});
 *     a.mul(2).sum().getFloat();   // 12
 * }
 * }</pre>
 */
public final class PanagradEngine extends Engine {
    /** The name DJL knows this engine by. */
    public static final String ENGINE_NAME = "Panagrad";
    /** Below PyTorch's rank (2), so PyTorch stays the default when both are on the class path. */
    static final int RANK = 10;
    static final PanagradEngine INSTANCE = new PanagradEngine();

    private PanagradEngine() {}

    @Override
    public Engine getAlternativeEngine() {
        return null;
    }

    @Override
    public String getEngineName() {
        return ENGINE_NAME;
    }

    @Override
    public int getRank() {
        return RANK;
    }

    @Override
    public String getVersion() {
        String v = PanagradEngine.class.getPackage().getImplementationVersion();
        return v == null ? "0.1.0-SNAPSHOT" : v;
    }

    /** CPU only: no CUDA, MKL-DNN or other DJL capability applies. */
    @Override
    public boolean hasCapability(String capability) {
        return false;
    }

    @Override
    public Device defaultDevice() {
        return Device.cpu();
    }

    @Override
    public Device[] getDevices(int maxGpus) {
        return new Device[] {Device.cpu()};
    }

    @Override
    public int getGpuCount() {
        return 0;
    }

    @Override
    public Model newModel(String name, Device device) {
        return new PanagradModel(name, PanagradNDManager.checkCpu(device));
    }

    @Override
    public NDManager newBaseManager() {
        return newBaseManager(null);
    }

    @Override
    public NDManager newBaseManager(Device device) {
        return PanagradNDManager.system().newSubManager(device);
    }

    @Override
    public GradientCollector newGradientCollector() {
        return new PanagradGradientCollector();
    }

    /** Seeds DJL's own random numbers and panagrad's global generator (initialisers, dropout, random arrays). */
    @Override
    public void setRandomSeed(int seed) {
        super.setRandomSeed(seed);
        Generator.manualSeed(seed);
    }

    @Override
    public String toString() {
        return ENGINE_NAME + ":" + getVersion();
    }
}
