package dev.tokenauthority.server;

import dev.tokenauthority.server.token.Secret;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.Set;

/** Writes the first admin secret to a file only its owner can read (0600), and syncs it. */
final class BootstrapFile {
  static final String NAME = "bootstrap-token";

  private BootstrapFile() {}

  static void write(Path file, Secret secret) {
    try {
      Files.deleteIfExists(file); // permissions apply only to a new file
      Set<PosixFilePermission> ownerOnly = PosixFilePermissions.fromString("rw-------");
      FileAttribute<?>[] attrs = file.getFileSystem().supportedFileAttributeViews().contains("posix")
          ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(ownerOnly)}
          : new FileAttribute<?>[0];
      try (FileChannel ch = FileChannel.open(file,
          EnumSet.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE), attrs)) {
        ch.write(ByteBuffer.wrap((secret.reveal() + "\n").getBytes(StandardCharsets.US_ASCII)));
        ch.force(true);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the bootstrap token to " + file, e);
    }
  }
}
