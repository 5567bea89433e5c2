package dev.panagrad;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/** Independent graphs on different threads run forward and backward at the same time. */
class GraphConcurrencyTest {

    @Test
    void independentGraphsOnSeveralThreads() throws Exception {
        int threads = 4, rounds = 200;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<Integer>> results = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                double a = 0.1 * (t + 1);
                results.add(pool.submit(() -> {
                    start.await();
                    int ok = 0;
                    for (int r = 0; r < rounds; r++) {
                        Tensor x = Tensor.of(DType.FLOAT64, new double[] {a, 2 * a}, 2).requiresGrad(true);
                        Tensor y = x.mul(x).sin().sum();   // d sin(x^2)/dx = 2x cos(x^2)
                        y.backward();
                        double[] g = x.grad().toDoubleArray();
                        if (Math.abs(g[0] - 2 * a * Math.cos(a * a)) < 1e-12
                                && Math.abs(g[1] - 4 * a * Math.cos(4 * a * a)) < 1e-12) ok++;
                    }
                    return ok;
                }));
            }
            start.countDown();
            for (Future<Integer> f : results) assertEquals(rounds, f.get(60, TimeUnit.SECONDS));
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void threadsMayShareALeafWhoseGradientsAccumulate() throws Exception {
        int threads = 4, rounds = 100;
        Tensor w = Tensor.of(DType.FLOAT64, new double[] {1, 2, 3}, 3).requiresGrad(true);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                double scale = t + 1;
                done.add(pool.submit(() -> {
                    start.await();
                    for (int r = 0; r < rounds; r++) w.mul(scale).sum().backward();   // adds `scale` per element
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> f : done) f.get(60, TimeUnit.SECONDS);
        } finally {
            pool.shutdownNow();
        }
        double expected = rounds * (1 + 2 + 3 + 4);
        assertArrayEquals(new double[] {expected, expected, expected}, w.grad().toDoubleArray());
    }
}
