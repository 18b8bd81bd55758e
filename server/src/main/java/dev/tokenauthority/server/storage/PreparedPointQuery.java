package dev.tokenauthority.server.storage;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * One read-only query by a single key, prepared once on a few connections of its own. For the
 * hottest read (a token by its secret's hash): through the connection pool and a JDBI handle the
 * look-up cost about 30 µs of CPU, most of it outside SQLite; this way it costs a few.
 */
final class PreparedPointQuery implements PointQuery {
  private final BlockingQueue<Slot> slots;
  private final List<Slot> all = new ArrayList<>();
  private final StorageMonitor monitor;

  PreparedPointQuery(javax.sql.DataSource readOnly, String sql, int connections, StorageMonitor monitor) {
    this.monitor = monitor;
    this.slots = new ArrayBlockingQueue<>(connections);
    try {
      for (int i = 0; i < connections; i++) {
        Connection c = readOnly.getConnection();
        Slot slot = new Slot(c, c.prepareStatement(sql));
        all.add(slot);
        slots.add(slot);
      }
    } catch (SQLException e) {
      close();
      throw new StorageException("cannot prepare " + sql + ": " + e.getMessage(), e);
    }
  }

  @Override
  public <T> Optional<T> one(byte[] key, RowReader<T> reader) {
    Slot slot;
    try {
      slot = slots.take();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StorageException("interrupted while waiting for a connection", e);
    }
    try {
      slot.statement.setBytes(1, key);
      try (ResultSet rs = slot.statement.executeQuery()) {
        return rs.next() ? Optional.of(reader.read(rs)) : Optional.empty();
      }
    } catch (SQLException e) {
      monitor.failed(e);
      throw new StorageException("look-up failed: " + e.getMessage(), e);
    } finally {
      slots.add(slot);
    }
  }

  @Override
  public void close() {
    for (Slot slot : all) {
      try {
        slot.statement.close();
        slot.connection.close();
      } catch (SQLException e) {
        // closing anyway; nothing to keep
      }
    }
  }

  private record Slot(Connection connection, PreparedStatement statement) {}
}
