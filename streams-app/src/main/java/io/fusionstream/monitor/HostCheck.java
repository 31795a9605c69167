package io.fusionstream.monitor;

import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.util.Collection;
import java.util.Collections;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;

/**
 * Accepts a request only when its {@code Host} header names this server. A web page a developer
 * opens can point its own DNS name at 127.0.0.1 (DNS rebinding) and then read a localhost dashboard
 * as same-origin; its requests still carry the attacker's name in {@code Host}, which this refuses.
 */
final class HostCheck {
  private static final Set<String> LOOPBACK_NAMES = Set.of("localhost", "127.0.0.1", "::1", "0:0:0:0:0:0:0:1", "localhost.localdomain");

  private final Set<String> allowed;
  private final boolean any;

  private HostCheck(Set<String> allowed, boolean any) {
    this.allowed = allowed;
    this.any = any;
  }

  /**
   * The names a server bound to {@code bindHost} answers to: the loopback names, the bound name
   * itself, for a wildcard bind this machine's host name and interface addresses, and {@code extra}
   * ({@code *} turns the check off).
   */
  static HostCheck forBinding(String bindHost, Collection<String> extra) {
    Set<String> names = new HashSet<>(LOOPBACK_NAMES);
    boolean any = false;
    for (String e : extra) {
      String n = normalise(e.trim());
      if (n.equals("*")) {
        any = true;
      } else if (!n.isEmpty()) {
        names.add(n);
      }
    }
    String bound = normalise(bindHost);
    names.add(bound);
    if (bound.equals("0.0.0.0") || bound.equals("::") || bound.isEmpty()) {
      addMachineNames(names);
    }
    return new HostCheck(Collections.unmodifiableSet(names), any);
  }

  boolean allows(String hostHeader) {
    if (any) {
      return true;
    }
    if (hostHeader == null || hostHeader.isBlank()) {
      return false;
    }
    return allowed.contains(normalise(stripPort(hostHeader.trim())));
  }

  Set<String> names() {
    return allowed;
  }

  private static void addMachineNames(Set<String> names) {
    try {
      InetAddress local = InetAddress.getLocalHost();
      names.add(normalise(local.getHostName()));
      names.add(normalise(local.getCanonicalHostName()));
    } catch (UnknownHostException e) {
      // no resolvable host name: the interface addresses still count
    }
    try {
      for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
        for (InetAddress a : Collections.list(nic.getInetAddresses())) {
          String text = a.getHostAddress();
          int zone = text.indexOf('%');
          names.add(normalise(zone < 0 ? text : text.substring(0, zone)));
        }
      }
    } catch (SocketException e) {
      // the host name and the explicitly allowed names remain
    }
  }

  private static String stripPort(String host) {
    if (host.startsWith("[")) {
      int end = host.indexOf(']');
      return end < 0 ? host : host.substring(1, end);
    }
    int colon = host.indexOf(':');
    // more than one colon without brackets is a bare IPv6 address, which has no port
    return colon >= 0 && host.indexOf(':', colon + 1) < 0 ? host.substring(0, colon) : host;
  }

  private static String normalise(String name) {
    String n = name.toLowerCase(Locale.ROOT);
    if (n.startsWith("[") && n.endsWith("]")) {
      n = n.substring(1, n.length() - 1);
    }
    return n.endsWith(".") ? n.substring(0, n.length() - 1) : n;
  }
}
