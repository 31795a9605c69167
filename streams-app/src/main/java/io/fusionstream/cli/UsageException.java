package io.fusionstream.cli;

/** A mistake in the command line or the configuration: exit code 2, one line. */
public class UsageException extends RuntimeException {
  public UsageException(String message) {
    super(message);
  }
}
