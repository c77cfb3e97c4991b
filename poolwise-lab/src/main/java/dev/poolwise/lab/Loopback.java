package dev.poolwise.lab;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Locale;

/** The one rule for "this machine": the lab only loads a database on loopback unless told otherwise. */
final class Loopback {

  private Loopback() {}

  /** Whether {@code host} is a loopback literal or a name whose every address is a loopback address. */
  static boolean isLoopback(String host) {
    if (host == null || host.isEmpty()) {
      return false;
    }
    String bare = host.toLowerCase(Locale.ROOT);
    if (bare.startsWith("[") && bare.endsWith("]")) {
      bare = bare.substring(1, bare.length() - 1);
    }
    if (bare.equals("localhost") || bare.equals("::1") || bare.startsWith("127.")) {
      return true;
    }
    try {
      for (InetAddress address : InetAddress.getAllByName(bare)) {
        if (!address.isLoopbackAddress()) {
          return false;
        }
      }
      return true;
    } catch (UnknownHostException e) {
      return false;
    }
  }
}
