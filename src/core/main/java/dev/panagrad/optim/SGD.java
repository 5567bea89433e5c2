package dev.panagrad.optim;

import dev.panagrad.Tensor;

import java.util.List;
import java.util.Map;

/**
 * Stochastic gradient descent with optional momentum, dampening, Nesterov momentum and L2 weight decay, as
 * PyTorch's {@code torch.optim.SGD}. Per step, with d = grad + weight_decay * p:
 * {@code buf = d} at the first step, else {@code buf = momentum * buf + (1 - dampening) * d}; the update
 * direction is {@code d + momentum * buf} (Nesterov) or {@code buf}; {@code p -= lr * direction}.
 * Options: {@code lr}, {@code momentum}, {@code dampening}, {@code weight_decay}, {@code nesterov} (0 or 1).
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
    protected void update(ParamGroup group, Tensor p, Tensor grad, ParamState state) {
        double lr = option(group, "lr"), momentum = option(group, "momentum");
        double dampening = option(group, "dampening"), weightDecay = option(group, "weight_decay");
        boolean nesterov = option(group, "nesterov") != 0;
        if (nesterov && (momentum <= 0 || dampening != 0)) {
            throw new IllegalStateException("SGD: Nesterov momentum requires a momentum and zero dampening; given "
                    + "momentum " + momentum + ", dampening " + dampening);
        }
        Tensor d = weightDecay == 0 ? grad : grad.add(p.mul(weightDecay));
        if (momentum != 0) {
            Tensor buf = state.get("momentum_buffer");
            if (buf == null) buf = state.put("momentum_buffer", d);
            else buf.mul_(momentum).add_(dampening == 0 ? d : d.mul(1 - dampening));
            d = nesterov ? d.add(buf.mul(momentum)) : buf;
        }
        p.sub_(d.mul(lr));
    }
}
