# Writes a synthetic trial for the survival benchmark: n rows of time, event, arm and two
# continuous covariates; exponential event times with hazard ratio 0.6 for arm 1, uniform
# censoring, times in days to two decimals (so there are ties). Deterministic for a given seed.
# usage: awk -v n=1000000 -v seed=20261121 -f stats_gen.awk > data.csv
BEGIN {
    srand(seed);
    print "time,event,arm,x1,x2";
    for (i = 0; i < n; i++) {
        arm = i % 2;
        u1 = rand(); u2 = rand();
        if (u1 < 1e-12) u1 = 1e-12;
        x1 = sqrt(-2 * log(u1)) * cos(6.283185307179586 * u2);   # Box-Muller normal
        x2 = rand();
        rate = 0.002 * exp(-0.51 * arm + 0.3 * x1 + 0.2 * x2);
        t = -log(1 - rand()) / rate;
        c = 30 + 1800 * rand();
        ev = t <= c;
        tt = ev ? t : c;
        printf "%.2f,%d,%d,%.4f,%.4f\n", tt, ev, arm, x1, x2;
    }
}
