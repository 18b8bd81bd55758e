package dev.tokenauthority.cli.config;

import java.io.IOException;
import java.io.Reader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.LinkOption;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * A small key=value file only its owner can read (0600, in a 0700 directory), replaced atomically
 * so that a crash or a second {@code ta} never sees half of it. Holds the active organisation and
 * the stored session; {@link #prepare} also writes {@code --secret-file}.
 */
public final class StateFile {
  private StateFile() {}

  /** The file's entries; empty if it does not exist. */
  public static Map<String, String> read(Path file) throws IOException {
    Properties p = new Properties();
    try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      p.load(r);
    } catch (NoSuchFileException absent) {
      return Map.of();
    }
    Map<String, String> entries = new TreeMap<>();
    p.stringPropertyNames().forEach(k -> entries.put(k, p.getProperty(k)));
    return entries;
  }

  /** Replaces the file with {@code entries}, mode 0600. */
  public static void write(Path file, Map<String, String> entries) throws IOException {
    Properties p = new Properties();
    p.putAll(entries);
    StringWriter text = new StringWriter();
    p.store(text, "written by ta; keep private");
    replace(file, text.toString());
  }

  /** Deletes the file; no error if it is already gone. */
  public static void delete(Path file) throws IOException {
    Files.deleteIfExists(file);
  }

  private static void replace(Path file, String content) throws IOException {
    Pending pending = prepare(file);
    pending.commit(content);
  }

  /**
   * Makes ready to replace {@code file}: its directory exists and a private temporary file beside
   * it is open. Done before an irreversible call (a rotation), so that a path that cannot be
   * written fails while the old secret still works rather than after the new one was issued.
   */
  public static Pending prepare(Path file) throws IOException {
    if (Files.exists(file, LinkOption.NOFOLLOW_LINKS) && !Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
      throw new IOException(file + " exists and is not a regular file");
    }
    Path dir = file.toAbsolutePath().getParent();
    createPrivateDirectories(dir);
    // The temporary file is born 0600: the content is never readable by others, not even briefly.
    return new Pending(file, Files.createTempFile(dir, "." + file.getFileName(), ".tmp",
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))));
  }

  /** A replacement made ready by {@link #prepare}; {@link #commit} or {@link #abandon} it. */
  public static final class Pending {
    private final Path file;
    private final Path tmp;

    private Pending(Path file, Path tmp) {
      this.file = file;
      this.tmp = tmp;
    }

    /** Writes {@code content} and puts it in place in one step. */
    public void commit(String content) throws IOException {
      try {
        Files.writeString(tmp, content, StandardCharsets.UTF_8);
        try {
          Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
          Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
        }
      } finally {
        Files.deleteIfExists(tmp);
      }
    }

    public void abandon() throws IOException {
      Files.deleteIfExists(tmp);
    }
  }

  /** Creates {@code dir} and missing parents, each 0700. */
  public static void createPrivateDirectories(Path dir) throws IOException {
    if (Files.isDirectory(dir)) {
      return;
    }
    createPrivateDirectories(dir.getParent());
    try {
      Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    } catch (FileAlreadyExistsException raced) {
      // Another ta made it meanwhile: fine.
    }
  }

  /** {@link #read} for callers that cannot throw checked exceptions. */
  public static Map<String, String> readUnchecked(Path file) {
    try {
      return read(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
