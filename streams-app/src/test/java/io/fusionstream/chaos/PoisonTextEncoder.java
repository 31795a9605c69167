package io.fusionstream.chaos;

import io.fusionstream.encode.EncodeException;
import io.fusionstream.encode.Encoder;
import io.fusionstream.encode.PoisonInputException;
import io.fusionstream.schema.Modality;
import java.util.List;

/**
 * The real text encoder, except that a text starting with {@link #MARKER} fails inside the model.
 * No real input makes MiniLM fail once the decoder has accepted it, yet a custom model or operator
 * can; this is how the chaos test puts such an input into a batch of good ones.
 *
 * <p>A batch holding the marker fails the way {@code DjlEncoder} reports a batch that fails
 * because of one of its inputs: {@link PoisonInputException} with that input's index. Batches
 * without it go to the real encoder untouched.
 */
public final class PoisonTextEncoder implements Encoder<String> {
  public static final String MARKER = "POISON-PILL";

  private final Encoder<String> real;

  public PoisonTextEncoder(Encoder<String> real) {
    this.real = real;
  }

  @Override
  public Modality modality() {
    return real.modality();
  }

  @Override
  public int dimension() {
    return real.dimension();
  }

  @Override
  public String modelId() {
    return real.modelId();
  }

  @Override
  public float[][] encode(List<String> inputs) throws EncodeException {
    for (int i = 0; i < inputs.size(); i++) {
      if (inputs.get(i).startsWith(MARKER)) {
        throw new PoisonInputException(i, modelId() + " fails on input " + i + " of " + inputs.size()
            + " (injected fault: text starts with " + MARKER + ")",
            new IllegalStateException("injected encoder fault"));
      }
    }
    return real.encode(inputs);
  }

  @Override
  public void close() {
    real.close();
  }
}
