package dev.poolwise.spring.boot;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.springframework.boot.jdbc.test.autoconfigure.AutoConfigureTestDatabase;
import org.springframework.boot.jdbc.test.autoconfigure.JdbcTest;

/**
 * {@code @JdbcTest} with {@code @AutoConfigureTestDatabase(replace = NONE)}: the slice keeps the configured
 * database instead of swapping in an unpooled embedded one. (Boot 4 flavour: the annotations live in
 * {@code org.springframework.boot.jdbc.test.autoconfigure} there.)
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@JdbcTest
@AutoConfigureTestDatabase(replace = AutoConfigureTestDatabase.Replace.NONE)
@interface PoolwiseJdbcSlice {}
