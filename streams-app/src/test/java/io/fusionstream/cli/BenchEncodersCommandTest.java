package io.fusionstream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Arrays;
import java.util.List;
import picocli.CommandLine;
import org.junit.jupiter.api.Test;

class BenchEncodersCommandTest {

  @Test
  void printsOneRowPerModalityAndBatchSizeWithBatchOneAsBaseline() {
    StringWriter text = new StringWriter();
    CommandLine cli = new CommandLine(new BenchEncodersCommand());
    cli.setOut(new PrintWriter(text));
    int code = cli.execute("--modality", "image,audio", "--batch-sizes", "1,2", "--seconds", "0.05",
        "--warmup", "1", "--device", "cpu", "--image-size", "40x30", "--audio-seconds", "0.2");
    assertThat(code).isZero();
    List<String> rows = Arrays.stream(text.toString().split("\n"))
        .filter(line -> line.startsWith("| image") || line.startsWith("| audio")).toList();
    assertThat(rows).hasSize(4);
    assertThat(rows.get(0)).contains("builtin-image").contains(" 1 |").endsWith("1.00x |");
    assertThat(rows.get(3)).contains("builtin-audio").contains(" 2 |");
  }

  @Test
  void rejectsAnUnknownModality() {
    CommandLine cli = new CommandLine(new BenchEncodersCommand());
    cli.setErr(new PrintWriter(new StringWriter()));
    cli.setOut(new PrintWriter(new StringWriter()));
    assertThat(cli.execute("--modality", "smell", "--device", "cpu", "--seconds", "0.01")).isEqualTo(2);
  }
}
