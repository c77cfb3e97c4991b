/**
 * Poolwise: a JDBC connection pool. The whole API is the package {@code dev.poolwise}: {@link
 * dev.poolwise.PoolwiseDataSource} and its builder, the snapshot and listener types, {@link
 * dev.poolwise.Poolwise} for tags and lanes. Everything else is package-private and may change.
 *
 * <p>{@code java.sql} is required transitively because the API is made of its types ({@code DataSource},
 * {@code Connection}, {@code SQLException}). {@code java.management} registers the MBean, {@code jdk.jfr}
 * carries the pool's JFR events (without it at run time they are a no-op), {@code org.slf4j} is the one
 * library dependency. JDBC drivers are found through {@code java.sql.DriverManager} (class path or module
 * path) or by class name through the thread's context class loader, as without modules.
 */
module dev.poolwise {
  requires transitive java.sql;
  requires java.management;
  requires jdk.jfr;
  requires org.slf4j;

  exports dev.poolwise;
}
