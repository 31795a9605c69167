package io.fusionstream.registry;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;

/** Optional HTTP basic auth for the embedded registry: one user, compared in constant time. */
final class BasicAuth {
  private final byte[] expected;

  private BasicAuth(byte[] expected) {
    this.expected = expected;
  }

  static BasicAuth none() {
    return new BasicAuth(null);
  }

  /** {@code user:password}, as in the serde's {@code basic.auth.user.info}. */
  static BasicAuth of(String userInfo) {
    if (userInfo == null || userInfo.isEmpty()) {
      return none();
    }
    if (!userInfo.contains(":")) {
      throw new IllegalArgumentException("Registry basic auth must be user:password");
    }
    String header = "Basic " + Base64.getEncoder().encodeToString(userInfo.getBytes(StandardCharsets.UTF_8));
    return new BasicAuth(header.getBytes(StandardCharsets.UTF_8));
  }

  boolean enabled() {
    return expected != null;
  }

  boolean allows(String authorizationHeader) {
    if (expected == null) {
      return true;
    }
    return authorizationHeader != null
        && MessageDigest.isEqual(expected, authorizationHeader.trim().getBytes(StandardCharsets.UTF_8));
  }
}
