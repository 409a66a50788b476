package io.kpilake.spark.fs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.attribute.PosixFilePermissions;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileAlreadyExistsException;
import org.apache.hadoop.fs.FileContext;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Options;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.permission.FsPermission;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** file: without shell commands behaves as Hadoop's local file system where Delta and Spark use it. */
class ShellFreeLocalFileSystemTest {
  @TempDir java.nio.file.Path tmp;

  private static Configuration conf() {
    Configuration c = new Configuration(false);
    c.set("fs.file.impl", ShellFreeLocalFileSystem.class.getName());
    c.setBoolean("fs.file.impl.disable.cache", true);
    c.set("fs.AbstractFileSystem.file.impl", ShellFreeLocalFs.class.getName());
    return c;
  }

  @Test
  void modeBitsMapToPosixPermissions() {
    // 0644 = owner rw, group r, others r; 0755 adds x for all; the sticky bit (01000) is not a POSIX permission.
    assertEquals(PosixFilePermissions.fromString("rw-r--r--"), ShellFreeRawLocalFileSystem.posix((short) 0644));
    assertEquals(PosixFilePermissions.fromString("rwxr-xr-x"), ShellFreeRawLocalFileSystem.posix((short) 01755));
    assertEquals(PosixFilePermissions.fromString("---------"), ShellFreeRawLocalFileSystem.posix((short) 0));
  }

  @Test
  void createSetPermissionAndStatusAsHadoopDoes() throws Exception {
    FileSystem fs = FileSystem.get(tmp.toUri(), conf());
    assertTrue(fs instanceof ShellFreeLocalFileSystem, fs.getClass().getName());
    Path f = new Path(tmp.toUri().toString(), "a/b.txt");
    try (FSDataOutputStream out = fs.create(f, true)) {
      out.write("x".getBytes(StandardCharsets.UTF_8));
    }
    assertTrue(Files.exists(tmp.resolve("a/.b.txt.crc")), "the checksum side file is still written");
    fs.setPermission(f, new FsPermission((short) 0600));
    assertEquals(PosixFilePermissions.fromString("rw-------"), Files.getPosixFilePermissions(tmp.resolve("a/b.txt")));
    FileStatus st = fs.getFileLinkStatus(f);
    assertEquals(1, st.getLen());
    assertFalse(st.isSymlink());
    assertThrows(java.io.FileNotFoundException.class, () -> fs.getFileLinkStatus(new Path(tmp.toUri().toString(), "missing")));
  }

  @Test
  void aRenameThroughFileContextNeverOverwritesAsDeltaCommitsRequire() throws Exception {
    FileContext fc = FileContext.getFileContext(tmp.toUri(), conf());
    Path tmpFile = new Path(tmp.toUri().toString(), ".0001.json.tmp");
    Path commit = new Path(tmp.toUri().toString(), "0001.json");
    try (FSDataOutputStream out = fc.create(tmpFile, java.util.EnumSet.of(org.apache.hadoop.fs.CreateFlag.CREATE))) {
      out.write('1');
    }
    fc.rename(tmpFile, commit, Options.Rename.NONE);
    assertEquals("1", Files.readString(tmp.resolve("0001.json")));
    try (FSDataOutputStream out = fc.create(tmpFile, java.util.EnumSet.of(org.apache.hadoop.fs.CreateFlag.CREATE))) {
      out.write('2');
    }
    // A second writer of the same version loses: the commit file is not replaced.
    assertThrows(FileAlreadyExistsException.class, () -> fc.rename(tmpFile, commit, Options.Rename.NONE));
    assertEquals("1", Files.readString(tmp.resolve("0001.json")));
  }
}
