package dev.poolwise.lab;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * {@code results.json}: {@link LabResults} with snake_case keys ({@code pagesPerS} → {@code pages_per_s}),
 * pretty-printed. Every record component is written, nulls included ({@code "skipped": null}), so the keys
 * the lab contract lists are always present; convenience methods such as {@code Failures.total()} are not
 * properties (no {@code get} prefix) and do not appear. The reader ignores keys it does not know, so a newer
 * lab's file still reads.
 */
final class ResultsJson {

  private static final ObjectMapper MAPPER = JsonMapper.builder()
      .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
      .serializationInclusion(JsonInclude.Include.ALWAYS)
      .enable(SerializationFeature.INDENT_OUTPUT)
      .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
      .disable(MapperFeature.AUTO_DETECT_IS_GETTERS)
      .build();

  private ResultsJson() {}

  static ObjectMapper mapper() {
    return MAPPER;
  }

  static void write(LabResults results, Path file) throws IOException {
    Path parent = file.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    Files.writeString(file, toJson(results) + System.lineSeparator());
  }

  static String toJson(LabResults results) {
    try {
      return MAPPER.writeValueAsString(results);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  static LabResults read(Path file) throws IOException {
    return MAPPER.readValue(file.toFile(), LabResults.class);
  }

  /**
   * The results as a JavaScript object literal that is safe inside an HTML {@code <script>} element: JSON is
   * valid JavaScript, and {@code <}, {@code >} and {@code &} occur in it only inside strings, where their
   * {@code \}{@code u} escapes mean the same; escaping them means no {@code </script>} or {@code <!--} in a
   * topology name or the verdict can end the script early. U+2028/U+2029 are escaped for older engines.
   */
  static String toScriptLiteral(LabResults results) {
    String json;
    try {
      json = MAPPER.writer().without(SerializationFeature.INDENT_OUTPUT).writeValueAsString(results);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
    StringBuilder safe = new StringBuilder(json.length() + 16);
    for (int i = 0; i < json.length(); i++) {
      char c = json.charAt(i);
      switch (c) {
        case '<' -> safe.append("\\u003c");
        case '>' -> safe.append("\\u003e");
        case '&' -> safe.append("\\u0026");
        case '\u2028' -> safe.append("\\u2028");
        case '\u2029' -> safe.append("\\u2029");
        default -> safe.append(c);
      }
    }
    return safe.toString();
  }
}
