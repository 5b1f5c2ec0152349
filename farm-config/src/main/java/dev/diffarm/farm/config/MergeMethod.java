package dev.diffarm.farm.config;

import java.util.Arrays;
import java.util.Optional;

/** How a {@link MergeJob} combines its models, tensor by tensor, as AUTOMATIC1111's checkpoint merger does. */
public enum MergeMethod {
    /** {@code a·(1-m) + b·m}: {@code m} is b's share. */
    WEIGHTED_SUM("weighted-sum", 2),
    /** {@code a + (b - c)·m}: adds what b has that c lacks (a fine-tune's change to its base) to a. */
    ADD_DIFFERENCE("add-difference", 3);

    private final String id;
    private final int models;

    MergeMethod(String id, int models) {
        this.id = id;
        this.models = models;
    }

    /** The value of a merge job's {@code method} field: {@code weighted-sum} or {@code add-difference}. */
    public String id() {
        return id;
    }

    /** How many models it combines: a and b, or a, b and c. */
    public int models() {
        return models;
    }

    /** The method whose {@link #id()} is {@code id}, matched exactly. */
    public static Optional<MergeMethod> of(String id) {
        return Arrays.stream(values()).filter(method -> method.id.equals(id)).findFirst();
    }
}
