package dev.poolwise.spring.boot;

import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/** A tiny application that knows nothing about Poolwise: it just uses the DataSource Boot gives it. */
@SpringBootApplication
public class OrdersApplication {

  /** Inserts orders inside one transaction. */
  @Service
  public static class OrderService {
    private final JdbcTemplate jdbc;

    public OrderService(JdbcTemplate jdbc) {
      this.jdbc = jdbc;
    }

    @Transactional
    public void place(String sku) {
      jdbc.update("INSERT INTO orders (sku) VALUES (?)", sku);
    }

    /** Inserts, then fails after the insert: the transaction must roll back. */
    @Transactional
    public void placeThenFail(String sku) {
      jdbc.update("INSERT INTO orders (sku) VALUES (?)", sku);
      throw new IllegalStateException("payment declined for " + sku);
    }
  }
}
