package io.fusionstream.decode;

/**
 * What one input may cost before it is refused. Checked before any decoding work is done, so a
 * hostile event (a decompression bomb, an hour of audio) is rejected for the price of reading its
 * header.
 *
 * @param maxTextChars longest accepted text, in UTF-16 chars (the encoder truncates tokens anyway;
 *     this bounds tokenizer work)
 * @param maxImageBytes largest accepted encoded image
 * @param maxImagePixels largest accepted width * height, read from the header before pixels are
 * @param maxImageSide longest accepted width or height
 * @param maxImageAspectRatio largest accepted long side / short side
 * @param maxAudioBytes largest accepted encoded audio chunk
 * @param maxAudioSeconds longest accepted audio chunk, from its header or byte count
 * @param maxAudioSampleRate highest accepted sample rate, raw PCM and WAV alike
 */
// Defaults match the fusion.limit.* keys of FusionConfig.
public record Limits(
    int maxTextChars,
    int maxImageBytes,
    long maxImagePixels,
    int maxImageSide,
    double maxImageAspectRatio,
    int maxAudioBytes,
    double maxAudioSeconds,
    int maxAudioSampleRate) {

  public static final int DEFAULT_MAX_TEXT_CHARS = 20_000;
  public static final int DEFAULT_MAX_IMAGE_BYTES = 8 * 1024 * 1024;
  public static final long DEFAULT_MAX_IMAGE_PIXELS = 25_000_000L;
  public static final int DEFAULT_MAX_AUDIO_BYTES = 8 * 1024 * 1024;
  public static final double DEFAULT_MAX_AUDIO_SECONDS = 30.0;
  public static final int DEFAULT_MAX_IMAGE_SIDE = 16_384;
  public static final double DEFAULT_MAX_IMAGE_ASPECT_RATIO = 32.0;
  public static final int DEFAULT_MAX_AUDIO_SAMPLE_RATE = 768_000;

  /**
   * Allowance in {@link #maxEventBytes()} for everything but the payload and the session id: the
   * event id, timestamp, enums, the optional text fields and the wire-format header.
   */
  public static final int FIELD_HEADROOM_BYTES = 64 * 1024;

  /** The highest value {@code fusion.limit.session.id.max.chars} accepts. */
  public static final int MAX_SESSION_ID_CHARS = 16_384;

  /** Java cannot allocate arrays much longer than this (JDK-8246725). */
  private static final int MAX_ARRAY_LENGTH = Integer.MAX_VALUE - 8;

  public Limits {
    if (maxTextChars <= 0
        || maxImageBytes <= 0
        || maxImagePixels <= 0
        || maxImageSide <= 0
        || !(maxImageAspectRatio >= 1)
        || maxAudioBytes <= 0
        || !(maxAudioSeconds > 0)
        || maxAudioSampleRate <= 0) {
      throw new IllegalArgumentException("every limit must be positive: " + this);
    }
  }

  /**
   * The largest serialized event any modality can accept, with a session id as long as the
   * configuration can allow: see {@link #maxEventBytes(int)}.
   */
  public int maxEventBytes() {
    return maxEventBytes(MAX_SESSION_ID_CHARS);
  }

  /**
   * The largest serialized event any modality can accept: the largest payload (image bytes, audio
   * bytes, or text chars at up to 3 UTF-8 bytes each), a session id of {@code maxSessionIdChars}
   * chars at up to 3 bytes each, and {@link #FIELD_HEADROOM_BYTES}. A record larger than this
   * breaks a limit whatever it contains, so the source deserializers refuse it before decoding.
   */
  public int maxEventBytes(int maxSessionIdChars) {
    long payload = Math.max(Math.max(maxImageBytes, maxAudioBytes), 3L * maxTextChars);
    long total = payload + 3L * Math.max(0, maxSessionIdChars) + FIELD_HEADROOM_BYTES;
    return (int) Math.min(total, MAX_ARRAY_LENGTH);
  }

  public static Limits defaults() {
    return new Limits(DEFAULT_MAX_TEXT_CHARS, DEFAULT_MAX_IMAGE_BYTES, DEFAULT_MAX_IMAGE_PIXELS,
        DEFAULT_MAX_IMAGE_SIDE, DEFAULT_MAX_IMAGE_ASPECT_RATIO, DEFAULT_MAX_AUDIO_BYTES,
        DEFAULT_MAX_AUDIO_SECONDS, DEFAULT_MAX_AUDIO_SAMPLE_RATE);
  }

  /** Text, image and audio byte limits only; the other limits keep their defaults (tests and tools). */
  public static Limits of(int maxTextChars, int maxImageBytes, long maxImagePixels, int maxAudioBytes,
      double maxAudioSeconds) {
    return new Limits(maxTextChars, maxImageBytes, maxImagePixels, DEFAULT_MAX_IMAGE_SIDE,
        DEFAULT_MAX_IMAGE_ASPECT_RATIO, maxAudioBytes, maxAudioSeconds, DEFAULT_MAX_AUDIO_SAMPLE_RATE);
  }

  public Limits withMaxImagePixels(long pixels) {
    return new Limits(maxTextChars, maxImageBytes, pixels, maxImageSide, maxImageAspectRatio, maxAudioBytes,
        maxAudioSeconds, maxAudioSampleRate);
  }

  public Limits withMaxAudioSeconds(double seconds) {
    return new Limits(maxTextChars, maxImageBytes, maxImagePixels, maxImageSide, maxImageAspectRatio,
        maxAudioBytes, seconds, maxAudioSampleRate);
  }

  public Limits withMaxTextChars(int chars) {
    return new Limits(chars, maxImageBytes, maxImagePixels, maxImageSide, maxImageAspectRatio, maxAudioBytes,
        maxAudioSeconds, maxAudioSampleRate);
  }
}
