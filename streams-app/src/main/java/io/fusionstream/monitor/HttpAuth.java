package io.fusionstream.monitor;

import io.fusionstream.config.FusionConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.Map;
import java.util.Objects;
import org.apache.kafka.common.config.ConfigException;

/**
 * How the HTTP server checks a request's {@code Authorization} header: not at all, HTTP basic with
 * one user, or a bearer token. Secrets come from the environment or a file (a mounted secret), never
 * from flags or properties, which end up in shell history, process lists and logged configs.
 */
public final class HttpAuth {
  /** The scheme, as {@code fusion.http.auth} names it. */
  public enum Mode { NONE, BASIC, BEARER }

  private final Mode mode;
  private final byte[] expected;

  private HttpAuth(Mode mode, byte[] expected) {
    this.mode = mode;
    this.expected = expected;
  }

  public static HttpAuth none() {
    return new HttpAuth(Mode.NONE, null);
  }

  /** Basic auth for {@code user:password}. */
  public static HttpAuth basic(String userInfo) {
    if (userInfo == null || userInfo.indexOf(':') < 1) {
      throw new IllegalArgumentException("Dashboard basic auth needs user:password");
    }
    String header = "Basic " + Base64.getEncoder().encodeToString(userInfo.getBytes(StandardCharsets.UTF_8));
    return new HttpAuth(Mode.BASIC, header.getBytes(StandardCharsets.UTF_8));
  }

  public static HttpAuth bearer(String token) {
    if (token == null || token.isBlank()) {
      throw new IllegalArgumentException("Dashboard bearer auth needs a non-empty token");
    }
    return new HttpAuth(Mode.BEARER, ("Bearer " + token.trim()).getBytes(StandardCharsets.UTF_8));
  }

  /**
   * The auth {@code fusion.http.auth} asks for, with its credential from
   * {@code fusion.http.auth.file} or else the environment variable of its mode.
   */
  public static HttpAuth from(FusionConfig config, Map<String, String> env) {
    Mode mode = Mode.valueOf(config.getString(FusionConfig.HTTP_AUTH).toUpperCase(java.util.Locale.ROOT));
    if (mode == Mode.NONE) {
      return none();
    }
    String envName = mode == Mode.BASIC ? FusionConfig.ENV_HTTP_BASIC_USER_INFO : FusionConfig.ENV_HTTP_BEARER_TOKEN;
    String file = config.getString(FusionConfig.HTTP_AUTH_FILE);
    String secret = file != null ? read(Path.of(file)) : env.get(envName);
    if (secret == null || secret.isBlank()) {
      // the names of where it was looked for, never a value
      throw new ConfigException(FusionConfig.HTTP_AUTH + "=" + mode.name().toLowerCase(java.util.Locale.ROOT)
          + " needs its credential in $" + envName + " or in the file named by " + FusionConfig.HTTP_AUTH_FILE);
    }
    try {
      return mode == Mode.BASIC ? basic(secret.strip()) : bearer(secret.strip());
    } catch (IllegalArgumentException e) {
      throw new ConfigException(e.getMessage() + " (from " + (file != null ? file : "$" + envName) + ")");
    }
  }

  private static String read(Path file) {
    try {
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read " + FusionConfig.HTTP_AUTH_FILE + " " + file, e);
    }
  }

  public Mode mode() {
    return mode;
  }

  public boolean enabled() {
    return mode != Mode.NONE;
  }

  /** Whether the header carries the credential; compared in constant time. */
  public boolean allows(String authorizationHeader) {
    if (mode == Mode.NONE) {
      return true;
    }
    return authorizationHeader != null
        && MessageDigest.isEqual(expected, authorizationHeader.trim().getBytes(StandardCharsets.UTF_8));
  }

  /** The {@code WWW-Authenticate} challenge of a 401. */
  String challenge() {
    return (mode == Mode.BASIC ? "Basic" : "Bearer") + " realm=\"fusionstream\"";
  }

  @Override
  public String toString() {
    return Objects.toString(mode).toLowerCase(java.util.Locale.ROOT); // never the secret
  }
}
