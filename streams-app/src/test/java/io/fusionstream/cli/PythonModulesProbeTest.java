package io.fusionstream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** PythonClientIT skips only with a reason that names what is missing. */
class PythonModulesProbeTest {

  @Test
  void aMissingInterpreterIsNamedInTheReason() {
    List<String> why = new ArrayList<>();
    assertThat(PythonClientIT.pythonWithModules(List.of("/nonexistent/python3"), why)).isEmpty();
    assertThat(why).containsExactly("/nonexistent/python3: not found");
  }
}
