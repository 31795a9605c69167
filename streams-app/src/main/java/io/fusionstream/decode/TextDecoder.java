package io.fusionstream.decode;

import io.fusionstream.schema.TextEvent;

/** Checks a text event: not blank, not over {@link Limits#maxTextChars()}. */
public final class TextDecoder implements InputDecoder<TextEvent, String> {
  private final int maxChars;

  public TextDecoder(Limits limits) {
    this.maxChars = limits.maxTextChars();
  }

  @Override
  public String decode(TextEvent event) throws InvalidInputException {
    CharSequence text = event.getText();
    return validate(text == null ? null : text.toString());
  }

  public String validate(String text) throws InvalidInputException {
    if (text == null || text.isBlank()) {
      throw new InvalidInputException(Reasons.EMPTY_DATA, "text is empty or blank");
    }
    if (text.length() > maxChars) {
      throw new InvalidInputException(
          Reasons.TEXT_TOO_LONG, "text has " + text.length() + " chars, limit " + maxChars);
    }
    return text;
  }
}
