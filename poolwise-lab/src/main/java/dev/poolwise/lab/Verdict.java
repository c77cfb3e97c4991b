package dev.poolwise.lab;

import dev.poolwise.lab.LabResults.Background;
import dev.poolwise.lab.LabResults.Failures;
import dev.poolwise.lab.LabResults.Interval;
import dev.poolwise.lab.LabResults.ServerInfo;
import dev.poolwise.lab.LabResults.TopologyResult;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The verdict paragraph, computed from a run's rows: never a sentence that the numbers do not support.
 *
 * <p>Each sentence answers one of the seed's questions when the rows needed for it exist and is left out
 * otherwise: which topology served the most pages without a failed request; which ones failed and why (the
 * server's budget against the configured pools); one shared pool against K partitioned pools; Poolwise
 * against HikariCP at equal size; whether a bigger single pool helped; what {@code single:auto} (the sizing
 * model's size) did; how the model's predicted p99 wait compared with the measured one; which topologies
 * were skipped.
 *
 * <p>Every "A beat B" is backed by an interval ({@link #compare}): a row's pages/s and its p99 page latency each
 * carry a 95 % bootstrap interval ({@link BootstrapInterval}), and one row is called better in a figure only when
 * the two intervals do not overlap and the figures differ by at least {@link #NOISE} (the intervals see the
 * sampling noise of one window, not the machine getting busier between two rows, which run one after the other;
 * two runs of one topology routinely differ by a few percent here). When neither figure separates, the rows are
 * "within noise" and the sentence gives the intervals; when the figures separate in opposite directions (more
 * pages/s but a higher p99) it is a split decision, said as such, and nobody wins ({@link Outcome}). A row without
 * failed requests beats one with failures whatever the figures. Results from a lab that wrote no intervals are
 * compared by {@link #NOISE} alone.
 *
 * <p>With background requests ({@code --background}) and a {@code +lane:K} row, one sentence per lane row weighs
 * what the lane gave the pages against what it cost the prefetch, against the same pools without the lane, by the
 * same rule. Lane rows are left out of the other comparisons (bigger pool, one queue or K, Poolwise against
 * HikariCP), which are about pools without lanes.
 */
final class Verdict {

  /** Relative difference below which two measurements are "within noise" (5 %). */
  static final double NOISE = 0.05;

  /**
   * A p99 acquire wait counts as "the requests waited for the pool" when it exceeds both this floor and
   * {@link #MEANINGFUL_WAIT_SHARE} of the p50 page latency: below that, the pool was not what pages waited for.
   */
  static final double MEANINGFUL_WAIT_FLOOR_MS = 1.0;

  static final double MEANINGFUL_WAIT_SHARE = 0.05;

  /** Predicted and measured p99 waits "agree" within this factor (or within 1 ms of each other). */
  static final double MODEL_AGREEMENT_FACTOR = 2.0;

  private Verdict() {}

  static String of(LabResults results) {
    return String.join(" ", sentences(results));
  }

  /** The verdict's sentences, in order; {@link #of} joins them with spaces. */
  static List<String> sentences(LabResults results) {
    List<TopologyResult> rows = results.results() == null ? List.of() : results.results();
    if (rows.isEmpty()) {
      return List.of("No topology ran, so there is nothing to compare.");
    }
    List<TopologyResult> ran = rows.stream().filter(r -> r.skipped() == null).toList();
    List<TopologyResult> measured = ran.stream().filter(r -> r.pages() > 0).toList();
    List<String> sentences = new ArrayList<>();

    if (ran.isEmpty()) {
      sentences.add("No topology ran.");
    } else if (measured.isEmpty()) {
      sentences.add("No topology completed a page, so there is no throughput or latency to compare.");
    } else {
      best(measured, sentences);
    }
    for (TopologyResult row : ran) {
      failures(row, results.server(), results.scenario(), sentences);
      retries(row, results.scenario(), sentences);
      if (row.pages() == 0) {
        sentences.add(row.topology() + " completed no pages in the measured window.");
      }
    }
    backgroundLanes(results.scenario(), measured, sentences);
    backgroundFailures(measured, sentences);
    List<TopologyResult> withoutLanes = measured.stream().filter(r -> !hasLane(r)).toList();
    partitionedAgainstSingle(withoutLanes, sentences);
    poolwiseAgainstHikari(withoutLanes, sentences);
    biggerSinglePool(withoutLanes, sentences);
    pgBouncer(withoutLanes, sentences);
    auto(measured, sentences);
    modelCheck(measured, sentences);
    for (TopologyResult row : rows) {
      if (row.skipped() != null) {
        sentences.add(row.topology() + " was skipped: " + stripPeriod(row.skipped()) + ".");
      }
    }
    return sentences;
  }

  /* --- Who served the most --- */

  private static void best(List<TopologyResult> measured, List<String> out) {
    List<TopologyResult> clean = measured.stream().filter(r -> failed(r) == 0).toList();
    if (clean.isEmpty()) {
      TopologyResult top = measured.stream().max(Comparator.comparingDouble(TopologyResult::pagesPerS)).orElseThrow();
      out.add("Every topology that ran had failed requests; " + top.topology() + " served the most pages: "
          + Figures.rate(top.pagesPerS()) + " pages/s with " + Figures.count(failed(top)) + " failed "
          + plural(failed(top), "request", "requests") + ".");
      return;
    }
    TopologyResult best = clean.stream().max(Comparator.comparingDouble(TopologyResult::pagesPerS)).orElseThrow();
    String lead = clean.size() == 1 && measured.size() > 1
        ? best.topology() + " was the only topology without a failed request: "
        : best.topology() + " served the most pages with no failed request: ";
    StringBuilder sentence = new StringBuilder(lead).append(pagesWithInterval(best))
        .append(", p99 page latency ").append(p99WithInterval(best.pageLatencyMs().p99(), best.pageLatencyP99CiMs()));
    List<String> close = clean.stream()
        .filter(r -> r != best && pages(r, best) == Difference.WITHIN_NOISE)
        .map(TopologyResult::topology).toList();
    if (!close.isEmpty()) {
      sentence.append(" (").append(join(close)).append(close.size() == 1 ? " was" : " were")
          .append(" within noise of it)");
    }
    out.add(sentence.append('.').toString());
    List<TopologyResult> fasterButFailing = measured.stream()
        .filter(r -> failed(r) > 0 && pages(r, best) == Difference.HIGHER).toList();
    for (TopologyResult row : fasterButFailing) {
      out.add(row.topology() + " completed more pages per second (" + Figures.rate(row.pagesPerS())
          + ") but not all of its requests succeeded.");
    }
  }

  /* --- Who failed, and why --- */

  private static void failures(TopologyResult row, ServerInfo server, Scenario scenario, List<String> out) {
    Failures f = row.failures();
    if (failed(row) == 0) {
      return;
    }
    List<String> causes = new ArrayList<>();
    List<String> reasons = new ArrayList<>();
    String ofRequests = " of " + Figures.count(row.requests()) + " requests";
    if (f.tooManyClients() > 0) {
      causes.add(Figures.count(f.tooManyClients()) + (causes.isEmpty() ? ofRequests : " requests")
          + " refused with 53300 too many clients");
      reasons.add(budget(row, server));
    }
    if (f.poolTimeout() > 0) {
      causes.add(Figures.count(f.poolTimeout()) + (causes.isEmpty() ? ofRequests : " requests")
          + " time out waiting for a pool connection");
      String wait = "p99 acquire wait " + Figures.ms(row.acquireWaitMs().p99()) + " ms";
      reasons.add(scenario == null ? wait
          : wait + " against an acquire timeout of " + Figures.count(scenario.acquireTimeoutMs()) + " ms");
    }
    if (f.poolLocked() > 0) {
      causes.add(Figures.count(f.poolLocked()) + (causes.isEmpty() ? ofRequests : " requests")
          + " failed at once because the pool locked itself");
      reasons.add("every connection was held by a thread waiting for a second one; remove the nested borrow or size"
          + " the pool at the floor in the PoolLockedException's message");
    }
    if (f.other() > 0) {
      causes.add(Figures.count(f.other()) + (causes.isEmpty() ? ofRequests : " requests")
          + " fail for other reasons");
      reasons.add("");
    }
    out.add(row.topology() + " had " + causes.get(0) + (reasons.get(0).isEmpty() ? "" : ": " + reasons.get(0)) + ".");
    for (int i = 1; i < causes.size(); i++) {
      out.add(row.topology() + " also had " + causes.get(i) + (reasons.get(i).isEmpty() ? "" : ": " + reasons.get(i)) + ".");
    }
  }

  /** What the seed's retries ({@code --retry}) did for a row: how many requests they saved and what they cost. */
  private static void retries(TopologyResult row, Scenario scenario, List<String> out) {
    LabResults.Retries retries = row.retries();
    if (retries == null || retries.retriedRequests() == 0) {
      return;
    }
    String policy = scenario == null || !scenario.retryPolicy().retries() ? ""
        : ", up to " + scenario.retryTries() + " tries " + Figures.count(scenario.retryIntervalMs()) + " ms apart";
    StringBuilder s = new StringBuilder(row.topology()).append(" retried ")
        .append(Figures.count(retries.retriedRequests())).append(" of ").append(Figures.count(row.requests()))
        .append(" requests after a pool timeout (").append(Figures.count(retries.retries())).append(" more ")
        .append(plural(retries.retries(), "try", "tries")).append(policy).append("): ")
        .append(Figures.count(retries.succeededOnRetry())).append(" succeeded on a later try");
    if (retries.failedAfterAllTries() > 0) {
      s.append(" and ").append(Figures.count(retries.failedAfterAllTries())).append(" timed out on every try");
    }
    s.append("; each retry kept its page waiting for an acquire timeout");
    if (scenario != null) {
      s.append(" (").append(Figures.count(scenario.acquireTimeoutMs())).append(" ms) and the interval");
    }
    s.append(", p99 page latency ").append(Figures.ms(row.pageLatencyMs().p99())).append(" ms.");
    out.add(s.toString());
  }

  /** Why the server refused: the pools' possible connections against what the server allows. */
  private static String budget(TopologyResult row, ServerInfo server) {
    int pools = poolCount(row);
    int total = size(row);
    String configured;
    if (total <= 0) {
      configured = "";
    } else if (pools > 1 && total % pools == 0) {
      configured = pools + " pools × " + total / pools + " = " + Figures.count(total) + " possible connections";
    } else if (pools > 1) {
      configured = pools + " pools with " + Figures.count(total) + " possible connections";
    } else {
      configured = "a pool of " + Figures.count(total);
    }
    if (server == null) {
      return configured;
    }
    String limit = "max_connections " + Figures.count(server.maxConnections());
    if (server.superuserReservedConnections() > 0) {
      limit += " (" + Figures.count(server.maxConnections() - server.superuserReservedConnections())
          + " for ordinary roles)";
    }
    String seen = row.serverConnections().peak() > 0
        ? ", and the server saw up to " + Figures.count(row.serverConnections().peak()) + " client connections"
        : "";
    return (configured.isEmpty() ? "the server allows " + limit : configured + " against " + limit) + seen;
  }

  /* --- One shared queue against K separate ones --- */

  private static void partitionedAgainstSingle(List<TopologyResult> measured, List<String> out) {
    List<TopologyResult> singles = measured.stream()
        .filter(r -> isSinglePoolwise(r) && !isAuto(r) && size(r) > 0).toList();
    for (TopologyResult partitioned : measured.stream().filter(r -> kind(r).equals("partitioned")).toList()) {
      int k = poolCount(partitioned);
      int total = size(partitioned);
      Optional<TopologyResult> equal = singles.stream().filter(s -> size(s) == total).findFirst();
      Optional<TopologyResult> fewer = singles.stream().filter(s -> size(s) < total)
          .max(Comparator.comparingInt(Verdict::size));
      Optional<TopologyResult> more = singles.stream().filter(s -> size(s) > total)
          .min(Comparator.comparingInt(Verdict::size));
      TopologyResult single = equal.or(() -> fewer).or(() -> more).orElse(null);
      if (single == null) {
        continue;
      }
      int n = size(single);
      String figures = versus(single, partitioned);
      String pools = (k > 1 ? k + " " : "") + "round-robin pools";
      Outcome outcome = outcome(single, partitioned);
      if (outcome == Outcome.SPLIT) {
        String sizes = n == total ? " at equal total size (" + n + " connections)"
            : " with " + n + " connections in one pool against " + total + " in " + pools;
        out.add(splitDecision(single, partitioned) + sizes + ".");
      } else if (outcome == Outcome.FIRST) {
        String sizes = n == total ? " at equal total size (" + n + " connections)"
            : n < total ? " with fewer connections (" + n + " against " + total + ")"
            : ", though with more connections (" + n + " against " + total + "), so part of the gap is size";
        String waits = partitioned.acquireWaitMs().p99() > single.acquireWaitMs().p99()
            ? " (p99 acquire wait " + Figures.ms(partitioned.acquireWaitMs().p99()) + " ms partitioned against "
                + Figures.ms(single.acquireWaitMs().p99()) + " ms in one pool)"
            : "";
        out.add("One shared pool beat " + pools + ": " + single.topology() + " served "
            + Figures.rate(single.pagesPerS()) + " pages/s against " + partitioned.topology() + "'s "
            + Figures.rate(partitioned.pagesPerS()) + rateIntervals(single.pagesPerSCi(), partitioned.pagesPerSCi())
            + ", p99 page latency " + Figures.ms(single.pageLatencyMs().p99()) + " against "
            + Figures.ms(partitioned.pageLatencyMs().p99()) + " ms"
            + intervals(single.pageLatencyP99CiMs(), partitioned.pageLatencyP99CiMs()) + failureNote(single, partitioned)
            + " (" + difference(single, partitioned) + ")" + sizes + ". One queue in front of all connections beats "
            + (k > 1 ? k : "K") + " separate queues: with round robin a request waits in a busy sub-pool while"
            + " another sub-pool has idle connections" + waits + ".");
      } else if (outcome == Outcome.SECOND) {
        String why = total > n ? "; it had more connections (" + total + " against " + n + "), so this is not a"
            + " like-for-like comparison"
            : "; queueing theory expects the opposite, so repeat the run before relying on it";
        out.add(partitioned.topology() + " beat " + single.topology() + ": " + versus(partitioned, single)
            + failureNote(partitioned, single) + " (" + difference(partitioned, single) + ")" + why + ".");
      } else {
        String note = total > n
            ? ": the " + pools + " needed " + total + " connections to match " + n + " in one pool"
            : n == total ? " at equal total size (" + n + " connections): at this load partitioning neither helped"
                + " nor hurt"
            : "";
        out.add(single.topology() + " and " + partitioned.topology() + " were within noise of each other ("
            + figures + ")" + note + ".");
      }
    }
  }

  /* --- Poolwise against HikariCP --- */

  private static void poolwiseAgainstHikari(List<TopologyResult> measured, List<String> out) {
    List<String> withinNoise = new ArrayList<>();
    List<String> different = new ArrayList<>();
    Set<Integer> paired = new HashSet<>();
    for (int h = 0; h < measured.size(); h++) {
      TopologyResult hikari = measured.get(h);
      if (!isHikari(hikari)) {
        continue;
      }
      // Each HikariCP row is paired with its own Poolwise twin: the same size, not yet paired, nearest in run order
      // (the earlier one on a tie), so a topology given twice compares first with first and second with second.
      int twin = -1;
      for (int p = 0; p < measured.size(); p++) {
        TopologyResult r = measured.get(p);
        if (isSinglePoolwise(r) && !isAuto(r) && size(r) == size(hikari) && size(r) > 0 && !paired.contains(p)
            && (twin < 0 || Math.abs(p - h) < Math.abs(twin - h))) {
          twin = p;
        }
      }
      if (twin < 0) {
        continue;
      }
      paired.add(twin);
      TopologyResult poolwise = measured.get(twin);
      double pages = relative(poolwise.pagesPerS(), hikari.pagesPerS());
      double p99 = relative(poolwise.pageLatencyMs().p99(), hikari.pageLatencyMs().p99());
      Difference pagesDifference = pages(poolwise, hikari);
      Difference p99Difference = p99(poolwise, hikari);
      String figures = poolwise.topology() + " " + Figures.rate(poolwise.pagesPerS()) + " against "
          + hikari.topology() + " " + Figures.rate(hikari.pagesPerS()) + " pages/s"
          + rateIntervals(poolwise.pagesPerSCi(), hikari.pagesPerSCi()) + ", p99 "
          + Figures.ms(poolwise.pageLatencyMs().p99()) + " against " + Figures.ms(hikari.pageLatencyMs().p99())
          + " ms" + intervals(poolwise.pageLatencyP99CiMs(), hikari.pageLatencyP99CiMs()) + failureNote(poolwise, hikari);
      if (pagesDifference == Difference.WITHIN_NOISE && p99Difference == Difference.WITHIN_NOISE
          && failed(poolwise) == failed(hikari)) {
        withinNoise.add(figures);
      } else {
        String throughput = pagesDifference == Difference.WITHIN_NOISE ? "the same pages/s as HikariCP (within noise)"
            : Figures.percent(pages) + (pages > 0 ? " more" : " fewer") + " pages/s than HikariCP";
        String latency = p99Difference == Difference.WITHIN_NOISE ? "the same p99 page latency (within noise)"
            : "a " + Figures.percent(p99) + (p99 < 0 ? " lower" : " higher") + " p99 page latency";
        String split = outcome(poolwise, hikari) == Outcome.SPLIT
            ? ": a split decision, neither pool was better on both figures" : "";
        different.add("At " + size(poolwise) + " connections Poolwise served " + throughput + " with " + latency
            + " (" + figures + ")" + split + ".");
      }
    }
    if (!withinNoise.isEmpty()) {
      out.add("Poolwise and HikariCP at equal size were within noise of each other (the 95 % intervals overlap or"
          + " the figures differ by under " + Math.round(NOISE * 100) + " %): " + String.join("; ", withinNoise)
          + ".");
    }
    out.addAll(different);
  }

  /* --- Did a bigger single pool help? --- */

  private static void biggerSinglePool(List<TopologyResult> measured, List<String> out) {
    List<TopologyResult> singles = measured.stream().filter(r -> isSinglePoolwise(r) && !isAuto(r) && size(r) > 0)
        .sorted(Comparator.comparingInt(Verdict::size)).toList();
    if (singles.size() < 2 || size(singles.get(0)) == size(singles.get(singles.size() - 1))) {
      return;
    }
    TopologyResult small = singles.get(0);
    TopologyResult big = singles.get(singles.size() - 1);
    int added = size(big) - size(small);
    double gain = relative(big.pagesPerS(), small.pagesPerS());
    Difference pagesDifference = pages(big, small);
    Difference p99Difference = p99(big, small);
    String figures = versus(big, small);
    String holds = "hold p50 " + Figures.ms(small.holdMs().p50()) + " → " + Figures.ms(big.holdMs().p50()) + " ms";
    double smallWait = small.acquireWaitMs().p99();
    boolean smallWaited = smallWait > Math.max(MEANINGFUL_WAIT_FLOOR_MS,
        MEANINGFUL_WAIT_SHARE * small.pageLatencyMs().p50());
    String timeouts = small.failures().poolTimeout() > 0 && big.failures().poolTimeout() == 0
        ? " It also removed " + small.topology() + "'s " + Figures.count(small.failures().poolTimeout())
            + " pool timeouts."
        : "";
    if (pagesDifference == Difference.HIGHER && p99Difference == Difference.HIGHER) {
      out.add(big.topology() + " served " + Figures.percent(gain) + " more pages/s than " + small.topology()
          + " but with a higher p99 page latency (" + figures + "): a split decision, the bigger pool was not better"
          + " on both figures." + timeouts);
    } else if (pagesDifference == Difference.HIGHER) {
      out.add(big.topology() + " served " + Figures.percent(gain) + " more pages/s than " + small.topology() + " ("
          + figures + "): at this load " + size(small) + " connections were too few (" + small.topology()
          + "'s p99 acquire wait " + Figures.ms(smallWait) + " ms)." + timeouts);
    } else if (pagesDifference == Difference.LOWER && p99Difference == Difference.LOWER) {
      out.add(big.topology() + " served " + Figures.percent(gain) + " fewer pages/s than " + small.topology()
          + " but with a lower p99 page latency (" + figures + "): a split decision, the bigger pool was not better"
          + " on both figures." + timeouts);
    } else if (pagesDifference == Difference.LOWER) {
      String why = big.holdMs().p50() > small.holdMs().p50()
          ? ": more connections ran more queries at once inside PostgreSQL and each took longer (" + holds + ")"
          : "";
      out.add(big.topology() + " served " + Figures.percent(gain) + " fewer pages/s than " + small.topology() + " ("
          + figures + ")" + why + "." + timeouts);
    } else if (p99Difference != Difference.WITHIN_NOISE) {
      out.add(big.topology() + " served the same pages/s as " + small.topology() + " within noise, with a "
          + Figures.percent(relative(big.pageLatencyMs().p99(), small.pageLatencyMs().p99()))
          + (p99Difference == Difference.LOWER ? " lower" : " higher") + " p99 page latency beyond the noise"
          + " interval (" + figures + ")." + timeouts);
    } else if (smallWaited) {
      String holdNote = big.holdMs().p50() > small.holdMs().p50() ? " (" + holds + ")" : "";
      out.add(big.topology() + " was not meaningfully better than " + small.topology() + " (" + figures
          + ") although " + small.topology() + "'s requests waited for a connection (p99 acquire wait "
          + Figures.ms(smallWait) + " ms): the database, not the pool, was the limit; " + added
          + " more connections only moved the queue from the pool into PostgreSQL" + holdNote + "." + timeouts);
    } else {
      out.add(big.topology() + " was not meaningfully better than " + small.topology() + " (" + figures + "): "
          + small.topology() + " rarely waited for a connection (p99 acquire wait " + Figures.ms(smallWait)
          + " ms), so the pool was not the limit at this load and " + added + " more connections had nothing to do."
          + timeouts);
    }
  }

  /* --- PgBouncer in front of many pools --- */

  private static void pgBouncer(List<TopologyResult> measured, List<String> out) {
    for (TopologyResult bouncer : measured.stream().filter(r -> kind(r).equals("pgbouncer")).toList()) {
      String name = bouncer.topology();
      int slash = name.lastIndexOf('/');
      String serverPool = slash < 0 ? "" : " with " + name.substring(slash + 1) + " server connections";
      int[] clients = parse(bouncer);
      Optional<TopologyResult> twin = measured.stream().filter(r -> kind(r).equals("per-module")).filter(r -> {
        int[] own = parse(r);
        return own != null && clients != null && own[0] == clients[0] && own[1] == clients[1];
      }).findFirst();
      String figures = Figures.rate(bouncer.pagesPerS()) + " pages/s, p99 page latency "
          + Figures.ms(bouncer.pageLatencyMs().p99()) + " ms, " + Figures.count(bouncer.failures().tooManyClients())
          + " refused with 53300, server peak " + Figures.count(bouncer.serverConnections().peak()) + " connections";
      if (twin.isEmpty()) {
        out.add(name + " ran its pools through PgBouncer" + serverPool + ": " + figures + ".");
        continue;
      }
      TopologyResult perModule = twin.get();
      out.add(name + " put the same " + clients[0] + " pools × " + clients[1] + " behind PgBouncer" + serverPool + ": "
          + figures + ", against " + perModule.topology() + "'s " + Figures.rate(perModule.pagesPerS())
          + " pages/s, p99 " + Figures.ms(perModule.pageLatencyMs().p99()) + " ms and "
          + Figures.count(perModule.failures().tooManyClients()) + " refused with 53300 (server peak "
          + Figures.count(perModule.serverConnections().peak()) + ").");
    }
  }

  /* --- Background requests and the lane --- */

  /** How one row's figure compares with another's: only beyond the noise interval is it lower or higher. */
  enum Difference {
    LOWER, WITHIN_NOISE, HIGHER
  }

  /**
   * {@code a} against {@code b}: lower or higher only when their intervals do not overlap and they differ by at
   * least {@link #NOISE}; with an interval missing (results from an older lab), by {@link #NOISE} alone.
   */
  static Difference compare(double a, Interval aInterval, double b, Interval bInterval) {
    double change = relative(a, b);
    boolean separated = aInterval == null || bInterval == null || aInterval.disjointFrom(bInterval);
    if (!separated || Math.abs(change) < NOISE) {
      return Difference.WITHIN_NOISE;
    }
    return change < 0 ? Difference.LOWER : Difference.HIGHER;
  }

  private static void backgroundLanes(Scenario scenario, List<TopologyResult> measured, List<String> out) {
    for (TopologyResult lane : measured.stream().filter(Verdict::hasLane).toList()) {
      String plainName = Topology.withoutLane(lane.topology());
      Optional<TopologyResult> twin = measured.stream()
          .filter(r -> r.topology().equalsIgnoreCase(plainName)).findFirst();
      if (lane.background() == null || lane.background().requests() == 0) {
        out.add(lane.topology() + " has a background lane, but no background requests were fired (--background 0),"
            + " so the lane had nothing to do" + twin.map(t -> " and the row measured the same pools as "
            + t.topology()).orElse("") + ".");
      } else if (twin.isEmpty() || twin.get().background() == null) {
        out.add(lane.topology() + " ran without " + plainName + " to compare with, so what the lane bought cannot"
            + " be told: foreground p99 page latency " + p99WithInterval(lane.pageLatencyMs().p99(),
            lane.pageLatencyP99CiMs()) + ", background p99 " + p99WithInterval(lane.background().latencyMs().p99(),
            lane.background().latencyP99CiMs()) + ", " + completed(lane.background()) + ".");
      } else {
        out.add(laneTrade(scenario, lane, twin.get()));
      }
    }
  }

  /** What the lane gave the pages (foreground p99) and what it cost the prefetch (background p99, failures). */
  static String laneTrade(Scenario scenario, TopologyResult lane, TopologyResult plain) {
    Background laneBackground = lane.background();
    Background plainBackground = plain.background();
    int cap = Topology.laneOf(lane.topology());
    Difference pages = compare(lane.pageLatencyMs().p99(), lane.pageLatencyP99CiMs(), plain.pageLatencyMs().p99(),
        plain.pageLatencyP99CiMs());
    String foreground = p99WithInterval(lane.pageLatencyMs().p99(), lane.pageLatencyP99CiMs()) + " against "
        + plain.topology() + "'s " + p99WithInterval(plain.pageLatencyMs().p99(), plain.pageLatencyP99CiMs());
    double change = relative(lane.pageLatencyMs().p99(), plain.pageLatencyMs().p99());
    String perPage = scenario == null ? "With background requests after every page, "
        : "With " + scenario.backgroundRequests() + " background " + plural(scenario.backgroundRequests(), "request",
            "requests") + " after every page, ";
    String timeouts = laneBackground.failures().poolTimeout() == 0 ? ""
        : Figures.count(laneBackground.failures().poolTimeout()) + " of its " + Figures.count(laneBackground.requests())
            + " background requests got no connection within the acquire timeout"
            + (scenario == null ? "" : " of " + Figures.count(scenario.acquireTimeoutMs()) + " ms")
            + (cap > 0 ? " (the lane holds at most " + cap + ")" : "");
    StringBuilder s = new StringBuilder(perPage).append(lane.topology());
    switch (pages) {
      case LOWER -> {
        if (timeouts.isEmpty()) {
          s.append(" lowered the foreground p99 page latency beyond the noise interval: ").append(foreground)
              .append(", ").append(Figures.percent(change)).append(" lower");
        } else {
          s.append(" lowered the foreground p99 page latency beyond the noise interval (").append(foreground)
              .append(", ").append(Figures.percent(change)).append(" lower), but ").append(timeouts)
              .append(": the pages' gain was paid for with failed prefetches");
        }
      }
      case HIGHER -> s.append(" raised the foreground p99 page latency beyond the noise interval: ").append(foreground)
          .append(", ").append(Figures.percent(change)).append(" higher");
      case WITHIN_NOISE -> s.append(" did not change the foreground p99 page latency beyond the noise interval: ")
          .append(foreground);
    }
    s.append("; pages/s ").append(Figures.rate(lane.pagesPerS())).append(" against ")
        .append(Figures.rate(plain.pagesPerS())).append(". ");
    Difference prefetch = compare(laneBackground.latencyMs().p99(), laneBackground.latencyP99CiMs(),
        plainBackground.latencyMs().p99(), plainBackground.latencyP99CiMs());
    String cost = switch (prefetch) {
      case HIGHER -> "The prefetch paid for the lane: its p99 rose beyond the noise interval to ";
      case LOWER -> "The prefetch did not pay for the lane: its p99 fell beyond the noise interval to ";
      case WITHIN_NOISE -> "The prefetch's p99 did not change beyond the noise interval: ";
    };
    s.append(cost).append(p99WithInterval(laneBackground.latencyMs().p99(), laneBackground.latencyP99CiMs()))
        .append(" against ").append(p99WithInterval(plainBackground.latencyMs().p99(),
            plainBackground.latencyP99CiMs()))
        .append(", p50 ").append(Figures.ms(laneBackground.latencyMs().p50())).append(" against ")
        .append(Figures.ms(plainBackground.latencyMs().p50())).append(" ms, and ");
    s.append(completed(laneBackground));
    if (pages != Difference.LOWER && !timeouts.isEmpty()) {
      s.append(" (").append(timeouts).append(")");
    }
    return s.append('.').toString();
  }

  /** Background failures of rows without a lane (a lane row's are in its trade sentence). */
  private static void backgroundFailures(List<TopologyResult> measured, List<String> out) {
    for (TopologyResult row : measured) {
      Background background = row.background();
      if (background == null || background.failures().total() == 0 || hasLane(row)) {
        continue;
      }
      Failures f = background.failures();
      List<String> causes = new ArrayList<>();
      if (f.poolTimeout() > 0) {
        causes.add(Figures.count(f.poolTimeout()) + " timed out waiting for a pool connection");
      }
      if (f.tooManyClients() > 0) {
        causes.add(Figures.count(f.tooManyClients()) + " were refused with 53300 too many clients");
      }
      if (f.poolLocked() > 0) {
        causes.add(Figures.count(f.poolLocked()) + " were failed by the pool-locking guard");
      }
      if (f.other() > 0) {
        causes.add(Figures.count(f.other()) + " failed for other reasons");
      }
      out.add(Figures.count(f.total()) + " of " + row.topology() + "'s " + Figures.count(background.requests())
          + " background requests failed: " + join(causes) + ".");
    }
  }

  private static String completed(Background background) {
    long failed = background.failures().total();
    return failed == 0 ? "all " + Figures.count(background.requests()) + " background requests completed"
        : Figures.count(failed) + " of " + Figures.count(background.requests()) + " background requests failed";
  }

  private static String p99WithInterval(double p99, Interval interval) {
    return Figures.ms(p99) + " ms" + (interval == null ? "" : " (95 % CI " + TerminalTable.interval(interval) + ")");
  }

  /* --- The sizing model --- */

  private static void auto(List<TopologyResult> measured, List<String> out) {
    for (TopologyResult auto : measured.stream().filter(Verdict::isAuto).toList()) {
      StringBuilder s = new StringBuilder(auto.topology());
      s.append(size(auto) > 0 ? " used the size the sizing model recommended, " + size(auto) + " connections: "
          : " used the size the sizing model recommended: ");
      s.append(Figures.rate(auto.pagesPerS())).append(" pages/s, p99 page latency ")
          .append(Figures.ms(auto.pageLatencyMs().p99())).append(" ms");
      if (failed(auto) > 0) {
        s.append(", ").append(Figures.count(failed(auto))).append(" failed requests");
      }
      Optional<TopologyResult> best = measured.stream().filter(r -> r != auto && failed(r) == 0)
          .max(Comparator.comparingDouble(TopologyResult::pagesPerS));
      if (best.isPresent()) {
        double gap = relative(auto.pagesPerS(), best.get().pagesPerS());
        Difference pages = pages(auto, best.get());
        if (pages == Difference.WITHIN_NOISE) {
          s.append(", within noise of ").append(best.get().topology()).append("'s ")
              .append(pagesWithInterval(best.get()));
        } else if (pages == Difference.LOWER) {
          s.append(", ").append(Figures.percent(gap)).append(" below ").append(best.get().topology());
        } else {
          s.append(", ").append(Figures.percent(gap)).append(" more than any other topology without failures");
        }
      }
      if (Figures.present(auto.predictedP99WaitMs())) {
        s.append("; the model predicted a p99 acquire wait of ").append(Figures.ms(auto.predictedP99WaitMs()))
            .append(" ms and ").append(Figures.ms(auto.acquireWaitMs().p99())).append(" ms was measured")
            .append(agrees(auto) ? "" : " (" + disagreement(auto) + ")");
      }
      out.add(s.append('.').toString());
    }
  }

  private static void modelCheck(List<TopologyResult> measured, List<String> out) {
    List<TopologyResult> predicted = measured.stream()
        .filter(r -> !isAuto(r) && Figures.present(r.predictedP99WaitMs())).toList();
    if (predicted.isEmpty()) {
      return;
    }
    String pairs = predicted.stream().map(r -> r.topology() + " " + Figures.ms(r.predictedP99WaitMs())
        + " ms predicted, " + Figures.ms(r.acquireWaitMs().p99()) + " ms measured"
        + (agrees(r) ? "" : " (" + disagreement(r) + ")")).collect(Collectors.joining("; "));
    boolean all = predicted.stream().allMatch(Verdict::agrees);
    out.add("The sizing model's p99 acquire wait against the measured one: " + pairs
        + (all ? " — " + (predicted.size() == 1 ? "within" : "all within") + " a factor of two." : "."));
  }

  private static boolean agrees(TopologyResult row) {
    double predicted = row.predictedP99WaitMs();
    double measured = row.acquireWaitMs().p99();
    if (Math.abs(predicted - measured) <= 1.0) {
      return true;
    }
    double low = Math.min(predicted, measured);
    return low > 0 && Math.max(predicted, measured) / low <= MODEL_AGREEMENT_FACTOR;
  }

  private static String disagreement(TopologyResult row) {
    double predicted = row.predictedP99WaitMs();
    double measured = row.acquireWaitMs().p99();
    String direction = predicted > measured ? "the model overestimated" : "the model underestimated";
    double low = Math.min(predicted, measured);
    return low > 0 ? direction + " ×" + Figures.rate(Math.max(predicted, measured) / low) : direction;
  }

  /* --- Helpers --- */

  /** Who did better of two rows, {@link #outcome first against second}. */
  enum Outcome {
    /** The first row: no failures where the second had some, or better in a figure and worse in none. */
    FIRST,
    /** The second row, likewise. */
    SECOND,
    /** Neither figure separated beyond the noise interval, and both or neither had failures. */
    WITHIN_NOISE,
    /** One row served more pages/s, the other had the lower p99 page latency, both beyond the noise interval. */
    SPLIT
  }

  /**
   * {@code first} against {@code second}: failures first (a row without failed requests beats one with), then
   * pages/s (higher is better) and p99 page latency (lower is better), each only beyond the noise interval.
   */
  static Outcome outcome(TopologyResult first, TopologyResult second) {
    if ((failed(first) == 0) != (failed(second) == 0)) {
      return failed(first) == 0 ? Outcome.FIRST : Outcome.SECOND;
    }
    Difference pages = pages(first, second);
    Difference p99 = p99(first, second);
    boolean firstBetter = pages == Difference.HIGHER || p99 == Difference.LOWER;
    boolean secondBetter = pages == Difference.LOWER || p99 == Difference.HIGHER;
    if (firstBetter && secondBetter) {
      return Outcome.SPLIT;
    }
    return firstBetter ? Outcome.FIRST : secondBetter ? Outcome.SECOND : Outcome.WITHIN_NOISE;
  }

  /** {@code a}'s pages/s against {@code b}'s, beyond the noise interval only. */
  static Difference pages(TopologyResult a, TopologyResult b) {
    return compare(a.pagesPerS(), a.pagesPerSCi(), b.pagesPerS(), b.pagesPerSCi());
  }

  /** {@code a}'s p99 page latency against {@code b}'s, beyond the noise interval only. */
  static Difference p99(TopologyResult a, TopologyResult b) {
    return compare(a.pageLatencyMs().p99(), a.pageLatencyP99CiMs(), b.pageLatencyMs().p99(), b.pageLatencyP99CiMs());
  }

  /** "A and B split the decision: …" for two rows whose figures separated in opposite directions. */
  static String splitDecision(TopologyResult a, TopologyResult b) {
    boolean aFaster = pages(a, b) == Difference.HIGHER;
    TopologyResult faster = aFaster ? a : b;
    TopologyResult lower = aFaster ? b : a;
    return a.topology() + " and " + b.topology() + " split the decision, neither was better on both figures: "
        + faster.topology() + " served more pages/s (" + Figures.rate(faster.pagesPerS()) + " against "
        + Figures.rate(lower.pagesPerS()) + rateIntervals(faster.pagesPerSCi(), lower.pagesPerSCi()) + ") but "
        + lower.topology() + " had the lower p99 page latency (" + Figures.ms(lower.pageLatencyMs().p99())
        + " against " + Figures.ms(faster.pageLatencyMs().p99()) + " ms"
        + intervals(lower.pageLatencyP99CiMs(), faster.pageLatencyP99CiMs()) + ")";
  }

  /**
   * "{@code 40.8 against 40.0 pages/s [95 % CI 39.9–41.6 and 39.1–40.8], p99 page latency 590 against 600 ms
   * [95 % CI …]}": {@code a} first; the intervals only where both rows have them.
   */
  static String versus(TopologyResult a, TopologyResult b) {
    return Figures.rate(a.pagesPerS()) + " against " + Figures.rate(b.pagesPerS()) + " pages/s"
        + rateIntervals(a.pagesPerSCi(), b.pagesPerSCi()) + ", p99 page latency " + Figures.ms(a.pageLatencyMs().p99())
        + " against " + Figures.ms(b.pageLatencyMs().p99()) + " ms"
        + intervals(a.pageLatencyP99CiMs(), b.pageLatencyP99CiMs());
  }

  /**
   * " [95 % CI 398–430 and 401–455]" (ms), or nothing when either is missing. Brackets, because the figures they
   * follow often stand in parentheses already.
   */
  private static String intervals(Interval a, Interval b) {
    return bothIntervals(a, b, TerminalTable::interval);
  }

  /** {@link #intervals} of pages/s, one decimal: " [95 % CI 39.9–41.6 and 39.1–40.8]". */
  private static String rateIntervals(Interval a, Interval b) {
    return bothIntervals(a, b, TerminalTable::rateInterval);
  }

  private static String bothIntervals(Interval a, Interval b, Function<Interval, String> format) {
    return a == null || b == null ? "" : " [95 % CI " + format.apply(a) + " and " + format.apply(b) + "]";
  }

  /** "80.2 pages/s (95 % CI 79.1–81.3)". */
  private static String pagesWithInterval(TopologyResult row) {
    return Figures.rate(row.pagesPerS()) + " pages/s"
        + (row.pagesPerSCi() == null ? "" : " (95 % CI " + TerminalTable.rateInterval(row.pagesPerSCi()) + ")");
  }

  /** How {@code winner} beat {@code loser}, in the figures that separated beyond the noise interval. */
  private static String difference(TopologyResult winner, TopologyResult loser) {
    double pages = relative(winner.pagesPerS(), loser.pagesPerS());
    double p99 = relative(winner.pageLatencyMs().p99(), loser.pageLatencyMs().p99());
    List<String> parts = new ArrayList<>();
    if (pages(winner, loser) == Difference.HIGHER) {
      parts.add(Figures.percent(pages) + " more pages/s");
    }
    if (p99(winner, loser) == Difference.LOWER) {
      parts.add(Figures.percent(p99) + " lower p99 page latency");
    }
    if (parts.isEmpty()) {
      parts.add(failed(loser) > 0 ? "no failed requests" : "similar throughput and latency");
    }
    return join(parts);
  }

  private static String failureNote(TopologyResult a, TopologyResult b) {
    if (failed(a) == 0 && failed(b) == 0) {
      return "";
    }
    return ", failed requests " + Figures.count(failed(a)) + " against " + Figures.count(failed(b));
  }

  static long failed(TopologyResult row) {
    return row.failures() == null ? 0 : row.failures().total();
  }

  /** (a - b) / b; infinite when b is zero and a is not. */
  static double relative(double a, double b) {
    if (b == 0) {
      return a == 0 ? 0 : Math.copySign(Double.POSITIVE_INFINITY, a);
    }
    return (a - b) / b;
  }

  /** The topology's kind: the part before the colon ({@code single}, {@code partitioned}, …). */
  static String kind(TopologyResult row) {
    int colon = row.topology().indexOf(':');
    return colon < 0 ? row.topology() : row.topology().substring(0, colon);
  }

  /** A {@code +lane:K} topology. */
  static boolean hasLane(TopologyResult row) {
    return row.topology().contains(Topology.LANE_SUFFIX);
  }

  static boolean isAuto(TopologyResult row) {
    return row.topology().endsWith(":auto");
  }

  static boolean isHikari(TopologyResult row) {
    return "hikari".equals(row.pool()) || kind(row).equals("hikari");
  }

  static boolean isSinglePoolwise(TopologyResult row) {
    return kind(row).equals("single") && !"hikari".equals(row.pool());
  }

  /** The topology's total maximum connections; from its name ({@code single:20}, {@code 3x12}) if not recorded. */
  static int size(TopologyResult row) {
    if (row.totalMaxConnections() > 0) {
      return row.totalMaxConnections();
    }
    int[] parsed = parse(row);
    return parsed == null ? 0 : parsed[0] * parsed[1];
  }

  static int poolCount(TopologyResult row) {
    if (row.poolCount() > 0) {
      return row.poolCount();
    }
    int[] parsed = parse(row);
    return parsed == null ? 0 : parsed[0];
  }

  /** {pools, size of each} from {@code kind:N} or {@code kind:KxN[/M]}, or null. */
  private static int[] parse(TopologyResult row) {
    int colon = row.topology().indexOf(':');
    if (colon < 0) {
      return null;
    }
    String spec = Topology.withoutLane(row.topology()).substring(colon + 1);
    int slash = spec.indexOf('/');
    if (slash >= 0) {
      spec = spec.substring(0, slash);
    }
    try {
      int x = spec.indexOf('x');
      return x < 0 ? new int[] {1, Integer.parseInt(spec)}
          : new int[] {Integer.parseInt(spec.substring(0, x)), Integer.parseInt(spec.substring(x + 1))};
    } catch (NumberFormatException e) {
      return null;
    }
  }

  private static String join(List<String> parts) {
    if (parts.size() <= 1) {
      return String.join("", parts);
    }
    return String.join(", ", parts.subList(0, parts.size() - 1)) + " and " + parts.get(parts.size() - 1);
  }

  private static String plural(long n, String one, String many) {
    return n == 1 ? one : many;
  }

  private static String stripPeriod(String reason) {
    String trimmed = reason.strip();
    return trimmed.endsWith(".") ? trimmed.substring(0, trimmed.length() - 1) : trimmed;
  }
}
