package dev.tokenauthority.cli.config;

import java.io.IOException;
import java.io.Reader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
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
 * the stored session; {@link #writeSecret} also writes {@code --secret-file}.
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

  /** Writes {@code secret} and a newline to {@code file}, mode 0600, replacing what was there. */
  public static void writeSecret(Path file, String secret) throws IOException {
    replace(file, secret + "\n");
  }

  /** Deletes the file; no error if it is already gone. */
  public static void delete(Path file) throws IOException {
    Files.deleteIfExists(file);
  }

  private static void replace(Path file, String content) throws IOException {
    Path dir = file.toAbsolutePath().getParent();
    createPrivateDirectories(dir);
    // The temporary file is born 0600: the content is never readable by others, not even briefly.
    Path tmp = Files.createTempFile(dir, "." + file.getFileName(), ".tmp",
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
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
