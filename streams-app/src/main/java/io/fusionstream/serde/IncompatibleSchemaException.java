package io.fusionstream.serde;

import java.util.List;

/** The registry refused a schema because it breaks the subject's compatibility level (HTTP 409). */
public class IncompatibleSchemaException extends SchemaRegistryException {
  private final List<String> reasons;

  public IncompatibleSchemaException(int errorCode, String message, List<String> reasons) {
    super(409, errorCode, message + (reasons.isEmpty() ? "" : ": " + String.join("; ", reasons)));
    this.reasons = List.copyOf(reasons);
  }

  public List<String> reasons() {
    return reasons;
  }
}
