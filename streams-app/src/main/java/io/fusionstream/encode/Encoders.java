package io.fusionstream.encode;

import io.fusionstream.decode.DecodedAudio;
import io.fusionstream.decode.DecodedImage;

/**
 * The three encoders of a running application, and the audio rate its decoder must resample to.
 * Closing closes all three.
 */
public record Encoders(
    Encoder<String> text, Encoder<DecodedImage> image, Encoder<DecodedAudio> audio, int audioSampleRate)
    implements AutoCloseable {

  @Override
  public void close() {
    text.close();
    image.close();
    audio.close();
  }
}
