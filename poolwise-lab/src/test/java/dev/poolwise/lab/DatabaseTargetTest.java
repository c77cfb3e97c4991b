package dev.poolwise.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class DatabaseTargetTest {

  @Test
  void databaseUrlKeepsCredentialsOutOfTheJdbcUrl() {
    DatabaseTarget target = DatabaseTarget.parse(
        "postgresql://app:s%40cr%2Fet@localhost:6543/shop?connection_limit=30&pool_timeout=20&sslmode=disable");
    assertThat(target.host()).isEqualTo("localhost");
    assertThat(target.port()).isEqualTo(6543);
    assertThat(target.username()).isEqualTo("app");
    assertThat(target.password()).isEqualTo("s@cr/et");
    assertThat(target.jdbcUrl()).isEqualTo("jdbc:postgresql://localhost:6543/shop?sslmode=disable");
    assertThat(target.toString()).doesNotContain("s@cr/et").contains("<hidden>");
    assertThat(target.isLoopback()).isTrue();
  }

  @Test
  void jdbcUrlTakesCredentialsFromParameters() {
    DatabaseTarget target = DatabaseTarget.parse("jdbc:postgresql://127.0.0.1/app?user=me&password=pw&ssl=false");
    assertThat(target.port()).isEqualTo(5432);
    assertThat(target.username()).isEqualTo("me");
    assertThat(target.password()).isEqualTo("pw");
    assertThat(target.parameters()).isEqualTo(Map.of("ssl", "false"));
    assertThat(target.jdbcUrl()).doesNotContain("pw");
  }

  @Test
  void remoteHostsAreNotLoopbackAndBadUrlsAreNamedWithoutSecrets() {
    assertThat(DatabaseTarget.parse("postgresql://u:p@db.example.com/app").isLoopback()).isFalse();
    assertThat(DatabaseTarget.parse("postgresql://u:p@[::1]:5433/app").isLoopback()).isTrue();
    assertThatThrownBy(() -> DatabaseTarget.parse("mysql://u:secret@localhost/app"))
        .hasMessageNotContaining("secret").hasMessageContaining("jdbc:postgresql://");
    assertThatThrownBy(() -> DatabaseTarget.parse("postgresql://u:secret@localhost:99999/app"))
        .hasMessageNotContaining("secret").hasMessageContaining("port");
  }

  @Test
  void remoteUrlIsRefusedWithoutAllowRemote() {
    assertThatThrownBy(() -> LabDatabase.connect("postgresql://u:secret@db.example.com/app", false))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--allow-remote")
        .hasMessageNotContaining("secret");
  }
}
