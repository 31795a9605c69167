package io.fusionstream.chaos;

import java.nio.file.Path;

/** What scenarios may look at besides the topics: the model directory and the running application. */
final class ChaosState {
  final Path modelDir;
  volatile ChildApp app;

  ChaosState(Path modelDir) {
    this.modelDir = modelDir;
  }
}
