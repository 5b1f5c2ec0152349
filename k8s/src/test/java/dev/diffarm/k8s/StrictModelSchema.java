package dev.diffarm.k8s;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.BeanDescription;
import com.fasterxml.jackson.databind.DeserializationConfig;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.deser.BeanDeserializerBuilder;
import com.fasterxml.jackson.databind.deser.BeanDeserializerModifier;
import com.fasterxml.jackson.databind.introspect.BeanPropertyDefinition;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import io.fabric8.openshift.api.model.monitoring.v1.ServiceMonitor;
import io.strimzi.api.kafka.model.kafka.Kafka;
import io.strimzi.api.kafka.model.nodepool.KafkaNodePool;
import io.strimzi.api.kafka.model.topic.KafkaTopic;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Custom resources checked against the Java models their CRDs are generated from or generated into: Strimzi's own
 * API classes ({@code io.strimzi:api}, from which Strimzi generates its CRDs) and fabric8's Prometheus Operator
 * model. Their classes keep unknown fields in a catch-all map; here that map is removed, so an unknown field fails,
 * as do a value of the wrong type (no coercion of "3" to 3), an unknown polymorphic {@code type}, and a property
 * the model marks {@code required} left out.
 */
final class StrictModelSchema {
    private static final Map<String, Class<?>> MODELS = Map.of(
            "kafka.strimzi.io/v1beta2/Kafka", Kafka.class,
            "kafka.strimzi.io/v1beta2/KafkaNodePool", KafkaNodePool.class,
            "kafka.strimzi.io/v1beta2/KafkaTopic", KafkaTopic.class,
            "monitoring.coreos.com/v1/ServiceMonitor", ServiceMonitor.class);

    private static final ObjectMapper STRICT = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.FAIL_ON_MISSING_CREATOR_PROPERTIES)
            .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
            .addModule(new SimpleModule().setDeserializerModifier(new NoCatchAll()))
            .build();

    private StrictModelSchema() {
    }

    /** The problems of {@code resource}, or empty when no model here covers its API version and kind. */
    static Optional<List<String>> problems(Resource resource) {
        Class<?> model = MODELS.get(resource.apiVersion() + "/" + resource.kind());
        if (model == null) {
            return Optional.empty();
        }
        Object parsed;
        try {
            parsed = STRICT.treeToValue(resource.body(), model);
        } catch (JsonMappingException invalid) {
            // The first line says what is wrong; the path reference says where.
            return Optional.of(List.of(invalid.getOriginalMessage().lines().findFirst().orElse("") + " at "
                    + invalid.getPathReference()));
        } catch (JsonProcessingException invalid) {
            return Optional.of(List.of(invalid.getOriginalMessage()));
        }
        List<String> problems = new ArrayList<>();
        checkRequired(parsed, resource.kind(), problems);
        return Optional.of(problems);
    }

    /** Walks the parsed model: every property the model marks required must have been given. */
    private static void checkRequired(Object value, String path, List<String> problems) {
        if (value instanceof Collection<?> list) {
            int index = 0;
            for (Object entry : list) {
                checkRequired(entry, path + "[" + index++ + "]", problems);
            }
            return;
        }
        if (value == null || !isModel(value.getClass())) {
            return;
        }
        BeanDescription bean = STRICT.getSerializationConfig().introspect(STRICT.constructType(value.getClass()));
        for (BeanPropertyDefinition property : bean.findProperties()) {
            if (property.getAccessor() == null) {
                continue;
            }
            Object field = property.getAccessor().getValue(value);
            if (property.isRequired() && field == null) {
                problems.add(path + "." + property.getName() + ": required, missing");
            }
            checkRequired(field, path + "." + property.getName(), problems);
        }
    }

    private static boolean isModel(Class<?> type) {
        String name = type.getName();
        return !type.isEnum() && (name.startsWith("io.strimzi.api.") || name.startsWith("io.fabric8."));
    }

    /** Takes away the models' catch-all for unknown fields, and any "ignore unknown" they declare. */
    private static final class NoCatchAll extends BeanDeserializerModifier {
        @Override
        public BeanDeserializerBuilder updateBuilder(DeserializationConfig config, BeanDescription description,
                                                     BeanDeserializerBuilder builder) {
            builder.setAnySetter(null);
            builder.setIgnoreUnknownProperties(false);
            return builder;
        }
    }
}
