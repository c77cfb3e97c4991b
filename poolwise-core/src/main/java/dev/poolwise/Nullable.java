package dev.poolwise;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a field, a method's result or a parameter that may be null. Everything else in {@code dev.poolwise} is
 * non-null, and NullAway (in poolwise-core's main compile, see CONTRIBUTING.md) fails the build where code could
 * pass, return, store or dereference a null that is not marked so. NullAway recognises any annotation whose
 * simple name is {@code Nullable}; this one is package-private so that the core needs no dependency for it, and it
 * is kept in the class files (not at run time) so that other tools reading the jar can see it too.
 */
@Retention(RetentionPolicy.CLASS)
@Target({ElementType.FIELD, ElementType.METHOD, ElementType.PARAMETER})
@interface Nullable {}
