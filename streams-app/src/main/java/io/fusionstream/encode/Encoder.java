package io.fusionstream.encode;

import io.fusionstream.decode.DecodedAudio;
import io.fusionstream.decode.DecodedImage;

import io.fusionstream.schema.Modality;
import java.util.List;

/**
 * Turns a batch of decoded inputs of one modality into one vector per input.
 *
 * <p>Implementations are thread-safe: DJL predictors are not, so an implementation keeps one
 * predictor per calling thread (one per Kafka Streams stream thread) and closes them all in
 * {@link #close()}. Modalities differ only in how an input becomes a tensor, see {@link Preprocessor}.
 *
 * @param <I> the decoded input: {@link String} for text, {@link DecodedImage}, {@link DecodedAudio}
 */
public interface Encoder<I> extends AutoCloseable {

  Modality modality();

  /** Length of every vector {@link #encode} returns. */
  int dimension();

  /** Identifies the model and its version, e.g. {@code all-minilm-l6-v2-q@1.19.0-beta29}. */
  String modelId();

  /**
   * Encodes the inputs as one batch. The result has one row per input, in order, each of length
   * {@link #dimension()}. Inputs were validated by the modality's decoder, so a failure here is a
   * failure of the model, not of one input.
   */
  float[][] encode(List<I> inputs) throws EncodeException;

  @Override
  void close();
}
