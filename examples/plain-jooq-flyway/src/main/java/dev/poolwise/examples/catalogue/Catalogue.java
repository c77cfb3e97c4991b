package dev.poolwise.examples.catalogue;

import static org.jooq.impl.DSL.field;
import static org.jooq.impl.DSL.name;
import static org.jooq.impl.DSL.table;

import dev.poolwise.PoolwiseDataSource;
import java.sql.SQLException;
import java.util.List;
import org.flywaydb.core.Flyway;
import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.Record;
import org.jooq.SQLDialect;
import org.jooq.Table;
import org.jooq.impl.DSL;

/**
 * A book catalogue on PostgreSQL without a framework: one {@link PoolwiseDataSource} for the process, Flyway
 * migrating through it at startup, jOOQ borrowing from it for every query. (jOOQ without code generation here,
 * to keep the example small: the table and columns are named in {@link #BOOKS} and the fields below.)
 */
public final class Catalogue implements AutoCloseable {

  static final Table<Record> BOOKS = table(name("books"));
  static final Field<Long> ID = field(name("id"), Long.class);
  static final Field<String> TITLE = field(name("title"), String.class);
  static final Field<String> AUTHOR = field(name("author"), String.class);
  static final Field<Integer> PUBLISHED_YEAR = field(name("published_year"), Integer.class);

  private final PoolwiseDataSource pool;
  private final DSLContext sql;

  /** Migrates the database behind {@code pool} and serves queries from it; closing the catalogue closes the pool. */
  public Catalogue(PoolwiseDataSource pool) {
    this.pool = pool;
    Flyway.configure().dataSource(pool).load().migrate();
    this.sql = DSL.using(pool, SQLDialect.POSTGRES);
  }

  /** From a {@code DATABASE_URL} ({@code postgresql://user:password@host/db?connection_limit=10}) or a JDBC URL. */
  public static Catalogue open(String databaseUrl) throws SQLException {
    return new Catalogue(PoolwiseDataSource.fromUrl(databaseUrl));
  }

  public long add(String title, String author, int publishedYear) {
    return sql.insertInto(BOOKS, TITLE, AUTHOR, PUBLISHED_YEAR)
        .values(title, author, publishedYear)
        .returning(ID)
        .fetchOne(ID);
  }

  public List<String> titlesBy(String author) {
    return sql.select(TITLE).from(BOOKS).where(AUTHOR.eq(author)).orderBy(PUBLISHED_YEAR, ID).fetch(TITLE);
  }

  public int count() {
    return sql.fetchCount(BOOKS);
  }

  /** The pool, for its counts and diagnosis. */
  public PoolwiseDataSource pool() {
    return pool;
  }

  @Override
  public void close() {
    pool.close();
  }

  /** {@code DATABASE_URL=postgresql://... java ... Catalogue "Octavia E. Butler"} */
  public static void main(String[] args) throws SQLException {
    String url = System.getenv("DATABASE_URL");
    if (url == null || url.isBlank()) {
      System.err.println("Set DATABASE_URL, e.g. postgresql://app:secret@localhost:5432/catalogue");
      System.exit(2);
    }
    try (Catalogue catalogue = open(url)) {
      String author = args.length > 0 ? args[0] : "Octavia E. Butler";
      System.out.println(author + ": " + catalogue.titlesBy(author));
    }
  }
}
