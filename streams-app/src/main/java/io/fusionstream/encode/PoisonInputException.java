package io.fusionstream.encode;

/**
 * A batch failed in the model and retrying its inputs one by one found the input that fails on its
 * own: {@link #index()} is its position in the list given to {@link Encoder#encode}. The caller
 * dead-letters that input and encodes the others again; the batch is not lost for one input.
 */
public class PoisonInputException extends EncodeException {
  private final int index;

  public PoisonInputException(int index, String message, Throwable cause) {
    super(message, cause);
    this.index = index;
  }

  public int index() {
    return index;
  }
}
