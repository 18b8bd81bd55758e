package dev.tokenauthority.server.storage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * The data directory, held by one server at a time.
 *
 * <p>An exclusive lock on {@code server.lock} keeps a second server off the same files: each
 * would keep its own cache and revocation feed, so a token revoked through one would stay active
 * on the other. The lock file also says whether the last server stopped cleanly; after a crash
 * SQLite's write-ahead log must still be there, since it holds the last acknowledged commits. A
 * marker file says the directory has held a database, so that an emptied database is never
 * mistaken for a new one (and handed a second bootstrap admin token). The directory is 0700 and
 * the files in it 0600: they hold token hashes and the bootstrap secret.
 */
public final class DataDirectory implements AutoCloseable {
  static final String LOCK_FILE = "server.lock";
  public static final String MARKER_FILE = "initialized";
  private static final String RUNNING = "running";
  private static final String STOPPED = "stopped";

  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(DataDirectory.class);
  private final Path dir;
  private final FileChannel lockChannel;
  private final FileLock lock;

  private DataDirectory(Path dir, FileChannel lockChannel, FileLock lock) {
    this.dir = dir;
    this.lockChannel = lockChannel;
    this.lock = lock;
  }

  /**
   * Creates {@code dir} if needed and takes its lock.
   *
   * @param databaseFile the database's file name inside {@code dir}
   * @throws StorageException if another server holds it, or the last one crashed and the database's
   *     write-ahead log is gone
   */
  public static DataDirectory acquire(Path dir, String databaseFile) {
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new StorageException("cannot create the data directory " + dir + ": " + e.getMessage(), e);
    }
    try {
      restrict(dir, "rwx------");
    } catch (IOException e) {
      // A directory the server does not own (a volume root mounted for it): keep its permissions,
      // the files inside are still the server's own and 0600.
      log.warn("cannot make {} 0700 ({}); keeping its permissions, the files in it are 0600", dir, e.toString());
    }
    Path lockFile = dir.resolve(LOCK_FILE);
    FileChannel channel;
    FileLock lock;
    try {
      channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.READ,
          StandardOpenOption.WRITE);
      restrict(lockFile, "rw-------");
    } catch (IOException e) {
      throw new StorageException("cannot open the lock file " + lockFile + ": " + e.getMessage(), e);
    }
    try {
      lock = channel.tryLock();
    } catch (OverlappingFileLockException | IOException e) {
      lock = null;
    }
    if (lock == null) {
      closeQuietly(channel);
      throw new StorageException("another token authority server holds the data directory " + dir
          + " (lock " + lockFile + "); stop it first, or give this one another --data-dir. Several"
          + " replicas share a PostgreSQL database, never one SQLite file.");
    }
    DataDirectory held = new DataDirectory(dir, channel, lock);
    try {
      held.requireWriteAheadLogAfterCrash(databaseFile);
      held.writeState(RUNNING);
    } catch (RuntimeException e) {
      held.release();
      throw e;
    }
    return held;
  }

  public Path path() {
    return dir;
  }

  /** Whether a database was ever initialised here (the marker is written after the first token). */
  public boolean heldDatabaseBefore() {
    return Files.exists(dir.resolve(MARKER_FILE));
  }

  /** Records that this directory now holds a database with tokens. */
  public void markInitialised() {
    Path marker = dir.resolve(MARKER_FILE);
    if (Files.exists(marker)) {
      return;
    }
    try (FileChannel ch = FileChannel.open(marker, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
      ch.write(ByteBuffer.wrap(("This directory holds a token authority database. Do not delete this"
          + " file: without it an emptied database would be bootstrapped anew.\n")
          .getBytes(StandardCharsets.UTF_8)));
      ch.force(true);
      restrict(marker, "rw-------");
    } catch (IOException e) {
      throw new StorageException("cannot write " + marker + ": " + e.getMessage(), e);
    }
  }

  /** Narrows the database files (and anything else SQLite made here) to their owner. */
  public void restrictFiles() {
    try (var files = Files.list(dir)) {
      for (Path f : (Iterable<Path>) files::iterator) {
        if (Files.isRegularFile(f)) {
          restrict(f, "rw-------");
        }
      }
    } catch (IOException e) {
      throw new StorageException("cannot set permissions in " + dir + ": " + e.getMessage(), e);
    }
  }

  /**
   * Says the server is stopping cleanly. Called before the database closes: closing deletes the
   * write-ahead log, and a crash between the two must not look like a lost log at the next start.
   */
  public void stopping() {
    writeState(STOPPED);
  }

  /** Releases the directory (saying it stopped cleanly, if {@link #stopping()} was not called). */
  @Override
  public void close() {
    try {
      writeState(STOPPED);
    } catch (RuntimeException e) {
      // the lock goes anyway
    }
    release();
  }

  private void release() {
    try {
      lock.release();
    } catch (IOException e) {
      // closing the channel releases it too
    }
    closeQuietly(lockChannel);
  }

  /**
   * After a crash (the lock file still says running) the database's {@code -wal} file holds the
   * commits not yet copied into it. Without it the database opens silently at an older state,
   * with acknowledged revocations undone: refuse instead.
   */
  private void requireWriteAheadLogAfterCrash(String databaseFile) {
    Path db = dir.resolve(databaseFile);
    Path wal = dir.resolve(databaseFile + "-wal");
    if (RUNNING.equals(readState()) && Files.exists(db) && !Files.exists(wal)) {
      throw new StorageException("the last server using " + dir + " did not stop cleanly, and the"
          + " database's write-ahead log " + wal + " is missing: the most recent acknowledged"
          + " changes (revocations among them) would be lost. Restore " + wal + " or the whole"
          + " directory from a backup. To accept the loss, delete " + dir.resolve(LOCK_FILE) + ".");
    }
  }

  private String readState() {
    try {
      ByteBuffer buf = ByteBuffer.allocate(64);
      lockChannel.read(buf, 0);
      return new String(buf.array(), 0, buf.position(), StandardCharsets.US_ASCII).trim();
    } catch (IOException e) {
      throw new StorageException("cannot read the lock file: " + e.getMessage(), e);
    }
  }

  private void writeState(String state) {
    try {
      lockChannel.truncate(0);
      lockChannel.write(ByteBuffer.wrap((state + "\n").getBytes(StandardCharsets.US_ASCII)), 0);
      lockChannel.force(true);
    } catch (IOException e) {
      throw new StorageException("cannot write the lock file: " + e.getMessage(), e);
    }
  }

  private static void restrict(Path path, String permissions) throws IOException {
    if (path.getFileSystem().supportedFileAttributeViews().contains("posix")) {
      Files.setPosixFilePermissions(path, PosixFilePermissions.fromString(permissions));
    }
  }

  private static void closeQuietly(FileChannel channel) {
    try {
      channel.close();
    } catch (IOException e) {
      // nothing to keep
    }
  }
}
