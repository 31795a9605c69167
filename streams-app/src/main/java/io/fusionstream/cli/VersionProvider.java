package io.fusionstream.cli;

import picocli.CommandLine.IVersionProvider;

/** The version from the jar manifest, so it is set once, in the pom. */
final class VersionProvider implements IVersionProvider {
  @Override
  public String[] getVersion() {
    String v = FusionCli.class.getPackage().getImplementationVersion();
    return new String[] {"FusionStream " + (v == null ? "development build" : v)
        + " (Java " + Runtime.version() + ")"};
  }
}
