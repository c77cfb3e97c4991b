package dev.poolwise.examples.library;

import java.util.List;
import org.springframework.data.jpa.repository.JpaRepository;

public interface BookRepository extends JpaRepository<Book, Long> {

  List<Book> findByAuthorOrderByPublishedYear(String author);
}
