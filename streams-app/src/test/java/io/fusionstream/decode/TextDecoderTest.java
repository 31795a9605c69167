package io.fusionstream.decode;

import static io.fusionstream.decode.ImageDecoderTest.assertReason;
import static org.assertj.core.api.Assertions.assertThat;

import io.fusionstream.schema.TextEvent;
import org.junit.jupiter.api.Test;

class TextDecoderTest {
  private final TextDecoder decoder = new TextDecoder(Limits.defaults().withMaxTextChars(10));

  @Test
  void acceptsTextWithinTheLimit() throws Exception {
    assertThat(decoder.decode(event("hello"))).isEqualTo("hello");
  }

  @Test
  void refusesBlankAndOverlongText() {
    assertReason(() -> decoder.decode(event("  \n\t")), Reasons.EMPTY_DATA);
    assertReason(() -> decoder.decode(event("")), Reasons.EMPTY_DATA);
    assertReason(() -> decoder.decode(event("eleven char")), Reasons.TEXT_TOO_LONG);
  }

  private static TextEvent event(String text) {
    return TextEvent.newBuilder()
        .setSessionId("s")
        .setEventId("e")
        .setTimestamp(java.time.Instant.ofEpochMilli(0))
        .setText(text)
        .build();
  }
}
