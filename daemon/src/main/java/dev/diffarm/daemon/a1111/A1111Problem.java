package dev.diffarm.daemon.a1111;

import dev.diffarm.farm.config.EventError;
import java.util.Optional;

/**
 * One thing wrong with an A1111 request, named by A1111's own field name (such as {@code cfg_scale}), so that a client
 * written against AUTOMATIC1111 sees the field it sent.
 *
 * @param code    a stable lower-case id: {@code wrong-type}, {@code invalid-value}, {@code unsupported-value}, or a
 *                code of the job contract's validation
 * @param field   the A1111 field at fault; empty when the body as a whole is
 * @param message the sentence for people, starting with the field
 */
public record A1111Problem(String code, Optional<String> field, String message) {
    static final String NOT_JSON = "not-json";
    static final String NOT_AN_OBJECT = "not-an-object";
    static final String WRONG_TYPE = "wrong-type";
    static final String INVALID_VALUE = "invalid-value";
    /** A value A1111 knows and diffarm cannot render: it would change the image, so it is refused, not ignored. */
    static final String UNSUPPORTED_VALUE = "unsupported-value";

    static A1111Problem of(String code, String field, String message) {
        return new A1111Problem(code, Optional.of(field), message);
    }

    EventError toEventError() {
        return new EventError(code, message, field);
    }
}
