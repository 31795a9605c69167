package io.fusionstream.serde;

import java.util.ArrayList;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.SchemaPairCompatibility;

/**
 * The registry's compatibility levels, checked with Avro's own {@link SchemaCompatibility}.
 * BACKWARD: consumers on the new schema read data written with the old; FORWARD: consumers on the
 * old schema read data written with the new; FULL: both. Plain levels check against the latest
 * version, the _TRANSITIVE ones against every earlier version.
 */
public enum CompatibilityLevel {
  NONE(false, false, false),
  BACKWARD(true, false, false),
  BACKWARD_TRANSITIVE(true, false, true),
  FORWARD(false, true, false),
  FORWARD_TRANSITIVE(false, true, true),
  FULL(true, true, false),
  FULL_TRANSITIVE(true, true, true);

  private final boolean backward;
  private final boolean forward;
  private final boolean transitive;

  CompatibilityLevel(boolean backward, boolean forward, boolean transitive) {
    this.backward = backward;
    this.forward = forward;
    this.transitive = transitive;
  }

  /**
   * Why the candidate may not follow the existing versions (oldest first); empty when it may.
   */
  public List<String> violations(Schema candidate, List<Schema> existingOldestFirst) {
    List<String> problems = new ArrayList<>();
    if (existingOldestFirst.isEmpty() || this == NONE) {
      return problems;
    }
    List<Schema> against =
        transitive
            ? existingOldestFirst
            : List.of(existingOldestFirst.get(existingOldestFirst.size() - 1));
    for (Schema previous : against) {
      if (backward) {
        check(candidate, previous, "new schema cannot read data written with an earlier one", problems);
      }
      if (forward) {
        check(previous, candidate, "an earlier schema cannot read data written with the new one", problems);
      }
    }
    return problems;
  }

  private static void check(Schema reader, Schema writer, String what, List<String> problems) {
    SchemaPairCompatibility result = SchemaCompatibility.checkReaderWriterCompatibility(reader, writer);
    if (result.getType() != SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE) {
      result.getResult().getIncompatibilities()
          .forEach(i -> problems.add(what + ": " + i.getType() + " at " + i.getLocation() + " (" + i.getMessage() + ")"));
    }
  }

  public static CompatibilityLevel parse(String value) {
    try {
      return valueOf(value.trim().toUpperCase(java.util.Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new SchemaRegistryException(422, SchemaRegistryException.INVALID_COMPATIBILITY_LEVEL,
          "Invalid compatibility level " + value);
    }
  }
}
