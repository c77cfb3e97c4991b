package dev.poolwise.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.Driver;
import java.sql.DriverManager;
import java.sql.DriverPropertyInfo;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.Collections;
import java.util.Properties;
import org.junit.jupiter.api.Test;

class StubDriverTest {

  @Test
  void isRegisteredWithDriverManagerAndAcceptsOnlyStubUrls() throws SQLException {
    StubDatabase database = StubDatabase.create();
    Driver driver = DriverManager.getDriver(database.url());
    assertThat(driver).isInstanceOf(StubDriver.class);
    assertThat(driver.acceptsURL("jdbc:stub:x")).isTrue();
    assertThat(driver.acceptsURL("jdbc:postgresql://localhost/x")).isFalse();
    assertThat(driver.acceptsURL(null)).isFalse();
    assertThat(driver.connect("jdbc:postgresql://localhost/x", new Properties())).isNull();
  }

  @Test
  void isListedAsAServiceProvider() throws Exception {
    try (var in = getClass().getClassLoader().getResourceAsStream("META-INF/services/java.sql.Driver")) {
      assertThat(in).isNotNull();
      String services = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8)).readLine();
      assertThat(services).isEqualTo(StubDriver.class.getName());
    }
    assertThat(Collections.list(DriverManager.getDrivers())).anyMatch(StubDriver.class::isInstance);
  }

  @Test
  void connectsToTheNamedDatabaseCreatingItIfNeeded() throws SQLException {
    String name = "made-on-the-fly-" + System.nanoTime();
    try (Connection connection = DriverManager.getConnection("jdbc:stub:" + name)) {
      StubConnection stub = connection.unwrap(StubConnection.class);
      assertThat(stub.database().name()).isEqualTo(name);
      assertThat(StubDatabase.named(name).openConnections()).isEqualTo(1);
      assertThat(stub.user()).isEqualTo("stub");
    }
  }

  @Test
  void urlParametersBecomeConnectPropertiesAndOverrideGivenOnes() throws SQLException {
    StubDatabase database = StubDatabase.create();
    Properties info = new Properties();
    info.setProperty("user", "from-properties");
    try (StubConnection connection = new StubDriver().connect(
        database.url() + "?user=from%20url&ApplicationName=orders&ignored=1&flag", info)) {
      assertThat(connection.user()).isEqualTo("from url");
      assertThat(connection.getClientInfo("ApplicationName")).isEqualTo("orders");
    }
    assertThat(info.getProperty("user")).as("caller's properties are not modified").isEqualTo("from-properties");
  }

  @Test
  void urlWithoutDatabaseNameIsRejectedWithAnExample() {
    assertThatThrownBy(() -> DriverManager.getConnection("jdbc:stub:?user=x"))
        .isInstanceOf(SQLException.class)
        .hasMessageContaining("names no database")
        .hasMessageContaining("jdbc:stub:<databaseName>");
  }

  @Test
  void describesItsKnownProperties() throws SQLException {
    Properties info = new Properties();
    info.setProperty("user", "alice");
    DriverPropertyInfo[] properties = new StubDriver().getPropertyInfo("jdbc:stub:x", info);
    assertThat(Arrays.stream(properties).map(p -> p.name))
        .containsExactly("user", "password", "socketTimeout", "connectTimeout", "ApplicationName");
    assertThat(properties[0].value).isEqualTo("alice");
    assertThat(new StubDriver().getMajorVersion()).isEqualTo(1);
    assertThat(new StubDriver().jdbcCompliant()).isFalse();
  }

  @Test
  void namedReturnsTheSameDatabaseAndCreateReturnsFreshOnes() {
    StubDatabase first = StubDatabase.create();
    assertThat(StubDatabase.named(first.name())).isSameAs(first);
    assertThat(StubDatabase.create().name()).isNotEqualTo(first.name());
    assertThat(first.url()).isEqualTo("jdbc:stub:" + first.name());
    assertThatThrownBy(() -> StubDatabase.named(" ")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void dataSourceConnectsThroughTheKnobs() throws SQLException {
    StubDatabase database = StubDatabase.create().requirePassword("hunter2");
    try (StubConnection connection = database.dataSource("app", "hunter2").getConnection()) {
      assertThat(connection.user()).isEqualTo("app");
    }
    assertThatThrownBy(() -> database.dataSource().getConnection()).isInstanceOf(SQLException.class);
    assertThat(database.dataSource("app", "hunter2").toString()).doesNotContain("hunter2").contains("app");
  }
}
