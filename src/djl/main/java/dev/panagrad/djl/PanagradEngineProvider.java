package dev.panagrad.djl;

import ai.djl.engine.Engine;
import ai.djl.engine.EngineProvider;

/**
 * Registers {@link PanagradEngine} with DJL through {@code META-INF/services/ai.djl.engine.EngineProvider}.
 *
 * <pre>{@code
 * Engine engine = Engine.getEngine("Panagrad");   // found by ServiceLoader through this provider
 * }</pre>
 */
public final class PanagradEngineProvider implements EngineProvider {
    /** Creates the provider; DJL's ServiceLoader calls this. */
    public PanagradEngineProvider() {}

    @Override
    public String getEngineName() {
        return PanagradEngine.ENGINE_NAME;
    }

    @Override
    public int getEngineRank() {
        return PanagradEngine.RANK;
    }

    @Override
    public Engine getEngine() {
        return PanagradEngine.INSTANCE;
    }
}
