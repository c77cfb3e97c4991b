package dev.poolwise;

import java.lang.management.ManagementFactory;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.management.InstanceAlreadyExistsException;
import javax.management.JMException;
import javax.management.MBeanRegistration;
import javax.management.MBeanServer;
import javax.management.MalformedObjectNameException;
import javax.management.ObjectName;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A pool in JMX: the {@link PoolwiseMXBean} of one {@link PoolwiseDataSource}, registered in the platform
 * MBean server as {@code dev.poolwise:type=Pool,name=<poolName>} by {@link #register(PoolwiseDataSource)}.
 * It uses only the data source's public methods, so it shows nothing the application could not see.
 */
final class PoolMBean implements PoolwiseMXBean, MBeanRegistration {

  /*
   * Consistency: every attribute read takes its own snapshot, so two attributes read one after the other
   * (as JConsole and most JMX exporters do) may come from different instants: active + idle may differ
   * from total by the connections that moved in between. Each single value is exact for its instant.
   * Caching a snapshot for "a short while" would trade that for stale values and a clock on the read path.
   *
   * Secrets: the attributes are counts, the pool name and the verdict; none is built from the URL or the
   * credentials (the pool name is the user's own choice, never derived from the URL's userinfo).
   *
   * Concurrency: the MBean server calls the getters and operations from any thread (RMI connector
   * threads, an exporter's scraper); they delegate to PoolwiseDataSource, which is thread-safe. The only
   * state here is the registration flag, written by the MBean server's callbacks.
   */

  private static final Logger log = LoggerFactory.getLogger(PoolMBean.class);

  /** The JMX domain of every Poolwise MBean. */
  static final String DOMAIN = "dev.poolwise";

  private final PoolwiseDataSource dataSource;

  /** True between the MBean server's postRegister(true) and postDeregister(): see {@link #register}. */
  private volatile boolean registered;

  PoolMBean(PoolwiseDataSource dataSource) {
    this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
  }

  /**
   * Registers {@code dataSource} in the platform MBean server.
   *
   * @return closing it unregisters the MBean; idempotent, never throws
   * @throws IllegalStateException when a pool of the same name is already registered
   */
  static AutoCloseable register(PoolwiseDataSource dataSource) {
    PoolMBean bean = new PoolMBean(dataSource);
    String poolName = dataSource.poolName();
    ObjectName name = objectName(poolName);
    MBeanServer server = ManagementFactory.getPlatformMBeanServer();
    try {
      server.registerMBean(bean, name);
    } catch (InstanceAlreadyExistsException e) {
      throw new IllegalStateException("a pool named '" + poolName + "' is already registered in JMX as " + name
          + "; give each pool a distinct poolName (builder poolName(...), key poolwise.poolName), or close the"
          + " other pool first", e);
    } catch (JMException e) {
      throw new IllegalStateException("could not register pool '" + poolName + "' in JMX as " + name + ": " + e, e);
    }
    AtomicBoolean closed = new AtomicBoolean();
    return () -> {
      if (!closed.compareAndSet(false, true)) {
        return;
      }
      // Only unregister the name while it is still ours: if someone unregistered this bean (JConsole,
      // another library) and a new pool took the name since, unregistering by name would remove theirs.
      // A name freed and retaken between this check and the call is possible but needs two such outside
      // actions racing with close; we accept that.
      if (!bean.registered) {
        return;
      }
      try {
        server.unregisterMBean(name);
      } catch (JMException | RuntimeException e) {
        log.warn("Pool '{}': could not unregister its MBean {}: {}", poolName, name, e.toString());
      }
    };
  }

  /**
   * {@code dev.poolwise:type=Pool,name=<poolName>}, with the name quoted ({@link ObjectName#quote}) when it
   * holds a character that has a meaning in an object name, so that any pool name yields a valid, non-pattern
   * name: {@code orders} stays {@code name=orders}, {@code eu,orders} becomes {@code name="eu,orders"}.
   */
  static ObjectName objectName(String poolName) {
    String value = needsQuoting(poolName) ? ObjectName.quote(poolName) : poolName;
    try {
      return new ObjectName(DOMAIN + ":type=Pool,name=" + value);
    } catch (MalformedObjectNameException e) {
      throw new IllegalArgumentException("pool name '" + poolName + "' cannot be made into a JMX object name: "
          + e.getMessage(), e);
    }
  }

  private static boolean needsQuoting(String value) {
    if (value.isEmpty()) {
      return true;
    }
    for (int i = 0; i < value.length(); i++) {
      switch (value.charAt(i)) {
        case ',', '=', ':', '"', '*', '?', '\\', '\n' -> {
          return true;
        }
        default -> { }
      }
    }
    return false;
  }

  /* --- Attributes --- */

  @Override
  public String getPoolName() {
    return dataSource.poolName();
  }

  @Override
  public int getMaxSize() {
    return dataSource.snapshot().maxSize();
  }

  @Override
  public int getSizeLimit() {
    PoolSnapshot snapshot = dataSource.snapshot();
    return snapshot.fleet() == null ? snapshot.maxSize() : Math.min(snapshot.maxSize(), snapshot.fleet().cap());
  }

  @Override
  public String getFleet() {
    PoolSnapshot.Fleet fleet = dataSource.snapshot().fleet();
    return fleet == null ? "" : fleet.toString();
  }

  @Override
  public int getTotalConnections() {
    return dataSource.snapshot().total();
  }

  @Override
  public int getActiveConnections() {
    return dataSource.snapshot().active();
  }

  @Override
  public int getIdleConnections() {
    return dataSource.snapshot().idle();
  }

  @Override
  public int getThreadsAwaitingConnection() {
    return dataSource.snapshot().waiting();
  }

  @Override
  public long getAcquisitions() {
    return dataSource.snapshot().acquisitions();
  }

  @Override
  public long getTimeouts() {
    return dataSource.snapshot().timeouts();
  }

  @Override
  public String getVerdict() {
    return dataSource.diagnose().verdict();
  }

  /* --- Operations --- */

  @Override
  public void softEvictAll() {
    dataSource.softEvictAll();
  }

  @Override
  public void suspend() {
    dataSource.suspend();
  }

  @Override
  public void resume() {
    dataSource.resume();
  }

  /* --- MBeanRegistration: tracks whether the server still holds this bean --- */

  @Override
  public ObjectName preRegister(MBeanServer server, ObjectName name) {
    return name;
  }

  @Override
  public void postRegister(Boolean registrationDone) {
    registered = Boolean.TRUE.equals(registrationDone);
  }

  @Override
  public void preDeregister() {}

  @Override
  public void postDeregister() {
    registered = false;
  }
}
