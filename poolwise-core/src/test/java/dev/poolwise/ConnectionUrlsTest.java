package dev.poolwise;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;

import java.sql.Connection;
import java.sql.Driver;
import java.sql.DriverManager;
import java.sql.DriverPropertyInfo;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.logging.Logger;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

class ConnectionUrlsTest {

  /** The password in every malformed URL: no error message may contain any piece of it. */
  static final String SECRET = "Sup3rSecret!";

  /** A driver for {@code jdbc:fake:} URLs: stands for "any JDBC driver that is not pgjdbc". */
  static final class FakeDriver implements Driver {
    @Override
    public Connection connect(String url, Properties info) {
      return null;
    }

    @Override
    public boolean acceptsURL(String url) {
      return url.startsWith("jdbc:fake:");
    }

    @Override
    public DriverPropertyInfo[] getPropertyInfo(String url, Properties info) {
      return new DriverPropertyInfo[] {new DriverPropertyInfo("fakeMode", null)};
    }

    @Override
    public int getMajorVersion() {
      return 1;
    }

    @Override
    public int getMinorVersion() {
      return 0;
    }

    @Override
    public boolean jdbcCompliant() {
      return false;
    }

    @Override
    public Logger getParentLogger() {
      return Logger.getGlobal();
    }
  }

  static final FakeDriver FAKE_DRIVER = new FakeDriver();

  @BeforeAll
  static void registerFakeDriver() throws SQLException {
    DriverManager.registerDriver(FAKE_DRIVER);
  }

  @AfterAll
  static void deregisterFakeDriver() throws SQLException {
    DriverManager.deregisterDriver(FAKE_DRIVER);
  }

  static PoolSettings settings(String url) {
    return PoolwiseDataSource.builder().url(url).settings();
  }

  static Credentials credentials(PoolSettings settings) {
    return settings.credentials().get();
  }

  @Nested
  class DatabaseUrls {

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', nullValues = "null", textBlock = """
        postgresql://app:secret@localhost:5432/shop          | jdbc:postgresql://localhost:5432/shop             | app     | secret
        postgres://app@db.example.com/shop                   | jdbc:postgresql://db.example.com:5432/shop        | app     | null
        POSTGRESQL://app:secret@DB-1.internal:6432/shop      | jdbc:postgresql://DB-1.internal:6432/shop         | app     | secret
        postgresql://localhost                               | jdbc:postgresql://localhost:5432/                 | null    | null
        postgresql://localhost/                              | jdbc:postgresql://localhost:5432/                 | null    | null
        postgresql://app:secret@localhost?connection_limit=3 | jdbc:postgresql://localhost:5432/                 | app     | secret
        postgresql://u:p%40ss%3Aw%2Frd@h/db                  | jdbc:postgresql://h:5432/db                       | u       | p@ss:w/rd
        postgresql://us%40er%2Bx:p%25x@h/db                  | jdbc:postgresql://h:5432/db                       | us@er+x | p%x
        postgresql://j%C3%B6rg:%E2%82%AC%F0%9F%94%91@h/db    | jdbc:postgresql://h:5432/db                       | jörg    | €🔑
        postgresql://u:pa:ss@h/db                            | jdbc:postgresql://h:5432/db                       | u       | pa:ss
        postgresql://u:Sup3r@Secret!@h/db                    | jdbc:postgresql://h:5432/db                       | u       | Sup3r@Secret!
        postgresql://u:a+b@h/db                              | jdbc:postgresql://h:5432/db                       | u       | a+b
        postgresql://:secret@h/db                            | jdbc:postgresql://h:5432/db                       | null    | secret
        postgresql://u:@h/db                                 | jdbc:postgresql://h:5432/db                       | u       | null
        postgresql://u:pw@[::1]:6543/db                      | jdbc:postgresql://[::1]:6543/db                   | u       | pw
        postgresql://u:pw@[2001:db8::5]/db                   | jdbc:postgresql://[2001:db8::5]:5432/db           | u       | pw
        postgresql://u:pw@h1:5433,h2,[::1]:5434/db           | jdbc:postgresql://h1:5433,h2:5432,[::1]:5434/db   | u       | pw
        postgresql://u:pw@10.0.0.7/db                        | jdbc:postgresql://10.0.0.7:5432/db                | u       | pw
        postgresql://h/my%20db                               | jdbc:postgresql://h:5432/my%20db                  | null    | null
        postgresql://h/caf%C3%A9+bar                         | jdbc:postgresql://h:5432/caf%C3%A9%2Bbar          | null    | null
        postgresql://h/db?user=app&password=pw%26x           | jdbc:postgresql://h:5432/db                       | app     | pw&x
        """)
    void urlAndCredentials(String url, String jdbcUrl, String username, String password) {
      PoolSettings settings = settings(url);

      assertThat(settings.jdbcUrl()).isEqualTo(jdbcUrl);
      assertThat(credentials(settings)).isEqualTo(new Credentials(username, password));
    }

    @Test
    void leadingAndTrailingWhitespaceIsIgnored() {
      assertThat(settings("  postgresql://h/db\n").jdbcUrl()).isEqualTo("jdbc:postgresql://h:5432/db");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
        postgresql://u:pw@h1:5433,h2/my%20db  | h1,h2      | 5433,5432 | my db
        postgresql://u:pw@h/caf%C3%A9+bar     | h          | 5432      | café+bar
        postgresql://u:pw@h/a%2Fb%3Fc%25d     | h          | 5432      | a/b?c%d
        postgresql://u:pw@[::1]:6543/db       | [::1]      | 6543      | db
        """)
    void pgjdbcReadsBackTheHostsPortsAndDatabase(String url, String hosts, String ports, String database) {
      Properties parsed = org.postgresql.Driver.parseURL(settings(url).jdbcUrl(), null);

      assertThat(parsed).isNotNull();
      assertThat(parsed.getProperty("PGHOST")).isEqualTo(hosts);
      assertThat(parsed.getProperty("PGPORT")).isEqualTo(ports);
      assertThat(parsed.getProperty("PGDBNAME")).isEqualTo(database);
    }

    @Test
    void noParametersLeaveTheBuilderDefaults() {
      PoolSettings settings = settings("postgresql://app:pw@h/db");

      assertThat(settings.maxSize()).isEqualTo(PoolwiseDataSource.Builder.defaultMaxSize());
      assertThat(settings.acquireTimeout()).isEqualTo(Duration.ofSeconds(5));
      assertThat(settings.connectTimeout()).isEqualTo(Duration.ofSeconds(10));
      assertThat(settings.driverProperties()).isEmpty();
    }

    @Test
    void prismaStyleUrlFromTheSeedDocument() {
      PoolSettings settings = settings("postgresql://app:" + SECRET + "@db:5432/shop?connection_limit=30&pool_timeout=20");

      assertThat(settings.jdbcUrl()).isEqualTo("jdbc:postgresql://db:5432/shop").doesNotContain(SECRET);
      assertThat(settings.maxSize()).isEqualTo(30);
      assertThat(settings.acquireTimeout()).isEqualTo(Duration.ofSeconds(20));
      assertThat(credentials(settings)).isEqualTo(new Credentials("app", SECRET));
    }

    @Test
    void everyTranslatedParameter() {
      PoolSettings settings = settings("postgresql://u:pw@h/db?connection_limit=12&pool_timeout=2.5"
          + "&connect_timeout=2.5&socket_timeout=30&schema=app&application_name=my%20app&sslmode=VERIFY-FULL"
          + "&pgbouncer=true");

      assertThat(settings.maxSize()).isEqualTo(12);
      assertThat(settings.acquireTimeout()).isEqualTo(Duration.ofMillis(2500));
      assertThat(settings.connectTimeout()).isEqualTo(Duration.ofMillis(2500));
      assertThat(settings.driverProperties()).containsOnly(
          entry("connectTimeout", "3"), // pgjdbc takes whole seconds: rounded up, never down to 0 (= none)
          entry("socketTimeout", "30"),
          entry("currentSchema", "app"),
          entry("ApplicationName", "my app"),
          entry("sslmode", "verify-full"),
          entry("prepareThreshold", "0"));
      assertThat(settings.jdbcUrl()).isEqualTo("jdbc:postgresql://h:5432/db");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
        pgbouncer=false                      | ''
        socket_timeout=0                     | socketTimeout=0
        connect_timeout=1                    | connectTimeout=1
        sslmode=disable                      | sslmode=disable
        tcpKeepAlive=true                    | tcpKeepAlive=true
        options=-c%20statement_timeout%3D5s  | options=-c statement_timeout=5s
        sslrootcert=%2Fetc%2Fca.pem&ssl=true | sslrootcert=/etc/ca.pem;ssl=true
        targetServerType=primary&            | targetServerType=primary
        """)
    void driverProperties(String query, String expected) {
      Map<String, String> expectedProperties = expected.isEmpty() ? Map.of()
          : Stream.of(expected.split(";")).collect(Collectors.toMap(
              kv -> kv.substring(0, kv.indexOf('=')), kv -> kv.substring(kv.indexOf('=') + 1)));

      assertThat(settings("postgresql://u:pw@h/db?" + query).driverProperties()).isEqualTo(expectedProperties);
    }

    @Test
    void explicitCredentialsWinOverUrlCredentialsAndASupplierWinsOverBoth() {
      PoolwiseDataSource.Builder builder = PoolwiseDataSource.builder().username("explicit");
      builder.url("postgresql://fromurl:urlpw@h/db");
      assertThat(credentials(builder.settings())).isEqualTo(new Credentials("explicit", "urlpw"));

      builder.password("explicitpw");
      assertThat(credentials(builder.settings())).isEqualTo(new Credentials("explicit", "explicitpw"));

      builder.credentials(() -> new Credentials("rotated", "rotatedpw"));
      assertThat(credentials(builder.settings())).isEqualTo(new Credentials("rotated", "rotatedpw"));
    }

    @Test
    void aLaterUrlReplacesTheCredentialsOfAnEarlierOne() {
      PoolwiseDataSource.Builder builder = PoolwiseDataSource.builder().url("postgresql://u:pw@h/db");
      builder.url("jdbc:postgresql://h/db");

      assertThat(credentials(builder.settings())).isEqualTo(new Credentials(null, null));
    }

    @Test
    void unknownParameterNamesTheDriverAndListsSomeOfWhatItKnows() {
      assertThatThrownBy(() -> settings("postgresql://u:" + SECRET + "@h/db?conection_limit=5"))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("Unknown URL parameter 'conection_limit'")
          .hasMessageContaining("did you mean 'connection_limit'")
          .hasMessageContaining("org.postgresql.Driver")
          .hasMessageContaining("connection_limit, pool_timeout")
          .hasMessageMatching("(?s).* and \\d+ more \\(see the driver's documentation\\)")
          .message().doesNotContain("Sup3r", "Secret");
    }

    @Test
    void caseMistakesInDriverPropertiesGetASuggestion() {
      assertThatThrownBy(() -> settings("postgresql://h/db?applicationname=x"))
          .hasMessageContaining("'ApplicationName'")
          .hasMessageContaining("'application_name'");
    }

    @Test
    void withoutADriverOnTheClasspathTheMessageSaysWhichToAdd() {
      PoolwiseDataSource.Builder builder = PoolwiseDataSource.builder();

      assertThatThrownBy(() -> ConnectionUrls.apply("postgresql://u:" + SECRET + "@h/db?tcpKeepAlive=true", builder,
          url -> null))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("'tcpKeepAlive'")
          .hasMessageContaining("add org.postgresql:postgresql")
          .message().doesNotContain("Sup3r", "Secret");
    }

    @Test
    void withoutADriverPoolwiseParametersStillWork() {
      PoolwiseDataSource.Builder builder = PoolwiseDataSource.builder();
      ConnectionUrls.apply("postgresql://u:pw@h/db?connection_limit=4&pgbouncer=true", builder, url -> {
        throw new AssertionError("the driver must only be asked about parameters Poolwise does not know");
      });

      assertThat(builder.settings().maxSize()).isEqualTo(4);
      assertThat(builder.settings().driverProperties()).containsOnly(entry("prepareThreshold", "0"));
    }

    @Test
    void theDriverListIsCappedAndTheRestCounted() {
      Set<String> names = IntStream.range(0, 40).mapToObj(i -> String.format("prop%02d", i)).collect(Collectors.toSet());
      PoolwiseDataSource.Builder builder = PoolwiseDataSource.builder();

      assertThatThrownBy(() -> ConnectionUrls.apply("postgresql://h/db?nothing=1", builder,
          url -> new ConnectionUrls.DriverCatalog("test.Driver 9.9", names)))
          .hasMessageContaining("test.Driver 9.9")
          .hasMessageContaining("prop00, prop01")
          .hasMessageContaining("prop24 and 15 more")
          .message().doesNotContain("prop25");
    }

    @Test
    void aRejectedUrlLeavesTheBuilderUnchanged() {
      PoolwiseDataSource.Builder builder = PoolwiseDataSource.builder().url("postgresql://before:pw@h/db").maxSize(3);

      assertThatThrownBy(() -> builder.url("postgresql://after:pw@h/db?connection_limit=9&pgbouncer=maybe"))
          .isInstanceOf(IllegalArgumentException.class);
      PoolSettings settings = builder.settings();
      assertThat(settings.jdbcUrl()).isEqualTo("jdbc:postgresql://h:5432/db");
      assertThat(settings.maxSize()).isEqualTo(3);
      assertThat(settings.driverProperties()).isEmpty();
      assertThat(credentials(settings).username()).isEqualTo("before");
    }
  }

  @Nested
  class JdbcUrls {

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
        jdbc:postgresql://h:5432/db                                                        | jdbc:postgresql://h:5432/db
        jdbc:postgresql://h/db?connection_limit=7                                          | jdbc:postgresql://h/db
        jdbc:postgresql://h/db?ssl=true&connection_limit=7&sslmode=require                  | jdbc:postgresql://h/db?ssl=true&sslmode=require
        jdbc:postgresql://h/db?user=u&password=Sup3rSecret!&connection_limit=7&pool_timeout=3 | jdbc:postgresql://h/db?user=u&password=Sup3rSecret!
        jdbc:postgresql://u:Sup3rSecret!@h/db?pool_timeout=1                               | jdbc:postgresql://u:Sup3rSecret!@h/db
        jdbc:postgresql://h/db?weird=%zz&&x                                                | jdbc:postgresql://h/db?weird=%zz&&x
        jdbc:fake:mem;MODE=x                                                               | jdbc:fake:mem;MODE=x
        jdbc:fake://h/db?connection_limit=4&foo=%zz&pgbouncer=maybe&schema=s               | jdbc:fake://h/db?foo=%zz&pgbouncer=maybe&schema=s
        """)
    void poolwiseParametersAreTakenOutAndEverythingElseStays(String url, String jdbcUrl) throws SQLException {
      PoolSettings settings = settings(url);

      assertThat(settings.jdbcUrl()).isEqualTo(jdbcUrl);
      // Credentials in a JDBC URL are the driver's business: Poolwise neither extracts nor removes them.
      assertThat(credentials(settings)).isEqualTo(new Credentials(null, null));
      if (driverAccepts(url)) {
        assertThat(driverAccepts(settings.jdbcUrl())).as("the driver still accepts the URL").isTrue();
      }
    }

    private boolean driverAccepts(String url) {
      try {
        return DriverManager.getDriver(url).acceptsURL(url);
      } catch (SQLException e) {
        return false;
      }
    }

    @Test
    void poolParametersApplyToAnyDriver() throws SQLException {
      PoolSettings settings = settings("jdbc:fake://h/db?connection_limit=4&pool_timeout=0.5&connect_timeout=7");

      assertThat(settings.maxSize()).isEqualTo(4);
      assertThat(settings.acquireTimeout()).isEqualTo(Duration.ofMillis(500));
      // connect_timeout is PostgreSQL vocabulary: for another driver it is the driver's parameter, untouched.
      assertThat(settings.connectTimeout()).isEqualTo(Duration.ofSeconds(10));
      assertThat(settings.driverProperties()).isEmpty();
      assertThat(settings.jdbcUrl()).isEqualTo("jdbc:fake://h/db?connect_timeout=7");
      assertThat(DriverManager.getDriver(settings.jdbcUrl())).isSameAs(FAKE_DRIVER);
    }

    @Test
    void postgresTranslationsApplyToJdbcPostgresqlUrls() {
      PoolSettings settings = settings("jdbc:postgresql://h/db?pgbouncer=true&application_name=x&schema=s"
          + "&connect_timeout=4&socket_timeout=9&tcpKeepAlive=true");

      assertThat(settings.jdbcUrl()).isEqualTo("jdbc:postgresql://h/db?tcpKeepAlive=true");
      assertThat(settings.connectTimeout()).isEqualTo(Duration.ofSeconds(4));
      assertThat(settings.driverProperties()).containsOnly(
          entry("prepareThreshold", "0"),
          entry("ApplicationName", "x"),
          entry("currentSchema", "s"),
          entry("connectTimeout", "4"),
          entry("socketTimeout", "9"));
    }
  }

  static Stream<Arguments> malformedUrls() {
    String s = SECRET;
    String pg = "postgresql://u:" + s + "@h/db?";
    return Stream.of(
        // scheme
        Arguments.of("", "The URL is empty"),
        Arguments.of("mysql://u:" + s + "@h/db", "Unsupported URL scheme 'mysql://'"),
        Arguments.of("mysql://u:" + s + "@h/db", "jdbc:mysql://host:3306/database"),
        Arguments.of("http://u:" + s + "@h/db", "Unsupported URL scheme 'http://'"),
        Arguments.of("u:" + s + "@h/db", "does not start with a scheme Poolwise knows"),
        Arguments.of("//u:" + s + "@h/db", "does not start with a scheme Poolwise knows"),
        Arguments.of("jdbc:", "does not name a driver"),
        Arguments.of("postgresql:u:" + s + "@h/db", "needs '//' after the scheme"),
        // hosts and ports
        Arguments.of("postgresql://u:" + s + "@/db", "The URL has no host"),
        Arguments.of("postgresql://u:" + s + "@", "The URL has no host"),
        Arguments.of("postgresql://u:" + s + "@:5432/db", "empty host name"),
        Arguments.of("postgresql://u:" + s + "@h1,/db", "empty host name"),
        Arguments.of("postgresql://u:" + s + "@h1,,h2/db", "empty host name"),
        Arguments.of("postgresql://u:" + s + "@h:abc/db", "The port 'abc' of the host 'h' is not a number"),
        Arguments.of("postgresql://u:" + s + "@h:0/db", "The port 0 of the host 'h' is out of range"),
        Arguments.of("postgresql://u:" + s + "@h:65536/db", "The port 65536"),
        Arguments.of("postgresql://u:" + s + "@h:99999999999/db", "The port 99999999999"),
        Arguments.of("postgresql://u:" + s + "@h:-1/db", "The port '-1'"),
        Arguments.of("postgresql://u:" + s + "@h:/db", "followed by ':' but no port"),
        Arguments.of("postgresql://u:" + s + "@h1:5432,h2:x/db", "The port 'x' of the host 'h2'"),
        Arguments.of("postgresql://u:" + s + "@[::1:5432/db", "Unbalanced '['"),
        Arguments.of("postgresql://u:" + s + "@h]:5432/db", "Unbalanced ']'"),
        Arguments.of("postgresql://u:" + s + "@::1/db", "IPv6 address without brackets"),
        Arguments.of("postgresql://u:" + s + "@[zz]/db", "The host [zz] is not an IPv6 address"),
        Arguments.of("postgresql://u:" + s + "@[::1]x/db", "Unexpected 'x' after the IPv6 address [::1]"),
        Arguments.of("postgresql://u:" + s + "@%2Fvar%2Frun/db", "contains '%'"),
        Arguments.of("postgresql://u:" + s + "@h%20x/db", "The host 'h%20x' contains '%'"),
        // user info
        Arguments.of("postgresql://u:" + s + "%zz@h/db", "The password in the URL has invalid percent-encoding"),
        Arguments.of("postgresql://u:" + s + "%4@h/db", "The password in the URL has invalid percent-encoding"),
        Arguments.of("postgresql://u:" + s + "%E2%82@h/db", "The password in the URL has invalid percent-encoding"),
        Arguments.of("postgresql://u%zz:" + s + "@h/db", "The user name in the URL has invalid percent-encoding: '%zz'"),
        Arguments.of("postgresql://u:Sup3r/Secret!@h/db", "has an '@' after the host part"),
        Arguments.of("postgresql://u:Sup3r?Secret!@h/db", "percent-encode them (%40, %2F, %3F, %23, %3A)"),
        Arguments.of("postgresql://u:Sup3r#Secret!@h/db", "has an '@' after the host part"),
        Arguments.of("postgresql://u:Sup3r@Sec/ret!@h/db", "has an '@' after the host part"),
        Arguments.of("postgresql://u:" + s + "/db", "the '@host' part is missing"),
        Arguments.of("postgresql://u:" + s + "/db", "The port after the host 'u' is not a number"),
        Arguments.of("postgresql://u:Sup3r:Secret!/db", "looks like an IPv6 address without brackets"),
        Arguments.of("postgresql://:" + s + "/db", "empty host name"),
        Arguments.of("postgresql://[u:" + s + "/db", "Unbalanced '['"),
        Arguments.of(pg + "user=x", "The user name is given twice"),
        Arguments.of(pg + "password=" + s, "The password is given twice"),
        Arguments.of("postgresql://h/db?password=" + s + "%zz", "The value of URL parameter 'password' has invalid percent-encoding"),
        // path
        Arguments.of("postgresql://u:" + s + "@h/db#frag", "contains '#'"),
        Arguments.of("postgresql://u:" + s + "@h/a/b", "The database name 'a/b' in the URL contains '/'"),
        Arguments.of("postgresql://u:" + s + "@h/d%zzb", "The database name in the URL has invalid percent-encoding: '%zz'"),
        // parameters
        Arguments.of(pg + "=5", "empty name"),
        Arguments.of(pg + "%zz=5", "The URL parameter name '%zz' has invalid percent-encoding"),
        Arguments.of(pg + "connection_limit", "URL parameter 'connection_limit' has no value"),
        Arguments.of(pg + "connection_limit=5&connection_limit=6", "URL parameter 'connection_limit' appears more than once"),
        Arguments.of(pg + "connection_limit=abc", "connection_limit=abc is not a whole number"),
        Arguments.of(pg + "connection_limit=", "connection_limit= is not a whole number"),
        Arguments.of(pg + "connection_limit=2.5", "connection_limit=2.5 is not a whole number"),
        Arguments.of(pg + "connection_limit=-1", "connection_limit=-1 is not a whole number"),
        Arguments.of(pg + "connection_limit=0", "connection_limit=0 is out of range"),
        Arguments.of(pg + "connection_limit=99999999999", "connection_limit=99999999999 is out of range"),
        Arguments.of(pg + "connection_limit=2147483648", "connection_limit=2147483648 is out of range"),
        Arguments.of(pg + "pool_timeout=0", "pool_timeout=0 means 'wait forever' in Prisma"),
        Arguments.of(pg + "pool_timeout=0.0", "e.g. pool_timeout=10"),
        Arguments.of(pg + "pool_timeout=-5", "pool_timeout=-5 is not a number of seconds"),
        Arguments.of(pg + "pool_timeout=1e3", "pool_timeout=1e3 is not a number of seconds"),
        Arguments.of(pg + "pool_timeout=ten", "pool_timeout=ten is not a number of seconds"),
        Arguments.of(pg + "pool_timeout=86401", "pool_timeout=86401 is out of range"),
        Arguments.of(pg + "pool_timeout=99999999999999999999", "pool_timeout=99999999999999999999 is out of range"),
        Arguments.of(pg + "connect_timeout=0", "connect_timeout=0 means 'no timeout'"),
        Arguments.of(pg + "connect_timeout=x", "connect_timeout=x is not a number of seconds"),
        Arguments.of(pg + "socket_timeout=x", "socket_timeout=x is not a number of seconds"),
        Arguments.of(pg + "sslmode=strict", "sslmode=strict is not an SSL mode; use one of disable, allow, prefer, require, verify-ca, verify-full"),
        Arguments.of(pg + "pgbouncer=yes", "pgbouncer=yes must be true or false"),
        Arguments.of(pg + "schema=", "URL parameter schema has an empty value"),
        Arguments.of(pg + "application_name=%zz", "The value of URL parameter 'application_name' has invalid percent-encoding: '%zz'"),
        Arguments.of(pg + "sslaccept=strict", "use sslmode=verify-full"),
        Arguments.of(pg + "statement_cache_size=0", "pgbouncer=true"),
        Arguments.of(pg + "connect_timeout=5&connectTimeout=10", "URL parameters 'connect_timeout' and 'connectTimeout' both set the driver property connectTimeout"),
        Arguments.of(pg + "pgbouncer=true&prepareThreshold=5", "both set the driver property prepareThreshold"),
        Arguments.of(pg + "schema=a&currentSchema=b", "both set the driver property currentSchema"),
        // JDBC URLs: only Poolwise's parameters are checked
        Arguments.of("jdbc:postgresql://h/db?user=u&password=" + s + "&connection_limit=abc", "connection_limit=abc"),
        Arguments.of("jdbc:postgresql://u:" + s + "@h/db?pool_timeout=0", "'wait forever'"),
        Arguments.of("jdbc:postgresql://h/db?password=" + s + "&connection_limit=1&connection_limit=2", "appears more than once"),
        Arguments.of("jdbc:postgresql://h/db?password=" + s + "&connectTimeout=3&connect_timeout=4", "both set the driver property connectTimeout"),
        Arguments.of("jdbc:postgresql://h/db?password=" + s + "&pgbouncer=1", "pgbouncer=1 must be true or false"),
        Arguments.of("jdbc:fake:x?password=" + s + "&pool_timeout=abc", "pool_timeout=abc"),
        Arguments.of("jdbc:fake:x?password=" + s + "&connection_limit", "URL parameter 'connection_limit' has no value"),
        Arguments.of("jdbc:fake:x?password=" + s + "&pool_timeout=%zz", "invalid percent-encoding"));
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @MethodSource("malformedUrls")
  void malformedUrlsAreRejectedWithAMessageNamingTheProblemButNeverThePassword(String url, String fragment) {
    assertThatThrownBy(() -> settings(url))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(fragment)
        .message()
        .doesNotContain(SECRET)
        // Also no piece of it, for the URLs where the password was split by an unencoded delimiter.
        .doesNotContain("Sup3r")
        .doesNotContain("Secret");
  }

  @Test
  void nullIsANullPointerException() {
    assertThatThrownBy(() -> PoolwiseDataSource.builder().url(null)).isInstanceOf(NullPointerException.class);
  }
}
