package io.fusionstream.decode;

/**
 * The stable reason codes of {@link InvalidInputException}. They are metric labels and dead-letter
 * header values, so they never change once released; add new ones instead.
 */
public final class Reasons {
  /** No bytes, no text, or no samples. */
  public static final String EMPTY_DATA = "empty-data";

  public static final String TEXT_TOO_LONG = "text-too-long";

  /** Not a readable JPEG or PNG, or the bytes are not what the declared encoding says. */
  public static final String IMAGE_DECODE_FAILED = "image-decode-failed";

  /** Over the byte limit, or the header declares a longer side or more pixels than allowed. */
  public static final String IMAGE_TOO_LARGE = "image-too-large";

  /**
   * Declared width/height missing, inconsistent with the file header or with the RAW_RGB size, or
   * a long side / short side ratio over the aspect limit.
   */
  public static final String IMAGE_BAD_DIMENSIONS = "image-bad-dimensions";

  /** A WAV header that does not parse or describes an unsupported sample format. */
  public static final String AUDIO_BAD_HEADER = "audio-bad-header";

  /** Raw PCM whose declared rate/channels are impossible or whose length is not whole frames. */
  public static final String AUDIO_BAD_FORMAT = "audio-bad-format";

  /** Samples that are NaN or infinite. */
  public static final String AUDIO_BAD_SAMPLES = "audio-bad-samples";

  /** Over the byte limit or the duration limit. */
  public static final String AUDIO_TOO_LONG = "audio-too-long";

  private Reasons() {}
}
