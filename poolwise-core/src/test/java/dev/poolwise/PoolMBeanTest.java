package dev.poolwise;

import static dev.poolwise.StubPools.builder;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.lang.management.ManagementFactory;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.management.MBeanAttributeInfo;
import javax.management.MBeanInfo;
import javax.management.MBeanOperationInfo;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PoolMBeanTest extends StubPoolTest {

  private static final String PASSWORD = "S3ntinel-Pa55word";

  private final MBeanServer server = ManagementFactory.getPlatformMBeanServer();
  private final List<AutoCloseable> registrations = new ArrayList<>();
  private final List<Connection> held = new ArrayList<>();

  @AfterEach
  void unregister() throws Exception {
    for (Connection connection : held) {
      connection.close();
    }
    for (AutoCloseable registration : registrations) {
      registration.close();
    }
  }

  private AutoCloseable register(PoolwiseDataSource pool) {
    AutoCloseable registration = PoolMBean.register(pool);
    registrations.add(registration);
    return registration;
  }

  private Connection borrow(PoolwiseDataSource pool) throws Exception {
    // On another thread: a test thread holding every connection and asking for more has locked the pool.
    Connection connection = StubPoolTest.borrowElsewhere(pool);
    held.add(connection);
    return connection;
  }

  @Test
  void attributesFollowThePoolAndOperationsReachIt() throws Exception {
    ManualClock clock = new ManualClock(); // borrows cannot time out on a busy machine; the suspended one does
    PoolwiseDataSource pool = pool(builder(database).poolName("mbean-orders").maxSize(4).password(PASSWORD)
        .acquireTimeout(Duration.ofMillis(200)).clock(clock));
    register(pool);
    ObjectName name = new ObjectName("dev.poolwise:type=Pool,name=mbean-orders");
    assertThat(server.isRegistered(name)).isTrue();

    borrow(pool);
    borrow(pool);
    borrow(pool).close();

    assertThat(server.getAttribute(name, "PoolName")).isEqualTo("mbean-orders");
    assertThat(server.getAttribute(name, "MaxSize")).isEqualTo(4);
    assertThat(server.getAttribute(name, "ActiveConnections")).isEqualTo(2);
    assertThat(server.getAttribute(name, "IdleConnections")).isEqualTo(1);
    assertThat(server.getAttribute(name, "TotalConnections")).isEqualTo(3);
    assertThat(server.getAttribute(name, "ThreadsAwaitingConnection")).isEqualTo(0);
    assertThat(server.getAttribute(name, "Acquisitions")).isEqualTo(3L);
    assertThat(server.getAttribute(name, "Timeouts")).isEqualTo(0L);
    assertThat(server.getAttribute(name, "Verdict")).isEqualTo(pool.diagnose().verdict());

    server.invoke(name, "softEvictAll", new Object[0], new String[0]);

    assertThat(server.getAttribute(name, "IdleConnections")).isEqualTo(0);
    assertThat(server.getAttribute(name, "TotalConnections")).isEqualTo(2);
    // The pool closes evicted connections on its closer thread.
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(database.openConnections()).isEqualTo(2));

    server.invoke(name, "suspend", new Object[0], new String[0]);
    assertThat((Throwable) clock.borrowUntilItTimesOut(pool, Duration.ofMillis(200)))
        .isInstanceOf(PoolTimeoutException.class);
    server.invoke(name, "resume", new Object[0], new String[0]);
    try (Connection afterResume = pool.getConnection()) {
      assertThat(afterResume.isValid(1)).isTrue();
    }
    StubPools.assertInvariants(pool);
  }

  @Test
  void reportsTimeoutsFromTheSnapshot() throws Exception {
    ManualClock clock = new ManualClock(); // the first borrow cannot time out on a busy machine; the second does
    PoolwiseDataSource pool = pool(builder(database).poolName("mbean-timeouts").maxSize(1)
        .acquireTimeout(Duration.ofMillis(50)).clock(clock));
    register(pool);
    borrow(pool);

    assertThat((Throwable) clock.borrowUntilItTimesOut(pool, Duration.ofMillis(50)))
        .isInstanceOf(PoolTimeoutException.class);

    assertThat(server.getAttribute(PoolMBean.objectName("mbean-timeouts"), "Timeouts")).isEqualTo(1L);
  }

  @Test
  void exposesExactlyTheMXBeanInterface() throws Exception {
    PoolwiseDataSource pool = pool(builder(database).poolName("mbean-interface"));
    register(pool);

    MBeanInfo info = server.getMBeanInfo(PoolMBean.objectName("mbean-interface"));

    assertThat(info.getAttributes()).extracting(MBeanAttributeInfo::getName).containsExactlyInAnyOrder("PoolName",
        "MaxSize", "SizeLimit", "Fleet", "TotalConnections", "ActiveConnections", "IdleConnections", "ThreadsAwaitingConnection",
        "Acquisitions", "Timeouts", "Verdict");
    assertThat(info.getAttributes()).noneMatch(MBeanAttributeInfo::isWritable);
    // MBeanRegistration's callbacks must not leak into the management interface.
    assertThat(info.getOperations()).extracting(MBeanOperationInfo::getName)
        .containsExactlyInAnyOrder("softEvictAll", "suspend", "resume");
  }

  @Test
  void unregisteringIsIdempotentAndFreesTheName() throws Exception {
    PoolwiseDataSource pool = pool(builder(database).poolName("mbean-unregister"));
    AutoCloseable registration = register(pool);
    ObjectName name = PoolMBean.objectName("mbean-unregister");

    registration.close();
    assertThat(server.isRegistered(name)).isFalse();
    assertThatCode(registration::close).doesNotThrowAnyException();

    register(pool);
    assertThat(server.isRegistered(name)).isTrue();
  }

  @Test
  void aSecondPoolWithTheSameNameFailsClearly() throws Exception {
    PoolwiseDataSource first = pool(builder(database).poolName("mbean-twin"));
    PoolwiseDataSource second = pool(builder(database).poolName("mbean-twin"));
    AutoCloseable registration = register(first);

    assertThatThrownBy(() -> register(second))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("a pool named 'mbean-twin' is already registered in JMX")
        .hasMessageContaining("give each pool a distinct poolName");

    // The failed attempt left the first registration alone; once it is gone the name is free.
    assertThat(server.getAttribute(PoolMBean.objectName("mbean-twin"), "PoolName")).isEqualTo("mbean-twin");
    registration.close();
    assertThatCode(() -> register(second)).doesNotThrowAnyException();
  }

  @Test
  void closingAfterSomeoneElseUnregisteredDoesNotRemoveTheNextPoolsBean() throws Exception {
    PoolwiseDataSource first = pool(builder(database).poolName("mbean-retaken"));
    PoolwiseDataSource second = pool(builder(database).poolName("mbean-retaken").maxSize(2));
    AutoCloseable registration = register(first);
    ObjectName name = PoolMBean.objectName("mbean-retaken");
    server.unregisterMBean(name); // e.g. an operator in JConsole
    register(second);

    registration.close();

    assertThat(server.isRegistered(name)).isTrue();
    assertThat(server.getAttribute(name, "MaxSize")).isEqualTo(2);
  }

  @Test
  void quotesPoolNamesThatWouldBreakTheObjectName() throws Exception {
    assertThat(PoolMBean.objectName("orders").getKeyProperty("name")).isEqualTo("orders");
    assertThat(PoolMBean.objectName("orders db-1.eu").getKeyProperty("name")).isEqualTo("orders db-1.eu");

    for (String awkward : List.of("eu,orders", "a=b", "host:5432", "say \"hi\"", "any*", "what?", "back\\slash",
        "two\nlines")) {
      ObjectName name = PoolMBean.objectName(awkward);
      assertThat(name.isPattern()).as("%s", name).isFalse();
      assertThat(name.getKeyPropertyList()).containsOnlyKeys("type", "name");
      assertThat(ObjectName.unquote(name.getKeyProperty("name"))).isEqualTo(awkward);
    }

    PoolwiseDataSource pool = pool(builder(database).poolName("eu,orders:primary"));
    register(pool);
    ObjectName name = new ObjectName("dev.poolwise:type=Pool,name=\"eu,orders:primary\"");
    assertThat(server.getAttribute(name, "PoolName")).isEqualTo("eu,orders:primary");
  }

  @Test
  void noAttributeOrNameContainsThePassword() throws Exception {
    PoolwiseDataSource pool = pool(builder(database).poolName("mbean-secrets").password(PASSWORD));
    register(pool);
    borrow(pool);
    ObjectName name = PoolMBean.objectName("mbean-secrets");

    List<String> values = new ArrayList<>();
    values.add(name.toString());
    for (MBeanAttributeInfo attribute : server.getMBeanInfo(name).getAttributes()) {
      values.add(attribute.getName() + "=" + server.getAttribute(name, attribute.getName()));
    }

    assertThat(values).hasSize(12).noneMatch(value -> value.contains(PASSWORD));
  }

  @Test
  void aPoolWithoutANameIsRegisteredUnderItsGeneratedNameWithNothingFromTheUrl() throws Exception {
    PoolwiseDataSource pool = pool(builder(database).password(PASSWORD));
    register(pool);
    ObjectName name = PoolMBean.objectName(pool.poolName());

    assertThat(server.getAttribute(name, "PoolName")).isEqualTo(pool.poolName());
    assertThat(name.toString()).doesNotContain(PASSWORD).doesNotContain(database.url());
  }
}
