package dev.tokenauthority.server.storage;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;

/** One read-only query by a single key: the hottest reads (a token by its secret's hash). */
public interface PointQuery extends AutoCloseable {
  /** Turns the current row into a value. */
  @FunctionalInterface
  interface RowReader<T> {
    T read(ResultSet row) throws SQLException;
  }

  /** The row whose key is {@code key}, if any. */
  <T> Optional<T> one(byte[] key, RowReader<T> reader);

  @Override
  void close();
}
