package dev.tokenauthority.server.storage;

/** The database cannot be used (corrupt, from a newer version, unreadable): a start-up failure. */
public final class StorageException extends RuntimeException {
  public StorageException(String message, Throwable cause) {
    super(message, cause);
  }

  public StorageException(String message) {
    super(message);
  }
}
