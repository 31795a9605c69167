package io.fusionstream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Producer-controlled text never reaches the terminal as control characters. */
class ConsumeCommandEscapeTest {

  @Test
  void tableFieldsHaveEveryControlCharacterEscaped() {
    String hostile = "call-42\u001b]0;pwned\u0007\u001b[2J\r\u009b31m\u202eevil\u007f";

    String shown = ConsumeCommand.safe(hostile);

    assertThat(shown).isEqualTo("call-42\\u001b]0;pwned\\u0007\\u001b[2J\\u000d\\u009b31m\\u202eevil\\u007f");
    assertThat(shown.chars()).noneMatch(c -> Character.isISOControl(c) || c == 0x202e);
    assertThat(ConsumeCommand.safe("a\\u001b")).as("a literal backslash cannot fake an escape").isEqualTo("a\\\\u001b");
    assertThat(ConsumeCommand.safe("会话-7 ok")).isEqualTo("会话-7 ok");
  }

  @Test
  void jsonLinesKeepTheirEscapesAndLoseRawControls() {
    String json = "{\"session_id\":\"s\\u001b\u009b\u202e\",\"n\":1}";

    assertThat(ConsumeCommand.escapeControls(json)).isEqualTo("{\"session_id\":\"s\\u001b\\u009b\\u202e\",\"n\":1}");
  }
}
