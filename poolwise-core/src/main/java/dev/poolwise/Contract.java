package dev.poolwise;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * How a method's result depends on whether its arguments are null, in JetBrains' contract syntax
 * ({@code "null -> false"}, {@code "!null -> !null"}), for NullAway: the build names this annotation to it
 * ({@code -XepOpt:NullAway:CustomContractAnnotations}) and checks that the method keeps its contract
 * ({@code CheckContracts}). Package-private and kept in the class files only, like {@link Nullable}.
 */
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.METHOD)
@interface Contract {
  /** The clauses, separated by {@code ;}. */
  String value();
}
