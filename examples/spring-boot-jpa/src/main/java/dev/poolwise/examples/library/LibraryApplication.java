package dev.poolwise.examples.library;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * A small library catalogue: Spring Data JPA over Flyway-managed tables, a REST endpoint and Actuator.
 * Nothing in it names Poolwise: the pool comes from the dependencies alone (see pom.xml), and the database
 * from Boot's usual properties — the embedded H2 by default, PostgreSQL with the {@code postgres} profile.
 */
@SpringBootApplication
public class LibraryApplication {

  public static void main(String[] args) {
    SpringApplication.run(LibraryApplication.class, args);
  }
}
