package io.fusionstream.topology;

import io.fusionstream.encode.InvalidInputException;

/**
 * Validates one input event against the configured limits and decodes its payload into what the
 * modality's encoder takes. Pure: decoding the same event twice gives the same result, because the
 * encode stage decodes again after a restart instead of keeping decoded pixels in its state.
 *
 * @param <E> the Avro event
 * @param <I> the encoder's input
 */
@FunctionalInterface
public interface EventDecoder<E, I> {
  I decode(E event) throws InvalidInputException;
}
