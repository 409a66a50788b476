package io.kpilake.spark.fs;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.attribute.PosixFilePermission;
import java.util.EnumSet;
import java.util.Set;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;
import org.apache.hadoop.fs.permission.FsPermission;

/**
 * Hadoop's local file system without its shell commands. Without Hadoop's native library (not
 * packaged for Debian or on Maven Central), {@link RawLocalFileSystem} starts a {@code chmod} process
 * for every file it creates and a {@code readlink} process for every file a rename touches: a
 * 40-account nightly started 2,131 processes (JFR), and on this machine 200 creates took 3.3 s and
 * 200 renames through {@code FileContext}, as Delta's log store commits, 12.5 s. Here both are
 * system calls through {@code java.nio.file}; everything else is Hadoop's.
 */
public class ShellFreeRawLocalFileSystem extends RawLocalFileSystem {

  @Override
  public void setPermission(Path p, FsPermission permission) throws IOException {
    java.nio.file.Path file = pathToFile(p).toPath();
    try {
      Files.setPosixFilePermissions(file, posix(permission.toShort()));
    } catch (UnsupportedOperationException e) {
      super.setPermission(p, permission);
    }
  }

  /**
   * For anything but a symbolic link, Hadoop's answer is {@link #getFileStatus}, after a
   * {@code readlink} process (which, given the qualified {@code file:} path, never finds a link).
   */
  @Override
  public FileStatus getFileLinkStatus(Path f) throws IOException {
    if (Files.isSymbolicLink(pathToFile(f).toPath())) {
      return super.getFileLinkStatus(f);
    }
    return getFileStatus(f);
  }

  /** The nine permission bits of {@code mode} (owner, group, others; sticky and set-id bits are not set). */
  static Set<PosixFilePermission> posix(short mode) {
    Set<PosixFilePermission> out = EnumSet.noneOf(PosixFilePermission.class);
    PosixFilePermission[] bits = {
        PosixFilePermission.OTHERS_EXECUTE, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_READ,
        PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_READ,
        PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_READ};
    for (int i = 0; i < bits.length; i++) {
      if ((mode & (1 << i)) != 0) {
        out.add(bits[i]);
      }
    }
    return out;
  }
}
