package dev.poolwise.smoke;

import dev.poolwise.PoolSnapshot;
import dev.poolwise.PoolwiseDataSource;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Set;

/**
 * Borrows, queries and returns a connection through Poolwise from a named module, then checks what the
 * module system sees: {@code dev.poolwise} is a named module that exports its API package and nothing
 * else. Prints one line starting with {@code OK} and exits 0, or throws.
 *
 * <p>The JDBC URL is the first argument; its driver is on the class path (found through
 * {@code DriverManager}), as most applications' drivers are.
 */
public final class ModularApplication {

  private ModularApplication() {}

  public static void main(String[] args) throws Exception {
    Module poolwise = PoolwiseDataSource.class.getModule();
    check(poolwise.isNamed() && poolwise.getName().equals("dev.poolwise"), "Poolwise is not the named module dev.poolwise: " + poolwise);
    Set<String> exported = poolwise.getDescriptor().exports().stream().map(e -> e.source()).collect(java.util.stream.Collectors.toSet());
    check(exported.equals(Set.of("dev.poolwise")), "dev.poolwise exports " + exported + ", expected only [dev.poolwise]");
    check(ModularApplication.class.getModule().getName().equals("dev.poolwise.smoke"), "the application is not running as a module");

    int rows = 0;
    PoolSnapshot afterReturn;
    try (PoolwiseDataSource pool = PoolwiseDataSource.builder().url(args[0]).poolName("modular-smoke").maxSize(2).build()) {
      try (Connection connection = pool.getConnection();
          Statement statement = connection.createStatement();
          ResultSet resultSet = statement.executeQuery("select 1")) {
        check(statement.getConnection() == connection, "the statement leads to another connection than the pool's handle");
        while (resultSet.next()) {
          rows++;
        }
      }
      afterReturn = pool.snapshot();
    }
    check(afterReturn.active() == 0, "a connection is still active after it was returned: " + afterReturn);
    System.out.println("OK module " + poolwise.getName() + " exports " + exported + "; borrowed, queried (" + rows
        + " rows) and returned a connection; " + afterReturn.total() + " pooled");
  }

  private static void check(boolean condition, String failure) {
    if (!condition) {
      throw new IllegalStateException(failure);
    }
  }
}
