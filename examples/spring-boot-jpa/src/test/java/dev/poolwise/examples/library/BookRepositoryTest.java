package dev.poolwise.examples.library;

import static org.assertj.core.api.Assertions.assertThat;

import dev.poolwise.PoolwiseDataSource;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.data.jpa.test.autoconfigure.DataJpaTest;
import org.springframework.boot.jdbc.test.autoconfigure.AutoConfigureTestDatabase;

/**
 * A {@code @DataJpaTest} slice that keeps the application's database ({@code replace = NONE}): Boot's
 * embedded H2, pooled by Poolwise, migrated by Flyway inside the slice.
 */
@DataJpaTest
@AutoConfigureTestDatabase(replace = AutoConfigureTestDatabase.Replace.NONE)
class BookRepositoryTest {

  @Autowired BookRepository books;
  @Autowired DataSource dataSource;

  @Test
  void findsTheMigratedBooksByAuthorInOrder() throws Exception {
    assertThat(books.findByAuthorOrderByPublishedYear("Ursula K. Le Guin"))
        .extracting(Book::getTitle)
        .containsExactly("A Wizard of Earthsea", "The Left Hand of Darkness", "The Dispossessed");
    assertThat(dataSource.unwrap(PoolwiseDataSource.class).snapshot().acquisitions()).isPositive();
  }

  @Test
  void savesABook() {
    Book saved = books.save(new Book("Dawn", "Octavia E. Butler", 1987));
    assertThat(saved.getId()).isNotNull();
    assertThat(books.findByAuthorOrderByPublishedYear("Octavia E. Butler")).hasSize(2);
  }
}
