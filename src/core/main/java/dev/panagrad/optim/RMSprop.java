package dev.panagrad.optim;

import dev.panagrad.Tensor;

import java.util.List;
import java.util.Map;

/**
 * RMSprop, as PyTorch's {@code torch.optim.RMSprop}. With d = grad + weight_decay * p:
 * {@code s = alpha s + (1 - alpha) d^2}; the denominator is {@code sqrt(s) + eps}, or with {@code centered}
 * {@code sqrt(s - a^2) + eps} where {@code a = alpha a + (1 - alpha) d}; then either
 * {@code p -= lr * d / denom} or, with momentum, {@code buf = momentum buf + d / denom; p -= lr * buf}.
 * Options: {@code lr}, {@code alpha}, {@code eps}, {@code weight_decay}, {@code momentum}, {@code centered}
 * (0 or 1); state {@code square_avg}, {@code grad_avg}, {@code momentum_buffer}.
 *
 * <pre>{@code
 * RMSprop opt = new RMSprop(model.parameters(), 1e-3).momentum(0.9).centered(true);
 * }</pre>
 */
public class RMSprop extends Optimizer {
    /** One group with the given learning rate; alpha 0.99, eps 1e-8, no momentum. */
    public RMSprop(List<Tensor> params, double lr) {
        this(lr, single(params));
    }

    /** Several groups with the default learning rate {@code lr}. */
    public RMSprop(double lr, ParamGroup... groups) {
        this(lr, List.of(groups));
    }

    private RMSprop(double lr, List<ParamGroup> groups) {
        super(groups, options(Map.entry("lr", checkRange("RMSprop", "learning rate", lr, 0, Double.MAX_VALUE)),
                Map.entry("alpha", 0.99), Map.entry("eps", 1e-8), Map.entry("weight_decay", 0.0),
                Map.entry("momentum", 0.0), Map.entry("centered", 0.0)));
    }

    /** Sets the default smoothing constant; returns this. */
    public RMSprop alpha(double alpha) {
        setDefault("alpha", checkRange("RMSprop", "alpha", alpha, 0, 1));
        return this;
    }

    /** Sets the default term added to the denominator; returns this. */
    public RMSprop eps(double eps) {
        setDefault("eps", checkRange("RMSprop", "epsilon", eps, 0, Double.MAX_VALUE));
        return this;
    }

    /** Sets the default L2 penalty; returns this. */
    public RMSprop weightDecay(double weightDecay) {
        setDefault("weight_decay", checkRange("RMSprop", "weight_decay", weightDecay, 0, Double.MAX_VALUE));
        return this;
    }

    /** Sets the default momentum factor; returns this. */
    public RMSprop momentum(double momentum) {
        setDefault("momentum", checkRange("RMSprop", "momentum", momentum, 0, Double.MAX_VALUE));
        return this;
    }

    /** Normalises by the estimated variance instead of the second moment; returns this. */
    public RMSprop centered(boolean centered) {
        setDefault("centered", centered ? 1 : 0);
        return this;
    }

    @Override
    protected void update(ParamGroup group, Tensor p, Tensor grad, ParamState state) {
        double lr = option(group, "lr"), alpha = option(group, "alpha"), eps = option(group, "eps");
        double weightDecay = option(group, "weight_decay"), momentum = option(group, "momentum");
        Tensor d = weightDecay == 0 ? grad : grad.add(p.mul(weightDecay));
        Tensor squareAvg = state.zerosLike("square_avg", p);
        squareAvg.mul_(alpha).add_(d.mul(d).mul_(1 - alpha));
        Tensor denom;
        if (option(group, "centered") != 0) {
            Tensor gradAvg = state.zerosLike("grad_avg", p);
            gradAvg.mul_(alpha).add_(d.mul(1 - alpha));
            denom = squareAvg.sub(gradAvg.mul(gradAvg)).sqrt_().add_(eps);
        } else {
            denom = squareAvg.sqrt().add_(eps);
        }
        if (momentum > 0) {
            Tensor buf = state.zerosLike("momentum_buffer", p);
            buf.mul_(momentum).add_(d.div(denom));
            p.sub_(buf.mul(lr));
        } else {
            p.sub_(d.div(denom).mul_(lr));
        }
    }
}
