/* The C baseline for the all-reduce benchmark: in-place MPI_Allreduce (sum) of N floats, timed per call on
 * rank 0 after a barrier (20 warm-up calls first), exactly as AllReduceBench.java times the call through panagrad's bindings.
 *   mpicc -O2 -o allreduce allreduce.c && mpirun -np 2 ./allreduce BYTES REPS
 * Prints one line: "c BYTES t1 t2 ..." (seconds per call on rank 0). */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv) {
    MPI_Init(&argc, &argv);
    long bytes = argc > 1 ? atol(argv[1]) : 4L << 20;
    int reps = argc > 2 ? atoi(argv[2]) : 20, warmup = 20, rank;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    int n = (int) (bytes / sizeof(float));
    float *buf = malloc(bytes);
    for (int i = 0; i < n; i++) buf[i] = 1.0f;
    double *t = malloc(sizeof(double) * reps);
    for (int r = -warmup; r < reps; r++) {
        MPI_Barrier(MPI_COMM_WORLD);
        double t0 = MPI_Wtime();
        MPI_Allreduce(MPI_IN_PLACE, buf, n, MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD);
        if (r >= 0) t[r] = MPI_Wtime() - t0;
    }
    if (rank == 0) {
        printf("c %ld", bytes);
        for (int r = 0; r < reps; r++) printf(" %.6f", t[r]);
        printf("\n");
    }
    free(buf);
    free(t);
    MPI_Finalize();
    return 0;
}
