package io.fusionstream.encode;

/** The model failed on a batch (native error, shape mismatch), as opposed to one bad input. */
public class EncodeException extends RuntimeException {
  public EncodeException(String message, Throwable cause) {
    super(message, cause);
  }

  public EncodeException(String message) {
    super(message);
  }
}
