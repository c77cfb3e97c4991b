package dev.poolwise;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;

import java.sql.Connection;
import java.time.Duration;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PropertiesConfigurationTest {

  static final String SECRET = "Sup3rSecret!";

  static Properties properties(String... keysAndValues) {
    Properties properties = new Properties();
    for (int i = 0; i < keysAndValues.length; i += 2) {
      properties.setProperty(keysAndValues[i], keysAndValues[i + 1]);
    }
    return properties;
  }

  static PoolSettings settings(Properties properties) {
    return PoolwiseDataSource.builder().properties(properties).settings();
  }

  @Test
  void everySetting() {
    PoolSettings settings = settings(properties(
        "poolwise.url", "jdbc:postgresql://db:5432/shop",
        "poolwise.driverClassName", "org.postgresql.Driver",
        "poolwise.poolName", "orders",
        "poolwise.username", "app",
        "poolwise.password", " " + SECRET + " ",
        "poolwise.maxSize", "20",
        "poolwise.minIdle", "4",
        "poolwise.acquireTimeout", "3s",
        "poolwise.connectTimeout", "PT7S",
        "poolwise.idleTimeout", "5m",
        "poolwise.maxLifetime", "1h",
        "poolwise.keepaliveInterval", "0",
        "poolwise.validationTimeout", "1500",
        "poolwise.validateAfterIdle", "250ms",
        "poolwise.shutdownTimeout", "1d",
        "poolwise.housekeepingInterval", "15s",
        "poolwise.creationBackoffInitial", "50ms",
        "poolwise.creationBackoffMax", "2m",
        "poolwise.maxConcurrentCreations", "3",
        "poolwise.startMode", "fail-fast",
        "poolwise.autoCommit", "false",
        "poolwise.transactionIsolation", "read committed",
        "poolwise.readOnly", "true",
        "poolwise.catalog", "shop",
        "poolwise.schema", "orders",
        "poolwise.connectionInitSql", "SET statement_timeout = '5s'",
        "poolwise.diagnostics", "false",
        "poolwise.acquisitionStacks", "always",
        "poolwise.leakThreshold", "30s",
        "poolwise.leakReclaimThreshold", "10m",
        "poolwise.multipleAcquisition", "FAIL",
        "poolwise.lane.batch", "4",
        "poolwise.lane.reports", "2",
        "poolwise.expectedInstances", "3",
        "poolwise.registerMBean", "true",
        "poolwise.sqlLogging", "slow",
        "poolwise.slowSqlThreshold", "250ms",
        "poolwise.driver.sslmode", "verify-full",
        "poolwise.driver.ApplicationName", "orders-service"));

    assertThat(settings.jdbcUrl()).isEqualTo("jdbc:postgresql://db:5432/shop");
    assertThat(settings.driverClassName()).isEqualTo("org.postgresql.Driver");
    assertThat(settings.poolName()).isEqualTo("orders");
    assertThat(settings.credentials().get()).isEqualTo(new Credentials("app", " " + SECRET + " ")); // verbatim
    assertThat(settings.maxSize()).isEqualTo(20);
    assertThat(settings.minIdle()).isEqualTo(4);
    assertThat(settings.acquireTimeout()).isEqualTo(Duration.ofSeconds(3));
    assertThat(settings.connectTimeout()).isEqualTo(Duration.ofSeconds(7));
    assertThat(settings.idleTimeout()).isEqualTo(Duration.ofMinutes(5));
    assertThat(settings.maxLifetime()).isEqualTo(Duration.ofHours(1));
    assertThat(settings.keepaliveInterval()).isEqualTo(Duration.ZERO);
    assertThat(settings.validationTimeout()).isEqualTo(Duration.ofMillis(1500));
    assertThat(settings.validateAfterIdle()).isEqualTo(Duration.ofMillis(250));
    assertThat(settings.shutdownTimeout()).isEqualTo(Duration.ofDays(1));
    assertThat(settings.housekeepingInterval()).isEqualTo(Duration.ofSeconds(15));
    assertThat(settings.creationBackoffInitial()).isEqualTo(Duration.ofMillis(50));
    assertThat(settings.creationBackoffMax()).isEqualTo(Duration.ofMinutes(2));
    assertThat(settings.maxConcurrentCreations()).isEqualTo(3);
    assertThat(settings.startMode()).isEqualTo(StartMode.FAIL_FAST);
    assertThat(settings.autoCommit()).isFalse();
    assertThat(settings.transactionIsolation()).isEqualTo(Connection.TRANSACTION_READ_COMMITTED);
    assertThat(settings.readOnly()).isTrue();
    assertThat(settings.catalog()).isEqualTo("shop");
    assertThat(settings.schema()).isEqualTo("orders");
    assertThat(settings.connectionInitSql()).isEqualTo("SET statement_timeout = '5s'");
    assertThat(settings.diagnostics()).isFalse();
    assertThat(settings.acquisitionStacks()).isEqualTo(StackCapture.ALWAYS);
    assertThat(settings.leakThreshold()).isEqualTo(Duration.ofSeconds(30));
    assertThat(settings.leakReclaimThreshold()).isEqualTo(Duration.ofMinutes(10));
    assertThat(settings.multipleAcquisition()).isEqualTo(MultipleAcquisition.FAIL);
    assertThat(settings.lanes()).containsOnly(entry("batch", 4), entry("reports", 2));
    assertThat(settings.expectedInstances()).isEqualTo(3);
    assertThat(settings.registerMBean()).isTrue();
    assertThat(settings.sqlLogging()).isEqualTo(SqlLogging.SLOW);
    assertThat(settings.slowSqlThreshold()).isEqualTo(Duration.ofMillis(250));
    assertThat(settings.driverProperties())
        .containsOnly(entry("sslmode", "verify-full"), entry("ApplicationName", "orders-service"));
  }

  @Test
  void diagnosticsAndGuardsKeepTheBuilderDefaultsWhenAbsent() {
    PoolSettings fromProperties = settings(properties("poolwise.url", "jdbc:postgresql://h/db"));
    PoolSettings fromBuilder = PoolwiseDataSource.builder().url("jdbc:postgresql://h/db").settings();

    assertThat(fromProperties.diagnostics()).isTrue().isEqualTo(fromBuilder.diagnostics());
    assertThat(fromProperties.acquisitionStacks()).isEqualTo(StackCapture.SAMPLED);
    assertThat(fromProperties.leakThreshold()).isEqualTo(Duration.ofSeconds(60));
    assertThat(fromProperties.leakReclaimThreshold()).isEqualTo(Duration.ZERO);
    assertThat(fromProperties.multipleAcquisition()).isEqualTo(MultipleAcquisition.WARN);
    assertThat(fromProperties.lanes()).isEmpty();
    assertThat(fromProperties.expectedInstances()).isEqualTo(1);
    assertThat(fromProperties.registerMBean()).isFalse();
    assertThat(fromProperties.sqlLogging()).isEqualTo(SqlLogging.OFF);
    assertThat(fromProperties.slowSqlThreshold()).isEqualTo(Duration.ofSeconds(1));
    assertThat(fromProperties)
        .usingRecursiveComparison()
        .comparingOnlyFields("diagnostics", "acquisitionStacks", "leakThreshold", "leakReclaimThreshold",
            "multipleAcquisition", "lanes", "expectedInstances", "registerMBean", "sqlLogging", "slowSqlThreshold")
        .isEqualTo(fromBuilder);
  }

  @Test
  void zeroSwitchesLeakDetectionOff() {
    PoolSettings settings = settings(properties("poolwise.url", "jdbc:postgresql://h/db",
        "poolwise.leakThreshold", "0", "poolwise.leakReclaimThreshold", "0s"));

    assertThat(settings.leakThreshold()).isZero();
    assertThat(settings.leakReclaimThreshold()).isZero();
  }

  @Test
  void laneNamesAreTakenVerbatimFromTheKey() {
    PoolSettings settings = settings(properties("poolwise.url", "jdbc:postgresql://h/db", "poolwise.maxSize", "10",
        "poolwise.lane.Nightly-Export", " 3 ", "poolwise.lane.a.b", "1"));

    assertThat(settings.lanes()).containsOnly(entry("Nightly-Export", 3), entry("a.b", 1));
  }

  @Test
  void aLaneLargerThanThePoolIsRefusedByTheBuilderWithBothNumbers() {
    assertThatThrownBy(() -> settings(properties("poolwise.url", "jdbc:postgresql://h/db", "poolwise.maxSize", "10",
        "poolwise.lane.batch", "11")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Lane 'batch' may hold between 1 and maxSize (10) connections, was 11");
  }

  @Test
  void aReclaimThresholdBelowTheLeakThresholdIsRefusedByTheBuilder() {
    assertThatThrownBy(() -> settings(properties("poolwise.url", "jdbc:postgresql://h/db",
        "poolwise.leakThreshold", "5m", "poolwise.leakReclaimThreshold", "1m")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("leakReclaimThreshold (PT1M) must not be shorter than leakThreshold (PT5M)");
  }

  @ParameterizedTest(name = "{0}={1}")
  @CsvSource(delimiter = '|', textBlock = """
      poolwise.acquisitionStacks   | off         | OFF
      poolwise.acquisitionStacks   | Sampled     | SAMPLED
      poolwise.acquisitionStacks   | ' ALWAYS '  | ALWAYS
      poolwise.multipleAcquisition | allow       | ALLOW
      poolwise.multipleAcquisition | Warn        | WARN
      poolwise.multipleAcquisition | fail        | FAIL
      poolwise.sqlLogging          | OFF         | OFF
      poolwise.sqlLogging          | slow        | SLOW
      poolwise.sqlLogging          | all         | ALL
      """)
  void enumSettingsAreTolerantOfCase(String key, String value, String constant) {
    PoolSettings settings = settings(properties("poolwise.url", "jdbc:postgresql://h/db", key, value));

    Object actual = switch (key) {
      case "poolwise.acquisitionStacks" -> settings.acquisitionStacks();
      case "poolwise.multipleAcquisition" -> settings.multipleAcquisition();
      default -> settings.sqlLogging();
    };
    assertThat(((Enum<?>) actual).name()).isEqualTo(constant);
  }

  @Test
  void keysOutsideThePoolwiseNamespaceAreIgnored() {
    PoolSettings settings = settings(properties(
        "poolwise.url", "postgresql://h/db",
        "spring.datasource.url", "jdbc:mysql://elsewhere/db",
        "poolwisemaxSize", "nonsense",
        "POOLWISE.maxSize", "nonsense",
        "maxSize", "nonsense"));

    assertThat(settings.maxSize()).isEqualTo(PoolwiseDataSource.Builder.defaultMaxSize());
  }

  @Test
  void explicitKeysOverrideTheUrlWhateverTheirOrder() {
    PoolSettings settings = settings(properties(
        "poolwise.acquireTimeout", "2s",
        "poolwise.driver.sslmode", "require",
        "poolwise.maxSize", "5",
        "poolwise.username", "explicit",
        "poolwise.url", "postgresql://fromurl:urlpw@h/db?connection_limit=30&pool_timeout=20&sslmode=disable"));

    assertThat(settings.maxSize()).isEqualTo(5);
    assertThat(settings.acquireTimeout()).isEqualTo(Duration.ofSeconds(2));
    assertThat(settings.driverProperties()).containsOnly(entry("sslmode", "require"));
    assertThat(settings.credentials().get()).isEqualTo(new Credentials("explicit", "urlpw"));
  }

  @Test
  void urlParametersApplyWhenNotOverridden() {
    PoolSettings settings = settings(properties("poolwise.url", "postgresql://u:pw@h/db?connection_limit=30"));

    assertThat(settings.maxSize()).isEqualTo(30);
  }

  @Test
  void defaultsOfThePropertiesAndNonStringValuesAreHonoured() {
    Properties defaults = properties("poolwise.url", "jdbc:postgresql://h/db", "poolwise.minIdle", "2");
    Properties properties = new Properties(defaults);
    properties.put("poolwise.maxSize", 20);
    properties.put("poolwise.acquireTimeout", Duration.ofSeconds(3));
    properties.put("poolwise.readOnly", Boolean.TRUE);

    PoolSettings settings = settings(properties);

    assertThat(settings.minIdle()).isEqualTo(2);
    assertThat(settings.maxSize()).isEqualTo(20);
    assertThat(settings.acquireTimeout()).isEqualTo(Duration.ofSeconds(3));
    assertThat(settings.readOnly()).isTrue();
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', textBlock = """
      500ms                 | PT0.5S
      5s                    | PT5S
      5 s                   | PT5S
      ' 2m '                | PT2M
      1h                    | PT1H
      1d                    | PT24H
      1.5s                  | PT1.5S
      0.25ms                | PT0.00025S
      PT5S                  | PT5S
      P1DT1H                | PT25H
      pt0.1s                | PT0.1S
      1500                  | PT1.5S
      0                     | PT0S
      0s                    | PT0S
      """)
  void durations(String text, String iso) {
    assertThat(PropertiesConfiguration.parseDuration("poolwise.idleTimeout", text)).isEqualTo(Duration.parse(iso));
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', textBlock = """
      FAIL_FAST   | FAIL_FAST
      fail-fast   | FAIL_FAST
      failfast    | FAIL_FAST
      ' Fail_Fast '| FAIL_FAST
      background  | BACKGROUND
      LAZY        | LAZY
      """)
  void startModes(String text, StartMode mode) {
    assertThat(PropertiesConfiguration.parseStartMode("poolwise.startMode", text)).isEqualTo(mode);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', textBlock = """
      TRANSACTION_READ_COMMITTED | 2
      READ_COMMITTED             | 2
      read committed             | 2
      read-committed             | 2
      2                          | 2
      transaction_serializable   | 8
      SERIALIZABLE               | 8
      8                          | 8
      repeatable read            | 4
      READ_UNCOMMITTED           | 1
      none                       | 0
      0                          | 0
      """)
  void isolationLevels(String text, int level) {
    assertThat(PropertiesConfiguration.parseIsolation("poolwise.transactionIsolation", text)).isEqualTo(level);
  }

  @Test
  void booleansAreTrueOrFalseInAnyCase() {
    assertThat(PropertiesConfiguration.parseBoolean("poolwise.readOnly", "TRUE")).isTrue();
    assertThat(PropertiesConfiguration.parseBoolean("poolwise.readOnly", "false")).isFalse();
  }

  @ParameterizedTest(name = "{0}={1}")
  @CsvSource(delimiter = '|', textBlock = """
      poolwise.maxSize                | abc                 | poolwise.maxSize=abc is not a whole number
      poolwise.maxSize                | 0                   | poolwise.maxSize=0 is out of range: give a number between 1 and
      poolwise.maxSize                | 99999999999         | poolwise.maxSize=99999999999 is out of range
      poolwise.maxSize                | 2.5                 | poolwise.maxSize=2.5 is not a whole number
      poolwise.minIdle                | -1                  | poolwise.minIdle=-1 is out of range: give a number between 0
      poolwise.maxConcurrentCreations | 0                   | poolwise.maxConcurrentCreations=0 is out of range
      poolwise.acquireTimeout         | 5x                  | poolwise.acquireTimeout=5x is not a duration; write e.g. 500ms
      poolwise.acquireTimeout         | 5S                  | poolwise.acquireTimeout=5S is not a duration
      poolwise.acquireTimeout         | -5s                 | poolwise.acquireTimeout=-5s is negative
      poolwise.acquireTimeout         | -PT5S               | poolwise.acquireTimeout=-PT5S is negative
      poolwise.acquireTimeout         | PTX                 | poolwise.acquireTimeout=PTX is not an ISO-8601 duration
      poolwise.idleTimeout            | 99999999999999999999 | poolwise.idleTimeout=99999999999999999999 is too long
      poolwise.idleTimeout            | 300000d             | poolwise.idleTimeout=300000d is too long
      poolwise.idleTimeout            | ''                  | poolwise.idleTimeout is empty
      poolwise.startMode              | eager               | poolwise.startMode=eager is not a start mode: use one of FAIL_FAST, BACKGROUND, LAZY
      poolwise.transactionIsolation   | snapshot            | poolwise.transactionIsolation=snapshot is not a transaction isolation level
      poolwise.transactionIsolation   | 3                   | poolwise.transactionIsolation=3 is not a transaction isolation level
      poolwise.autoCommit             | yes                 | poolwise.autoCommit=yes is not a boolean: write true or false
      poolwise.readOnly               | 1                   | poolwise.readOnly=1 is not a boolean
      poolwise.schema                 | ''                  | poolwise.schema is empty
      poolwise.dataSource             | com.example.Ds      | poolwise.dataSource is not supported
      poolwise.driver.                | x                   | poolwise.driver. has no property name
      poolwise.diagnostics            | on                  | poolwise.diagnostics=on is not a boolean: write true or false
      poolwise.registerMBean          | yes                 | poolwise.registerMBean=yes is not a boolean
      poolwise.acquisitionStacks      | sometimes           | poolwise.acquisitionStacks=sometimes is not a stack capture mode: use one of OFF, SAMPLED, ALWAYS
      poolwise.multipleAcquisition    | deny                | poolwise.multipleAcquisition=deny is not a multiple-acquisition policy: use one of ALLOW, WARN, FAIL
      poolwise.sqlLogging             | true                | poolwise.sqlLogging=true is not a SQL logging mode: use one of OFF, SLOW, ALL
      poolwise.sqlLogging             | ''                  | poolwise.sqlLogging is empty
      poolwise.leakThreshold          | 1 minute            | poolwise.leakThreshold=1 minute is not a duration
      poolwise.leakReclaimThreshold   | -1s                 | poolwise.leakReclaimThreshold=-1s is negative
      poolwise.slowSqlThreshold       | fast                | poolwise.slowSqlThreshold=fast is not a duration
      poolwise.expectedInstances      | 0                   | poolwise.expectedInstances=0 is out of range: give a number between 1 and
      poolwise.expectedInstances      | few                 | poolwise.expectedInstances=few is not a whole number
      poolwise.lane.                  | 4                   | poolwise.lane. has no lane name: write poolwise.lane.<name>=<maxConnections>, e.g. poolwise.lane.batch=4
      poolwise.lane.batch             | 0                   | poolwise.lane.batch=0 is out of range: give a number between 1 and
      poolwise.lane.batch             | half                | poolwise.lane.batch=half is not a whole number
      poolwise.lane                   | batch:4             | Unknown key poolwise.lane (a lane is one key per lane: poolwise.lane.<name>=<maxConnections>
      poolwise.lanes                  | batch=4             | a lane is one key per lane
      poolwise.leakDetectionThreshold | 2000                | HikariCP's leakDetectionThreshold is poolwise.leakThreshold in Poolwise
      poolwise.registerMbeans         | true                | HikariCP's registerMbeans is poolwise.registerMBean in Poolwise
      poolwise.sqlLoging              | all                 | did you mean 'poolwise.sqlLogging'
      poolwise.expectedInstance       | 2                   | did you mean 'poolwise.expectedInstances'

      poolwise.maxSzie                | 20                  | Unknown key poolwise.maxSzie (did you mean 'poolwise.maxSize'?)
      poolwise.maxsize                | 20                  | did you mean 'poolwise.maxSize'
      poolwise.pasword                | Sup3rSecret!        | Unknown key poolwise.pasword (did you mean 'poolwise.password'?)
      poolwise.maximumPoolSize        | 20                  | HikariCP's maximumPoolSize is poolwise.maxSize in Poolwise
      poolwise.connectionTimeout      | 5000                | HikariCP's connectionTimeout is poolwise.acquireTimeout
      poolwise.dataSource.cachePrepStmts | true             | HikariCP's dataSource.* properties are poolwise.driver.*
      poolwise.frobnicate             | 1                   | Known keys: poolwise.url, poolwise.driverClassName,
      poolwise.url                    | mysql://u:Sup3rSecret!@h/db | poolwise.url: Unsupported URL scheme 'mysql://'
      poolwise.url                    | postgresql://u:Sup3rSecret!%zz@h/db | poolwise.url: The password in the URL has invalid percent-encoding
      poolwise.url                    | postgresql://u:Sup3rSecret!@h/db?pool_timeout=0 | poolwise.url: URL parameter pool_timeout=0 means 'wait forever'
      """)
  void invalidValuesAreRejectedWithTheKeyAndValueButNeverThePassword(String key, String value, String fragment) {
    Properties properties = properties("poolwise.password", SECRET, key, value);
    if (!key.equals("poolwise.url")) {
      properties.setProperty("poolwise.url", "postgresql://u:" + SECRET + "@h/db");
    }
    PoolwiseDataSource.Builder builder = PoolwiseDataSource.builder();

    assertThatThrownBy(() -> builder.properties(properties))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(fragment)
        .message().doesNotContain("Sup3r").doesNotContain("Secret");
    assertThat(builder.jdbcUrl).as("nothing applied").isNull();
    assertThat(builder.password).as("nothing applied").isNull();
  }

  @Test
  void everyProblemIsReportedAtOnce() {
    assertThatThrownBy(() -> settings(properties(
        "poolwise.password", SECRET,
        "poolwise.maxSize", "many",
        "poolwise.idleTimeout", "forever",
        "poolwise.passwrd", SECRET)))
        .hasMessageStartingWith("3 problems in the poolwise.* properties:")
        .hasMessageContaining("poolwise.maxSize=many")
        .hasMessageContaining("poolwise.idleTimeout=forever")
        .hasMessageContaining("Unknown key poolwise.passwrd")
        .message().doesNotContain(SECRET);
  }

  @Test
  void secretLookingValuesAreHiddenEvenWhenTheyAreInvalid() {
    assertThatThrownBy(() -> PropertiesConfiguration.parseDuration("poolwise.secretTimeout", SECRET))
        .hasMessageContaining("poolwise.secretTimeout=<hidden>")
        .message().doesNotContain(SECRET);
  }

  @Test
  void knownKeysCoverEveryBuilderSetting() {
    assertThat(PropertiesConfiguration.knownKeys()).containsExactly(
        "poolwise.url", "poolwise.driverClassName", "poolwise.poolName", "poolwise.username", "poolwise.password",
        "poolwise.maxSize", "poolwise.minIdle", "poolwise.acquireTimeout", "poolwise.connectTimeout",
        "poolwise.idleTimeout", "poolwise.maxLifetime", "poolwise.keepaliveInterval", "poolwise.validationTimeout",
        "poolwise.validateAfterIdle", "poolwise.shutdownTimeout", "poolwise.housekeepingInterval",
        "poolwise.creationBackoffInitial", "poolwise.creationBackoffMax", "poolwise.maxConcurrentCreations",
        "poolwise.startMode", "poolwise.autoCommit", "poolwise.transactionIsolation", "poolwise.readOnly",
        "poolwise.catalog", "poolwise.schema", "poolwise.connectionInitSql", "poolwise.sessionReset",
        "poolwise.diagnostics",
        "poolwise.acquisitionStacks", "poolwise.leakThreshold", "poolwise.leakReclaimThreshold",
        "poolwise.multipleAcquisition", "poolwise.expectedInstances", "poolwise.fleet", "poolwise.fleetInterval",
        "poolwise.registerMBean", "poolwise.sqlLogging",
        "poolwise.slowSqlThreshold", "poolwise.lane.<name>", "poolwise.driver.<name>");
  }

  @Test
  void sessionResetIsReadByName() {
    assertThat(settings(properties("poolwise.url", "jdbc:postgresql://h/db", "poolwise.sessionReset", "always"))
        .sessionReset()).isEqualTo(SessionReset.ALWAYS);
    assertThat(settings(properties("poolwise.url", "jdbc:postgresql://h/db")).sessionReset())
        .isEqualTo(SessionReset.AUTO);
  }

  @Test
  void anEmptyPasswordIsAllowed() {
    PoolSettings settings = settings(properties("poolwise.url", "jdbc:postgresql://h/db", "poolwise.password", ""));

    assertThat(settings.credentials().get().password()).isEmpty();
  }
}
