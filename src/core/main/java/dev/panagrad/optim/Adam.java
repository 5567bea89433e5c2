package dev.panagrad.optim;

import dev.panagrad.DType;
import dev.panagrad.Tensor;
import dev.panagrad.kernels.AdamStep;
import dev.panagrad.kernels.Kernels;
import dev.panagrad.ops.Foreach;
import dev.panagrad.ops.Gradients;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Adam, as PyTorch's {@code torch.optim.Adam}. Per step t, with d = grad (+ weight_decay * p, the L2 form):
 * {@code m = beta1 m + (1 - beta1) d}, {@code v = beta2 v + (1 - beta2) d^2},
 * {@code p -= lr / (1 - beta1^t) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps)}.
 * Options: {@code lr}, {@code beta1}, {@code beta2}, {@code eps}, {@code weight_decay}; state
 * {@code exp_avg} (m) and {@code exp_avg_sq} (v). {@link AdamW} decouples the weight decay. A step over
 * contiguous parameters of one floating dtype runs as one fused pass over all of them
 * ({@link Kernels#adamStep}), split across the library's threads.
 *
 * <pre>{@code
 * Adam opt = new Adam(model.parameters(), 1e-3).betas(0.9, 0.999);
 * }</pre>
 */
public class Adam extends Optimizer {
    private final boolean decoupledWeightDecay;

    /** One group with the given learning rate; betas (0.9, 0.999), eps 1e-8, no weight decay. */
    public Adam(List<Tensor> params, double lr) {
        this(single(params), lr, 0, false);
    }

    /** Several groups with the default learning rate {@code lr}. */
    public Adam(double lr, ParamGroup... groups) {
        this(List.of(groups), lr, 0, false);
    }

    /** For subclasses: the defaults and whether weight decay is decoupled from the gradient (AdamW). */
    protected Adam(List<ParamGroup> groups, double lr, double weightDecay, boolean decoupledWeightDecay) {
        super(groups, options(Map.entry("lr", checkRange("Adam", "learning rate", lr, 0, Double.MAX_VALUE)),
                Map.entry("beta1", 0.9), Map.entry("beta2", 0.999), Map.entry("eps", 1e-8),
                Map.entry("weight_decay", weightDecay)));
        this.decoupledWeightDecay = decoupledWeightDecay;
    }

    /** Sets the default decay rates of the moment estimates; returns this. */
    public Adam betas(double beta1, double beta2) {
        setDefault("beta1", checkRange("Adam", "beta parameter at index 0", beta1, 0, Math.nextDown(1.0)));
        setDefault("beta2", checkRange("Adam", "beta parameter at index 1", beta2, 0, Math.nextDown(1.0)));
        return this;
    }

    /** Sets the default term added to the denominator; returns this. */
    public Adam eps(double eps) {
        setDefault("eps", checkRange("Adam", "epsilon", eps, 0, Double.MAX_VALUE));
        return this;
    }

    /** Sets the default weight decay; returns this. */
    public Adam weightDecay(double weightDecay) {
        setDefault("weight_decay", checkRange("Adam", "weight_decay", weightDecay, 0, Double.MAX_VALUE));
        return this;
    }

    @Override
    protected boolean updateAll(ParamGroup group, List<Tensor> params, List<ParamState> states) {
        DType dt = params.getFirst().dtype();
        List<Tensor[]> rows = new ArrayList<>();
        AdamStep[] steps = new AdamStep[params.size()];
        for (int i = 0; i < params.size(); i++) {
            Tensor p = params.get(i);
            ParamState st = states.get(i);
            rows.add(new Tensor[] {p, st.zerosLike("exp_avg", p), st.zerosLike("exp_avg_sq", p), Gradients.of(p)});
            steps[i] = AdamStep.of(option(group, "lr"), option(group, "beta1"), option(group, "beta2"),
                    option(group, "eps"), option(group, "weight_decay"), decoupledWeightDecay, st.step());
        }
        if (!Foreach.fitsFloating(rows)) return false;
        Kernels k = Kernels.active();
        Foreach.update(getClass().getSimpleName(), rows, 3, (r, t, lo, hi) -> k.adamStep(dt, steps[r],
                t[0].segment(), t[0].offset() + lo, t[3].segment(), t[3].offset() + lo,
                t[1].segment(), t[1].offset() + lo, t[2].segment(), t[2].offset() + lo, hi - lo));
        return true;
    }

    @Override
    protected void update(ParamGroup group, Tensor p, Tensor grad, ParamState state) {
        double lr = option(group, "lr"), beta1 = option(group, "beta1"), beta2 = option(group, "beta2");
        double eps = option(group, "eps"), weightDecay = option(group, "weight_decay");
        Tensor d = grad;
        if (weightDecay != 0) {
            if (decoupledWeightDecay) p.mul_(1 - lr * weightDecay);
            else d = grad.add(p.mul(weightDecay));
        }
        Tensor m = state.zerosLike("exp_avg", p), v = state.zerosLike("exp_avg_sq", p);
        m.mul_(beta1).add_(d.mul(1 - beta1));
        v.mul_(beta2).add_(d.mul(d).mul_(1 - beta2));
        long t = state.step();
        double biasCorrection1 = 1 - Math.pow(beta1, t), biasCorrection2 = 1 - Math.pow(beta2, t);
        Tensor denom = v.sqrt().div_(Math.sqrt(biasCorrection2)).add_(eps);
        p.sub_(m.div(denom).mul_(lr / biasCorrection1));
    }
}
