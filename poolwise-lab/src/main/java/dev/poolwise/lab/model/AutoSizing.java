package dev.poolwise.lab.model;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.TreeSet;

/**
 * {@code single:auto}'s size, from the simulation: every candidate size up to what the server allows is simulated,
 * and the answer is the smallest whose predicted p99 page latency is within the noise of the best one's (the upper
 * end of a 95 % bootstrap interval of the best size's p99 over its simulated pages), among sizes predicted to fail
 * no request. Smaller is better at equal latency: fewer connections leave the server's slots and memory to others.
 */
public final class AutoSizing {

  /*
   * Concurrency: none (pure computation). Failure modes: when every size is predicted to fail requests, the size
   * with the fewest failures wins and the reason says so.
   */

  /** A smaller size must serve at least this share of the most pages/s any size is predicted to serve. */
  static final double PAGES_SHARE = 0.95;

  /** Bootstrap resamples behind the noise interval. */
  static final int RESAMPLES = 200;

  /**
   * One simulated size.
   *
   * @param otherFailures requests the pool-locking guard failed (not in {@link Prediction}, which has the lab's
   *     timeout and 53300 columns only)
   */
  public record Candidate(int size, Prediction prediction, long otherFailures) {}

  /**
   * @param size the chosen size
   * @param reason one sentence: which size, why, and the figures behind it
   * @param candidates every simulated size, ascending
   */
  public record Choice(int size, String reason, List<Candidate> candidates) {}

  private AutoSizing() {}

  /** Chooses a single pool's size for {@code workload} on {@code server}, at most {@code maxSize}. */
  public static Choice choose(Workload workload, ServerModel server, int maxSize) {
    int limit = Math.max(1, maxSize);
    List<Candidate> candidates = new ArrayList<>();
    List<double[]> latencies = new ArrayList<>();
    for (int size : sizesUpTo(limit)) {
      PageLoadSimulation.Outcome outcome = PageLoadSimulation.simulate(workload, PoolLayout.single(size), server);
      candidates.add(new Candidate(size, outcome.prediction(), outcome.otherFailures()));
      latencies.add(outcome.pageLatencies());
    }
    boolean anyClean = candidates.stream().anyMatch(c -> failures(c) == 0);
    int best = -1;
    for (int i = 0; i < candidates.size(); i++) {
      Candidate c = candidates.get(i);
      if (anyClean && failures(c) > 0) {
        continue;
      }
      if (best < 0 || better(c, candidates.get(best), anyClean)) {
        best = i;
      }
    }
    Candidate bestCandidate = candidates.get(best);
    double noiseBound = p99UpperBound(latencies.get(best), workload.scenario().seed());
    double mostPages = 0;
    for (Candidate c : candidates) {
      if (failures(c) <= failures(bestCandidate)) {
        mostPages = Math.max(mostPages, c.prediction().pagesPerS());
      }
    }
    double pagesFloor = PAGES_SHARE * mostPages;
    Candidate chosen = bestCandidate;
    for (Candidate c : candidates) {
      // A smaller size qualifies only if it fails no more requests than the best (failing fast is not serving)
      // and serves nearly as many pages as any size: a small pool can keep the p99 low by serving fewer pages.
      if (failures(c) <= failures(bestCandidate) && c.prediction().pageLatencyMs().p99() <= noiseBound
          && c.prediction().pagesPerS() >= pagesFloor) {
        chosen = c;
        break;
      }
    }
    String reason = String.format(Locale.ROOT, "single:auto = %d connections (simulation of %d sizes up to the %d the"
            + " server allows: the best predicted p99 page latency is %.0f ms at %d, 95%% noise bound %.0f ms; %d is"
            + " the smallest size within it serving at least 95%% of the %.1f pages/s the best size for pages serves,"
            + " predicted p99 %.0f ms, %.1f pages/s%s)", chosen.size(), candidates.size(),
        limit, bestCandidate.prediction().pageLatencyMs().p99(), bestCandidate.size(), noiseBound, chosen.size(),
        mostPages, chosen.prediction().pageLatencyMs().p99(), chosen.prediction().pagesPerS(),
        anyClean ? "" : "; every size is predicted to fail requests, this one the fewest");
    return new Choice(chosen.size(), reason, List.copyOf(candidates));
  }

  private static boolean better(Candidate a, Candidate b, boolean anyClean) {
    if (!anyClean && failures(a) != failures(b)) {
      return failures(a) < failures(b);
    }
    return a.prediction().pageLatencyMs().p99() < b.prediction().pageLatencyMs().p99();
  }

  private static long failures(Candidate c) {
    return c.prediction().failures().timeout() + c.prediction().failures().tooManyClients() + c.otherFailures();
  }

  /** 1, 2, 3, 4, 6, 8, then steps of about a quarter (some 15 simulations up to 100), and the limit itself. */
  static List<Integer> sizesUpTo(int limit) {
    TreeSet<Integer> sizes = new TreeSet<>();
    for (int size = 1; size <= limit; size = size < 4 ? size + 1 : size + Math.max(2, size / 4)) {
      sizes.add(size);
    }
    sizes.add(limit);
    return List.copyOf(sizes);
  }

  /** The upper end of a 95 % bootstrap interval of the p99 of {@code sorted}. */
  static double p99UpperBound(double[] sorted, long seed) {
    if (sorted.length == 0) {
      return 0;
    }
    SplittableRandom random = new SplittableRandom(seed);
    double[] p99s = new double[RESAMPLES];
    double[] sample = new double[sorted.length];
    for (int r = 0; r < RESAMPLES; r++) {
      for (int i = 0; i < sample.length; i++) {
        sample[i] = sorted[random.nextInt(sorted.length)];
      }
      java.util.Arrays.sort(sample);
      p99s[r] = PageLoadSimulation.percentile(sample, 99);
    }
    java.util.Arrays.sort(p99s);
    return p99s[(int) Math.floor(0.975 * (RESAMPLES - 1))];
  }
}
