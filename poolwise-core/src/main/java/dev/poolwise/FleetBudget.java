package dev.poolwise;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One member of a fleet: pools of the same {@code fleet} name, usually one per replica of a service, that
 * share the PostgreSQL server's connection budget. Each member caps its own size to its max–min fair share;
 * they coordinate through the database alone.
 *
 * <h2>How members see each other</h2>
 * Every pooled connection of a member starts its session with {@code application_name =
 * "pwf:<fleet>:<member>"} (plus the application's own name, if it gave one), sent in the startup packet so
 * that {@code DISCARD ALL} keeps it. Each member also holds one <em>beacon</em> connection outside the pool and
 * writes its demand into it with {@code SET application_name = 'pwf:<fleet>:<member>:<demand>'}. Every
 * evaluation reads {@code pg_stat_activity} (the rows every role may see) over the beacon and counts, per
 * member, the connections it holds and the demand it published; every other client connection is "outside the
 * fleet". A member whose process dies disappears from {@code pg_stat_activity} with its sockets, so the next
 * evaluation of each survivor hands its share out again.
 *
 * <h2>The allocation</h2>
 * {@code budget = available to this role − connections outside the fleet − beacons − 2} (the two left free
 * let a new member join: its beacon and first connection), split by max–min
 * fairness (water-filling) over the members' demands, each demand at least 1 and at most that member's
 * {@code maxSize}: a member that wants less than an equal share gets what it wants, the rest is split among
 * the others. Every member computes the same split from the same rows (ties broken by member id), so the
 * shares add up to at most the budget. A member below its share grows only into slots that are free on the
 * server right now, split among the members that are below their share in proportion to what they lack: the
 * members above their share give theirs back by retiring idle connections and closing returned ones (never a
 * borrowed one), so a growing member would otherwise meet {@code 53300}. That is why a member that bursts
 * reaches its share within two evaluation periods: one for the others to see its demand and shrink, one to
 * grow into what they freed.
 *
 * <h2>Concurrency</h2>
 * Evaluations run on this member's own single thread ({@code <pool>-fleet}), never on an application thread
 * or under the pool's lock; the beacon connection is confined to that thread. The result is published through
 * volatile fields: {@link #cap} (read by the creator under the pool's lock and by the lock-free return path)
 * and {@link #status}. Demand is the peak of {@code borrowed + waiting}, sampled by this thread eight times per
 * period and at each evaluation (and at least {@code minIdle}); the samples read the pool's counts without its
 * lock, which can be off by a connection in flight. {@link #evaluateSoon} may be called from any thread, also under the pool's lock: it only schedules.
 *
 * <h2>Failure modes</h2>
 * A member starts with a cap of 1 and reads the fleet at once. When the database cannot be read (down,
 * unreachable, the beacon cannot log in), the member keeps its last cap and retries every period: a fleet that loses its database does not all grow back to {@code maxSize} at
 * once when it returns. The first failure of a streak is logged at WARN, the recovery at INFO. A
 * {@code 53300} refusal on a pool connect triggers an evaluation at once. The view is a snapshot: members
 * evaluate at different moments, so for up to one period the shares can add up to more than the budget while
 * one member has not yet seen another's new demand; growth only into free slots keeps that from turning into
 * refusals, except when a client outside the fleet takes slots at the same moment.
 */
final class FleetBudget implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(FleetBudget.class);

  /** The start of every fleet {@code application_name}; short, because PostgreSQL keeps only 63 bytes. */
  static final String PREFIX = "pwf:";
  /** Letters a fleet name may use: it goes into {@code application_name} unquoted. */
  static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.-]{1,24}");
  /** The eviction reason of a connection closed because the member was over its cap. */
  static final String RETIRE_REASON = "fleet budget: over the member's share";
  /** Evaluations asked for by waiters that the cap holds back are at least this far apart (a fraction of the period). */
  private static final int SOON_FRACTION = 4;
  /** Samples of demand per evaluation period. */
  private static final int SAMPLES_PER_PERIOD = 8;
  /**
   * Slots the fleet leaves free so that a new member can join: its beacon and its first pooled connection.
   * Without them a fleet that had taken the whole budget would refuse every newcomer with 53300.
   */
  static final int NEWCOMER_HEADROOM = 2;
  /** Seconds the pg_stat_activity read may take. */
  private static final int QUERY_TIMEOUT_SECONDS = 5;

  private static final String ROWS = "select application_name from pg_stat_activity where backend_type = 'client backend'"
      + " or (backend_type is null and datid is not null and usesysid is not null)";

  private final ConnectionPool pool;
  private final ConnectionFactory factory;
  private final PoolSettings settings;
  private final String fleet;
  private final String member;
  private final long periodNanos;
  private final ScheduledThreadPoolExecutor thread;
  private final AtomicBoolean soonScheduled = new AtomicBoolean();

  /**
   * The most connections this member may hold now. Starts at 1: a member that has not read the fleet yet does not
   * know its share, and taking {@code maxSize} at start would be the 53300 this class exists to prevent. The
   * first evaluation runs at once.
   */
  private volatile int cap;
  /** What the last successful evaluation saw; {@code null} before the first one. */
  private volatile @Nullable PoolSnapshot.Fleet status;
  /** Peak of borrowed + waiting since the last evaluation. */
  private volatile int peakDemand;
  private volatile long lastEvaluationNanos;

  // Confined to the fleet thread.
  private @Nullable Connection beacon;
  private int publishedDemand = -1;
  private int failuresInARow;

  FleetBudget(ConnectionPool pool, ConnectionFactory factory, PoolSettings settings) {
    this.pool = pool;
    this.factory = factory;
    this.settings = settings;
    this.fleet = Nulls.castToNonNull(settings.fleet()); // of(...) makes a member only for a named fleet
    this.member = memberIdOf(settings);
    this.periodNanos = settings.fleetInterval().toNanos();
    this.cap = 1;
    this.thread = new ScheduledThreadPoolExecutor(1, runnable -> {
      Thread fleetThread = new Thread(runnable, settings.poolName() + "-fleet");
      fleetThread.setDaemon(true);
      return fleetThread;
    });
    thread.setRemoveOnCancelPolicy(true);
    thread.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
  }

  /**
   * The fleet member for {@code pool}, or {@code null} when {@code settings} names no fleet, or PgBouncer is in
   * front (then the server budget is PgBouncer's: {@code max_connections} bounds its server pool, not ours).
   */
  static @Nullable FleetBudget of(ConnectionPool pool, ConnectionFactory factory, PoolSettings settings) {
    if (settings.fleet() == null) {
      return null;
    }
    if (!ServerBudget.appliesTo(settings)) {
      log.warn("Pool '{}': fleet '{}' is ignored behind PgBouncer (pgbouncer=true): PgBouncer's server pool, not"
          + " this pool, is what counts against max_connections; size default_pool_size for the fleet instead",
          settings.poolName(), settings.fleet());
      return null;
    }
    return new FleetBudget(pool, factory, settings);
  }

  /** The member id in {@code settings}' {@code application_name}: fixed per pool, random per start. */
  private static String memberIdOf(PoolSettings settings) {
    String applicationName = settings.driverProperties().get("ApplicationName");
    String[] parts = applicationName == null ? new String[0] : applicationName.split("[: ]", 4);
    return parts.length >= 3 ? parts[2] : randomMemberId();
  }

  /** Eight hex digits: enough that two replicas never draw the same one in practice. */
  static String randomMemberId() {
    return String.format("%08x", ThreadLocalRandom.current().nextInt());
  }

  /**
   * The {@code application_name} for the pooled connections of a new member of {@code fleet}, keeping
   * the application's own name after a space (cut to PostgreSQL's 63 bytes).
   */
  static String pooledApplicationName(String fleet, String member, @Nullable String applicationsOwn) {
    String name = PREFIX + fleet + ":" + member + (applicationsOwn == null || applicationsOwn.isBlank() ? "" : " " + applicationsOwn);
    return name.length() <= 63 ? name : name.substring(0, 63);
  }

  void start() {
    thread.scheduleWithFixedDelay(this::evaluateQuietly, 0, periodNanos, TimeUnit.NANOSECONDS);
    long samplePeriod = Math.max(1, periodNanos / SAMPLES_PER_PERIOD);
    thread.scheduleWithFixedDelay(() -> sampleDemand(pool.demandNow()), samplePeriod, samplePeriod, TimeUnit.NANOSECONDS);
  }

  /** The most connections this member may hold now. */
  int cap() {
    return cap;
  }

  /** What the last evaluation saw, or {@code null} before the first one succeeded. */
  @Nullable PoolSnapshot.Fleet status() {
    return status;
  }

  /** Records that {@code borrowed + waiting} reached {@code demand}; called from any thread. */
  void sampleDemand(int demand) {
    if (demand > peakDemand) {
      peakDemand = demand; // racy max: a concurrent higher sample can be lost, the next one restores it
    }
  }

  /**
   * Asks for an evaluation now, because a connect was refused with 53300 ({@code urgent}) or waiters are held
   * back by the cap; non-urgent requests are at least a quarter period apart. Never blocks: safe under the
   * pool's lock.
   */
  void evaluateSoon(boolean urgent) {
    if (!urgent && System.nanoTime() - lastEvaluationNanos < periodNanos / SOON_FRACTION) {
      return;
    }
    if (soonScheduled.compareAndSet(false, true)) {
      try {
        thread.execute(() -> {
          soonScheduled.set(false);
          evaluateQuietly();
        });
      } catch (RejectedExecutionException closing) {
        soonScheduled.set(false);
      }
    }
  }

  private void evaluateQuietly() {
    try {
      evaluate();
    } catch (RuntimeException | Error e) {
      log.error("Pool '{}': the fleet budget evaluation failed unexpectedly; keeping cap {} and trying again in {} ms",
          settings.poolName(), cap, TimeUnit.NANOSECONDS.toMillis(periodNanos), e);
    }
  }

  /** One evaluation on the fleet thread: publish demand, read the fleet, set the cap, shed idle connections. */
  void evaluate() {
    lastEvaluationNanos = System.nanoTime();
    // minIdle is demand too: a member configured to keep connections ready wants them.
    int demand = Math.min(settings.maxSize(), Math.max(settings.minIdle(), Math.max(peakDemand, pool.demandNow())));
    peakDemand = 0;
    FleetView view;
    ServerBudget budget;
    try {
      Connection connection = beacon();
      if (demand != publishedDemand) {
        try (Statement statement = connection.createStatement()) {
          statement.setQueryTimeout(QUERY_TIMEOUT_SECONDS);
          statement.execute("set application_name = '" + PREFIX + fleet + ":" + member + ":" + demand + "'");
        }
        publishedDemand = demand;
      }
      budget = ServerBudget.read(connection);
      if (budget == null) {
        throw new SQLException("the fleet budget needs PostgreSQL; the beacon connection reports another database");
      }
      view = FleetView.read(connection, fleet);
    } catch (SQLException | RuntimeException e) {
      closeBeacon();
      publishedDemand = -1;
      if (failuresInARow++ == 0) {
        log.warn("Pool '{}': cannot read the fleet '{}' from the database ({}); keeping the last cap of {} until it"
            + " can", settings.poolName(), fleet, e.getMessage(), cap);
      }
      return;
    }
    if (failuresInARow > 0) {
      log.info("Pool '{}': reading the fleet '{}' works again after {} failed attempt(s)", settings.poolName(), fleet,
          failuresInARow);
      failuresInARow = 0;
    }
    int held = pool.totalAndPending();
    Decision decision = decide(view, member, demand, settings.maxSize(), held, budget.availableToApplication());
    int previous = cap;
    cap = decision.cap();
    status = new PoolSnapshot.Fleet(fleet, member, decision.cap(), decision.members(), decision.budget(), demand,
        decision.share(), Instant.now());
    if (decision.cap() != previous) {
      log.debug("Pool '{}': fleet '{}' cap {} → {} ({} members share {} connections; demand {}, share {})",
          settings.poolName(), fleet, previous, decision.cap(), decision.members(), decision.budget(), demand,
          decision.share());
    }
    pool.retireIdleAboveFleetCap();
  }

  private Connection beacon() throws SQLException {
    if (beacon != null && !beacon.isClosed()) {
      return beacon;
    }
    beacon = factory.open(settings.credentials().get());
    if (!beacon.getAutoCommit()) {
      beacon.setAutoCommit(true);
    }
    return beacon;
  }

  private void closeBeacon() {
    Connection closing = beacon;
    beacon = null;
    if (closing != null) {
      try {
        closing.close();
      } catch (SQLException | RuntimeException e) {
        log.debug("Pool '{}': closing the fleet beacon failed: {}", settings.poolName(), e.toString());
      }
    }
  }

  @Override
  public void close() {
    thread.shutdownNow();
    try {
      thread.awaitTermination(QUERY_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    closeBeacon(); // after the thread stopped: it was confined there
  }

  /* --- The allocation: pure functions of what pg_stat_activity showed --- */

  /**
   * What one read of {@code pg_stat_activity} showed about one fleet.
   *
   * @param held connections per member id (pooled ones; beacons not included)
   * @param demand demand per member id, as each member's beacon published it
   * @param outside client connections that belong to no member of this fleet
   * @param allClients every client connection on the server
   */
  record FleetView(Map<String, Integer> held, Map<String, Integer> demand, int outside, int allClients) {

    static FleetView read(Connection connection, String fleet) throws SQLException {
      List<String> names = new ArrayList<>();
      try (Statement statement = connection.createStatement()) {
        statement.setQueryTimeout(QUERY_TIMEOUT_SECONDS);
        try (ResultSet rows = statement.executeQuery(ROWS)) {
          while (rows.next()) {
            names.add(rows.getString(1));
          }
        }
      }
      return of(names, fleet);
    }

    /** Classifies {@code application_name}s: a member's pooled connection, its beacon, or outside the fleet. */
    static FleetView of(List<String> applicationNames, String fleet) {
      String prefix = PREFIX + fleet + ":";
      Map<String, Integer> held = new TreeMap<>();
      Map<String, Integer> demand = new TreeMap<>();
      int outside = 0;
      for (String name : applicationNames) {
        if (name == null || !name.startsWith(prefix)) {
          outside++;
          continue;
        }
        String rest = name.substring(prefix.length());
        int space = rest.indexOf(' ');
        String[] parts = (space < 0 ? rest : rest.substring(0, space)).split(":", 2);
        String id = parts[0];
        if (parts.length == 2 && space < 0 && parts[1].matches("\\d{1,6}")) {
          demand.put(id, Integer.parseInt(parts[1]));
        } else {
          held.merge(id, 1, Integer::sum);
        }
      }
      return new FleetView(held, demand, outside, applicationNames.size());
    }

    /** Every member seen: with a beacon, pooled connections, or both. */
    List<String> members() {
      TreeSet<String> ids = new TreeSet<>(held.keySet());
      ids.addAll(demand.keySet());
      return List.copyOf(ids);
    }
  }

  /**
   * The outcome of one evaluation.
   *
   * @param cap the most connections this member may hold now
   * @param share this member's fair share of the budget
   * @param members members seen, this one included
   * @param budget connections the fleet's pools may hold together
   */
  record Decision(int cap, int share, int members, int budget) {}

  /**
   * This member's cap, given the view, its own fresh {@code demand} and {@code held} (total plus connecting),
   * its {@code maxSize} and what the server allows the role ({@code available}).
   */
  static Decision decide(FleetView view, String self, int demand, int maxSize, int held, int available) {
    Map<String, Integer> demands = new HashMap<>();
    for (String id : view.members()) {
      // A member without a beacon (its beacon is reconnecting) wants what it holds.
      demands.put(id, view.demand().getOrDefault(id, view.held().getOrDefault(id, 0)));
    }
    demands.put(self, demand);
    int beacons = view.demand().size() + (view.demand().containsKey(self) ? 0 : 1);
    int budget = Math.max(0, available - view.outside() - beacons - NEWCOMER_HEADROOM);
    Map<String, Integer> shares = maxMinShares(demands, budget);
    int share = Math.min(maxSize, Nulls.castToNonNull(shares.get(self))); // every member of demands has a share
    int cap;
    if (share <= held) {
      cap = share;
    } else {
      // Grow only into slots free on the server now (keeping the newcomers' two), split among the members below
      // their share.
      int free = Math.max(0, available - view.allClients() - NEWCOMER_HEADROOM
          - (view.demand().containsKey(self) ? 0 : 1));
      int lacking = 0;
      for (Map.Entry<String, Integer> entry : shares.entrySet()) {
        int heldByMember = entry.getKey().equals(self) ? held : view.held().getOrDefault(entry.getKey(), 0);
        lacking += Math.max(0, entry.getValue() - heldByMember);
      }
      int mine = share - held;
      int grant = lacking == 0 ? 0 : (int) ((long) free * mine / lacking);
      cap = held + Math.min(mine, grant);
    }
    return new Decision(Math.max(1, Math.min(maxSize, cap)), share, demands.size(), budget);
  }

  /**
   * Max–min fair shares of {@code budget} (water-filling): members in order of demand each get
   * {@code min(demand, what is left ÷ members left)}; every demand counts as at least 1. The remainder of the
   * division goes to the members with the smallest ids first, so every member computes the same split.
   */
  static Map<String, Integer> maxMinShares(Map<String, Integer> demands, int budget) {
    List<String> ids = new ArrayList<>(demands.keySet());
    ids.sort((a, b) -> {
      // a and b, like id below, are keys of demands
      int byDemand = Integer.compare(Math.max(1, Nulls.castToNonNull(demands.get(a))),
          Math.max(1, Nulls.castToNonNull(demands.get(b))));
      return byDemand != 0 ? byDemand : a.compareTo(b);
    });
    Map<String, Integer> shares = new TreeMap<>();
    int left = budget;
    for (int i = 0; i < ids.size(); i++) {
      String id = ids.get(i);
      int remaining = ids.size() - i;
      int equal = left / remaining;
      int wanted = Math.max(1, Nulls.castToNonNull(demands.get(id)));
      if (wanted <= equal) {
        shares.put(id, wanted);
        left -= wanted;
      } else {
        // Everyone from here on wants at least an equal split: split what is left, remainder by id.
        List<String> rest = new ArrayList<>(ids.subList(i, ids.size()));
        rest.sort(String::compareTo);
        int extra = left - equal * remaining;
        for (String other : rest) {
          shares.put(other, equal + (extra-- > 0 ? 1 : 0));
        }
        break;
      }
    }
    return shares;
  }

  /** The period as configured, for messages. */
  Duration period() {
    return Duration.ofNanos(periodNanos);
  }
}
