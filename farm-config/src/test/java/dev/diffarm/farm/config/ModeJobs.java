package dev.diffarm.farm.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;

/** What the tests of the image modes' job fields share: a job's required fields, the schema, a JSON reader. */
final class ModeJobs {
    /** A render job's required fields, one prompt; a test adds the fields it is about. */
    static final String RENDER = "\"apiVersion\": \"diffarm/v1\", \"kind\": \"render\", \"id\": \"job-1\", "
            + "\"model\": \"sd15\", \"prompts\": [\"p\"]";
    /** A campaign's required fields, one prompt. */
    static final String CAMPAIGN = "\"apiVersion\": \"diffarm/v1\", \"kind\": \"campaign\", \"id\": \"camp-1\", "
            + "\"model\": \"sd15\", \"prompts\": [\"p\"]";
    /** The job schema, numbers narrowed as the parser reads them. */
    static final JsonSchema SCHEMA = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012)
            .getSchema(JobSchema.text(), SchemaValidatorsConfig.builder().losslessNarrowing(true).build());
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private ModeJobs() {
    }

    static JsonNode read(String json) {
        try {
            return MAPPER.readTree(json);
        } catch (Exception e) {
            throw new AssertionError(json, e);
        }
    }
}
