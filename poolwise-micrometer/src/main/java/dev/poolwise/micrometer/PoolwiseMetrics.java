package dev.poolwise.micrometer;

import dev.poolwise.PoolListener;
import dev.poolwise.PoolSnapshot;
import dev.poolwise.PoolSnapshot.HolderState;
import dev.poolwise.PoolSnapshot.TimingStats;
import dev.poolwise.PoolwiseDataSource;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.TimeGauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.ToDoubleFunction;

/**
 * Micrometer meters for one {@link PoolwiseDataSource}, all tagged {@code pool=<poolName>}:
 *
 * <pre>{@code
 * new PoolwiseMetrics(pool).bindTo(registry);
 * }</pre>
 *
 * <ul>
 *   <li>gauges {@code poolwise.connections.active}, {@code .idle}, {@code .total}, {@code .max},
 *       {@code .min}, {@code .pending} (threads waiting for a connection), {@code .creating} (physical
 *       connects in flight) and {@code poolwise.connections.holders} by {@code state} (executing,
 *       idle_in_transaction, held_idle, suspected_leak);</li>
 *   <li>function counters {@code poolwise.connections.acquisitions} and {@code poolwise.connections.timeouts};</li>
 *   <li>time gauges {@code poolwise.connections.wait.oldest}, and for acquire waits
 *       ({@code poolwise.connections.wait.*}) and holds ({@code poolwise.connections.usage.*}) the mean, p50,
 *       p95, p99 and max over the pool's recent window.</li>
 * </ul>
 *
 * <p>The wait and usage figures are the pool's own windowed statistics (the last few hundred borrows and
 * returns, see {@link PoolSnapshot#holdTimes()}), read at scrape time; they are not Micrometer timers or
 * histograms, cannot be aggregated across instances, and say nothing about the time between two scrapes
 * beyond what the window holds. The full list, with units, is in {@code docs/metrics.md}.
 *
 * <p>Every meter reads one {@link PoolSnapshot}, reused for {@value #SNAPSHOT_REUSE_MILLIS} ms, so the
 * values of one scrape come from one instant and agree with each other ({@code active + idle == total}),
 * and a scrape takes the pool's lock once rather than once per meter.
 */
public final class PoolwiseMetrics implements MeterBinder, AutoCloseable, PoolListener {

  /*
   * Concurrency: meters are read by whatever thread scrapes the registry, possibly several at once. The
   * cached snapshot is an immutable record published through a volatile field. Two scrapers that find it
   * stale at the same moment both take a fresh snapshot; that race is benign (each gets a consistent
   * snapshot, the later write wins) and cheaper than a lock that every scrape would contend on.
   *
   * References: Micrometer holds a gauge's state object weakly. The state object here is the pool, and
   * each meter's function captures this binder, which holds the pool strongly; so the meters keep the pool
   * reachable until close() removes them. That is deliberate: a gauge of a collected pool would read NaN
   * with no explanation, while close() (called by Spring when the pool bean is destroyed) is explicit.
   *
   * Failure modes: after the pool is closed, the snapshot still reads (all counts drop to zero as
   * connections close); gauges report what the pool says rather than NaN, so a dashboard shows the drop.
   */

  /** How long one snapshot serves all meters: long enough to cover one scrape, short enough to look live. */
  static final long SNAPSHOT_REUSE_MILLIS = 100;

  private static final String PREFIX = "poolwise.connections.";

  private final PoolwiseDataSource pool;
  // Set once in bindTo, then read by the pool's threads through the listener callbacks.
  private volatile Timer acquireTimer;
  private volatile Timer usageTimer;
  private volatile Timer creationTimer;
  private volatile Timer timeoutTimer;
  private final Tags tags;
  private final List<Meter> meters = new ArrayList<>();
  private MeterRegistry boundRegistry;
  /** The last snapshot with the {@code System.nanoTime()} it was taken at; one field, so the two always match. */
  private volatile Cached cached;

  private record Cached(PoolSnapshot snapshot, long takenAtNanos) {}

  /** Meters tagged {@code pool=<poolName>}. */
  public PoolwiseMetrics(PoolwiseDataSource pool) {
    this(pool, Tags.empty());
  }

  /** Meters tagged {@code pool=<poolName>} plus {@code extraTags} (for example the application's name). */
  public PoolwiseMetrics(PoolwiseDataSource pool, Iterable<Tag> extraTags) {
    this.pool = Objects.requireNonNull(pool, "pool");
    this.tags = Tags.of("pool", pool.poolName()).and(Objects.requireNonNull(extraTags, "extraTags"));
  }

  @Override
  public synchronized void bindTo(MeterRegistry registry) {
    Objects.requireNonNull(registry, "registry");
    if (boundRegistry != null) {
      throw new IllegalStateException("PoolwiseMetrics for pool '" + pool.poolName()
          + "' is already bound to a registry; create one PoolwiseMetrics per registry (or use a CompositeMeterRegistry)");
    }
    boundRegistry = registry;

    // No base unit on the counts: the name already says "connections", and Prometheus would append the
    // unit again (poolwise_connections_active_connections). Times are in the registry's base time unit.
    gauge(registry, "active", "Connections borrowed by the application", PoolSnapshot::active);
    gauge(registry, "idle", "Connections ready to be borrowed", PoolSnapshot::idle);
    gauge(registry, "total", "Physical connections open (active + idle)", PoolSnapshot::total);
    gauge(registry, "max", "The pool's maxSize", PoolSnapshot::maxSize);
    // Equal to max unless the pool is a fleet member whose share of the server budget is smaller (docs/fleet.md).
    gauge(registry, "limit", "The most connections the pool may hold now: maxSize, or its fleet cap when lower",
        snapshot -> snapshot.fleet() == null ? snapshot.maxSize() : Math.min(snapshot.maxSize(), snapshot.fleet().cap()));
    gauge(registry, "min", "The pool's minIdle", PoolSnapshot::minIdle);
    gauge(registry, "pending", "Threads waiting for a connection", PoolSnapshot::waiting);
    gauge(registry, "creating", "Physical connects in flight", PoolSnapshot::pendingCreations);
    for (HolderState state : HolderState.values()) {
      meters.add(Gauge.builder(PREFIX + "holders", pool, p -> holdersIn(state))
          .tags(tags).tag("state", state.name().toLowerCase(Locale.ROOT))
          .description("Borrowed connections by what their holder is doing (only counted while diagnostics are on)")
          .register(registry));
    }

    meters.add(FunctionCounter.builder(PREFIX + "acquisitions", pool, p -> snapshot().acquisitions())
        .tags(tags).description("Connections handed out since the pool started")
        .register(registry));
    meters.add(FunctionCounter.builder(PREFIX + "timeouts", pool, p -> snapshot().timeouts())
        .tags(tags).description("Borrowers that gave up after acquireTimeout since the pool started")
        .register(registry));

    meters.add(FunctionCounter.builder(PREFIX + "created", pool, p -> snapshot().connectionsCreated())
        .tags(tags).description("Physical connections opened since the pool started")
        .register(registry));
    meters.add(FunctionCounter.builder(PREFIX + "creation.failures", pool, p -> snapshot().creationFailures())
        .tags(tags).description("Failed attempts to open a physical connection (refused, unreachable, timed out)")
        .register(registry));
    meters.add(FunctionCounter.builder(PREFIX + "leaks", pool, p -> snapshot().leaksReported())
        .tags(tags).description("Borrows reported as suspected leaks (held past leakThreshold without running SQL)")
        .register(registry));
    for (PoolSnapshot.EvictionCause cause : PoolSnapshot.EvictionCause.values()) {
      meters.add(FunctionCounter.builder(PREFIX + "evictions", pool,
              p -> snapshot().evictions().getOrDefault(cause, 0L))
          .tags(tags).tag("cause", cause.name().toLowerCase(Locale.ROOT))
          .description("Physical connections closed by the pool, by cause")
          .register(registry));
    }

    timeGauge(registry, "wait.oldest", "How long the longest-waiting thread has waited so far",
        PoolSnapshot::oldestWait);
    timings(registry, "wait", "Acquire wait", PoolSnapshot::waitTimes);
    timings(registry, "usage", "Connection hold (borrow to return)", PoolSnapshot::holdTimes);
    timings(registry, "creation", "Physical connect", PoolSnapshot::creationTimes);

    // Per-event timers, fed by the pool's listener callbacks: these aggregate across instances.
    acquireTimer = timer(registry, "acquire", "Time inside getConnection() until a connection was handed out");
    usageTimer = timer(registry, "usage", "Time a connection was borrowed (borrow to return)");
    creationTimer = timer(registry, "creation", "Time to open a physical connection");
    timeoutTimer = timer(registry, "timeout", "Time borrowers waited before a PoolTimeoutException");
    pool.addListener(this);
  }

  private Timer timer(MeterRegistry registry, String name, String description) {
    Timer timer = Timer.builder(PREFIX + name).tags(tags).description(description).register(registry);
    meters.add(timer);
    return timer;
  }

  @Override
  public void acquired(long waitNanos) {
    record(acquireTimer, waitNanos);
  }

  @Override
  public void released(long holdNanos) {
    record(usageTimer, holdNanos);
  }

  @Override
  public void created(long connectNanos) {
    record(creationTimer, connectNanos);
  }

  @Override
  public void timedOut(long waitNanos) {
    record(timeoutTimer, waitNanos);
  }

  private static void record(Timer timer, long nanos) {
    if (timer != null) {
      timer.record(nanos, TimeUnit.NANOSECONDS);
    }
  }

  /**
   * Remove this binder's meters from the registry it was bound to, so a closed pool does not linger on
   * dashboards (and is no longer kept reachable by the registry). The pool itself is not closed.
   */
  @Override
  public synchronized void close() {
    pool.removeListener(this);
    if (boundRegistry != null) {
      meters.forEach(boundRegistry::remove);
      meters.clear();
    }
  }

  /** The snapshot the meters read: a fresh one unless the last is younger than {@link #SNAPSHOT_REUSE_MILLIS}. */
  PoolSnapshot snapshot() {
    Cached last = cached;
    long now = System.nanoTime();
    if (last == null || now - last.takenAtNanos() > TimeUnit.MILLISECONDS.toNanos(SNAPSHOT_REUSE_MILLIS)) {
      last = new Cached(pool.snapshot(), now);
      cached = last; // benign race, see the class comment
    }
    return last.snapshot();
  }

  private double holdersIn(HolderState state) {
    int count = 0;
    for (PoolSnapshot.Holder holder : snapshot().holders()) {
      if (holder.state() == state) {
        count++;
      }
    }
    return count;
  }

  private void gauge(MeterRegistry registry, String name, String description, ToDoubleFunction<PoolSnapshot> value) {
    meters.add(Gauge.builder(PREFIX + name, pool, p -> value.applyAsDouble(snapshot()))
        .tags(tags).description(description).register(registry));
  }

  private void timings(MeterRegistry registry, String name, String what, Function<PoolSnapshot, TimingStats> stats) {
    String window = " over the pool's recent window (0 until the first event)";
    timeGauge(registry, name + ".mean", what + ": mean" + window, s -> stats.apply(s).mean());
    timeGauge(registry, name + ".p50", what + ": median" + window, s -> stats.apply(s).p50());
    timeGauge(registry, name + ".p95", what + ": 95th percentile" + window, s -> stats.apply(s).p95());
    timeGauge(registry, name + ".p99", what + ": 99th percentile" + window, s -> stats.apply(s).p99());
    timeGauge(registry, name + ".max", what + ": longest" + window, s -> stats.apply(s).max());
  }

  private void timeGauge(MeterRegistry registry, String name, String description,
      Function<PoolSnapshot, Duration> value) {
    meters.add(TimeGauge.builder(PREFIX + name, pool, TimeUnit.NANOSECONDS,
            p -> value.apply(snapshot()).toNanos())
        .tags(tags).description(description).register(registry));
  }

  @Override
  public String toString() {
    return "PoolwiseMetrics[pool=" + pool.poolName() + ", tags=" + tags + "]";
  }
}
