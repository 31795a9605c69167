package io.fusionstream.serde;

/**
 * An error answered by the Schema Registry, with its {@code error_code} (40401 subject not found,
 * 40402 version not found, 40403 schema not found, 42201 invalid schema, 409/40901 incompatible,
 * 50001 store error) and the HTTP status it came with.
 */
public class SchemaRegistryException extends RuntimeException {
  public static final int SUBJECT_NOT_FOUND = 40401;
  public static final int VERSION_NOT_FOUND = 40402;
  public static final int SCHEMA_NOT_FOUND = 40403;
  public static final int INVALID_SCHEMA = 42201;
  public static final int INVALID_COMPATIBILITY_LEVEL = 42203;
  public static final int INCOMPATIBLE_SCHEMA = 409;
  public static final int STORE_ERROR = 50001;

  private final int errorCode;
  private final int httpStatus;

  public SchemaRegistryException(int httpStatus, int errorCode, String message) {
    super(message + " (error code " + errorCode + ", HTTP " + httpStatus + ")");
    this.errorCode = errorCode;
    this.httpStatus = httpStatus;
  }

  public SchemaRegistryException(String message, Throwable cause) {
    super(message, cause);
    this.errorCode = -1;
    this.httpStatus = -1;
  }

  public int errorCode() {
    return errorCode;
  }

  public int httpStatus() {
    return httpStatus;
  }

  /** HTTP 409 is the stable signal: the error code itself moved from 409 to 40901 over versions. */
  public boolean isIncompatible() {
    return httpStatus == 409;
  }

  public boolean isNotFound() {
    return httpStatus == 404;
  }

  /**
   * Whether the registry said it has no such schema (40403), the one answer that makes a record
   * unreadable on its own. A 404 without that code is a wrong URL or a proxy, an outage like 401,
   * 403, 5xx or a refused connection: Confluent tells them apart the same way.
   */
  public boolean isSchemaNotFound() {
    return httpStatus == 404 && errorCode == SCHEMA_NOT_FOUND;
  }
}
