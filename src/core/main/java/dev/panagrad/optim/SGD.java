package dev.panagrad.optim;

import dev.panagrad.DType;
import dev.panagrad.Tensor;
import dev.panagrad.kernels.Kernels;
import dev.panagrad.kernels.SgdStep;
import dev.panagrad.ops.Foreach;
import dev.panagrad.ops.Gradients;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Stochastic gradient descent with optional momentum, dampening, Nesterov momentum and L2 weight decay, as
 * PyTorch's {@code torch.optim.SGD}. Per step, with d = grad + weight_decay * p:
 * {@code buf = d} at the first step, else {@code buf = momentum * buf + (1 - dampening) * d}; the update
 * direction is {@code d + momentum * buf} (Nesterov) or {@code buf}; {@code p -= lr * direction}.
 * Options: {@code lr}, {@code momentum}, {@code dampening}, {@code weight_decay}, {@code nesterov} (0 or 1).
 * A step over contiguous parameters of one floating dtype runs as one fused pass over all of them
 * ({@link Kernels#sgdStep}), split across the library's threads.
 *
 * <pre>{@code
 * SGD opt = new SGD(model.parameters(), 0.05).momentum(0.9).nesterov(true).weightDecay(5e-4);
 * }</pre>
 */
public class SGD extends Optimizer {
    /** One group with the given learning rate, no momentum. */
    public SGD(List<Tensor> params, double lr) {
        this(lr, single(params));
    }

    /** Several groups with the default learning rate {@code lr}. */
    public SGD(double lr, ParamGroup... groups) {
        this(lr, List.of(groups));
    }

    private SGD(double lr, List<ParamGroup> groups) {
        super(groups, options(Map.entry("lr", checkRange("SGD", "learning rate", lr, 0, Double.MAX_VALUE)),
                Map.entry("momentum", 0.0), Map.entry("dampening", 0.0), Map.entry("weight_decay", 0.0),
                Map.entry("nesterov", 0.0)));
    }

    /** Sets the default momentum factor; returns this. */
    public SGD momentum(double momentum) {
        setDefault("momentum", checkRange("SGD", "momentum", momentum, 0, Double.MAX_VALUE));
        return this;
    }

    /** Sets the default dampening of the momentum; returns this. */
    public SGD dampening(double dampening) {
        setDefault("dampening", dampening);
        return this;
    }

    /** Sets the default L2 penalty; returns this. */
    public SGD weightDecay(double weightDecay) {
        setDefault("weight_decay", checkRange("SGD", "weight_decay", weightDecay, 0, Double.MAX_VALUE));
        return this;
    }

    /** Switches Nesterov momentum on or off by default (needs momentum > 0 and dampening 0); returns this. */
    public SGD nesterov(boolean nesterov) {
        setDefault("nesterov", nesterov ? 1 : 0);
        return this;
    }

    @Override
    protected boolean updateAll(ParamGroup group, List<Tensor> params, List<ParamState> states) {
        checkNesterov(group);
        DType dt = params.getFirst().dtype();
        List<Tensor[]> rows = new ArrayList<>();
        for (Tensor p : params) rows.add(new Tensor[] {p, Gradients.of(p)});
        if (!Foreach.fitsFloating(rows)) return false;
        double momentum = option(group, "momentum");
        SgdStep[] steps = new SgdStep[params.size()];
        for (int i = 0; i < params.size(); i++) {
            Tensor p = params.get(i);
            ParamState st = states.get(i);
            boolean first = st.get("momentum_buffer") == null;
            steps[i] = new SgdStep(option(group, "lr"), momentum, option(group, "dampening"),
                    option(group, "weight_decay"), option(group, "nesterov") != 0, first);
            // a new buffer is contiguous and has its own storage, so the rows still fit
            if (momentum != 0) rows.set(i, new Tensor[] {p, st.zerosLike("momentum_buffer", p), Gradients.of(p)});
        }
        Kernels k = Kernels.active();
        int written = momentum != 0 ? 2 : 1;
        Foreach.update("SGD", rows, written, (r, t, lo, hi) -> k.sgdStep(dt, steps[r],
                t[0].segment(), t[0].offset() + lo, t[written].segment(), t[written].offset() + lo,
                momentum != 0 ? t[1].segment() : null, momentum != 0 ? t[1].offset() + lo : 0, hi - lo));
        return true;
    }

    @Override
    protected void update(ParamGroup group, Tensor p, Tensor grad, ParamState state) {
        checkNesterov(group);
        double lr = option(group, "lr"), momentum = option(group, "momentum");
        double dampening = option(group, "dampening"), weightDecay = option(group, "weight_decay");
        boolean nesterov = option(group, "nesterov") != 0;
        Tensor d = weightDecay == 0 ? grad : grad.add(p.mul(weightDecay));
        if (momentum != 0) {
            Tensor buf = state.get("momentum_buffer");
            if (buf == null) buf = state.put("momentum_buffer", d);
            else buf.mul_(momentum).add_(dampening == 0 ? d : d.mul(1 - dampening));
            d = nesterov ? d.add(buf.mul(momentum)) : buf;
        }
        p.sub_(d.mul(lr));
    }

    private void checkNesterov(ParamGroup group) {
        double momentum = option(group, "momentum"), dampening = option(group, "dampening");
        if (option(group, "nesterov") != 0 && (momentum <= 0 || dampening != 0)) {
            throw new IllegalStateException("SGD: Nesterov momentum requires a momentum and zero dampening; given "
                    + "momentum " + momentum + ", dampening " + dampening);
        }
    }
}
