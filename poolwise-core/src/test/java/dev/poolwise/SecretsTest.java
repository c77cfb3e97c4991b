package dev.poolwise;

import static dev.poolwise.StubPools.builder;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Isolated;

/**
 * A sentinel password goes in through every door (URL user info, URL parameter, builder, Properties,
 * driver property, credentials supplier) and must come out through none: not in exception messages or
 * stack traces, not in {@code toString}, not in anything the pool logs.
 */
@Isolated
class SecretsTest extends StubPoolTest {

  private static final String SENTINEL = "S3ntinel-Pa55word";

  private final List<Object> outputs = new ArrayList<>();
  private CapturedStderr logged;

  @BeforeEach
  void captureLog() {
    logged = new CapturedStderr();
    database.requirePassword("the-right-one");
  }

  @AfterEach
  void restoreLog() {
    logged.close();
  }

  private static String stackTraceOf(Throwable failure) {
    StringWriter text = new StringWriter();
    failure.printStackTrace(new PrintWriter(text));
    return text.toString();
  }

  private void record(Object... things) {
    for (Object thing : things) {
      outputs.add(thing instanceof Throwable failure ? stackTraceOf(failure) : String.valueOf(thing));
    }
  }

  @Test
  void sentinelPasswordNeverLeaks() throws Exception {
    // URL parameter, failing fast at start.
    record(catchThrowable(() -> pool(builder(database).url(database.url() + "?user=app&password=" + SENTINEL)
        .startMode(StartMode.FAIL_FAST))));

    // Builder password; timeouts and refusals while the pool runs.
    PoolwiseDataSource byBuilder = pool(builder(database).username("app").password(SENTINEL)
        .driverProperty("sslpassword", SENTINEL).acquireTimeout(Duration.ofMillis(200)));
    record(byBuilder, byBuilder.snapshot(), byBuilder.pool(), byBuilder.pool().settings());
    record(catchThrowable(byBuilder::getConnection), catchThrowable(byBuilder::getConnection));
    record(PoolwiseDataSource.builder().url(database.url()).password(SENTINEL));
    record(new Credentials("app", SENTINEL));

    // Credentials supplier (rotation), then a working connection's toString.
    database.requirePassword(SENTINEL);
    PoolwiseDataSource rotating = pool(builder(database).credentials(() -> new Credentials("app", SENTINEL)));
    try (Connection connection = rotating.getConnection()) {
      record(connection, connection.createStatement(), connection.getMetaData(), rotating);
    }
    rotating.softEvictAll();
    rotating.close();
    record(catchThrowable(rotating::getConnection));

    // Properties and DATABASE_URL forms, including a malformed one and a server that is not there.
    Properties properties = new Properties();
    properties.setProperty("poolwise.url", database.url());
    properties.setProperty("poolwise.password", SENTINEL);
    properties.setProperty("poolwise.maxSize", "not-a-number");
    record(catchThrowable(() -> PoolwiseDataSource.fromProperties(properties)));
    record(catchThrowable(() -> PoolwiseDataSource.fromUrl("postgresql://app:" + SENTINEL + "@localhost:99999/db")));
    record(catchThrowable(() -> PoolwiseDataSource.fromUrl("postgresql://app:" + SENTINEL + "%zz@localhost/db")));
    record(catchThrowable(() -> PoolwiseDataSource.builder()
        .url("postgresql://app:" + SENTINEL + "@127.0.0.1:1/db?connect_timeout=1")
        .startMode(StartMode.FAIL_FAST).build()));
    PoolwiseDataSource unreachable = pool(PoolwiseDataSource.builder()
        .url("postgresql://app:" + SENTINEL + "@127.0.0.1:1/db?connect_timeout=1&pool_timeout=0.3"));
    record(unreachable, catchThrowable(unreachable::getConnection));
    unreachable.close();

    closePools();
    record(logged.text());

    assertThat(outputs).hasSizeGreaterThan(15);
    assertThat(String.join("\n", outputs.stream().map(String::valueOf).toList()))
        .contains("Pool '")            // the log and messages were really captured...
        .doesNotContain(SENTINEL);     // ...and the secret is in none of them
  }
}
