package dev.tokenauthority.server.token;

import java.util.List;

/**
 * Told, after each commit and before the change is answered, which token rows it changed (by
 * their secrets' hashes): whatever keeps tokens in memory forgets them here, and only here.
 */
@FunctionalInterface
public interface TokenChangeListener {
  void changed(List<byte[]> secretHashes);
}
