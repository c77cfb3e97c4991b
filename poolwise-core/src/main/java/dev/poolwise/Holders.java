package dev.poolwise;

import dev.poolwise.PoolSnapshot.Holder;
import dev.poolwise.PoolSnapshot.HolderState;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Turns an entry's borrow bookkeeping into a {@link Holder}, and holders into the compact table that
 * timeout messages and {@link PoolwiseDataSource#diagnose()} show. Pure functions; called under the
 * pool's lock for {@link #describe} (reads of the volatile SQL fields are racy by nature: a statement
 * may finish while the snapshot is taken, which is benign — the snapshot is an instant, not a lock-step
 * view of the borrower).
 */
final class Holders {

  /** {@code Thread.isVirtual()} exists from Java 21; core runs on 17, so it is looked up once. */
  private static final @Nullable MethodHandle IS_VIRTUAL = findIsVirtual();

  /** Frames of these packages are plumbing, not the place where the application borrowed. */
  private static final String[] PLUMBING = {
      "java.", "javax.", "jdk.", "sun.", "com.sun.", "org.springframework.jdbc.",
      "org.springframework.transaction.", "org.springframework.orm.", "org.springframework.aop.",
      "org.springframework.cglib.", "org.hibernate.", "org.jooq.impl.", "org.jdbi.", "org.apache.ibatis.",
      "org.mybatis.", "com.zaxxer.", "org.flywaydb.core.internal.", "org.junit.", "org.assertj."};

  private static final int SQL_SHOWN = 120;
  private static final int GROUPS_SHOWN = 6;

  private Holders() {}

  private static @Nullable MethodHandle findIsVirtual() {
    try {
      return MethodHandles.publicLookup().findVirtual(Thread.class, "isVirtual", MethodType.methodType(boolean.class));
    } catch (ReflectiveOperationException e) {
      return null;
    }
  }

  static boolean isVirtual(@Nullable Thread thread) {
    if (IS_VIRTUAL == null || thread == null) {
      return false;
    }
    try {
      return (boolean) IS_VIRTUAL.invokeExact(thread);
    } catch (Throwable e) {
      return false;
    }
  }

  @SuppressWarnings("deprecation") // Thread.getId: threadId() exists only from Java 19
  static Holder describe(PoolEntry entry, long nowNanos, long leakThresholdNanos, String laneName) {
    Thread thread = entry.borrower;
    long heldNanos = nowNanos - entry.acquiredNanos;
    String executing = entry.executingSql();
    long transactionSince = entry.transactionSinceNanos();
    HolderState state;
    Duration sqlRunning = null;
    if (executing != null) {
      state = HolderState.EXECUTING;
      sqlRunning = Duration.ofNanos(Math.max(0, nowNanos - entry.executingSinceNanos()));
    } else if (leakThresholdNanos > 0 && heldNanos >= leakThresholdNanos) {
      state = HolderState.SUSPECTED_LEAK;
    } else if (transactionSince != 0) {
      state = HolderState.IDLE_IN_TRANSACTION;
    } else {
      state = HolderState.HELD_IDLE;
    }
    String sql = executing != null ? executing : entry.lastSql();
    return new Holder(entry.id, thread == null ? "" : thread.getName(), thread == null ? -1 : thread.getId(),
        isVirtual(thread), entry.tag, laneName, Duration.ofNanos(heldNanos), state, shorten(sql), sqlRunning,
        transactionSince == 0 ? null : Duration.ofNanos(Math.max(0, nowNanos - transactionSince)),
        siteOf(entry.acquisitionStack()));
  }

  /**
   * The first frame below the pool's own frames that is not JDBC or framework plumbing, as
   * {@code Class.method(File:line)}: where the application asked for the connection.
   */
  static @Nullable String siteOf(@Nullable Throwable stack) {
    if (stack == null) {
      return null;
    }
    StackTraceElement[] frames = stack.getStackTrace();
    int first = 0;
    while (first < frames.length && BorrowSite.isPoolInternal(frames[first].getClassName())) {
      first++;
    }
    for (int i = first; i < frames.length; i++) {
      StackTraceElement frame = frames[i];
      if (!startsWithAny(frame.getClassName(), PLUMBING)) {
        String className = frame.getClassName();
        String simple = className.substring(className.lastIndexOf('.') + 1);
        return simple + "." + frame.getMethodName() + "(" + frame.getFileName() + ":" + frame.getLineNumber() + ")";
      }
    }
    return null;
  }

  private static boolean startsWithAny(String className, String[] prefixes) {
    for (String prefix : prefixes) {
      if (className.startsWith(prefix)) {
        return true;
      }
    }
    return false;
  }

  static @Nullable String shorten(@Nullable String sql) {
    if (sql == null) {
      return null;
    }
    String oneLine = sql.strip().replaceAll("\\s+", " ");
    return oneLine.length() <= SQL_SHOWN ? oneLine : oneLine.substring(0, SQL_SHOWN - 1) + "…";
  }

  /* --- The holder table --- */

  /** Holders grouped by tag and site, longest-held group first; empty when there are no holders. */
  static String table(List<Holder> holders) {
    if (holders.isEmpty()) {
      return "";
    }
    Map<List<String>, List<Holder>> groups = new LinkedHashMap<>();
    for (Holder holder : holders) {
      groups.computeIfAbsent(Arrays.asList(holder.tag(), holder.acquisitionSite()), key -> new ArrayList<>())
          .add(holder);
    }
    List<List<Holder>> ordered = new ArrayList<>(groups.values());
    ordered.sort(Comparator.comparing((List<Holder> group) -> longest(group)).reversed());
    StringBuilder table = new StringBuilder(256)
        .append("Holders by tag and borrowing site (longest held first):\n")
        .append(String.format(Locale.ROOT, "  %5s  %8s  %-30s  %-20s  %s%n", "count", "longest", "doing", "tag",
            "borrowed at / SQL"));
    int shown = 0;
    for (List<Holder> group : ordered) {
      if (shown++ == GROUPS_SHOWN) {
        int rest = ordered.stream().skip(GROUPS_SHOWN).mapToInt(List::size).sum();
        table.append("  … and ").append(rest).append(" more holder(s) in ").append(ordered.size() - GROUPS_SHOWN)
            .append(" other group(s)\n");
        break;
      }
      Holder first = group.get(0);
      Holder longestHolder = group.stream().max(Comparator.comparing(Holder::heldFor)).orElseThrow();
      String site = first.acquisitionSite() != null ? first.acquisitionSite() : "(site not captured)";
      String sql = group.stream().map(Holder::sql).filter(Objects::nonNull).findFirst().orElse(null);
      table.append(String.format(Locale.ROOT, "  %5d  %8s  %-30s  %-20s  %s%n", group.size(),
          human(longestHolder.heldFor()), states(group), first.tag() == null ? "-" : clip(first.tag(), 20), site));
      if (sql != null) {
        table.append(String.format(Locale.ROOT, "  %5s  %8s  %-30s  %-20s  %s%n", "", "", "", "",
            (longestHolder.state() == PoolSnapshot.HolderState.EXECUTING ? "running: " : "last SQL: ") + clip(sql, 80)));
      }
    }
    return table.toString().stripTrailing();
  }

  private static Duration longest(List<Holder> group) {
    return group.stream().map(Holder::heldFor).max(Comparator.naturalOrder()).orElse(Duration.ZERO);
  }

  private static String states(List<Holder> group) {
    Map<HolderState, Integer> counts = new EnumMap<>(HolderState.class);
    for (Holder holder : group) {
      counts.merge(holder.state(), 1, Integer::sum);
    }
    List<String> parts = new ArrayList<>();
    counts.forEach((state, count) -> parts.add(count + " " + label(state)));
    return String.join(", ", parts);
  }

  static String label(HolderState state) {
    return switch (state) {
      case EXECUTING -> "executing";
      case IDLE_IN_TRANSACTION -> "idle in tx";
      case HELD_IDLE -> "held idle";
      case SUSPECTED_LEAK -> "suspected leak";
    };
  }

  private static String clip(String text, int width) {
    return text.length() <= width ? text : text.substring(0, width - 1) + "…";
  }

  /** "850 µs", "12 ms", "4.1 s", "3 m 12 s": readable at a glance, precise enough to act on. */
  static String human(Duration duration) {
    long nanos = duration.toNanos();
    if (nanos < 1_000_000L) {
      return (nanos / 1_000) + " µs";
    }
    if (nanos < 1_000_000_000L) {
      return (nanos / 1_000_000) + " ms";
    }
    if (nanos < 60_000_000_000L) {
      return String.format(Locale.ROOT, "%.1f s", nanos / 1e9);
    }
    long seconds = duration.toSeconds();
    if (seconds < 3600) {
      return (seconds / 60) + " m " + (seconds % 60) + " s";
    }
    return (seconds / 3600) + " h " + (seconds % 3600 / 60) + " m";
  }
}
