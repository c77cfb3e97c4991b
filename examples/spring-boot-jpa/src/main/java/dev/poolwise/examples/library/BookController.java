package dev.poolwise.examples.library;

import java.util.List;
import org.springframework.http.HttpStatus;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/** {@code GET /books[?author=...]} and {@code POST /books}. */
@RestController
public class BookController {

  private final BookRepository books;

  public BookController(BookRepository books) {
    this.books = books;
  }

  @GetMapping("/books")
  public List<Book> list(@RequestParam(required = false) String author) {
    return author == null ? books.findAll() : books.findByAuthorOrderByPublishedYear(author);
  }

  @PostMapping("/books")
  @ResponseStatus(HttpStatus.CREATED)
  @Transactional
  public Book add(@RequestBody NewBook book) {
    return books.save(new Book(book.title(), book.author(), book.publishedYear()));
  }

  /** The body of {@code POST /books}. */
  public record NewBook(String title, String author, int publishedYear) {}
}
