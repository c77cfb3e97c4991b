package dev.poolwise.examples.library;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** A book in the catalogue; the table is created by Flyway (V1__books.sql), not by Hibernate. */
@Entity
@Table(name = "books")
public class Book {

  @Id
  @GeneratedValue(strategy = GenerationType.IDENTITY)
  private Long id;

  @Column(nullable = false)
  private String title;

  @Column(nullable = false)
  private String author;

  @Column(name = "published_year", nullable = false)
  private int publishedYear;

  protected Book() {
    // for JPA
  }

  public Book(String title, String author, int publishedYear) {
    this.title = title;
    this.author = author;
    this.publishedYear = publishedYear;
  }

  public Long getId() {
    return id;
  }

  public String getTitle() {
    return title;
  }

  public String getAuthor() {
    return author;
  }

  public int getPublishedYear() {
    return publishedYear;
  }
}
