package org.dtkd4j.core.config;

import org.nd4j.shade.jackson.annotation.JsonTypeInfo;
import org.nd4j.shade.jackson.databind.DatabindContext;
import org.nd4j.shade.jackson.databind.JavaType;
import org.nd4j.shade.jackson.databind.jsontype.impl.TypeIdResolverBase;

/**
 * The JSON type ids of the configuration records: the {@link Method} name ({@code "method": "DTKD"}), so that the
 * serialised form names the method, not a Java class.
 */
final class MethodTypeIds extends TypeIdResolverBase {

    @Override
    public String idFromValue(Object value) {
        return ((DistillationConfig) value).method().name();
    }

    @Override
    public String idFromValueAndType(Object value, Class<?> suggestedType) {
        return idFromValue(value);
    }

    @Override
    public JavaType typeFromId(DatabindContext context, String id) {
        Method method;
        try {
            method = Method.valueOf(id);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown distillation method \"" + id + "\", expected one of "
                    + java.util.Arrays.toString(Method.values()), e);
        }
        return context.constructType(method.configType());
    }

    @Override
    public JsonTypeInfo.Id getMechanism() {
        return JsonTypeInfo.Id.CUSTOM;
    }
}
