package dev.diffarm.farm.config;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The fields of a {@code textual-inversion} train job, with diffusers' {@code textual_inversion.py} defaults.
 *
 * @param token      the new token prompts will use ({@code <zwx>}); the embedding's name in A1111
 * @param initToken  the existing word whose embedding the new vectors start from ({@code person})
 * @param numVectors how many vectors the token stands for
 */
public record TextualInversionOptions(String token, String initToken, int numVectors) {
    /** diffusers' {@code --num_vectors}. */
    public static final int NUM_VECTORS = 1;

    public TextualInversionOptions {
        Rules.TOKEN.require("token", token);
        Rules.INIT_TOKEN.require("initToken", initToken);
        Rules.NUM_VECTORS.require("numVectors", (long) numVectors);
    }

    void write(ObjectNode node) {
        node.put("token", token);
        node.put("initToken", initToken);
        node.put("numVectors", numVectors);
    }
}
