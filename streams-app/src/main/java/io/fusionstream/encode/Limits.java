package io.fusionstream.encode;

/**
 * What one input may cost before it is refused. Checked before any decoding work is done, so a
 * hostile event (a decompression bomb, an hour of audio) is rejected for the price of reading its
 * header.
 *
 * @param maxTextChars longest accepted text, in UTF-16 chars (the encoder truncates tokens anyway;
 *     this bounds tokenizer work)
 * @param maxImageBytes largest accepted encoded image
 * @param maxImagePixels largest accepted width * height, read from the header before pixels are
 * @param maxAudioBytes largest accepted encoded audio chunk
 * @param maxAudioSeconds longest accepted audio chunk, from its header or byte count
 */
public record Limits(
    int maxTextChars,
    int maxImageBytes,
    long maxImagePixels,
    int maxAudioBytes,
    double maxAudioSeconds) {

  public static final int DEFAULT_MAX_TEXT_CHARS = 10_000;
  public static final int DEFAULT_MAX_IMAGE_BYTES = 10 * 1024 * 1024;
  public static final long DEFAULT_MAX_IMAGE_PIXELS = 4096L * 4096L;
  public static final int DEFAULT_MAX_AUDIO_BYTES = 8 * 1024 * 1024;
  public static final double DEFAULT_MAX_AUDIO_SECONDS = 30.0;

  public Limits {
    if (maxTextChars <= 0
        || maxImageBytes <= 0
        || maxImagePixels <= 0
        || maxAudioBytes <= 0
        || !(maxAudioSeconds > 0)) {
      throw new IllegalArgumentException("every limit must be positive: " + this);
    }
  }

  public static Limits defaults() {
    return new Limits(
        DEFAULT_MAX_TEXT_CHARS,
        DEFAULT_MAX_IMAGE_BYTES,
        DEFAULT_MAX_IMAGE_PIXELS,
        DEFAULT_MAX_AUDIO_BYTES,
        DEFAULT_MAX_AUDIO_SECONDS);
  }

  public Limits withMaxImagePixels(long pixels) {
    return new Limits(maxTextChars, maxImageBytes, pixels, maxAudioBytes, maxAudioSeconds);
  }

  public Limits withMaxAudioSeconds(double seconds) {
    return new Limits(maxTextChars, maxImageBytes, maxImagePixels, maxAudioBytes, seconds);
  }

  public Limits withMaxTextChars(int chars) {
    return new Limits(chars, maxImageBytes, maxImagePixels, maxAudioBytes, maxAudioSeconds);
  }
}
