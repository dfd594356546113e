package org.dtkd4j.core.perf;

import java.lang.reflect.Field;

/**
 * A private field of a DL4J class that a kernel of this package reads or sets by reflection (a layer's helper, a
 * graph vertex's layer, a graph's vertices by name), looked up once; a DL4J version without it fails at the lookup,
 * naming the class and the field.
 *
 * @param <T> the class that declares the field
 * @param <V> the field's type
 */
final class PrivateField<T, V> {

    private final Field field;

    /**
     * @param owner the declaring class
     * @param name  the field
     * @throws IllegalStateException if the class has no such field, or it cannot be made accessible
     */
    PrivateField(Class<T> owner, String name) {
        try {
            field = owner.getDeclaredField(name);
            field.setAccessible(true);
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new IllegalStateException("DL4J's " + owner.getSimpleName() + " has no accessible '" + name
                    + "' field; this DL4J version is not supported: " + e, e);
        }
    }

    /**
     * @param target the object whose field is read
     * @param what   the object, for the error message (e.g. {@code "vertex add1"})
     * @return the field's value
     * @throws IllegalStateException if the field cannot be read
     */
    @SuppressWarnings("unchecked")
    V get(T target, String what) {
        try {
            return (V) field.get(target);
        } catch (IllegalAccessException e) {
            throw new IllegalStateException("cannot read the " + field.getName() + " of " + what + ": " + e, e);
        }
    }

    /**
     * @param target the object whose field is set
     * @param value  the new value
     * @param what   the object, for the error message (e.g. {@code "BatchNorm layer 3"})
     * @throws IllegalStateException if the field cannot be set
     */
    void set(T target, V value, String what) {
        try {
            field.set(target, value);
        } catch (IllegalAccessException e) {
            throw new IllegalStateException("cannot set the " + field.getName() + " of " + what + ": " + e, e);
        }
    }
}
