package org.pathoreason.model.io;

import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * The safetensors element types PathoReason reads and writes. Other safetensors types (F64, I8, I16, U16, U32, U64,
 * F8_*) are valid in the format but are refused with a clear error.
 */
public enum DType {
    F32("F32", 4, 11, true),
    F16("F16", 2, 7, true),
    BF16("BF16", 2, 8, true),
    I64("I64", 8, 13, false),
    I32("I32", 4, 9, false),
    U8("U8", 1, 1, false),
    BOOL("BOOL", 1, 0, false);

    private final String safetensorsName;
    private final int byteSize;
    private final int referenceOrder;
    private final boolean floatingPoint;

    DType(String safetensorsName, int byteSize, int referenceOrder, boolean floatingPoint) {
        this.safetensorsName = safetensorsName;
        this.byteSize = byteSize;
        this.referenceOrder = referenceOrder;
        this.floatingPoint = floatingPoint;
    }

    /** The name used in a safetensors header ("F32", "BF16", ...). */
    public String safetensorsName() {
        return safetensorsName;
    }

    /** Bytes per element. */
    public int byteSize() {
        return byteSize;
    }

    public boolean isFloatingPoint() {
        return floatingPoint;
    }

    /**
     * Position of this type in the reference (Rust) {@code Dtype} enum, which is ordered by alignment. The
     * reference writer sorts tensors by this position, descending, then by name; so does ours.
     */
    int referenceOrder() {
        return referenceOrder;
    }

    /** Looks up a header dtype name; null when it is not one PathoReason supports. */
    public static DType fromSafetensorsName(String name) {
        for (DType t : values()) {
            if (t.safetensorsName.equals(name)) {
                return t;
            }
        }
        return null;
    }

    /** The supported names, for error messages. */
    public static String supportedNames() {
        return Arrays.stream(values()).map(DType::safetensorsName).collect(Collectors.joining(", "));
    }
}
