package dev.panagrad.optim;

import dev.panagrad.Tensor;

import java.util.List;

/**
 * Adam with decoupled weight decay (Loshchilov and Hutter), as PyTorch's {@code torch.optim.AdamW}: each step
 * first shrinks the parameter, {@code p *= 1 - lr * weight_decay}, then takes the {@link Adam} step on the
 * plain gradient. The default weight decay is 0.01.
 *
 * <pre>{@code
 * AdamW opt = new AdamW(model.parameters(), 1e-3);
 * opt.weightDecay(0.05);
 * }</pre>
 */
public class AdamW extends Adam {
    /** One group with the given learning rate; betas (0.9, 0.999), eps 1e-8, weight decay 0.01. */
    public AdamW(List<Tensor> params, double lr) {
        super(single(params), lr, 0.01, true);
    }

    /** Several groups with the default learning rate {@code lr}. */
    public AdamW(double lr, ParamGroup... groups) {
        super(List.of(groups), lr, 0.01, true);
    }
}
