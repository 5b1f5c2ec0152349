package dev.diffarm.farm.config;

import java.util.Objects;
import java.util.function.Predicate;

/**
 * A constraint on one value and the words that say what it allows.
 *
 * @param accepts  whether a value is allowed
 * @param expected what is allowed, completing "expected ...", such as {@code an integer in 1..1000}
 * @param code     the code of a refused value
 */
record Rule<T>(Predicate<T> accepts, String expected, ValidationError.Code code) {

    Rule(Predicate<T> accepts, String expected) {
        this(accepts, expected, ValidationError.Code.INVALID_VALUE);
    }

    /** Whether {@code value} is allowed; if not, reports it as the value of {@code field}. */
    boolean check(Problems problems, String field, T value) {
        return check(problems, field, value, Json.show(value));
    }

    /** Whether {@code value} is allowed; if not, reports it, {@code shown} as written, as the value of {@code field}. */
    boolean check(Problems problems, String field, T value, String shown) {
        if (accepts.test(value)) {
            return true;
        }
        problems.report(ValidationError.of(code, field, shown, expected));
        return false;
    }

    /** {@code value}, if it is non-null and allowed; otherwise an exception naming {@code field}. */
    T require(String field, T value) {
        Objects.requireNonNull(value, field);
        check(Problems.THROWING, field, value);
        return value;
    }
}
