package io.fusionstream.decode;

/**
 * Validates one event of a modality and decodes it into what that modality's {@link io.fusionstream.encode.Encoder}
 * takes. Runs per record before batching, so one bad event is refused on its own and never reaches
 * (or poisons) a batch. Implementations are stateless and thread-safe.
 *
 * @param <E> the Avro event
 * @param <I> the decoded input
 */
@FunctionalInterface
public interface InputDecoder<E, I> {

  /**
   * @throws InvalidInputException with a {@link Reasons} code when the event cannot be used; never
   *     any other exception for bad data
   */
  I decode(E event) throws InvalidInputException;
}
